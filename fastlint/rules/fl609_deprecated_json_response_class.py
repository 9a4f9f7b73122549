"""FL609 deprecated-json-response-class: `ORJSONResponse` and `UJSONResponse`."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.rule import Case, FileContext, FixAvailability, Rule

DEPRECATED = {
    "fastapi.responses.ORJSONResponse": "ORJSONResponse",
    "fastapi.responses.UJSONResponse": "UJSONResponse",
}


class DeprecatedJsonResponseClass(Rule):
    """## What it does
    Finds uses of FastAPI's `ORJSONResponse` and `UJSONResponse` (from `fastapi.responses`,
    by qualified name): as `response_class=`/`default_response_class=`, as a return value, or
    anywhere else.

    ## Why is this bad?
    FastAPI deprecated both: with a return type or a `response_model`, FastAPI serialises the
    data to JSON through Pydantic itself, which is as fast, and these classes bypass that
    (no response model validation or filtering) and pull in an extra dependency. They emit a
    deprecation warning and will be removed.

    ## Example
    ```python
    from fastapi.responses import ORJSONResponse

    app = FastAPI(default_response_class=ORJSONResponse)
    ```

    ## Use instead
    ```python
    app = FastAPI()


    @app.get("/items")
    def list_items() -> list[Item]: ...
    ```

    Or `JSONResponse` where a response object is needed. Code under a version guard is
    written for two worlds on purpose and is not reported.

    ## Fix safety
    There is no fix: dropping the class changes how responses are serialised, and a return
    type or response model may have to be added first.
    """

    code = "FL609"
    name = "deprecated-json-response-class"
    message = "`ORJSONResponse`/`UJSONResponse` are deprecated in FastAPI"
    description = "`ORJSONResponse`/`UJSONResponse` (deprecated in FastAPI)"
    fix_availability = FixAvailability.NONE
    requires_any = ("ORJSONResponse", "UJSONResponse")

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._imports = 0

    def visit_Import(self, node: cst.Import) -> None:
        self._imports += 1

    def leave_Import(self, original_node: cst.Import) -> None:
        self._imports -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._imports += 1

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        self._imports -= 1

    def _deprecated(self, node: cst.CSTNode) -> Optional[str]:
        if self._imports:
            return None
        model = self.context.model
        if not model.may_resolve_to(node, DEPRECATED.values()):
            return None
        found = DEPRECATED.get(model.resolve(node) or "")
        if found is None or model.is_guarded(node):
            return None
        return found

    def visit_Name(self, node: cst.Name) -> None:
        name = self._deprecated(node)
        if name is not None:
            self._report(node, name)

    def visit_Attribute(self, node: cst.Attribute) -> Optional[bool]:
        name = self._deprecated(node)
        if name is not None:
            self._report(node, name)
            return False
        return None

    def _report(self, node: cst.CSTNode, name: str) -> None:
        self.report(
            node,
            f"`{name}` is deprecated in FastAPI: declare a return type or `response_model` "
            "(FastAPI serialises it to JSON through Pydantic), or use `JSONResponse`",
        )

    valid = (
        Case(
            """
            from fastapi import FastAPI
            from fastapi.responses import JSONResponse

            app = FastAPI(default_response_class=JSONResponse)
            ORJSONResponse = JSONResponse
            """
        ),
        # A project class of the same name.
        Case(
            """
            from app.responses import ORJSONResponse

            response = ORJSONResponse({})
            """,
            files={"app/responses.py": "class ORJSONResponse: ...\n", "app/__init__.py": ""},
        ),
        # Written for two worlds on purpose.
        Case(
            """
            try:
                from fastapi.responses import ORJSONResponse as Fast
            except ImportError:
                from fastapi.responses import JSONResponse as Fast
            if FASTAPI_VERSION < (0, 130):
                from fastapi.responses import UJSONResponse
                CLASS = UJSONResponse
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import FastAPI, responses
            from fastapi.responses import ORJSONResponse

            app = FastAPI(default_response_class=ORJSONResponse)  # error: `ORJSONResponse` is

            @app.get("/items", response_class=responses.UJSONResponse)  # error: `UJSONResponse`
            def items():
                return ORJSONResponse({"items": []})  # error
            """
        ),
    )
