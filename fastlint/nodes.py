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


def target_name_nodes(target: cst.CSTNode) -> Iterator[cst.Name]:
    """The ``Name`` nodes an assignment target binds (``a``, ``a, (b, *c)``, ``[a, b]``)."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_name_nodes(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_name_nodes(target.value)


def target_names(target: cst.CSTNode) -> Iterator[str]:
    """The names an assignment target binds."""
    return (name.value for name in target_name_nodes(target))


def module_level_definitions(module: cst.Module) -> frozenset[str]:
    """Names that functions, classes and assignments bind at module level."""
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        names.update(target_names(target.target))
                elif isinstance(small, cst.AnnAssign):
                    names.update(target_names(small.target))
    return frozenset(names)
