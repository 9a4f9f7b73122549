"""FL601 redundant-response-model: `response_model=X` on a path operation returning `X`."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.fastapi.facts import Role
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, FixBuilder, Rule, decorator_text
from fastlint.semantic import ir, knowledge
from fastlint.semantic.model import ModuleModel, Point
from fastlint.semantic.types import definition_point

ROUTE_DECORATORS = knowledge.ROUTE_METHODS - {"route"}


def without_argument(call: cst.Call, arg: cst.Arg) -> cst.Call:
    """``call`` without ``arg``: the comma of a new last argument follows the removed one's."""
    args = [a for a in call.args if a is not arg]
    if args and call.args[-1] is arg:
        args[-1] = args[-1].with_changes(comma=arg.comma)
    return call.with_changes(args=args)


def _meaning(model: ModuleModel, expr: ir.Expr, point: Point) -> object:
    """A comparable form of a type expression: names replaced by what they mean."""
    if isinstance(expr, (ir.Name, ir.Attribute)):
        return ("name", model.qualified_name(expr, point) or ir.dotted(expr))
    if isinstance(expr, ir.Subscript):
        return (
            "sub",
            _meaning(model, expr.value, point),
            _meaning(model, expr.index, point),
        )
    if isinstance(expr, ir.Collection):
        return (expr.kind, tuple(_meaning(model, e, point) for e in expr.elements))
    if isinstance(expr, ir.BinOp):
        return (
            "op",
            expr.op,
            _meaning(model, expr.left, point),
            _meaning(model, expr.right, point),
        )
    if isinstance(expr, ir.Constant) and isinstance(expr.value, str):
        parsed = _parse(expr.value)
        return _meaning(model, parsed, point) if parsed is not None else expr
    return expr


class RedundantResponseModel(Rule):
    """## What it does
    Finds `response_model=X` on a path operation decorator (`@app.get`, `@router.post`,
    `api_route`...) whose function is annotated to return the same `X` (compared by
    qualified name, `list[Item]` with `list[Item]`).

    ## Why is this bad?
    FastAPI derives the response model from the return annotation: the argument says the
    same thing twice, and the two drift apart when one is edited.

    ## Example
    ```python
    @app.get("/items/{item_id}", response_model=Item)
    async def read_item(item_id: int) -> Item: ...
    ```

    ## Use instead
    ```python
    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> Item: ...
    ```

    A `response_model` that differs from the annotation (to filter a returned object through
    a narrower model) is what the argument is for, and is not reported.

    ## Fix safety
    Removing the argument is safe: FastAPI then takes the same model from the annotation.
    """

    code = "FL601"
    name = "redundant-response-model"
    message = "`response_model` repeats the return annotation"
    description = "`response_model=X` on a path operation whose return annotation is `X`"
    fix_availability = FixAvailability.SAFE
    requires_any = ("response_model",)
    requires_match = decorator_text(ROUTE_DECORATORS)
    uses_project_facts = True

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        model = file.model
        for scope, call in file.decorated_functions(ROUTE_DECORATORS):
            given = next((a.value for a in call.args if a.keyword == "response_model"), None)
            if given is None or scope.returns is None:
                continue
            outer = definition_point(model, scope)
            if _meaning(model, given, outer) == _meaning(model, scope.returns, outer):
                return True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.returns is None:
            return
        model = self.context.model
        scope = model.scope_of(node)
        if scope is None or scope.returns is None:
            return
        outer = definition_point(model, scope)
        returned = _meaning(model, scope.returns, outer)
        for decorator in node.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            if call.func.attr.value not in ROUTE_DECORATORS:
                continue
            arg = next(
                (a for a in call.args if a.keyword and a.keyword.value == "response_model"), None
            )
            if arg is None:
                continue
            expr = model.expr_of(arg.value)
            if expr is None or _meaning(model, expr, outer) != returned:
                continue
            if self.context.facts.role_of(model, scope) not in (
                Role.PATH_OPERATION,
                Role.WEBSOCKET,
            ):
                continue
            fix: Optional[FixBuilder] = self.fix(Applicability.SAFE, "Remove `response_model`")
            assert fix is not None
            fix.replace(call, self.context.module.code_for_node(without_argument(call, arg)))
            self.report(
                arg,
                "`response_model` repeats the return annotation: FastAPI already uses it as "
                "the response model",
                fix=fix,
            )

    valid = (
        Case(
            """
            from fastapi import FastAPI
            from pydantic import BaseModel

            app = FastAPI()

            class User(BaseModel):
                name: str

            class UserIn(User):
                password: str

            @app.post("/users", response_model=User)
            def create(user: UserIn) -> UserIn:
                return user

            @app.get("/users", response_model=list[User])
            def users() -> list[UserIn]: ...

            def helper(response_model: type = User) -> User: ...
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import APIRouter
            from pydantic import BaseModel

            router = APIRouter()

            class Item(BaseModel):
                name: str

            @router.get("/items/{item_id}", response_model=Item)  # error
            async def read_item(item_id: int) -> Item: ...

            @router.get(
                "/items",
                response_model=list[Item],  # error
            )
            async def list_items() -> "list[Item]": ...
            """,
            expected="""
            from fastapi import APIRouter
            from pydantic import BaseModel

            router = APIRouter()

            class Item(BaseModel):
                name: str

            @router.get("/items/{item_id}")
            async def read_item(item_id: int) -> Item: ...

            @router.get(
                "/items",
            )
            async def list_items() -> "list[Item]": ...
            """,
        ),
    )


def _parse(text: str) -> Optional[ir.Expr]:
    from fastlint.semantic.from_ast import lower_expression

    return lower_expression(text.strip())
