"""Building blocks of fixes: offsets of nodes, imports placed as isort would, and edits of call
arguments and decorators that keep the user's layout and comments.

Every helper returns plain ``Edit``s (offsets into the decoded text) so that a fix stays data.
Edits are computed from the text around the nodes rather than by regenerating code with LibCST:
regenerating a node rewrites everything it owns, and a comment that LibCST attaches to the
wrong neighbour would silently move or vanish. Editing only the characters that must change
leaves every other byte, line ending and comment where the user put it.
"""

from __future__ import annotations

import bisect
import enum
import io
import re
import sys
import tokenize
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Literal, Optional, Union

import libcst as cst

from fastlint.diagnostics import Edit
from fastlint.imports import alias_asname, dotted_name
from fastlint.nodes import is_docstring
from fastlint.semantic.summary import IMPORT as s_IMPORT
from fastlint.source import LineIndex

if TYPE_CHECKING:
    from libcst.metadata import CodeRange

    from fastlint.rule import FileContext, FixBuilder
    from fastlint.semantic.model import Point

_NEWLINE = re.compile(r"\r\n|\r|\n")


class MissingPosition(LookupError):
    """A node without a position: it is not part of the tree the positions were computed for
    (typically a node built by the rule rather than parsed from the file)."""


class NodeSpans:
    """Offsets of parsed nodes in the decoded text.

    ``positions`` is LibCST's ``PositionProvider`` result (1-based lines, 0-based columns,
    whitespace owned by a node excluded); ``lines`` the ``LineIndex`` of the same text.
    """

    def __init__(self, positions: Mapping[cst.CSTNode, CodeRange], lines: LineIndex) -> None:
        self.positions = positions
        self.lines = lines

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        position = self.positions.get(node)
        if position is None:
            raise MissingPosition(type(node).__name__)
        start = self.lines.offset(position.start.line, position.start.column)
        return start, self.lines.offset(position.end.line, position.end.column)

    def start(self, node: cst.CSTNode) -> int:
        return self.span(node)[0]

    def end(self, node: cst.CSTNode) -> int:
        return self.span(node)[1]

    def line_start(self, node: cst.CSTNode) -> int:
        """The start of the line on which ``node`` starts."""
        return self.lines.line_start(self.start(node))

    def line_end(self, node: cst.CSTNode) -> int:
        """Just past the newline of the line on which ``node`` ends (the end of the text when
        that line has no newline)."""
        return self.lines.line_end(self.end(node))


# -- text helpers ---------------------------------------------------------------------------


def _first_newline(text: str) -> str:
    match = _NEWLINE.search(text)
    return match.group(0) if match else "\n"


def _newline_at(text: str, spans: NodeSpans, offset: int) -> str:
    """The line ending of the line holding ``offset``, so that an edit of a CRLF file adds
    CRLF lines (on a last line without newline: the file's first line ending)."""
    return spans.lines.newline_at(offset, _first_newline(text))


def _only_whitespace_before(text: str, spans: NodeSpans, offset: int) -> bool:
    return not text[spans.lines.line_start(offset) : offset].strip()


def _indentation(text: str, spans: NodeSpans, offset: int) -> str:
    return text[spans.lines.line_start(offset) : offset]


def _first_line(gap: str) -> str:
    """``gap`` before its first newline (where a comment after a comma sits)."""
    match = _NEWLINE.search(gap)
    return gap[: match.start()] if match else gap


def _rest_of_line(text: str, spans: NodeSpans, offset: int) -> str:
    """The text from ``offset`` to the end of its line, newline excluded."""
    return _first_line(text[offset : spans.lines.line_end(offset)])


def _combine(text: str, parts: Sequence[Edit]) -> Edit:
    """One edit doing all of ``parts`` (non-overlapping): a fix made of one edit cannot be
    half-applied, and the fixer's overlap check sees the whole change."""
    ordered = sorted(parts, key=lambda e: (e.start, e.end))
    start, end = ordered[0].start, max(e.end for e in ordered)
    pieces: list[str] = []
    cursor = start
    for part in ordered:
        pieces.append(text[cursor : part.start])
        pieces.append(part.content)
        cursor = part.end
    pieces.append(text[cursor:end])
    return Edit(start, end, "".join(pieces))


def _trimmed(text: str, start: int, end: int, content: str) -> Edit:
    """Replace ``text[start:end]`` with ``content``, minus the characters both share at the
    ends: a smaller edit leaves room for other fixes of the same round."""
    old = text[start:end]
    prefix = 0
    while prefix < min(len(old), len(content)) and old[prefix] == content[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(content)) - prefix and old[-1 - suffix] == content[-1 - suffix]
    ):
        suffix += 1
    return Edit(start + prefix, end - suffix, content[prefix : len(content) - suffix])


# -- sorting as isort does (profile defaults) ------------------------------------------------


class Section(enum.IntEnum):
    """Import sections in isort's default order."""

    FUTURE = 0
    STDLIB = 1
    THIRD_PARTY = 2
    FIRST_PARTY = 3
    LOCAL = 4


