"""Value types shared by the engine, the fixer and the reporters.

Workers hand these back instead of syntax trees: they are small, immutable and picklable.
Offsets are indices into the decoded text of a file (characters, not bytes).
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from typing import Any, Optional

_SLOTS: dict[str, Any] = {"slots": True} if sys.version_info >= (3, 10) else {}


class Applicability(str, enum.Enum):
    """How safe a fix is: ``safe`` fixes run under ``--fix``, ``unsafe`` ones need
    ``--unsafe-fixes``."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, **_SLOTS)
class Edit:
    """Replace ``text[start:end]`` with ``content`` (an insertion when ``start == end``)."""

    start: int
    end: int
    content: str

    def is_insertion(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True, **_SLOTS)
class Fix:
    """A set of edits that must be applied together.

    ``remove_if_unused`` names imported local names that the edits may leave unused; the fixer
    drops their imports after applying the fix when nothing in the file refers to them anymore.
    """

    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]
    remove_if_unused: tuple[str, ...] = ()

    def span(self) -> tuple[int, int]:
        return min(e.start for e in self.edits), max(e.end for e in self.edits)


@dataclass(frozen=True, order=True, **_SLOTS)
class Location:
    """A 1-based row and 1-based column, as editors and ruff show them."""

    row: int
    column: int


@dataclass(frozen=True, **_SLOTS)
class Diagnostic:
    code: str
    name: str
    message: str
    path: str
    start: Location
    end: Location
    fix: Optional[Fix] = None
    noqa_row: Optional[int] = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.start.row, self.start.column, self.code)
