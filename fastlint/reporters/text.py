"""The formats for people: ``full`` (a code frame, help, and the fix as a diff) and
``concise`` (one line a finding), the summary lines users know from ruff and ``--show-fixes``.
Colour is ANSI escapes, only when the caller asks for it."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from typing import Optional

from fastlint.diagnostics import Applicability, Diagnostic, Fix
from fastlint.reporters.report import Report

_CODES = {
    "bold": "1",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "cyan": "36",
    "dim": "2",
}


class Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not text:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def fixable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (fix.applicability is Applicability.SAFE or unsafe)


def _headline(d: Diagnostic, unsafe: bool, style: Style) -> str:
    marker = style("[*] ", "cyan") if fixable(d, unsafe) else ""
    where = style(f"{d.path}:{d.start.row}:{d.start.column}:", "bold")
    return f"{where} {style(d.code, 'bold', 'red')} {marker}{d.message}\n"


def concise(report: Report) -> str:
    style = Style(report.color)
    return "".join(_headline(d, report.unsafe, style) for d in report.diagnostics)


def full(report: Report) -> str:
    style = Style(report.color)
    out: list[str] = []
    for d in report.diagnostics:
        out.append(_headline(d, report.unsafe, style))
        text = report.texts.get(d.path)
        if text is not None:
            out.append(code_frame(text, d, style))
        if d.fix is not None:
            note = "" if fixable(d, report.unsafe) else " (unsafe: enable with --unsafe-fixes)"
            help_text = d.fix.message + note
        else:
            help_text = "no automatic fix; the rule's documentation says what to do instead"
        out.append(f"  = {style('help', 'bold', 'cyan')}: {help_text}\n")
        url = report.url(d.code)
        if url:
            out.append(f"  = {style('docs', 'bold', 'cyan')}: {url}\n")
        if d.fix is not None and text is not None:
            out.append(fix_diff(text, d.fix, style))
        out.append("\n")
    return "".join(out)


# At most this many lines of a finding that spans several are shown.
_MAX_SPAN_LINES = 4


_MAX_COLUMNS = 160
_WINDOW_LEAD = 40
_ELLIPSIS = "..."


def _width(text: str) -> int:
    return len(text.expandtabs(4))


def code_frame(text: str, d: Diagnostic, style: Style) -> str:
    """The offending lines with one line of context either side, and carets under the span."""
    lines = text.splitlines()
    row = d.start.row
    if not 1 <= row <= len(lines):
        return ""
    end_row = min(max(d.end.row, row), len(lines))
    if end_row > row and d.end.column == 1:
        end_row -= 1  # the span ends at the start of a line: that line is not part of it
    last_shown = min(end_row, row + _MAX_SPAN_LINES - 1)
    first = max(1, row - 1)
    last = min(len(lines), last_shown + 1)
    width = len(str(last))
    gutter = style(" " * width + " |", "blue")
    out = [f"{gutter}\n"]
    # A long line (minified or generated code) is shown as a window around the span.
    low = 0
    if max(_width(lines[n - 1]) for n in range(first, last + 1)) > _MAX_COLUMNS:
        low = max(0, _width(lines[row - 1][: d.start.column - 1]) - _WINDOW_LEAD)
    high = low + _MAX_COLUMNS
    shift = low - (len(_ELLIPSIS) if low else 0)
    for number in range(first, last + 1):
        line = lines[number - 1]
        shown = line.expandtabs(4)
        if len(shown) > _MAX_COLUMNS:
            clipped = shown[low:high]
            shown = (_ELLIPSIS if low else "") + clipped
            shown += _ELLIPSIS if len(line.expandtabs(4)) > high else ""
        elif low:
            shown = " " * len(_ELLIPSIS) + shown[low:] if len(shown) > low else ""
        out.append(f"{style(f'{number:>{width}} |', 'blue')} {shown}".rstrip() + "\n")
        if not row <= number <= last_shown:
            continue
        if number == row:
            start = _width(line[: d.start.column - 1])
        else:
            start = _width(line) - _width(line.lstrip())
        if number == end_row:
            end = _width(line[: d.end.column - 1]) if d.end.row == number else _width(line)
        else:
            end = _width(line.rstrip())
        start = max(start - shift, len(_ELLIPSIS) if low else 0)
        end = min(end - shift, high - shift)
        carets = "^" * max(1, end - start)
        label = f" {d.code}" if number == last_shown else ""
        out.append(f"{gutter} {' ' * start}{style(carets + label, 'red', 'bold')}\n")
    out.append(f"{gutter}\n")
    return "".join(out)


def fix_diff(text: str, fix: Fix, style: Style) -> str:
    """The fix as a diff of the lines it changes, headed by its safety."""
    from fastlint.fixer import apply_edits  # only when there is a fix to show

    before = text.splitlines()
    after = apply_edits(text, [fix]).splitlines()
    width = len(str(max(len(before), len(after), 1)))
    blank = " " * width
    title = "Safe fix" if fix.applicability is Applicability.SAFE else "Unsafe fix"
    out = [f"  {style(title, 'bold')}\n"]
    groups = difflib.SequenceMatcher(None, before, after, autojunk=False).get_grouped_opcodes(1)
    for index, group in enumerate(groups):
        if index:
            out.append(f"  {blank} {blank} {style('...', 'dim')}\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i2 - i1):
                    old, new = i1 + k + 1, j1 + k + 1
                    out.append(
                        f"  {old:>{width}} {new:>{width}} |  {before[i1 + k]}".rstrip() + "\n"
                    )
                continue
            for k in range(i1, i2):
                out.append(style(f"  {k + 1:>{width}} {blank} | -{before[k]}", "red") + "\n")
            for k in range(j1, j2):
                out.append(style(f"  {blank} {k + 1:>{width}} | +{after[k]}", "green") + "\n")
    return "".join(out)


def plural(count: int, word: str, plural_form: Optional[str] = None) -> str:
    return f"{count} {word if count == 1 else (plural_form or word + 's')}"


def show_fixes(fixed: Sequence[Diagnostic]) -> str:
    """What ``--fix`` fixed, per file and rule (``--show-fixes``)."""
    if not fixed:
        return ""
    by_file: dict[str, Counter[tuple[str, str]]] = {}
    for d in fixed:
        by_file.setdefault(d.path, Counter())[(d.code, d.name)] += 1
    out = [f"Fixed {plural(len(fixed), 'error')}:\n"]
    for path in sorted(by_file):
        out.append(f"- {path}:\n")
        for (code, name), count in sorted(by_file[path].items()):
            out.append(f"    {count} \N{MULTIPLICATION SIGN} {code} ({name})\n")
    return "".join(out) + "\n"


def summary(remaining: Sequence[Diagnostic], fixed_count: int, unsafe: bool, fix_mode: bool) -> str:
    total = len(remaining) + fixed_count
    if total == 0:
        return "All checks passed!\n"
    lines = []
    if fix_mode and fixed_count:
        lines.append(
            f"Found {plural(total, 'error')} ({fixed_count} fixed, {len(remaining)} remaining)."
        )
    elif remaining:
        lines.append(f"Found {plural(len(remaining), 'error')}.")
    fixable_count = sum(1 for d in remaining if fixable(d, unsafe))
    hidden = sum(
        1
        for d in remaining
        if d.fix is not None and d.fix.applicability is Applicability.UNSAFE and not unsafe
    )
    hidden_fixes = plural(hidden, "hidden fix", "hidden fixes")
    hidden_note = f"{hidden_fixes} can be enabled with --unsafe-fixes"
    if fixable_count:
        line = f"[*] {fixable_count} fixable with the --fix option"
        if hidden:
            line += f" ({hidden_note})"
        lines.append(line + ".")
    elif hidden:
        lines.append(f"No fixes available ({hidden_note}).")
    return "".join(line + "\n" for line in lines)
