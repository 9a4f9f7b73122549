"""FL401 deprecated-on-event: findings, exact fixes, and the fixed app's behaviour."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import textwrap
import uuid
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any, Optional

import pytest

from fastlint.rules.fl401_deprecated_on_event import DeprecatedOnEvent
from fastlint.testing import CaseResult, run_rule

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "lifespan_app" / "main.py"
PACKAGE = {"app/__init__.py": ""}


def _src(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


def check(code: str, **kwargs: Any) -> CaseResult:
    return run_rule(DeprecatedOnEvent, _src(code), **kwargs)


def fixed(code: str, **kwargs: Any) -> str:
    """The fixed text; asserts that nothing is left to report and that fixing is stable."""
    result = run_rule(DeprecatedOnEvent, _src(code), fix=True, **kwargs)
    assert result.diagnostics == [], [d.message for d in result.diagnostics]
    again = run_rule(DeprecatedOnEvent, result.fixed_text, fix=True, **kwargs)
    assert again.fixed_text == result.fixed_text
    assert again.diagnostics == []
    return result.fixed_text


def assert_no_fix(code: str, count: int, **kwargs: Any) -> None:
    found = check(code, **kwargs).diagnostics
    assert len(found) == count, [d.message for d in found]
    assert all(d.code == "FL401" and d.fix is None for d in found)
    assert run_rule(DeprecatedOnEvent, _src(code), fix=True, **kwargs).fixed_text == _src(code)


# -- fixes ------------------------------------------------------------------------------------


def test_async_startup_and_sync_shutdown() -> None:
    code = """
        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event("startup")
        async def connect_db() -> None:
            await database.connect()


        @app.on_event("shutdown")
        def close_files() -> None:
            files.close()
        """
    found = check(code).diagnostics
    assert [(d.start.row, d.start.column) for d in found] == [(6, 1), (11, 1)]
    assert found[0].message == (
        "`on_event` is deprecated; use a lifespan context manager (FastAPI(lifespan=...))"
    )
    assert found[0].fix is not None and found[0].fix == found[1].fix
    assert fixed(code) == _src(
        """
        from collections.abc import AsyncIterator
        from contextlib import asynccontextmanager

        from fastapi import FastAPI


        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            await connect_db()
            try:
                yield
            finally:
                close_files()


        app = FastAPI(lifespan=lifespan)


        async def connect_db() -> None:
            await database.connect()


        def close_files() -> None:
            files.close()
        """
    )


def test_handlers_run_in_registration_order() -> None:
    code = """
        import fastapi

        app = fastapi.FastAPI()


        @app.on_event("startup")
        async def first() -> None: ...


        @app.on_event("shutdown")
        async def close_first() -> None: ...


        @app.on_event("startup")
        def second() -> None: ...


        @app.on_event("startup")
        @app.on_event("shutdown")
        async def both() -> None: ...


        @app.router.on_event("shutdown")
        def close_last() -> None: ...
        """
    assert len(check(code).diagnostics) == 6
    assert fixed(code) == _src(
        """
        from collections.abc import AsyncIterator
        from contextlib import asynccontextmanager

        import fastapi


        @asynccontextmanager
        async def lifespan(app: fastapi.FastAPI) -> AsyncIterator[None]:
            await first()
            second()
            await both()
            try:
                yield
            finally:
                await close_first()
                await both()
                close_last()


        app = fastapi.FastAPI(lifespan=lifespan)


        async def first() -> None: ...


        async def close_first() -> None: ...


        def second() -> None: ...


        async def both() -> None: ...


        def close_last() -> None: ...
        """
    )


def test_on_startup_and_on_shutdown_arguments() -> None:
    code = """
        from fastapi import FastAPI


        async def open_pool() -> None: ...


        def close_pool() -> None: ...


        app = FastAPI(on_startup=[open_pool], on_shutdown=[close_pool])


        @app.on_event("startup")
        async def warm_cache() -> None: ...
        """
    found = check(code).diagnostics
    assert [d.message.split(";")[0] for d in found] == [
        "`on_startup` is deprecated",
        "`on_shutdown` is deprecated",
        "`on_event` is deprecated",
    ]
    assert fixed(code) == _src(
        """
        from collections.abc import AsyncIterator
        from contextlib import asynccontextmanager

        from fastapi import FastAPI


        async def open_pool() -> None: ...


        def close_pool() -> None: ...


        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            await open_pool()
            await warm_cache()
            try:
                yield
            finally:
                close_pool()


        app = FastAPI(lifespan=lifespan)


        async def warm_cache() -> None: ...
        """
    )


def test_multi_line_call_keeps_other_arguments_and_comments() -> None:
    code = """
        \"\"\"The service.\"\"\"

        from contextlib import contextmanager
        from typing import AsyncIterator

        from fastapi import FastAPI

        from app.settings import settings


        def init() -> None: ...


        # The application; keep the docs URL in sync with the gateway.
        app = FastAPI(
            title="Orders",  # shown in /docs
            on_startup=[init],
            docs_url=settings.docs_url,
        )


        @app.on_event("shutdown")
        async def stop() -> None: ...
        """
    assert fixed(code) == _src(
        """
        \"\"\"The service.\"\"\"

        from contextlib import asynccontextmanager, contextmanager
        from typing import AsyncIterator

        from fastapi import FastAPI

        from app.settings import settings


        def init() -> None: ...


        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            init()
            try:
                yield
            finally:
                await stop()


        # The application; keep the docs URL in sync with the gateway.
        app = FastAPI(
            title="Orders",  # shown in /docs
            lifespan=lifespan,
            docs_url=settings.docs_url,
        )


        async def stop() -> None: ...
        """
    )


def test_multi_line_call_gets_lifespan_as_last_argument() -> None:
    code = """
        from fastapi import FastAPI
        app = FastAPI(
            title="Orders",
            version="1.0"  # semver
        )
        @app.on_event("startup")
        def init() -> None: ...
        """
    assert fixed(code) == _src(
        """
        from collections.abc import AsyncIterator
        from contextlib import asynccontextmanager

        from fastapi import FastAPI


        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            init()
            yield


        app = FastAPI(
            title="Orders",
            version="1.0",  # semver
            lifespan=lifespan
        )
        def init() -> None: ...
        """
    )


def test_single_line_call_with_arguments() -> None:
    code = """
        from fastapi import FastAPI

        app = FastAPI(title="Orders", debug=False)


        @app.on_event("startup")
        def init() -> None: ...
        """
    assert 'app = FastAPI(title="Orders", debug=False, lifespan=lifespan)\n' in fixed(code)


def test_name_lifespan_taken() -> None:
    code = """
        from fastapi import FastAPI

        from app.monitoring import lifespan

        app = FastAPI()


        @app.on_event("startup")
        async def app_ready() -> None:
            lifespan.mark_ready()
        """
    assert fixed(code) == _src(
        """
        from collections.abc import AsyncIterator
        from contextlib import asynccontextmanager

        from fastapi import FastAPI

        from app.monitoring import lifespan


        @asynccontextmanager
        async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
            await app_ready()
            yield


        app = FastAPI(lifespan=_lifespan)


        async def app_ready() -> None:
            lifespan.mark_ready()
        """
    )


def test_handler_named_app_does_not_clash_with_the_parameter() -> None:
    code = """
        from fastapi import FastAPI

        application = FastAPI()


        @application.on_event("startup")
        def app() -> None: ...
        """
    assert "async def lifespan(_app: FastAPI) -> AsyncIterator[None]:\n    app()\n" in fixed(code)


def test_existing_imports_are_reused() -> None:
    code = """
        import contextlib
        import typing

        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event("startup")
        def init() -> None: ...
        """
    result = fixed(code)
    assert result.startswith(
        "import contextlib\nimport typing\n\nfrom fastapi import FastAPI\n\n\n"
    )
    assert "@contextlib.asynccontextmanager\n" in result
    assert "-> typing.AsyncIterator[None]:" in result


def test_empty_event_arguments_are_only_removed() -> None:
    code = """
        from fastapi import FastAPI

        app = FastAPI(title="x", on_startup=[], on_shutdown=None)
        """
    assert fixed(code) == 'from fastapi import FastAPI\n\napp = FastAPI(title="x")\n'


def test_two_apps_in_one_module() -> None:
    code = """
        from fastapi import FastAPI

        app = FastAPI()
        admin = FastAPI()


        @app.on_event("startup")
        async def start_app() -> None: ...


        @admin.on_event("startup")
        async def start_admin() -> None: ...
        """
    result = fixed(code)
    assert "app = FastAPI(lifespan=lifespan)\n" in result
    assert "admin = FastAPI(lifespan=_lifespan)\n" in result
    assert (
        "async def _lifespan(app: FastAPI) -> AsyncIterator[None]:\n    await start_admin()"
        in result
    )


def test_crlf_and_tabs_are_kept() -> None:
    code = (
        "from fastapi import FastAPI\r\n\r\napp = FastAPI()\r\n\r\n\r\n"
        '@app.on_event("startup")\r\nasync def start():\r\n\tpass\r\n'
    )
    result = run_rule(DeprecatedOnEvent, code, fix=True).fixed_text
    assert result == (
        "from collections.abc import AsyncIterator\r\n"
        "from contextlib import asynccontextmanager\r\n\r\n"
        "from fastapi import FastAPI\r\n\r\n\r\n"
        "@asynccontextmanager\r\n"
        "async def lifespan(app: FastAPI) -> AsyncIterator[None]:\r\n"
        "\tawait start()\r\n\tyield\r\n\r\n\r\n"
        "app = FastAPI(lifespan=lifespan)\r\n\r\n\r\n"
        "async def start():\r\n\tpass\r\n"
    )


def test_included_router_without_handlers_does_not_block_the_fix() -> None:
    code = """
        from fastapi import FastAPI

        from app.routes import router

        app = FastAPI()
        app.include_router(router)


        @app.on_event("startup")
        async def start() -> None: ...
        """
    files = {**PACKAGE, "app/routes.py": "from fastapi import APIRouter\nrouter = APIRouter()\n"}
    assert "app = FastAPI(lifespan=lifespan)\n" in fixed(code, files=files)


# -- findings without a fix --------------------------------------------------------------------


def test_handler_registered_from_another_module() -> None:
    main = """
        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event("startup")
        async def start() -> None: ...
        """
    events = "from app.main import app\n\n\n@app.on_event('shutdown')\ndef stop() -> None: ...\n"
    files = {**PACKAGE, "app/events.py": events}
    # main.py cannot move the handler of events.py: with a lifespan it would never run.
    assert_no_fix(main, 1, files=files)
    # events.py does not create the app.
    assert_no_fix(events, 1, path="app/events.py", files={**PACKAGE, "app/main.py": _src(main)})


def test_handler_function_from_another_module() -> None:
    code = """
        from fastapi import FastAPI

        from app.db import connect

        app = FastAPI(on_startup=[connect])
        """
    files = {**PACKAGE, "app/db.py": "async def connect() -> None: ...\n"}
    assert_no_fix(code, 1, files=files)


def test_event_internals_from_another_module() -> None:
    main = """
        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event("startup")
        async def start() -> None: ...
        """
    hooks = "from app import main\n\nmain.app.router.add_event_handler('shutdown', print)\n"
    assert_no_fix(main, 1, files={**PACKAGE, "app/hooks.py": hooks})


def test_included_router_with_handlers_blocks_the_fix() -> None:
    code = """
        from fastapi import FastAPI

        from app.routes import router

        app = FastAPI()
        app.include_router(router)


        @app.on_event("startup")
        async def start() -> None: ...
        """
    routes = (
        "from fastapi import APIRouter\nfrom app.sub import sub\n"
        "router = APIRouter()\nrouter.include_router(sub)\n"
    )
    sub = (
        "from fastapi import APIRouter\nsub = APIRouter()\n\n"
        "@sub.on_event('startup')\ndef s(): ...\n"
    )
    assert_no_fix(code, 1, files={**PACKAGE, "app/routes.py": routes, "app/sub.py": sub})


def test_router_handler() -> None:
    code = """
        from fastapi import APIRouter, FastAPI

        router = APIRouter(on_shutdown=[print])


        @router.on_event("startup")
        async def warm_cache() -> None: ...


        app = FastAPI()
        app.include_router(router)
        """
    found = check(code).diagnostics
    assert [d.message.split(";")[0] for d in found] == [
        "`on_shutdown` is deprecated",
        "`on_event` is deprecated",
    ]
    assert all("APIRouter(lifespan=...)" in d.message for d in found)
    assert_no_fix(code, 2)


def test_router_handlers_block_the_app_that_includes_them() -> None:
    code = """
        from fastapi import APIRouter, FastAPI

        router = APIRouter()


        @router.on_event("startup")
        async def warm_cache() -> None: ...


        app = FastAPI()
        app.include_router(router)


        @app.on_event("startup")
        async def start() -> None: ...
        """
    assert_no_fix(code, 2)


@pytest.mark.parametrize(
    ("handler", "why"),
    [
        ('@app.on_event("startup")\n@retry\nasync def start() -> None: ...\n', "other decorator"),
        ("@app.on_event(EVENT)\nasync def start() -> None: ...\n", "event not a literal"),
        ('app.on_event("startup")(print)\n', "not a decorator"),
        (
            '@app.on_event("startup")\nasync def start() -> None: ...\n\n\n'
            "app.router.on_startup.append(print)\n",
            "event internals",
        ),
        (
            '@app.on_event("startup")\nasync def start() -> None: ...\n\n\n'
            '@app.on_event("shutdown")\nasync def start() -> None: ...\n',
            "name defined twice",
        ),
        ('if DEBUG:\n    @app.on_event("startup")\n    async def start() -> None: ...\n', "nested"),
    ],
)
def test_no_fix_when_a_handler_cannot_be_moved(handler: str, why: str) -> None:
    code = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n" + handler
    found = run_rule(DeprecatedOnEvent, code).diagnostics
    assert found, why
    assert all(d.fix is None for d in found), why
    assert run_rule(DeprecatedOnEvent, code, fix=True).fixed_text == code, why


def test_a_suppressed_handler_keeps_the_whole_app_unfixed() -> None:
    code = """
        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event("startup")  # noqa: FL401 - must run before the lifespan of a plugin
        async def start() -> None: ...


        @app.on_event("shutdown")
        async def stop() -> None: ...
        """
    assert_no_fix(code, 1)


def test_app_factory_and_annotated_parameter() -> None:
    code = """
        from fastapi import FastAPI


        def create_app() -> FastAPI:
            app = FastAPI(on_shutdown=[close])

            @app.on_event("startup")
            async def start() -> None: ...

            return app


        def register(app: FastAPI) -> None:
            @app.on_event("shutdown")
            def stop() -> None: ...
        """
    assert_no_fix(code, 3)


def test_app_with_unpacked_arguments_has_no_fix() -> None:
    code = """
        from fastapi import FastAPI

        app = FastAPI(**options)


        @app.on_event("startup")
        async def start() -> None: ...
        """
    assert_no_fix(code, 1)


# -- not flagged -------------------------------------------------------------------------------


def test_app_with_lifespan_is_left_to_fl402() -> None:
    code = """
        from fastapi import FastAPI

        from app.lifespan import lifespan

        app = FastAPI(lifespan=lifespan, on_startup=[init])


        @app.on_event("startup")
        async def start() -> None: ...
        """
    assert check(code).diagnostics == []
    events = "from app.main import app\n\n\n@app.on_event('shutdown')\ndef stop() -> None: ...\n"
    found = check(events, path="app/events.py", files={**PACKAGE, "app/main.py": _src(code)})
    assert found.diagnostics == []


def test_unrelated_on_event_methods() -> None:
    code = """
        from fastapi import FastAPI

        from app.bus import bus

        app = FastAPI()
        socket = make_socket()


        @bus.on_event("startup")
        def on_bus_start() -> None: ...


        @socket.on_event("connect")
        def connected() -> None: ...
        """
    files = {**PACKAGE, "app/bus.py": "from events import Bus\nbus = Bus()\n"}
    assert check(code, files=files).diagnostics == []


def test_spelling_alone_is_not_enough() -> None:
    code = """
        class FastAPI:
            def on_event(self, name):
                return lambda f: f


        app = FastAPI(on_startup=[])


        @app.on_event("startup")
        def start() -> None: ...
        """
    assert check(code).diagnostics == []


# -- the fixed app behaves like the original ---------------------------------------------------


def _load(path: Path) -> ModuleType:
    name = f"fl401_behaviour_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _run(module: ModuleType, route: Optional[str] = "/ping") -> tuple[list[str], Optional[str]]:
    """Start and stop the module's app under TestClient (hitting ``route``); the recorded
    events and the startup error, if any."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the test client's own deprecation notices
        from fastapi.testclient import TestClient

    error: Optional[str] = None
    try:
        with TestClient(module.app) as client:
            if route is not None:
                assert client.get(route).status_code == 200
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    events: list[str] = module.events
    return list(events), error


