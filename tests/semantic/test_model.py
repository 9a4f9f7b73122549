"""The semantic model: scopes, the bindings in force at a point, qualified names, guards."""

from __future__ import annotations

import textwrap
from typing import Optional

import libcst as cst
import pytest

from fastlint.semantic.from_ast import summarize_source
from fastlint.semantic.from_cst import summarize_cst
from fastlint.semantic.model import FileModel, ModuleModel


class Source:
    """A module's model, with its nodes found by spelling for the test to ask about."""

    def __init__(self, code: str, name: str = "app.main") -> None:
        self.text = textwrap.dedent(code).lstrip("\n")
        self.module = cst.parse_module(self.text)
        self.model = FileModel(summarize_cst(self.module, name, "app/main.py", False))

    def names(self, value: str) -> list[cst.Name]:
        return [node for node, _ in self.model.cst.loads if node.value == value]

    def resolve(self, value: str, occurrence: int = 0) -> Optional[str]:
        """The qualified name of the ``occurrence``-th read of the name ``value``."""
        return self.model.resolve(self.names(value)[occurrence])

    def calls(self, dotted: str) -> list[cst.Call]:
        found = []
        for node in self.model.cst.calls:
            if self.module.code_for_node(node.func) == dotted:
                found.append(node)
        return found


def test_imports_and_aliases_resolve() -> None:
    src = Source(
        """
        import fastapi as fa
        from fastapi import Depends as D
        import os.path
        fa.FastAPI(); D(); os.path.join()
        """
    )
    assert src.model.resolve(src.calls("fa.FastAPI")[0].func) == "fastapi.FastAPI"
    assert src.model.resolve(src.calls("D")[0].func) == "fastapi.Depends"
    assert src.model.resolve(src.calls("os.path.join")[0].func) == "os.path.join"


def test_a_local_definition_shadows_an_import() -> None:
    """Defect 1: a local ``def validator`` shadows pydantic's inside its function only."""
    src = Source(
        """
        from pydantic import validator

        def make():
            def validator(*fields):
                return lambda f: f
            return validator("q")

        validator("x")
        """
    )
    assert src.resolve("validator", 0) == "app.main.make.<locals>.validator"
    assert src.resolve("validator", 1) == "pydantic.validator"


def test_bindings_in_force_follow_branches() -> None:
    src = Source(
        """
        from a import thing
        print(thing)
        if flag:
            from b import thing
            print(thing)
        else:
            print(thing)
        print(thing)
        """
    )
    assert src.resolve("thing", 0) == "a.thing"
    assert src.resolve("thing", 1) == "b.thing"
    assert src.resolve("thing", 2) == "a.thing"  # the if arm never runs with the else arm
    # After the if: either import may be in force; both are imports, the last one wins.
    assert src.resolve("thing", 3) == "b.thing"


def test_two_meanings_are_no_meaning() -> None:
    src = Source(
        """
        from fastapi import Depends
        if flag:
            Depends = None
        Depends(x)
        """
    )
    assert src.resolve("Depends") is None


def test_functions_see_the_module_as_it_ends() -> None:
    src = Source(
        """
        def handler():
            return session.execute()

        from sqlalchemy.orm import Session as session
        """
    )
    assert src.resolve("session") == "sqlalchemy.orm.Session"


def test_a_method_sees_the_module_as_it_ends() -> None:
    """A method runs later than its class body: the module around the class is seen at its
    end, while the class body itself sees the module where the class stands."""
    src = Source(
        """
        class Repo:
            early = Session

            def get(self):
                return Session()

        from sqlalchemy.orm import Session
        """
    )
    assert src.resolve("Session", 0) is None  # read by the class body, before the import
    assert src.resolve("Session", 1) == "sqlalchemy.orm.Session"


def test_class_bodies_do_not_enclose_methods() -> None:
    src = Source(
        """
        from pydantic import validator

        class Model:
            validator = 1

            def check(self):
                return validator

        x = Model.validator
        """
    )
    assert src.resolve("validator") == "pydantic.validator"


def test_global_and_nonlocal() -> None:
    src = Source(
        """
        from x import app

        def reset():
            global app
            app = None

        def outer():
            value = 1
            def inner():
                nonlocal value
                value = 2
            return value
        """
    )
    model = src.model
    assert [b.scope for b in model.summary.bindings if b.name == "app"] == [0, 0]
    assert any(b.deferred for b in model.summary.bindings if b.name == "app")
    values = [b for b in model.summary.bindings if b.name == "value"]
    assert len({b.scope for b in values}) == 1


