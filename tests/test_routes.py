"""The route table and `fastlint routes`: the fixture app against FastAPI's own table, the
listing, the JSON fields, what stays unresolved, and FastAPI-version-aware includes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, run_cli, write_tree

FIXTURE = REPO / "fixtures" / "routes_app"
JSON_FIELDS = {
    "method",
    "path",
    "name",
    "handler",
    "filename",
    "line",
    "app",
    "mounted_at",
    "routers",
    "unresolved",
}


def _routes(cwd: Path, *paths: str) -> list[dict[str, Any]]:
    result = run_cli("routes", "--format", "json", "--no-cache", *(paths or (".",)), cwd=cwd)
    assert result.code == 0, result.err
    entries: list[dict[str, Any]] = json.loads(result.out)
    return entries


def _real_routes(root: Path, target: str) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "real_routes.py"), str(root), target],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    entries: list[dict[str, Any]] = json.loads(proc.stdout)
    return entries


def _triples(entries: list[dict[str, Any]]) -> Counter[tuple[str, str, str, Any]]:
    return Counter((e["method"], e["path"], e["handler"], e["mounted_at"]) for e in entries)


def test_fixture_app_matches_fastapi() -> None:
    """Routers across modules, nested includes with prefixes (one a constant of another
    module), an app factory, an APIRouter subclass, api_route, stacked decorators,
    add_api_route, a websocket and a mounted sub-application: FastAPI's table, exactly."""
    real = _real_routes(FIXTURE, "fl_shop.main")
    ours = [e for e in _routes(FIXTURE) if e["app"] is not None]
    assert len(real) == 15
    assert _triples(ours) == _triples(real)
    assert all(not e["unresolved"] for e in ours)
    names = {(e["path"], e["name"]) for e in ours}
    assert {(r["path"], r["name"]) for r in real} == names


def test_json_fields_and_values() -> None:
    entries = _routes(FIXTURE)
    assert entries and all(set(e) == JSON_FIELDS for e in entries)
    by_path = {(e["method"], e["path"]): e for e in entries}
    user = by_path[("GET", "/api/users/{user_id}")]
    assert user["name"] == "user-detail"
    assert user["handler"] == "fl_shop.api.users.read_user"
    assert user["app"] == "fl_shop.factory.create_app.<locals>.app"
    assert user["filename"].endswith("fl_shop/api/users.py") and user["line"] == 17
    assert [(r["router"], r["prefix"]) for r in user["routers"]] == [
        ("fl_shop.api.router.api_router", "/api"),
        ("fl_shop.api.users.router", "/users"),
    ]
    assert by_path[("WEBSOCKET", "/api/users/{user_id}/events")]["name"] == "user_events"
    ping = by_path[("GET", "/ping")]
    assert (ping["app"], ping["mounted_at"]) == ("fl_shop.sub.status_app", "/status")
    # The docs and OpenAPI routes FastAPI adds are not listed.
    assert not any(e["path"] in ("/docs", "/openapi.json", "/redoc") for e in entries)


def test_text_listing_is_sorted_and_flags_shadowed_routes() -> None:
    result = run_cli("routes", "--no-cache", ".", cwd=FIXTURE)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "fl_shop.factory.create_app.<locals>.app"
    paths = [line.split()[1] for line in lines[1:] if line.startswith("  ")][:14]
    assert paths == sorted(paths)
    featured = next(line for line in lines if "/api/items/featured " in line)
    assert "fl_shop.api.items.featured  fl_shop/api/items.py:25" in featured
    assert "[shadowed by GET /api/items/{item_id} (fl_shop/api/items.py:14)]" in featured
    assert "fl_shop.sub.status_app (mounted at /status)" in lines


