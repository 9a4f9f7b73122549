"""Testing rules: every rule's inline cases, and the invariants every fix must keep.

A plugin author tests a rule in three lines::

    @pytest.mark.parametrize("case", rule_cases(MyRule), ids=case_id)
    def test_my_rule(case):
        check_case(MyRule, case)
"""

from __future__ import annotations

import ast
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import libcst as cst

from fastlint.config import Settings, settings_from_table
from fastlint.diagnostics import Diagnostic
from fastlint.project.workspace import Workspace
from fastlint.rule import Case, CaseLike, Rule
from fastlint.runner import check_file


@dataclass(frozen=True)
class LabeledCase:
    kind: str  # "valid" | "invalid"
    number: int
    case: Case


def _as_case(item: CaseLike) -> Case:
    return item if isinstance(item, Case) else Case(item)


def rule_cases(rule: type[Rule]) -> list[LabeledCase]:
    out = [LabeledCase("valid", n, _as_case(c)) for n, c in enumerate(rule.valid)]
    out += [LabeledCase("invalid", n, _as_case(c)) for n, c in enumerate(rule.invalid)]
    return out


def case_id(case: LabeledCase) -> str:
    return f"{case.kind}{case.number}"


@dataclass
class CaseResult:
    diagnostics: list[Diagnostic]
    fixed_text: str
    original_text: str


