"""Output formats: ``full`` (with a code frame), ``concise``, ``json`` (ruff-compatible),
``github`` (workflow annotations), plus the summary lines users know from ruff."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from fastlint.diagnostics import Applicability, Diagnostic
from fastlint.source import LineIndex

FORMATS = ("full", "concise", "json", "github")


def _fixable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (fix.applicability is Applicability.SAFE or unsafe)


def _marker(diagnostic: Diagnostic, unsafe: bool) -> str:
    return "[*] " if _fixable(diagnostic, unsafe) else ""


def concise(diagnostics: Sequence[Diagnostic], unsafe: bool) -> str:
    return "".join(
        f"{d.path}:{d.start.row}:{d.start.column}: {d.code} {_marker(d, unsafe)}{d.message}\n"
        for d in diagnostics
    )


def full(diagnostics: Sequence[Diagnostic], texts: Mapping[str, str], unsafe: bool) -> str:
    out: list[str] = []
    for d in diagnostics:
        out.append(
            f"{d.path}:{d.start.row}:{d.start.column}: {d.code} {_marker(d, unsafe)}{d.message}\n"
        )
        text = texts.get(d.path)
        if text is not None:
            out.append(_frame(text, d))
        if d.fix is not None:
            note = "" if _fixable(d, unsafe) else " (unsafe: enable with --unsafe-fixes)"
            out.append(f"  = help: {d.fix.message}{note}\n")
        out.append("\n")
    return "".join(out)


def _frame(text: str, d: Diagnostic) -> str:
    lines = text.splitlines()
    row = d.start.row
    if not 1 <= row <= len(lines):
        return ""
    first = max(1, row - 1)
    last = min(len(lines), d.end.row if d.end.row > row else row)
    last = min(last, row + 3)
    width = len(str(last + 1))
    pad = " " * width
    out = [f"{pad} |\n"]
    for number in range(first, last + 1):
        line = lines[number - 1].expandtabs(4) if "\t" in lines[number - 1] else lines[number - 1]
        out.append(f"{number:>{width}} | {line}\n")
        if number == row:
            start = d.start.column - 1
            end = max(d.end.column - 1, start + 1) if d.end.row == row else len(line)
            out.append(f"{pad} | {' ' * start}{'^' * max(1, end - start)} {d.code}\n")
    out.append(f"{pad} |\n")
    return "".join(out)


def _location(index: Optional[LineIndex], offset: int) -> dict[str, int]:
    if index is None:
        return {"row": 1, "column": 1}
    location = index.location(offset)
    return {"row": location.row, "column": location.column}


def as_json(diagnostics: Sequence[Diagnostic], texts: Mapping[str, str]) -> str:
    indexes: dict[str, LineIndex] = {}
    items: list[dict[str, Any]] = []
    for d in diagnostics:
        fix: Optional[dict[str, Any]] = None
        if d.fix is not None:
            if d.path not in indexes and d.path in texts:
                indexes[d.path] = LineIndex(texts[d.path])
            index = indexes.get(d.path)
            fix = {
                "applicability": d.fix.applicability.value,
                "message": d.fix.message,
                "edits": [
                    {
                        "content": edit.content,
                        "location": _location(index, edit.start),
                        "end_location": _location(index, edit.end),
                    }
                    for edit in d.fix.edits
                ],
            }
        items.append(
            {
                "code": d.code,
                "name": d.name,
                "message": d.message,
                "filename": d.path,
                "location": {"row": d.start.row, "column": d.start.column},
                "end_location": {"row": d.end.row, "column": d.end.column},
                "fix": fix,
                "noqa_row": d.noqa_row,
            }
        )
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def github(diagnostics: Sequence[Diagnostic]) -> str:
    def escape(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    return "".join(
        f"::error title=fastlint ({d.code}),file={escape(d.path)},line={d.start.row},"
        f"col={d.start.column},endLine={d.end.row},endColumn={d.end.column}::"
        f"{escape(d.path)}:{d.start.row}:{d.start.column}: {d.code} {escape(d.message)}\n"
        for d in diagnostics
    )


def statistics(diagnostics: Sequence[Diagnostic], unsafe: bool) -> str:
    counts = Counter(d.code for d in diagnostics)
    names = {d.code: d.name for d in diagnostics}
    fixable = {d.code for d in diagnostics if _fixable(d, unsafe)}
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "".join(
        f"{count:>{width}}\t{code}\t{'[*]' if code in fixable else '[ ]'} {names[code]}\n"
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(remaining: Sequence[Diagnostic], fixed_count: int, unsafe: bool, fix_mode: bool) -> str:
    total = len(remaining) + fixed_count
    if total == 0:
        return "All checks passed!\n"
    lines = []
    if fix_mode and fixed_count:
        lines.append(
            f"Found {_plural(total, 'error')} ({fixed_count} fixed, {len(remaining)} remaining)."
        )
    elif remaining:
        lines.append(f"Found {_plural(len(remaining), 'error')}.")
    fixable = sum(1 for d in remaining if _fixable(d, unsafe))
    hidden = sum(
        1
        for d in remaining
        if d.fix is not None and d.fix.applicability is Applicability.UNSAFE and not unsafe
    )
    hidden_note = (
        f"{hidden} hidden fix{'' if hidden == 1 else 'es'} can be enabled with --unsafe-fixes"
    )
    if fixable:
        line = f"[*] {fixable} fixable with the --fix option"
        if hidden:
            line += f" ({hidden_note})"
        lines.append(line + ".")
    elif hidden:
        lines.append(f"No fixes available ({hidden_note}).")
    return "".join(line + "\n" for line in lines)
