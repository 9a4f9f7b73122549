"""Checking one file: prefilter, parse once, one batched traversal of the selected rules,
positions only when there are findings, then suppressions."""

from __future__ import annotations

import functools
import re
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional, cast

if TYPE_CHECKING:
    from libcst.metadata import CodeRange

import libcst as cst

from fastlint import precheck
from fastlint.config import Settings
from fastlint.diagnostics import Applicability, Diagnostic, Fix, Location
from fastlint.gcpause import paused_gc
from fastlint.noqa import Suppressions, parse_suppressions, without_codes
from fastlint.project.index import ProjectIndex
from fastlint.rule import FileContext, Report, Rule, resolve_fix
from fastlint.source import LineIndex
from fastlint.syntax import compile_error, cpython_judges
from fastlint.walker import Table, walk

SYNTAX_ERROR_CODE = "FL001"
UNUSED_NOQA_CODE = "FL002"


@dataclass
class RuleError:
    """An internal error of one rule on one file."""

    path: str
    code: str
    message: str
    traceback: str


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rule_errors: list[RuleError] = field(default_factory=list)
    parsed: bool = True


@functools.cache
def _visitor_names(rule: type[Rule]) -> tuple[tuple[str, str, str], ...]:
    """(visit|leave, node type, method name) of the methods a rule class defines, computed once
    per class: LibCST's own ``get_visitors`` inspects every instance, which cost about a
    quarter of a run. Attribute visitors (``visit_Call_func``) are not supported."""
    names = []
    for name in dir(rule):
        kind, _, node_type = name.partition("_")
        if kind not in ("visit", "leave") or not node_type or "_" in node_type:
            continue
        method = getattr(rule, name, None)
        if callable(method) and not getattr(method, "_is_no_op", False):
            names.append((kind, node_type, name))
    return tuple(names)


def _tables(rules: Sequence[Rule]) -> tuple[Table, Table]:
    """The visit and leave methods of the rules, by node class name."""
    visits: Table = {}
    leaves: Table = {}
    for rule in rules:
        for kind, node_type, name in _visitor_names(type(rule)):
            table = visits if kind == "visit" else leaves
            table.setdefault(node_type, []).append((rule, getattr(rule, name)))
    return visits, leaves


