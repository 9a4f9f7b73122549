"""Static values over the semantic model: each capability, in the checked file and across the
modules of a project."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable, Optional

import libcst as cst
import pytest

from fastlint.project.index import FileView, ProjectIndex
from fastlint.semantic import ir
from fastlint.semantic.from_cst import summarize_cst
from fastlint.semantic.model import FileModel, ModuleModel
from fastlint.semantic.summary import Binding
from fastlint.semantic.types import Types, binding_point
from fastlint.semantic.values import Value, Values

UNKNOWN = "<unknown>"


def data(value: Optional[Value]) -> object:
    """The plain data of a value: lists for sequences, UNKNOWN for what is not known."""
    if value is None:
        return UNKNOWN
    if isinstance(value.data, tuple):
        return [data(item) for item in value.data]
    if isinstance(value.data, dict):
        return {key: data(item) for key, item in value.data.items()}
    return value.data


class Project:
    """``app/main.py`` (the checked file, read by LibCST) in a project with ``files``."""

    def __init__(self, root: Path, main: str, files: Optional[dict[str, str]] = None) -> None:
        texts = {"pyproject.toml": "", "app/__init__.py": "", **(files or {}), "app/main.py": main}
        paths = []
        for relative, text in texts.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
            if relative.endswith(".py"):
                paths.append(str(path))
        self.index = ProjectIndex(str(root), paths)
        self.module = cst.parse_module((root / "app/main.py").read_text(encoding="utf-8"))
        summary = summarize_cst(self.module, "app.main", str(root / "app/main.py"), False)
        self.model = FileModel(summary)
        self.model.project = FileView(self.index, self.model)
        self.types = Types(self.model.project)
        self.model.types = self.types
        self.values = Values(self.types)

    def model_of(self, module: str) -> ModuleModel:
        if module == "app.main":
            return self.model
        found = self.index.module(module)
        assert found is not None, module
        return found

    def binding(self, name: str, module: str = "app.main") -> tuple[ModuleModel, Binding]:
        model = self.model_of(module)
        found = [b for b in model.summary.bindings if b.name == name and b.value is not None]
        assert found, name
        return model, found[-1]

    def value(self, name: str = "result", module: str = "app.main") -> Optional[Value]:
        """The value of the last assignment to ``name`` in ``module``."""
        model, binding = self.binding(name, module)
        assert binding.value is not None
        return self.values.value_of(model, binding.value, binding_point(binding))

    def symbol(self, name: str = "result") -> Optional[str]:
        model, binding = self.binding(name)
        assert binding.value is not None
        return self.values.symbol_of(model, binding.value, binding_point(binding))


Make = Callable[..., Project]


@pytest.fixture
def project(tmp_path: Path) -> Make:
    def make(main: str, files: Optional[dict[str, str]] = None) -> Project:
        return Project(tmp_path, main, files)

    return make


def value_of(project, code: str, files: Optional[dict[str, str]] = None) -> object:
    return data(project(code, files).value())


# -- literals, containers, operators -------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('"*"', "*"),
        ("b'x'", b"x"),
        ("-3", -3),
        ("None", None),
        ("...", UNKNOWN),
        ('["a", ("b",), {"c"}]', ["a", ["b"], ["c"]]),
        ('["a", *B, *UNKNOWN_LIST]', ["a", "b1", "b2", UNKNOWN]),
        ('{"k": 1, **D, "z": UNKNOWN_LIST}', {"k": 1, "d": 2, "z": UNKNOWN}),
        ("{**UNKNOWN_LIST}", UNKNOWN),
        ('"a" + "b"', "ab"),
        ('["a"] + ["b"]', ["a", "b"]),
        ('["a"] + UNKNOWN_LIST', ["a", UNKNOWN]),
        ('UNKNOWN_LIST + ["a"]', [UNKNOWN, "a"]),
        ('"a" * 3', UNKNOWN),  # only `+` is evaluated
        ('"" or "*"', "*"),
        ('"x" and "y"', "y"),
        ("0 and UNKNOWN_LIST", 0),
        ("UNKNOWN_LIST or 1", UNKNOWN),
        ("not []", True),
        ('"a" if B else "b"', "a"),
        ('"a" if UNKNOWN_LIST else "b"', UNKNOWN),
        ('"*" in ["a", "*"]', True),
        ('"*" not in ["a"]', True),
        ('"*" in ["a", UNKNOWN_LIST]', UNKNOWN),
        ('"*" in ["*", UNKNOWN_LIST]', True),
        ('"b" in "abc"', True),
        ("B == ['b1', 'b2']", True),
        ("1 != 2", True),
        ("None is None", True),
        ("D is not None", True),
        ("1 < 2", UNKNOWN),
        ('D["d"]', 2),
        ("B[1]", "b2"),
        ('"abc"[0]', "a"),
        ("B[5]", UNKNOWN),
        ('[UNKNOWN_LIST, "x"][1]', UNKNOWN),  # an unknown run may shift positions
        ("(x := 'w')", "w"),
    ],
)
def test_expressions(project: Make, expression: str, expected: object) -> None:
    code = f"""
        B = ["b1", "b2"]
        D = {{"d": 2}}
        UNKNOWN_LIST = load()
        result = {expression}
    """
    assert value_of(project, code) == expected


def test_unset_is_carried_through_operators(project: Make) -> None:
    src = project(
        """
        import os
        result = (os.getenv("A") or "*") + os.getenv("B", ",x")
        """
    )
    found = src.value()
    assert found is not None and found.data == "*,x"
    assert found.unset == ("`A` unset", "`B` unset")


# -- comprehensions, str methods, conversions ----------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('[o.strip() for o in " a , * ".split(",")]', ["a", "*"]),
        ('[o for o in "a,*".split(",") if o != "*"]', ["a"]),
        ("[o for o in ITEMS if o]", ["a"]),
        ("(o for o in ITEMS)", ["a", ""]),
        ("{o for o in ITEMS if UNKNOWN}", [UNKNOWN, UNKNOWN]),  # a test not known
        ("[o for o in UNKNOWN]", UNKNOWN),
        ("[o + x for o in ITEMS for x in ITEMS]", UNKNOWN),  # one `for` only
        ("[a for a, b in PAIRS]", UNKNOWN),  # a plain name only
        ("{o: 1 for o in ITEMS}", UNKNOWN),
        ("[ITEMS for ITEMS in ITEMS]", ["a", ""]),  # the iterable is read around it
        ('"A,B".lower().split(",")', ["a", "b"]),
        ('" x ".strip()', "x"),
        ('"a-b".replace("-", "+")', "a+b"),
        ('"a".removeprefix("a")', ""),
        ('"a".format(1)', UNKNOWN),
        ('"a".split(UNKNOWN)', UNKNOWN),
        ('list("ab")', ["a", "b"]),
        ('tuple({"k": 1})', ["k"]),
        ("set(ITEMS)", ["a", ""]),
        ("dict(D, e=3)", {"d": 2, "e": 3}),
        ("dict(**D)", {"d": 2}),
        ("dict(UNKNOWN)", UNKNOWN),
        ("bool(ITEMS)", True),
        ('bool("")', False),
        ('str("x")', "x"),
        ('json.loads(\'["*", {"k": null}]\')', ["*", {"k": None}]),
        ('json.loads("[")', UNKNOWN),
    ],
)
def test_comprehensions_methods_and_conversions(
    project: Make, expression: str, expected: object
) -> None:
    code = f"""
        import json
        ITEMS = ["a", ""]
        PAIRS = [("a", 1)]
        D = {{"d": 2}}
        UNKNOWN = load()
        result = {expression}
    """
    assert value_of(project, code) == expected


def test_sizes_are_bounded(project: Make) -> None:
    huge = '"' + "a" * 500 + '".replace("", "' + "b" * 500 + '")'
    assert value_of(project, f"result = {huge}") == UNKNOWN
    many = "[" + ", ".join(["1"] * 1001) + "]"
    assert value_of(project, f"result = {many}") == UNKNOWN
    chain = "\n".join(f"N{i + 1} = N{i}" for i in range(60))
    assert value_of(project, f"N0 = 1\n{chain}\nresult = N60") == UNKNOWN
    assert value_of(project, f"N0 = 1\n{chain}\nresult = N20") == 1


# -- names -----------------------------------------------------------------------------------------


def test_names_in_functions_and_at_module_level(project: Make) -> None:
    src = project(
        """
        ORIGINS = ["*"]
        LATER = ["early"]

        def create_app(param="x"):
            local = ORIGINS + ["a"]
            result = local
            shadow = param
            late = LATER
            return result

        LATER = ["late"]
        """
    )
    assert data(src.value()) == ["*", "a"]
    assert data(src.value("shadow")) == UNKNOWN  # a parameter is not its default
    assert data(src.value("late")) == ["late"]  # a function sees the module as it ends


def test_the_bindings_that_reach_decide(project: Make) -> None:
    src = project(
        """
        A = ["old"]
        A = ["new"]
        first = A
        if flag:
            B = ["x"]
        else:
            B = ["x"]
        agreed = B
        C = ["y"]
        if flag:
            C = ["x"]
        disagreed = C
        for D in [["loop"]]:
            looped = D
        class K:
            ATTR = "class"
            def method(self):
                inside = ATTR
        ATTR = "module"
        """
    )
    assert data(src.value("first")) == ["new"]
    assert data(src.value("agreed")) == ["x"]
    assert data(src.value("disagreed")) == UNKNOWN
    assert data(src.value("looped")) == UNKNOWN
    assert data(src.value("inside")) == "module"  # a class body does not enclose its methods


def test_class_attributes_and_aliases(project: Make) -> None:
    src = project(
        """
        class Base:
            INHERITED = ["base"]

        class Config(Base):
            ORIGINS = ["*"]

        Alias = Config
        result = Config.ORIGINS
        inherited = Alias.INHERITED
        """
    )
    assert data(src.value()) == ["*"]
    assert data(src.value("inherited")) == ["base"]


# -- other modules ---------------------------------------------------------------------------------

CONFIG = {
    "app/defaults.py": 'import os\nRAW = os.getenv("ALLOWED", "*")\nSTAR = ["*"]\n',
    "app/config.py": (
        "from app.defaults import RAW\nfrom .defaults import *\nORIGINS = RAW.split(',')\n"
    ),
    "app/settings.py": "from app.config import ORIGINS\n",
}


@pytest.mark.parametrize(
    "code",
    [
        "from app.settings import ORIGINS\nresult = ORIGINS",
        "from app import config\nresult = config.ORIGINS",
        "import app.config\nresult = app.config.ORIGINS",
        "from app.config import *\nresult = ORIGINS",
        "from .settings import ORIGINS as O\nresult = O",
        "def f():\n    from app.config import ORIGINS\n    result = ORIGINS",
    ],
)
def test_a_value_imported_from_another_module(project: Make, code: str) -> None:
    found = project(code, CONFIG).value()
    assert data(found) == ["*"]
    assert found is not None and found.unset == ("`ALLOWED` unset",)


def test_values_of_another_module_read_through_its_own_model(project: Make) -> None:
    src = project("x = 1\n", CONFIG)
    assert data(src.value("ORIGINS", module="app.config")) == ["*"]
    assert data(src.value("RAW", module="app.defaults")) == "*"
    # ``STAR`` reaches app.config through ``import *`` only.
    model = src.model_of("app.config")
    point = model.end_of(model.module_scope)
    assert data(src.values.value_of(model, ir.Name("STAR"), point)) == ["*"]


def test_symbols_through_aliases(project: Make) -> None:
    files = {
        "app/compat.py": (
            "from starlette.middleware.cors import CORSMiddleware\nCors = CORSMiddleware\n"
        )
    }
    src = project(
        """
        from app.compat import Cors
        Local = Cors
        result = Local

        def install(Local):
            shadowed = Local
        """,
        files,
    )
    assert src.symbol() == "starlette.middleware.cors.CORSMiddleware"
    assert src.symbol("shadowed") is None
    assert src.value() is None  # a class is not data


# -- configuration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected", "unset"),
    [
        ('os.getenv("X", "*")', "*", ("`X` unset",)),
        ('os.getenv("X")', None, ("`X` unset",)),
        ('os.environ.get("X", "a,b").split(",")', ["a", "b"], ("`X` unset",)),
        ('os.environ.setdefault("X", "d")', "d", ("`X` unset",)),
        ('environ.get(KEY, "d")', "d", ("`NAME` unset",)),
        ("os.getenv(UNKNOWN, 'd')", "d", ("the environment variable unset",)),
        ('os.getenv("X", UNKNOWN)', UNKNOWN, ()),
        ('os.environ["X"]', UNKNOWN, ()),
        ('config("A", cast=CommaSeparatedStrings, default="a, *")', ["a", "*"], ("`P_A` unset",)),
        ('config("A", cast=bool, default="true")', True, ("`P_A` unset",)),
        ('config("A", cast=bool, default="maybe")', UNKNOWN, ()),
        ('config("A", default=None)', None, ("`P_A` unset",)),
        ('config.get("A", default="x")', "x", ("`P_A` unset",)),
        ('config("A")', UNKNOWN, ()),
        ('decouple_config("A", default="a,*", cast=Csv())', ["a", "*"], ("`A` unset",)),
        ('decouple_config("A", default="on", cast=bool)', True, ("`A` unset",)),
        ('decouple_config("A", cast=bool)', UNKNOWN, ()),
    ],
)
def test_configuration_defaults(
    project: Make, expression: str, expected: object, unset: tuple[str, ...]
) -> None:
    code = f"""
        import os
        from os import environ
        from starlette.config import Config
        from starlette.datastructures import CommaSeparatedStrings
        from decouple import config as decouple_config, Csv

        KEY = "NAME"
        UNKNOWN = load()
        config = Config(".env", env_prefix="P_")
        result = {expression}
    """
    found = project(code).value()
    assert data(found) == expected
    if found is not None:
        assert found.unset == unset


SETTINGS = """
    from dataclasses import dataclass
    from functools import lru_cache

    from pydantic import BaseModel, Field
    from pydantic_settings import BaseSettings


    def default_origins() -> list[str]:
        return ["factory"]


    class Base(BaseSettings):
        inherited: list[str] = ["base"]
        overridden: list[str] = ["base"]


    class Settings(Base):
        origins: list[str] = ["*"]
        text: str = "a,*"
        with_field: list[str] = Field(default=["field"], description="d")
        with_lambda: list[str] = Field(default_factory=lambda: ["lambda"])
        with_factory: list[str] = Field(default_factory=default_origins)
        required: list[str]
        overridden: list[str]

        @property
        def parsed(self) -> list[str]:
            return [part.strip() for part in self.text.split(",")]

        @property
        def cached(self) -> list[str]:
            if self.text:
                return ["a"]
            return ["b"]

        def method(self) -> list[str]:
            return ["m"]


    settings = Settings()


    @lru_cache
    def get_settings() -> Settings:
        return Settings()


    def maybe_settings():
        if flag:
            return
        return Settings()


    class Model(BaseModel):
        origins: list[str] = ["model"]


    @dataclass
    class Data:
        origins: tuple[str, ...] = ("data",)


    class Plain:
        origins = ["plain"]

        def __init__(self) -> None:
            self.origins = ["instance"]
