from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Optional

import libcst as cst

from fastlint.precheck import PreCheck
from fastlint.rule import Case, FixAvailability, Rule
from fastlint.semantic import knowledge
from fastlint.semantic.values import Argument, Value, values_for

# The positional-or-keyword parameters of ``CORSMiddleware.__init__`` after ``app``, as far as
# they are the same in every Starlette release.
CORS_PARAMETERS = (
    "allow_origins",
    "allow_methods",
    "allow_headers",
    "allow_credentials",
    "allow_origin_regex",
)
# A project subclass that overrides one of these may check origins its own way.
_ORIGIN_CHECKS = frozenset(
    {"__init__", "__call__", "is_allowed_origin", "send", "simple_response", "preflight_response"}
)
# Origins of sites an attacker can register: a pattern that fully matches all of them (for one
# scheme) lets any website in.
_ATTACKER_HOSTS = ("attacker.example", "evil-site.test", "xn--80ak6aa92e.com:8443")
_MAX_HOPS = 8


def matches_any_origin(pattern: str) -> bool:
    """Whether ``allow_origin_regex=pattern`` accepts origins on hosts an attacker chooses
    (Starlette matches the whole origin with ``fullmatch``)."""
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return False
    return any(
        all(compiled.fullmatch(f"{scheme}://{host}") for host in _ATTACKER_HOSTS)
        for scheme in ("https", "http")
    )


