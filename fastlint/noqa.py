"""``# noqa`` comments: which findings a line (or a whole file) suppresses.

Comments are found with the tokenizer, so ``noqa`` inside a string never counts.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Optional

_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_FILE_NOQA = re.compile(
    r"#\s*fastlint\s*:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


@dataclass
class NoqaComment:
    row: int
    start: int  # offset of the '#'-directive inside the comment's line, in the text
    end: int
    codes: Optional[tuple[str, ...]]  # None for a bare directive (no codes)
    code_spans: list[tuple[str, int, int]] = field(default_factory=list)  # code, start, end


@dataclass
class Suppressions:
    lines: dict[int, NoqaComment] = field(default_factory=dict)
    file_all: bool = False
    file_codes: frozenset[str] = frozenset()

    def suppresses(self, code: str, row: int) -> Optional[NoqaComment]:
        """The line comment that suppresses ``code`` on ``row``, if any (file-level
        suppressions are checked separately with ``file_suppresses``)."""
        comment = self.lines.get(row)
        if comment is None:
            return None
        if comment.codes is None or code in comment.codes:
            return comment
        return None

    def file_suppresses(self, code: str) -> bool:
        return self.file_all or code in self.file_codes


def parse_suppressions(text: str, line_offsets: Optional[list[int]] = None) -> Suppressions:
    result = Suppressions()
    if "noqa" not in text.lower():
        return result
    starts = line_offsets if line_offsets is not None else _line_starts(text)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return result
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        row, col = token.start
        comment = token.string
        file_match = _FILE_NOQA.match(comment)
        if file_match:
            file_codes = file_match.group("codes")
            if file_codes:
                result.file_codes |= {c.upper() for c in _CODE.findall(file_codes)}
            else:
                result.file_all = True
            continue
        match = _NOQA.search(comment)
        if not match:
            continue
        base = starts[row - 1] + col
        raw = match.group("codes")
        codes: Optional[tuple[str, ...]] = None
        spans: list[tuple[str, int, int]] = []
        if raw:
            codes_start = match.start("codes")
            for code_match in _CODE.finditer(raw):
                spans.append(
                    (
                        code_match.group(0).upper(),
                        base + codes_start + code_match.start(),
                        base + codes_start + code_match.end(),
                    )
                )
            codes = tuple(code for code, _, _ in spans)
        result.lines[row] = NoqaComment(row, base + match.start(), base + match.end(), codes, spans)
    return result


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for match in re.finditer(r"\r\n|\r|\n", text):
        starts.append(match.end())
    return starts
