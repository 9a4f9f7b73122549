"""Helpers of the FL1xx tests: run one rule (or several) over a small multi-file project."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Optional

from fastlint.diagnostics import Diagnostic
from fastlint.rule import Rule
from fastlint.testing import run_rule

PACKAGE = {"app/__init__.py": "", "app/routers/__init__.py": ""}


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def findings(
    rule: type[Rule],
    code: str,
    files: Optional[dict[str, str]] = None,
    path: str = "app/main.py",
    rules: Optional[Sequence[type[Rule]]] = None,
) -> list[Diagnostic]:
    result = run_rule(
        rule,
        dedent(code),
        path=path,
        files={name: dedent(text) for name, text in {**PACKAGE, **(files or {})}.items()},
        rules=rules,
    )
    return result.diagnostics


def messages(
    rule: type[Rule],
    code: str,
    files: Optional[dict[str, str]] = None,
    path: str = "app/main.py",
) -> list[str]:
    return [d.message for d in findings(rule, code, files, path)]


def fixed(
    rule: type[Rule],
    code: str,
    files: Optional[dict[str, str]] = None,
    path: str = "app/main.py",
    *,
    unsafe: bool = False,
    rules: Optional[Sequence[type[Rule]]] = None,
) -> str:
    result = run_rule(
        rule,
        dedent(code),
        path=path,
        files={name: dedent(text) for name, text in {**PACKAGE, **(files or {})}.items()},
        fix=True,
        unsafe=unsafe,
        rules=rules,
    )
    return result.fixed_text
