"""Small helpers on import syntax: dotted names, ``as`` names, relative imports.

What names mean is the semantic model's business (:mod:`fastlint.semantic.model`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # imported where used: the index's ast summaries need no LibCST
    import libcst as cst


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    import libcst as cst

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
    import libcst as cst

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
