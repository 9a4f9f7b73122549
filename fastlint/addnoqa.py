"""``--add-noqa``: a ``# noqa: CODES`` comment on every line that has findings.

An existing ``# noqa: ...`` on the line gets the missing codes added (other tools' codes and the
rest of the comment are kept); another comment gets the directive after it; a bare ``# noqa``
already suppresses everything. A line whose end lies inside a multi-line string or after a
backslash continuation cannot take a comment and is reported instead. A file is written only
when the new text parses and suppresses exactly what was asked, atomically, in its own encoding
and line endings. FL001 (cannot be suppressed) and FL002 (unused noqa) are never added.
"""

from __future__ import annotations

import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from fastlint.diagnostics import Diagnostic
from fastlint.fixer import parses
from fastlint.noqa import parse_suppressions
from fastlint.source import LineIndex, SourceError, SourceFile, atomic_write, tokenizer_readline

NEVER_ADDED = frozenset({"FL001", "FL002"})


@dataclass
class AddNoqaResult:
    added: int = 0  # directives added or extended
    files: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Line:
    comment: tuple[int, int] | None = None  # offsets of the comment on the line
    blocked: bool = False  # the line's end is inside a token (a multi-line string)


def _lines(text: str) -> dict[int, _Line]:
    rows: dict[int, _Line] = {}
    starts = LineIndex(text)
    for token in tokenize.generate_tokens(tokenizer_readline(text)):
        (start_row, start_col), end_row = token.start, token.end[0]
        if token.type == tokenize.COMMENT:
            offset = starts.offset(start_row, start_col)
            rows.setdefault(start_row, _Line()).comment = (offset, offset + len(token.string))
        elif end_row > start_row and token.type not in (tokenize.NL, tokenize.NEWLINE):
            for row in range(start_row, end_row):
                rows.setdefault(row, _Line()).blocked = True
    return rows


def noqa_text(text: str, codes_by_row: Mapping[int, set[str]]) -> tuple[str, int, list[int]]:
    """``text`` with the directives added: (new text, directives added, rows that cannot take
    a comment)."""
    rows = _lines(text)
    suppressions = parse_suppressions(text)
    index = LineIndex(text)
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    blocked: list[int] = []
    for row, wanted in sorted(codes_by_row.items()):
        if not 1 <= row <= len(lines):
            continue
        info = rows.get(row, _Line())
        existing = suppressions.lines.get(row)
        if existing is not None:
            if existing.codes is None:
                continue  # a bare noqa suppresses everything already
            missing = sorted(wanted - set(existing.codes))
            if missing:
                last_end = existing.code_spans[-1][2]
                edits.append((last_end, last_end, "".join(f", {code}" for code in missing)))
            continue
        directive = "# noqa: " + ", ".join(sorted(wanted))
        if info.comment is not None:
            end = info.comment[1]
            edits.append((end, end, f"  {directive}"))
            continue
        line = lines[row - 1]
        content = line.rstrip("\r\n").rstrip(" \t")
        if info.blocked or content.endswith("\\"):
            blocked.append(row)
            continue
        at = index.offset(row, len(content))
        edits.append((at, at, f"  {directive}"))
    out = text
    for start, end, content in sorted(edits, reverse=True):
        out = out[:start] + content + out[end:]
    return out, len(edits), blocked


def _suppressed_all(
    text: str, codes_by_row: Mapping[int, set[str]], skipped: Sequence[int]
) -> bool:
    suppressions = parse_suppressions(text)
    return all(
        suppressions.suppresses(code, row) is not None
        for row, codes in codes_by_row.items()
        if row not in skipped
        for code in codes
    )


def add_noqa(diagnostics: Sequence[Diagnostic], texts: Mapping[str, str]) -> AddNoqaResult:
    """Add directives for ``diagnostics``; ``texts`` are the texts they were found in (a file
    that changed on disk since is left alone)."""
    result = AddNoqaResult()
    by_file: dict[str, dict[int, set[str]]] = {}
    for d in diagnostics:
        if d.code in NEVER_ADDED:
            continue
        row = d.noqa_row if d.noqa_row is not None else d.start.row
        by_file.setdefault(d.path, {}).setdefault(row, set()).add(d.code)
    for path, codes_by_row in sorted(by_file.items()):
        try:
            source = SourceFile.read(path)
        except SourceError as exc:
            result.warnings.append(f"{path}: cannot add noqa directives: {exc}")
            continue
        if source.text != texts.get(path):
            result.warnings.append(f"{path}: changed during the run, no noqa directives added")
            continue
        try:
            new_text, added, blocked = noqa_text(source.text, codes_by_row)
        except (tokenize.TokenError, SyntaxError) as exc:
            result.warnings.append(f"{path}: cannot add noqa directives: {exc}")
            continue
        for row in blocked:
            result.warnings.append(
                f"{path}:{row}: cannot add a noqa directive (the line ends inside a multi-line "
                "string or continues with a backslash)"
            )
        if not added:
            continue
        if not parses(new_text) or not _suppressed_all(new_text, codes_by_row, blocked):
            result.warnings.append(f"{path}: adding noqa directives would break the file, skipped")
            continue
        try:
            atomic_write(path, source.encode(new_text))
        except (OSError, UnicodeEncodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            result.warnings.append(f"{path}: cannot write noqa directives: {reason}")
            continue
        result.added += added
        result.files += 1
    return result
