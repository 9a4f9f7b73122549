"""FL104 missing-await: a coroutine created in an `async def` and dropped."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.fastapi.blocking import coroutine_call
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule
from fastlint.semantic import summary as s
from fastlint.semantic.model import FileModel
from fastlint.semantic.summary import Binding, CallSite, Scope


class MissingAwait(Rule):
    """## What it does
    Finds coroutines that are created and dropped in an `async def`: a call of a coroutine
    method whose result is neither awaited, returned, yielded nor handed on. It knows the
    coroutine methods of `AsyncSession` (SQLAlchemy's and SQLModel's: `execute`, `get`,
    `commit`, `refresh`, `scalar`, `scalars`, `flush`, `delete`, `close`, `rollback`...),
    `UploadFile` (`read`, `write`, `seek`, `close`), `Request` (`json`, `body`, `form`),
    `WebSocket` (`accept`, `receive_*`, `send_*`, `close`) and `httpx.AsyncClient`, and the
    project's own `async def` functions and methods where the receiver's class is known. The
    call is reported as an expression statement, or as the value of a plain name that the
    function never reads again.

    ## Why is this bad?
    Calling a coroutine function only creates the coroutine; nothing of it runs until it is
    awaited. `session.commit()` without `await` commits nothing, `websocket.send_text(...)`
    sends nothing, and Python only says so with a `RuntimeWarning` when the coroutine is
    garbage-collected, long after the request returned a success.

    ## Example
    ```python
    @app.post("/items")
    async def create_item(item: Item, session: AsyncSession = Depends(get_session)):
        session.add(item)
        session.commit()
        return item
    ```

    ## Use instead
    ```python
    @app.post("/items")
    async def create_item(item: Item, session: AsyncSession = Depends(get_session)):
        session.add(item)
        await session.commit()
        return item
    ```

    A coroutine that is awaited, returned, yielded, passed to another call
    (`asyncio.gather`, `asyncio.create_task`, `asyncio.ensure_future`,
    `background_tasks.add_task`...) or stored in a name that the function reads later
    (awaited later) is not reported; neither are receivers of unknown type, sync methods
    (`session.add()`), `async def` functions under a decorator that may change what they
    return, and async generator functions.

    ## Fix safety
    The fix inserts `await` before the call, and it is safe: the code does what it plainly
    says it means. The coroutine now runs, so its effect (a commit, a message sent) happens
    where until now it silently did not.
    """

    code = "FL104"
    name = "missing-await"
    message = "Coroutine is created and never awaited"
    description = "a coroutine (`AsyncSession.commit()`, a project `async def`) never awaited"
    fix_availability = FixAvailability.SAFE
    requires_any = ("async",)

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        model, types = file.model, file.types
        return any(
            site.usage in (s.STATEMENT, s.ASSIGNED)
            and site.scope == scope.id
            and coroutine_call(model, types, site) is not None
            for scope in model.functions()
            if scope.is_async
            for _, site in model.own_calls(scope)
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None:
            return
        model, types = self.context.model, self.context.types
        scope = model.scope_of(node)
        if scope is None:
            return
        for index, site in model.own_calls(scope):
            if site.usage not in (s.STATEMENT, s.ASSIGNED) or site.scope != scope.id:
                continue
            made = coroutine_call(model, types, site)
            if made is None:
                continue
            if site.usage == s.ASSIGNED and not _dropped(model, scope, site):
                continue
            call = model.call_node(index)
            if call is None:
                continue
            called = " ".join(self.context.code(call.func).split())
            fix = self.fix(Applicability.SAFE, "Add `await`").insert_before(call, "await ")
            self.report(
                call,
                f"`{called}()` creates a coroutine (`{made}`) that is never awaited: "
                "it does not run",
                fix=fix,
            )

    valid = (
        # Awaited, returned, gathered, handed to create_task/add_task, stored and awaited.
        Case(
            """
            import asyncio

            from fastapi import BackgroundTasks, Depends, FastAPI
            from sqlalchemy.ext.asyncio import AsyncSession

            app = FastAPI()

            async def notify(user_id: int) -> None:
                ...

            @app.post("/users")
            async def create(tasks: BackgroundTasks, session: AsyncSession = Depends(get_db)):
                session.add(User())
                await session.commit()
                await asyncio.gather(session.refresh(user), notify(1))
                asyncio.create_task(notify(2))
                asyncio.ensure_future(notify(3))
                tasks.add_task(notify, 4)
                pending = session.execute("select 1")
                result = await pending
                later = notify(5)
                tasks.add_task(lambda: later)
                return session.scalar("select 1")
            """
        ),
        # Receivers of unknown type, sync methods, a sync def, async generators.
        Case(
            """
            from fastapi import FastAPI, Request

            app = FastAPI()

            async def events():
                yield 1

            @app.get("/a")
            async def a(request: Request, client, db):
                client.get("https://example.com")
                db.commit()
                request.url_for("a")
                events()
                return {}

            def sync_view(request: Request):
                request.json()
            """
        ),
        # A decorated async def may be something else; a yielded coroutine is handed on.
        Case(
            """
            import functools

            from fastapi import FastAPI

            app = FastAPI()

            def cached(function):
                @functools.wraps(function)
                def wrapper(*args):
                    return function(*args)
                return wrapper

            @cached
            async def load():
                return 1

            @app.get("/a")
            async def a():
                load()
                return {}

            async def producer(session):
                yield load()
            """
        ),
    )
    invalid = (
        # The docstring example.
        Case(
            """
            from fastapi import Depends, FastAPI
            from sqlalchemy.ext.asyncio import AsyncSession

            app = FastAPI()

            @app.post("/items")
            async def create_item(item: dict, session: AsyncSession = Depends(get_session)):
                session.add(item)
                session.commit()  # error: creates a coroutine (`AsyncSession.commit`)
                return item
            """,
            expected="""
            from fastapi import Depends, FastAPI
            from sqlalchemy.ext.asyncio import AsyncSession

            app = FastAPI()

            @app.post("/items")
            async def create_item(item: dict, session: AsyncSession = Depends(get_session)):
                session.add(item)
                await session.commit()
                return item
            """,
        ),
        # UploadFile, Request, WebSocket, httpx.AsyncClient; an assigned, never-read result.
        Case(
            """
            import httpx
            from fastapi import FastAPI, Request, UploadFile, WebSocket

            app = FastAPI()

            @app.post("/upload")
            async def upload(file: UploadFile, request: Request):
                data = file.read()  # error: `UploadFile.read`
                file.close()  # error
                payload = request.json()  # error: `Request.json`
                async with httpx.AsyncClient() as client:
                    client.post("https://example.com")  # error: `AsyncClient.post`
                return {"ok": True}

            @app.websocket("/ws")
            async def ws(websocket: WebSocket):
                websocket.accept()  # error
                websocket.send_text("hello")  # error: `WebSocket.send_text`
            """,
            expected="""
            import httpx
            from fastapi import FastAPI, Request, UploadFile, WebSocket

            app = FastAPI()

            @app.post("/upload")
            async def upload(file: UploadFile, request: Request):
                data = await file.read()
                await file.close()
                payload = await request.json()
                async with httpx.AsyncClient() as client:
                    await client.post("https://example.com")
                return {"ok": True}

            @app.websocket("/ws")
            async def ws(websocket: WebSocket):
                await websocket.accept()
                await websocket.send_text("hello")
            """,
        ),
        # The project's own async functions and methods where the receiver's class is known.
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()

            async def audit(event: str) -> None:
                ...

            class Repository:
                async def save(self, item) -> None:
                    ...

                async def save_all(self, items) -> None:
                    for item in items:
                        self.save(item)  # error: `Repository.save`

            @app.post("/items")
            async def create(item: dict):
                audit("create")  # error: `main.audit`
                repo = Repository()
                repo.save(item)  # error
                return item
            """,
            safety="safe",
        ),
    )


def _dropped(model: FileModel, scope: Scope, site: CallSite) -> bool:
    """Whether the call's value goes only into plain names that the function (or code nested
    in it) never reads: a coroutine stored in an attribute, an item, or a name read later is
    handed on."""
    if any(a.value is site.call for a in model.summary.attributes):
        return False
    targets = [b for b in model.summary.bindings if b.kind == s.ASSIGN and b.value is site.call]
    if not targets or any(b.unpack or b.scope != scope.id for b in targets):
        return False
    return not any(_read(model, scope, binding) for binding in targets)


def _read(model: FileModel, scope: Scope, binding: Binding) -> bool:
    for name, point in model.cst.loads:
        if name.value == binding.name and _inside(model, point.scope, scope.id):
            return True
    return False


def _inside(model: FileModel, scope_id: int, function: int) -> bool:
    current: Optional[int] = scope_id
    while current is not None and current >= 0:
        if current == function:
            return True
        current = model.summary.scopes[current].parent
    return False
