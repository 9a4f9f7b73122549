"""FL102 blocking-call-in-async: blocking calls other than database I/O on the event loop."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.edits import import_module
from fastlint.fastapi.blocking import Blocking, blocking_call, is_sleep, loop_calls
from fastlint.fastapi.sync_rewrite import sync_def_blocker, sync_def_fix
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, FixBuilder, Rule
from fastlint.semantic import summary as s
from fastlint.semantic.summary import CallSite, Scope


class BlockingCallInAsync(Rule):
    """## What it does
    Finds calls that block the thread in code that FastAPI runs on the event loop (the same
    async contexts as FL101: `async def` path operations, dependencies, middleware, lifespans,
    startup/shutdown and exception handlers, `async def` background tasks, and the project's
    `async def` functions they await): `time.sleep()`, `requests.*` calls and
    `requests.Session` methods, the module-level `httpx.get/post/...` functions and
    `httpx.Client` methods, `urllib.request.urlopen()`, `urllib3`, the built-in `open()`,
    `pathlib.Path` `read_text`/`read_bytes`/`write_text`/`write_bytes`/`open`,
    `subprocess.run/call/check_call/check_output`, `os.system`, `smtplib.SMTP` (connecting
    and its methods), `socket.create_connection`, and `UploadFile.file.read()`. Names are
    resolved through imports (`from time import sleep`, `import requests as r`) and receivers
    by their inferred class.

    ## Why is this bad?
    While the call waits, the event loop waits with it: no other request of that worker makes
    progress. One `time.sleep(1)` in a route caps the whole worker at one request a second,
    and a slow upstream HTTP call stalls every concurrent request.

    ## Example
    ```python
    import time

    import requests
    from fastapi import FastAPI

    app = FastAPI()


    @app.get("/weather")
    async def weather(city: str):
        time.sleep(0.5)
        return requests.get(f"https://weather.example/{city}").json()
    ```

    ## Use instead
    An async client (`httpx.AsyncClient`, `aiofiles`, `anyio.open_file`), `await
    asyncio.sleep()`, a thread (`run_in_threadpool`, `asyncio.to_thread`), or a sync `def`
    that FastAPI runs in its thread pool:
    ```python
    import asyncio

    import httpx
    from fastapi import FastAPI

    app = FastAPI()


    @app.get("/weather")
    async def weather(city: str):
        await asyncio.sleep(0.5)
        async with httpx.AsyncClient() as client:
            return (await client.get(f"https://weather.example/{city}")).json()
    ```

    Calls handed to `run_in_threadpool`, `asyncio.to_thread`, `loop.run_in_executor` or
    `anyio.to_thread.run_sync`, awaited calls, `httpx.AsyncClient`, `aiofiles` and
    `anyio.open_file`, sync `def` routes and receivers of unknown type are not reported.

    ## Fix safety
    `time.sleep(x)` as a statement becomes `await asyncio.sleep(x)` (with `import asyncio`
    added in isort order): a safe fix, the coroutine still waits as long, and the loop serves
    other requests meanwhile. Other findings get the unsafe fix of FL101: `async def` becomes
    `def`, only for path operations and dependencies that no project code awaits, whose body
    has no `await`/`async for`/`async with`, does not use the running loop and sets no
    `ContextVar` (see FL101). Where a function gets that rewrite, its `time.sleep()` calls are
    left to it too (a sync `def` may sleep in its worker thread).
    """

    code = "FL102"
    name = "blocking-call-in-async"
    message = "Blocking call in async context blocks the event loop"
    description = "`time.sleep`, `requests`, sync `httpx`, files, subprocesses on the event loop"
    fix_availability = FixAvailability.SAFE_OR_UNSAFE
    uses_project_facts = True
    requires_any = ("async",)

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        model, types = file.model, file.types
        for scope, _ in file.loop_functions():
            for _, site in loop_calls(model, types, scope):
                found = blocking_call(model, types, site)
                if found is not None and found.code != "FL101":
                    return True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        here = self.context.async_context(node)
        if here is None:
            return
        scope, async_context = here
        model, types = self.context.model, self.context.types
        findings: dict[int, Blocking] = {}
        database = False  # FL101 findings get the `def` rewrite in this function
        for index, site in loop_calls(model, types, scope):
            found = blocking_call(model, types, site)
            if found is None:
                continue
            if found.code == "FL101":
                database = True
            else:
                findings[index] = found
        if not findings:
            return
        rewritable = sync_def_blocker(self.context, node, scope, async_context) is None
        rewritten = rewritable and (database or not all(map(is_sleep, findings.values())))
        where = async_context.describe(node.name.value)
        for index, found in findings.items():
            call = model.call_node(index)
            if call is None:
                continue
            called = " ".join(self.context.code(call.func).split())
            message = (
                f"Blocking call `{called}()` ({found.reason}) in {where} blocks the event loop"
            )
            fix: Optional[FixBuilder] = None
            if is_sleep(found) and not rewritten:
                fix = self._sleep_fix(call, model.summary.calls[index], scope)
            if fix is None and rewritable:
                fix = sync_def_fix(node)
            self.report(call, message, fix=fix)

    def _sleep_fix(self, call: cst.Call, site: CallSite, scope: Scope) -> Optional[FixBuilder]:
        """``time.sleep(x)`` -> ``await asyncio.sleep(x)``, for a statement of the function's
        own code (an ``await`` cannot go into a lambda, and would make a generator expression
        asynchronous)."""
        if site.usage != s.STATEMENT or site.scope != scope.id:
            return None
        args = site.call.args
        if len(args) != 1 or args[0].keyword is not None or args[0].star:
            return None
        if not isinstance(call.func, (cst.Name, cst.Attribute)) or call.func.lpar:
            return None
        fix = self.fix(Applicability.SAFE, "Use `await asyncio.sleep(...)`")
        asyncio = import_module(self.context, fix, "asyncio")
        if asyncio is None:
            return None
        head: cst.BaseExpression = call.func
        while isinstance(head, cst.Attribute):
            head = head.value
        if isinstance(head, cst.Name):
            fix.remove_if_unused(head.value)  # `import time` or `from time import sleep`
        return fix.replace(call.func, f"await {asyncio}.sleep")

    valid = (
        # Async clients, awaited sleeps, aiofiles and anyio files.
        Case(
            """
            import asyncio

            import aiofiles
            import anyio
            import httpx
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/a")
            async def a():
                await asyncio.sleep(1)
                async with httpx.AsyncClient() as client:
                    response = await client.get("https://example.com")
                async with aiofiles.open("data.txt") as handle:
                    text = await handle.read()
                async with await anyio.open_file("data.txt") as other:
                    more = await other.read()
                return response.json(), text, more
            """
        ),
        # Calls handed to a thread pool.
        Case(
            """
            import asyncio
            import subprocess
            import time

            import anyio
            import requests
            from fastapi import FastAPI
            from fastapi.concurrency import run_in_threadpool

            app = FastAPI()

            @app.get("/a")
            async def a(url: str):
                await run_in_threadpool(requests.get, url)
                await asyncio.to_thread(time.sleep, 1)
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, lambda: subprocess.run(["ls"]))
                await anyio.to_thread.run_sync(lambda: open("x").read())
                await run_in_threadpool(requests.post(url))
            """
        ),
        # A sync def route runs in the thread pool; a nested sync def is not async context.
        Case(
            """
            import time

            import requests
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/a")
            def a():
                time.sleep(1)
                return requests.get("https://example.com").json()

            @app.get("/b")
            async def b():
                def load():
                    return open("data.txt").read()
                return {"loader": load}
            """
        ),
        # An async def that FastAPI does not run, and names that only look alike.
        Case(
            """
            import time

            from fastapi import FastAPI

            app = FastAPI()

            async def helper():
                time.sleep(1)

            @app.get("/a")
            async def a(request, client, path):
                request.get("x")
                client.post("https://example.com")
                path.read_text()
                sleep = lambda: None
                sleep()
            """
        ),
        # `open` shadowed by aiofiles' `open`; a local `requests` object.
        Case(
            """
            from aiofiles import open
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/a")
            async def a():
                async with open("data.txt") as handle:
                    return await handle.read()

            @app.get("/b")
            async def b(requests: dict):
                return requests.get("x")
            """
        ),
        # A connection made without a host connects later; `smtplib.SMTP()` alone does not.
        Case(
            """
            import smtplib

            from fastapi import FastAPI

            app = FastAPI()

            @app.post("/mail")
            async def mail():
                server = smtplib.SMTP()
                return server
            """
        ),
    )
    invalid = (
        # The docstring example: a path operation whose body does not await becomes a sync
        # `def`; its sleep goes with the rewrite (no `await` may be added to it then).
        Case(
            """
            import time

            import requests
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/weather")
            async def weather(city: str):
                time.sleep(0.5)  # error
                return requests.get(f"https://weather.example/{city}").json()  # error
            """,
            expected="""
            import time

            import requests
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/weather")
            def weather(city: str):
                time.sleep(0.5)
                return requests.get(f"https://weather.example/{city}").json()
            """,
            unsafe=True,
            safety="unsafe",
            messages=(
                "Blocking call `time.sleep()` (sleeps the thread) in async path operation "
                "`weather` blocks the event loop",
                "Blocking call `requests.get()` (a sync HTTP request) in async path operation",
            ),
        ),
        # time.sleep alone: the safe fix, with `import asyncio` placed in isort order (and
        # `import time` removed once unused).
        Case(
            """
            import time

            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/slow")
            async def slow(delay: float):
                time.sleep(delay)  # error
                return {"ok": True}
            """,
            expected="""
            import asyncio

            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/slow")
            async def slow(delay: float):
                await asyncio.sleep(delay)
                return {"ok": True}
            """,
            safety="safe",
        ),
        # `from time import sleep`, an existing `import asyncio as aio`, a body that awaits.
        Case(
            """
            import asyncio as aio
            from time import sleep

            from fastapi import FastAPI, Request

            app = FastAPI()

            @app.post("/retry")
            async def retry(request: Request):
                payload = await request.json()
                sleep(1)  # error
                return payload
            """,
            expected="""
            import asyncio as aio

            from fastapi import FastAPI, Request

            app = FastAPI()

            @app.post("/retry")
            async def retry(request: Request):
                payload = await request.json()
                await aio.sleep(1)
                return payload
            """,
            safety="safe",
        ),
        # A sleep that is not a statement of the function's own code gets no safe fix; the
        # body awaits, so no rewrite either.
        Case(
            """
            import time

            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/a")
            async def a(request):
                await request.body()
                x = time.sleep(1)  # error
                [time.sleep(i) for i in range(3)]  # error
                return x
            """,
            safety="none",
        ),
        # requests, httpx (module functions and Client), urllib, urllib3.
        Case(
            """
            import urllib.request

            import httpx
            import requests
            import urllib3
            from fastapi import APIRouter

            router = APIRouter()
            http = urllib3.PoolManager()

            @router.get("/proxy")
            async def proxy(url: str):
                await other()
                requests.post(url, json={})  # error: a sync HTTP request
                session = requests.Session()
                session.get(url)  # error
                httpx.get(url)  # error
                with httpx.Client() as client:
                    client.post(url)  # error
                urllib.request.urlopen(url)  # error
                http.request("GET", url)  # error
                urllib3.request("GET", url)  # error
            """,
            safety="none",
        ),
        # Files, subprocesses, the shell, SMTP, sockets, and the upload's own file.
        Case(
            """
            import os
            import smtplib
            import socket
            import subprocess
            from pathlib import Path

            from fastapi import FastAPI, UploadFile

            app = FastAPI()
            STATIC = Path(__file__).parent / "static"

            @app.post("/upload")
            async def upload(file: UploadFile):
                await file.seek(0)
                data = file.file.read()  # error: file I/O on the upload's spooled file
                with open("/tmp/out", "wb") as out:  # error: file I/O
                    out.write(data)
                (STATIC / "index.html").read_text()  # error
                Path("/tmp/x").write_bytes(data)  # error
                subprocess.run(["convert", "/tmp/out"])  # error: waits for a subprocess
                subprocess.check_output(["ls"])  # error
                os.system("sync")  # error: waits for a shell command
                with smtplib.SMTP("localhost") as server:  # error: connects to an SMTP server
                    server.sendmail("a@b", "c@d", "hi")  # error: talks to an SMTP server
                socket.create_connection(("example.com", 80))  # error
            """,
            safety="none",
        ),
        # Every async context: a dependency, middleware, a lifespan, handlers, a background
        # task and an async helper awaited by a route (the message names the chain).
        Case(
            """
            import time
            from contextlib import asynccontextmanager

            from fastapi import BackgroundTasks, Depends, FastAPI, Request
            from starlette.middleware.base import BaseHTTPMiddleware

            @asynccontextmanager
            async def lifespan(app: FastAPI):
                time.sleep(1)  # error: async lifespan function `lifespan`
                yield

            app = FastAPI(lifespan=lifespan)

            async def current_user():
                time.sleep(1)  # error: async dependency `current_user`

            @app.middleware("http")
            async def timing(request: Request, call_next):
                time.sleep(1)  # error: async middleware `timing`
                return await call_next(request)

            class Audit(BaseHTTPMiddleware):
                async def dispatch(self, request, call_next):
                    time.sleep(1)  # error: async middleware `dispatch`
                    return await call_next(request)

            class PureAsgi:
                def __init__(self, app):
                    self.app = app

                async def __call__(self, scope, receive, send):
                    time.sleep(1)  # error: async middleware `__call__`
                    await self.app(scope, receive, send)

            app.add_middleware(Audit)
            app.add_middleware(PureAsgi)

            @app.exception_handler(ValueError)
            async def on_error(request: Request, exc: ValueError):
                time.sleep(1)  # error: async exception handler `on_error`

            @app.on_event("startup")
            async def startup():
                time.sleep(1)  # error: async event handler `startup`

            async def notify(email: str):
                time.sleep(1)  # error: async background task `notify`

            async def load_orders():
                time.sleep(1)  # error: from async path operation (main.orders -> main.load_orders)

            @app.get("/orders")
            async def orders(tasks: BackgroundTasks, user=Depends(current_user)):
                tasks.add_task(notify, "a@b")
                return await load_orders()
            """,
            safety="safe",
        ),
    )
