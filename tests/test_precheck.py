"""The precheck (``Rule.may_report``): a rule is asked, on the ``ast``-built model of the
index, whether it may report in a file before LibCST parses it. It must never change a
result, only skip work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest

from fastlint import precheck
from fastlint.precheck import PreCheck
from fastlint.registry import all_rules
from fastlint.rule import Case, Rule
from fastlint.testing import rule_cases, run_rule

from conftest import REPO, run_cli, write_tree

RULES = [rule for rule in all_rules().values() if rule.code not in ("FL001", "FL002")]
ASKING = [rule for rule in RULES if rule.may_report.__func__ is not Rule.may_report.__func__]  # type: ignore[attr-defined]


def _cases() -> Iterator[tuple[type[Rule], Case]]:
    for rule in RULES:
        for labeled in rule_cases(rule):
            yield rule, labeled.case


def test_the_route_and_event_loop_rules_ask() -> None:
    codes = {rule.code for rule in ASKING}
    assert {"FL101", "FL102", "FL103", "FL104", "FL602", "FL603", "FL604", "FL608"} <= codes


@pytest.mark.parametrize(
    ("rule", "case"),
    list(_cases()),
    ids=lambda value: value.code if isinstance(value, type) else None,
)
def test_every_case_has_the_same_findings_without_the_precheck(
    rule: type[Rule], case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Valid cases too: a precheck that says no where the rule would report hides a
    finding; one that says yes where it would not only costs time, and is allowed."""

    def findings() -> list[tuple[str, int, int, str]]:
        found = run_rule(
            rule,
            case.source(),
            path=case.path,
            files=case.files,
            config=case.config,
        )
        return [(d.code, d.start.row, d.start.column, d.message) for d in found.diagnostics]

    with_precheck = findings()
    monkeypatch.setenv("FASTLINT_NO_PRECHECK", "1")
    assert not precheck.enabled()
    assert findings() == with_precheck


def test_the_fixtures_have_the_same_findings_without_the_precheck() -> None:
    arguments = ("check", "--select", "ALL", "--no-cache", "--output-format", "concise", ".")
    on = run_cli(*arguments, cwd=REPO / "fixtures")
    off = run_cli(*arguments, cwd=REPO / "fixtures", env={"FASTLINT_NO_PRECHECK": "1"})
    assert on.code == off.code == 1
    assert on.out.count("\n") > 40
    assert on.out == off.out


APP = """
from fastapi import FastAPI

app = FastAPI()
SETTINGS = {"debug": False}  # a `{` and `async` are in the text: the token screen passes


async def helper():
    return SETTINGS
"""


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = cst.parse_module

    def counting(source: object, *args: object, **kwargs: object) -> cst.Module:
        calls.append(1)
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cst, "parse_module", counting)
    return calls


def test_a_file_no_rule_may_report_in_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _parses(monkeypatch)
    found = run_rule(RULES[0], APP, rules=RULES)
    assert found.diagnostics == []
    assert calls == []
    monkeypatch.setenv("FASTLINT_NO_PRECHECK", "1")
    assert run_rule(RULES[0], APP, rules=RULES).diagnostics == []
    assert calls  # without the precheck the same file is parsed and walked


def test_a_file_with_a_finding_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _parses(monkeypatch)
    code = APP + '\n\n@app.get("/items/{item_id}")\ndef read(id: int): ...\n'
    found = run_rule(RULES[0], code, rules=RULES)
    assert [d.code for d in found.diagnostics] == ["FL602"]
    assert calls


class _Broken(Rule):
    code = "FL999"
    name = "broken-precheck"
    message = "never"
    requires_any = ("fastapi",)

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        raise KeyError("no such scope")


def test_a_failing_precheck_is_an_internal_error_of_that_rule_only(tmp_path: Path) -> None:
    from fastlint.config import Settings
    from fastlint.project.workspace import Workspace
    from fastlint.runner import check_file

    write_tree(tmp_path, {"pyproject.toml": "", "app.py": APP + "\nasync def f(): pass\n"})
    target = str(tmp_path / "app.py")
    settings = Settings(root=str(tmp_path))
    project = Workspace(settings, [str(tmp_path)], [target], cache=False).index_for(target)
    result, _ = check_file(target, "app.py", [_Broken, *RULES], settings, project, False, False)
    assert [(e.code, e.message) for e in result.rule_errors] == [
        ("FL999", "KeyError: 'no such scope'")
    ]
    assert result.diagnostics == []


def test_an_unused_noqa_is_found_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """When no rule may report in a file, every suppression in it is unused: FL002 needs the
    comments, not the tree."""
    unused = all_rules()["FL002"]
    calls = _parses(monkeypatch)
    code = APP + "\nLIMIT = 10  # noqa: FL101\nOTHER = 1  # noqa: E501\n"
    found = run_rule(unused, code, rules=[unused, *RULES])
    assert [(d.code, d.start.row, d.message) for d in found.diagnostics] == [
        ("FL002", 11, "Unused `noqa` directive (unused: FL101)")
    ]
    assert calls == []
    monkeypatch.setenv("FASTLINT_NO_PRECHECK", "1")
    again = run_rule(unused, code, rules=[unused, *RULES])
    assert [(d.code, d.start.row) for d in again.diagnostics] == [("FL002", 11)]
    assert calls
