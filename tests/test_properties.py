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
from fastlint.deep import call_deep
from fastlint.engine import FileResult, lint_text
from fastlint.fixer import fix_text
from fastlint.registry import all_rules
from fastlint.syntax import compile_error
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


def _nested(kind: str, depth: int) -> str:
    """One statement nested ``depth`` deep, of a shape CPython accepts up to some depth."""
    if kind == "sum":
        return "x = " + " + ".join(["1"] * depth) + "\n"
    if kind == "elif":
        return "if a == 0:\n    pass\n" + "".join(
            f"elif a == {i}:\n    pass\n" for i in range(1, depth)
        )
    if kind == "attribute":
        return "x = a" + ".b" * depth + "\n"
    if kind == "call":
        return "x = " + "f(" * depth + ")" * depth + "\n"
    if kind == "list":
        return "x = " + "[" * depth + "]" * depth + "\n"
    if kind == "not":
        return "x = " + "not " * depth + "a\n"
    if kind == "indent":
        return "".join("    " * i + "if a:\n" for i in range(depth)) + "    " * depth + "pass\n"
    assert kind == "string-concat"
    return "x = (" + " ".join(['"s"'] * depth) + ")\n"


DEEP_KINDS = ["sum", "elif", "attribute", "call", "list", "not", "indent", "string-concat"]


def _findings(text: str) -> list[tuple[str, int]]:
    return sorted((d.code, d.start.row) for d in call_deep(_lint, text).diagnostics)


@settings(
    max_examples=int(os.environ.get("FASTLINT_HYPOTHESIS_DEEP_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("CI") == "true",
)
@given(
    st.sampled_from(SNIPPETS),
    st.sampled_from(DEEP_KINDS),
    st.one_of(st.integers(1, 300), st.integers(300, 3200), st.sampled_from([2999, 10_000])),
)
def test_deep_nesting_keeps_every_finding(snippet: str, kind: str, depth: int) -> None:
    """A rule case followed by code nested up to (and past) what CPython compiles: where
    CPython compiles it, the case's findings all survive; where it does not, the file is one
    FL001 and nothing else (and no fix is offered)."""
    deep = ("a = 1\n" if kind in ("elif", "indent") else "") + _nested(kind, depth)
    text = snippet.rstrip("\n") + "\n" + deep
    result = call_deep(_lint, text)
    if call_deep(compile_error, text, "gen.py") is not None:  # judged as the engine does
        assert [d.code for d in result.diagnostics] == ["FL001"]
        return
    unsupported = [d for d in result.diagnostics if d.code == "FL001"]
    if unsupported:  # valid Python past LibCST's own limits: reported, never dropped silently
        assert [d.code for d in result.diagnostics] == ["FL001"]
        assert "LibCST cannot parse this file, although CPython compiles it" in (
            unsupported[0].message
        )
        return
    assert _findings(text) == _findings(snippet.rstrip("\n") + "\n")
    outcome = call_deep(fix_text, text, _lint, unsafe=True)  # as check_file runs it
    assert call_deep(compile_error, outcome.text, "gen.py") is None
