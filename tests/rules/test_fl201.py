from __future__ import annotations

import textwrap

import pytest

from fastlint.rules.fl201_cors_wildcard_credentials import (
    CorsWildcardCredentials,
    matches_any_origin,
)
from fastlint.testing import run_rule

RISK = "every website can make authenticated requests on behalf of your users"
PACKAGE = {"app/__init__.py": ""}


def messages(
    code: str, files: dict[str, str] | None = None, path: str = "app/main.py"
) -> list[str]:
    """Messages of FL201 on ``code`` as ``path`` of a project with ``files`` (dedented)."""
    project = dict(PACKAGE)
    project.update({name: textwrap.dedent(text) for name, text in (files or {}).items()})
    result = run_rule(
        CorsWildcardCredentials, textwrap.dedent(code).lstrip("\n"), path=path, files=project
    )
    return [d.message for d in result.diagnostics]


def cors(origins: str, credentials: str = "True", *, prelude: str = "") -> str:
    """A main module that adds CORSMiddleware with the given argument expressions."""
    return (
        "import os\n"
        "from fastapi import FastAPI\n"
        "from fastapi.middleware.cors import CORSMiddleware\n"
        f"{textwrap.dedent(prelude)}\n"
        "app = FastAPI()\n"
        "app.add_middleware(\n"
        "    CORSMiddleware,\n"
        f"    allow_origins={origins},\n"
        f"    allow_credentials={credentials},\n"
        ")\n"
    )


# -- messages and location -------------------------------------------------------------------------


def test_message_and_location_point_at_the_wildcard_argument() -> None:
    result = run_rule(CorsWildcardCredentials, cors('["*"]'), files=PACKAGE)
    [diagnostic] = result.diagnostics
    assert diagnostic.message == (
        'CORSMiddleware allows any origin (`"*"`) with `allow_credentials=True`: ' + RISK
    )
    assert (diagnostic.start.row, diagnostic.start.column) == (8, 5)
    assert diagnostic.fix is None


def test_default_message_names_the_unset_variable() -> None:
    [message] = messages(cors('os.getenv("CORS_ORIGINS", "*").split(",")'))
    assert message.endswith(f"{RISK}; the default configuration (`CORS_ORIGINS` unset) is exposed")


def test_default_message_names_every_unset_setting() -> None:
    [message] = messages(
        cors('os.environ.get("CORS_ORIGINS", "*")', 'os.getenv("CORS_CREDENTIALS", "1") == "1"')
    )
    assert "(`CORS_ORIGINS` unset, `CORS_CREDENTIALS` unset)" in message


def test_noqa_on_the_reported_line_suppresses() -> None:
    code = cors('["*"],  # noqa: FL201')
    assert messages(code) == []


# -- what counts as a wildcard ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "origins",
    [
        '["*"]',
        '("https://app.example.com", "*")',
        '{"*"}',
        '"*"',
        'list(["*"])',
        '["https://app.example.com"] + ["*"]',
        '["*", *EXTRA]',
        '[*EXTRA, "*"]',
        '"https://a.example.com,*".split(",")',
        '["*"] if True else []',
    ],
)
def test_wildcard_origins(origins: str) -> None:
    assert len(messages(cors(origins, prelude="EXTRA = load()"))) == 1


@pytest.mark.parametrize(
    "origins",
    [
        '["https://app.example.com"]',
        '["https://*.example.com"]',  # Starlette compares list items, no globbing
        "[]",
        "EXTRA",
        '[o for o in "a,*".split(",") if o != "*"]',
        '["*"] if DEBUG else []',
        '"*" if DEBUG else "https://app.example.com"',
    ],
)
def test_not_a_wildcard(origins: str) -> None:
    assert messages(cors(origins, prelude="EXTRA = load()\nDEBUG = load()")) == []


def test_a_string_containing_a_star_allows_everything() -> None:
    # Starlette tests `"*" in allow_origins`: on a string that is a substring test.
    [message] = messages(cors('"https://*.example.com"'))
    assert '`allow_origins="https://*.example.com"` is a string containing `"*"`' in message


@pytest.mark.parametrize(
    "pattern", [".*", ".+", "^.*$", "https?://.*", "https://.*", "(https|http)://[^/]+", r"\S*"]
)
def test_regex_matching_any_origin(pattern: str) -> None:
    assert matches_any_origin(pattern)
    code = cors("[]").replace("allow_origins=[]", f"allow_origin_regex={pattern!r}")
    [message] = messages(code)
    assert "`allow_origin_regex=" in message and "matches every origin" in message


