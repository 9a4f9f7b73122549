"""FL101 sync-db-in-async: the inline cases, and multi-file projects."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fastlint.rules.fl101_sync_db_in_async import SyncDbInAsync
from fastlint.testing import run_rule


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _messages(
    code: str,
    files: dict[str, str] | None = None,
    path: str = "app/routers/users.py",
) -> list[str]:
    result = run_rule(
        SyncDbInAsync,
        _dedent(code),
        path=path,
        files={name: _dedent(text) for name, text in (files or {}).items()},
    )
    return [d.message for d in result.diagnostics]


def _fixed(code: str, files: dict[str, str] | None = None, path: str = "app/main.py") -> str:
    result = run_rule(
        SyncDbInAsync,
        _dedent(code),
        path=path,
        files={name: _dedent(text) for name, text in (files or {}).items()},
        fix=True,
        unsafe=True,
    )
    return result.fixed_text


SYNC_DEPS = """
    from typing import Annotated

    from fastapi import Depends
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session, sessionmaker

    engine = create_engine("postgresql://db")
    SessionLocal = sessionmaker(bind=engine)


    def get_db():
        db = SessionLocal()
        try:
            yield db
        finally:
            db.close()


    SessionDep = Annotated[Session, Depends(get_db)]
"""

ASYNC_DEPS = """
    from collections.abc import AsyncIterator
    from typing import Annotated

    from fastapi import Depends
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

    engine = create_async_engine("postgresql+asyncpg://db")
    SessionLocal = async_sessionmaker(engine)


    async def get_db() -> AsyncIterator[AsyncSession]:
        async with SessionLocal() as session:
            yield session


    SessionDep = Annotated[AsyncSession, Depends(get_db)]
"""

PACKAGE = {"app/__init__.py": "", "app/routers/__init__.py": ""}

USERS_ROUTER = """
    from fastapi import APIRouter
    {import_line}

    router = APIRouter(prefix="/users")


    @router.get("/")
    async def list_users(db: {annotation}):
        return db.query(User).all()
