"""Version guards: code that is written for two worlds on purpose.

Migration rules (FL3xx, FL606, FL609) leave such code alone. Three shapes count as a guard:

* ``if`` / ``elif`` whose test names a version flag or a version number: ``PYDANTIC_V2``,
  ``IS_PYDANTIC_V1``, ``PYDANTIC_VERSION``, ``pydantic.VERSION.startswith("2")``,
  ``sys.version_info >= (3, 10)``, ``PY310``, ``V2``; or a feature probe on Pydantic,
  ``hasattr(pydantic, "field_validator")``. The whole statement is guarded: its body, its
  ``elif`` branches and its ``else``;
* ``try:`` with an ``except ImportError`` / ``except ModuleNotFoundError`` handler (a
  compatibility import). Its body, handlers, ``else`` and ``finally`` are guarded.

A rule follows the guards around the node it visits with a :class:`GuardTracker`, fed from its
own ``visit_If``/``leave_If``/``visit_Try``/``leave_Try`` methods::

    def visit_If(self, node: cst.If) -> None:
        self.guards.enter(node)

    def leave_If(self, original_node: cst.If) -> None:
        self.guards.leave(original_node)

and asks ``self.guards.active``. Names that a guard binds by import (``try: from pydantic import
field_validator`` / ``except ImportError: from pydantic import validator as field_validator``)
mean different things in the two worlds; :func:`guarded_import_names` lists them so that a rule
can skip uses of those names outside the guard too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Optional, Union

import libcst as cst

from fastlint.imports import ImportMap, alias_asname, dotted_name

__all__ = [
    "GuardTracker",
    "catches_import_error",
    "guarded_import_names",
    "is_version_guard",
    "is_version_test",
]

GuardNode = Union[cst.If, cst.Try, cst.TryStar]

# An identifier that names a version: ``version``, ``version_info``, ``PYDANTIC_VERSION``,
# ``PYDANTIC_V2``, ``pydantic2``, ``IS_V1``, ``V2``, ``PY310``, ``PY_39``.
_VERSION_IDENTIFIER = re.compile(
    r"version|pydantic_?v?\d|^_*(?:is_|has_|use_|using_)?v\d+$|^_*py_?\d",
    re.IGNORECASE,
)
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_PROBES = frozenset({"hasattr", "getattr"})


class _TestScanner(cst.CSTVisitor):
    def __init__(self, imports: Optional[ImportMap]) -> None:
        super().__init__()
        self.imports = imports
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        if _VERSION_IDENTIFIER.search(node.value):
            self.found = True

    def visit_Call(self, node: cst.Call) -> None:
        if not (isinstance(node.func, cst.Name) and node.func.value in _PROBES and node.args):
            return
        target = node.args[0].value
        name = dotted_name(target)
        if name is None:
            return
        qualified = self.imports.qualname(target) if self.imports is not None else name
        if (qualified or name).split(".")[0] == "pydantic":
            self.found = True


def is_version_test(test: cst.BaseExpression, imports: Optional[ImportMap] = None) -> bool:
    """Whether an ``if`` test checks a version (or probes Pydantic for a feature)."""
    scanner = _TestScanner(imports)
    test.visit(scanner)
    return scanner.found


def catches_import_error(node: Union[cst.Try, cst.TryStar]) -> bool:
    """Whether a ``try`` statement has a handler for ``ImportError``/``ModuleNotFoundError``."""
    for handler in node.handlers:
        kind = handler.type
        if kind is None:
            continue
        candidates: Sequence[cst.BaseExpression]
        if isinstance(kind, cst.Tuple):
            candidates = [element.value for element in kind.elements]
        else:
            candidates = [kind]
        for candidate in candidates:
            name = dotted_name(candidate)
            if name is not None and name.split(".")[-1] in _IMPORT_ERRORS:
                return True
    return False


def is_version_guard(node: cst.CSTNode, imports: Optional[ImportMap] = None) -> bool:
    """Whether ``node`` is an ``if``/``elif`` on a version or a ``try``/``except ImportError``."""
    if isinstance(node, cst.If):
        return is_version_test(node.test, imports)
    if isinstance(node, (cst.Try, cst.TryStar)):
        return catches_import_error(node)
    return False


class GuardTracker:
    """How many version guards enclose the node being visited.

    ``enter``/``leave`` must be called in pairs for every ``If``/``Try`` node (an ``elif`` is an
    ``If`` node of its own); the traversal always descends, so the pairs nest.
    """

    def __init__(self, imports: Optional[ImportMap] = None) -> None:
        self._imports = imports
        self._stack: list[bool] = []
        self._depth = 0

    def enter(self, node: GuardNode) -> None:
        guard = is_version_guard(node, self._imports)
        self._stack.append(guard)
        if guard:
            self._depth += 1

    def leave(self, node: GuardNode) -> None:
        if self._stack and self._stack.pop():
            self._depth -= 1

    @property
    def active(self) -> bool:
        return self._depth > 0


def guarded_import_names(module: cst.Module, imports: Optional[ImportMap] = None) -> frozenset[str]:
    """Local names bound by an import inside a version guard, anywhere in the module."""
    names: set[str] = set()
    for statement in _statements(module.body, False, imports):
        inside, stmt = statement
        if not inside or not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                names.update(_bound_names(small))
    return frozenset(names)


def _bound_names(stmt: Union[cst.Import, cst.ImportFrom]) -> Iterator[str]:
    if isinstance(stmt.names, cst.ImportStar):
        return
    for alias in stmt.names:
        asname = alias_asname(alias)
        if asname is not None:
            yield asname
            continue
        full = dotted_name(alias.name)
        if full is not None:
            yield full if isinstance(stmt, cst.ImportFrom) else full.split(".")[0]


def _statements(
    body: Sequence[cst.BaseStatement], inside: bool, imports: Optional[ImportMap]
) -> Iterator[tuple[bool, cst.BaseStatement]]:
    for stmt in body:
        yield inside, stmt
        if not isinstance(stmt, cst.BaseCompoundStatement):
            continue
        guarded = inside or is_version_guard(stmt, imports)
        for block in _blocks(stmt):
            yield from _statements(block, guarded, imports)


def _blocks(stmt: cst.BaseCompoundStatement) -> Iterator[Sequence[cst.BaseStatement]]:
    if isinstance(stmt, cst.Match):
        for case in stmt.cases:
            yield _suite(case.body)
        return
    yield _suite(stmt.body)
    if isinstance(stmt, cst.If):
        if isinstance(stmt.orelse, cst.If):
            yield [stmt.orelse]
        elif isinstance(stmt.orelse, cst.Else):
            yield _suite(stmt.orelse.body)
    elif isinstance(stmt, (cst.Try, cst.TryStar)):
        for handler in stmt.handlers:
            yield _suite(handler.body)
        if stmt.orelse is not None:
            yield _suite(stmt.orelse.body)
        if stmt.finalbody is not None:
            yield _suite(stmt.finalbody.body)
    elif isinstance(stmt, (cst.For, cst.While)) and stmt.orelse is not None:
        yield _suite(stmt.orelse.body)


def _suite(body: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    if isinstance(body, cst.IndentedBlock):
        return body.body
    if isinstance(body, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=body.body)]
    return []