@pytest.mark.parametrize(
    "pattern",
    [
        r"https://.*\.example\.com",
        r"https://(www\.)?example\.com",
        r"http://localhost:\d+",
        "[",  # not a valid pattern: Starlette fails at start-up, nothing to report here
        "",
    ],
)
def test_specific_regex(pattern: str) -> None:
    assert not matches_any_origin(pattern)
    code = cors("[]").replace("allow_origins=[]", f"allow_origin_regex={pattern!r}")
    assert messages(code) == []


# -- credentials -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "credentials",
    ["True", "ALLOW", "not False", "bool(1)", 'os.getenv("CORS_CREDENTIALS", "true") == "true"'],
)
def test_credentials_true(credentials: str) -> None:
    assert len(messages(cors('["*"]', credentials, prelude="ALLOW = True"))) == 1


@pytest.mark.parametrize(
    "credentials",
    [
        "False",
        "None",
        "0",
        '""',
        "UNKNOWN",
        'os.getenv("CORS_CREDENTIALS")',
        'os.environ["CORS_CREDENTIALS"]',
        'os.getenv("CORS_CREDENTIALS", "false").lower() == "true"',
    ],
)
def test_credentials_false_or_unknown(credentials: str) -> None:
    assert messages(cors('["*"]', credentials, prelude="UNKNOWN = load()")) == []


def test_credentials_string_is_true_whatever_it_says() -> None:
    [message] = messages(cors('["*"]', 'os.getenv("CORS_CREDENTIALS", "false")'))
    assert '`allow_credentials="false"` (a non-empty string is true)' in message
    assert "(`CORS_CREDENTIALS` unset)" in message


def test_credentials_default_false_when_absent() -> None:
    code = cors('["*"]').replace("    allow_credentials=True,\n", "")
    assert messages(code) == []


# -- the ways CORSMiddleware is added --------------------------------------------------------------


def test_positional_arguments() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware import Middleware
        from fastapi.middleware.cors import CORSMiddleware

        app = FastAPI(middleware=[Middleware(CORSMiddleware, ["*"], ["*"], ["*"], True)])
        other = FastAPI(middleware=[Middleware(CORSMiddleware, ["*"], ["*"], ["*"], False)])
    """
    assert len(messages(code)) == 1


def test_keyword_class_and_kwargs_mapping() -> None:
    code = """
        from fastapi import FastAPI
        from starlette.middleware.cors import CORSMiddleware

        OPTIONS = dict(allow_origins=["*"], allow_methods=["*"])

        app = FastAPI()
        app.add_middleware(middleware_class=CORSMiddleware, allow_credentials=True, **OPTIONS)
    """
    assert len(messages(code)) == 1


def test_explicit_keyword_wins_over_mapping() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        OPTIONS = {"allow_origins": ["*"], "allow_credentials": True}

        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["https://a.example.com"], **OPTIONS)
    """
    assert messages(code) == []


def test_wrapping_an_app_and_module_imports() -> None:
    code = """
        import starlette.middleware.cors
        import fastapi.middleware.cors as fastapi_cors
        from fastapi import FastAPI

        app = FastAPI()
        a = starlette.middleware.cors.CORSMiddleware(
            app, allow_origins=["*"], allow_credentials=True
        )
        b = fastapi_cors.CORSMiddleware(app=app, allow_origins=["*"], allow_credentials=True)
    """
    assert len(messages(code)) == 2


def test_aliases_of_the_class() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware as Cors

        LocalCors = Cors
        app = FastAPI()
        app.add_middleware(Cors, allow_origins=["*"], allow_credentials=True)
        app.add_middleware(LocalCors, allow_origins=["*"], allow_credentials=True)
    """
    assert len(messages(code)) == 2


def test_other_middleware_with_the_same_arguments() -> None:
    code = """
        from fastapi import FastAPI
        from starlette.middleware import Middleware
        from app.middleware import AuditMiddleware

        app = FastAPI(
            middleware=[Middleware(AuditMiddleware, allow_origins=["*"], allow_credentials=True)]
        )
        app.add_middleware(AuditMiddleware, allow_origins=["*"], allow_credentials=True)
    """
    files = {"app/middleware.py": "class AuditMiddleware:\n    pass\n"}
    assert messages(code, files) == []


def test_shadowed_class_name_in_a_function() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        def install(app: FastAPI, CORSMiddleware: type) -> None:
            app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    """
    assert messages(code) == []


