"""FL402 on-event-ignored: startup/shutdown handlers on an app that has a lifespan."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.fastapi.facts import AppObject
from fastlint.nodes import is_name
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule

_EVENT_ARGUMENTS = ("on_startup", "on_shutdown")


class OnEventIgnored(Rule):
    """## What it does
    Reports startup and shutdown handlers registered on a `FastAPI` app that also has a
    `lifespan`: `@app.on_event(...)`, `app.add_event_handler(...)`,
    `app.router.on_startup.append(...)`, and `on_startup=`/`on_shutdown=` next to `lifespan=`
    in `FastAPI(...)`. The app and its lifespan are found across the project: a handler
    registered in `events.py` on the `app` of `main.py` is reported too.

    ## Why is this bad?
    Once an app has a lifespan, FastAPI runs only the lifespan: the app's startup and shutdown
    handlers are silently skipped. The connection pool is never opened, the cache never
    warmed, the client never closed, and nothing says so at start-up.

    ## Example
    ```python
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield


    app = FastAPI(lifespan=lifespan)


    @app.on_event("startup")
    async def connect() -> None:
        await database.connect()
    ```

    ## Use instead
    Call the handler from the lifespan:
    ```python
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await database.connect()
        yield
    ```

    Handlers on an `APIRouter` are not reported: FastAPI still runs them next to the app's
    lifespan. Apps without a lifespan are FL401's.

    ## Fix safety
    There is no fix: where in the lifespan the handler belongs (before other setup, around the
    `yield`) is the author's decision.
    """

    code = "FL402"
    name = "on-event-ignored"
    message = "This handler never runs: the app has a `lifespan`, so FastAPI skips it"
    description = "startup/shutdown handlers on an app that has a `lifespan` (they never run)"
    fix_availability = FixAvailability.NONE
    requires_any = ("on_event", "on_startup", "on_shutdown", "event_handler")
    uses_project_facts = True

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        """Handlers are reported on an app with a lifespan, or next to one in a call."""
        if any(obj.is_app and obj.lifespan for obj in file.facts.objects.values()):
            return True
        return any(
            any(a.keyword in _EVENT_ARGUMENTS for a in site.call.args)
            and any(a.keyword == "lifespan" for a in site.call.args)
            for site in file.calls()
        )

    def _app_with_lifespan(self, receiver: cst.BaseExpression) -> Optional[AppObject]:
        model = self.context.model
        expr, point = model.expr_of(receiver), model.point_of(receiver)
        if expr is None or point is None:
            return None
        owner = self.context.facts.object_at(model, expr, point)
        return owner if owner is not None and owner.is_app and owner.lifespan else None

    def _message(self, owner: AppObject, what: str) -> str:
        app = owner.key.rsplit(".", 1)[-1]
        return (
            f"{what} never runs: `{app}` has a `lifespan`, and FastAPI then skips startup and "
            "shutdown handlers; call it from the lifespan"
        )

    def visit_Decorator(self, node: cst.Decorator) -> None:
        call = node.decorator
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "on_event"
        ):
            owner = self._app_with_lifespan(call.func.value)
            if owner is not None:
                self.report(node, self._message(owner, "This `on_event` handler"))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method == "add_event_handler":
                owner = self._app_with_lifespan(func.value)
                if owner is not None:
                    self.report(node, self._message(owner, "The handler added here"))
            elif (
                method == "append"
                and isinstance(func.value, cst.Attribute)
                and func.value.attr.value in _EVENT_ARGUMENTS
            ):
                owner = self._app_with_lifespan(func.value.value)
                if owner is not None:
                    self.report(node, self._message(owner, "The handler appended here"))
        events = [a for a in node.args if a.keyword and a.keyword.value in _EVENT_ARGUMENTS]
        lifespan = next((a for a in node.args if a.keyword and a.keyword.value == "lifespan"), None)
        if not events or lifespan is None or is_name(lifespan.value, "None"):
            return
        kind = self.context.facts.app_class(self.context.model.resolve(func))
        if kind is None or not kind[0]:
            return  # routers still run their handlers
        for arg in events:
            assert arg.keyword is not None
            handlers = arg.value
            if isinstance(handlers, (cst.List, cst.Tuple)) and not handlers.elements:
                continue
            if is_name(handlers, "None"):
                continue
            self.report(
                arg,
                f"The handlers in `{arg.keyword.value}=` never run: FastAPI skips startup and "
                "shutdown handlers of an app with a `lifespan`; call them from the lifespan",
            )

    valid = (
        # A lifespan alone, and handlers alone (FL401's), are fine here.
        Case(
            """
            from contextlib import asynccontextmanager
            from fastapi import FastAPI

            @asynccontextmanager
            async def lifespan(app: FastAPI):
                yield

            app = FastAPI(lifespan=lifespan)
            other = FastAPI()

            @other.on_event("startup")
            async def start() -> None: ...
            """
        ),
        # Handlers on an included router still run next to the app's lifespan.
        Case(
            """
            from contextlib import asynccontextmanager
            from fastapi import APIRouter, FastAPI

            @asynccontextmanager
            async def lifespan(app: FastAPI):
                yield

            router = APIRouter(lifespan=lifespan, on_startup=[print])
            app = FastAPI(lifespan=lifespan)

            @router.on_event("startup")
            async def warm() -> None: ...

            app.include_router(router)
            """
        ),
        # `lifespan=None` is no lifespan; empty handler lists register nothing.
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI(lifespan=None, on_startup=[])

            @app.on_event("startup")
            async def start() -> None: ...
            """
        ),
        # Something else with an `on_event` method.
        Case(
            """
            from fastapi import FastAPI

            bus = make_bus(lifespan=True)

            @bus.on_event("startup")
            def handler() -> None: ...
            """
        ),
    )
    invalid = (
        Case(
            """
            from contextlib import asynccontextmanager
            from fastapi import FastAPI

            @asynccontextmanager
            async def lifespan(app: FastAPI):
                yield

            app = FastAPI(lifespan=lifespan, on_shutdown=[close])

            @app.on_event("startup")
            async def connect() -> None: ...

            @app.router.on_event("shutdown")
            def close() -> None: ...

            app.add_event_handler("startup", connect)
            app.router.on_startup.append(connect)
            """,
            count=5,
            message="never run",
        ),
        # The app and its lifespan live in another module.
        Case(
            """
            from app.main import app

            @app.on_event("startup")
            async def warm_cache() -> None: ...
            """,
            path="app/events.py",
            files={
                "app/__init__.py": "",
                "app/main.py": (
                    "from fastapi import FastAPI\n"
                    "from app.life import lifespan\n"
                    "app = FastAPI(title='x', lifespan=lifespan)\n"
                ),
            },
            count=1,
            message="`app` has a `lifespan`",
        ),
        # A lifespan set through the router is a lifespan too.
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()
            app.router.lifespan_context = lifespan

            @app.on_event("shutdown")
            async def close() -> None: ...
            """,
            count=1,
        ),
    )
