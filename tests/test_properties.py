"""Property tests: on generated programs the engine never raises, every fix parses (LibCST and
CPython's ast) and fixing is idempotent.

CI runs a bounded number of examples; for a longer run:

    FASTLINT_HYPOTHESIS_EXAMPLES=5000 pytest tests/test_properties.py
"""

from __future__ import annotations

import ast
import os
import warnings

import hypothesmith
import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastlint.config import Settings
from fastlint.engine import FileResult, lint_text
from fastlint.fixer import fix_text
from fastlint.registry import all_rules
from fastlint.testing import rule_cases

EXAMPLES = int(os.environ.get("FASTLINT_HYPOTHESIS_EXAMPLES", "40"))
RULES = list(all_rules().values())
SETTINGS = Settings()
HEADER = (
    "from typing import Annotated\n"
    "from fastapi import APIRouter, Depends, FastAPI\n"
    "from fastapi.middleware.cors import CORSMiddleware\n"
    "from pydantic import BaseModel, validator\n"
    "from sqlalchemy.orm import Session\n"
    "app = FastAPI()\n"
)
SNIPPETS = sorted({labeled.case.source() for rule in RULES for labeled in rule_cases(rule)})
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("CI") == "true",
)


def _lint(text: str) -> FileResult:
    result = lint_text("gen.py", text, RULES, SETTINGS, module_name="gen", unused_noqa=True)
    assert not result.rule_errors, result.rule_errors[0].traceback
    return result


def _parses_with_ast(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _check_program(text: str) -> None:
    _lint(text)
    for unsafe in (False, True):
        outcome = fix_text(text, _lint, unsafe=unsafe)
        if outcome.text == text:
            continue
        cst.parse_module(outcome.text)  # raises if a fix broke the file
        if _parses_with_ast(text):
            assert _parses_with_ast(outcome.text), outcome.text
        again = fix_text(outcome.text, _lint, unsafe=unsafe)
        assert again.text == outcome.text, "fixing twice changed the code again"


@PROPERTY_SETTINGS
@given(hypothesmith.from_node())
def test_generated_modules(code: str) -> None:
    _check_program(HEADER + code)


@PROPERTY_SETTINGS
@given(hypothesmith.from_grammar())
def test_generated_from_grammar(code: str) -> None:
    _check_program(HEADER + code)


@PROPERTY_SETTINGS
@given(
    st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=5),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_rule_snippets_combined(parts: list[str], newline: str, tabs: bool) -> None:
    """Real rule cases glued into one module: fixes of different rules meet in one file."""
    text = "\n".join(parts)
    if tabs:
        text = text.replace("    ", "\t")
    _check_program(text.replace("\n", newline))