def test_add_middleware_on_a_router_is_no_registration() -> None:
    code = """
        from fastapi import APIRouter
        from fastapi.middleware.cors import CORSMiddleware

        class Wrapper:
            def add_middleware(self, cls, **options):
                pass

        router = APIRouter()
        router.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)

        def install(app):  # an app of unknown type, a project object that may hand it on
            app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
            Wrapper().add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    """
    assert len(messages(code)) == 2


# -- scopes ----------------------------------------------------------------------------------------


def test_local_variable_in_an_app_factory() -> None:
    code = """
        import os
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        def create_app() -> FastAPI:
            app = FastAPI()
            origins = [o.strip() for o in os.getenv("CORS_ORIGINS", "*").split(",") if o]
            app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)
            return app
    """
    [message] = messages(code)
    assert "(`CORS_ORIGINS` unset)" in message


def test_local_variable_bound_twice_is_not_guessed() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        def create_app(debug: bool) -> FastAPI:
            app = FastAPI()
            origins = ["*"]
            if not debug:
                origins = ["https://app.example.com"]
            app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)
            return app
    """
    assert messages(code) == []


def test_the_binding_in_force_decides() -> None:
    code = """
        import os
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        ORIGINS = ["https://app.example.com"]
        ORIGINS = ["*"]
        if os.getenv("DEV"):
            CREDENTIALS = True
        else:
            CREDENTIALS = True

        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=CREDENTIALS)
    """
    assert len(messages(code)) == 1


def test_a_method_sees_constants_defined_after_its_class() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        class Factory:
            def build(self) -> FastAPI:
                app = FastAPI()
                app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)
                return app

        ORIGINS = ["*"]
    """
    assert len(messages(code)) == 1


def test_loop_variable_is_not_guessed() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        origins = ["*"]
        app = FastAPI()
        for origins in (["https://a.example.com"],):
            app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)
    """
    assert messages(code) == []


def test_class_body_is_not_an_enclosing_scope_of_its_methods() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        ORIGINS = ["https://app.example.com"]

        class Factory:
            ORIGINS = ["*"]

            def build(self) -> FastAPI:
                app = FastAPI()
                app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)
                return app
    """
    assert messages(code) == []


def test_defaults_and_decorators_are_evaluated_outside_the_function() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        origins = ["*"]
        app = FastAPI()

        def wrap(
            asgi=CORSMiddleware(app, allow_origins=origins, allow_credentials=True),
        ):
            origins = []
            return asgi
    """
    assert len(messages(code)) == 1


def test_unpacked_options_in_every_form() -> None:
    code = """
        from fastapi import FastAPI
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware

        OPTIONS = {"allow_origins": ["*"], "allow_credentials": True}
        POSITIONAL = (["*"], ["GET"], [], True)

        app = FastAPI(middleware=[Middleware(CORSMiddleware, **OPTIONS)])
        wrapped = CORSMiddleware(app, **OPTIONS)
        listed = CORSMiddleware(app, *POSITIONAL)
        app.add_middleware(CORSMiddleware, *POSITIONAL)
    """
    assert len(messages(code)) == 4


def test_huge_string_operations_are_not_evaluated() -> None:
    origins = '("x" * 3).replace("", "' + "y" * 400 + '") + "*"'
    assert messages(cors(f"[{origins}]")) == []  # `*` on strings is not evaluated at all
    replaced = ('"' + "a" * 500 + '".replace("", "' + "b" * 500 + '")').join(["[", ', "*"]'])
    assert len(messages(cors(replaced))) == 1  # the unknown element does not hide the `"*"`


# -- other modules of the project ------------------------------------------------------------------


def test_constants_imported_from_another_module() -> None:
    files = {"app/config.py": 'ORIGINS = ["*"]\nALLOW_CREDENTIALS = True\n'}
    direct = "from app.config import ORIGINS, ALLOW_CREDENTIALS\n"
    assert len(messages(cors("ORIGINS", "ALLOW_CREDENTIALS", prelude=direct), files)) == 1
    module = "from app import config\n"
    code = cors("config.ORIGINS", "config.ALLOW_CREDENTIALS", prelude=module)
    assert len(messages(code, files)) == 1
    star = "from app.config import *\n"
    assert len(messages(cors("ORIGINS", "ALLOW_CREDENTIALS", prelude=star), files)) == 1
    relative = "from .config import ORIGINS\n"
    assert len(messages(cors("ORIGINS", prelude=relative), files)) == 1


def test_constants_through_a_re_export_and_a_chain() -> None:
    files = {
        "app/defaults.py": 'import os\nRAW = os.getenv("ALLOWED_ORIGINS", "*")\n',
        "app/config.py": "from app.defaults import RAW\nORIGINS = RAW.split(',')\n",
        "app/settings.py": "from app.config import ORIGINS\n",
    }
    [message] = messages(cors("ORIGINS", prelude="from app.settings import ORIGINS\n"), files)
    assert "(`ALLOWED_ORIGINS` unset)" in message


def test_specific_constants_in_another_module() -> None:
    files = {"app/config.py": 'ORIGINS = ["https://app.example.com"]\n'}
    assert messages(cors("ORIGINS", prelude="from app.config import ORIGINS\n"), files) == []


def test_kwargs_mapping_in_another_module() -> None:
    files = {"app/config.py": 'CORS = {"allow_origins": ["*"], "allow_credentials": True}\n'}
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        from app.config import CORS

        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_methods=["GET"], **CORS)
    """
    assert len(messages(code, files)) == 1


