"""FL105 client-per-request: off by default; routes registered in other modules."""

from __future__ import annotations

from _event_loop import messages

from fastlint.config import settings_from_table
from fastlint.registry import select_rules
from fastlint.rules.fl105_client_per_request import ClientPerRequest


def test_off_by_default() -> None:
    assert ClientPerRequest.default_enabled is False
    settings = settings_from_table({}, "pyproject.toml")
    assert "FL105" not in {rule.code for rule in select_rules(settings)}
    chosen = settings_from_table({"extend-select": ["FL105"]}, "pyproject.toml")
    assert "FL105" in {rule.code for rule in select_rules(chosen)}


def test_route_registered_in_another_module() -> None:
    views = """
        import httpx


        async def weather(city: str):
            async with httpx.AsyncClient() as client:
                return (await client.get(f"https://weather.example/{city}")).json()


        async def helper():
            return httpx.AsyncClient()
    """
    main = """
        from fastapi import FastAPI

        from app import views

        app = FastAPI()
        app.add_api_route("/weather", views.weather)
    """
    assert messages(ClientPerRequest, views, {"app/main.py": main}, path="app/views.py") == [
        "`httpx.AsyncClient()` created in path operation `weather`: a new connection pool for "
        "every request; share one client made in the lifespan"
    ]


def test_dependency_cached_per_app_is_not_flagged() -> None:
    code = """
        from functools import lru_cache

        import httpx
        from fastapi import Depends, FastAPI

        app = FastAPI()


        @lru_cache
        def get_client() -> httpx.AsyncClient:
            return httpx.AsyncClient()


        @app.get("/")
        async def index(client: httpx.AsyncClient = Depends(get_client)):
            return (await client.get("https://example.com")).text
    """
    assert messages(ClientPerRequest, code) == []
