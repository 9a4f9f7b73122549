"""FL605 invalid-router-prefix: a router prefix FastAPI refuses at start-up."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.fastapi.blocking import site_point
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule
from fastlint.semantic import ir
from fastlint.semantic.values import values_for


def problem(prefix: str) -> Optional[str]:
    """What FastAPI says of a prefix it refuses, or None when it accepts it."""
    if not prefix:
        return None
    if not prefix.startswith("/"):
        return "a path prefix must start with '/'"
    if prefix.endswith("/"):
        return "a path prefix must not end with '/', as the routes will start with '/'"
    return None


def corrected(prefix: str) -> str:
    fixed = prefix if prefix.startswith("/") else "/" + prefix
    return fixed.rstrip("/")


class InvalidRouterPrefix(Rule):
    """## What it does
    Finds a non-empty `prefix=` of `APIRouter(...)` (or a project subclass) or of
    `include_router(...)` that does not start with `/` or that ends with `/`. Prefixes are
    read as static values: literals, constants (also of other modules), settings defaults.

    ## Why is this bad?
    FastAPI checks prefixes when the router is created or included and refuses these with an
    `AssertionError`: the application does not start.

    ## Example
    ```python
    router = APIRouter(prefix="items/")
    app.include_router(router, prefix="/api/")
    ```

    ## Use instead
    ```python
    router = APIRouter(prefix="/items")
    app.include_router(router, prefix="/api")
    ```

    An empty prefix (`""`) is fine.

    ## Fix safety
    The fix is safe: it rewrites a literal prefix to the one FastAPI expects (a leading `/`
    added, trailing ones removed), the only prefix with which the code starts at all. A
    prefix that is not a literal in the call (a constant, a setting) gets no fix: the value
    may be used elsewhere.
    """

    code = "FL605"
    name = "invalid-router-prefix"
    message = "FastAPI refuses this router prefix at start-up"
    description = "a router prefix that does not start with `/` or ends with `/` (a start-up error)"
    fix_availability = FixAvailability.SAFE
    requires_any = ("prefix",)
    requires_match = r"prefix[\s\\]*="  # a `prefix=` keyword argument
    uses_project_facts = True

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        for site in file.calls():
            prefix = next((a.value for a in site.call.args if a.keyword == "prefix"), None)
            if prefix is None:
                continue
            literal = isinstance(prefix, ir.Constant) and isinstance(prefix.value, str)
            if literal and problem(str(prefix.value)) is None:  # type: ignore[union-attr]
                continue
            func = site.call.func
            if isinstance(func, ir.Attribute) and func.attr == "include_router":
                return True
            if isinstance(func, (ir.Name, ir.Attribute)):
                kind = file.facts.app_class(file.model.qualified_name(func, site_point(site)))
                if kind is not None and not kind[0]:
                    return True
        return False

    def visit_Call(self, node: cst.Call) -> None:
        argument = next(
            (a for a in node.args if a.keyword is not None and a.keyword.value == "prefix"), None
        )
        if argument is None or not self._is_router_call(node):
            return
        value = values_for(self.context).value_at(self.context.model, argument.value)
        if value is None or not isinstance(value.data, str):
            return
        prefix = value.data
        reason = problem(prefix)
        if reason is None:
            return
        fix = None
        literal = argument.value
        if isinstance(literal, cst.SimpleString) and literal.evaluated_value == prefix:
            new = corrected(prefix)
            if "\\" not in new and literal.quote not in new and "\n" not in literal.quote:
                fix = self.fix(Applicability.SAFE, f"Use the prefix `{new}`")
                fix.replace(literal, f"{literal.prefix}{literal.quote}{new}{literal.quote}")
        self.report(
            argument,
            f"FastAPI refuses the prefix {prefix!r} at start-up: {reason}",
            fix=fix,
        )

    def _is_router_call(self, node: cst.Call) -> bool:
        model = self.context.model
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "include_router":
            expr, point = model.expr_of(func.value), model.point_of(func.value)
            return (
                expr is not None
                and point is not None
                and self.context.facts.is_app_or_router(model, expr, point)
            )
        kind = self.context.facts.app_class(model.resolve(func))
        return kind is not None and not kind[0]

    valid = (
        Case(
            """
            import os

            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            items = APIRouter(prefix="/items")
            plain = APIRouter(prefix="")
            other = APIRouter()
            app.include_router(items, prefix="/api/v1")
            app.include_router(other, prefix=os.environ["PREFIX"])
            app.include_router(plain)
            """
        ),
        # Not a router.
        Case(
            """
            def configure(prefix: str) -> None: ...

            configure(prefix="items/")
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            items = APIRouter(prefix="items/")  # error: must start with '/'
            app.include_router(items, prefix="/api/")  # error: must not end with '/'
            app.include_router(APIRouter(), prefix='/')  # error: must not end with '/'
            """,
            expected="""
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            items = APIRouter(prefix="/items")
            app.include_router(items, prefix="/api")
            app.include_router(APIRouter(), prefix='')
            """,
        ),
        # A constant of another module, and a project subclass of APIRouter.
        Case(
            """
            from fastapi import APIRouter

            from app.settings import PREFIX

            class VersionedRouter(APIRouter):
                pass

            router = VersionedRouter(prefix=PREFIX)  # error: 'v1'
            """,
            files={"app/settings.py": 'PREFIX = "v1"\n', "app/__init__.py": ""},
            count=1,
            safety="none",
        ),
    )
