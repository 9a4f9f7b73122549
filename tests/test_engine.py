"""The engine, the fixer and the source layer, with small rules defined here."""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import libcst as cst
import pytest

from fastlint.config import Settings
from fastlint.diagnostics import Applicability, Edit, Fix
from fastlint.engine import applicable_rules, lint_text
from fastlint.fastapi.facts import Role
from fastlint.fixer import apply_edits, fix_text, select_fixes
from fastlint.imports import resolve_relative
from fastlint.nodes import is_name
from fastlint.project.index import ProjectIndex
from fastlint.rule import FileContext, Rule, decorator_text
from fastlint.semantic.types import Definition, Types
from fastlint.source import LineIndex, SourceError, SourceFile, atomic_write
from fastlint.testing import run_rule


class RenameFoo(Rule):
    """Renames calls of ``foo`` to ``bar``, importing ``bar`` from ``lib``."""

    code = "FL991"
    name = "rename-foo"
    message = "foo is deprecated"
    requires_any = ("foo",)

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.qualname(node.func) == "lib.foo":
            fix = self.fix(Applicability.SAFE, "Use bar")
            fix.replace(node.func, "bar").add_import("lib", "bar").remove_if_unused("foo")
            self.report(node, fix=fix)


class ModelValidator(Rule):
    """Renames ``@root_validator`` to ``@model_validator`` (only the name), importing the new
    name and dropping the old one once unused: a rewrite of the import list."""

    code = "FL994"
    name = "model-validator"
    message = "root_validator is deprecated"
    requires_any = ("root_validator",)

    def visit_Decorator(self, node: cst.Decorator) -> None:
        if self.context.qualname(node.decorator) == "pydantic.root_validator":
            fix = self.fix(Applicability.SAFE, "Use model_validator")
            fix.replace(node.decorator, "model_validator")
            fix.add_import("pydantic", "model_validator").remove_if_unused("root_validator")
            self.report(node, fix=fix)


class BreakSyntax(Rule):
    """A rule whose fix does not parse."""

    code = "FL992"
    name = "break-syntax"
    message = "x"
    requires_any = ("x",)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "x":
            self.report(node, fix=self.fix(Applicability.SAFE, "break").replace(node, "x ="))


class AwaitInSyncDef(Rule):
    """A rule whose "safe" fix awaits a call in a plain ``def``: LibCST parses the result,
    CPython refuses to compile it."""

    code = "FL993"
    name = "await-in-sync-def"
    message = "fetch() is not awaited"
    requires_any = ("fetch",)

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.awaited: set[int] = set()

    def visit_Await(self, node: cst.Await) -> None:
        self.awaited.add(id(node.expression))

    def visit_Call(self, node: cst.Call) -> None:
        if is_name(node.func, "fetch") and id(node) not in self.awaited:
            fix = self.fix(Applicability.SAFE, "Await it").insert_before(node, "await ")
            self.report(node, fix=fix)


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_fix_rewrites_all_calls_and_imports_in_one_run() -> None:
    source = _code(
        """
        from lib import foo

        a = foo(1)
        b = foo(2)
        """
    )
    result = run_rule(RenameFoo, source, fix=True)
    assert result.fixed_text == _code(
        """
        from lib import bar

        a = bar(1)
        b = bar(2)
        """
    )
    assert result.diagnostics == []


def test_fix_keeps_import_still_in_use() -> None:
    source = "from lib import foo\n\na = foo(1)\nb = foo\n"
    result = run_rule(RenameFoo, source, fix=True)
    assert result.fixed_text == "from lib import bar, foo\n\na = bar(1)\nb = foo\n"


def test_import_added_below_docstring_and_imports() -> None:
    source = '"""Doc."""\nimport os\nimport lib\n\na = lib.foo(1)\n'
    result = run_rule(RenameFoo, source, fix=True)
    assert result.fixed_text == (
        '"""Doc."""\nimport os\nimport lib\nfrom lib import bar\n\na = bar(1)\n'
    )


