"""Building blocks of fixes: where new imports go, and the edits that add them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

import libcst as cst

from fastlint.diagnostics import Edit
from fastlint.nodes import is_docstring, module_level_definitions

if TYPE_CHECKING:
    from fastlint.rule import FileContext
    from fastlint.source import LineIndex


def import_edit(
    context: FileContext,
    positions: Mapping[cst.CSTNode, Any],
    lines: LineIndex,
    module: str,
    names: Sequence[str],
) -> Union[Edit, Literal[False], None]:
    """One edit that makes ``names`` from ``module`` available at module level: the existing
    ``from module import ...`` line is extended, or a new line goes below the top imports.
    None when they all are already; False when a name is taken by something else."""
    imports = context.imports
    missing = []
    for name in names:
        if imports.top_level_names.get(name) == f"{module}.{name}":
            continue
        if name in imports.names or _defined_at_module_level(context, name):
            return False
        missing.append(name)
    if not missing:
        return None
    statement = imports.from_statements.get(module)
    if statement is not None and isinstance(statement.names, Sequence):
        position = positions.get(statement)
        if position is None:
            return False
        start = lines.offset(position.start.line, position.start.column)
        end = lines.offset(position.end.line, position.end.column)
        extended = _append_aliases(statement, statement.names, missing)
        return Edit(start, end, context.code(extended))
    offset = _import_insertion_offset(context, positions, lines)
    if offset is None:
        return False
    newline = lines.newline_at(max(offset - 1, 0), context.newline)
    return Edit(offset, offset, f"from {module} import {', '.join(missing)}{newline}")


def _append_aliases(
    statement: cst.ImportFrom, current: Sequence[cst.ImportAlias], names: Sequence[str]
) -> cst.ImportFrom:
    aliases = list(current)
    last = aliases[-1]
    separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(last.comma, cst.Comma):
        # A trailing comma (usually one name per line): new names follow the same layout.
        previous = aliases[-2].comma if len(aliases) > 1 else None
        between = previous if isinstance(previous, cst.Comma) else separator
        trailing = last.comma
        aliases[-1] = last.with_changes(comma=between)
        for position, name in enumerate(names):
            comma = trailing if position == len(names) - 1 else between
            aliases.append(cst.ImportAlias(name=cst.Name(name), comma=comma))
    else:
        aliases[-1] = last.with_changes(comma=separator)
        for position, name in enumerate(names):
            after: Union[cst.Comma, cst.MaybeSentinel] = (
                cst.MaybeSentinel.DEFAULT if position == len(names) - 1 else separator
            )
            aliases.append(cst.ImportAlias(name=cst.Name(name), comma=after))
    return statement.with_changes(names=aliases)


def _defined_at_module_level(context: FileContext, name: str) -> bool:
    definitions = context.shared(
        module_level_definitions, lambda: module_level_definitions(context.module)
    )
    return name in definitions


def _is_import_line(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def _import_insertion_offset(
    context: FileContext, positions: Mapping[cst.CSTNode, Any], lines: LineIndex
) -> Optional[int]:
    """Just below the last top-level import of the leading block (or the docstring), at the
    start of a line."""
    body = context.module.body
    anchor: Optional[cst.CSTNode] = None
    for index, stmt in enumerate(body):
        if _is_import_line(stmt) or (index == 0 and is_docstring(stmt)):
            anchor = stmt
            continue
        break
    if anchor is not None:
        position = positions.get(anchor)
        if position is None:
            return None
        end = lines.offset(position.end.line, position.end.column)
        line_end = lines.line_end(end)
        if line_end == end:  # the file ends without a newline after the anchor
            return None
        return line_end
    if not body:
        return len(context.text)
    position = positions.get(body[0])
    if position is None:
        return None
    return lines.line_start(lines.offset(position.start.line, position.start.column))