# The top-level standard library modules of Python 3.9, which has no
# ``sys.stdlib_module_names`` (private modules left out, except the two people import).
_STDLIB_39_NAMES = """
    __future__ _thread abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit
    audioop base64 bdb binascii binhex bisect builtins bz2 cProfile calendar cgi cgitb
    chunk cmath cmd code codecs codeop collections colorsys compileall concurrent configparser
    contextlib contextvars copy copyreg crypt csv ctypes curses dataclasses datetime dbm decimal
    difflib dis distutils doctest email encodings ensurepip enum errno faulthandler fcntl filecmp
    fileinput fnmatch formatter fractions ftplib functools gc genericpath getopt getpass gettext
    glob graphlib grp gzip hashlib heapq hmac html http idlelib imaplib imghdr imp importlib
    inspect io ipaddress itertools json keyword lib2to3 linecache locale logging lzma mailbox
    mailcap marshal math mimetypes mmap modulefinder msilib msvcrt multiprocessing netrc nis
    nntplib nt ntpath nturl2path numbers opcode operator optparse os ossaudiodev parser pathlib
    pdb pickle pickletools pipes pkgutil platform plistlib poplib posix posixpath pprint profile
    pstats pty pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri random re readline
    reprlib resource rlcompleter runpy sched secrets select selectors shelve shlex shutil signal
    site smtpd smtplib sndhdr socket socketserver spwd sqlite3 sre_compile sre_constants
    sre_parse ssl stat statistics string stringprep struct subprocess sunau symbol symtable sys
    sysconfig syslog tabnanny tarfile telnetlib tempfile termios textwrap this threading time
    timeit tkinter token tokenize trace traceback tracemalloc tty turtle turtledemo types typing
    unicodedata unittest urllib uu uuid venv warnings wave weakref webbrowser winreg winsound
    wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport zlib zoneinfo"""
STDLIB_MODULES: frozenset[str] = frozenset(
    getattr(sys, "stdlib_module_names", _STDLIB_39_NAMES.split())
)


def classify_module(module: str, first_party: Collection[str] = ()) -> Section:
    """The section isort puts ``module`` in: relative imports are local, ``first_party`` holds
    the project's own top-level names, anything unknown is third-party."""
    if module.startswith("."):
        return Section.LOCAL
    top = module.partition(".")[0]
    if top == "__future__":
        return Section.FUTURE
    if top in STDLIB_MODULES:
        return Section.STDLIB
    if top in first_party:
        return Section.FIRST_PARTY
    return Section.THIRD_PARTY


def _natural(value: str) -> tuple[Union[str, int], ...]:
    """Case-insensitive natural order (``v2`` before ``v10``), as isort compares names."""
    parts = re.split(r"(\d+)", value.lower())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def member_sort_key(name: str) -> tuple[int, tuple[Union[str, int], ...], str]:
    """isort's ``order-by-type``: CONSTANTS, then Classes, then everything else; within a type
    case-insensitively (the exact spelling only breaks ties)."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, _natural(name), name


def module_sort_key(module: str) -> tuple[int, tuple[Union[str, int], ...]]:
    """Modules case-insensitively; relative ones from the furthest (``..``) to the closest."""
    level = len(module) - len(module.lstrip("."))
    return -level, _natural(module.lstrip("."))


# -- imports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BlockLine:
    """One statement line of the leading import block, ordered as isort orders lines."""

    statement: cst.SimpleStatementLine
    section: Section
    key: tuple[int, tuple[int, tuple[Union[str, int], ...]]]  # (import=0/from=1, module)


def _from_module(node: cst.ImportFrom) -> str:
    name = dotted_name(node.module) if node.module is not None else ""
    return "." * len(node.relative) + (name or "")


def _imported_module(small: Union[cst.Import, cst.ImportFrom]) -> str:
    if isinstance(small, cst.ImportFrom):
        return _from_module(small)
    return dotted_name(small.names[0].name) or ""


def _leading_block(
    module: cst.Module, section_of: Callable[[str], Section]
) -> tuple[Optional[cst.BaseStatement], list[_BlockLine]]:
    """The docstring (if any) and the import lines that follow it at the top of the module."""
    body = module.body
    docstring = body[0] if body and is_docstring(body[0]) else None
    block: list[_BlockLine] = []
    for statement in body[1 if docstring is not None else 0 :]:
        if not isinstance(statement, cst.SimpleStatementLine) or not all(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            break
        first = statement.body[0]
        assert isinstance(first, (cst.Import, cst.ImportFrom))
        name = _imported_module(first)
        section = _section(name, section_of)
        kind = 1 if isinstance(first, cst.ImportFrom) else 0
        block.append(_BlockLine(statement, section, (kind, module_sort_key(name))))
    return docstring, block


def _section(module: str, section_of: Callable[[str], Section]) -> Section:
    return Section.LOCAL if module.startswith(".") else section_of(module)


def _top_level_from_imports(module: cst.Module, name: str) -> Iterator[cst.ImportFrom]:
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (
                    isinstance(small, cst.ImportFrom)
                    and not isinstance(small.names, cst.ImportStar)
                    and _from_module(small) == name
                ):
                    yield small


def _plain_names(node: cst.ImportFrom) -> set[str]:
    """Names that ``node`` binds under their own name."""
    assert not isinstance(node.names, cst.ImportStar)
    found = set()
    for alias in node.names:
        if isinstance(alias.name, cst.Name) and alias_asname(alias) in (None, alias.name.value):
            found.add(alias.name.value)
    return found


def import_names(
    module: cst.Module,
    text: str,
    spans: NodeSpans,
    module_name: str,
    names: Sequence[str],
    section_of: Callable[[str], Section] = classify_module,
) -> Optional[Edit]:
    """The one edit that makes ``names`` importable from ``module_name`` (``.x`` for relative
    imports) at module level, placed where isort would put it; None when every name is
    already imported under its own name.

    The caller decides that the names are free to bind; this only decides where they go: into
    the leading block's ``from module_name import ...`` when there is one (in sorted position
    when its names are sorted, else at the end), else on a new line in the right section.
    """
    present: set[str] = set()
    for statement in _top_level_from_imports(module, module_name):
        present |= _plain_names(statement)
    missing = sorted({name for name in names if name not in present}, key=member_sort_key)
    if not missing:
        return None
    docstring, block = _leading_block(module, section_of)
    for entry in block:
        for small in entry.statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and _from_module(small) == module_name
                and not isinstance(small.names, cst.ImportStar)
                and _plain_names(small)  # isort keeps ``as`` imports on their own line
            ):
                return _extend_import(small, missing, spans, text)
    line = f"from {module_name} import {', '.join(missing)}"
    return _insert_import_line(module, text, spans, docstring, block, line, module_name, section_of)


def import_module_line(
    module: cst.Module,
    text: str,
    spans: NodeSpans,
    module_name: str,
    section_of: Callable[[str], Section] = classify_module,
) -> Optional[Edit]:
    """The edit that adds ``import module_name`` at module level where isort would put it;
    None when the module is already imported so at the top of the module."""
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import) and any(
                    dotted_name(alias.name) == module_name and alias.asname is None
                    for alias in small.names
                ):
                    return None
    docstring, block = _leading_block(module, section_of)
    line = f"import {module_name}"
    return _insert_import_line(
        module, text, spans, docstring, block, line, module_name, section_of, kind=0
    )


def _extend_import(
    statement: cst.ImportFrom, names: Sequence[str], spans: NodeSpans, text: str
) -> Edit:
    """Add ``names`` (sorted) to ``statement`` by inserting text between its names, so that
    the statement's layout and every comment stay as they were."""
    assert not isinstance(statement.names, cst.ImportStar)
    aliases = list(statement.names)
    keys = [member_sort_key(dotted_name(alias.name) or "") for alias in aliases]
    is_sorted = all(a <= b for a, b in zip(keys, keys[1:]))
    one_per_line = statement.lpar is not None and all(
        _only_whitespace_before(text, spans, spans.start(alias)) for alias in aliases
    )
    slots: dict[int, list[str]] = {}
    for name in names:
        slot = bisect.bisect_right(keys, member_sort_key(name)) if is_sorted else len(aliases)
        slots.setdefault(slot, []).append(name)
    parts: list[Edit] = []
    for slot, group in slots.items():
        if slot < len(aliases):
            at = spans.start(aliases[slot])
            if one_per_line:
                separator = "," + _newline_at(text, spans, at) + _indentation(text, spans, at)
            else:
                separator = ", "
            parts.append(Edit(at, at, "".join(name + separator for name in group)))
        else:
            parts.append(_append_names(aliases[-1], group, one_per_line, spans, text))
    return _combine(text, parts)


