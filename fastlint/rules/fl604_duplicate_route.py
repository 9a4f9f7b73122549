"""FL604 duplicate-route: the same method and path registered twice on one app or router."""

from __future__ import annotations

import os

import libcst as cst

from fastlint.fastapi.routes import Conflict, route_table
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule


def conflicts_here(rule: Rule, node: cst.Call, kind: str) -> list[Conflict]:
    """The conflicts of ``kind`` that the call ``node`` of the checked file makes."""
    model = rule.context.model
    site = model.call_site(node)
    if site is None:
        return []
    table = route_table(rule.context.facts)
    return [
        c
        for c in table.conflicts()
        if c.kind == kind
        and c.report_module == model.name
        and c.report_site is not None
        and c.report_site.order == site.order
    ]


def conflicts_in(file: PreCheck, kind: str) -> bool:
    """Whether the route table has a conflict of ``kind`` to report in the file."""
    name = file.model.name
    return any(
        c.kind == kind and c.report_module == name and c.report_site is not None
        for c in route_table(file.facts).conflicts()
    )


def where(rule: Rule, filename: str, line: object) -> str:
    try:
        relative = os.path.relpath(filename, rule.context.project.root)
    except ValueError:  # pragma: no cover - another drive on Windows
        relative = filename
    return f"{relative}:{line}"


class DuplicateRoute(Rule):
    """## What it does
    Finds a path operation whose method and full path (with every `APIRouter(prefix=...)` and
    `include_router(prefix=...)` applied, across modules) are already registered on the same
    app or router. Paths that differ only in parameter names (`/users/{id}` and
    `/users/{user_id}`) match the same requests and count as the same path. A router included
    twice with the same prefix duplicates all its routes: that is reported at the second
    `include_router`.

    ## Why is this bad?
    FastAPI serves the first route that matches: the second one is dead code that looks live,
    and the OpenAPI schema documents an operation that never runs.

    ## Example
    ```python
    # users.py
    router = APIRouter(prefix="/users")

    @router.get("/{user_id}")
    def read_user(user_id: int): ...

    # admin.py
    @router.get("/users/{uid}")
    def read_user_for_admin(uid: int): ...  # the same GET /users/{...} once included
    ```

    ## Use instead
    Give the second operation its own path (`/admin/users/{uid}`), or remove it.

    ## Fix safety
    There is no fix: which of the two should win is the author's decision.
    """

    code = "FL604"
    name = "duplicate-route"
    message = "This route duplicates another one: FastAPI never serves it"
    description = "the same method and path registered twice on one app or router"
    fix_availability = FixAvailability.NONE
    requires_any = ("fastapi", "starlette", "APIRouter", "include_router")
    uses_project_facts = True

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        return conflicts_in(file, "duplicate")

    def visit_Call(self, node: cst.Call) -> None:
        for conflict in conflicts_here(self, node, "duplicate"):
            earlier = conflict.earlier
            first = where(self, earlier.route.filename, earlier.route.line)
            known = "registered first" if conflict.ordered else "also registered"
            self.report(
                node,
                f"`{conflict.later.method} {conflict.later.path}` is {known} at {first} "
                f"(`{earlier.handler}`): FastAPI serves only the first, this one never runs",
            )
            return

    valid = (
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/items/{item_id}")
            def read_item(item_id: int): ...

            @app.put("/items/{item_id}")
            def update_item(item_id: int): ...
            """
        ),
        # Different prefixes make different paths.
        Case(
            """
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            router = APIRouter()

            @router.get("/")
            def index(): ...

            app.include_router(router, prefix="/v1")
            app.include_router(router, prefix="/v2")
            """
        ),
        # Exclusive arms, and registrations made by two functions (two tests) that may never
        # run in one process.
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()

            def endpoint(): ...

            if FAST:
                app.add_api_route("/items", endpoint)
            else:
                app.add_route("/items", endpoint)

            def test_one():
                @app.get("/")
                def first(): ...

            def test_two():
                @app.get("/")
                def second(): ...
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/items/{item_id}")
            def read_item(item_id: int): ...

            @app.get("/items/{id}")  # error: registered first at app/main.py:5
            def read_item_again(id: int): ...
            """
        ),
        # Across modules, once the prefixes are applied (the order of the includes is known).
        Case(
            """
            from fastapi import APIRouter

            router = APIRouter()

            @router.get("/{uid}")  # error: registered first at app/users.py:6
            def read_user_for_admin(uid: int): ...
            """,
            path="app/admin.py",
            files={
                "app/__init__.py": "",
                "app/users.py": (
                    "from fastapi import APIRouter\n\n"
                    'router = APIRouter(prefix="/users")\n\n\n'
                    '@router.get("/{user_id}")\n'
                    "def read_user(user_id: int): ...\n"
                ),
                "app/main.py": (
                    "from fastapi import FastAPI\n\n"
                    "from app import admin, users\n\n"
                    "app = FastAPI()\n"
                    "app.include_router(users.router)\n"
                    'app.include_router(admin.router, prefix="/users")\n'
                ),
            },
        ),
        # The same router included twice with the same prefix.
        Case(
            """
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            router = APIRouter()

            @router.get("/ping")
            def ping(): ...

            app.include_router(router, prefix="/v1")
            app.include_router(router, prefix="/v1")  # error: GET /v1/ping
            """
        ),
    )
