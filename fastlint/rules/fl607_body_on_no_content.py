"""FL607 body-on-no-content: a 204/304 path operation that declares or returns a body."""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule, decorator_text
from fastlint.rules.fl601_redundant_response_model import ROUTE_DECORATORS
from fastlint.semantic import ir
from fastlint.semantic.model import FileModel, ModuleModel, Point
from fastlint.semantic.types import definition_point
from fastlint.semantic.values import Values, values_for

NO_BODY_STATUSES = frozenset({204, 304})
_STATUS_NAME = re.compile(r"^(?:fastapi|starlette)\.status\.HTTP_(\d{3})_")
_HTTP_STATUS = {"http.HTTPStatus.NO_CONTENT": 204, "http.HTTPStatus.NOT_MODIFIED": 304}
RESPONSE_CLASSES = frozenset(
    {"starlette.responses.Response", "fastapi.Response", "fastapi.responses.Response"}
)


def status_of(model: ModuleModel, values: Values, expr: ir.Expr, point: Point) -> Optional[int]:
    """The status code ``expr`` means (``204``, ``status.HTTP_204_NO_CONTENT``, a constant)."""
    if isinstance(expr, (ir.Name, ir.Attribute)):
        qualname = model.qualified_name(expr, point)
        if qualname is not None:
            match = _STATUS_NAME.match(qualname)
            if match is not None:
                return int(match.group(1))
            if qualname in _HTTP_STATUS:
                return _HTTP_STATUS[qualname]
    value = values.value_of(model, expr, point)
    if value is not None and isinstance(value.data, int) and not isinstance(value.data, bool):
        return value.data
    return None


class BodyOnNoContent(Rule):
    """## What it does
    Finds a path operation with `status_code=204` or `304` (also `status.HTTP_204_NO_CONTENT`
    and `HTTPStatus.NO_CONTENT`) that declares a body: a `response_model`, or a return
    annotation other than `None` or a `Response` class. Without a return annotation, it
    finds such an operation returning a value (a literal, a dict, a list).

    ## Why is this bad?
    These statuses have no body. A declared model makes FastAPI refuse the route at start-up
    (`AssertionError: Status code 204 must not have a response body`); a value returned
    without one is serialised and then dropped, or breaks the response for some servers and
    clients.

    ## Example
    ```python
    @app.delete("/items/{item_id}", status_code=204)
    def delete_item(item_id: int) -> dict[str, bool]:
        return {"deleted": True}
    ```

    ## Use instead
    ```python
    @app.delete("/items/{item_id}", status_code=204)
    def delete_item(item_id: int) -> None:
        ...
    ```

    Returning `Response(status_code=204)` is fine.

    ## Fix safety
    There is no fix: whether the status or the body is wrong is the author's decision.
    """

    code = "FL607"
    name = "body-on-no-content"
    message = "A 204/304 path operation must not have a response body"
    description = "a path operation with status 204/304 that declares or returns a body"
    fix_availability = FixAvailability.NONE
    requires_any = ("status_code",)
    requires_match = decorator_text(ROUTE_DECORATORS)
    uses_project_facts = True

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        model = file.model
        for scope, call in file.decorated_functions(ROUTE_DECORATORS):
            given = next((a.value for a in call.args if a.keyword == "status_code"), None)
            if given is None:
                continue
            if status_of(model, file.values, given, definition_point(model, scope)) in (
                NO_BODY_STATUSES
            ):
                return True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        model = self.context.model
        scope = model.scope_of(node)
        if scope is None:
            return
        point = definition_point(model, scope)
        for decorator in node.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            if call.func.attr.value not in ROUTE_DECORATORS:
                continue
            keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
            status_arg = keywords.get("status_code")
            if status_arg is None:
                continue
            status = self._status(model, status_arg.value)
            if status not in NO_BODY_STATUSES:
                continue
            receiver = model.expr_of(call.func.value)
            where = model.point_of(call.func.value)
            if receiver is None or where is None:
                continue
            if not self.context.facts.is_app_or_router(model, receiver, where):
                continue
            model_arg = keywords.get("response_model")
            if model_arg is not None:
                if not (isinstance(model_arg.value, cst.Name) and model_arg.value.value == "None"):
                    self.report(
                        model_arg,
                        f"Status {status} has no body, but a `response_model` is declared: "
                        f"FastAPI refuses the route at start-up",
                    )
                continue
            if scope.returns is not None:
                if self._declares_body(model, scope.returns, point) and node.returns:
                    self.report(
                        node.returns,
                        f"Status {status} has no body, but the return annotation declares one: "
                        "FastAPI refuses the route at start-up; annotate `-> None`",
                    )
                continue
            for result in scope.results:
                if _is_body(result.expr):
                    self.report(
                        decorator,
                        f"Status {status} has no body, but `{node.name.value}` returns a value: "
                        "it is serialised and dropped; return nothing (or a `Response`)",
                    )
                    break

    def _status(self, model: FileModel, node: cst.BaseExpression) -> Optional[int]:
        expr, point = model.expr_of(node), model.point_of(node)
        if expr is None or point is None:
            return None
        return status_of(model, values_for(self.context), expr, point)

    def _declares_body(self, model: FileModel, annotation: ir.Expr, point: Point) -> bool:
        if isinstance(annotation, ir.Constant) and annotation.value is None:
            return False
        if isinstance(annotation, ir.Constant) and annotation.value == "None":
            return False
        if isinstance(annotation, (ir.Name, ir.Attribute)):
            qualname = model.qualified_name(annotation, point)
            if qualname is None:
                return False  # not known: say nothing
            if qualname in ("builtins.None", "typing.NoReturn", "typing.Never"):
                return False
            if qualname.startswith(("starlette.responses.", "fastapi.responses.")):
                return False
            if qualname in RESPONSE_CLASSES:
                return False
            return not self.context.types.is_subclass(
                qualname, RESPONSE_CLASSES, model.summary.path
            )
        return isinstance(annotation, (ir.Subscript, ir.BinOp))

    valid = (
        Case(
            """
            from fastapi import FastAPI, Response, status

            app = FastAPI()

            @app.delete("/items/{item_id}", status_code=204)
            def delete_item(item_id: int) -> None:
                return None

            @app.delete("/carts/{cart_id}", status_code=status.HTTP_204_NO_CONTENT)
            def delete_cart(cart_id: int):
                return Response(status_code=204)

            @app.get("/cached", status_code=304, response_model=None)
            def cached() -> Response: ...

            @app.post("/items", status_code=201)
            def create() -> dict[str, int]:
                return {"id": 1}
            """
        ),
    )
    invalid = (
        Case(
            """
            from http import HTTPStatus

            from fastapi import APIRouter, status
            from pydantic import BaseModel

            router = APIRouter()

            class Deleted(BaseModel):
                ok: bool

            @router.delete("/a", status_code=204, response_model=Deleted)  # error: start-up
            def a(): ...

            @router.delete("/b", status_code=status.HTTP_204_NO_CONTENT)
            def b() -> Deleted: ...  # error: the return annotation declares one

            @router.delete("/c", status_code=HTTPStatus.NO_CONTENT)  # error: returns a value
            def c():
                return {"deleted": True}
            """
        ),
    )


def _is_body(expr: ir.Expr) -> bool:
    if isinstance(expr, ir.Constant):
        return expr.value is not None and expr.value is not Ellipsis
    return isinstance(expr, (ir.Collection, ir.Dict, ir.FString))