def _append_names(
    last: cst.ImportAlias, names: Sequence[str], one_per_line: bool, spans: NodeSpans, text: str
) -> Edit:
    start, end = spans.span(last)
    newline = _newline_at(text, spans, end)
    indent = _indentation(text, spans, start)
    comma = last.comma if isinstance(last.comma, cst.Comma) else None
    tail = spans.end(comma) if comma is not None else end
    closes_later = not _rest_of_line(text, spans, tail).strip().startswith(")")
    if one_per_line and closes_later:
        # After the last name's line, comment included: each new name on a line of its own.
        line_end = spans.lines.line_end(tail)
        if comma is not None:
            return Edit(line_end, line_end, "".join(f"{indent}{n},{newline}" for n in names))
        lines = [f"{indent}{n}" for n in names]
        added = ("," + newline).join(lines) + newline
        return Edit(end, line_end, "," + text[end:line_end] + added)
    if one_per_line:
        separator = "," + newline + indent
        if comma is not None:
            return Edit(tail, tail, "".join(separator[1:] + n + "," for n in names))
        return Edit(end, end, "".join(separator + n for n in names))
    if comma is not None:
        return Edit(tail, tail, "".join(f" {n}," for n in names))
    return Edit(end, end, "".join(f", {n}" for n in names))


def _attached_comments_start(statement: cst.SimpleStatementLine, spans: NodeSpans) -> int:
    """The start of the comment lines right above ``statement`` (isort moves them with it)."""
    offset = spans.line_start(statement)
    for line in reversed(statement.leading_lines):
        if line.comment is None or offset == 0:
            break
        offset = spans.lines.line_start(offset - 1)
    return offset


def _insert_import_line(
    module: cst.Module,
    text: str,
    spans: NodeSpans,
    docstring: Optional[cst.BaseStatement],
    block: Sequence[_BlockLine],
    line: str,
    module_name: str,
    section_of: Callable[[str], Section],
    kind: int = 1,
) -> Edit:
    """Place ``line`` (a ``from`` import when ``kind`` is 1, a plain ``import`` when 0) where
    isort would: plain imports before ``from`` imports in a section, modules in order."""
    section = _section(module_name, section_of)
    key = (kind, module_sort_key(module_name))
    same = [entry for entry in block if entry.section == section]
    later = next((entry for entry in same if entry.key > key), None)
    if later is not None:
        return _line_before(text, spans, _attached_comments_start(later.statement, spans), line)
    if same:
        return _line_after(text, spans, module, same[-1].statement, line, new_section=False)
    lower = [entry for entry in block if entry.section < section]
    if lower:
        return _line_after(text, spans, module, lower[-1].statement, line, new_section=True)
    if block:
        at = _attached_comments_start(block[0].statement, spans)
        return _line_before(text, spans, at, line, blank_lines_after=1)
    if docstring is not None:
        return _line_after(text, spans, module, docstring, line, new_section=True)
    if module.body:
        first = module.body[0]
        at = spans.line_start(first)  # below the comments that open the file (shebang, ...)
        return _line_before(text, spans, at, line, _blank_lines_before(first))
    newline = _first_newline(text)
    prefix = newline if text and not text.endswith(("\n", "\r")) else ""
    return Edit(len(text), len(text), prefix + line + newline)


