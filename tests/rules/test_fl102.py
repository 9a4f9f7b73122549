"""FL102 blocking-call-in-async: multi-file projects, the two fixes and how they combine."""

from __future__ import annotations

import ast

from _event_loop import dedent, findings, fixed, messages

from fastlint.rules.fl101_sync_db_in_async import SyncDbInAsync
from fastlint.rules.fl102_blocking_call_in_async import BlockingCallInAsync
from fastlint.rules.fl104_missing_await import MissingAwait

MAIN = """
    from fastapi import FastAPI

    from app.routers import orders

    app = FastAPI()
    app.include_router(orders.router)
"""

REPO_MODULE = """
    import time


    async def load_orders(user_id: int) -> list[int]:
        time.sleep(0.1)
        return [user_id]


    async def unused() -> None:
        time.sleep(0.1)
"""

ORDERS = """
    from fastapi import APIRouter

    from app import repo

    router = APIRouter(prefix="/orders")


    @router.get("/")
    async def list_orders(user_id: int):
        return await repo.load_orders(user_id)
"""


def test_awaited_helper_in_repo_is_async_context() -> None:
    found = messages(
        BlockingCallInAsync,
        REPO_MODULE,
        {"app/main.py": MAIN, "app/routers/orders.py": ORDERS},
        path="app/repo.py",
    )
    assert found == [
        "Blocking call `time.sleep()` (sleeps the thread) in `load_orders`, awaited from async "
        "path operation (orders.list_orders -> repo.load_orders) blocks the event loop"
    ]


def test_router_in_another_module() -> None:
    code = """
        import requests
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/proxy")
        async def proxy(url: str):
            return requests.get(url).text
    """
    found = messages(BlockingCallInAsync, code, {"app/main.py": MAIN}, path="app/routers/x.py")
    assert found == [
        "Blocking call `requests.get()` (a sync HTTP request) in async path operation `proxy` "
        "blocks the event loop"
    ]


def test_dependency_through_an_alias_in_deps() -> None:
    deps = """
        from typing import Annotated

        import httpx
        from fastapi import Depends


        async def current_user(token: str) -> dict:
            return httpx.get(f"https://auth.example/{token}").json()


        UserDep = Annotated[dict, Depends(current_user)]
    """
    route = """
        from fastapi import APIRouter

        from app.deps import UserDep

        router = APIRouter()


        @router.get("/me")
        async def me(user: UserDep):
            return user
    """
    found = messages(
        BlockingCallInAsync, deps, {"app/routers/x.py": route, "app/main.py": MAIN}, "app/deps.py"
    )
    assert found == [
        "Blocking call `httpx.get()` (a sync HTTP request) in async dependency `current_user` "
        "blocks the event loop"
    ]


def test_upload_file_of_a_dependency_alias() -> None:
    code = """
        from typing import Annotated

        from fastapi import FastAPI, File, UploadFile

        app = FastAPI()
        Upload = Annotated[UploadFile, File()]


        @app.post("/files")
        async def store(upload: Upload):
            content = upload.file.read()
            return len(content)
    """
    assert len(messages(BlockingCallInAsync, code)) == 1


def test_sleep_import_lands_in_isort_order_and_time_goes() -> None:
    code = '''
        """The service."""

        from __future__ import annotations

        import os
        import time

        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/")
        async def index():
            time.sleep(1)
            return os.getcwd()
    '''
    assert fixed(BlockingCallInAsync, code) == dedent(
        '''
        """The service."""

        from __future__ import annotations

        import asyncio
        import os

        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/")
        async def index():
            await asyncio.sleep(1)
            return os.getcwd()
        '''
    )


def test_sleep_import_after_other_stdlib_plain_imports() -> None:
    """Plain imports come before ``from`` imports in a section, as isort orders them."""
    code = """
        import json
        from time import sleep

        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/")
        async def index():
            sleep(1)
            sleep(2)
            return json.dumps({})
    """
    assert fixed(BlockingCallInAsync, code) == dedent(
        """
        import asyncio
        import json

        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/")
        async def index():
            await asyncio.sleep(1)
            await asyncio.sleep(2)
            return json.dumps({})
        """
    )


def test_no_safe_fix_when_asyncio_means_something_else() -> None:
    code = """
        import time

        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/")
        async def index(request):
            await request.body()
            asyncio = "taken"
            time.sleep(1)
            return asyncio
    """
    (finding,) = findings(BlockingCallInAsync, code)
    assert finding.fix is None


