"""FL103 transitive-blocking-call: the call graph across modules, its depth and its stops."""

from __future__ import annotations

import os
from pathlib import Path

from _event_loop import messages

from fastlint.fastapi.callgraph import MAX_DEPTH, FunctionEffects
from fastlint.rules.fl103_transitive_blocking_call import TransitiveBlockingCall

from conftest import write_tree

SERVICES = """
    import requests


    def fetch(url: str) -> dict:
        return requests.get(url).json()


    def load_profile(user_id: int) -> dict:
        return fetch(f"https://profiles.example/{user_id}")


    class ProfileService:
        def __init__(self, base: str) -> None:
            self.base = base

        def load(self, user_id: int) -> dict:
            return load_profile(user_id)
"""

ROUTER = """
    from fastapi import APIRouter

    from app import services
    from app.services import ProfileService

    router = APIRouter()


    @router.get("/users/{user_id}")
    async def get_user(user_id: int):
        return services.load_profile(user_id)


    @router.get("/profiles/{user_id}")
    async def get_profile(user_id: int):
        service = ProfileService("https://profiles.example")
        return service.load(user_id)
"""


def test_helper_in_services_from_a_router_module() -> None:
    found = messages(
        TransitiveBlockingCall, ROUTER, {"app/services.py": SERVICES}, path="app/routers/x.py"
    )
    assert found == [
        "`services.load_profile()` in async path operation `get_user` reaches a blocking call "
        "(a sync HTTP request): get_user -> services.load_profile -> services.fetch -> "
        "requests.get",
        "`service.load()` in async path operation `get_profile` reaches a blocking call (a sync "
        "HTTP request): get_profile -> ProfileService.load -> services.load_profile -> "
        "services.fetch -> requests.get",
    ]


def test_method_of_a_class_injected_by_depends() -> None:
    code = """
        from typing import Annotated

        from fastapi import Depends, FastAPI

        from app.services import ProfileService

        app = FastAPI()


        def get_service() -> ProfileService:
            return ProfileService("https://profiles.example")


        @app.get("/me")
        async def me(service: Annotated[ProfileService, Depends(get_service)]):
            return service.load(1)
    """
    (found,) = messages(TransitiveBlockingCall, code, {"app/services.py": SERVICES})
    assert found.endswith(
        "me -> ProfileService.load -> services.load_profile -> services.fetch -> requests.get"
    )


def test_awaited_async_helper_in_repo_calling_a_sync_helper() -> None:
    repo = """
        from app.services import load_profile


        async def user_with_profile(user_id: int) -> dict:
            return {"id": user_id, "profile": load_profile(user_id)}
    """
    route = """
        from fastapi import FastAPI

        from app.repo import user_with_profile

        app = FastAPI()


        @app.get("/users/{user_id}")
        async def read_user(user_id: int):
            return await user_with_profile(user_id)
    """
    found = messages(
        TransitiveBlockingCall,
        repo,
        {"app/main.py": route, "app/services.py": SERVICES},
        path="app/repo.py",
    )
    assert found == [
        "`load_profile()` in `user_with_profile`, awaited from async path operation "
        "(main.read_user -> repo.user_with_profile) reaches a blocking call (a sync HTTP "
        "request): main.read_user -> repo.user_with_profile -> services.load_profile -> "
        "services.fetch -> requests.get"
    ]


def _chain_of(depth: int) -> str:
    lines = ["import time", "", "from fastapi import FastAPI", "", "app = FastAPI()", ""]
    for level in range(depth):
        lines += [f"def level{level}():", f"    return level{level + 1}()", ""]
    lines += [f"def level{depth}():", "    time.sleep(1)", ""]
    lines += ["@app.get('/')", "async def index():", "    return level0()", ""]
    return "\n".join(lines)


def test_depth_of_at_least_five() -> None:
    (found,) = messages(TransitiveBlockingCall, _chain_of(5))
    assert found.endswith(
        "index -> main.level0 -> main.level1 -> main.level2 -> main.level3 -> main.level4 -> "
        "main.level5 -> time.sleep"
    )


def test_search_stops_at_its_depth() -> None:
    assert MAX_DEPTH >= 5
    assert len(messages(TransitiveBlockingCall, _chain_of(MAX_DEPTH - 1))) == 1
    assert messages(TransitiveBlockingCall, _chain_of(MAX_DEPTH + 2)) == []


def test_cycle_with_a_blocking_exit() -> None:
    code = """
        import os

        from fastapi import FastAPI

        app = FastAPI()


        def a(n):
            return b(n - 1) if n else os.system("true")


        def b(n):
            return a(n)


        @app.get("/")
        async def index():
            return b(3)
    """
    (found,) = messages(TransitiveBlockingCall, code)
    assert found.endswith("index -> main.b -> main.a -> os.system")


def test_thread_pool_stops_the_chain_inside_a_helper() -> None:
    code = """
        import time

        from fastapi import FastAPI
        from starlette.concurrency import run_in_threadpool

        app = FastAPI()


        def slow():
            time.sleep(1)


        def schedule():
            return run_in_threadpool(slow)


        @app.get("/")
        async def index():
            return await schedule()
    """
    assert messages(TransitiveBlockingCall, code) == []


def test_effects_are_cached_with_the_index(tmp_path: Path) -> None:
    from fastlint.config import settings_from_table
    from fastlint.project.cache import SummaryCache
    from fastlint.runner import run

    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\n",
            "app/__init__.py": "",
            "app/services.py": SERVICES,
            "app/routers/__init__.py": "",
            "app/routers/x.py": ROUTER,
        },
    )
    settings = settings_from_table({}, str(tmp_path / "pyproject.toml"))
    first = run([str(tmp_path)], settings, [TransitiveBlockingCall])
    assert len(first.diagnostics) == 2
    cache = SummaryCache(str(tmp_path))
    entries = [
        os.path.join(directory, name)
        for directory, _, names in os.walk(cache.directory)
        for name in names
        if name.startswith("effects-")
    ]
    assert entries, "no effects were stored"
    stored = [cache.get(os.path.basename(path)[: -len(".pickle")]) for path in entries]
    assert all(isinstance(e, FunctionEffects) for value in stored for e in value)
    second = run([str(tmp_path)], settings, [TransitiveBlockingCall])
    assert [d.message for d in second.diagnostics] == [d.message for d in first.diagnostics]
