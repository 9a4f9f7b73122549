"""The building blocks of fixes (fastlint/edits.py): exact text before and after, on the
layouts that FastAPI and Pydantic code really has. Every result must parse and compile."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Optional

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from fastlint.diagnostics import Edit
from fastlint.edits import (
    STDLIB_MODULES,
    MissingPosition,
    NodeSpans,
    Section,
    add_keyword,
    classify_module,
    import_names,
    member_sort_key,
    module_sort_key,
    remove_argument,
    remove_arguments,
    remove_decorator,
    remove_parameters,
    rename_keyword,
    replace_argument_value,
    replace_decorator,
    surviving_comment,
)
from fastlint.source import LineIndex, SourceFile


def _src(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


def _parse(text: str) -> tuple[cst.Module, NodeSpans]:
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    return wrapper.module, NodeSpans(wrapper.resolve(PositionProvider), LineIndex(text))


def _apply(text: str, edits: Iterable[Optional[Edit]]) -> str:
    """``text`` with ``edits`` applied; the result must be valid Python."""
    for edit in sorted((e for e in edits if e is not None), key=lambda e: -e.start):
        text = text[: edit.start] + edit.content + text[edit.end :]
    cst.parse_module(text)
    compile(text, "<fixed>", "exec")
    return text


def _calls(module: cst.Module) -> list[cst.Call]:
    found: list[cst.Call] = []

    class Collect(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    module.visit(Collect())
    return found


def _decorators(module: cst.Module) -> list[cst.Decorator]:
    found: list[cst.Decorator] = []

    class Collect(cst.CSTVisitor):
        def visit_Decorator(self, node: cst.Decorator) -> None:
            found.append(node)

    module.visit(Collect())
    return found


def _arg(call: cst.Call, label: str) -> cst.Arg:
    """The argument with keyword ``label``, or the positional one whose code is ``label``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == label:
            return arg
        if arg.keyword is None and cst.Module(body=()).code_for_node(arg.value) == label:
            return arg
    raise AssertionError(f"no argument {label!r}")


# -- NodeSpans ---------------------------------------------------------------------------------


def test_spans_are_offsets_into_the_text_and_lines_end_after_their_newline() -> None:
    text = 'app = FastAPI(\r\n    title="Orders",  # shown in /docs\r\n)\r\n'
    module, spans = _parse(text)
    title = _arg(_calls(module)[0], "title")
    start, end = spans.span(title)
    assert text[start:end] == 'title="Orders"'
    assert (spans.start(title), spans.end(title)) == (start, end)
    assert text[spans.line_start(title) : start] == "    "
    assert text[end : spans.line_end(title)] == ",  # shown in /docs\r\n"


def test_a_node_that_is_not_in_the_tree_has_no_span() -> None:
    _, spans = _parse("x = 1\n")
    with pytest.raises(MissingPosition):
        spans.span(cst.Name("x"))


# -- ordering and sections ---------------------------------------------------------------------


def test_member_order_is_constants_then_classes_then_the_rest_case_insensitively() -> None:
    names = [
        "validator",
        "BaseModel",
        "VERSION",
        "field_validator",
        "AnyUrl",
        "Field",
        "ConfigDict",
    ]
    assert sorted(names, key=member_sort_key) == [
        "VERSION",
        "AnyUrl",
        "BaseModel",
        "ConfigDict",
        "Field",
        "field_validator",
        "validator",
    ]
    assert sorted(["v10", "V2", "v1"], key=member_sort_key) == ["V2", "v1", "v10"]
    assert sorted(["Session", "sessionmaker", "SQLModel"], key=member_sort_key) == [
        "Session",
        "SQLModel",
        "sessionmaker",
    ]


def test_module_order_is_natural_and_relative_imports_go_furthest_first() -> None:
    modules = ["app.v10", "App.v2", ".models", "..core", "app"]
    assert sorted(modules, key=module_sort_key) == ["..core", ".models", "app", "App.v2", "app.v10"]