def test_sleep_next_to_a_database_call_goes_with_the_rewrite() -> None:
    """FL101 rewrites the function into a sync ``def``; an ``await`` inserted into it by the
    sleep fix would not compile, so the sleep is left to the rewrite."""
    code = """
        import time

        from fastapi import Depends, FastAPI
        from sqlalchemy.orm import Session

        app = FastAPI()


        @app.get("/users")
        async def users(db: Session = Depends(get_db)):
            time.sleep(1)
            return db.query(User).all()
    """
    (finding,) = findings(BlockingCallInAsync, code)
    assert finding.fix is not None and finding.fix.applicability.value == "unsafe"
    both = [SyncDbInAsync, BlockingCallInAsync]
    safe = fixed(BlockingCallInAsync, code, rules=both)
    assert safe == dedent(code)
    result = fixed(BlockingCallInAsync, code, unsafe=True, rules=both)
    assert "\ndef users(" in result and "await" not in result
    ast.parse(result)


def test_sleep_fix_and_await_fix_in_one_function() -> None:
    code = """
        import time

        from fastapi import Depends, FastAPI
        from sqlalchemy.ext.asyncio import AsyncSession

        app = FastAPI()


        @app.post("/items")
        async def create(session: AsyncSession = Depends(get_session)):
            session.commit()
            time.sleep(1)
            return {}
    """
    result = fixed(
        BlockingCallInAsync, code, unsafe=True, rules=[BlockingCallInAsync, MissingAwait]
    )
    assert "    await session.commit()\n    await asyncio.sleep(1)\n" in result
    assert result.startswith("import asyncio\n\nfrom fastapi import Depends, FastAPI\n")


def test_sync_rewrite_withheld_where_the_body_needs_the_loop() -> None:
    code = """
        import asyncio
        import subprocess

        from fastapi import FastAPI

        app = FastAPI()


        @app.post("/jobs")
        async def jobs():
            asyncio.create_task(other())
            subprocess.run(["true"])
    """
    (finding,) = findings(BlockingCallInAsync, code)
    assert finding.fix is None


def test_sync_rewrite_withheld_for_a_dependency_project_code_awaits() -> None:
    code = """
        import requests
        from fastapi import Depends, FastAPI

        app = FastAPI()


        async def token() -> str:
            return requests.get("https://auth.example").text


        @app.get("/a")
        async def a(value: str = Depends(token)):
            return value


        async def refresh() -> str:
            return await token()
    """
    (finding,) = findings(BlockingCallInAsync, code)
    assert finding.fix is None


def test_sync_rewrite_of_a_dependency() -> None:
    code = """
        import requests
        from fastapi import Depends, FastAPI

        app = FastAPI()


        async def token() -> str:
            return requests.get("https://auth.example").text


        @app.get("/a")
        async def a(value: str = Depends(token)):
            return value
    """
    result = fixed(BlockingCallInAsync, code, unsafe=True)
    assert "\ndef token() -> str:" in result and "\nasync def a(" in result


def test_pathlib_and_open_through_imports() -> None:
    code = """
        import builtins
        import pathlib

        from fastapi import FastAPI

        app = FastAPI()
        ROOT = pathlib.Path(__file__).resolve().parent


        @app.get("/")
        async def index():
            await other()
            page = (ROOT / "templates" / "index.html").read_text()
            raw = ROOT.joinpath("a.bin").read_bytes()
            with builtins.open("log.txt", "a") as log:
                log.write(page)
            return raw
    """
    found = messages(BlockingCallInAsync, code)
    assert [m.split("`")[1] for m in found] == [
        '(ROOT / "templates" / "index.html").read_text()',
        'ROOT.joinpath("a.bin").read_bytes()',
        "builtins.open()",
    ]


def test_helper_in_services_is_fl103_not_fl102() -> None:
    services = """
        import time


        def wait() -> None:
            time.sleep(1)
    """
    code = """
        from fastapi import FastAPI

        from app.services import wait

        app = FastAPI()


        @app.get("/")
        async def index():
            wait()
    """
    assert messages(BlockingCallInAsync, code, {"app/services.py": services}) == []


def test_time_stays_imported_while_still_used() -> None:
    code = """
        import time

        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/")
        async def index():
            time.sleep(1)
            return time.monotonic()
    """
    result = fixed(BlockingCallInAsync, code)
    assert result.startswith("import asyncio\nimport time\n")
    assert "    await asyncio.sleep(1)\n    return time.monotonic()\n" in result