def test_class_re_exported_under_another_name() -> None:
    files = {"app/compat.py": "from starlette.middleware.cors import CORSMiddleware as Cors\n"}
    code = """
        from fastapi import FastAPI
        from app.compat import Cors

        app = FastAPI()
        app.add_middleware(Cors, allow_origins=["*"], allow_credentials=True)
    """
    assert len(messages(code, files)) == 1


def test_project_class_named_cors_middleware() -> None:
    files = {
        "app/middleware.py": """
            class CORSMiddleware:
                def __init__(self, app, **options):
                    self.app = app
        """
    }
    code = """
        from fastapi import FastAPI
        from app.middleware import CORSMiddleware

        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    """
    assert messages(code, files) == []


def test_project_subclass_of_cors_middleware() -> None:
    files = {
        "app/middleware.py": """
            from starlette.middleware.cors import CORSMiddleware

            class LoggingCors(CORSMiddleware):
                pass

            class StrictCors(CORSMiddleware):
                def is_allowed_origin(self, origin: str) -> bool:
                    return origin.endswith(".example.com")
        """
    }
    code = """
        from fastapi import FastAPI
        from app.middleware import LoggingCors, StrictCors

        app = FastAPI()
        app.add_middleware(LoggingCors, allow_origins=["*"], allow_credentials=True)
        app.add_middleware(StrictCors, allow_origins=["*"], allow_credentials=True)
    """
    assert len(messages(code, files)) == 1


def test_subclass_and_alias_with_unpacked_options() -> None:
    files = {
        "app/middleware.py": """
            from starlette.middleware.cors import CORSMiddleware

            class LoggingCors(CORSMiddleware):
                pass

            Cors = CORSMiddleware
            OPTIONS = {"allow_origins": ["*"], "allow_credentials": True}
        """
    }
    code = """
        from fastapi import FastAPI
        from starlette.middleware import Middleware
        from app.middleware import OPTIONS, Cors, LoggingCors

        app = FastAPI(middleware=[Middleware(Cors, **OPTIONS)])
        app.add_middleware(LoggingCors, **OPTIONS)
    """
    assert len(messages(code, files)) == 2


def test_middleware_list_in_another_module_is_reported_there() -> None:
    code = """
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware

        middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)]
    """
    main = """
        from fastapi import FastAPI
        from app.middleware import middleware

        app = FastAPI(middleware=middleware)
    """
    assert len(messages(code, {"app/main.py": main}, path="app/middleware.py")) == 1


# -- settings --------------------------------------------------------------------------------------

