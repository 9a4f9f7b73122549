"""FL608 body-on-get: a GET, HEAD or DELETE path operation that takes a request body."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.fastapi.routes import path_params
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule, decorator_text
from fastlint.semantic import ir
from fastlint.semantic.model import ModuleModel, Point
from fastlint.semantic.summary import Param
from fastlint.semantic.types import Types, definition_point
from fastlint.semantic.values import MODEL_BASES, values_for

NO_BODY_METHODS = frozenset({"GET", "HEAD", "DELETE"})
_DECORATORS = {"get": "GET", "head": "HEAD", "delete": "DELETE"}
# FastAPI's parameter functions, by their last name part.
_NOT_BODY = frozenset({"Query", "Path", "Header", "Cookie", "Depends", "Security", "Form", "File"})
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
_OPTIONAL = frozenset({"typing.Optional", "typing.Union"})
_SEQUENCES = frozenset(
    {
        "builtins.list",
        "builtins.set",
        "builtins.tuple",
        "typing.List",
        "typing.Set",
        "typing.Sequence",
        "collections.abc.Sequence",
    }
)


def _fastapi_function(model: ModuleModel, expr: Optional[ir.Expr], point: Point) -> Optional[str]:
    """``Body`` for ``Body(...)`` / ``fastapi.Body()`` / ``params.Body()``, by qualified name."""
    if not isinstance(expr, ir.Call):
        return None
    name = model.qualified_name(expr.func, point)
    if name is None or not (name.startswith("fastapi.") or name.startswith("starlette.")):
        return None
    return name.rsplit(".", 1)[-1]


def body_reason(model: ModuleModel, types: Types, param: Param, point: Point) -> Optional[str]:
    """Why FastAPI reads ``param`` from the request body (`Body()`, a Pydantic model), or None."""
    marker = _fastapi_function(model, param.default, point)
    annotation = param.annotation
    if (
        marker is None
        and isinstance(annotation, ir.Subscript)
        and model.qualified_name(annotation.value, point) in _ANNOTATED
    ):
        index = annotation.index
        parts = index.elements if isinstance(index, ir.Collection) else (index,)
        for extra in parts[1:]:
            found = _fastapi_function(model, extra, point)
            if found is None and isinstance(extra, ir.Call):
                return None  # a marker that is not known: ``Annotated[M, marker()]``
            marker = marker or found
        annotation = parts[0] if parts else None
    if marker == "Body":
        return "`Body()`"
    if marker is not None or (param.default is not None and _is_call(param.default)):
        return None
    model_name = _model_class(model, types, annotation, point)
    return f"the Pydantic model `{model_name}`" if model_name else None


def _model_class(
    model: ModuleModel, types: Types, annotation: Optional[ir.Expr], point: Point, depth: int = 0
) -> Optional[str]:
    if annotation is None or depth > 4:
        return None
    if isinstance(annotation, ir.BinOp) and annotation.op == "|":
        for side in (annotation.left, annotation.right):
            found = _model_class(model, types, side, point, depth + 1)
            if found:
                return found
        return None
    if isinstance(annotation, ir.Subscript):
        outer = model.qualified_name(annotation.value, point)
        if outer in _OPTIONAL or outer in _SEQUENCES:
            index = annotation.index
            parts = index.elements if isinstance(index, ir.Collection) else (index,)
            for part in parts:
                found = _model_class(model, types, part, point, depth + 1)
                if found:
                    return found
        return None
    if not isinstance(annotation, (ir.Name, ir.Attribute)):
        return None
    qualname = model.qualified_name(annotation, point)
    if qualname is None or qualname in MODEL_BASES:
        return None
    if types.is_subclass(qualname, MODEL_BASES, model.summary.path):
        return qualname.rsplit(".", 1)[-1]
    return None


class BodyOnGet(Rule):
    """## What it does
    Finds a `GET`, `HEAD` or `DELETE` path operation (`@app.get`, `@router.delete`,
    `api_route(methods=[...])`) with a parameter that FastAPI reads from the request body: a
    Pydantic model (or a list of them) not marked as `Query`/`Depends`/..., or a `Body()`
    parameter, also through `Annotated`.

    ## Why is this bad?
    Bodies on these methods have no defined meaning (RFC 9110): proxies, caches, browsers'
    `fetch` and many HTTP clients drop them or refuse to send them, and generated clients
    cannot call the operation. The endpoint works in tests and fails behind real
    infrastructure.

    ## Example
    ```python
    @app.get("/items")
    def search(filters: ItemFilter): ...
    ```

    ## Use instead
    ```python
    @app.get("/items")
    def search(filters: Annotated[ItemFilter, Query()]): ...
    ```

    Or make the operation a `POST`. Query and path models (`Annotated[M, Query()]`) and
    dependencies are not reported.

    ## Fix safety
    There is no fix: moving the data to the query string or changing the method changes the
    API's contract.
    """

    code = "FL608"
    name = "body-on-get"
    message = "This GET/HEAD/DELETE path operation takes a request body"
    description = "a `GET`/`HEAD`/`DELETE` path operation that takes a request body"
    fix_availability = FixAvailability.NONE
    uses_project_facts = True
    requires_match = decorator_text({*_DECORATORS, "api_route"})

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        model, types = file.model, file.types
        for scope, _ in file.decorated_functions({*_DECORATORS, "api_route"}):
            point = definition_point(model, scope)
            for param in scope.params:
                if param.kind not in ("vararg", "kwarg") and body_reason(
                    model, types, param, point
                ):
                    return True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        model = self.context.model
        methods = self._methods(node)
        if not methods:
            return
        scope = model.scope_of(node)
        if scope is None:
            return
        point = definition_point(model, scope)
        nodes = {p.name.value: p for p in (*node.params.posonly_params, *node.params.params)}
        nodes.update({p.name.value: p for p in node.params.kwonly_params})
        in_path = self._path_parameters(node)
        for param in scope.params:
            if param.kind in ("vararg", "kwarg") or param.name in in_path:
                continue  # a path parameter is never read from the body
            why = body_reason(model, self.context.types, param, point)
            target = nodes.get(param.name)
            if why is None or target is None:
                continue
            method = "/".join(sorted(methods))
            self.report(
                target,
                f"`{param.name}` is read from the request body ({why}), but this is a "
                f"{method} operation: many clients and proxies drop such bodies; use query "
                "parameters (`Annotated[Model, Query()]`) or another method",
            )

    def _path_parameters(self, node: cst.FunctionDef) -> set[str]:
        """The ``{names}`` of the paths of the function's route decorators."""
        names: set[str] = set()
        for decorator in node.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call) and call.args and call.args[0].keyword is None:
                value = values_for(self.context).value_at(self.context.model, call.args[0].value)
                if value is not None and isinstance(value.data, str):
                    names.update(path_params(value.data))
        return names

    def _methods(self, node: cst.FunctionDef) -> set[str]:
        model = self.context.model
        found: set[str] = set()
        for decorator in node.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            expr, point = model.expr_of(call.func.value), model.point_of(call.func.value)
            if expr is None or point is None:
                continue
            if not self.context.facts.is_app_or_router(model, expr, point):
                continue
            method = call.func.attr.value
            if method in _DECORATORS:
                found.add(_DECORATORS[method])
            elif method == "api_route":
                given = next(
                    (a for a in call.args if a.keyword and a.keyword.value == "methods"), None
                )
                if given is None:
                    found.add("GET")
                    continue
                listed = values_for(self.context).value_at(model, given.value)
                items = listed.items() if listed is not None else None
                for item in items or ():
                    text = item.data if item is not None else None
                    if isinstance(text, str) and text.upper() in NO_BODY_METHODS:
                        found.add(text.upper())
        return found

    valid = (
        Case(
            """
            from typing import Annotated

            from fastapi import Depends, FastAPI, Query
            from pydantic import BaseModel

            app = FastAPI()

            class Filters(BaseModel):
                q: str = ""

            def current_filters() -> Filters: ...

            @app.get("/items")
            def search(filters: Annotated[Filters, Query()]): ...

            @app.get("/items/mine")
            def mine(filters: Filters = Depends(current_filters)): ...

            @app.post("/items")
            def create(item: Filters): ...

            @app.delete("/items/{item_id}")
            def delete(item_id: int, hard: bool = False): ...

            def marker():
                return Query()

            @app.get("/parametrised")
            def parametrised(filters: Annotated[Filters, marker()]): ...
            """
        ),
    )
    invalid = (
        Case(
            """
            from typing import Annotated, Optional

            from fastapi import APIRouter, Body
            from pydantic import BaseModel

            router = APIRouter()

            class Filters(BaseModel):
                q: str = ""

            @router.get("/items")
            def search(filters: Filters): ...  # error: the Pydantic model `Filters`

            @router.delete("/items")
            def purge(ids: Annotated[list[int], Body()]): ...  # error: `Body()`

            @router.api_route("/batch", methods=["GET", "POST"])
            def batch(items: Optional[list[Filters]] = None): ...  # error: GET operation
            """
        ),
    )


def _is_call(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.Call)