def _blank_lines_before(statement: Optional[cst.CSTNode]) -> int:
    """Blank lines that isort wants between imports and ``statement``: two before a function
    or class (decorated or not), one before anything else."""
    return 2 if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) else 1


def _line_before(
    text: str, spans: NodeSpans, at: int, line: str, blank_lines_after: int = 0
) -> Edit:
    newline = _newline_at(text, spans, at)
    return Edit(at, at, line + newline * (1 + blank_lines_after))


def _line_after(
    text: str,
    spans: NodeSpans,
    module: cst.Module,
    statement: cst.BaseStatement,
    line: str,
    new_section: bool,
) -> Edit:
    """``line`` below ``statement``. A new section gets a blank line above it and, when code
    follows directly, the blank lines that isort puts after the imports."""
    end = spans.end(statement)
    at = spans.lines.line_end(end)
    newline = _newline_at(text, spans, end)
    content = line + newline
    if new_section:
        content = newline + content
        if at < len(text) and text[at : spans.lines.line_end(at)].strip():
            index = next(i for i, candidate in enumerate(module.body) if candidate is statement)
            following = module.body[index + 1] if index + 1 < len(module.body) else None
            content += newline * _blank_lines_before(following)
    if at == len(text) and not text.endswith(("\n", "\r")):
        content = newline + content  # the statement ends the file without a newline
    return Edit(at, at, content)


def _bound_name(alias: cst.ImportAlias) -> Optional[str]:
    """The local name an import alias binds, when it binds a single name."""
    asname = alias_asname(alias)
    if asname is not None:
        return asname
    return alias.name.value if isinstance(alias.name, cst.Name) else None


def _import_lines(module: cst.Module) -> Iterator[tuple[cst.SimpleStatementLine, bool]]:
    """The statement lines outside function and class bodies, each with whether it is the
    only statement of a block (removing it would leave the block empty)."""
    stack: list[tuple[cst.CSTNode, bool]] = [(module, False)]
    while stack:
        node, alone = stack.pop()
        if isinstance(node, cst.SimpleStatementLine):
            yield node, alone
            continue
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(node, cst.IndentedBlock):
            statements = list(node.body)
            stack.extend((child, len(statements) == 1) for child in reversed(statements))
            continue
        if isinstance(node, cst.Module):
            stack.extend((child, False) for child in reversed(node.body))
            continue
        stack.extend(
            (child, False)
            for child in reversed(node.children)
            if not isinstance(child, cst.BaseExpression)
        )


def remove_imported_names(
    module: cst.Module, names: Collection[str], spans: NodeSpans, text: str
) -> list[Edit]:
    """The edits that remove the imports binding ``names`` (local names) outside function and
    class bodies, keeping every other name with its comment.

    A removed name takes a comma with it the way ``remove_arguments`` removes arguments: the
    comment that shares its line with a kept name stays there, the comment ending a line that
    goes stays as a comment line in its place (without ``# noqa``/``# type: ignore``
    pragmas). A statement whose names all go is deleted, its comments kept the same way,
    except when it is alone in its block."""
    wanted = set(names)
    edits: list[Edit] = []
    for line, alone in _import_lines(module):
        plans: list[tuple[Union[cst.Import, cst.ImportFrom], set[int], int]] = []
        for small in line.body:
            if not isinstance(small, (cst.Import, cst.ImportFrom)):
                continue
            if isinstance(small.names, cst.ImportStar):
                continue
            gone = {i for i, alias in enumerate(small.names) if _bound_name(alias) in wanted}
            if gone:
                plans.append((small, gone, len(small.names)))
        if not plans:
            continue
        whole = [small for small, gone, count in plans if len(gone) == count]
        if len(whole) == len(line.body):
            if not alone:
                edits.append(_remove_statement_line(module, line, spans, text))
            continue
        for small, gone, count in plans:
            if len(gone) < count:
                edits.append(_remove_import_aliases(small, gone, spans, text))
        for small in whole:
            edits.append(_remove_small_statement(line, small, spans))
    return edits


def _remove_import_aliases(
    statement: Union[cst.Import, cst.ImportFrom], gone: Collection[int], spans: NodeSpans, text: str
) -> Edit:
    aliases = statement.names
    assert not isinstance(aliases, cst.ImportStar)
    items = [
        _ListItem(
            spans.start(alias),
            spans.end(alias),
            spans.end(alias.comma) if isinstance(alias.comma, cst.Comma) else spans.end(alias),
            alias.comma,
        )
        for alias in aliases
    ]
    lpar = statement.lpar if isinstance(statement, cst.ImportFrom) else None
    rpar = statement.rpar if isinstance(statement, cst.ImportFrom) else None
    if lpar is not None and rpar is not None:
        opened, close = spans.start(lpar) + 1, spans.end(rpar) - 1
    else:
        opened, close = items[0].start, items[-1].end
    return _remove_items(text, spans, items, gone, opened, close, statement)


def _remove_small_statement(
    line: cst.SimpleStatementLine, small: cst.BaseSmallStatement, spans: NodeSpans
) -> Edit:
    """Remove one of several statements of a line (``import os; import sys``), with the
    semicolon that separates it from the others."""
    body = list(line.body)
    index = next(i for i, candidate in enumerate(body) if candidate is small)
    if index + 1 < len(body):
        return Edit(spans.start(small), spans.start(body[index + 1]), "")
    return Edit(spans.end(body[index - 1]), spans.end(small), "")