SETTINGS = """
    from functools import lru_cache

    from pydantic import Field
    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        cors_origins: list[str] = ["*"]
        cors_origins_text: str = "*"
        cors_factory: list[str] = Field(default_factory=lambda: ["*"])
        cors_field: list[str] = Field(default=["*"], description="allowed origins")
        cors_required: list[str]
        cors_specific: list[str] = ["https://app.example.com"]
        cors_allow_credentials: bool = True

        @property
        def cors_origin_list(self) -> list[str]:
            return [origin.strip() for origin in self.cors_origins_text.split(",")]


    settings = Settings()


    @lru_cache
    def get_settings() -> Settings:
        return Settings()
"""


@pytest.mark.parametrize(
    ("origins", "field"),
    [
        ("settings.cors_origins", "cors_origins"),
        ("settings.cors_origins_text", "cors_origins_text"),
        ("settings.cors_factory", "cors_factory"),
        ("settings.cors_field", "cors_field"),
        ("settings.cors_origin_list", "cors_origins_text"),  # a property over a field
        ("get_settings().cors_origins", "cors_origins"),
        ("local.cors_origins", "cors_origins"),
    ],
)
def test_settings_field_defaulting_to_a_wildcard(origins: str, field: str) -> None:
    prelude = "from app.config import settings, get_settings\nlocal = get_settings()\n"
    [message] = messages(cors(origins, prelude=prelude), {"app/config.py": SETTINGS})
    assert message.endswith(
        f"{RISK}; the default configuration (`Settings.{field}` unset) is exposed"
    )


def test_settings_credentials_default() -> None:
    prelude = "from app.config import settings\n"
    code = cors('["*"]', "settings.cors_allow_credentials", prelude=prelude)
    [message] = messages(code, {"app/config.py": SETTINGS})
    assert "(`Settings.cors_allow_credentials` unset)" in message


@pytest.mark.parametrize(
    "origins",
    [
        "settings.cors_required",
        "settings.cors_specific",
        "settings.unknown_field",
        'Settings(cors_origins=["https://app.example.com"]).cors_origins',
        "Settings(**load()).cors_origins",
    ],
)
def test_settings_without_a_wildcard_default(origins: str) -> None:
    prelude = "from app.config import settings, Settings\n"
    assert messages(cors(origins, prelude=prelude), {"app/config.py": SETTINGS}) == []


def test_settings_in_the_same_module() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        from pydantic_settings import BaseSettings, SettingsConfigDict


        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_prefix="APP_")
            allowed_origins: list[str] = ["*"]


        settings = Settings()
        app = FastAPI()
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.allowed_origins, allow_credentials=True
        )
    """
    [message] = messages(code)
    assert "(`Settings.allowed_origins` unset)" in message


def test_plain_class_attribute() -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        class Config:
            ORIGINS = ["*"]

        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=Config.ORIGINS, allow_credentials=True)
    """
    [message] = messages(code)
    assert "default configuration" not in message


def test_starlette_config() -> None:
    prelude = """
        from starlette.config import Config
        from starlette.datastructures import CommaSeparatedStrings

        config = Config(".env", env_prefix="APP_")
    """
    code = cors(
        'config("CORS_ORIGINS", cast=CommaSeparatedStrings, default="*")',
        'config("CORS_CREDENTIALS", cast=bool, default="true")',
        prelude=prelude,
    )
    [message] = messages(code)
    assert "(`APP_CORS_ORIGINS` unset, `APP_CORS_CREDENTIALS` unset)" in message
    no_default = cors('config("CORS_ORIGINS", cast=CommaSeparatedStrings)', prelude=prelude)
    assert messages(no_default) == []
    false = cors('["*"]', 'config("CORS_CREDENTIALS", cast=bool, default="false")', prelude=prelude)
    assert messages(false) == []


def test_decouple_config() -> None:
    prelude = "from decouple import config, Csv\n"
    code = cors('config("CORS_ORIGINS", default="*", cast=Csv())', prelude=prelude)
    assert len(messages(code)) == 1
    no_default = cors('config("CORS_ORIGINS", cast=Csv())', prelude=prelude)
    assert messages(no_default) == []


def test_or_default_and_json() -> None:
    assert len(messages(cors('os.getenv("CORS_ORIGINS") or "*"'))) == 1
    assert (
        len(
            messages(
                cors('json.loads(os.getenv("CORS_ORIGINS", \'["*"]\'))', prelude="import json")
            )
        )
        == 1
    )
    assert messages(cors('os.getenv("CORS_ORIGINS") or "https://a.example.com"')) == []
