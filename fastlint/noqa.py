"""``# noqa`` comments: which findings a line (or a whole file) suppresses.

Comments are found with the tokenizer, so ``noqa`` inside a string never counts.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Optional

from fastlint.diagnostics import Edit
from fastlint.source import tokenizer_readline

_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_FILE_NOQA = re.compile(
    r"#\s*fastlint\s*:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass
class NoqaComment:
    row: int
    start: int  # offset of the '#'-directive inside the comment's line, in the text
    end: int  # the end of its codes (a reason may follow)
    codes: Optional[tuple[str, ...]]  # None for a bare directive (no codes)
    code_spans: list[tuple[str, int, int]] = field(default_factory=list)  # code, start, end
    comment_start: int = -1  # the comment token the directive is part of
    comment_end: int = -1


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
        tokens = list(tokenize.generate_tokens(tokenizer_readline(text)))
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
        result.lines[row] = NoqaComment(
            row,
            base + match.start(),
            base + match.end(),
            codes,
            spans,
            comment_start=base,
            comment_end=base + len(comment),
        )
    return result


# Where another comment starts after a directive's reason: a ``#`` after whitespace that does
# not start an issue number (``-- see #123`` is still the reason).
_NEXT_COMMENT = re.compile(r"\s+#(?![0-9])")


def without_codes(text: str, comment: NoqaComment, removed: Collection[str]) -> Edit:
    """The edit that takes the ``removed`` codes out of ``comment``.

    When codes remain (other tools' codes, or FL codes that suppress something), only the list
    of codes changes and the reason after it stays. When none remain, the directive goes with
    its reason (``-- legacy`` up to the next ``#`` comment of the line), and so do the spaces
    in front of it when nothing follows on the line; a directive that was the whole line takes
    the line with it."""
    kept = [code for code, _, _ in comment.code_spans if code not in removed]
    if kept:
        return Edit(comment.start, comment.end, "# noqa: " + ", ".join(kept))
    rest = text[comment.end : comment.comment_end]
    following = _NEXT_COMMENT.search(rest)
    if following is not None:
        # A directive and its reason followed by `# type: ignore`: that comment takes its place.
        return Edit(comment.start, comment.end + following.end() - 1, "")
    line_start = _line_start(text, comment.start)
    line_end = _line_end(text, comment.comment_end)
    before = text[line_start : comment.start]
    if not before.strip():
        return Edit(line_start, line_end, "")  # the directive was the whole line
    start = line_start + len(before.rstrip(" \t\f"))
    end = comment.comment_end
    while end < len(text) and text[end] in " \t\f":
        end += 1
    return Edit(start, end, "")


def _line_start(text: str, offset: int) -> int:
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def _line_end(text: str, offset: int) -> int:
    """Just past the newline of the line holding ``offset``."""
    match = _NEWLINE.search(text, offset)
    return match.end() if match else len(text)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for match in _NEWLINE.finditer(text):
        starts.append(match.end())
    return starts
