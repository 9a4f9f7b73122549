"""Fingerprints of findings that survive edits elsewhere in the file.

A finding is identified by its rule and by what it points at: the offending line(s), the code
it spans, and the nearest non-blank line before and after, whitespace-normalised. Line numbers
are not part of it, so lines added or removed above a finding do not change its fingerprint;
editing the offending line or its immediate neighbours does. The baseline and the GitLab
report use it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Optional

from fastlint.diagnostics import Diagnostic

# At most this many lines of a multi-line finding go into its fingerprint.
_MAX_LINES = 5


def _normalized(line: str) -> str:
    return " ".join(line.split())


def _neighbour(lines: Sequence[str], index: int, step: int) -> str:
    while 0 <= index < len(lines):
        if lines[index].strip():
            return _normalized(lines[index])
        index += step
    return ""


def fingerprint(diagnostic: Diagnostic, text: Optional[str]) -> str:
    """A hex digest of the finding's rule, offending lines and context (not its path)."""
    parts = [diagnostic.code]
    lines = text.splitlines() if text is not None else []
    first = diagnostic.start.row - 1
    if 0 <= first < len(lines):
        last = min(max(diagnostic.end.row, diagnostic.start.row), first + _MAX_LINES, len(lines))
        parts.extend(_normalized(line) for line in lines[first:last])
        if diagnostic.end.row == diagnostic.start.row:  # tells apart findings on one line
            parts.append(lines[first][diagnostic.start.column - 1 : diagnostic.end.column - 1])
        parts.append(_neighbour(lines, first - 1, -1))
        parts.append(_neighbour(lines, last, 1))
    else:  # no text (an unreadable file): the message is all there is
        parts.append(diagnostic.message)
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:20]