_MODEL = (
    "\n\nclass M(BaseModel):\n    @root_validator\n    def check(cls, values):\n"
    "        return values\n"
)


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        (
            "from pydantic import (\n    BaseModel,  # base\n    root_validator,  # legacy\n)\n",
            "from pydantic import (\n    BaseModel,  # base\n    model_validator,\n"
            "    # legacy\n)\n",
        ),
        (
            "from pydantic import (\n    BaseModel,  # base\n    Field,  # fields\n"
            "    root_validator,  # legacy\n    validator,  # fields too\n)\n",
            "from pydantic import (\n    BaseModel,  # base\n    Field,  # fields\n"
            "    model_validator,\n    # legacy\n    validator,  # fields too\n)\n",
        ),
        (
            "from pydantic import (\n    root_validator,  # legacy\n    BaseModel  # base\n)\n",
            "from pydantic import (\n    # legacy\n    BaseModel,  # base\n"
            "    model_validator\n)\n",
        ),
        (
            "from pydantic import (BaseModel,  # base\n    root_validator,  # legacy\n    Field)\n",
            "from pydantic import (BaseModel,  # base\n    # legacy\n    Field, model_validator)\n",
        ),
        (
            "from pydantic import BaseModel, root_validator  # legacy\n",
            "from pydantic import BaseModel, model_validator  # legacy\n",
        ),
        (
            "from pydantic import root_validator  # legacy\nfrom pydantic import BaseModel\n",
            "from pydantic import model_validator  # legacy\nfrom pydantic import BaseModel\n",
        ),
        (
            "from pydantic import root_validator, BaseModel  # legacy\n",
            "from pydantic import BaseModel, model_validator  # legacy\n",
        ),
    ],
)
def test_item2_an_import_rewrite_keeps_each_names_comment(imports: str, expected: str) -> None:
    result = run_rule(ModelValidator, imports + _MODEL, fix=True)
    assert result.fixed_text == expected + _MODEL.replace("root_validator", "model_validator")
    assert result.diagnostics == []


def test_item2_removing_an_import_line_keeps_its_comment_and_the_blank_lines_around() -> None:
    code = "from pydantic import root_validator  # legacy\nfrom pydantic import BaseModel\n"
    code += "from pydantic import model_validator\n" + _MODEL
    fixed = run_rule(ModelValidator, code, fix=True).fixed_text
    assert fixed.startswith("# legacy\nfrom pydantic import BaseModel\n"), fixed
    code = (
        "from pydantic import root_validator\n\nfrom pydantic import BaseModel, model_validator\n"
    )
    fixed = run_rule(ModelValidator, code + _MODEL, fix=True).fixed_text
    assert fixed.startswith("from pydantic import BaseModel, model_validator\n\n\nclass M"), fixed
    code = "import os; from pydantic import root_validator  # legacy\n"
    code += "from pydantic import BaseModel, model_validator\n"
    fixed = run_rule(ModelValidator, code + _MODEL, fix=True).fixed_text
    assert fixed.startswith("import os  # legacy\nfrom pydantic import BaseModel, model_"), fixed


def test_fix_that_breaks_syntax_is_reverted() -> None:
    outcome = fix_text(
        "x = 1\n",
        lambda text: lint_text("m.py", text, [BreakSyntax], Settings()),
        unsafe=False,
    )
    assert outcome.text == "x = 1\n"
    assert outcome.error is not None and "FL992" in outcome.error
    assert [d.code for d in outcome.remaining] == ["FL992"]


@pytest.mark.parametrize(
    "source", ["def handler():\n    return fetch()\n", "handler = lambda: (\n    fetch())\n"]
)
def test_item7_fix_that_python_does_not_compile_is_reverted_and_reported(source: str) -> None:
    assert cst.parse_module(source.replace("fetch()", "await fetch()"))  # LibCST accepts it
    outcome = fix_text(
        source,
        lambda text: lint_text("m.py", text, [AwaitInSyncDef], Settings()),
        unsafe=False,
        path="m.py",
    )
    assert outcome.text == source
    assert outcome.fixed == []
    assert [d.code for d in outcome.remaining] == ["FL993"]
    assert outcome.error is not None
    assert "FL993" in outcome.error and "does not compile" in outcome.error
    assert "'await' outside" in outcome.error and "line 2" in outcome.error


