"""One run over many files: discovery, the project index, checking, fixing, writing."""

from __future__ import annotations

import difflib
import fnmatch
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

from fastlint.config import Settings
from fastlint.diagnostics import Diagnostic
from fastlint.discovery import discover
from fastlint.engine import UNUSED_NOQA_CODE, FileResult, RuleError, file_error, lint_text
from fastlint.fixer import fix_text
from fastlint.index import ProjectIndex, module_name_for
from fastlint.registry import codes_matching
from fastlint.rule import Rule
from fastlint.source import SourceError, SourceFile, atomic_write


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed: list[Diagnostic] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rule_errors: list[RuleError] = field(default_factory=list)
    files_checked: int = 0
    texts: dict[str, str] = field(default_factory=dict)  # path -> text, for code frames


def display_path(path: str) -> str:
    """The path as the user sees it: relative to the working directory when below it, and
    printable even when the file name is not valid UTF-8."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = path
    shown = path if rel.startswith("..") else rel
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def rules_for_file(path: str, rules: Sequence[type[Rule]], settings: Settings) -> list[type[Rule]]:
    if not settings.per_file_ignores:
        return list(rules)
    rel = os.path.relpath(os.path.abspath(path), settings.root).replace(os.sep, "/")
    ignored: set[str] = set()
    for pattern, codes in settings.per_file_ignores:
        if (
            fnmatch.fnmatchcase(rel, pattern)
            or fnmatch.fnmatchcase(os.path.basename(path), pattern)
            or fnmatch.fnmatchcase(rel, pattern.rstrip("/") + "/*")
        ):
            ignored |= codes_matching(codes)
    return [rule for rule in rules if rule.code not in ignored]


def run(
    paths: Sequence[str],
    settings: Settings,
    rules: Sequence[type[Rule]],
    *,
    fix: bool = False,
    unsafe: bool = False,
    diff: bool = False,
    force_exclude: bool = False,
) -> RunResult:
    result = RunResult()
    found = discover(paths, settings, force_exclude)
    result.warnings.extend(found.warnings)
    index = ProjectIndex(found.files, roots=[settings.root])
    for path in found.files:
        shown = display_path(path)
        file_result, text = check_file(path, shown, rules, settings, index, fix or diff, unsafe)
        result.files_checked += 1
        result.rule_errors.extend(file_result.rule_errors)
        if text is None:
            result.diagnostics.extend(file_result.diagnostics)
            continue
        if text.error:
            result.warnings.append(f"{shown}: {text.error}")
        final, remaining, fixed = text.final, text.remaining, text.fixed
        if final != text.original:
            if diff:
                result.diffs.append(unified_diff(shown, text.original, final))
            else:
                try:
                    atomic_write(path, text.source.encode(final))
                except (OSError, UnicodeEncodeError) as exc:
                    reason = getattr(exc, "strerror", None) or str(exc)
                    result.warnings.append(f"{shown}: cannot write fixes: {reason}")
                    final, remaining, fixed = text.original, text.before_fix, []
        result.texts[shown] = final
        result.diagnostics.extend(remaining)
        result.fixed.extend(fixed)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


@dataclass
class _FileText:
    source: SourceFile
    original: str
    final: str
    remaining: list[Diagnostic]
    fixed: list[Diagnostic]
    before_fix: list[Diagnostic]
    error: Optional[str] = None


def check_file(
    path: str,
    shown: str,
    rules: Sequence[type[Rule]],
    settings: Settings,
    index: ProjectIndex,
    fix: bool,
    unsafe: bool,
) -> tuple[FileResult, Optional[_FileText]]:
    try:
        source = SourceFile.read(path)
    except SourceError as exc:
        return FileResult(shown, [file_error(shown, str(exc))], parsed=False), None
    index.set_text(path, source.text)
    file_rules = rules_for_file(path, rules, settings)
    module_name, is_package, _ = module_name_for(path)
    unused_noqa = any(rule.code == UNUSED_NOQA_CODE for rule in file_rules)

    errors: list[RuleError] = []

    def lint(text: str) -> FileResult:
        index.set_text(path, text)
        outcome = lint_text(
            shown, text, file_rules, settings, index, module_name, is_package, unused_noqa
        )
        errors.extend(outcome.rule_errors)
        return outcome

    first = lint(source.text)
    if not fix or not first.parsed or not any(d.fix for d in first.diagnostics):
        first.rule_errors = _unique(errors)
        return first, _FileText(
            source, source.text, source.text, first.diagnostics, [], first.diagnostics
        )
    outcome = fix_text(source.text, lint, unsafe, first=first)
    index.set_text(path, outcome.text)
    file_result = outcome.result or first
    file_result.rule_errors = _unique(errors)
    return file_result, _FileText(
        source,
        source.text,
        outcome.text,
        outcome.remaining,
        outcome.fixed,
        first.diagnostics,
        outcome.error,
    )


def _unique(errors: list[RuleError]) -> list[RuleError]:
    seen: set[tuple[str, str]] = set()
    out = []
    for error in errors:
        key = (error.path, error.code)
        if key not in seen:
            seen.add(key)
            out.append(error)
    return out


def unified_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=path,
        tofile=path,
    )
    out = []
    for line in lines:
        out.append(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
        )
    return "".join(out)