def test_sections_of_modules() -> None:
    first_party = {"app"}
    assert classify_module("__future__") is Section.FUTURE
    assert classify_module("os.path") is Section.STDLIB
    assert classify_module("collections.abc") is Section.STDLIB
    assert classify_module("fastapi.responses", first_party) is Section.THIRD_PARTY
    assert classify_module("app.models", first_party) is Section.FIRST_PARTY
    assert classify_module("application", first_party) is Section.THIRD_PARTY
    assert classify_module(".models", first_party) is Section.LOCAL
    assert classify_module("app.models") is Section.THIRD_PARTY  # nobody said it was ours


@pytest.mark.skipif(sys.version_info < (3, 10), reason="compares with sys.stdlib_module_names")
def test_the_bundled_standard_library_of_python_39_matches_what_python_reports() -> None:
    from fastlint import edits

    bundled = set(edits._STDLIB_39_NAMES.split())
    current = {name for name in sys.stdlib_module_names if not name.startswith("_")}
    assert current - bundled <= {"tomllib", "annotationlib", "compression"}  # newer than 3.9
    assert sys.stdlib_module_names == STDLIB_MODULES


# -- imports -----------------------------------------------------------------------------------


def _import(
    text: str, module_name: str, names: Sequence[str], first_party: Iterable[str] = ("app",)
) -> str:
    """``text`` after importing ``names``; importing them again must need no edit."""
    owned = frozenset(first_party)

    def section_of(name: str) -> Section:
        return classify_module(name, owned)

    module, spans = _parse(text)
    edit = import_names(module, text, spans, module_name, names, section_of)
    assert edit is not None, "an edit was needed"
    result = _apply(text, [edit])
    again, again_spans = _parse(result)
    assert import_names(again, result, again_spans, module_name, names, section_of) is None
    return result


MODELS = _src(
    """
    from pydantic import (
        BaseModel,  # base
        validator,  # legacy
    )


    class User(BaseModel):
        name: str
    """
)


def test_extending_a_parenthesised_import_keeps_each_comment_on_its_name() -> None:
    assert _import(MODELS, "pydantic", ["field_validator"]) == _src(
        """
        from pydantic import (
            BaseModel,  # base
            field_validator,
            validator,  # legacy
        )


        class User(BaseModel):
            name: str
        """
    )


def test_names_of_every_type_go_to_their_sorted_places_in_one_edit() -> None:
    result = _import(MODELS, "pydantic", ["model_validator", "ConfigDict", "ValidationInfo"])
    assert result == MODELS.replace(
        "    BaseModel,  # base\n",
        "    BaseModel,  # base\n    ConfigDict,\n    ValidationInfo,\n    model_validator,\n",
    )


def test_appending_after_a_last_name_without_trailing_comma_keeps_its_comment() -> None:
    text = "from fastapi import (\n    Depends,\n    FastAPI  # the app\n)\n"
    assert _import(text, "fastapi", ["status"]) == (
        "from fastapi import (\n    Depends,\n    FastAPI,  # the app\n    status\n)\n"
    )


def test_extending_a_one_line_import() -> None:
    text = "from pydantic import BaseModel, validator\n\n\nclass User(BaseModel): ...\n"
    assert _import(text, "pydantic", ["field_validator", "ConfigDict"]) == (
        "from pydantic import BaseModel, ConfigDict, field_validator, validator\n\n\n"
        "class User(BaseModel): ...\n"
    )


def test_names_that_are_not_sorted_yet_get_the_new_one_at_the_end() -> None:
    text = "from pydantic import validator, BaseModel\n"
    assert _import(text, "pydantic", ["field_validator"]) == (
        "from pydantic import validator, BaseModel, field_validator\n"
    )


def test_tabs_and_crlf_of_a_vertical_import_are_kept() -> None:
    text = "from pydantic import (\r\n\tBaseModel,\r\n\tvalidator,\r\n)\r\n"
    assert _import(text, "pydantic", ["Field", "field_validator"]) == (
        "from pydantic import (\r\n\tBaseModel,\r\n\tField,\r\n\tfield_validator,\r\n"
        "\tvalidator,\r\n)\r\n"
    )


