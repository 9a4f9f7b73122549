"""fastlint: a linter for FastAPI, Starlette and Pydantic code."""

from fastlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from fastlint.rule import Case, FileContext, FixAvailability, Rule

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