def test_item7_code_python_does_not_compile_is_never_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    register_rules: Callable[..., None],
) -> None:
    from fastlint import cli

    register_rules(AwaitInSyncDef)
    (tmp_path / "pyproject.toml").write_text("[tool.fastlint]\n", encoding="utf-8")
    target = tmp_path / "jobs.py"
    source = b"def handler():\n    return fetch()\n\nlam = lambda: fetch()\n"
    target.write_bytes(source)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["check", "--select", "FL993", "--fix", "--output-format", "concise", "."])
    captured = capsys.readouterr()
    assert exit_info.value.code == 1
    assert target.read_bytes() == source
    assert "jobs.py: fix by FL993 produced code that Python does not compile" in captured.err
    assert captured.out.count("FL993") == 2  # both findings are still reported


def test_item7_a_file_python_did_not_compile_before_is_judged_by_libcst_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Newer syntax than the interpreter knows (the project needs a newer Python, so the engine
    # hands the file to LibCST although CPython rejects it): the fixer cannot tell what the fix
    # broke, so CPython's verdict does not count (LibCST's still does).
    monkeypatch.setattr("fastlint.engine.cpython_judges", lambda root: False)
    source = "async def ok():\n    pass\n\ndef handler():\n    await other()\n    return fetch()\n"
    outcome = fix_text(
        source,
        lambda text: lint_text("m.py", text, [AwaitInSyncDef], Settings()),
        unsafe=False,
    )
    assert outcome.error is None
    assert "return await fetch()" in outcome.text


def test_overlapping_fixes_wait_for_the_next_round() -> None:
    a = Fix(Applicability.SAFE, "a", (Edit(0, 5, "A"),))
    b = Fix(Applicability.SAFE, "b", (Edit(3, 8, "B"),))
    c = Fix(Applicability.SAFE, "c", (Edit(8, 9, "C"), Edit(0, 5, "A")))
    assert select_fixes([b, a, c]) == [a, c]
    assert apply_edits("0123456789", [a, c]) == "A567C9"


def test_insertions_at_one_point_conflict() -> None:
    a = Fix(Applicability.SAFE, "a", (Edit(2, 2, "x"),))
    b = Fix(Applicability.SAFE, "b", (Edit(2, 2, "y"),))
    assert select_fixes([a, b]) == [a]


def test_syntax_error_diagnostic_has_parser_line() -> None:
    result = lint_text("m.py", "import fastapi\n\ndef f(:\n    pass\n", [RenameFoo], Settings())
    assert result.diagnostics == [] or result.diagnostics[0].code == "FL001"
    broken = lint_text("m.py", "import foo\n\ndef f(:\n    pass\n", [RenameFoo], Settings())
    assert not broken.parsed
    (diagnostic,) = broken.diagnostics
    assert diagnostic.code == "FL001"
    assert diagnostic.start.row == 3
    assert diagnostic.message.startswith("SyntaxError:")


def test_prefilter_skips_files_without_required_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parse(*args: object, **kwargs: object) -> cst.Module:
        raise AssertionError("parsed with LibCST")

    monkeypatch.setattr(cst, "parse_module", no_parse)
    result = lint_text("m.py", "def f():\n    pass\n", [RenameFoo], Settings())
    assert result.diagnostics == []  # not parsed with LibCST
    # CPython still judges every file (FL001 needs no trigger word)
    broken = lint_text("m.py", "def f(:\n", [RenameFoo], Settings())
    assert [d.code for d in broken.diagnostics] == ["FL001"]


class RenameFooInCalls(RenameFoo):
    """RenameFoo, for files where ``foo`` is called (its ``requires_match``)."""

    code = "FL990"
    name = "rename-foo-in-calls"
    requires_match = r"\bfoo\s*\("


def test_requires_match_skips_files_the_pattern_misses(monkeypatch: pytest.MonkeyPatch) -> None:
    called = "from lib import foo\n\na = foo (1)\n"
    assert [
        d.code for d in lint_text("m.py", called, [RenameFooInCalls], Settings()).diagnostics
    ] == ["FL990"]

    def no_parse(*args: object, **kwargs: object) -> cst.Module:
        raise AssertionError("parsed with LibCST")

    monkeypatch.setattr(cst, "parse_module", no_parse)
    mentioned = "from lib import foo\n\nhandler = foo\n"  # the token is there, no call
    assert lint_text("m.py", mentioned, [RenameFooInCalls], Settings()).diagnostics == []
    assert applicable_rules(mentioned, [RenameFoo, RenameFooInCalls]) == [RenameFoo]
    assert applicable_rules(called, [RenameFoo, RenameFooInCalls]) == [RenameFoo, RenameFooInCalls]


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ('@router.get("/")\n', True),
        ('    @app.post ("/")\n', True),
        ('@routers["v1"].get("/")\n', True),
        ('@get_router().get("/")\n', True),
        ('@ router . get (\n    "/"\n)\n', True),
        ('@router.\\\n    get("/")\n', True),
        ("value = options.get('x')\n", False),  # a call, not a decorator
        ("@property\ndef f(self):\n    return self.d.get('x')\n", False),
        ('@router.getter("/")\n', False),
    ],
)
def test_decorator_text(text: str, matches: bool) -> None:
    assert bool(re.search(decorator_text({"get", "post"}), text)) is matches


