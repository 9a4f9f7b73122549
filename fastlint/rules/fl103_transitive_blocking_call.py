"""FL103 transitive-blocking-call: an async context calls a project function that blocks."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fastlint.fastapi.callgraph import CALLS, PASSES, Chain
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule


class TransitiveBlockingCall(Rule):
    """## What it does
    Finds calls, in code that FastAPI runs on the event loop (the async contexts of FL101),
    of sync functions of this project that block: directly, or through further project
    functions, they do what FL101 or FL102 report (sync database I/O, `time.sleep`,
    `requests`, file and subprocess calls...). The project's call graph covers module
    functions, methods of project classes where the receiver's class is known
    (`self.load()`, `service.load()` with `service = Service()` or a typed parameter),
    constructors, and project functions handed on as callbacks (`map(load, ids)`, a project
    helper that calls the function it is given). The message names the chain, e.g.
    `get_user -> services.load_profile -> requests.get`; it is followed up to 8 calls deep
    and the shortest chain is shown.

    ## Why is this bad?
    A blocking call hidden in a helper blocks the loop just as much as one written in the
    route: every concurrent request of the worker waits for it. No other tool follows the call
    into the helper, so these are the blocking calls that survive review.

    ## Example
    ```python
    # services.py
    import requests


    def load_profile(user_id: int) -> dict:
        return requests.get(f"https://profiles.example/{user_id}").json()


    # main.py
    from fastapi import FastAPI

    from app import services

    app = FastAPI()


    @app.get("/users/{user_id}")
    async def get_user(user_id: int):
        return services.load_profile(user_id)
    ```

    ## Use instead
    Run the helper in a thread, make the route a sync `def`, or make the helper async:
    ```python
    from fastapi.concurrency import run_in_threadpool


    @app.get("/users/{user_id}")
    async def get_user(user_id: int):
        return await run_in_threadpool(services.load_profile, user_id)
    ```

    Calls dispatched to a thread pool (`run_in_threadpool`, `asyncio.to_thread`,
    `loop.run_in_executor`) stop the chain; calling a sync generator function only creates
    the generator (a `StreamingResponse` iterates it in a thread), and calling an `async def`
    only creates a coroutine: neither is reported. Neither are functions under a decorator
    that may change when their body runs (`functools.lru_cache`, a project decorator), nor
    calls made under a lazy initialisation of a global (`global _store` then
    `if _store is None: ...`), which run on the first call only. Cycles of calls end the
    search.

    ## Fix safety
    There is no fix: where the blocking should go (a thread, an async client, a sync route)
    is a design decision.
    """

    code = "FL103"
    name = "transitive-blocking-call"
    message = "Call of a project function that blocks the event loop"
    description = "an async context calls a project function that blocks (the chain is shown)"
    fix_availability = FixAvailability.NONE
    uses_project_facts = True
    requires_any = ("async",)

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        graph = file.project.call_graph
        for scope, _ in file.loop_functions():
            for effect in graph.effects_here(file.model, scope, file.types):
                follows = effect.kind == CALLS or (
                    effect.kind == PASSES and graph.calls_parameter(effect.via, effect.param)
                )
                if follows and graph.chain_from(effect.target) is not None:
                    return True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        found = self.context.async_context(node)
        if found is None:
            return
        scope, async_context = found
        model = self.context.model
        graph = self.context.project.call_graph
        reported: set[int] = set()
        name = node.name.value
        start = (name,) if len(async_context.chain) <= 1 else async_context.chain
        where = async_context.describe(name)
        for effect in graph.effects_here(model, scope, self.context.types):
            if effect.call in reported:
                continue
            chain: Optional[Chain] = None
            if effect.kind == CALLS:
                chain = graph.chain_from(effect.target)
                names = chain.names if chain is not None else ()
            elif effect.kind == PASSES and graph.calls_parameter(effect.via, effect.param):
                chain = graph.chain_from(effect.target)
                names = (_short(effect.via), *chain.names) if chain is not None else ()
            if chain is None:
                continue
            call = model.call_node(effect.call)
            if call is None:
                continue
            reported.add(effect.call)
            called = " ".join(self.context.code(call.func).split())
            self.report(
                call,
                f"`{called}()` in {where} reaches a blocking call ({chain.reason}): "
                f"{' -> '.join((*start, *names))}",
            )

    valid = (
        # A helper dispatched to a thread pool; a helper that does not block.
        Case(
            """
            import asyncio

            import requests
            from fastapi import FastAPI
            from fastapi.concurrency import run_in_threadpool

            app = FastAPI()

            def load(url):
                return requests.get(url).json()

            def pure(x):
                return x * 2

            @app.get("/a")
            async def a(url: str):
                first = await run_in_threadpool(load, url)
                second = await asyncio.to_thread(load, url)
                loop = asyncio.get_running_loop()
                third = await loop.run_in_executor(None, load, url)
                return first, second, third, pure(2)
            """
        ),
        # A sync generator function only makes a generator (StreamingResponse iterates it in
        # a thread); an async helper makes a coroutine (its own body is checked, as awaited).
        Case(
            """
            import time

            from fastapi import FastAPI
            from fastapi.responses import StreamingResponse

            app = FastAPI()

            def chunks():
                for i in range(3):
                    time.sleep(1)
                    yield str(i)

            @app.get("/stream")
            async def stream():
                return StreamingResponse(chunks())
            """
        ),
        # Cycles terminate; a sync route may call blocking helpers.
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()

            def ping(n):
                return pong(n - 1) if n else 0

            def pong(n):
                return ping(n - 1) if n else 1

            @app.get("/a")
            async def a():
                return ping(10)

            def blocking():
                return open("x").read()

            @app.get("/b")
            def b():
                return blocking()
            """
        ),
        # A helper that blocks only inside a nested function it never calls, or in a lambda
        # it hands to a thread.
        Case(
            """
            import time

            from fastapi import FastAPI
            from fastapi.concurrency import run_in_threadpool

            app = FastAPI()

            def make_task():
                def later():
                    time.sleep(1)
                return later

            async def offload():
                return await run_in_threadpool(lambda: time.sleep(1))

            @app.get("/a")
            async def a():
                task = make_task()
                return task, await offload()
            """
        ),
        # A lazily initialised global: the blocking call runs on the first request only.
        Case(
            """
            import json

            from fastapi import FastAPI

            app = FastAPI()
            _config = None

            def config():
                global _config
                if _config is None:
                    with open("config.json") as handle:
                        _config = json.load(handle)
                return _config

            @app.get("/a")
            async def a():
                return config()
            """
        ),
    )
    invalid = (
        # The docstring example, across modules.
        Case(
            """
            from fastapi import FastAPI

            from app import services

            app = FastAPI()

            @app.get("/users/{user_id}")
            async def get_user(user_id: int):
                return services.load_profile(user_id)  # error
            """,
            files={
                "app/__init__.py": "",
                "app/services.py": (
                    "import requests\n\n\n"
                    "def load_profile(user_id: int) -> dict:\n"
                    '    return requests.get(f"https://profiles.example/{user_id}").json()\n'
                ),
            },
            messages=(
                "`services.load_profile()` in async path operation `get_user` reaches a blocking "
                "call (a sync HTTP request): get_user -> services.load_profile -> requests.get",
            ),
        ),
        # Five project functions deep, through a method whose receiver's class is known and a
        # sync database call.
        Case(
            """
            from fastapi import FastAPI
            from sqlalchemy import create_engine, text
            from sqlalchemy.orm import Session

            engine = create_engine("sqlite://")
            app = FastAPI()

            class Repository:
                def __init__(self):
                    self.session = Session(engine)

                def count(self):
                    return self.session.execute(text("select count(*) from users"))

                def stats(self):
                    return self.count()

            def level3():
                return Repository().stats()

            def level2():
                return level3()

            def level1():
                return level2()

            @app.get("/stats")
            async def stats():
                return level1()  # error
            """,
            messages=(
                ": stats -> main.level1 -> main.level2 -> main.level3 -> Repository.stats -> "
                "Repository.count -> Session.execute",
            ),
        ),
        # Callbacks: handed to `map`, and to a project helper that calls its parameter.
        Case(
            """
            import time

            from fastapi import FastAPI

            app = FastAPI()

            def slow(x):
                time.sleep(x)
                return x

            def retry(action, times=3):
                for _ in range(times):
                    return action()

            @app.get("/a")
            async def a():
                values = list(map(slow, [1, 2]))  # error: a -> main.slow -> time.sleep
                return values, retry(slow)  # error: a -> main.retry -> main.slow -> time.sleep
            """,
        ),
        # An async helper awaited by a route: the message names the whole chain.
        Case(
            """
            import subprocess

            from fastapi import FastAPI

            app = FastAPI()

            def convert(path):
                subprocess.run(["convert", path])

            async def process(path):
                convert(path)  # error: main.orders -> main.process -> main.convert -> subprocess

            @app.post("/orders")
            async def orders(path: str):
                await process(path)
            """,
        ),
    )


def _short(qualname: str) -> str:
    parts = qualname.replace(".<locals>", "").split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else qualname