def test_duplicates_across_modules_are_flagged(project: Path) -> None:
    write_tree(
        project,
        {
            "app/__init__.py": "",
            "app/a.py": """
                from fastapi import APIRouter

                router = APIRouter(prefix="/users")

                @router.get("/{user_id}")
                def read_user(user_id: int): ...
            """,
            "app/b.py": """
                from fastapi import APIRouter

                router = APIRouter()

                @router.get("/users/{uid}")
                def read_user_again(uid: int): ...
            """,
            "app/main.py": """
                from fastapi import FastAPI

                from app import a, b

                app = FastAPI()
                app.include_router(a.router)
                app.include_router(b.router)
            """,
        },
    )
    result = run_cli("routes", "--no-cache", ".", cwd=project)
    line = next(x for x in result.out.splitlines() if "read_user_again" in x)
    assert "[duplicate of GET /users/{user_id} (app/a.py:6)]" in line


def test_unresolved_parts_are_marked_not_guessed(project: Path) -> None:
    write_tree(
        project,
        {
            "app/main.py": """
                import os

                from fastapi import APIRouter, FastAPI

                app = FastAPI()
                runtime = APIRouter(prefix=os.environ["PREFIX"])
                looped = APIRouter()

                @runtime.get("/a")
                def a(): ...

                @looped.get("/b")
                def b(): ...

                app.include_router(runtime)
                for router in [looped]:
                    app.include_router(router)

                def register(target: FastAPI) -> None:
                    @target.get("/c")
                    def c(): ...
            """,
        },
    )
    entries = {e["handler"].rsplit(".", 1)[-1]: e for e in _routes(project)}
    assert entries["a"]["path"] == "<?>/a"
    assert entries["a"]["unresolved"] == ["prefix of `main.runtime`"]
    assert entries["b"]["app"] is None
    assert entries["b"]["unresolved"] == [
        "whether an `include_router` that is not resolved includes it"
    ]
    assert entries["c"]["app"] is None
    assert "the app or router it is registered on" in entries["c"]["unresolved"]


LATE_ROUTE = """
    from fastapi import APIRouter, FastAPI

    app = FastAPI()
    router = APIRouter()

    @router.get("/early")
    def early(): ...

    app.include_router(router)

    @router.get("/late")
    def late(): ...
"""


@pytest.mark.parametrize(
    ("requirement", "late"),
    [
        ("fastapi>=0.137", "served"),
        ("fastapi>=0.110,<0.137", "absent"),
        ("fastapi>=0.110", "marked"),
    ],
)
def test_routes_added_after_include_follow_the_fastapi_version(
    project: Path, requirement: str, late: str
) -> None:
    """Before FastAPI 0.137 include_router copies the routes the router has; from 0.137 on
    routes added later are served too."""
    write_tree(
        project,
        {
            "pyproject.toml": f'[project]\nname = "x"\ndependencies = ["{requirement}"]\n',
            "app/main.py": LATE_ROUTE,
        },
    )
    on_app = {e["path"]: e for e in _routes(project) if e["app"] == "app.main.app"}
    assert on_app["/early"]["unresolved"] == []
    if late == "served":
        assert on_app["/late"]["unresolved"] == []
    elif late == "absent":
        assert "/late" not in on_app
    else:
        assert on_app["/late"]["unresolved"] == [
            "registered after `include_router`: served only from FastAPI 0.137"
        ]


def test_starlette_routes_answer_head_and_methods_are_read(project: Path) -> None:
    write_tree(
        project,
        {
            "app/main.py": """
                from fastapi import FastAPI

                METHODS = ["post", "put"]
                app = FastAPI()

                def legacy(request): ...

                def both(): ...

                app.add_route("/legacy", legacy)
                app.add_api_route("/both", both, methods=METHODS)
            """,
        },
    )
    pairs = {(e["method"], e["path"]) for e in _routes(project)}
    assert pairs == {("GET", "/legacy"), ("HEAD", "/legacy"), ("POST", "/both"), ("PUT", "/both")}


def test_routes_of_a_subdirectory_only(project: Path) -> None:
    write_tree(
        project,
        {
            "app/__init__.py": "",
            "app/users.py": """
                from fastapi import APIRouter

                router = APIRouter()

                @router.get("/users")
                def users(): ...
            """,
            "app/main.py": """
                from fastapi import FastAPI

                from app import users

                app = FastAPI()
                app.include_router(users.router, prefix="/v1")

                @app.get("/")
                def index(): ...
            """,
        },
    )
    listed = _routes(project, "app/users.py")
    assert [(e["path"], e["app"]) for e in listed] == [("/v1/users", "app.main.app")]
    assert run_cli("routes", "--no-cache", "missing", cwd=project).code == 2


