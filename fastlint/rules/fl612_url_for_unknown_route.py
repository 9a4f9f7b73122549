"""FL612 url-for-unknown-route: `url_for("name")` with a name no route of the project has."""

from __future__ import annotations

import libcst as cst

from fastlint.fastapi.routes import route_names
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule
from fastlint.semantic import ir

REQUEST_CLASSES = frozenset(
    {
        "fastapi.Request",
        "fastapi.WebSocket",
        "starlette.requests.Request",
        "starlette.requests.HTTPConnection",
        "starlette.websockets.WebSocket",
    }
)


class UrlForUnknownRoute(Rule):
    """## What it does
    Finds `request.url_for("name", ...)`, `app.url_path_for("name", ...)` and
    `router.url_path_for("name", ...)` with a literal name that no route, mount or
    static-files mount of the project has. A route's name is its `name=` or its endpoint
    function's name; a route inside a mounted sub-application is also named
    `mountname:routename`.

    ## Why is this bad?
    Starlette raises `NoMatchFound` when the URL is built: the page or redirect fails with a
    500 at request time, typically after a route was renamed.

    ## Example
    ```python
    @app.get("/users/{user_id}")
    def read_user(user_id: int): ...


    @app.post("/users")
    def create_user(request: Request):
        return RedirectResponse(request.url_for("get_user", user_id=1))
    ```

    ## Use instead
    ```python
    return RedirectResponse(request.url_for("read_user", user_id=1))
    ```

    Dynamic names are not checked, nor are projects whose route table has parts fastlint
    cannot resolve (a router from a library, a name computed at run time): nothing is
    guessed.

    ## Fix safety
    There is no fix: which route was meant is the author's decision.
    """

    code = "FL612"
    name = "url-for-unknown-route"
    message = "No route of the project has this name: `url_for` raises `NoMatchFound`"
    description = "`url_for`/`url_path_for` with a route name that no route has"
    fix_availability = FixAvailability.NONE
    requires_any = ("url_for", "url_path_for")
    uses_project_facts = True

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        names = None
        for site in file.calls_of_attribute(("url_for", "url_path_for")):
            args = site.call.args
            if not args or args[0].keyword is not None or args[0].star:
                continue
            literal = args[0].value
            if not (isinstance(literal, ir.Constant) and isinstance(literal.value, str)):
                continue
            names = names or route_names(file.facts)
            if names is None:
                return False
            if not names.has(literal.value):
                return True
        return False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in (
            "url_for",
            "url_path_for",
        ):
            return
        if not node.args or node.args[0].keyword is not None or node.args[0].star:
            return
        literal = node.args[0].value
        if not isinstance(literal, cst.SimpleString):
            return
        name = literal.evaluated_value
        if not isinstance(name, str) or not self._checked_receiver(func.value):
            return
        names = route_names(self.context.facts)
        if names is None or names.has(name):
            return
        self.report(
            literal,
            f"No route, mount or static-files mount of the project is named {name!r}: "
            "building this URL raises `NoMatchFound` at request time",
        )

    def _checked_receiver(self, receiver: cst.BaseExpression) -> bool:
        model = self.context.model
        expr, point = model.expr_of(receiver), model.point_of(receiver)
        if expr is None or point is None:
            return False
        if self.context.facts.is_app_or_router(model, expr, point):
            return True
        if isinstance(expr, ir.Attribute) and expr.attr == "app":
            expr = expr.value  # request.app.url_path_for(...)
        found = self.context.types.type_of(model, expr, point)
        return self.context.types.is_instance(found, REQUEST_CLASSES)

    valid = (
        Case(
            """
            from fastapi import FastAPI, Request
            from fastapi.staticfiles import StaticFiles

            app = FastAPI()
            app.mount("/static", StaticFiles(directory="static"), name="static")

            @app.get("/users/{user_id}", name="user-detail")
            def read_user(user_id: int): ...

            @app.get("/")
            def index(request: Request):
                links = [
                    request.url_for("user-detail", user_id=1),
                    request.url_for("index"),
                    request.url_for("static", path="app.css"),
                    app.url_path_for("read_user" if False else "index"),
                ]
                name = "dynamic"
                return request.url_for(name), links
            """
        ),
        # A router the project cannot resolve: nothing is guessed.
        Case(
            """
            from fastapi import FastAPI, Request

            from plugins import auth_router

            app = FastAPI()
            app.include_router(auth_router())

            @app.get("/")
            def index(request: Request):
                return request.url_for("login")
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import APIRouter, FastAPI, Request

            app = FastAPI()
            router = APIRouter()
            sub = FastAPI()

            @sub.get("/ping")
            def ping(): ...

            @router.get("/users/{user_id}")
            def read_user(user_id: int): ...

            app.include_router(router)
            app.mount("/sub", sub, name="sub")

            @app.post("/users")
            def create_user(request: Request):
                ok = request.url_for("read_user", user_id=1), app.url_path_for("sub:ping")
                return request.url_for("get_user", user_id=1), ok  # error: 'get_user'

            def link() -> str:
                return router.url_path_for("sub:pong")  # error: 'sub:pong'
            """
        ),
    )