def run_rule(
    rule: type[Rule],
    code: str,
    *,
    path: str = "app/main.py",
    files: Optional[Mapping[str, str]] = None,
    config: Optional[Mapping[str, Any]] = None,
    fix: bool = False,
    unsafe: bool = False,
    rules: Optional[Sequence[type[Rule]]] = None,
) -> CaseResult:
    """Check (and optionally fix) ``code`` as the file ``path`` of a small project written to a
    temporary directory, with ``files`` as its other modules. Returns the findings of ``rule``
    (of ``rules`` when given) and the text after fixing."""
    with tempfile.TemporaryDirectory(prefix="fastlint-case-") as root:
        all_files = dict(files or {})
        all_files[path] = code
        # A project root marker, as real projects have: the index covers the whole tree.
        all_files.setdefault("pyproject.toml", '[project]\nname = "fastlint-case"\n')
        for relative, content in all_files.items():
            target = os.path.join(root, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(content)
        settings: Settings = settings_from_table(
            dict(config or {}), os.path.join(root, "pyproject.toml")
        )
        selected = list(rules) if rules is not None else [rule]
        target = os.path.join(root, path)
        python_files = [os.path.join(root, f) for f in all_files if f.endswith(".py")]
        project = Workspace(settings, [root], python_files, cache=False).index_for(target)
        result, text = check_file(target, path, selected, settings, project, fix, unsafe)
        if result.rule_errors:
            error = result.rule_errors[0]
            raise AssertionError(f"rule {error.code} crashed:\n{error.traceback}")
        codes = {r.code for r in selected}
        diagnostics = [
            d
            for d in (text.remaining if text else result.diagnostics)
            if d.code in codes or d.code == "FL001"
        ]
        final = text.final if text is not None else code
        return CaseResult(diagnostics, final, code)


def _parses(text: str) -> Optional[str]:
    try:
        cst.parse_module(text)
        ast.parse(text)
    except (cst.ParserSyntaxError, SyntaxError) as exc:
        return str(exc)
    return None


def _describe(found: Sequence[Diagnostic]) -> str:
    return "\n".join(f"  {d.start.row}:{d.start.column} {d.message}" for d in found)


def _safety(diagnostic: Diagnostic) -> str:
    return diagnostic.fix.applicability.value if diagnostic.fix is not None else "none"


def check_case(rule: type[Rule], labeled: LabeledCase) -> None:
    """Check one inline case of ``rule``: what must fire fires (on the marked lines, with the
    messages and fix safety the case names), what must not fire does not, every fix parses,
    gives the expected code, removes the findings it fixes, and a second fix changes nothing.
    """
    case = labeled.case
    name = f"{rule.code} {labeled.kind} case {labeled.number}"
    source = case.source()
    kwargs: dict[str, Any] = {"path": case.path, "files": case.files, "config": case.config}
    found = run_rule(rule, source, **kwargs).diagnostics
    if labeled.kind == "valid":
        assert not found, f"{name} was flagged:\n{_describe(found)}\n--- code ---\n{source}"
        return
    assert found, f"{name} was not flagged:\n{source}"
    assert all(d.code == rule.code for d in found), [d.code for d in found]
    if case.count is not None:
        assert len(found) == case.count, (
            f"{name}: expected {case.count} findings, got {len(found)}:\n{_describe(found)}"
        )
    marked = case.marked_lines()
    if marked:
        lines = {d.start.row for d in found}
        assert lines == set(marked), (
            f"{name}: findings on lines {sorted(lines)}, markers on {sorted(marked)}:\n"
            + _describe(found)
        )
        for diagnostic in found:
            text = marked[diagnostic.start.row]
            assert text in diagnostic.message, (
                name,
                diagnostic.start.row,
                text,
                diagnostic.message,
            )
    if case.message is not None:
        assert case.message in found[0].message, (case.message, found[0].message)
    if case.messages:
        assert len(case.messages) == len(found), (
            f"{name}: {len(case.messages)} messages given, {len(found)} findings:\n"
            + _describe(found)
        )
        for text, diagnostic in zip(case.messages, found):
            assert text in diagnostic.message, (name, text, diagnostic.message)
    if case.safety is not None:
        assert {_safety(d) for d in found} == {case.safety}, (
            f"{name}: expected every fix to be {case.safety!r}, got {[_safety(d) for d in found]}"
        )
    offered = {_safety(d) for d in found} - {"none"}
    declared = rule.fix_availability.value
    if declared == "none":
        assert not offered, f"{rule.code} declares no fix but offers one"
    elif declared in ("safe", "unsafe"):
        assert offered <= {declared}, f"{rule.code} declares {declared} fixes but offers {offered}"
    expected = case.expected_source()
    unsafe = case.unsafe or expected is None
    fixed = run_rule(rule, source, fix=True, unsafe=unsafe, **kwargs)
    problem = _parses(fixed.fixed_text)
    assert problem is None, f"{rule.code} fix does not parse: {problem}\n{fixed.fixed_text}"
    if expected is not None:
        assert fixed.fixed_text == expected, (
            f"{name}: fixed code differs\n"
            f"--- expected ---\n{expected}\n--- got ---\n{fixed.fixed_text}"
        )
    applicable = [d for d in found if d.fix is not None and (unsafe or _safety(d) == "safe")]
    if applicable and fixed.fixed_text != source:
        # What a fix fixes is gone; what had no applicable fix may remain.
        assert len(fixed.diagnostics) <= len(found) - len(applicable), (
            f"{name}: {len(applicable)} findings were fixed, yet {len(fixed.diagnostics)} of "
            f"{len(found)} remain:\n{_describe(fixed.diagnostics)}"
        )
    again = run_rule(rule, fixed.fixed_text, fix=True, unsafe=unsafe, **kwargs)
    assert again.fixed_text == fixed.fixed_text, (
        f"{name}: a second fix changed the code again\n"
        f"--- first ---\n{fixed.fixed_text}\n--- second ---\n{again.fixed_text}"
    )


def check_fix_availability(rule: type[Rule]) -> None:
    """A rule's declared fix availability matches what its inline cases offer: ``none`` offers
    none; ``safe``/``unsafe`` offer that kind only (and no fix for some findings, maybe), and
    some case shows one; ``safe or unsafe`` offers both kinds."""
    offered: list[str] = []
    for labeled in rule_cases(rule):
        if labeled.kind != "invalid":
            continue
        case = labeled.case
        kwargs: dict[str, Any] = {"path": case.path, "files": case.files, "config": case.config}
        offered += [_safety(d) for d in run_rule(rule, case.source(), **kwargs).diagnostics]
    kinds = set(offered)
    if not kinds:
        return  # no must-fire case (engine-reported rules): nothing to compare
    declared = rule.fix_availability.value
    if declared == "none":
        assert kinds <= {"none"}, f"{rule.code} declares no fix, its cases offer {kinds}"
    elif declared in ("safe", "unsafe"):
        assert declared in kinds, f"{rule.code} declares {declared} fixes, no case offers one"
        assert kinds <= {declared, "none"}, f"{rule.code} declares {declared}, offers {kinds}"
    else:
        assert {"safe", "unsafe"} <= kinds, (
            f"{rule.code} declares {declared!r} fixes, its cases offer {sorted(kinds)}"
        )
