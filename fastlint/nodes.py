"""Small predicates on LibCST nodes shared by the engine and the rules.

They stand in for ``libcst.matchers`` in hot paths: importing the matchers module costs about a
quarter of a second at every start-up, which a pre-commit hook pays on every commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

import libcst as cst


def is_name(node: Optional[cst.CSTNode], value: Optional[str] = None) -> bool:
    """A ``Name`` node (spelled ``value`` when given)."""
    return isinstance(node, cst.Name) and (value is None or node.value == value)


def is_attribute(node: Optional[cst.CSTNode], attr: str) -> bool:
    """An ``x.<attr>`` expression, whatever ``x`` is."""
    return isinstance(node, cst.Attribute) and node.attr.value == attr


def is_method_call(node: Optional[cst.CSTNode], method: str) -> bool:
    """A ``x.<method>(...)`` call."""
    return isinstance(node, cst.Call) and is_attribute(node.func, method)


def is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def names_in(node: cst.CSTNode) -> Iterator[cst.Name]:
    """Every ``Name`` node in the subtree of ``node``."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield current
        stack.extend(current.children)