def test_an_import_below_code_is_not_extended() -> None:
    text = _src(
        """
        from fastapi import FastAPI

        app = FastAPI()

        from pydantic import BaseModel  # noqa: E402
        """
    )
    assert _import(text, "pydantic", ["Field"]) == text.replace(
        "from fastapi import FastAPI\n",
        "from fastapi import FastAPI\nfrom pydantic import Field\n",
    )
    module, spans = _parse(text)
    assert import_names(module, text, spans, "pydantic", ["BaseModel"]) is None


def test_as_imports_stay_on_their_own_line() -> None:
    text = "from pydantic import BaseModel as Model\n\nmodel = Model\n"
    assert _import(text, "pydantic", ["Field"]) == (
        "from pydantic import BaseModel as Model\nfrom pydantic import Field\n\nmodel = Model\n"
    )


def test_names_already_imported_need_no_edit() -> None:
    text = "from pydantic import BaseModel, field_validator as field_validator\n"
    module, spans = _parse(text)
    assert import_names(module, text, spans, "pydantic", ["field_validator"]) is None
    assert import_names(module, text, spans, "pydantic", ["BaseModel", "BaseModel"]) is None
    aliased = "from pydantic import field_validator as fv\n"
    module, spans = _parse(aliased)
    assert import_names(module, aliased, spans, "pydantic", ["field_validator"]) is not None


APP = _src(
    '''
    """The orders service."""

    from __future__ import annotations

    import os
    from typing import Any

    from fastapi import FastAPI
    from sqlalchemy import select

    from app.db import Session

    app = FastAPI()
    '''
)


FASTAPI = "from fastapi import FastAPI\n"
SQLALCHEMY = "from sqlalchemy import select\n"
OS = "import os\n"
SESSION = "from app.db import Session\n"


@pytest.mark.parametrize(
    ("module_name", "name", "old", "new"),
    [
        ("pydantic", "BaseModel", FASTAPI, FASTAPI + "from pydantic import BaseModel\n"),
        ("anyio", "to_thread", FASTAPI, "from anyio import to_thread\n" + FASTAPI),
        ("starlette", "status", SQLALCHEMY, SQLALCHEMY + "from starlette import status\n"),
        (
            "contextlib",
            "asynccontextmanager",
            OS,
            OS + "from contextlib import asynccontextmanager\n",
        ),
        (
            "collections.abc",
            "AsyncIterator",
            OS,
            OS + "from collections.abc import AsyncIterator\n",
        ),
        ("app.models", "Order", SESSION, SESSION + "from app.models import Order\n"),
        ("app", "config", SESSION, "from app import config\n" + SESSION),
    ],
)
def test_a_new_line_goes_to_its_sorted_place_in_its_section(
    module_name: str, name: str, old: str, new: str
) -> None:
    assert _import(APP, module_name, [name]) == APP.replace(old, new, 1)


def test_a_missing_section_is_created_between_its_neighbours() -> None:
    text = _src(
        """
        import os

        from app.db import Session
        """
    )
    assert _import(text, "fastapi", ["Depends"]) == _src(
        """
        import os

        from fastapi import Depends

        from app.db import Session
        """
    )


def test_a_relative_import_goes_to_the_local_section_at_the_end() -> None:
    assert _import(APP, ".schemas", ["OrderIn", "OrderOut"]) == APP.replace(
        "from app.db import Session\n",
        "from app.db import Session\n\nfrom .schemas import OrderIn, OrderOut\n",
    )


def test_a_stdlib_section_goes_above_the_third_party_one_and_below_a_header_comment() -> None:
    text = "#!/usr/bin/env python\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
    assert _import(text, "contextlib", ["asynccontextmanager"]) == (
        "#!/usr/bin/env python\nfrom contextlib import asynccontextmanager\n\n"
        "from fastapi import FastAPI\n\napp = FastAPI()\n"
    )


def test_future_imports_stay_first() -> None:
    text = "from __future__ import annotations\nclass Order: ...\n"
    assert _import(text, "pydantic", ["BaseModel"]) == (
        "from __future__ import annotations\n\nfrom pydantic import BaseModel\n\n\n"
        "class Order: ...\n"
    )
    text = '"""Doc."""\nfrom __future__ import annotations\n\nimport os\n'
    assert _import(text, "__future__", ["division"]) == (
        '"""Doc."""\nfrom __future__ import annotations, division\n\nimport os\n'
    )


