"""FL104 missing-await: coroutines of the project across modules, and the await fix."""

from __future__ import annotations

from _event_loop import dedent, findings, fixed, messages

from fastlint.rules.fl104_missing_await import MissingAwait

REPO = """
    from sqlalchemy.ext.asyncio import AsyncSession


    async def save_order(session: AsyncSession, order: dict) -> None:
        session.add(order)
        await session.commit()


    class OrderRepository:
        def __init__(self, session: AsyncSession) -> None:
            self.session = session

        async def save(self, order: dict) -> None:
            self.session.add(order)
            await self.session.commit()

        def sync_count(self) -> int:
            return 0
"""


def test_awaited_async_helper_in_repo_called_without_await() -> None:
    code = """
        from fastapi import APIRouter

        from app import repo
        from app.repo import save_order

        router = APIRouter()


        @router.post("/orders")
        async def create(order: dict):
            save_order(None, order)
            repo.save_order(None, order)
            return order
    """
    found = messages(MissingAwait, code, {"app/repo.py": REPO}, path="app/routers/x.py")
    assert found == [
        "`save_order()` creates a coroutine (`repo.save_order`) that is never awaited: it does "
        "not run",
        "`repo.save_order()` creates a coroutine (`repo.save_order`) that is never awaited: it "
        "does not run",
    ]


def test_method_of_a_project_class_from_another_module() -> None:
    code = """
        from typing import Annotated

        from fastapi import Depends, FastAPI

        from app.repo import OrderRepository

        app = FastAPI()
        Repo = Annotated[OrderRepository, Depends()]


        @app.post("/orders")
        async def create(order: dict, repo: Repo):
            repo.save(order)
            repo.sync_count()
            return order
    """
    assert fixed(MissingAwait, code, {"app/repo.py": REPO}) == dedent(
        """
        from typing import Annotated

        from fastapi import Depends, FastAPI

        from app.repo import OrderRepository

        app = FastAPI()
        Repo = Annotated[OrderRepository, Depends()]


        @app.post("/orders")
        async def create(order: dict, repo: Repo):
            await repo.save(order)
            repo.sync_count()
            return order
        """
    )


def test_session_alias_from_deps() -> None:
    deps = """
        from typing import Annotated

        from fastapi import Depends
        from sqlalchemy.ext.asyncio import AsyncSession


        async def get_session():
            yield AsyncSession()


        SessionDep = Annotated[AsyncSession, Depends(get_session)]
    """
    code = """
        from fastapi import APIRouter

        from app.deps import SessionDep

        router = APIRouter()


        @router.delete("/orders/{order_id}")
        async def delete(order_id: int, session: SessionDep):
            order = await session.get(Order, order_id)
            session.delete(order)
            result = session.flush()
    """
    found = messages(MissingAwait, code, {"app/deps.py": deps}, path="app/routers/x.py")
    assert [m.split("`")[3] for m in found] == ["AsyncSession.delete", "AsyncSession.flush"]


def test_sqlmodel_async_session_exec() -> None:
    code = """
        from fastapi import FastAPI
        from sqlmodel.ext.asyncio.session import AsyncSession

        app = FastAPI()


        @app.get("/heroes")
        async def heroes(session: AsyncSession):
            session.exec(select(Hero))
    """
    assert fixed(MissingAwait, code).endswith("    await session.exec(select(Hero))\n")


def test_stored_and_awaited_later_or_handed_on() -> None:
    code = """
        import asyncio

        from fastapi import FastAPI, Request

        app = FastAPI()


        async def work(n: int) -> int:
            return n


        @app.get("/")
        async def index(request: Request):
            body = request.body()
            first = work(1)
            tasks = [work(2)]
            results = await asyncio.gather(first, *tasks)
            pending = {"task": work(3)}
            loop_task = asyncio.get_running_loop().create_task(work(4))
            return await body, results, pending, loop_task
    """
    assert findings(MissingAwait, code) == []


def test_a_name_rebound_to_a_coroutine_and_never_read() -> None:
    code = """
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept()
            message = websocket.receive_text()
    """
    assert fixed(MissingAwait, code).endswith("    message = await websocket.receive_text()\n")


def test_not_flagged_in_sync_code_or_outside_functions() -> None:
    code = """
        from fastapi import Request


        def view(request: Request):
            request.json()


        class Handler:
            def handle(self, request: Request):
                request.body()
    """
    assert findings(MissingAwait, code) == []
