"""Every registered rule: its inline cases, its documentation, and the invariants of its fixes
(the result parses, a second fix changes nothing, a rule without a fix offers none)."""

from __future__ import annotations

import re

import pytest

from fastlint.registry import all_rules
from fastlint.rule import FixAvailability, Rule
from fastlint.testing import LabeledCase, case_id, check_case, check_fix_availability, rule_cases

RULES = list(all_rules().values())
CASES = [(rule, case) for rule in RULES for case in rule_cases(rule)]


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r.code}-{case_id(c)}" for r, c in CASES])
def test_inline_case(rule: type[Rule], case: LabeledCase) -> None:
    check_case(rule, case)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_declared_fix_availability_matches_the_cases(rule: type[Rule]) -> None:
    check_fix_availability(rule)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_documentation_has_every_section(rule: type[Rule]) -> None:
    doc = rule.documentation()
    headings = re.findall(r"^## (.+)$", doc, re.M)
    assert headings == list(Rule.DOC_SECTIONS), f"{rule.code} doc sections: {headings}"
    assert "```python" in doc, f"{rule.code} doc has no example code"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_metadata(rule: type[Rule]) -> None:
    assert re.fullmatch(r"FL\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.message
    assert isinstance(rule.fix_availability, FixAvailability)
    if rule.code not in ("FL001", "FL002"):
        assert any(c.kind == "invalid" for c in rule_cases(rule)), "no must-fire case"
        assert any(c.kind == "valid" for c in rule_cases(rule)), "no must-not-fire case"
