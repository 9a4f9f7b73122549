"""The text patterns (``requires_match``) of the route rules and FL605/FL610 let through every
file they can report in, however its code is formatted, and keep out the files they cannot
report in, which are then neither summarised nor parsed."""

from __future__ import annotations

import re

import pytest

from fastlint.engine import applicable_rules
from fastlint.rule import Rule
from fastlint.rules.fl601_redundant_response_model import RedundantResponseModel
from fastlint.rules.fl602_path_parameter_mismatch import PathParameterMismatch
from fastlint.rules.fl605_invalid_router_prefix import InvalidRouterPrefix
from fastlint.rules.fl607_body_on_no_content import BodyOnNoContent
from fastlint.rules.fl608_body_on_get import BodyOnGet
from fastlint.rules.fl610_removed_starlette_api import RemovedStarletteApi
from fastlint.testing import run_rule

# The router is made elsewhere: nothing in these files passes the project's screen words.
ROUTERS = {"app/routing.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n"}
STARLETTE_1 = '[project]\nname = "case"\ndependencies = ["starlette>=1.0"]\n'


@pytest.mark.parametrize(
    "decorator",
    [
        '@router.get("/items/{item_id}")',
        '@ router . get ("/items/{item_id}")',
        '@router.get(\n    "/items/{item_id}",\n)',
        '@router.\\\n    get("/items/{item_id}")',
    ],
)
def test_fl602_fires_however_the_decorator_is_written(decorator: str) -> None:
    code = f"from app.routing import router\n\n\n{decorator}\nasync def read():\n    return 1\n"
    result = run_rule(PathParameterMismatch, code, path="app/items.py", files=ROUTERS)
    assert [d.code for d in result.diagnostics] == ["FL602"]


def test_fl605_fires_on_a_router_subclass_made_in_another_module() -> None:
    files = {
        "app/base.py": "from fastapi import APIRouter\n\n\nclass Versioned(APIRouter):\n    pass\n"
    }
    code = 'from app.base import Versioned\n\nrouter = Versioned(\n    prefix = "items/"\n)\n'
    result = run_rule(InvalidRouterPrefix, code, path="app/items.py", files=files)
    assert [d.code for d in result.diagnostics] == ["FL605"]


def test_fl610_fires_on_templates_used_in_a_helper_module() -> None:
    files = {
        "pyproject.toml": STARLETTE_1,
        "app/templating.py": (
            "from fastapi.templating import Jinja2Templates\n\n"
            'templates = Jinja2Templates(directory="templates")\n'
        ),
    }
    code = (
        "from app.templating import templates\n\n\n"
        "def render(request):\n"
        "    return templates.TemplateResponse (\n"
        '        "page.html", {"request": request}\n'
        "    )\n"
    )
    result = run_rule(RemovedStarletteApi, code, path="app/render.py", files=files)
    assert [d.code for d in result.diagnostics] == ["FL610"]


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (PathParameterMismatch, 'url = "/items/{id}".format(id=1)\nvalue = options.get(url)\n'),
        (RedundantResponseModel, "response_model = schema.get('response_model')\n"),
        (BodyOnNoContent, "status_code = response.get('status_code')\n"),
        (BodyOnGet, "import fastapi\n\nvalue = cache.get(key)\n"),
        (InvalidRouterPrefix, "if name.startswith(prefix):\n    pass\n"),
        (RemovedStarletteApi, "from app.routes import router\n\nrouter.routes.append(x)\n"),
    ],
)
def test_files_the_pattern_keeps_out(rule: type[Rule], text: str) -> None:
    assert any(token in text for token in rule.requires_any)  # the tokens alone let it in
    assert rule.requires_match is not None
    assert re.search(rule.requires_match, text) is None
    assert applicable_rules(text, [rule]) == []
