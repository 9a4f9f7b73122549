"""FL105 client-per-request: an HTTP client with its own connection pool made per request."""

from __future__ import annotations

import libcst as cst

from fastlint.fastapi.blocking import site_point
from fastlint.fastapi.facts import Role
from fastlint.rule import Case, FixAvailability, Rule
from fastlint.semantic import ir, knowledge


class ClientPerRequest(Rule):
    """## What it does
    Finds `httpx.AsyncClient()` and `aiohttp.ClientSession()` created in the body of a path
    operation (a route or a websocket endpoint, registered anywhere in the project). Off by
    default: it is a performance opinion, not a bug.

    ## Why is this bad?
    Each client owns a connection pool. Making one per request throws the pool away after
    one use: every request pays a new TCP connection and TLS handshake to the upstream, keeps
    no keep-alive connection, and under load opens sockets faster than the old ones close.

    ## Example
    ```python
    @app.get("/weather")
    async def weather(city: str):
        async with httpx.AsyncClient() as client:
            return (await client.get(f"https://weather.example/{city}")).json()
    ```

    ## Use instead
    One client for the application, opened and closed in the lifespan:
    ```python
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with httpx.AsyncClient() as client:
            app.state.client = client
            yield


    app = FastAPI(lifespan=lifespan)


    @app.get("/weather")
    async def weather(city: str, request: Request):
        response = await request.app.state.client.get(f"https://weather.example/{city}")
        return response.json()
    ```

    Clients made in a lifespan, at module level, in a dependency (one cached per app, or
    anything else FastAPI injects), or in a helper function are not reported.

    ## Fix safety
    There is no fix: where the shared client lives is the application's choice.
    """

    code = "FL105"
    name = "client-per-request"
    message = "A new HTTP client (and connection pool) is created for every request"
    description = "`httpx.AsyncClient()` / `aiohttp.ClientSession()` created in a path operation"
    fix_availability = FixAvailability.NONE
    default_enabled = False
    uses_project_facts = True
    requires_any = ("AsyncClient", "ClientSession")

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        model, types = self.context.model, self.context.types
        scope = model.scope_of(node)
        if scope is None:
            return
        role = self.context.facts.role_of(model, scope)
        if role not in (Role.PATH_OPERATION, Role.WEBSOCKET):
            return
        each = "connection" if role is Role.WEBSOCKET else "request"
        for index, site in model.own_calls(scope):
            func = site.call.func
            if not isinstance(func, (ir.Name, ir.Attribute)):
                continue
            if not model.may_name(func, _CLIENT_NAMES):
                continue
            callee = types.qualified_name(model, func, site_point(site))
            client = knowledge.POOLED_CLIENTS.get(knowledge.canonical_class(callee or "") or "")
            call = model.call_node(index)
            if client is None or call is None:
                continue
            self.report(
                call,
                f"`{client}()` created in {role.value} `{node.name.value}`: a new connection "
                f"pool for every {each}; share one client made in the lifespan",
            )

    valid = (
        # Lifespan, module level, a dependency, a helper.
        Case(
            """
            from contextlib import asynccontextmanager

            import aiohttp
            import httpx
            from fastapi import Depends, FastAPI

            shared = httpx.AsyncClient()

            @asynccontextmanager
            async def lifespan(app: FastAPI):
                async with httpx.AsyncClient() as client:
                    app.state.client = client
                    yield

            app = FastAPI(lifespan=lifespan)

            async def get_session():
                async with aiohttp.ClientSession() as session:
                    yield session

            def make_client():
                return httpx.AsyncClient()

            @app.get("/a")
            async def a(session=Depends(get_session)):
                return await shared.get("https://example.com")
            """
        ),
        # Something else named AsyncClient.
        Case(
            """
            from fastapi import FastAPI

            from app.clients import AsyncClient

            app = FastAPI()

            @app.get("/a")
            async def a():
                return AsyncClient()
            """
        ),
    )
    invalid = (
        Case(
            """
            import aiohttp
            import httpx
            from fastapi import APIRouter
            from httpx import AsyncClient as Client

            router = APIRouter()

            @router.get("/weather")
            async def weather(city: str):
                async with httpx.AsyncClient() as client:  # error: in path operation `weather`
                    return (await client.get(f"https://weather.example/{city}")).json()

            @router.get("/other")
            async def other():
                async with aiohttp.ClientSession() as session:  # error: `aiohttp.ClientSession()`
                    client = Client()  # error
                    return session, client
            """,
        ),
    )


_CLIENT_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in knowledge.POOLED_CLIENTS) | {
    spelling.rsplit(".", 1)[-1]
    for name in knowledge.POOLED_CLIENTS
    for spelling in knowledge.class_spellings(name)
}
