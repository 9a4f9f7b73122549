"""FL101 sync-db-in-async: synchronous database I/O in code that runs on the event loop."""

from __future__ import annotations

import libcst as cst

from fastlint.fastapi.blocking import loop_calls, sync_db_reason
from fastlint.fastapi.sync_rewrite import sync_def_blocker, sync_def_fix
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule


class SyncDbInAsync(Rule):
    """## What it does
    Finds synchronous database I/O in code that FastAPI runs on the event loop: the body of an
    `async def` path operation, dependency (also one named in an `Annotated` alias of another
    module), middleware (`@app.middleware`, `BaseHTTPMiddleware.dispatch`, a pure ASGI
    `__call__` added with `add_middleware`), lifespan function, startup or shutdown handler,
    exception handler or background task handed to `add_task`, wherever in the project it is
    registered; and of every `async def` of the project that one of those awaits, directly or
    through further `async def` functions or methods (`await self.repo.load()`): the message
    then names the chain (`list_orders -> services.load_orders`).
    It reports I/O methods (`execute`, `exec`, `query`, `get`, `scalar`, `scalars`, `commit`,
    `rollback`, `flush`, `refresh`, `merge`, `connect`, `begin`...) on a sync SQLAlchemy or
    SQLModel `Session`, `scoped_session`, `Connection` or `Engine`, `MetaData.create_all()` /
    `drop_all()` with a sync engine, and calls of sync drivers: `sqlite3`, `psycopg2`, sync
    `psycopg`, `pymysql`, `MySQLdb`, `pymongo` collections and sync `redis.Redis` clients.

    The type of the receiver is established, never guessed from its name: a parameter annotation
    (also `Annotated[Session, Depends(...)]` and aliases such as `SessionDep` defined in any
    module of the project), a `Depends(get_db)` whose provider returns or yields a sync session
    (`SessionLocal()` from a sync `sessionmaker`, `Session(engine)`), or a value created in the
    function or at module level (`engine = create_engine(...)`).

    ## Why is this bad?
    A synchronous driver waits for the database while holding the event loop: no other request
    of that worker makes progress until the query returns. Under load, one slow query stalls
    every concurrent request, health checks time out and latency grows with traffic. FastAPI
    only moves work to a thread pool for sync `def` functions; in an `async def` the call runs on
    the loop itself.

    ## Example
    ```python
    from fastapi import Depends, FastAPI
    from sqlalchemy.orm import Session

    from app.db import get_db

    app = FastAPI()


    @app.get("/users")
    async def list_users(db: Session = Depends(get_db)):
        return db.query(User).all()
    ```

    ## Use instead
    A sync `def` (FastAPI runs it in a thread pool), or an async driver (`AsyncSession`,
    `redis.asyncio`, `motor`), or `run_in_threadpool` for a single call:
    ```python
    @app.get("/users")
    def list_users(db: Session = Depends(get_db)):
        return db.query(User).all()
    ```

    Calls handed to `run_in_threadpool`, `asyncio.to_thread`, `loop.run_in_executor` or
    `anyio.to_thread.run_sync`, `session.add()` (no I/O), and receivers of unknown type are not
    reported.

    ## Fix safety
    The fix turns `async def` into `def`, and only for path operations and dependencies
    (FastAPI runs those in its thread pool when they are sync) that no project code awaits or
    hands to another call (a plain `def` returns no awaitable: `TypeError`), whose own body has
    no `await`, `async for` or `async with`, does not use the running event loop
    (`asyncio.get_running_loop`, `create_task`, `ensure_future`, `get_event_loop` raise "no
    running event loop" in a worker thread), sets no `contextvars.ContextVar` (a dependency's
    context variable would no longer be seen by the route), calls no `async def` of the project
    without awaiting it, and carries no decorator other than FastAPI's own. Middleware,
    lifespans, event and exception handlers and functions awaited from them keep running on the
    loop whatever their form, so they get no fix. It is unsafe: a sync function holds one of
    the pool's limited threads for as long as it runs.
    """

    code = "FL101"
    name = "sync-db-in-async"
    message = "Synchronous database call in async context blocks the event loop"
    description = "synchronous database I/O in an `async def` FastAPI runs on the event loop"
    fix_availability = FixAvailability.UNSAFE
    uses_project_facts = True
    # Every finding lies in an ``async def``; the receiver's type may come from another module,
    # so no database word is guaranteed to appear in the file itself.
    requires_any = ("async",)

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        model, types = file.model, file.types
        return any(
            sync_db_reason(model, types, site) is not None
            for scope, _ in file.loop_functions()
            for _, site in loop_calls(model, types, scope)
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        found = self.context.async_context(node)
        if found is None:
            return
        scope, async_context = found
        model, types = self.context.model, self.context.types
        findings: dict[int, str] = {}
        for index, site in loop_calls(model, types, scope):
            reason = sync_db_reason(model, types, site)
            if reason is not None:
                findings[index] = reason
        if not findings:
            return
        fixable = sync_def_blocker(self.context, node, scope, async_context) is None
        where = async_context.describe(node.name.value)
        for index, reason in findings.items():
            call = model.call_node(index)
            if call is None:
                continue
            receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
            if isinstance(receiver, cst.Call) and model.cst.calls.get(receiver) in findings:
                continue  # engine.connect().execute(...): reported once, on the first call
            called = " ".join(self.context.code(call.func).split())
            message = (
                f"Synchronous database call `{called}()` ({reason}) in {where} "
                "blocks the event loop"
            )
            self.report(call, message, fix=sync_def_fix(node) if fixable else None)

    valid = (
        # AsyncSession, awaited.
        Case(
            """
            from typing import Annotated
            from fastapi import Depends, FastAPI
            from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://db")
            SessionLocal = async_sessionmaker(engine)
            app = FastAPI()

            async def get_db():
                async with SessionLocal() as session:
                    yield session

            @app.get("/users")
            async def list_users(db: Annotated[AsyncSession, Depends(get_db)]):
                result = await db.execute("select 1")
                await db.commit()
                return result.all()
            """
        ),
        # async_sessionmaker and sessionmaker(class_=AsyncSession) make async sessions.
        Case(
            """
            from fastapi import FastAPI
            from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
            from sqlalchemy.orm import sessionmaker

            engine = create_async_engine("postgresql+asyncpg://db")
            SessionLocal = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
            app = FastAPI()

            @app.get("/users")
            async def list_users():
                async with SessionLocal() as session:
                    await session.execute("select 1")
                async with engine.begin() as conn:
                    await conn.execute("select 1")
            """
        ),
        # redis.asyncio and motor are async.
        Case(
            """
            import redis.asyncio as aioredis
            from fastapi import FastAPI
            from motor.motor_asyncio import AsyncIOMotorClient

            app = FastAPI()
            cache = aioredis.from_url("redis://localhost")
            client = AsyncIOMotorClient("mongodb://localhost")

            @app.get("/items/{key}")
            async def read(key: str):
                value = await cache.get(key)
                doc = await client.shop.items.find_one({"key": key})
                return {"value": value, "doc": doc}
            """
        ),
        # Calls handed to a thread pool.
        Case(
            """
            import asyncio
            import anyio
            from fastapi import Depends, FastAPI
            from fastapi.concurrency import run_in_threadpool
            from sqlalchemy.orm import Session

            app = FastAPI()

            @app.get("/users")
            async def list_users(db: Session = Depends(get_db)):
                users = await run_in_threadpool(lambda: db.query(User).all())
                await asyncio.to_thread(db.commit)
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, lambda: db.execute("select 1"))
                await anyio.to_thread.run_sync(db.flush)
                await run_in_threadpool(db.refresh(users[0]))
                return users
            """
        ),
        # A sync def route runs in the thread pool.
        Case(
            """
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session

            app = FastAPI()

            @app.get("/users")
            def list_users(db: Session = Depends(get_db)):
                return db.query(User).all()
            """
        ),
        # session.add() does no I/O.
        Case(
            """
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session

            app = FastAPI()

            @app.post("/users")
            async def create_user(db: Session = Depends(get_db)):
                db.add(User())
                db.delete(User())
                return {"ok": True}
            """
        ),
        # Receivers of unknown type.
        Case(
            """
            from fastapi import FastAPI, Request

            app = FastAPI()

            @app.get("/users")
            async def list_users(request: Request, db=None):
                request.state.db.execute("select 1")
                db.query(User).all()
                params = request.query_params.get("q")
                return repo.get(params)
            """
        ),
        # An async helper that FastAPI does not run itself is not an async context.
        Case(
            """
            from sqlalchemy.orm import Session

            async def load_users(db: Session):
                return db.query(User).all()
            """
        ),
        # A nested sync def inside a path operation is not async context.
        Case(
            """
            from fastapi import FastAPI
            from sqlalchemy import create_engine
            from sqlalchemy.orm import Session

            engine = create_engine("sqlite://")
            app = FastAPI()

            @app.get("/users")
            async def list_users():
                def load():
                    with Session(engine) as session:
                        return session.execute("select 1").all()
                return await run_in_threadpool(load)
            """
        ),
        # A name bound to a sync session and to something else: the type is unknown.
        Case(
            """
            from fastapi import FastAPI
            from sqlalchemy.orm import Session

            app = FastAPI()

            @app.get("/users")
            async def list_users(flag: bool):
                db = Session(engine)
                if flag:
                    db = make_repository()
                return db.execute("select 1")
            """
        ),
        # `get` on a router is not a database call.
        Case(
            """
            from fastapi import APIRouter

            router = APIRouter()

            @router.get("/")
            async def index(data: dict):
                return data.get("x")
            """
        ),
    )
    invalid = (
        # The docstring example, with the exact fix.
        Case(
            """
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session

            app = FastAPI()

            @app.get("/users")
            async def list_users(db: Session = Depends(get_db)):
                return db.query(User).all()
            """,
            expected="""
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session

            app = FastAPI()

            @app.get("/users")
            def list_users(db: Session = Depends(get_db)):
                return db.query(User).all()
            """,
            unsafe=True,
            count=1,
            message=(
                "Synchronous database call `db.query()` (on a sync SQLAlchemy `Session`) in "
                "async path operation `list_users` blocks the event loop"
            ),
        ),
        # A body that awaits gets no fix; every call is reported.
        Case(
            """
            from typing import Annotated
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session

            app = FastAPI()

            @app.post("/users")
            async def create_user(request: Request, db: Annotated[Session, Depends(get_db)]):
                payload = await request.json()
                db.add(User(**payload))
                db.commit()
                db.refresh(user)
                return user
            """,
            expected="""
            from typing import Annotated
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session

            app = FastAPI()

            @app.post("/users")
            async def create_user(request: Request, db: Annotated[Session, Depends(get_db)]):
                payload = await request.json()
                db.add(User(**payload))
                db.commit()
                db.refresh(user)
                return user
            """,
            unsafe=True,
            count=2,
        ),
        # A dependency that yields a session from a sync sessionmaker; two findings, one edit.
        Case(
            """
            from fastapi import APIRouter, Depends
            from sqlalchemy import create_engine
            from sqlalchemy.orm import sessionmaker

            engine = create_engine("postgresql://db")
            SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)
            router = APIRouter()

            def get_db():
                db = SessionLocal()
                try:
                    yield db
                finally:
                    db.close()

            @router.delete("/items/{item_id}")
            async  def  delete_item(item_id: int, db=Depends(get_db)):  # keep this comment
                item = db.get(Item, item_id)
                db.delete(item)
                db.commit()
            """,
            expected="""
            from fastapi import APIRouter, Depends
            from sqlalchemy import create_engine
            from sqlalchemy.orm import sessionmaker

            engine = create_engine("postgresql://db")
            SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)
            router = APIRouter()

            def get_db():
                db = SessionLocal()
                try:
                    yield db
                finally:
                    db.close()

            @router.delete("/items/{item_id}")
            def  delete_item(item_id: int, db=Depends(get_db)):  # keep this comment
                item = db.get(Item, item_id)
                db.delete(item)
                db.commit()
            """,
            unsafe=True,
            count=2,
        ),
        # SQLModel: `with Session(engine) as session: yield session`, and session.exec().
        Case(
            """
            from typing import Annotated
            from fastapi import Depends, FastAPI
            from sqlmodel import Session, create_engine, select

            engine = create_engine("sqlite:///db.sqlite")

            def get_session():
                with Session(engine) as session:
                    yield session

            SessionDep = Annotated[Session, Depends(get_session)]
            app = FastAPI()

            @app.get("/heroes")
            async def read_heroes(session: SessionDep):
                return session.exec(select(Hero)).all()
            """,
            count=1,
            message="on a sync SQLModel `Session`",
        ),
        # Locals created in the body: Session(engine), engine.connect(), engine.begin().
        Case(
            """
            from fastapi import FastAPI
            from sqlalchemy import create_engine, text
            from sqlalchemy.orm import Session

            engine = create_engine("sqlite://")
            app = FastAPI()

            @app.get("/stats")
            async def stats():
                with Session(engine) as session:
                    session.scalar(text("select 1"))
                conn = engine.connect()
                conn.execute(text("select 1"))
                with engine.begin() as tx:
                    tx.execute(text("select 2"))
                with session.begin():
                    pass
            """,
            count=6,
        ),
        # Lifespan: create_all with a sync engine; no fix (a lifespan must stay async).
        Case(
            """
            from contextlib import asynccontextmanager
            from fastapi import FastAPI
            from sqlalchemy import create_engine
            from sqlmodel import SQLModel

            engine = create_engine("sqlite://")

            @asynccontextmanager
            async def lifespan(app: FastAPI):
                SQLModel.metadata.create_all(engine)
                yield
                Base.metadata.drop_all(bind=engine)

            app = FastAPI(lifespan=lifespan)
            """,
            count=2,
            message="with a sync SQLAlchemy engine) in async lifespan function `lifespan`",
        ),
        # Sync drivers: sqlite3, psycopg2 and their cursors.
        Case(
            """
            import sqlite3
            import psycopg2
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/a")
            async def a():
                conn = sqlite3.connect("app.db")
                rows = conn.execute("select 1").fetchall()
                with psycopg2.connect("dbname=app") as pg:
                    with pg.cursor() as cur:
                        cur.execute("select 1")
                        return cur.fetchone()
            """,
            count=5,
            message="(sync driver `sqlite3`)",
        ),
        # pymongo collections and sync redis.
        Case(
            """
            import redis
            from fastapi import FastAPI
            from pymongo import MongoClient

            app = FastAPI()
            client = MongoClient("mongodb://localhost")
            users = client["shop"]["users"]
            cache = redis.Redis(host="localhost")

            @app.get("/users/{name}")
            async def get_user(name: str):
                cached = cache.get(name)
                doc = client.shop.users.find_one({"name": name})
                users.insert_one({"name": name})
                pipe = cache.pipeline()
                pipe.set(name, "1")
                pipe.execute()
                return doc
            """,
            count=4,
        ),
        # Middleware, exception handlers, websocket: they keep running on the loop (RULES.md:
        # the rewrite is for path operations and dependencies only), so no fix.
        Case(
            """
            from fastapi import FastAPI, Request
            from sqlalchemy.orm import Session

            app = FastAPI()

            @app.middleware("http")
            async def audit(request: Request, call_next):
                with Session(engine) as session:
                    session.commit()
                return await call_next(request)

            @app.exception_handler(ValueError)
            async def on_value_error(request: Request, exc: ValueError):
                with Session(engine) as session:
                    session.rollback()

            @app.websocket("/ws")
            async def ws(websocket):
                with Session(engine) as session:
                    session.execute("select 1")
            """,
            expected="""
            from fastapi import FastAPI, Request
            from sqlalchemy.orm import Session

            app = FastAPI()

            @app.middleware("http")
            async def audit(request: Request, call_next):
                with Session(engine) as session:
                    session.commit()
                return await call_next(request)

            @app.exception_handler(ValueError)
            async def on_value_error(request: Request, exc: ValueError):
                with Session(engine) as session:
                    session.rollback()

            @app.websocket("/ws")
            async def ws(websocket):
                with Session(engine) as session:
                    session.execute("select 1")
            """,
            unsafe=True,
            count=3,
        ),
        # An async dependency (through an import alias of Session) is an async context.
        Case(
            """
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session as S

            app = FastAPI()

            async def current_user(db: S = Depends(get_db)):
                return db.scalars(select(User)).first()

            @app.get("/me")
            async def me(user=Depends(current_user)):
                return user
            """,
            expected="""
            from fastapi import Depends, FastAPI
            from sqlalchemy.orm import Session as S

            app = FastAPI()

            def current_user(db: S = Depends(get_db)):
                return db.scalars(select(User)).first()

            @app.get("/me")
            async def me(user=Depends(current_user)):
                return user
            """,
            unsafe=True,
            count=1,
            message="in async dependency `current_user`",
        ),
    )
