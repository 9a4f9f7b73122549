"""FL603 shadowed-route: a static path registered after a parameterised path that matches it."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.fastapi.routes import Conflict
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FileContext, FixAvailability, FixBuilder, NodeEdit, Rule
from fastlint.rules.fl604_duplicate_route import conflicts_here, conflicts_in, where


class ShadowedRoute(Rule):
    """## What it does
    Finds a static path (`/users/me`) registered on an app or router, for the same method,
    after a parameterised path that matches it (`/users/{user_id}`), with every router and
    include prefix applied and across modules. Registration order is source order, except that
    stacked route decorators on one function register bottom-up; routes of included routers
    take the place of their `include_router` call.

    ## Why is this bad?
    Starlette tries routes in order and the first match wins: `GET /users/me` is handled by
    `read_user` with `user_id="me"` (a 422 when `user_id` is an `int`), and the static route
    can never be reached.

    ## Example
    ```python
    @router.get("/users/{user_id}")
    def read_user(user_id: int): ...


    @router.get("/users/me")
    def read_me(): ...
    ```

    ## Use instead
    Register the static path first:
    ```python
    @router.get("/users/me")
    def read_me(): ...


    @router.get("/users/{user_id}")
    def read_user(user_id: int): ...
    ```

    A converter that cannot match the static path (`{user_id:int}` against `/users/me`) does
    not shadow it, nor does a route for another method.

    ## Fix safety
    The fix moves the static path operation above the parameterised one, when both are
    module-level functions of one module registered on the same router. It is unsafe: the
    moved function's decorators and defaults are then evaluated earlier, before names defined
    between the two may exist, and other code may rely on the order of definitions.
    """

    code = "FL603"
    name = "shadowed-route"
    message = "This static route is shadowed by an earlier parameterised route"
    description = "a static path registered after a parameterised path that matches it"
    fix_availability = FixAvailability.UNSAFE
    requires_any = ("fastapi", "starlette", "APIRouter", "include_router")
    uses_project_facts = True

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        return conflicts_in(file, "shadowed")

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._functions: dict[int, cst.FunctionDef] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = self.context.model.scope_of(node)
        if scope is not None and scope.parent == 0:
            self._functions[scope.id] = node

    def visit_Call(self, node: cst.Call) -> None:
        for conflict in conflicts_here(self, node, "shadowed"):
            earlier = conflict.earlier
            first = where(self, earlier.route.filename, earlier.route.line)
            self.report(
                node,
                f"`{conflict.later.method} {conflict.later.path}` is never reached: "
                f"`{earlier.method} {earlier.path}` (`{earlier.handler}`, {first}) is "
                "registered first and matches it; register the static path first",
                fix=self._move(conflict),
            )
            return

    def _move(self, conflict: Conflict) -> Optional[FixBuilder]:
        later, earlier = conflict.later.route, conflict.earlier.route
        model = self.context.model
        if (
            later.site is None
            or earlier.site is None
            or later.site.decorates < 0
            or earlier.site.decorates < 0
            or later.owner != earlier.owner
            or later.registration.module != model.name
            or earlier.registration.module != model.name
            or conflict.later.routers != conflict.earlier.routers
        ):
            return None
        moved = self._functions.get(later.site.decorates)
        target = self._functions.get(earlier.site.decorates)
        if moved is None or target is None or moved is target:
            return None
        code = cst.Module(body=[]).code_for_node(moved.with_changes(leading_lines=()))
        fix = self.fix(Applicability.UNSAFE, "Move the static path operation first")
        first_target = target.decorators[0] if target.decorators else target
        first_moved = moved.decorators[0] if moved.decorators else moved
        fix.insert_before(first_target, code + "\n\n")
        fix.edits.append(NodeEdit("delete_lines", first_moved, end_node=moved))
        return fix

    valid = (
        Case(
            """
            from fastapi import APIRouter

            router = APIRouter()

            @router.get("/users/me")
            def read_me(): ...

            @router.get("/users/{user_id}")
            def read_user(user_id: int): ...

            @router.post("/users/export")
            def export(): ...
            """
        ),
        # A converter that cannot match the static path.
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/items/{item_id:int}")
            def read_item(item_id: int): ...

            @app.get("/items/latest")
            def latest(): ...
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import APIRouter

            router = APIRouter(prefix="/users")


            @router.get("/{user_id}")
            def read_user(user_id: int): ...


            @router.get("/me")  # error: `GET /users/me` is never reached
            def read_me(): ...
            """,
            expected="""
            from fastapi import APIRouter

            router = APIRouter(prefix="/users")


            @router.get("/me")
            def read_me(): ...


            @router.get("/{user_id}")
            def read_user(user_id: int): ...


            """,
            unsafe=True,
            safety="unsafe",
        ),
        # Stacked decorators register bottom-up: "/files/{name}" comes first.
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/files/readme")  # error: never reached
            @app.get("/files/{name}")
            def read_file(name: str = "readme"): ...
            """,
            count=1,
            safety="none",
        ),
        # Across routers of different modules: the include order decides.
        Case(
            """
            from fastapi import APIRouter

            router = APIRouter()

            @router.get("/orders/open")  # error: `GET /orders/open` is never reached
            def open_orders(): ...
            """,
            path="app/extra.py",
            files={
                "app/__init__.py": "",
                "app/orders.py": (
                    "from fastapi import APIRouter\n\n"
                    "router = APIRouter()\n\n\n"
                    '@router.get("/orders/{order_id}")\n'
                    "def read_order(order_id: str): ...\n"
                ),
                "app/main.py": (
                    "from fastapi import FastAPI\n\n"
                    "from app import extra, orders\n\n"
                    "app = FastAPI()\n"
                    "app.include_router(orders.router)\n"
                    "app.include_router(extra.router)\n"
                ),
            },
        ),
    )