def applicable_rules(text: str, rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    """The rules whose ``requires_any`` strings the text contains and whose ``requires_match``
    pattern, if any, it matches (each string and pattern looked for once: rules share them)."""
    present: dict[str, bool] = {}
    matched: dict[str, bool] = {}
    out = []
    for rule in rules:
        for token in rule.requires_any:
            found = present.get(token)
            if found is None:
                found = present[token] = token in text
            if found:
                pattern = rule.requires_match
                if pattern is not None:
                    if pattern not in matched:
                        matched[pattern] = re.search(pattern, text) is not None
                    if not matched[pattern]:
                        break
                out.append(rule)
                break
    return out


def lint_text(
    path: str,
    text: str,
    rules: Sequence[type[Rule]],
    settings: Settings,
    *,
    project: Optional[ProjectIndex] = None,
    module_name: Optional[str] = None,
    is_package: bool = False,
    unused_noqa: bool = False,
    file_path: Optional[str] = None,
    known_codes: Optional[frozenset[str]] = None,
) -> FileResult:
    """Check ``text``, shown to the user as ``path``; ``file_path`` is where it lives on disk
    (when it does), for facts about its project."""
    result = FileResult(path)
    judged = cpython_judges(project.root if project is not None else None)
    if judged:
        error = compile_error(text, file_path or path)
        if error is not None:  # never handed to LibCST: see fastlint.syntax
            result.parsed = False
            result.diagnostics.append(
                _syntax_error_at(path, error.row, error.column, error.message)
            )
            return result
    active = applicable_rules(text, rules)
    if active and project is not None and file_path is not None and precheck.enabled():
        active = _may_report(active, file_path, text, project, settings, result)
    noqa_requested = unused_noqa and "noqa" in text
    if not active and judged:  # no rule can report: only unused suppressions are left
        if noqa_requested:
            suppressions = parse_suppressions(text)
            if suppressions.lines:
                unused = _unused_noqa(
                    path, suppressions, {}, rules, known_codes, LineIndex(text), text
                )
                result.diagnostics.extend(sorted(unused, key=Diagnostic.sort_key))
        return result
    try:
        with paused_gc():
            module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        result.parsed = False
        result.diagnostics.append(_syntax_error(path, exc, compiles=judged))
        return result
    except RecursionError:
        result.parsed = False
        result.diagnostics.append(
            _syntax_error_at(path, 1, 1, "SyntaxError: too deeply nested to parse")
        )
        return result
    if not active and not noqa_requested:
        return result

    context = FileContext(
        path,
        text,
        module,
        settings,
        module_name=module_name,
        file_path=file_path,
        project=project,
        is_package=is_package,
    )
    try:
        return _check(context, active, rules, result, noqa_requested, known_codes)
    finally:
        context.close()


def _check(
    context: FileContext,
    active: Sequence[type[Rule]],
    rules: Sequence[type[Rule]],
    result: FileResult,
    noqa_requested: bool,
    known_codes: Optional[frozenset[str]],
) -> FileResult:
    """Run the ``active`` rules over the file of ``context`` and add what they report (with
    unused suppressions when ``noqa_requested``) to ``result``."""
    path, text, module = context.path, context.text, context.module
    instances = [rule(context) for rule in active]
    failed_codes: set[str] = set()

    def on_error(rule: Rule, exc: BaseException) -> None:
        failed_codes.add(rule.code)
        result.rule_errors.append(
            RuleError(path, rule.code, f"{type(exc).__name__}: {exc}", traceback.format_exc())
        )

    if instances:

        def rule_failed(owner: object, exc: BaseException) -> None:
            assert isinstance(owner, Rule)
            on_error(owner, exc)

        with _resolved(module, instances):
            visits, leaves = _tables(instances)
            walk(module, visits, leaves, rule_failed)

    reports = [r for r in context.reports if r.rule.code not in failed_codes]
    suppressions = parse_suppressions(text)
    if not reports and not (noqa_requested and suppressions.lines):
        return result

    lines = LineIndex(text)
    positions = _positions(module) if reports else {}
    used: dict[int, set[str]] = {}
    for report in reports:
        diagnostic = _diagnostic(report, positions, lines, context, on_error)
        if diagnostic is None:
            continue
        if suppressions.file_suppresses(diagnostic.code):
            continue
        comment = suppressions.suppresses(diagnostic.code, diagnostic.start.row)
        if comment is not None:
            used.setdefault(comment.row, set()).add(diagnostic.code)
            continue
        result.diagnostics.append(diagnostic)
    if noqa_requested:
        result.diagnostics.extend(
            _unused_noqa(path, suppressions, used, rules, known_codes, lines, text)
        )
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def _may_report(
    rules: list[type[Rule]],
    file_path: str,
    text: str,
    project: ProjectIndex,
    settings: Settings,
    result: FileResult,
) -> list[type[Rule]]:
    """The rules that may report in the file, asked of its ``ast``-built model (all of them
    when the index has none). A rule whose question fails is an internal error of that rule,
    and it is not run on the file."""
    view = precheck.PreCheck.of(file_path, text, project, settings)
    if view is None:
        return rules
    kept = []
    for rule in rules:
        try:
            if rule.may_report(view):
                kept.append(rule)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            result.rule_errors.append(
                RuleError(result.path, rule.code, message, traceback.format_exc())
            )
    return kept


def _positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """Line/column ranges of every node, from one code-generation pass (only for files with
    findings: ``libcst.metadata`` is imported then, not at start-up).

    ``MetadataWrapper.resolve`` would first run a batched traversal of the whole tree for the
    batchable providers, even when there are none, which costs as much again on files with
    findings; asking the provider directly skips it."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    try:
        return cast("Mapping[cst.CSTNode, CodeRange]", PositionProvider()._gen(wrapper))
    except AttributeError:  # pragma: no cover - a LibCST without the method
        return wrapper.resolve(PositionProvider)


class _resolved:
    """Resolves the LibCST metadata that the rules declare (plugins may), once, for all of
    them; nothing when none does."""

    def __init__(self, module: cst.Module, rules: Sequence[Rule]) -> None:
        self._module = module
        self._rules = rules

    def __enter__(self) -> None:
        needed = set()
        for rule in self._rules:
            needed |= set(rule.get_inherited_dependencies())
        if needed:
            from libcst.metadata import MetadataWrapper

            wrapper = MetadataWrapper(self._module, unsafe_skip_copy=True)
            metadata = wrapper.resolve_many(needed)
            for rule in self._rules:
                rule.metadata = {
                    key: value
                    for key, value in metadata.items()
                    if key in rule.get_inherited_dependencies()
                }

    def __exit__(self, *exc: object) -> None:
        for rule in self._rules:
            rule.metadata = {}


def _diagnostic(
    report: Report,
    positions: object,
    lines: LineIndex,
    context: FileContext,
    on_error: Callable[[Rule, BaseException], None],
) -> Optional[Diagnostic]:
    position = positions.get(report.node)  # type: ignore[attr-defined]
    if position is None:
        return None
    start = lines.offset(position.start.line, position.start.column)
    end = lines.offset(position.end.line, position.end.column)
    fix: Optional[Fix] = None
    if report.fix is not None:
        try:
            fix = resolve_fix(report.fix, positions, lines, context)  # type: ignore[arg-type]
        except Exception as exc:
            on_error(report.rule, exc)
            fix = None
    start_location = lines.location(start)
    return Diagnostic(
        code=report.rule.code,
        name=report.rule.name,
        message=report.message,
        path=context.path,
        start=start_location,
        end=lines.location(end),
        fix=fix,
        noqa_row=start_location.row,
    )


def _unused_noqa(
    path: str,
    suppressions: Suppressions,
    used: dict[int, set[str]],
    rules: Sequence[type[Rule]],
    known_codes: Optional[frozenset[str]],
    lines: LineIndex,
    text: str,
) -> list[Diagnostic]:
    """FL002 findings for the selected ``rules``; ``known_codes`` holds the codes of every
    registered rule (a code that no rule has is reported as unknown even when not selected;
    None: the selected ones)."""
    selected = {r.code for r in rules}
    known = known_codes if known_codes is not None else frozenset(selected)
    out = []
    for row, comment in sorted(suppressions.lines.items()):
        if comment.codes is None:
            continue
        used_here = used.get(row, set())
        unused = [
            (code, start, end)
            for code, start, end in comment.code_spans
            if code.startswith("FL")
            and code not in used_here
            and (code in selected or code not in known)
            and code != UNUSED_NOQA_CODE
        ]
        if not unused:
            continue
        edit = without_codes(text, comment, {code for code, _, _ in unused})
        names = ", ".join(code for code, _, _ in unused)
        kind = "unknown" if all(code not in known for code, _, _ in unused) else "unused"
        out.append(
            Diagnostic(
                code=UNUSED_NOQA_CODE,
                name="unused-noqa",
                message=f"Unused `noqa` directive ({kind}: {names})",
                path=path,
                start=lines.location(comment.start),
                end=lines.location(comment.end),
                fix=Fix(Applicability.SAFE, "Remove unused `noqa` codes", (edit,)),
                noqa_row=row,
            )
        )
    return out


def _syntax_error(path: str, exc: cst.ParserSyntaxError, *, compiles: bool) -> Diagnostic:
    """LibCST's account of code it cannot parse: CPython either compiled the code (syntax or
    a size LibCST does not support) or is not the judge (the project needs a newer Python)."""
    message = " ".join(exc.message.split()) or "invalid syntax"
    why = (
        "LibCST cannot parse this file, although CPython compiles it"
        if compiles
        else ("LibCST cannot parse this file")
    )
    return _syntax_error_at(
        path, exc.raw_line or 1, (exc.raw_column or 0) + 1, f"SyntaxError: {message} ({why})"
    )


def _syntax_error_at(path: str, row: int, column: int, message: str) -> Diagnostic:
    location = Location(row, column)
    return Diagnostic(
        code=SYNTAX_ERROR_CODE,
        name="invalid-syntax",
        message=message,
        path=path,
        start=location,
        end=location,
        fix=None,
        noqa_row=None,
    )


def file_error(path: str, message: str) -> Diagnostic:
    """A file that cannot be read or decoded is reported as FL001 at 1:1."""
    return _syntax_error_at(path, 1, 1, message)