class CorsWildcardCredentials(Rule):
    """## What it does
    Reports `CORSMiddleware` (added with `app.add_middleware(...)`, as a
    `Middleware(CORSMiddleware, ...)` entry, or wrapping an app directly) that allows any origin
    (`allow_origins` containing `"*"`, or an `allow_origin_regex` such as `".*"` that matches
    every origin) together with `allow_credentials=True`.

    Constants and module-level lists are followed, also across modules of the project. A value
    that is only the default also counts, and the message says that the default configuration is
    exposed: `os.getenv("CORS_ORIGINS", "*")`, `os.environ.get(...)` with a `"*"` default (also
    after `.split(",")`), Starlette's `config("...", default="*")`, a settings field defaulting
    to `["*"]`. A value with no static default is never guessed.

    `allow_credentials` counts when its value is true the way Starlette tests it
    (`if allow_credentials:`): `True`, and also a non-empty string such as
    `os.getenv("CORS_CREDENTIALS", "false")`, which is true whatever it says.

    ## Why is this bad?
    With credentials allowed, Starlette cannot answer `Access-Control-Allow-Origin: *` (browsers
    reject that with credentials), so it echoes the request's `Origin` back together with
    `Access-Control-Allow-Credentials: true`. Every website a user visits can then send requests
    to your API with the user's cookies or HTTP authentication and read the responses: their
    data, their CSRF tokens, anything the session can do.

    ## Example
    ```python
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    ```

    ## Use instead
    ```python
    import os

    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=os.environ["CORS_ORIGINS"].split(","),  # e.g. https://app.example.com
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    ```

    A public API that needs no cookies can keep `allow_origins=["*"]` and drop
    `allow_credentials=True`.

    ## Fix safety
    There is no fix: only you know which origins your frontends are served from.
    """

    code = "FL201"
    name = "cors-wildcard-credentials"
    message = (
        "CORSMiddleware allows any origin with `allow_credentials=True`: every website can make "
        "authenticated requests on behalf of your users"
    )
    description = '`allow_origins=["*"]` with `allow_credentials=True`'
    fix_availability = FixAvailability.NONE
    # Every way to name the class spells it, except an alias under another name from another
    # module; those registrations still mention one of the other two strings unless all their
    # arguments come from elsewhere too.
    requires_any = ("Middleware", "add_middleware", "allow_credentials")

    valid = (
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware,
                allow_origins=["https://app.example.com"],
                allow_credentials=True,
            )
            """
        ),
        # A wildcard without credentials is a public API: fine.
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"])
            """
        ),
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)
            """
        ),
        # Environment variables: a specific default, or no default at all.
        Case(
            """
            import os
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware,
                allow_origins=os.getenv("CORS_ORIGINS", "https://app.example.com").split(","),
                allow_credentials=True,
            )
            """
        ),
        Case(
            """
            import os
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware,
                allow_origins=os.environ["CORS_ORIGINS"].split(","),
                allow_credentials=True,
            )
            app.add_middleware(
                CORSMiddleware,
                allow_origins=os.getenv("CORS_ORIGINS"),
                allow_credentials=True,
            )
            """
        ),
        Case(
            r"""
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware,
                allow_origin_regex=r"https://.*\.example\.com",
                allow_credentials=True,
            )
            """
        ),
        # Not Starlette's middleware: resolved by qualified name, not by spelling.
        Case(
            """
            from fastapi import FastAPI

            class CORSMiddleware:
                def __init__(self, app, **options):
                    self.app = app

            app = FastAPI()
            app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
            """
        ),
        # A parameter is not the module-level constant of the same name.
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            origins = ["*"]

            def create_app(origins: list[str]) -> FastAPI:
                app = FastAPI()
                app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)
                return app
            """
        ),
        # A name bound twice is not guessed.
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware
            from app.settings import DEBUG

            ORIGINS = ["*"]
            if not DEBUG:
                ORIGINS = ["https://app.example.com"]

            app = FastAPI()
            app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)
            """
        ),
        # Credentials from a `**mapping` that cannot be resolved are not guessed.
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware
            from app.settings import get_cors_options

            app = FastAPI()
            app.add_middleware(CORSMiddleware, allow_origins=["*"], **get_cors_options())
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_credentials=True,
                allow_methods=["*"],
                allow_headers=["*"],
            )
            """,
            count=1,
            message="every website can make authenticated requests on behalf of your users",
        ),
        Case(
            """
            from fastapi import FastAPI
            from starlette.middleware import Middleware
            from starlette.middleware.cors import CORSMiddleware

            app = FastAPI(
                middleware=[
                    Middleware(CORSMiddleware, allow_origins=("*",), allow_credentials=True),
                ]
            )
            """,
            count=1,
        ),
        Case(
            """
            from starlette.applications import Starlette
            from starlette.middleware import cors

            app = cors.CORSMiddleware(Starlette(), allow_origins="*", allow_credentials=True)
            """,
            count=1,
        ),
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            ORIGINS = ["https://app.example.com", "*"]
            ALLOW_CREDENTIALS = True

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware, allow_origins=ORIGINS, allow_credentials=ALLOW_CREDENTIALS
            )
            """,
            count=1,
        ),
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(CORSMiddleware, allow_origin_regex=".*", allow_credentials=True)
            """,
            message='`allow_origin_regex=".*"`',
        ),
        Case(
            """
            import os
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware,
                allow_origins=os.getenv("CORS_ORIGINS", "*").split(","),
                allow_credentials=True,
            )
            """,
            message="the default configuration (`CORS_ORIGINS` unset) is exposed",
        ),
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                cors_origins: list[str] = ["*"]

            settings = Settings()
            app = FastAPI()
            app.add_middleware(
                CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True
            )
            """,
            path="app/main.py",
            files={"app/__init__.py": ""},
            message="(`Settings.cors_origins` unset)",
        ),
        Case(
            """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware

            CORS_OPTIONS = {"allow_origins": ["*"], "allow_credentials": True}

            app = FastAPI()
            app.add_middleware(CORSMiddleware, **CORS_OPTIONS)
            """,
            count=1,
        ),
    )

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        return any(
            _passes_credentials([(bool(a.star), a.keyword) for a in site.call.args])
            for site in file.calls()
        )

    def visit_Call(self, node: cst.Call) -> None:
        if not _may_pass_credentials(node) or not self._is_cors(self._middleware_class(node)):
            return
        model = self.context.model
        arguments = values_for(self.context).bind_call(model, node, CORS_PARAMETERS, skip=1)
        allowed = arguments.get("allow_credentials")
        if allowed is None or allowed.value is None or allowed.value.truthy() is not True:
            return
        found = self._wildcard(arguments.get("allow_origins"), arguments.get("allow_origin_regex"))
        if found is None:
            return
        argument, wildcard, origin = found
        self.report(node.args[argument.index], _message(origin, wildcard, allowed.value))

    # -- which calls register CORSMiddleware ----------------------------------------------------
    def _middleware_class(self, call: cst.Call) -> Optional[str]:
        """The qualified name of the middleware class ``call`` adds: with
        ``app.add_middleware(cls, ...)``, as a ``Middleware(cls, ...)`` entry, or the callee
        itself when it wraps an app directly."""
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "add_middleware":
            if not self._may_be_app(func.value):
                return None
            return self._symbol(_class_argument(call, "middleware_class"))
        callee = self._symbol(func)
        if callee in knowledge.MIDDLEWARE_WRAPPERS:
            return self._symbol(_class_argument(call, "cls"))
        return callee

    def _may_be_app(self, receiver: cst.BaseExpression) -> bool:
        """Whether ``receiver.add_middleware`` may be an app's: an application, a project
        class (it may hand the middleware on to one) or a value of unknown type; not a value
        known to be some other library class (a router has no middleware)."""
        found = self.context.model.type_of(receiver)
        if found is None or knowledge.canonical_class(found.name) is None:
            return True
        return found.name in knowledge.APPLICATION_CLASSES

    def _symbol(self, expr: Optional[cst.BaseExpression]) -> Optional[str]:
        """The qualified name ``expr`` stands for where it is: through imports and project
        re-exports (the model), else through aliases (``Cors = CORSMiddleware``, also in
        another module)."""
        if expr is None:
            return None
        model = self.context.model
        qualname = model.resolve(expr)
        if qualname in knowledge.CORS_MIDDLEWARE or qualname in knowledge.MIDDLEWARE_WRAPPERS:
            return qualname
        return values_for(self.context).symbol_at(model, expr)

    def _is_cors(self, qualname: Optional[str], depth: int = 0) -> bool:
        """Starlette's CORSMiddleware, or a project subclass that does not check origins its
        own way."""
        if qualname is None:
            return False
        if qualname in knowledge.CORS_MIDDLEWARE:
            return True
        types = self.context.types
        definition = types.class_definition(qualname) if depth < _MAX_HOPS else None
        if definition is None:
            return False
        model, scope = definition.model, definition.scope
        if any(model.bindings(scope.id, name) for name in _ORIGIN_CHECKS):
            return False
        return any(self._is_cors(base, depth + 1) for base in types.base_names(definition))

    # -- what it allows -------------------------------------------------------------------------
    def _wildcard(
        self, origins: Optional[Argument], regex: Optional[Argument]
    ) -> Optional[tuple[Argument, Value, str]]:
        """The argument that lets any origin in, the value that does, and which one it is."""
        if origins is not None and origins.value is not None:
            star = origins.value.find("*")
            if star is not None:
                return origins, star, "allow_origins"
        if regex is not None and regex.value is not None:
            pattern = regex.value.data
            if isinstance(pattern, str) and matches_any_origin(pattern):
                return regex, regex.value, "allow_origin_regex"
        return None


def _may_pass_credentials(call: cst.Call) -> bool:
    """A cheap test that every CORS registration that can fire passes, to keep name resolution
    off the many calls that are not about CORS: ``allow_credentials`` may be passed by keyword,
    as the fifth positional argument after the class or app, or in a ``*``/``**`` unpacking."""
    return _passes_credentials(
        [(bool(a.star), a.keyword.value if a.keyword is not None else None) for a in call.args]
    )


def _passes_credentials(args: Sequence[tuple[bool, Optional[str]]]) -> bool:
    """:func:`_may_pass_credentials` on (unpacked, keyword) of each argument."""
    positional = 0
    for star, keyword in args:
        if star or keyword == "allow_credentials":
            return True
        if keyword is None:
            positional += 1
    return positional > CORS_PARAMETERS.index("allow_credentials") + 1


def _class_argument(call: cst.Call, keyword: str) -> Optional[cst.BaseExpression]:
    """The middleware class: the first positional argument, or ``keyword=``."""
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None:
            return arg.value
        if arg.keyword.value == keyword:
            return arg.value
    return None


def _message(origin: str, wildcard: Value, credentials: Value) -> str:
    if origin == "allow_origin_regex":
        allowed = f"`allow_origin_regex={wildcard.render()}` matches every origin"
    elif wildcard.data == "*":
        allowed = '`"*"`'
    else:
        allowed = f'`allow_origins={wildcard.render()}` is a string containing `"*"`'
    if credentials.data is True:
        with_credentials = "`allow_credentials=True`"
    elif isinstance(credentials.data, str):
        with_credentials = (
            f"`allow_credentials={credentials.render()}` (a non-empty string is true)"
        )
    else:
        with_credentials = f"`allow_credentials={credentials.render()}` (true)"
    text = (
        f"CORSMiddleware allows any origin ({allowed}) with {with_credentials}: every website "
        "can make authenticated requests on behalf of your users"
    )
    unset = [*wildcard.unset, *(u for u in credentials.unset if u not in wildcard.unset)]
    if unset:
        text += f"; the default configuration ({', '.join(unset)}) is exposed"
    return text