"""


@pytest.mark.parametrize(
    ("expression", "expected", "field"),
    [
        ("settings.origins", ["*"], "origins"),
        ("get_settings().origins", ["*"], "origins"),
        ("Settings().text.split(',')", ["a", "*"], "text"),
        ("settings.with_field", ["field"], "with_field"),
        ("settings.with_lambda", ["lambda"], "with_lambda"),
        ("settings.with_factory", ["factory"], "with_factory"),
        ("settings.inherited", ["base"], "inherited"),
        ("settings.parsed", ["a", "*"], "text"),  # a property over a field
        ('Settings(origins=["given"]).origins', ["given"], None),
        ("Model().origins", ["model"], None),
        ("Data().origins", ["data"], None),
    ],
)
def test_a_settings_field_defined_in_another_module(
    project: Make, expression: str, expected: object, field: Optional[str]
) -> None:
    code = f"""
        from app.config import Data, Model, Settings, get_settings, settings
        result = {expression}
    """
    found = project(code, {"app/config.py": SETTINGS}).value()
    assert data(found) == expected
    assert found is not None
    assert found.unset == ((f"`Settings.{field}` unset",) if field else ())


@pytest.mark.parametrize(
    "expression",
    [
        "settings.required",
        "settings.overridden",  # declared again without a default: required there
        "settings.unknown",
        "settings.cached",  # a property with two returns
        "settings.method",
        "Settings(**load()).origins",
        "maybe_settings().origins",  # may return None
        "Plain().origins",  # __init__ may set it
    ],
)
def test_fields_without_a_static_default(project: Make, expression: str) -> None:
    code = f"""
        from app.config import Plain, Settings, maybe_settings, settings
        result = {expression}
    """
    assert project(code, {"app/config.py": SETTINGS}).value() is None


def test_settings_in_the_checked_file_and_a_function(project: Make) -> None:
    src = project(
        """
        from pydantic_settings import BaseSettings

        def create_app():
            class Settings(BaseSettings):
                origins: list[str] = ["*"]

            settings = Settings()
            result = settings.origins
        """
    )
    found = src.value()
    assert data(found) == ["*"] and found is not None
    assert found.unset == ("`Settings.origins` unset",)


def test_plain_functions(project: Make) -> None:
    src = project(
        """
        import functools

        def plain():
            value = ["*"]
            return value

        def branchy(flag):
            if flag:
                return ["a"]
            return ["b"]

        def falls_through(flag):
            if flag:
                return ["a"]

        def bare(flag):
            if flag:
                return
            return ["a"]

        async def coroutine():
            return ["a"]

        def generator():
            yield ["a"]
            return ["a"]

        def wrap(f):
            return f

        @wrap
        def wrapped():
            return ["a"]

        @functools.lru_cache(maxsize=None)
        def cached():
            return ["c"]

        results = [
            plain(), branchy(1), falls_through(1), bare(1), coroutine(), generator(), wrapped(),
            cached(),
        ]
        """
    )
    unknown = [UNKNOWN] * 6
    assert data(src.value("results")) == [["*"], *unknown, ["c"]]


# -- call arguments --------------------------------------------------------------------------------

PARAMETERS = ("first", "second", "third")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("CLS, 1, 2", {"first": (1, 1), "second": (2, 2)}),
        ("CLS, 1, third=3, unrelated=4", {"first": (1, 1), "third": (2, 3)}),
        ("CLS, **KNOWN", {"first": (1, "k")}),
        ("CLS, second=2, **KNOWN_ALL", {"first": (2, "k"), "second": (1, 2), "third": (2, "t")}),
        ("CLS, **UNKNOWN", {"first": (1, UNKNOWN), "second": (1, UNKNOWN), "third": (1, UNKNOWN)}),
        ("CLS, *SEQUENCE", {"first": (1, "s1"), "second": (1, "s2")}),
        ("CLS, 1, *UNKNOWN", {"first": (1, 1), "second": (2, UNKNOWN), "third": (2, UNKNOWN)}),
        ("CLS", {}),
    ],
)
def test_bind_arguments(
    project: Make, arguments: str, expected: dict[str, tuple[int, object]]
) -> None:
    src = project(
        f"""
        KNOWN = {{"first": "k"}}
        KNOWN_ALL = {{"first": "k", "third": "t"}}
        SEQUENCE = ["s1", "s2"]
        UNKNOWN = load()
        result = call({arguments})
        """
    )
    model, binding = src.binding("result")
    assert isinstance(binding.value, ir.Call)
    bound = src.values.bind_arguments(
        model, binding.value, binding_point(binding), PARAMETERS, skip=1
    )
    assert {name: (a.index, data(a.value)) for name, a in bound.given.items()} == expected
    # The same from the call node of the checked file.
    call = next(n for n in src.model.cst.calls if src.module.code_for_node(n.func) == "call")
    by_node = src.values.bind_call(src.model, call, PARAMETERS, skip=1)
    assert {n: (a.index, data(a.value)) for n, a in by_node.given.items()} == expected


def test_value_at_a_node_of_the_checked_file(project: Make) -> None:
    src = project(
        """
        import os
        origins = os.getenv("CORS", "*")

        def f(origins):
            use(origins)

        use(origins)
        """
    )
    uses = [node for node in src.model.cst.calls if src.module.code_for_node(node.func) == "use"]
    inner, outer = (call.args[0].value for call in uses)
    assert src.values.value_at(src.model, inner) is None  # the parameter
    found = src.values.value_at(src.model, outer)
    assert found is not None and found.data == "*" and found.unset == ("`CORS` unset",)
    getenv = next(node for node in src.model.cst.calls if node not in uses)
    assert src.values.symbol_at(src.model, getenv.func) == "os.getenv"
