import pytest
from fastlint.testing import case_id, check_case, rule_cases

from fastlint_example.rules import NoPrintInRoutes


@pytest.mark.parametrize("case", rule_cases(NoPrintInRoutes), ids=case_id)
def test_no_print(case):
    check_case(NoPrintInRoutes, case)