def _remove_statement_line(
    module: cst.Module, line: cst.SimpleStatementLine, spans: NodeSpans, text: str
) -> Edit:
    """Delete the lines of ``line``; its comments stay as comment lines in its place (as the
    comments of a removed decorator do). The first statement of the module takes the blank
    lines after it along, so that the file does not start with them."""
    start = spans.line_start(line)
    end = spans.lines.line_end(spans.end(line))
    indent = _indentation(text, spans, spans.start(line))
    newline = _newline_at(text, spans, spans.start(line))
    kept: list[str] = []
    for part in (*line.body, line.trailing_whitespace):
        for comment in _comments(part):
            rest = surviving_comment(comment)
            if rest is not None:
                kept.append(f"{indent}{rest}{newline}")
    if not kept and module.body and module.body[0] is line and not text[:start].strip():
        while end < len(text):
            following = spans.lines.line_end(end)
            if text[end:following].strip():
                break
            end = following
    return Edit(start, end, "".join(kept))


def import_name(
    context: FileContext,
    fix: FixBuilder,
    module: str,
    member: str,
    *,
    also: Collection[str] = (),
    before: Optional[Point] = None,
) -> Optional[str]:
    """How generated code can name ``module.member`` at module level: through a module-level
    import that binds it (or its module) and is never rebound (``asynccontextmanager``,
    ``contextlib.asynccontextmanager``; with ``before``, only an import made before that
    point), else through a new ``from module import member`` added to ``fix``. ``also`` lists
    other qualified names of the same object (``typing.AsyncIterator``). None when ``member``
    is taken by something else in the file."""
    model = context.model
    meanings = {f"{module}.{member}", *also}
    for binding in model.summary.bindings:
        if binding.kind != s_IMPORT or binding.scope != 0 or binding.target is None:
            continue
        if before is not None and binding.order >= before.order:
            continue
        if len(model.bindings(0, binding.name)) != 1 or binding.branch >= 0:
            continue
        if binding.target in meanings:
            return binding.name  # from contextlib import asynccontextmanager
        if f"{binding.target}.{member}" in meanings:
            return f"{binding.name}.{member}"  # import contextlib
    if member in model.summary.names:
        return None
    fix.add_import(module, member)
    return member


def import_module(
    context: FileContext, fix: FixBuilder, module: str, *, before: Optional[Point] = None
) -> Optional[str]:
    """How generated code can name the module ``module`` (a top-level one, ``asyncio``):
    through a module-level ``import module`` (or ``import module as m``) that is never
    rebound (with ``before``, only one made before that point), else through a new
    ``import module`` added to ``fix``. None when the name is taken by something else."""
    model = context.model
    for binding in model.summary.bindings:
        if binding.kind != s_IMPORT or binding.scope != 0 or binding.target != module:
            continue
        if before is not None and binding.order >= before.order:
            continue
        if len(model.bindings(0, binding.name)) == 1 and binding.branch < 0:
            return binding.name
    if module in model.summary.names:
        return None
    fix.add_import(module, "")
    return module


def import_edit(
    context: FileContext,
    positions: Mapping[cst.CSTNode, CodeRange],
    lines: LineIndex,
    module: str,
    names: Sequence[str],
) -> Union[Edit, Literal[False], None]:
    """One edit that makes ``names`` from ``module`` available at module level (see
    ``import_names``). None when they all are already; False when a name is bound to
    something else, or when the edit cannot be placed."""
    return import_edits(context, positions, lines, [(module, names)])


def import_edits(
    context: FileContext,
    positions: Mapping[cst.CSTNode, CodeRange],
    lines: LineIndex,
    requests: Sequence[tuple[str, Sequence[str]]],
) -> Union[Edit, Literal[False], None]:
    """One edit that makes every ``(module, names)`` of ``requests`` available at module level
    (``import module`` when ``names`` is empty), each where isort would put it. None when they
    all are already; False when a name is bound to something else in the file (or used there:
    a new import would change what it means), or when an edit cannot be placed.

    Several new lines are placed one after the other (each sees the lines placed before it, so
    sections and order come out as isort's), and returned as the one edit that turns the
    original import block into the final one."""
    model = context.model
    wanted: list[tuple[str, list[str]]] = []
    for module, names in requests:
        if not names:  # ``import module``
            bindings = model.bindings(0, module)
            if bindings and all(b.kind == s_IMPORT and b.target == module for b in bindings):
                continue
            if module in model.summary.names:
                return False
            wanted.append((module, []))
            continue
        missing = []
        for name in names:
            bindings = model.bindings(0, name)
            if bindings and all(
                b.kind == s_IMPORT and b.target == f"{module}.{name}" for b in bindings
            ):
                continue  # already imported under its own name
            if name in model.summary.names:
                return False
            missing.append(name)
        if missing:
            wanted.append((module, missing))
    if not wanted:
        return None
    first_party = set(context.project.top_level_packages())
    own_package = (context.module_name or "").partition(".")[0]
    if own_package:
        first_party.add(own_package)

    def section(name: str) -> Section:
        return classify_module(name, first_party)

    text, tree, spans = context.text, context.module, NodeSpans(positions, lines)
    for position, (module, names) in enumerate(wanted):
        try:
            if names:
                edit = import_names(tree, text, spans, module, names, section)
            else:
                edit = import_module_line(tree, text, spans, module, section)
        except MissingPosition:
            return False
        if edit is None:
            continue
        text = text[: edit.start] + edit.content + text[edit.end :]
        if position + 1 < len(wanted):
            try:
                tree = cst.parse_module(text)
            except cst.ParserSyntaxError:
                return False
            from libcst.metadata import MetadataWrapper, PositionProvider

            wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
            spans = NodeSpans(wrapper.resolve(PositionProvider), LineIndex(text))
    return _difference(context.text, text)


