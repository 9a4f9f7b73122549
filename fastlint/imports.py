"""Name resolution shared by all rules: which local names mean which qualified names.

Built in one cheap pass over the module's statements (no LibCST metadata providers): every
``import``/``from ... import`` in the file, at any depth, maps a local name to the qualified
name it binds. That is what lets a rule ask "is this ``fastapi.Depends``?" instead of comparing
spellings. Relative imports are resolved against the module's own dotted name when it is known.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional, Union

import libcst as cst


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def alias_asname(alias: cst.ImportAlias) -> Optional[str]:
    """The ``as`` name of an import alias, if it has one."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


def resolve_relative(
    module: Optional[str], level: int, target: Optional[str], is_package: bool
) -> Optional[str]:
    """The absolute module named by ``from {'.' * level}{target} import ...`` inside ``module``."""
    if level == 0:
        return target
    if module is None:
        return None
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if target:
        base.append(target)
    return ".".join(base) if base else None


class ImportMap:
    """Local name -> qualified name for one module."""

    def __init__(self, module_name: Optional[str] = None, is_package: bool = False) -> None:
        self.module_name = module_name
        self.is_package = is_package
        self.names: dict[str, str] = {}
        # The names bound by imports at module level (not inside a function or class).
        self.top_level_names: dict[str, str] = {}
        # Modules imported with ``from m import *``; their names are looked up in the project
        # index when a rule needs them.
        self.star_modules: list[str] = []
        # The top-level ImportFrom statements by module, for fixes that add names to them.
        self.from_statements: dict[str, cst.ImportFrom] = {}

    @classmethod
    def from_module(
        cls, module: cst.Module, module_name: Optional[str] = None, is_package: bool = False
    ) -> ImportMap:
        result = cls(module_name, is_package)
        for stmt, top_level in _iter_import_statements(module.body, True):
            before = dict(result.names)
            result._add(stmt, top_level)
            if top_level:
                for local, full in result.names.items():
                    if before.get(local) != full:
                        result.top_level_names[local] = full
        for line in module.body:
            if not isinstance(line, cst.SimpleStatementLine):
                continue
            for small in line.body:
                if (
                    isinstance(small, cst.ImportFrom)
                    and not small.relative
                    and small.module is not None
                    and not isinstance(small.names, cst.ImportStar)
                ):
                    name = dotted_name(small.module)
                    if name is not None:
                        result.from_statements.setdefault(name, small)
        return result

    def _add(self, stmt: Union[cst.Import, cst.ImportFrom], top_level: bool) -> None:
        if isinstance(stmt, cst.Import):
            for alias in stmt.names:
                full = dotted_name(alias.name)
                if full is None:
                    continue
                asname = alias_asname(alias)
                if asname is not None:
                    self.names[asname] = full
                else:
                    root = full.split(".")[0]
                    self.names.setdefault(root, root)
            return
        target = dotted_name(stmt.module) if stmt.module is not None else None
        base = resolve_relative(self.module_name, len(stmt.relative), target, self.is_package)
        if base is None:
            return
        if isinstance(stmt.names, cst.ImportStar):
            self.star_modules.append(base)
            return
        for alias in stmt.names:
            if not isinstance(alias.name, cst.Name):
                continue
            local = alias_asname(alias) or alias.name.value
            self.names[local] = f"{base}.{alias.name.value}"

    def qualname(self, node: cst.BaseExpression) -> Optional[str]:
        """The qualified name of a Name/Attribute expression, through imports.

        A name that no import binds resolves to ``<module>.<name>`` when the module name is
        known (a definition of this module), else to the bare name.
        """
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.names:
            base = self.names[head]
        elif self.module_name:
            base = f"{self.module_name}.{head}"
        else:
            base = head
        return f"{base}.{rest}" if rest else base

    def local_names_for(self, qualified: str) -> Iterator[str]:
        for local, full in self.names.items():
            if full == qualified:
                yield local


def _iter_import_statements(
    body: object, top_level: bool
) -> Iterator[tuple[Union[cst.Import, cst.ImportFrom], bool]]:
    """Import statements anywhere in the file, with whether they sit at module level."""
    if not isinstance(body, (list, tuple)):
        return
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    yield small, top_level
        elif isinstance(stmt, cst.BaseCompoundStatement):
            # Imports under if/try/with at module level still bind module-level names.
            nested_top = top_level and not isinstance(stmt, (cst.FunctionDef, cst.ClassDef))
            for block in _child_blocks(stmt):
                yield from _iter_import_statements(block, nested_top)


def _child_blocks(stmt: cst.CSTNode) -> Iterator[object]:
    """The statement lists directly inside a compound statement, whatever its kind (if/else,
    try/except/finally, with, for, while, match/case, def, class)."""
    for child in stmt.children:
        if isinstance(child, cst.IndentedBlock):
            yield child.body
        elif isinstance(child, cst.SimpleStatementSuite):
            yield [cst.SimpleStatementLine(body=child.body)]
        elif isinstance(child, cst.BaseCompoundStatement):
            yield [child]
        elif isinstance(
            child, (cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase)
        ):
            yield from _child_blocks(child)