def _behaviour(tmp_path: Path, code: str, route: Optional[str]) -> tuple[list[str], Optional[str]]:
    original = tmp_path / "original.py"
    original.write_text(code, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        before = _run(_load(original), route)

    result = run_rule(DeprecatedOnEvent, code, fix=True)
    assert result.diagnostics == [], [d.message for d in result.diagnostics]
    assert "on_event" not in result.fixed_text
    assert "on_startup" not in result.fixed_text and "on_shutdown" not in result.fixed_text
    assert "lifespan=lifespan" in result.fixed_text
    fixed_path = tmp_path / "fixed.py"
    fixed_path.write_text(result.fixed_text, encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        after = _run(_load(fixed_path), route)
    assert not [w for w in caught if "on_event" in str(w.message)]

    assert after == before
    return before


def test_fixed_app_runs_the_same_startup_and_shutdown(tmp_path: Path) -> None:
    copy = tmp_path / "lifespan_app.py"
    shutil.copyfile(FIXTURE, copy)
    code = copy.read_text(encoding="utf-8")
    _behaviour(tmp_path, code, "/ping")

    # And what the original does, spelled out.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        events, error = _run(_load(copy))
    assert error is None
    assert events == [
        "startup:configure_logging (argument)",
        "startup:connect_db (async)",
        "startup:load_model (sync)",
        "request:/ping",
        "shutdown:drain_queue (argument)",
        "shutdown:disconnect_db (async)",
        "shutdown:flush_metrics (sync)",
    ]


def test_failing_startup_behaves_the_same(tmp_path: Path) -> None:
    code = _src(
        """
        from fastapi import FastAPI

        events: list[str] = []
        app = FastAPI()


        @app.on_event("startup")
        async def first() -> None:
            events.append("first")


        @app.on_event("startup")
        def broken() -> None:
            events.append("broken")
            raise RuntimeError("no database")


        @app.on_event("startup")
        def never() -> None:
            events.append("never")


        @app.on_event("shutdown")
        async def stop() -> None:
            events.append("stop")
        """
    )
    events, error = _behaviour(tmp_path, code, None)
    # FastAPI stops at the failing handler and runs no shutdown handler: neither does the fix.
    assert events == ["first", "broken"]
    assert error == "RuntimeError: no database"


def test_defect_3_a_partial_run_sees_handlers_in_other_modules(tmp_path: Path) -> None:
    """`fastlint check app/main.py --fix` (pre-commit with only main.py staged) must not move
    main's handler into a lifespan while events.py registers another one on the same app."""
    from conftest import run_cli, write_tree

    main = _src(
        """
        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event("startup")
        async def start() -> None: ...
        """
    )
    events = "from app.main import app\n\n\n@app.on_event('startup')\ndef warm() -> None: ...\n"
    write_tree(
        tmp_path,
        {"pyproject.toml": "", **PACKAGE, "app/main.py": main, "app/events.py": events},
    )
    result = run_cli("check", "--fix", "--select", "FL401", "app/main.py", cwd=tmp_path)
    assert result.code == 1, result
    assert (tmp_path / "app/main.py").read_text() == main


@pytest.mark.parametrize(
    "later",
    [
        "del start",
        "for start in range(3):\n    pass",
        "with open(__file__) as start:\n    pass",
        "(start := None)",
        "def reset():\n    global start\n    start = None",
        "try:\n    pass\nexcept ValueError as start:\n    pass",
        "start = None",
        "import os as start",
        "class start:\n    pass",
    ],
)
def test_defect_4_a_handler_rebound_later_blocks_the_fix(later: str) -> None:
    """The generated lifespan calls `start()` when the app starts: a later rebinding or
    deletion of `start`, in any form, would make it fail with NameError or TypeError."""
    code = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        f'@app.on_event("startup")\nasync def start() -> None: ...\n\n\n{later}\n'
    )
    found = run_rule(DeprecatedOnEvent, code).diagnostics
    assert len(found) == 1 and found[0].fix is None


# -- hardening: comments of the removed decorators ---------------------------------------------


def test_item3_fl401_keeps_the_comments_of_removed_decorators() -> None:
    code = """
        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event("startup")  # noqa: E501
        async def start() -> None:
            pass


        @app.on_event(  # weird formatting
            "shutdown"
        )
        async def stop() -> None:
            pass


        # warm the caches
        @app.on_event("startup")  # type: ignore[misc]  # second step
        def warm() -> None:
            pass


        @app.on_event("startup")  # noqa: E501 -- a long line  # third step
        def log() -> None:
            pass
        """
    result = fixed(code)
    handlers = result[result.index("app = FastAPI(lifespan=lifespan)") :]
    assert handlers == _src(
        """
        app = FastAPI(lifespan=lifespan)


        async def start() -> None:
            pass


        # weird formatting
        async def stop() -> None:
            pass


        # warm the caches
        # second step
        def warm() -> None:
            pass


        # third step
        def log() -> None:
            pass
        """
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_item3_fl401_comment_lines_take_the_file_line_endings(newline: str) -> None:
    code = _src(
        """
        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event(
            "startup",  # before the first request
        )
        async def start() -> None:
            pass
        """
    ).replace("\n", newline)
    result = run_rule(DeprecatedOnEvent, code, fix=True).fixed_text
    expected = "\n\n\n# before the first request\nasync def start() -> None:\n    pass\n"
    assert result.endswith(expected.replace("\n", newline)), repr(result)
    assert set(re.findall(r"\r\n|\r|\n", result)) == {newline}