def _difference(before: str, after: str) -> Optional[Edit]:
    """The one edit that turns ``before`` into ``after`` (the changed middle part)."""
    if before == after:
        return None
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end_before, end_after = len(before), len(after)
    while (
        end_before > start and end_after > start and before[end_before - 1] == after[end_after - 1]
    ):
        end_before -= 1
        end_after -= 1
    return Edit(start, end_before, after[start:end_after])


# -- call arguments --------------------------------------------------------------------------


def _parentheses(call: cst.Call, spans: NodeSpans) -> tuple[int, int]:
    """The offsets of the ``(`` and ``)`` around the arguments of ``call``."""
    func_end = spans.end(call.func.rpar[-1]) if call.func.rpar else spans.end(call.func)
    between = cst.Module(body=()).code_for_node(call.whitespace_after_func)
    return func_end + len(between), spans.end(call) - 1


def _tail_end(arg: cst.Arg, spans: NodeSpans) -> int:
    """Where ``arg`` ends, its comma included."""
    return spans.end(arg.comma) if isinstance(arg.comma, cst.Comma) else spans.end(arg)


def remove_argument(call: cst.Call, arg: cst.Arg, spans: NodeSpans, text: str) -> Edit:
    """Remove ``arg`` and its comma from ``call`` (see ``remove_arguments``)."""
    return remove_arguments(call, [arg], spans, text)


def remove_arguments(
    call: cst.Call, removed: Collection[cst.Arg], spans: NodeSpans, text: str
) -> Edit:
    """Remove ``removed`` (arguments of ``call``) with their commas, as one edit.

    The layout of the rest stays: the trailing comma if the call had one, the ``)`` where it
    was, each comment on its line. No comment is lost: a comment on a line that a removed
    argument shares with a kept one (or with the ``(``) stays at the end of that line, and the
    comment ending a line that goes becomes a comment line of its own in its place (without
    ``# noqa`` and ``# type: ignore`` pragmas, which only applied to the removed line)."""
    args = list(call.args)
    wanted = {id(arg) for arg in removed}
    indices = {i for i, arg in enumerate(args) if id(arg) in wanted}
    if len(indices) != len(wanted):
        raise ValueError("the argument is not one of the call's arguments")
    open_paren, close_paren = _parentheses(call, spans)
    items = [
        _ListItem(spans.start(arg), spans.end(arg), _tail_end(arg, spans), arg.comma)
        for arg in args
    ]
    return _remove_items(text, spans, items, indices, open_paren + 1, close_paren, call)


def remove_parameters(
    function: cst.FunctionDef, removed: Collection[cst.Param], spans: NodeSpans, text: str
) -> Edit:
    """Remove ``removed`` (parameters of ``function``) with their commas, as one edit, the way
    ``remove_arguments`` removes arguments; a bare ``*`` (or ``/``) goes with the last of the
    parameters it introduces (or ends)."""
    parameters = function.params
    items: list[Union[cst.Param, cst.ParamStar, cst.ParamSlash]] = [*parameters.posonly_params]
    if isinstance(parameters.posonly_ind, cst.ParamSlash):
        items.append(parameters.posonly_ind)
    items += parameters.params
    if isinstance(parameters.star_arg, (cst.Param, cst.ParamStar)):
        items.append(parameters.star_arg)
    items += parameters.kwonly_params
    if isinstance(parameters.star_kwarg, cst.Param):
        items.append(parameters.star_kwarg)
    wanted = {id(param) for param in removed}
    indices = {i for i, item in enumerate(items) if id(item) in wanted}
    if len(indices) != len(wanted):
        raise ValueError("the parameter is not one of the function's parameters")
    for marker, group in (
        (parameters.star_arg, parameters.kwonly_params),
        (parameters.posonly_ind, parameters.posonly_params),
    ):
        if isinstance(marker, (cst.ParamStar, cst.ParamSlash)) and all(
            id(param) in wanted for param in group
        ):
            indices.add(next(i for i, item in enumerate(items) if item is marker))
    type_parameters = getattr(function, "type_parameters", None)
    opened = text.index("(", spans.end(type_parameters or function.name)) + 1
    listed = [_parameter_item(item, spans) for item in items]
    close = _closing_parenthesis(text, listed[-1].tail if listed else opened)
    return _remove_items(text, spans, listed, indices, opened, close, function)


def _parameter_item(
    item: Union[cst.Param, cst.ParamStar, cst.ParamSlash], spans: NodeSpans
) -> _ListItem:
    start = spans.start(item)
    if isinstance(item, cst.Param):
        # A parameter's own range is its name (and star): its annotation and default follow.
        last: cst.CSTNode = item
        if item.default is not None:
            last = item.default
        elif item.annotation is not None:
            last = item.annotation.annotation
        end = spans.end(last)
    else:
        end = start + 1  # ``*`` or ``/``
    tail = spans.end(item.comma) if isinstance(item.comma, cst.Comma) else end
    return _ListItem(start, end, tail, item.comma)


def _closing_parenthesis(text: str, offset: int) -> int:
    """The offset of the ``)`` that follows ``offset`` across whitespace and comments."""
    while True:
        char = text[offset]
        if char == ")":
            return offset
        if char == "#":
            offset = _NEWLINE.search(text, offset).end()  # type: ignore[union-attr]
        else:
            offset += 1


@dataclass(frozen=True)
class _ListItem:
    """One element of a comma-separated list in brackets (an argument, an imported name)."""

    start: int
    end: int  # its comma excluded
    tail: int  # its comma included
    comma: object  # a ``cst.Comma``, or ``MaybeSentinel.DEFAULT`` for none

    @property
    def has_comma(self) -> bool:
        return isinstance(self.comma, cst.Comma)


