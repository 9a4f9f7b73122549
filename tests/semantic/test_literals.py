"""Literal values in the model built from LibCST: what LibCST's ``evaluated_value`` says."""

from __future__ import annotations

import libcst as cst
import pytest


@pytest.mark.parametrize(
    "literal",
    [
        '"a"',
        "'a\\nb'",
        'r"a\\nb"',
        'b"x"',
        'u"x"',
        '"""a\r\nb"""',
        "R'\\d+'",
        "Rb'x'",
        "0",
        "00",
        "10",
        "1_000",
        "0x1F",
        "0o17",
        "1.5",
        "2j",
        "1e3",
        "'\\N{EM DASH}'",
    ],
)
def test_literal_values_are_libcsts(literal: str) -> None:
    from fastlint.semantic.from_cst import literal_value

    node = cst.parse_expression(literal)
    assert isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary))
    value = literal_value(node)
    assert value == node.evaluated_value and type(value) is type(node.evaluated_value)