def test_a_file_with_a_docstring_and_no_imports() -> None:
    text = '"""Order schemas."""\n\n\nclass Order(BaseModel):\n    id: int\n'
    assert _import(text, "pydantic", ["BaseModel"]) == (
        '"""Order schemas."""\n\nfrom pydantic import BaseModel\n\n\n'
        "class Order(BaseModel):\n    id: int\n"
    )
    text = '"""Order schemas."""\nclass Order(BaseModel):\n    id: int\n'
    assert _import(text, "pydantic", ["BaseModel"]) == (
        '"""Order schemas."""\n\nfrom pydantic import BaseModel\n\n\n'
        "class Order(BaseModel):\n    id: int\n"
    )
    text = '"""Settings."""\nsettings = Settings()\n'
    assert _import(text, "app.config", ["Settings"]) == (
        '"""Settings."""\n\nfrom app.config import Settings\n\nsettings = Settings()\n'
    )


def test_files_without_imports_or_without_a_final_newline() -> None:
    assert _import("", "fastapi", ["FastAPI"]) == "from fastapi import FastAPI\n"
    assert _import('"""Doc."""', "fastapi", ["FastAPI"]) == (
        '"""Doc."""\n\nfrom fastapi import FastAPI\n'
    )
    assert _import("app = FastAPI()\n", "fastapi", ["FastAPI"]) == (
        "from fastapi import FastAPI\n\napp = FastAPI()\n"
    )
    assert _import("from fastapi import FastAPI", "pydantic", ["BaseModel"]) == (
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\n"
    )
    assert _import("from fastapi import FastAPI", "fastapi", ["Depends"]) == (
        "from fastapi import Depends, FastAPI"
    )
    assert _import("import os", "fastapi", ["Depends"]) == (
        "import os\n\nfrom fastapi import Depends\n"
    )


def test_crlf_files_get_crlf_lines() -> None:
    text = "import os\r\n\r\nfrom fastapi import FastAPI\r\n\r\napp = FastAPI()\r\n"
    assert _import(text, "pydantic", ["BaseModel"]) == (
        "import os\r\n\r\nfrom fastapi import FastAPI\r\nfrom pydantic import BaseModel\r\n"
        "\r\napp = FastAPI()\r\n"
    )
    docstring_only = '"""Doc."""\r\napp = 1\r\n'
    assert _import(docstring_only, "fastapi", ["FastAPI"]) == (
        '"""Doc."""\r\n\r\nfrom fastapi import FastAPI\r\n\r\napp = 1\r\n'
    )


def test_the_bom_of_a_file_survives_an_import_edit() -> None:
    source = SourceFile.from_bytes("main.py", b"\xef\xbb\xbfimport os\n\napp = 1\n")
    fixed = _import(source.text, "fastapi", ["FastAPI"])
    assert (
        source.encode(fixed) == b"\xef\xbb\xbfimport os\n\nfrom fastapi import FastAPI\n\napp = 1\n"
    )


RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
def test_ruff_finds_the_results_sorted(tmp_path: Path) -> None:
    """The placement agrees with ruff's I001 (default isort settings) on sorted inputs."""
    results = {
        "models.py": _import(MODELS, "pydantic", ["field_validator", "ConfigDict", "VERSION"]),
        "app1.py": _import(APP, "pydantic", ["BaseModel"]),
        "app2.py": _import(APP, "contextlib", ["asynccontextmanager"]),
        "app3.py": _import(APP, "..core", ["settings"]),
        "app4.py": _import(APP, "aiofiles", ["open"]),
        "empty.py": _import('"""Doc."""\nclass Order: ...\n', "pydantic", ["BaseModel"]),
        "future.py": _import("from __future__ import annotations\nx = 1\n", "os", ["path"]),
    }
    for name, text in results.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert RUFF is not None
    done = subprocess.run(
        [
            RUFF,
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            "I001",
            "--config",
            "lint.isort.known-first-party = ['app']",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout


# -- call arguments ----------------------------------------------------------------------------


def _remove(text: str, label: str, call_index: int = 0) -> str:
    module, spans = _parse(text)
    call = _calls(module)[call_index]
    return _apply(text, [remove_argument(call, _arg(call, label), spans, text)])


def _add(text: str, name: str, value: str, call_index: int = 0) -> str:
    module, spans = _parse(text)
    call = _calls(module)[call_index]
    return _apply(text, [add_keyword(call, name, value, spans, text)])


VALIDATOR = _src(
    """
    class User(BaseModel):
        @validator("name",
            pre=True,   # raw input
            allow_reuse=True)
        def strip(cls, v):
            return v.strip()
    """
)


def test_removing_the_last_argument_keeps_the_comment_of_the_one_before() -> None:
    assert _remove(VALIDATOR, "allow_reuse") == VALIDATOR.replace(
        "pre=True,   # raw input\n        allow_reuse=True)", "pre=True)   # raw input"
    )


def test_removing_a_middle_argument_leaves_its_comment_in_its_place() -> None:
    assert _remove(VALIDATOR, "pre") == VALIDATOR.replace(
        "        pre=True,   # raw input\n", "        # raw input\n"
    )


def test_removing_the_first_argument_pulls_the_next_one_up() -> None:
    assert _remove(VALIDATOR, '"name"') == VALIDATOR.replace(
        '@validator("name",\n        pre=True', "@validator(pre=True"
    )


EACH_ITEM = _src(
    """
    class Order(BaseModel):
        @validator(
            "tags",
            pre=True,
            each_item=False,  # whole list
        )
        def split(cls, v):
            return v
    """
)


def test_removing_the_last_of_one_argument_per_line_keeps_the_indented_parenthesis() -> None:
    result = _remove(EACH_ITEM, "each_item")
    assert result == EACH_ITEM.replace(
        "        each_item=False,  # whole list\n", "        # whole list\n"
    )
    assert "\n    )\n" in result


def test_removing_the_last_argument_of_a_call_without_trailing_comma() -> None:
    text = EACH_ITEM.replace("each_item=False,", "each_item=False")
    assert _remove(text, "each_item") == text.replace(
        "pre=True,\n        each_item=False  # whole list\n", "pre=True\n        # whole list\n"
    )
    plain = text.replace("  # whole list", "")
    assert _remove(plain, "each_item") == plain.replace(
        "pre=True,\n        each_item=False\n", "pre=True\n"
    )


def test_removing_other_arguments_of_one_per_line_calls() -> None:
    assert _remove(EACH_ITEM, '"tags"') == EACH_ITEM.replace('        "tags",\n', "")
    assert _remove(EACH_ITEM, "pre") == EACH_ITEM.replace("        pre=True,\n", "")


def test_removing_the_only_argument() -> None:
    assert _remove("db = Depends(get_db)\n", "get_db") == "db = Depends()\n"
    assert _remove("db = Depends(\n    get_db,\n)\n", "get_db") == "db = Depends()\n"
    assert _remove("db = Depends(\n    get_db,  # per request\n)\n", "get_db") == (
        "db = Depends(\n    # per request\n)\n"
    )
    assert _remove("db = Depends(\n    get_db,  # noqa: B008\n)\n", "get_db") == "db = Depends()\n"
    text = "db = Depends(\n    # the session\n    get_db,\n)\n"
    assert _remove(text, "get_db") == "db = Depends(\n    # the session\n)\n"


def test_removing_arguments_of_one_line_calls() -> None:
    text = 'name: str = Field(..., alias="userName", min_length=1)\n'
    assert _remove(text, "alias") == "name: str = Field(..., min_length=1)\n"
    assert _remove(text, "...") == 'name: str = Field(alias="userName", min_length=1)\n'
    assert _remove(text, "min_length") == 'name: str = Field(..., alias="userName")\n'
    trailing = 'name: str = Field(..., alias="userName",)\n'
    assert _remove(trailing, "alias") == "name: str = Field(...,)\n"
    star = "response = call_next(*args, **kwargs)\n"
    assert _remove(star, "kwargs") == "response = call_next(*args)\n"
    assert _remove("client = (httpx.AsyncClient)(app, timeout=5)\n", "app") == (
        "client = (httpx.AsyncClient)(timeout=5)\n"
    )


def test_a_comment_on_a_line_shared_with_a_kept_argument_stays() -> None:
    text = _src(
        """
        name: str = Field(default="", alias="userName",  # camelCase in JSON
                          description="The display name")
        """
    )
    assert _remove(text, "alias") == text.replace(' alias="userName",', "")
    first = _src(
        """
        name: str = Field(default="",  # empty means anonymous
                          # shown in /docs
                          description="The display name")
        """
    )
    assert _remove(first, "default") == _src(
        """
        name: str = Field(  # empty means anonymous
                          # shown in /docs
                          description="The display name")
        """
    )


def test_a_comment_line_above_the_removed_last_argument_keeps_the_parenthesis_apart() -> None:
    text = _src(
        """
        async def fetch():
            async with httpx.AsyncClient(base_url=URL,  # upstream
                    timeout=5) as client:
                pass
        """
    )
    assert _remove(text, "timeout") == text.replace(
        "base_url=URL,  # upstream\n            timeout=5)",
        "base_url=URL  # upstream\n            )",
    )


def _remove_many(text: str, *labels: str) -> str:
    module, spans = _parse(text)
    call = _calls(module)[0]
    return _apply(
        text, [remove_arguments(call, [_arg(call, label) for label in labels], spans, text)]
    )


def test_item1_removing_neighbouring_arguments_at_once_keeps_every_comment() -> None:
    text = _src(
        """
        @validator(
            "name",  # the field
            pre=True,  # raw
            each_item=False,  # whole list
            allow_reuse=True  # shared
        )
        def f(cls, v): ...
        """
    )
    assert _remove_many(text, "each_item", "allow_reuse") == text.replace(
        "pre=True,  # raw\n    each_item=False,  # whole list\n    allow_reuse=True  # shared\n",
        "pre=True  # raw\n    # whole list\n    # shared\n",
    )
    assert _remove_many(text, "pre", "allow_reuse") == text.replace(
        "    pre=True,  # raw\n    each_item=False,  # whole list\n"
        "    allow_reuse=True  # shared\n",
        "    # raw\n    each_item=False  # whole list\n    # shared\n",
    )
    one_line = 'f("a", pre=True, each_item=False, allow_reuse=True, check_fields=False)\n'
    assert (
        _remove_many(one_line, "pre", "each_item", "check_fields") == 'f("a", allow_reuse=True)\n'
    )
    assert _remove_many(one_line, "each_item", "allow_reuse") == (
        'f("a", pre=True, check_fields=False)\n'
    )
    everything = "f(\n    a,  # first\n    b,\n)\n"
    assert _remove_many(everything, "a", "b") == "f(\n    # first\n)\n"
    assert _remove_many(everything.replace("  # first", ""), "a", "b") == "f()\n"


def test_item1_removing_an_argument_in_a_cr_only_file_keeps_its_line_endings() -> None:
    text = '@validator(\r    "name",\r    pre=True,  # raw\r    allow_reuse=True,  # reuse\r)\r'
    text += "def f(cls, v): ...\r"
    assert _remove_many(text, "allow_reuse") == text.replace(
        "allow_reuse=True,  # reuse\r", "# reuse\r"
    )
    assert _remove_many(text, "pre", "allow_reuse") == text.replace(
        "    pre=True,  # raw\r    allow_reuse=True,  # reuse\r", "    # raw\r    # reuse\r"
    )


def test_item1_a_hash_inside_a_removed_string_is_not_a_comment() -> None:
    text = 'x = f(a,\n      b="#1",\n      c=2)\n'
    assert _remove_many(text, "b") == "x = f(a,\n      c=2)\n"
    text = 'x = f(a,\n      b="""\n#1""",  # doc\n      c=2)\n'
    assert _remove_many(text, "b") == "x = f(a,\n      # doc\n      c=2)\n"


def _functions(module: cst.Module) -> list[cst.FunctionDef]:
    return [s for s in module.body if isinstance(s, cst.FunctionDef)]


def _remove_params(text: str, *names: str) -> str:
    module, spans = _parse(text)
    function = _functions(module)[0]
    p = function.params
    every = [*p.posonly_params, *p.params, *p.kwonly_params]
    every += [x for x in (p.star_arg, p.star_kwarg) if isinstance(x, cst.Param)]
    chosen = [param for param in every if param.name.value in names]
    return _apply(text, [remove_parameters(function, chosen, spans, text)])


def test_item1_removing_parameters_keeps_every_comment_and_no_bare_star() -> None:
    assert _remove_params("def f(cls, v, values):\n    pass\n", "values") == (
        "def f(cls, v):\n    pass\n"
    )
    assert _remove_params("def f(cls, v, *, values):\n    pass\n", "values") == (
        "def f(cls, v):\n    pass\n"
    )
    assert _remove_params("def f(cls, v, *, values, other=1):\n    pass\n", "values") == (
        "def f(cls, v, *, other=1):\n    pass\n"
    )
    assert _remove_params("def f(a, b, /, c):\n    pass\n", "a", "b") == "def f(c):\n    pass\n"
    if sys.version_info >= (3, 12):  # type parameters compile from 3.12 on
        generic = "def f[T](a: T, b: int = 1) -> T:\n    pass\n"
        assert _remove_params(generic, "b") == "def f[T](a: T) -> T:\n    pass\n"
    text = _src(
        """
        def f(
            cls,
            v,  # the value
            values: dict[str, int] = {},  # the others
            **kwargs,  # rest
        ) -> int:
            pass
        """
    )
    assert _remove_params(text, "values", "kwargs") == text.replace(
        "    values: dict[str, int] = {},  # the others\n    **kwargs,  # rest\n",
        "    # the others\n    # rest\n",
    )
    assert _remove_params("def f(a,  # x\n      b):  # sig\n    pass\n", "b") == (
        "def f(a  # x\n      ):  # sig\n    pass\n"
    )


def test_adding_a_keyword_follows_the_layout_of_the_call() -> None:
    assert _add(VALIDATOR, "always", "True") == VALIDATOR.replace(
        "allow_reuse=True)", "allow_reuse=True,\n        always=True)"
    )
    assert _add(EACH_ITEM, "always", "True") == EACH_ITEM.replace(
        "# whole list\n", "# whole list\n        always=True,\n"
    )
    no_trailing = EACH_ITEM.replace("each_item=False,", "each_item=False")
    assert _add(no_trailing, "always", "True") == no_trailing.replace(
        "each_item=False  # whole list\n",
        "each_item=False,  # whole list\n        always=True\n",
    )
    assert _add("app = FastAPI()\n", "lifespan", "lifespan") == "app = FastAPI(lifespan=lifespan)\n"
    assert _add('app = FastAPI(title="Orders")\n', "lifespan", "lifespan") == (
        'app = FastAPI(title="Orders", lifespan=lifespan)\n'
    )
    assert _add('app = FastAPI(title="Orders",)\n', "lifespan", "lifespan") == (
        'app = FastAPI(title="Orders", lifespan=lifespan,)\n'
    )
    crlf = 'app = FastAPI(\r\n    title="Orders",\r\n)\r\n'
    assert _add(crlf, "lifespan", "lifespan") == (
        'app = FastAPI(\r\n    title="Orders",\r\n    lifespan=lifespan,\r\n)\r\n'
    )


@pytest.mark.parametrize(
    "text",
    [
        VALIDATOR,
        EACH_ITEM,
        EACH_ITEM.replace("each_item=False,", "each_item=False"),
        'app = FastAPI(title="Orders")\n',
        'app = FastAPI(title="Orders",)\n',
        "app = FastAPI(\n\ttitle='Orders',  # shown in /docs\n\tdebug=True)\n",
    ],
)
def test_removing_an_added_keyword_gives_the_original_back(text: str) -> None:
    added = _add(text, "lifespan", "lifespan")
    assert added != text
    assert _remove(added, "lifespan") == text


def test_renaming_a_keyword_and_replacing_its_value_are_separate_edits() -> None:
    text = 'code: str = Query(regex=r"^[A-Z]{3}$",  # ISO 4217\n)\n'
    module, spans = _parse(text)
    arg = _arg(_calls(module)[0], "regex")
    renamed = rename_keyword(arg, "pattern", spans)
    replaced = replace_argument_value(arg, '"^[A-Z]{3}$"', spans)
    assert _apply(text, [renamed]) == 'code: str = Query(pattern=r"^[A-Z]{3}$",  # ISO 4217\n)\n'
    assert _apply(text, [renamed, replaced]) == (
        'code: str = Query(pattern="^[A-Z]{3}$",  # ISO 4217\n)\n'
    )
    module, spans = _parse('code: str = Path("code")\n')
    with pytest.raises(ValueError):
        rename_keyword(_arg(_calls(module)[0], '"code"'), "pattern", spans)


# -- decorators --------------------------------------------------------------------------------

ROOT_VALIDATOR = _src(
    """
    class Order(BaseModel):
        # normalise the payload first
        @root_validator(pre=True)  # runs before field checks
        @classmethod
        def normalise(cls, values):
            return values
    """
)


def _decorator_edit(text: str, index: int = 0, replacement: Optional[str] = None) -> str:
    module, spans = _parse(text)
    decorator = _decorators(module)[index]
    if replacement is None:
        return _apply(text, [remove_decorator(decorator, spans, text)])
    return _apply(text, [replace_decorator(decorator, replacement, spans)])


def test_replacing_a_decorator_keeps_its_comments() -> None:
    assert _decorator_edit(ROOT_VALIDATOR, replacement='model_validator(mode="before")') == (
        ROOT_VALIDATOR.replace("@root_validator(pre=True)", '@model_validator(mode="before")')
    )


def test_removing_a_decorator_keeps_its_comment_as_a_line() -> None:
    assert _decorator_edit(ROOT_VALIDATOR) == ROOT_VALIDATOR.replace(
        "@root_validator(pre=True)  # runs before field checks",
        "# runs before field checks",
    )
    text = '@app.on_event(\r\n    "startup",  # before the first request\r\n)\r\n'
    text += "async def warm(): ...\r\n"
    assert _decorator_edit(text) == "# before the first request\r\nasync def warm(): ...\r\n"
    tabs = "class Jobs:\n\t@staticmethod  # no self\n\t@job\n\tdef run(): ...\n"
    assert _decorator_edit(tabs) == "class Jobs:\n\t# no self\n\t@job\n\tdef run(): ...\n"


def test_removing_a_decorator_drops_the_pragmas_that_only_applied_to_it() -> None:
    for comment in ("  # noqa", "  # noqa: FL401", "  # NOQA:FL401,E501", "  # type: ignore[misc]"):
        text = f'@app.on_event("startup"){comment}\nasync def warm(): ...\n'
        assert _decorator_edit(text) == "async def warm(): ...\n"
    text = '@app.on_event("startup")  # warm the caches  # noqa: FL401\nasync def warm(): ...\n'
    assert _decorator_edit(text) == "# warm the caches\nasync def warm(): ...\n"


def test_item3_a_pragma_goes_with_its_reason_and_other_comments_stay() -> None:
    for comment, kept in [
        ("# noqa: E501 -- a long URL", None),
        ("# type: ignore[misc]  # the first step", "# the first step"),
        ("# noqa: E501 -- see #12  # the first step", "# the first step"),
        ("# the first step  # noqa", "# the first step"),
        ("#1 first  # NOQA:FL401,E501", "#1 first"),
        ("# see the noqa docs", "# see the noqa docs"),
    ]:
        assert surviving_comment(comment) == kept, comment
        text = f'@app.on_event("startup")  {comment}\nasync def warm(): ...\n'
        assert _decorator_edit(text) == (f"{kept}\n" if kept else "") + "async def warm(): ...\n"


def test_removing_one_of_several_decorators() -> None:
    text = '@router.get("/orders")\n@cache(expire=60)\nasync def orders(): ...\n'
    assert _decorator_edit(text, 1) == '@router.get("/orders")\nasync def orders(): ...\n'
    assert _decorator_edit(text, 0) == "@cache(expire=60)\nasync def orders(): ...\n"