def _remove_items(
    text: str,
    spans: NodeSpans,
    items: Sequence[_ListItem],
    removed: Collection[int],
    opened: int,
    close: int,
    owner: cst.CSTNode,
) -> Edit:
    """The one edit that removes the ``removed`` indices of ``items``, a list of ``owner``
    that starts at ``opened`` (just after its ``(``) and ends at ``close`` (its ``)``). Each
    run of consecutive removed items is one change; kept items separate the runs, so that the
    changes never overlap."""
    count = len(items)
    gap_starts = [opened] + [item.tail for item in items]  # gap k: before item k (or ``)``)
    gap_ends = [item.start for item in items] + [close]
    line = text[spans.line_start(owner) : spans.line_end(owner)]
    indent = line[: len(line) - len(line.lstrip())]  # of the line the list's statement is on
    parts: list[Edit] = []
    index = 0
    while index < count:
        if index not in removed:
            index += 1
            continue
        first = index
        while index + 1 < count and index + 1 in removed:
            index += 1
        last = index
        index += 1
        if last == count - 1 and first > 0 and not items[last].has_comma:
            # The last items of a list without trailing comma: the comma of the kept item
            # before them goes too.
            kept = items[first - 1]
            lines = _region_lines(text[kept.tail : close])
            after_close = _rest_of_line(text, spans, close + 1)
            joined, past_close = _rejoin_last(lines, after_close, indent)
            parts.append(Edit(kept.end, close + 1 if past_close else close, joined))
            continue
        start, end = gap_starts[first], gap_ends[last + 1]
        lines = _region_lines(text[start:end])
        everything = first == 0 and last == count - 1
        if len(lines) == 1:
            before, after = text[start : gap_ends[first]], text[gap_starts[last + 1] : end]
            joined = after if last == count - 1 else before
        else:
            closes = last == count - 1
            joined = _rejoin(lines, text[start : gap_ends[first]], first == 0, indent, closes)
        if everything and "#" not in joined:
            joined = ""
        parts.append(Edit(start, end, joined))
    if not parts:
        raise ValueError("nothing to remove")
    combined = _combine(text, parts)
    return _trimmed(text, combined.start, combined.end, combined.content)


@dataclass(frozen=True)
class _RegionLine:
    """One line of the text that a removal replaces."""

    text: str  # newline excluded
    newline: str  # "" on the last line
    code: bool  # part of a removed item is on it
    comment: Optional[int]  # the column of the comment that ends it, if any
    opens: bool = False  # a token starts it (it is not the inside of a multi-line string)

    @property
    def indentation(self) -> str:
        return self.text[: len(self.text) - len(self.text.lstrip())]

    def comment_with_space(self) -> str:
        """The comment ending this line, with the whitespace in front of it."""
        if self.comment is None:
            return ""
        code = self.text[: self.comment].rstrip()
        return self.text[len(code) :]


