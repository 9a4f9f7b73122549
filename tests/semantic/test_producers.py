"""The two producers of module summaries (``ast`` for the index, LibCST for the checked file)
must agree record for record: everything the model computes rests on that."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from fastlint.semantic import ir
from fastlint.semantic import summary as s
from fastlint.semantic.from_ast import summarize_source
from fastlint.semantic.from_cst import summarize_cst

ROOT = Path(__file__).resolve().parents[2]

SNIPPETS = {
    "argument order": """
        f(a=1, *rest)
        g(x, k=1, *more, **kw)
        h(
            y,
            key=2,
        )
        class C(Base, metaclass=Meta):
            pass
    """,
    "imports": """
        import os, os.path as osp
        import a.b.c
        from . import sibling
        from ..pkg import thing as other
        from fastapi import *
        from typing import (Annotated,
            Optional)
    """,
    "functions": """
        @app.get("/items/{item_id}", tags=["x"])
        @cache
        async def read(item_id: int, q: Optional[str] = None, *args, k=Depends(f), **kw) -> dict:
            global counter
            counter += 1
            async with make() as (a, b):
                await a.execute(b)
            async for row in stream():
                yield row
            return {"a": [x async for x in agen() if x]}
    """,
    "branches": """
        try:
            import ujson as json
        except (ImportError, ModuleNotFoundError) as error:
            import json
        else:
            pass
        finally:
            done = True
        if PYDANTIC_V2:
            x = 1
        elif sys.version_info >= (3, 10):
            x = 2
        else:
            if y:
                x = 3
        for i, (j, *k) in enumerate(items):
            del i
        else:
            z = 0
        while w := next(it, None):
            break
    """,
    "expressions": """
        s = "a" "b" f"{x!r:>{width}}" 'c'
        t = b"x" b"y"
        v = (a or b or c) and (d or e) or not f
        w = -1 + 2 * 3 ** 4 // 5 % 6 @ m | n ^ o & p << 1 >> 2
        d = {**base, "k": [1, *rest], "s": {1, 2}}
        e = x[1:2, ::3] + y[a,] + z[(b, c)] + q[0]
        g = (lambda a, b=1: a + b)(1)
        h = {k: v for k, v in pairs if k} | {x for x in xs}
        i = 1 if cond else 2
        j = [y for x in xs for y in x]
        k = f(*args, key=1, **kwargs)
        l = ...
        m = 0x10 + 1.5 + 2j + True + None
    """,
    "classes": """
        class Repo(Base, metaclass=Meta):
            session: Session
            name: str = "x"

            def __init__(self, session: SessionDep) -> None:
                self.session = session
                self.other: int = 1

            @property
            def engine(self):
                return self.session.bind

            class Inner:
                pass

        def factory():
            app = FastAPI()

            @app.get("/")
            def index():
                nonlocal_value = 1

                def deeper():
                    nonlocal nonlocal_value
                    nonlocal_value = 2

            return app
    """,
    "match": """
        match command:
            case ["go", direction] if direction:
                pass
            case {"x": 1, **rest}:
                pass
            case Point(x=0, y=yy) | Point(yy, _):
                pass
            case [*items] as whole:
                pass
            case None:
                pass
    """,
}


def _strip(record: object) -> object:
    """Line numbers are known to the ``ast`` producer only."""
    if dataclasses.is_dataclass(record) and hasattr(record, "line"):
        return dataclasses.replace(record, line=0)  # type: ignore[type-var]
    return record


def assert_same(text: str) -> s.ModuleSummary:
    from_ast = summarize_source(text, "pkg.mod", "pkg/mod.py", False)
    assert from_ast is not None
    from_cst = summarize_cst(cst.parse_module(text), "pkg.mod", "pkg/mod.py", False).summary
    for name in ("scopes", "bindings", "calls", "branches", "attributes"):
        left = [_strip(r) for r in getattr(from_ast, name)]
        right = [_strip(r) for r in getattr(from_cst, name)]
        assert left == right, name
    assert from_ast.names == from_cst.names
    assert from_ast.end_order == from_cst.end_order
    return from_ast


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_producers_agree_on_snippets(name: str) -> None:
    summary = assert_same(textwrap.dedent(SNIPPETS[name]))
    assert summary.bindings, "the snippet binds names"


def test_producers_agree_on_our_own_code_and_fixtures() -> None:
    files = sorted([*(ROOT / "fastlint").rglob("*.py"), *(ROOT / "fixtures").rglob("*.py")])
    assert len(files) > 40
    for path in files:
        assert_same(path.read_text(encoding="utf-8"))


def test_a_difference_is_caught() -> None:
    """The comparison is not vacuous: different code gives different records."""
    first = summarize_source("x = f(1)\n", "m", "m.py", False)
    second = summarize_source("x = f(2)\n", "m", "m.py", False)
    assert first is not None and second is not None
    assert first.calls != second.calls


def test_what_a_summary_records() -> None:
    summary = assert_same(
        textwrap.dedent(
            """
            from fastapi import Depends
            from .db import get_db

            def route(db=Depends(get_db)):
                return db
            """
        )
    )
    imports = {b.name: b.target for b in summary.bindings if b.kind == s.IMPORT}
    assert imports == {"Depends": "fastapi.Depends", "get_db": "pkg.db.get_db"}
    route = next(scope for scope in summary.scopes if scope.name == "route")
    assert route.qualpath == "route" and route.params[0].name == "db"
    depends = next(site for site in summary.calls if site.call.func == ir.Name("Depends"))
    assert depends.scope == 0  # defaults are evaluated where the function is defined
    assert route.results[0].expr == ir.Name("db")


def test_comprehension_conditions_and_bare_returns_are_recorded() -> None:
    """A comprehension keeps the ``if`` tests of each ``for`` clause, and a bare ``return``
    is a result (None): static values need both to know what a comprehension or a function
    gives."""
    summary = assert_same(
        textwrap.dedent(
            """
            def first(items):
                if not items:
                    return
                return [x for x in items if x if x != "*" for y in x]
            """
        )
    )
    function = next(scope for scope in summary.scopes if scope.name == "first")
    assert function.results[0].expr == ir.Constant(None)
    comprehension = function.results[1].expr
    assert isinstance(comprehension, ir.Comprehension)
    star = ir.Compare(ir.Name("x"), ("!=",), (ir.Constant("*"),))
    assert comprehension.conditions == ((ir.Name("x"), star), ())
    # The tests are evaluated in the comprehension's scope, not around it.
    assert list(ir.walk(comprehension)) == [comprehension]
