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
from fastlint.index import ProjectIndex
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
        index = ProjectIndex(python_files, roots=[root])
        project = Workspace(settings, [root], python_files, cache=False).index_for(target)
        result, text = check_file(
            target, path, selected, settings, index, fix, unsafe, project=project
        )
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


def check_case(rule: type[Rule], labeled: LabeledCase) -> None:
    case = labeled.case
    source = case.source()
    kwargs: dict[str, Any] = {"path": case.path, "files": case.files, "config": case.config}
    found = run_rule(rule, source, **kwargs).diagnostics
    if labeled.kind == "valid":
        assert not found, (
            f"{rule.code} valid case {labeled.number} was flagged:\n"
            + "\n".join(f"  {d.start.row}:{d.start.column} {d.message}" for d in found)
            + f"\n--- code ---\n{source}"
        )
        return
    assert found, f"{rule.code} invalid case {labeled.number} was not flagged:\n{source}"
    assert all(d.code == rule.code for d in found), [d.code for d in found]
    if case.count is not None:
        assert len(found) == case.count, (
            f"{rule.code} invalid case {labeled.number}: expected {case.count} findings, "
            f"got {len(found)}: {[d.message for d in found]}"
        )
    if case.message is not None:
        assert case.message in found[0].message, (case.message, found[0].message)
    if rule.fix_availability.value == "none":
        assert all(d.fix is None for d in found), f"{rule.code} declares no fix but offers one"
    expected = case.expected_source()
    fixed = run_rule(rule, source, fix=True, unsafe=case.unsafe or expected is None, **kwargs)
    problem = _parses(fixed.fixed_text)
    assert problem is None, f"{rule.code} fix does not parse: {problem}\n{fixed.fixed_text}"
    if expected is not None:
        assert fixed.fixed_text == expected, (
            f"{rule.code} invalid case {labeled.number}: fixed code differs\n"
            f"--- expected ---\n{expected}\n--- got ---\n{fixed.fixed_text}"
        )
    again = run_rule(
        rule, fixed.fixed_text, fix=True, unsafe=case.unsafe or expected is None, **kwargs
    )
    assert again.fixed_text == fixed.fixed_text, (
        f"{rule.code} invalid case {labeled.number}: a second fix changed the code again\n"
        f"--- first ---\n{fixed.fixed_text}\n--- second ---\n{again.fixed_text}"
    )