def _region_lines(region: str) -> list[_RegionLine]:
    """The lines of ``region`` (whitespace, comments and whole list items), each with whether
    it holds code and where its comment starts; found with the tokenizer, so that a ``#``
    inside a string is not taken for a comment."""
    texts: list[tuple[str, str]] = []
    position = 0
    for match in _NEWLINE.finditer(region):
        texts.append((region[position : match.start()], match.group(0)))
        position = match.end()
    texts.append((region[position:], ""))
    code_rows: set[int] = set()
    opening: set[int] = set()  # rows whose first token starts after the indentation
    comments: dict[int, int] = {}
    source = "(" + "\n".join(line for line, _ in texts) + "\n)"
    wrapper = {(1, 0), (len(texts) + 1, 0)}
    ignored = (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        row, column = token.start
        if token.type in ignored or (token.type == tokenize.OP and token.start in wrapper):
            continue
        if token.type == tokenize.COMMENT:
            comments[row - 1] = column - (1 if row == 1 else 0)
        else:
            code_rows.update(range(row - 1, token.end[0]))
        if not token.line[:column].strip():
            opening.add(row - 1)
    return [
        _RegionLine(line, newline, number in code_rows, comments.get(number), number in opening)
        for number, (line, newline) in enumerate(texts)
    ]


def surviving_comment(comment: str) -> Optional[str]:
    """What is left of a comment whose line goes: without the ``# noqa`` and ``# type:
    ignore`` pragmas (and the reasons after them), which only applied to that line; None
    when nothing else was in it. ``# warm up  # noqa: E501`` leaves ``# warm up``."""
    starts = [0, *(match.start() for match in _COMMENT_START.finditer(comment))]
    parts = [comment[a:b].strip() for a, b in zip(starts, [*starts[1:], len(comment)])]
    kept = [part for part in parts if part.strip("#").strip() and not _PRAGMA.match(part)]
    return "  ".join(kept) if kept else None


def _kept_lines(lines: Sequence[_RegionLine]) -> str:
    """The lines between the first and the last of a removed region that stay: lines without
    removed code as they are, and the comment that ended a removed line in its place."""
    kept: list[str] = []
    indentation = lines[0].indentation if lines else ""
    for line in lines:
        if line.opens:
            indentation = line.indentation  # not the inside of a multi-line string
        if not line.code:
            kept.append(line.text + line.newline)
            continue
        if line.comment is None:
            continue
        comment = surviving_comment(line.text[line.comment :])
        if comment is not None:
            kept.append(indentation + comment + line.newline)
    return "".join(kept)


def _head_of(line: _RegionLine) -> str:
    """What stays of the first line of a removed region: all of it when it is only the space
    and comment after a kept item, else the comment that ends it."""
    return line.text if not line.code else line.comment_with_space()


def _closing_line(last: _RegionLine, indent: str) -> str:
    """The start of the line of a ``)`` after a removed region: where it was, except that a
    ``)`` left of the statement that holds it lines up with the statement."""
    if last.code:
        return last.indentation
    return indent if len(last.text) < len(indent) else last.text


def _rejoin(
    lines: Sequence[_RegionLine], before: str, pulls_up: bool, indent: str, closes: bool
) -> str:
    """What replaces a removed run of items (with the gaps around it) that spans several
    lines. A run that starts the list and leaves no comment pulls the next item up into
    ``before``, the space after the ``(``."""
    head = _head_of(lines[0])
    middle = _kept_lines(lines[1:-1])
    if pulls_up and "#" not in head + middle:
        return before
    last = lines[-1]
    tail = _closing_line(last, indent) if closes else last.indentation if last.code else last.text
    return head + lines[0].newline + middle + tail


def _rejoin_last(lines: Sequence[_RegionLine], after_close: str, indent: str) -> tuple[str, bool]:
    """What replaces the last items of a list without trailing comma, from the comma of the
    kept item before them up to the ``)``, and whether the ``)`` is replaced too: it moves up
    in front of the kept item's comment when nothing else stays in between.

    ``after_close`` is the rest of the line after the ``)``."""
    if len(lines) == 1:
        return "", False
    head = _head_of(lines[0])
    middle = _kept_lines(lines[1:-1])
    last = lines[-1]
    if not middle:
        if last.code and "#" not in head:
            return "", False  # ``a,`` + ``b)``: ``a)``
        if last.code and not after_close.strip():
            return ")" + head, True  # ``a,  # c`` + ``b)``: ``a)  # c``
    # Else the ``)`` keeps a line of its own (where the removed items were, when it shared
    # their line).
    return head + lines[0].newline + middle + _closing_line(last, indent), False


def add_keyword(call: cst.Call, name: str, value_code: str, spans: NodeSpans, text: str) -> Edit:
    """Append ``name=value_code`` to ``call`` in its style: on a line of its own with the same
    indentation when the last argument starts its line, else after it; a trailing comma stays
    trailing."""
    keyword = f"{name}={value_code}"
    if not call.args:
        open_paren, _ = _parentheses(call, spans)
        return Edit(open_paren + 1, open_paren + 1, keyword)
    last = call.args[-1]
    start, end = spans.span(last)
    tail = _tail_end(last, spans)
    comma = isinstance(last.comma, cst.Comma)
    if not _only_whitespace_before(text, spans, start):
        return Edit(tail, tail, f" {keyword}," if comma else f", {keyword}")
    newline = _newline_at(text, spans, start)
    indent = _indentation(text, spans, start)
    if _rest_of_line(text, spans, tail).strip().startswith(")"):
        if comma:
            return Edit(tail, tail, f"{newline}{indent}{keyword},")
        return Edit(end, end, f",{newline}{indent}{keyword}")
    line_end = spans.lines.line_end(tail)
    if comma:
        return Edit(line_end, line_end, f"{indent}{keyword},{newline}")
    return Edit(end, line_end, "," + text[end:line_end] + f"{indent}{keyword}{newline}")


def rename_keyword(arg: cst.Arg, new_name: str, spans: NodeSpans) -> Edit:
    """Rename the keyword of ``arg`` (``pre=True`` -> ``mode=True``)."""
    if arg.keyword is None:
        raise ValueError("a positional argument has no keyword to rename")
    start, end = spans.span(arg.keyword)
    return Edit(start, end, new_name)


def replace_argument_value(arg: cst.Arg, code: str, spans: NodeSpans) -> Edit:
    """Replace the value of ``arg`` (inside any parentheses around it) with ``code``."""
    start, end = spans.span(arg.value)
    return Edit(start, end, code)


# -- decorators ------------------------------------------------------------------------------

# Line pragmas that only meant something on the removed line (with their reasons).
_PRAGMA = re.compile(r"#\s*(?:noqa\b|type:\s*ignore\b)", re.IGNORECASE)
# Where one of several comments of a line starts: a ``#`` after whitespace that does not
# start an issue number (``-- see #123`` belongs to the comment before it).
_COMMENT_START = re.compile(r"(?<=\s)#(?![0-9])")


def replace_decorator(decorator: cst.Decorator, new_expression_code: str, spans: NodeSpans) -> Edit:
    """Replace what follows the ``@``; the comment after it and the comment lines above it are
    outside the edit, so they stay."""
    start, end = spans.span(decorator.decorator)
    return Edit(start, end, new_expression_code)


def _comments(node: cst.CSTNode) -> Iterator[str]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Comment):
            yield current.value
        stack.extend(reversed(current.children))


def remove_decorator(decorator: cst.Decorator, spans: NodeSpans, text: str) -> Edit:
    """Delete the line(s) of ``decorator``. Its comments (after it, or inside a multi-line
    argument list) survive as comment lines in its place, without ``# noqa`` and
    ``# type: ignore`` pragmas, which only applied to the removed line; a comment that was
    nothing but such a pragma goes. The comment lines above the decorator are not touched."""
    start = spans.line_start(decorator)
    end = spans.line_end(decorator)
    indent = _indentation(text, spans, spans.start(decorator))
    newline = _newline_at(text, spans, spans.start(decorator))
    kept: list[str] = []
    for part in (decorator.decorator, decorator.trailing_whitespace):
        for comment in _comments(part):
            rest = surviving_comment(comment)
            if rest is not None:
                kept.append(rest)
    return Edit(start, end, "".join(f"{indent}{comment}{newline}" for comment in kept))
