"""The rule-testing harness itself: what it must catch."""

from __future__ import annotations

import libcst as cst
import pytest

from fastlint.diagnostics import Applicability
from fastlint.rule import Case, FixAvailability, Rule
from fastlint.testing import LabeledCase, check_case, check_fix_availability


class _NoPrint(Rule):
    """## What it does
    ## Why is this bad?
    ## Example
    ```python
    print(1)
    ```
    ## Use instead
    ## Fix safety
    """

    code = "XY901"
    name = "no-print-here"
    message = "print() found"
    fix_availability = FixAvailability.SAFE
    requires_any = ("print",)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "print":
            fix = self.fix(Applicability.SAFE, "log instead")
            fix.replace(node.func, "log")
            self.report(node, f"print() with {len(node.args)} arguments", fix=fix)


def _invalid(case: Case) -> LabeledCase:
    return LabeledCase("invalid", 0, case)


def test_markers_messages_and_safety_pass_when_true() -> None:
    check_case(
        _NoPrint,
        _invalid(
            Case(
                "x = 1\nprint(x)  # error: 1 arguments\nprint()  # error\n",
                expected="x = 1\nlog(x)\nlog()\n",
                messages=("1 arguments", "0 arguments"),
                safety="safe",
            )
        ),
    )


@pytest.mark.parametrize(
    "case",
    [
        Case("print(1)\nprint(2)  # error\n"),  # a finding on an unmarked line
        Case("print(1)  # error: 2 arguments\n"),  # the marker's text is not in the message
        Case("print(1)\n", messages=("1 arguments", "again")),  # one message too many
        Case("print(1)\n", safety="unsafe"),  # the fix is safe
        Case("print(1)\n", expected="print(1)\n"),  # the fix changes the code
        Case("x = 1\n"),  # nothing fires
    ],
)
def test_the_harness_catches(case: Case) -> None:
    with pytest.raises(AssertionError):
        check_case(_NoPrint, _invalid(case))


def test_a_declared_availability_that_no_case_shows_is_caught() -> None:
    class Unsafe(_NoPrint):
        fix_availability = FixAvailability.UNSAFE
        invalid = (Case("print(1)\n"),)

    with pytest.raises(AssertionError, match="declares unsafe"):
        check_fix_availability(Unsafe)


def test_safe_or_unsafe_needs_both_kinds() -> None:
    class OnlySafe(_NoPrint):
        fix_availability = FixAvailability.SAFE_OR_UNSAFE
        invalid = (Case("print(1)\n"),)

    with pytest.raises(AssertionError, match="declares 'safe or unsafe' fixes"):
        check_fix_availability(OnlySafe)
    assert FixAvailability.SOMETIMES is FixAvailability.SAFE_OR_UNSAFE  # the former name