def test_line_index_round_trip_with_mixed_newlines() -> None:
    text = "a\r\nbb\rccc\nd"
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        location = index.location(offset)
        assert index.offset(location.row, location.column - 1) == offset
    assert index.location(text.index("ccc")).row == 3


def test_source_detects_bom_and_cookie(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"\xef\xbb\xbfx = 1\n")
    source = SourceFile.read(str(path))
    assert source.text == "x = 1\n"
    assert source.encode(source.text).startswith(b"\xef\xbb\xbf")
    path.write_bytes(b"# coding: latin-1\nx = '\xe9'\n")
    source = SourceFile.read(str(path))
    assert source.encoding == "iso-8859-1" and "\xe9" in source.text
    path.write_bytes(b"# coding: nonsense-codec\nx = 1\n")
    with pytest.raises(SourceError):
        SourceFile.read(str(path))
    with pytest.raises(SourceError, match="is a directory"):
        SourceFile.read(str(tmp_path))


def test_atomic_write_keeps_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("old")
    path.chmod(0o640)
    atomic_write(str(path), b"new")
    assert path.read_bytes() == b"new"
    assert (path.stat().st_mode & 0o777) == 0o640
    assert os.listdir(tmp_path) == ["a.py"]


def test_relative_imports() -> None:
    assert resolve_relative("app.routers", 1, "deps", True) == "app.routers.deps"
    assert resolve_relative("app.routers.users", 2, "deps", False) == "app.deps"
    assert resolve_relative("app", 3, "x", False) is None


def test_index_follows_reexports_across_modules(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n",
        "app/deps.py": "from .db import SessionLocal\nfrom fastapi import Depends\n"
        "def get_db():\n    db = SessionLocal()\n    yield db\n",
        "app/routes.py": "from fastapi import Depends\nfrom .deps import get_db\n"
        "def r(db=Depends(get_db)): ...\n",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    index = ProjectIndex(str(tmp_path), [str(tmp_path / n) for n in files])
    assert index.module_name_for(str(tmp_path / "app/deps.py"))[0] == "app.deps"
    assert index.canonical("app.deps.SessionLocal") == "app.db.SessionLocal"
    assert index.canonical("app.routes.get_db") == "app.deps.get_db"
    facts = index.facts
    assert facts.roles.get("app.deps.get_db") == {Role.DEPENDENCY}
    assert "app.db.SessionLocal" not in facts.roles
    deps = index.module("app.deps")
    assert deps is not None
    get_db = deps.scopes_named("get_db")
    assert get_db is not None and get_db.is_generator and not get_db.is_async
    value = Types(index).function_value(Definition(deps, get_db), handed_out=True)
    assert value is not None and value.name == "sqlalchemy.orm.Session"