def test_receivers_followed_through_calls_lifespans_and_factories(project: Path) -> None:
    """`def init_routers(app)` called with the app, a lifespan's `app` parameter, a router
    made and returned by a factory (its routes precede the include, on every FastAPI), and an
    APIRouter subclass that overrides `add_api_route` but hands the path on unchanged."""
    write_tree(
        project,
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi>=0.100"]\n',
            "app/__init__.py": "",
            "app/routing.py": """
                from fastapi import APIRouter

                class LoggingRouter(APIRouter):
                    def add_api_route(self, path, endpoint, **kwargs):
                        kwargs.setdefault("tags", ["logged"])
                        return super().add_api_route(path, endpoint, **kwargs)

                def make_router() -> APIRouter:
                    router = APIRouter()

                    @router.get("/made")
                    def made(): ...

                    return router
            """,
            "app/setup.py": """
                from fastapi import FastAPI

                from app.routing import LoggingRouter

                logged = LoggingRouter(prefix="/logged")

                @logged.get("/x")
                def x(): ...

                def init_routers(app: FastAPI) -> None:
                    app.include_router(logged)

                async def late_setup(app: FastAPI) -> None:
                    @app.get("/late")
                    def late(): ...
            """,
            "app/main.py": """
                from contextlib import asynccontextmanager

                from fastapi import FastAPI

                from app.routing import make_router
                from app.setup import init_routers, late_setup

                @asynccontextmanager
                async def lifespan(app: FastAPI):
                    await late_setup(app)
                    yield

                app = FastAPI(lifespan=lifespan)
                init_routers(app)
                app.include_router(make_router(), prefix="/f")
            """,
        },
    )
    entries = {e["path"]: e for e in _routes(project)}
    assert set(entries) == {"/logged/x", "/late", "/f/made"}
    assert all(e["app"] == "app.main.app" and not e["unresolved"] for e in entries.values())


def test_subclass_that_changes_paths_is_unresolved(project: Path) -> None:
    write_tree(
        project,
        {
            "app/main.py": """
                from fastapi import APIRouter, FastAPI

                class SlashRouter(APIRouter):
                    def api_route(self, path, **kwargs):
                        return super().api_route(path.rstrip("/"), **kwargs)

                app = FastAPI()
                router = SlashRouter()

                @router.get("/items/")
                def items(): ...

                app.include_router(router)
            """,
        },
    )
    (entry,) = _routes(project)
    assert entry["unresolved"] == ["`app.main.SlashRouter` overrides how routes are added"]


def test_exclusive_and_test_registrations_are_not_conflicts(project: Path) -> None:
    write_tree(
        project,
        {
            "app/main.py": """
                from fastapi import FastAPI

                app = FastAPI()

                def endpoint(): ...

                if FAST:
                    app.add_api_route("/items", endpoint)
                else:
                    app.add_api_route("/items", endpoint)

                def test_shadow():
                    @app.get("/users/{user_id}")
                    def read(user_id: int): ...

                    @app.get("/users/me")
                    def me(): ...
            """,
        },
    )
    result = run_cli("routes", "--no-cache", ".", cwd=project)
    assert result.code == 0 and "duplicate" not in result.out and "shadowed" not in result.out


def test_the_table_is_the_same_from_the_cache(tmp_path: Path) -> None:
    """The second run reads the project facts from the cache: the same table."""
    import shutil

    copy = tmp_path / "routes_app"
    shutil.copytree(FIXTURE, copy)
    first = run_cli("routes", "--format", "json", ".", cwd=copy)
    assert (copy / ".fastlint_cache").is_dir()
    again = run_cli("routes", "--format", "json", ".", cwd=copy)
    below = run_cli("routes", "fl_shop/api/", cwd=copy)
    assert first.code == again.code == 0 and first.out == again.out
    assert "/api/users/me" in below.out and "/admin/cache" not in below.out
