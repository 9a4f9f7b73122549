"""FL611 router-never-included: an APIRouter with path operations that no app serves."""

from __future__ import annotations

import libcst as cst

from fastlint.fastapi.routes import never_included
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule
from fastlint.semantic import summary as s


class RouterNeverIncluded(Rule):
    """## What it does
    Finds an `APIRouter` (or a project subclass) with path operations that no
    `include_router` ever receives, anywhere in the project: not an app's, and not one of a
    router that is itself included. Only in projects that create an application.

    ## Why is this bad?
    The router's routes are dead: requests get a 404 and the operations are missing from the
    OpenAPI schema. It usually means a forgotten `app.include_router(...)` after a new module
    was added.

    ## Example
    ```python
    # app/routers/reports.py
    router = APIRouter(prefix="/reports")

    @router.get("/daily")
    def daily(): ...

    # app/main.py
    app = FastAPI()
    app.include_router(users.router)  # reports.router is never included
    ```

    ## Use instead
    ```python
    app.include_router(users.router)
    app.include_router(reports.router)
    ```

    A router used anywhere else than as the receiver of its own decorators (in a list, a
    loop, passed to a function, returned) may be included in a way fastlint cannot follow and
    is not reported; nor are routers mounted as sub-applications, nor routers of a library (a
    project without an application).

    ## Fix safety
    There is no fix: where the router belongs (which app, which prefix) is the author's
    decision.
    """

    code = "FL611"
    name = "router-never-included"
    message = "This router is never included in an app: its routes are dead"
    description = "an `APIRouter` with path operations that no `include_router` receives"
    fix_availability = FixAvailability.NONE
    requires_any = ("APIRouter", "Router")
    uses_project_facts = True

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        objects, name = file.facts.objects, file.model.name
        return any(
            key in objects and objects[key].module == name for key in never_included(file.facts)
        )

    def visit_Call(self, node: cst.Call) -> None:
        model = self.context.model
        site = model.call_site(node)
        if site is None or site.usage != s.ASSIGNED:
            return
        dead = never_included(self.context.facts)
        if not dead:
            return
        bound = [
            b
            for b in model.summary.bindings
            if b.kind == s.ASSIGN
            and b.value == site.call
            and b.origin == site.scope
            and b.order > site.order
        ]
        for binding in sorted(bound, key=lambda b: b.order)[:1]:
            key = model.variable_symbol(binding.scope, binding.name)
            count = dead.get(key)
            if count is None:
                continue
            obj = self.context.facts.objects.get(key)
            if obj is None or obj.module != model.name:
                continue
            routes = f"{count} route{'s' if count != 1 else ''}"
            self.report(
                node,
                f"`{binding.name}` has path operations ({routes}) but no `include_router` of "
                "an app receives it, directly or through included routers: they are never "
                "served",
            )
            return

    valid = (
        Case(
            """
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            users = APIRouter()
            listed = APIRouter()
            empty = APIRouter()

            @users.get("/users")
            def list_users(): ...

            @listed.get("/listed")
            def listed_route(): ...

            app.include_router(users)
            for router in [listed]:
                app.include_router(router)
            """
        ),
        # A library: no app in the project.
        Case(
            """
            from fastapi import APIRouter

            router = APIRouter()

            @router.get("/health")
            def health(): ...
            """
        ),
        # Mounted, or handed to a function that may include it.
        Case(
            """
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            mounted = APIRouter()
            handed = APIRouter()

            @mounted.get("/m")
            def m(): ...

            @handed.get("/h")
            def h(): ...

            app.mount("/legacy", mounted)

            def register(target: APIRouter) -> None:
                app.include_router(target)

            register(handed)
            """
        ),
        # OpenAPI callbacks: a router whose routes are only documented, never included.
        Case(
            """
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            callbacks = APIRouter()

            @callbacks.post("{$callback_url}/events")
            def event_notification(): ...

            @app.post("/subscribe", callbacks=callbacks.routes)
            def subscribe(): ...
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import APIRouter, FastAPI

            app = FastAPI()
            reports = APIRouter(prefix="/reports")  # error: `reports` has path operations (1 route)
            inner = APIRouter()  # error: `inner`

            @reports.get("/daily")
            def daily(): ...

            @inner.get("/x")
            def x(): ...

            reports.include_router(inner)
            """
        ),
        # In another module than the app.
        Case(
            """
            from fastapi import APIRouter

            router = APIRouter()  # error: no `include_router` of an app receives it

            @router.get("/orphan")
            def orphan(): ...
            """,
            path="app/orphans.py",
            files={
                "app/__init__.py": "",
                "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            },
        ),
        # Several routers, each name's uses told apart: another module includes something
        # called `public` that cannot be resolved (so `public` may be served), `admin` only
        # decorates.
        Case(
            """
            from fastapi import APIRouter

            admin = APIRouter()  # error: `admin` has path operations (2 routes)
            public = APIRouter()

            @admin.get("/a")
            def a(): ...

            @admin.delete("/a")
            def delete_a(): ...

            @public.get("/p")
            def p(): ...
            """,
            path="app/routes.py",
            files={
                "app/__init__.py": "",
                "app/main.py": (
                    "import importlib\n\nfrom fastapi import FastAPI\n\n"
                    "app = FastAPI()\n"
                    'app.include_router(importlib.import_module("app.routes").public)\n'
                ),
            },
        ),
    )