@pytest.mark.parametrize(
    "later",
    [
        "del _init",
        "for _init in items:\n    pass",
        "with open(p) as _init:\n    pass",
        "(_init := None)",
        "def reset():\n    global _init\n    _init = None",
        "try:\n    pass\nexcept ValueError as _init:\n    pass",
        "_init = None",
        "import os as _init",
        "class _init:\n    pass",
        "match x:\n    case [_init]:\n        pass",
    ],
)
def test_rebinding_after_a_point_in_every_form(later: str) -> None:
    """Defect 4: every way of binding or deleting a name later in the module counts."""
    src = Source(f"async def _init():\n    pass\n\napp.start(_init)\n{later}\n")
    use = src.names("_init")[0]
    assert src.model.rebound_after("_init", use)


def test_no_rebinding_is_no_rebinding() -> None:
    src = Source("async def _init():\n    pass\n\napp.start(_init)\nother = _init\n")
    assert not src.model.rebound_after("_init", src.names("_init")[0])


def test_version_guards() -> None:
    src = Source(
        """
        import pydantic
        if PYDANTIC_V2:
            a()
        elif sys.version_info >= (3, 10):
            b()
        else:
            c()
        if hasattr(pydantic, "field_validator"):
            d()
        try:
            from pydantic import field_validator
        except ImportError:
            e()
        if debug:
            f()
        """
    )
    for name in "abcde":
        assert src.model.is_guarded(src.calls(name)[0]), name
    assert not src.model.is_guarded(src.calls("f")[0])
    assert src.model.guarded_names() == {"field_validator"}


def test_the_ast_model_agrees_on_qualified_names() -> None:
    code = textwrap.dedent(
        """
        from fastapi import APIRouter, Depends
        from .deps import get_db
        router = APIRouter()

        @router.get("/")
        async def index(db=Depends(get_db)):
            def Depends():
                pass
            return Depends()
        """
    )
    summary = summarize_source(code, "app.routes", "app/routes.py", False)
    assert summary is not None
    model = ModuleModel(summary)
    from fastlint.semantic.model import Point

    names = [
        model.qualified_name(site.call.func, Point(site.scope, site.order, site.branch))
        for site in summary.calls
    ]
    assert names == [
        "fastapi.APIRouter",
        "app.routes.router.get",
        "fastapi.Depends",
        "app.routes.index.<locals>.Depends",
    ]


def test_an_expression_sees_the_binding_made_just_before_it() -> None:
    """The point of an expression node is taken before its own reads: a binding made by the
    previous event is in force there (regression: a module-level ``status.X`` right after
    ``from fastapi import status`` did not resolve)."""
    src = Source("from fastapi import status\n\ncode = status.HTTP_200_OK\nx = 1\nx = x + 1\n")
    value = src.module.body[1].body[0].value
    assert src.model.resolve(value) == "fastapi.status.HTTP_200_OK"
    # ``x + 1`` reads the previous ``x``, not the binding it makes.
    second = src.names("x")[0]
    found = src.model.lookup_at("x", second)
    assert (
        found is not None
        and [b.order for b in found.bindings]
        == [b.order for b in src.model.summary.bindings if b.name == "x"][:1]
    )


def test_a_node_right_after_a_binding_sees_it() -> None:
    """A node's point lies after the last event before it, even when that event binds the
    name the node reads (an attribute or a statement just after an import)."""
    src = Source(
        """
        from starlette.middleware import cors
        cors.CORSMiddleware(app)
        import fastapi
        fastapi.FastAPI()
        x = fastapi
        """
    )
    assert src.model.resolve(src.calls("cors.CORSMiddleware")[0].func) == (
        "starlette.middleware.cors.CORSMiddleware"
    )
    assert src.model.resolve(src.calls("fastapi.FastAPI")[0].func) == "fastapi.FastAPI"
    statement = src.module.body[3]
    found = src.model.lookup_at("fastapi", statement)
    assert found is not None and [b.kind for b in found.bindings] == ["import"]
    # The statement's own binding is not in force at it, and counts as a later one.
    last = src.module.body[4]
    target = last.body[0].targets[0].target  # type: ignore[attr-defined]
    assert src.model.lookup_at("x", last) == src.model.lookup_at("x", target)
    assert not src.model.lookup_at("x", last).bindings  # type: ignore[union-attr]
    assert src.model.rebound_after("x", last)
