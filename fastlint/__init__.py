"""fastlint: a linter for FastAPI, Starlette and Pydantic code.

The public API is loaded on first use, so that ``fastlint --version``, ``--help`` and reading
the configuration never import LibCST.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Applicability",
    "Case",
    "Diagnostic",
    "Edit",
    "FileContext",
    "Fix",
    "FixAvailability",
    "Location",
    "Rule",
    "__version__",
]

_EXPORTS = {
    "Applicability": "fastlint.diagnostics",
    "Diagnostic": "fastlint.diagnostics",
    "Edit": "fastlint.diagnostics",
    "Fix": "fastlint.diagnostics",
    "Location": "fastlint.diagnostics",
    "Case": "fastlint.rule",
    "FileContext": "fastlint.rule",
    "FixAvailability": "fastlint.rule",
    "Rule": "fastlint.rule",
}

if TYPE_CHECKING:
    from fastlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
    from fastlint.rule import Case, FileContext, FixAvailability, Rule


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fastlint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