"""


def _users(import_line: str, annotation: str = "SessionDep") -> str:
    return USERS_ROUTER.format(import_line=import_line, annotation=annotation)


def test_alias_from_another_module() -> None:
    found = _messages(
        _users("from app.deps import SessionDep"), {**PACKAGE, "app/deps.py": SYNC_DEPS}
    )
    assert found == [
        "Synchronous database call `db.query()` (on a sync SQLAlchemy `Session`) in async path "
        "operation `list_users` blocks the event loop"
    ]


def test_alias_through_relative_import() -> None:
    found = _messages(
        _users("from ..deps import SessionDep"), {**PACKAGE, "app/deps.py": SYNC_DEPS}
    )
    assert len(found) == 1


def test_alias_imported_under_another_name() -> None:
    found = _messages(
        _users("from app.deps import SessionDep as DB", annotation="DB"),
        {**PACKAGE, "app/deps.py": SYNC_DEPS},
    )
    assert len(found) == 1


def test_alias_through_module_import() -> None:
    found = _messages(
        _users("from app import deps", annotation="deps.SessionDep"),
        {**PACKAGE, "app/deps.py": SYNC_DEPS},
    )
    assert len(found) == 1


def test_alias_reexported_by_a_package() -> None:
    files = {
        **PACKAGE,
        "app/deps/__init__.py": "from .database import SessionDep\n",
        "app/deps/database.py": SYNC_DEPS,
    }
    assert len(_messages(_users("from app.deps import SessionDep"), files)) == 1


def test_alias_in_namespace_package_without_init_files() -> None:
    found = _messages(_users("from app.deps import SessionDep"), {"app/deps.py": SYNC_DEPS})
    assert len(found) == 1


def test_relative_import_in_namespace_package_without_init_files() -> None:
    """Without __init__.py files, modules are named from the project root, so ``..deps``
    from ``app/routers/users.py`` still means ``app/deps.py``."""
    found = _messages(_users("from ..deps import SessionDep"), {"app/deps.py": SYNC_DEPS})
    assert len(found) == 1


def test_async_alias_from_another_module_is_not_flagged() -> None:
    code = """
        from fastapi import APIRouter
        from ..deps import SessionDep

        router = APIRouter()


        @router.get("/")
        async def list_users(db: SessionDep):
            await db.execute("select 1")
            return await db.get(User, 1)
    """
    assert _messages(code, {**PACKAGE, "app/deps.py": ASYNC_DEPS}) == []


def test_depends_default_on_provider_of_another_module() -> None:
    files = {
        **PACKAGE,
        "app/core.py": """
            from sqlalchemy import create_engine

            engine = create_engine("postgresql://db")
        """,
        "app/db.py": """
            from sqlalchemy.orm import sessionmaker

            from app.core import engine

            SessionLocal = sessionmaker(autocommit=False, bind=engine)


            def get_db():
                db = SessionLocal()
                try:
                    yield db
                finally:
                    db.close()
        """,
    }
    code = """
        from fastapi import APIRouter, Depends
        from app.db import get_db
        from app.core import engine

        router = APIRouter()


        @router.get("/")
        async def list_users(db=Depends(get_db)):
            rows = db.execute("select 1").all()
            with engine.connect() as conn:
                conn.exec_driver_sql("select 1")
            return rows
    """
    found = _messages(code, files)
    assert [f.split("`")[1] for f in found] == [
        "db.execute()",
        "engine.connect()",
        "conn.exec_driver_sql()",
    ]


def test_provider_returning_session_with_annotation() -> None:
    files = {
        **PACKAGE,
        "app/db.py": """
            from collections.abc import Iterator

            from sqlalchemy.orm import Session


            def get_session() -> Iterator[Session]:
                yield make_session()
        """,
    }
    code = """
        from typing import Annotated, Any
        from fastapi import APIRouter, Depends
        from app.db import get_session

        router = APIRouter()


        @router.get("/")
        async def list_users(db: Annotated[Any, Depends(get_session)]):
            return db.scalars(select(User)).all()
    """
    assert len(_messages(code, files)) == 1


def test_provider_with_async_sessionmaker_class_is_not_flagged() -> None:
    files = {
        **PACKAGE,
        "app/db.py": """
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(engine, class_=AsyncSession)


            async def get_db():
                async with SessionLocal() as session:
                    yield session
        """,
    }
    code = """
        from fastapi import APIRouter, Depends
        from app.db import get_db

        router = APIRouter()


        @router.get("/")
        async def list_users(db=Depends(get_db)):
            return await db.execute("select 1")
    """
    assert _messages(code, files) == []


def test_router_imported_from_another_module() -> None:
    files = {
        **PACKAGE,
        "app/api.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
    }
    code = """
        from sqlalchemy.orm import Session
        from app.api import router


        @router.post("/")
        async def create(db: Session):
            db.commit()
    """
    assert len(_messages(code, files)) == 1


def test_dependency_used_from_another_module_is_async_context() -> None:
    deps = (
        SYNC_DEPS
        + """

    async def get_current_user(db: SessionDep):
        return db.query(User).first()


    async def plain_helper(db: Session):
        return db.query(User).first()


    CurrentUser = Annotated[User, Depends(get_current_user)]
    """
    )
    users = """
        from fastapi import APIRouter
        from app.deps import CurrentUser

        router = APIRouter()


        @router.get("/me")
        async def me(user: CurrentUser):
            return user
    """
    found = _messages(deps, {**PACKAGE, "app/routers/users.py": _dedent(users)}, path="app/deps.py")
    assert len(found) == 1
    assert "async dependency `get_current_user`" in found[0]


def test_dependency_returned_by_a_factory() -> None:
    deps = (
        SYNC_DEPS
        + """

    def requires_role(role: str):
        async def check(db: SessionDep):
            return db.scalar(select(User.role)) == role

        return check


    def unrelated_factory():
        async def work(db: Session):
            return db.scalar(select(User.role))

        return work
    """
    )
    users = """
        from fastapi import APIRouter, Depends
        from app.deps import requires_role

        router = APIRouter()


        @router.get("/admin", dependencies=[Depends(requires_role("admin"))])
        async def admin():
            return 1
    """
    found = _messages(deps, {**PACKAGE, "app/routers/users.py": _dedent(users)}, path="app/deps.py")
    assert len(found) == 1
    assert "async dependency `check`" in found[0]


def test_plain_async_helper_is_not_async_context() -> None:
    code = """
        from sqlalchemy.orm import Session


        async def helper(db: Session):
            return db.query(User).all()
    """
    assert _messages(code, {**PACKAGE}) == []


def test_routes_nested_in_an_app_factory() -> None:
    code = """
        from fastapi import FastAPI
        from sqlalchemy import create_engine


        def create_app() -> FastAPI:
            engine = create_engine("sqlite://")
            app = FastAPI()

            @app.get("/")
            async def index():
                with engine.connect() as conn:
                    return conn.execute("select 1").all()

            return app
    """
    assert len(_messages(code, path="app/main.py")) == 2


def test_registrations_by_call() -> None:
    code = """
        from fastapi import FastAPI, Request
        from sqlalchemy import create_engine
        from starlette.middleware.base import BaseHTTPMiddleware

        engine = create_engine("sqlite://")


        async def startup():
            engine.connect()


        async def lifespan_fn(app):
            engine.connect()
            yield


        async def handler(request: Request, exc: Exception):
            engine.connect()


        async def endpoint():
            engine.connect()


        async def on_shutdown():
            engine.connect()


        class Audit(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                engine.connect()
                return await call_next(request)


        class PureAsgi:
            def __init__(self, app):
                self.app = app

            async def __call__(self, scope, receive, send):
                engine.connect()
                await self.app(scope, receive, send)


        app = FastAPI(lifespan=lifespan_fn, on_shutdown=[on_shutdown])
        app.add_event_handler("startup", startup)
        app.add_exception_handler(ValueError, handler)
        app.add_api_route("/", endpoint)
        app.add_middleware(Audit)
        app.add_middleware(PureAsgi)
    """
    found = _messages(code, path="app/main.py")
    roles = sorted(message.split(" in async ")[1].split(" blocks")[0] for message in found)
    assert roles == [
        "event handler `on_shutdown`",
        "event handler `startup`",
        "exception handler `handler`",
        "lifespan function `lifespan_fn`",
        "middleware `__call__`",
        "middleware `dispatch`",
        "path operation `endpoint`",
    ]


def test_class_dependency_call_method() -> None:
    code = """
        from fastapi import Depends, FastAPI
        from sqlalchemy.orm import Session

        app = FastAPI()


        class Checker:
            async def __call__(self, db: Session):
                db.query(User).first()


        checker = Checker()


        @app.get("/a", dependencies=[Depends(checker)])
        async def a():
            return 1


        class Other:
            async def __call__(self, db: Session):
                db.query(User).first()


        @app.get("/b", dependencies=[Depends(Other())])
        async def b():
            return 1


        class Unused:
            async def __call__(self, db: Session):
                db.query(User).first()
    """
    found = _messages(code, path="app/main.py")
    assert len(found) == 2


def test_scoped_session_and_context_manager_helper() -> None:
    code = """
        from contextlib import contextmanager
        from fastapi import FastAPI
        from sqlalchemy.orm import scoped_session, sessionmaker

        app = FastAPI()
        db_session = scoped_session(sessionmaker(bind=engine))
        Factory = sessionmaker(bind=engine)


        @contextmanager
        def session_scope():
            session = Factory()
            try:
                yield session
            finally:
                session.close()


        @app.get("/")
        async def index():
            db_session.query(User).all()
            with session_scope() as session:
                session.flush()
            with Factory.begin() as other:
                other.merge(User())
    """
    found = _messages(code, path="app/main.py")
    # ``Factory.begin()`` makes a session (no statement yet): only its use is reported.
    assert [f.split("`")[1] for f in found] == [
        "db_session.query()",
        "session.flush()",
        "other.merge()",
    ]


def test_annotation_forms() -> None:
    code = """
        from typing import Optional
        from fastapi import FastAPI
        import sqlalchemy.orm

        app = FastAPI()


        @app.get("/a")
        async def a(db: "sqlalchemy.orm.Session"):
            db.commit()


        @app.get("/b")
        async def b(db: Optional[sqlalchemy.orm.Session] = None):
            db.commit()


        @app.get("/c")
        async def c(db: sqlalchemy.orm.Session | None = None):
            db.commit()
    """
    assert len(_messages(code, path="app/main.py")) == 3


def test_no_fix_when_body_calls_a_project_coroutine() -> None:
    code = """
        from fastapi import FastAPI
        from sqlalchemy.orm import Session

        app = FastAPI()


        async def notify(user):
            ...


        @app.post("/")
        async def create(db: Session):
            db.commit()
            return notify(1)
    """
    source = _dedent(code)
    assert _fixed(code) == source


def test_fix_of_nested_route_keeps_indentation() -> None:
    code = """
        from fastapi import FastAPI
        from sqlalchemy.orm import Session


        def create_app():
            app = FastAPI()

            @app.get("/")
            async def index(db: Session):
                db.commit()

            return app
    """
    assert _fixed(code) == _dedent(code).replace("async def index", "def index")


def test_thread_pool_exemption_is_what_silences() -> None:
    template = """
        import asyncio
        from fastapi import FastAPI
        from fastapi.concurrency import run_in_threadpool
        from sqlalchemy.orm import Session

        app = FastAPI()


        @app.get("/")
        async def index(db: Session):
            return {call}
    """
    silent = [
        "await run_in_threadpool(db.execute, q)",
        "await run_in_threadpool(lambda: db.execute(q))",
        "await asyncio.to_thread(lambda: db.execute(q))",
        "await asyncio.get_running_loop().run_in_executor(None, lambda: db.execute(q))",
    ]
    assert len(_messages(template.format(call="db.execute(q)"), path="app/main.py")) == 1
    for call in silent:
        assert _messages(template.format(call=call), path="app/main.py") == [], call


def test_other_async_drivers_are_not_flagged() -> None:
    code = """
        import aiosqlite
        import psycopg
        import redis.asyncio as redis
        from fastapi import FastAPI
        from pymongo import AsyncMongoClient

        app = FastAPI()
        cache = redis.Redis()
        mongo = AsyncMongoClient()


        @app.get("/")
        async def index():
            async with aiosqlite.connect("db") as db:
                await db.execute("select 1")
            conn = await psycopg.AsyncConnection.connect("dbname=app")
            await conn.execute("select 1")
            await cache.get("k")
            await mongo.shop.users.find_one({})
    """
    assert _messages(code, path="app/main.py") == []


def test_nested_scopes_inside_a_route_are_not_async_context() -> None:
    code = """
        from fastapi import FastAPI
        from sqlalchemy.orm import Session

        app = FastAPI()


        @app.get("/")
        async def index(db: Session):
            async def helper():
                db.commit()

            class Repo:
                def save(self):
                    db.commit()

            later = lambda: db.commit()
            return helper, Repo, later
    """
    assert _messages(code, path="app/main.py") == []


def test_one_line_body() -> None:
    code = """
        from fastapi import FastAPI
        from sqlalchemy.orm import Session

        app = FastAPI()


        @app.post("/")
        async def index(db: Session): db.commit()
    """
    assert len(_messages(code, path="app/main.py")) == 1
    assert _fixed(code) == _dedent(code).replace("async def", "def")


def test_lifespan_imported_by_another_module() -> None:
    code = """
        from contextlib import asynccontextmanager
        from sqlalchemy import create_engine
        from sqlmodel import SQLModel

        engine = create_engine("sqlite://")


        @asynccontextmanager
        async def lifespan(app):
            SQLModel.metadata.create_all(engine)
            yield
    """
    main = """
        from fastapi import FastAPI
        from app.lifespan import lifespan

        app = FastAPI(lifespan=lifespan)
    """
    found = _messages(code, {**PACKAGE, "app/main.py": main}, path="app/lifespan.py")
    assert len(found) == 1
    assert "async lifespan function `lifespan`" in found[0]


def test_module_of_unrelated_async_code_is_silent() -> None:
    code = """
        import sqlite3


        async def migrate(path):
            conn = sqlite3.connect(path)
            conn.execute("select 1")
    """
    assert _messages(code, path="app/main.py") == []


def test_fix_is_idempotent_and_keeps_decorators_and_comments() -> None:
    code = """
        from fastapi import FastAPI
        from sqlalchemy.orm import Session

        app = FastAPI()


        @app.get("/a")  # route a
        # a comment between decorator and def
        async def a(db: Session) -> dict:  # trailing
            db.commit()  # commit
            db.flush()
            return {}
    """
    first = _fixed(code)
    assert first == _dedent(code).replace("async def a", "def a")
    assert _fixed(first) == first


# -- the model, types and facts under FL101, used directly -------------------------------------


def _context(code: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A FileContext for ``code`` as ``main.py`` of a one-file project under ``tmp_path``."""
    import libcst as cst

    from fastlint.config import settings_from_table
    from fastlint.project.index import ProjectIndex
    from fastlint.rule import FileContext

    text = _dedent(code)
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "main.py").write_text(text)
    module = cst.parse_module(text)
    return FileContext(
        "main.py",
        text,
        module,
        settings_from_table({}, str(tmp_path / "pyproject.toml")),
        module_name="main",
        file_path=str(tmp_path / "main.py"),
        project=ProjectIndex(str(tmp_path), [str(tmp_path / "main.py")]),
    )


def _functions(context):  # type: ignore[no-untyped-def]
    import libcst as cst

    found = {}

    class Collect(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found[node.name.value] = node

    context.module.visit(Collect())
    return found


ROLES = """
    from contextlib import asynccontextmanager
    from fastapi import APIRouter, Depends, FastAPI, Request
    from starlette.middleware.base import BaseHTTPMiddleware

    router = APIRouter()


    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield


    app = FastAPI(lifespan=lifespan)


    async def get_token():
        return "t"


    @router.get("/")
    async def route(token: str = Depends(get_token)):
        async def inner():
            pass
        return token


    @router.get("/sync")
    def sync_route():
        pass


    @router.websocket("/ws")
    async def ws(websocket):
        pass


    @app.middleware("http")
    async def http_middleware(request: Request, call_next):
        return await call_next(request)


    @app.exception_handler(ValueError)
    async def on_error(request: Request, exc: ValueError):
        pass


    @app.on_event("startup")
    async def startup():
        pass


    class Timing(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):
            return await call_next(request)

        async def helper(self):
            pass


    async def plain():
        pass


    cache = {}


    @cache.get("x")
    async def not_a_route():
        pass
"""


def test_roles_of_functions(tmp_path: Path) -> None:
    from fastlint.fastapi.facts import Role

    context = _context(ROLES, tmp_path)
    model, facts = context.model, context.facts
    functions = _functions(context)

    def role(name: str) -> object:
        found = facts.context(model, model.scope_of(functions[name]))
        return found.role if found is not None else None

    assert {name: role(name) for name in functions} == {
        "lifespan": Role.LIFESPAN,
        "get_token": Role.DEPENDENCY,
        "route": Role.PATH_OPERATION,
        "inner": None,
        "sync_route": None,
        "ws": Role.WEBSOCKET,
        "http_middleware": Role.MIDDLEWARE,
        "on_error": Role.EXCEPTION_HANDLER,
        "startup": Role.EVENT_HANDLER,
        "dispatch": Role.MIDDLEWARE,
        "helper": None,
        "plain": None,
        "not_a_route": None,
    }
    sync_route = model.scope_of(functions["sync_route"])
    assert facts.role_of(model, sync_route) is Role.PATH_OPERATION
    assert Role.PATH_OPERATION.sync_runs_in_threadpool
    assert not Role.LIFESPAN.sync_runs_in_threadpool
    assert not Role.EXCEPTION_HANDLER.sync_runs_in_threadpool


TYPES = """
    import sqlite3
    from typing import Annotated, Optional
    from fastapi import Depends
    from sqlalchemy import create_engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from sqlalchemy.orm import Session, sessionmaker

    engine = create_engine("sqlite://")
    SyncFactory = sessionmaker(bind=engine)
    AsyncFactory = async_sessionmaker()
    DB = Annotated[Session, Depends(lambda: None)]


    def get_db():
        with SyncFactory() as session:
            yield session


    async def probe(a: DB, b: Optional[AsyncSession], c=Depends(get_db)):
        d = SyncFactory()
        e = AsyncFactory()
        f = sqlite3.connect("x")
        g = f.cursor()
        with engine.begin() as h:
            pass
        return a, b, c, d, e, f, g, h
"""


def test_types_and_callees(tmp_path: Path) -> None:
    from fastlint.semantic import ir
    from fastlint.semantic.types import ValueType

    context = _context(TYPES, tmp_path)
    model, types = context.model, context.types
    probe = model.scope_of(_functions(context)["probe"])
    at_end = model.end_of(probe)

    def type_name(name: str) -> object:
        found = types.type_of(model, ir.Name(name), at_end)
        return found.name if found is not None else None

    assert {name: type_name(name) for name in "abcdefgh"} == {
        "a": "sqlalchemy.orm.Session",
        "b": "sqlalchemy.ext.asyncio.AsyncSession",
        "c": "sqlalchemy.orm.Session",
        "d": "sqlalchemy.orm.Session",
        "e": "sqlalchemy.ext.asyncio.AsyncSession",
        "f": "sqlite3.Connection",
        "g": "sqlite3.Cursor",
        "h": "sqlalchemy.engine.Connection",
    }
    assert types.type_of(model, ir.Name("SyncFactory"), at_end) == ValueType(
        "sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.Session"
    )
    assert types.type_of(model, ir.Name("unknown"), at_end) is None
    connect = ir.Attribute(ir.Name("sqlite3"), "connect")
    assert types.qualified_name(model, connect, at_end) == "sqlite3.connect"
    assert types.qualified_name(model, ir.Name("get_db"), at_end) == "main.get_db"
    assert types.qualified_name(model, ir.Name("d"), at_end) is None  # a local value


def test_own_calls_of_a_function(tmp_path: Path) -> None:
    context = _context(
        """
        import asyncio

        async def f(db):
            db.a()
            await asyncio.to_thread(db.b, db.c())
            g = lambda: db.d()
            return [db.e() for _ in range(2)]
        """,
        tmp_path,
    )
    model = context.model
    scope = model.scope_of(_functions(context)["f"])
    calls = [context.code(model.call_node(index).func) for index, _ in model.own_calls(scope)]
    # Own code only: the lambda's call is its own scope's; comprehensions are the function's.
    assert calls == ["db.a", "asyncio.to_thread", "db.c", "range", "db.e"]
    assert scope.awaits


def test_fixture_project() -> None:
    import os
    from pathlib import Path

    from fastlint.config import settings_from_table
    from fastlint.runner import run

    root = Path(__file__).resolve().parents[2] / "fixtures" / "fl101_project"
    settings = settings_from_table({}, str(root / "pyproject.toml"))
    result = run([str(root)], settings, [SyncDbInAsync])
    assert not result.rule_errors
    found = [
        f"{os.path.relpath(os.path.abspath(d.path), root)}:{d.start.row}:{d.start.column}"
        for d in result.diagnostics
    ]
    expected = (root / "EXPECTED").read_text().split()
    assert found == expected


def test_no_fix_under_a_foreign_decorator() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi_cache.decorator import cache
        from sqlalchemy.orm import Session

        app = FastAPI()


        @app.get("/")
        @cache(expire=60)
        async def index(db: Session):
            db.commit()
    """
    assert len(_messages(code, path="app/main.py")) == 1
    assert _fixed(code) == _dedent(code)


def test_defect_2_route_registered_in_another_module() -> None:
    """`main.py` registers `views.index` with `add_api_route`; checking `views.py` knows it is a
    path operation (registrations are project facts, not per-file)."""
    views = """
        from sqlalchemy.orm import Session

        async def index(session: Session):
            return session.execute("select 1").all()
    """
    main = """
        from fastapi import FastAPI
        from app import views

        app = FastAPI()
        app.add_api_route("/", views.index)
    """
    files = {"app/__init__.py": "", "app/main.py": main}
    messages = _messages(views, files=files, path="app/views.py")
    assert len(messages) == 1 and "async path operation `index`" in messages[0]


def test_defect_5_the_lifespan_fix_keeps_the_finding() -> None:
    """After the FL401 fix, the generated lifespan awaits `init()`: `init` still runs on the
    event loop, and FL101 still reports its blocking `create_all`."""
    fixed_by_fl401 = """
        from contextlib import asynccontextmanager
        from collections.abc import AsyncIterator
        from fastapi import FastAPI
        from sqlalchemy import create_engine
        from sqlalchemy.orm import declarative_base

        engine = create_engine("sqlite://")
        Base = declarative_base()


        async def init() -> None:
            Base.metadata.create_all(bind=engine)


        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            await init()
            yield


        app = FastAPI(lifespan=lifespan)
    """
    messages = _messages(fixed_by_fl401, path="app/main.py")
    assert len(messages) == 1
    assert (
        "`init`, awaited from async lifespan function (main.lifespan -> main.init)" in (messages[0])
    )
    assert _fixed(fixed_by_fl401) == _dedent(fixed_by_fl401)  # awaited: no sync rewrite


def test_defect_7_session_from_a_called_factory_and_a_class_dependency() -> None:
    deps = """
        from typing import Annotated
        from fastapi import Depends
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session, sessionmaker

        engine = create_engine("sqlite://")


        def get_db():
            return sessionmaker(bind=engine)()


        class HeroRepo:
            def __init__(self, session: Annotated[Session, Depends(get_db)]):
                self.session = session
    """
    routes = """
        from typing import Annotated
        from fastapi import APIRouter, Depends
        from app.deps import HeroRepo, get_db

        router = APIRouter()


        @router.get("/a")
        async def a(db=Depends(get_db)):
            return db.execute("select 1")


        @router.get("/b")
        async def b(repo: Annotated[HeroRepo, Depends()]):
            return repo.session.exec("select 1")
    """
    messages = _messages(routes, files={"app/__init__.py": "", "app/deps.py": deps})
    assert len(messages) == 2
    assert "`db.execute()`" in messages[0] and "`repo.session.exec()`" in messages[1]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("loop = asyncio.get_running_loop()\n    db.commit()", "running loop"),
        ("asyncio.create_task(work())\n    db.commit()", "create_task"),
        ("request_id.set('x')\n    db.commit()", "ContextVar.set"),
    ],
)
def test_item6_no_sync_rewrite_where_the_body_needs_the_loop(body: str, why: str) -> None:
    code = f"""
import asyncio
from contextvars import ContextVar
from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session

app = FastAPI()
request_id = ContextVar("request_id")


async def work():
    pass


@app.get("/")
async def index(db: Session = Depends(get_db)):
    {body}
"""
    assert len(_messages(code, path="app/main.py")) == 1, why
    assert _fixed(code) == _dedent(code), why


def test_item6_no_sync_rewrite_for_a_dependency_awaited_by_project_code() -> None:
    code = """
        from fastapi import Depends, FastAPI
        from sqlalchemy.orm import Session

        app = FastAPI()


        async def current_user(db: Session = Depends(get_db)):
            return db.get(User, 1)


        async def audit():
            return await current_user(None)


        @app.get("/me")
        async def me(user=Depends(current_user)):
            return user
    """
    assert len(_messages(code, path="app/main.py")) == 1
    assert _fixed(code) == _dedent(code)


def test_an_awaited_call_is_not_a_sync_call() -> None:
    """Prefect annotates an AsyncSession parameter as `sa.orm.Session`; `await
    session.execute(...)` shows the session is async whatever the annotation says."""
    code = """
        import sqlalchemy as sa
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/")
        async def history(session: sa.orm.Session):
            result = await session.execute("select 1")
            return result.all()
    """
    assert _messages(code, path="app/main.py") == []


# -- the async contexts of RULES.md, every kind ------------------------------------------------


def test_startup_handler_background_task_and_exception_handler_by_call() -> None:
    code = """
        from fastapi import BackgroundTasks, FastAPI
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        engine = create_engine("sqlite://")
        app = FastAPI()


        async def warm_cache():
            with Session(engine) as session:
                session.execute("select 1")


        async def record(event: str):
            with Session(engine) as session:
                session.commit()


        async def on_error(request, exc):
            with Session(engine) as session:
                session.rollback()


        app.add_event_handler("startup", warm_cache)
        app.add_exception_handler(ValueError, on_error)


        @app.post("/events")
        def create(tasks: BackgroundTasks):
            tasks.add_task(record, "created")
    """
    found = _messages(code, path="app/main.py")
    assert [m.split(" in ")[1].split(" blocks")[0] for m in found] == [
        "async event handler `warm_cache`",
        "async background task `record`",
        "async exception handler `on_error`",
    ]


def test_middleware_of_every_kind() -> None:
    middleware = """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session
        from starlette.middleware.base import BaseHTTPMiddleware

        engine = create_engine("sqlite://")


        class Audit(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                with Session(engine) as session:
                    session.commit()
                return await call_next(request)


        class RawAudit:
            def __init__(self, app):
                self.app = app

            async def __call__(self, scope, receive, send):
                with Session(engine) as session:
                    session.flush()
                await self.app(scope, receive, send)
    """
    main = """
        from fastapi import FastAPI

        from app.middleware import Audit, RawAudit

        app = FastAPI()
        app.add_middleware(Audit)
        app.add_middleware(RawAudit)
    """
    found = _messages(middleware, {**PACKAGE, "app/main.py": main}, path="app/middleware.py")
    assert len(found) == 2
    assert all("async middleware" in m for m in found)


def test_method_awaited_through_self_and_a_local_instance() -> None:
    repo = """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        SessionLocal = sessionmaker(bind=create_engine("sqlite://"))


        class UserRepository:
            def __init__(self):
                self.session = SessionLocal()

            async def get(self, user_id: int):
                return await self.load(user_id)

            async def load(self, user_id: int):
                return self.session.get(User, user_id)
    """
    route = """
        from fastapi import APIRouter

        from app.repo import UserRepository

        router = APIRouter()


        @router.get("/users/{user_id}")
        async def read_user(user_id: int):
            repo = UserRepository()
            return await repo.get(user_id)
    """
    found = _messages(repo, {**PACKAGE, "app/routers/users.py": route}, path="app/repo.py")
    assert found == [
        "Synchronous database call `self.session.get()` (on a sync SQLAlchemy `Session`) in "
        "`load`, awaited from async path operation (users.read_user -> UserRepository.get -> "
        "UserRepository.load) blocks the event loop"
    ]


def test_an_unawaited_coroutine_blocks_the_sync_rewrite() -> None:
    code = """
        from fastapi import Depends, FastAPI
        from sqlalchemy.orm import Session
        from sqlalchemy.ext.asyncio import AsyncSession

        app = FastAPI()


        @app.post("/users")
        async def create(db: Session = Depends(get_db), other: AsyncSession = Depends(get_async)):
            db.commit()
            other.commit()
    """
    assert _fixed(code) == _dedent(code)
