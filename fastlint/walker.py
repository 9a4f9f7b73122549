"""A read-only traversal of LibCST trees.

LibCST's own ``visit`` rebuilds every node on the way back up (``_visit_and_replace_children``
constructs and validates a new node even when nothing changed), and its ``children`` property
does the same to collect them. Rules never change the tree, so the engine walks it itself:
iteratively (no recursion limit), reading each node's child fields in lexical order.

The lexical order of a node's fields is the order in which LibCST's
``_visit_and_replace_children`` visits them. For the classes whose method is the plain
``return Cls(field=visit(self.field), ...)`` (all but a few), that is the order of its keyword
arguments, read once per class from LibCST's source with ``ast``. For the others, and when the
source cannot be read, it is learned once for each combination of the class's optional fields
(``None``, an empty list, ``MaybeSentinel``) that is present: one call of the method with a
visitor that records the children it is shown, mapped back to the fields holding them.

Fields whose declared type admits only trivia (``TRIVIA``) are skipped when no method of the
walk names a trivia class.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from dataclasses import fields
from typing import Callable, Optional

import libcst as cst
from libcst._nodes import op as _op
from libcst._nodes import whitespace as _whitespace

__all__ = ["children", "walk"]

# class -> the fields that were absent (None, MaybeSentinel, empty) in some node of the class
_OPTIONAL: dict[type, tuple[str, ...]] = {}
# (class, which optional fields are present) -> the child fields, in lexical order
_ORDERS: dict[tuple[type, tuple[bool, ...]], tuple[str, ...]] = {}
# The same without the fields that hold trivia (see ``TRIVIA``).
_STRUCTURAL: dict[tuple[type, tuple[bool, ...]], tuple[str, ...]] = {}

# Whitespace, comments, operators, commas, brackets: nodes that hold no code. A walk whose
# methods name none of them skips them with everything below them (only trivia is below them).
TRIVIA: frozenset[type] = frozenset(
    cls
    for module in (_whitespace, _op)
    for cls in vars(module).values()
    if isinstance(cls, type) and issubclass(cls, cst.CSTNode) and cls.__module__ == module.__name__
) | {
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
}
TRIVIA_NAMES = frozenset(cls.__name__ for cls in TRIVIA)


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(node)
        return False


# (class, with trivia) -> its child fields in visiting order, or None: learn them instead
_STATIC: dict[tuple[type, bool], Optional[tuple[str, ...]]] = {}


def _node_classes(hint: object) -> list[type]:
    """The node classes a field's declared type names (``Sequence[Union[A, B]]`` -> A, B)."""
    if isinstance(hint, typing.ForwardRef):
        hint = getattr(cst, hint.__forward_arg__, None)
    if isinstance(hint, str):
        hint = getattr(cst, hint, None)
    if isinstance(hint, type):
        return [hint] if issubclass(hint, cst.CSTNode) else []
    return [cls for arg in typing.get_args(hint) for cls in _node_classes(arg)]


def _holds_only_trivia(hint: object) -> bool:
    classes = _node_classes(hint)
    return bool(classes) and all(issubclass(cls, tuple(TRIVIA)) for cls in classes)


def _static_order(cls: type, trivia: bool) -> Optional[tuple[str, ...]]:
    """The fields of ``cls`` in visiting order, from the keywords of the one ``return Cls(...)``
    of its ``_visit_and_replace_children``; None when the method has another shape (a
    keyword computed earlier, a value that is not its own field's) or cannot be read."""
    key = (cls, trivia)
    if key in _STATIC:
        return _STATIC[key]
    order: Optional[tuple[str, ...]] = None
    try:
        source = textwrap.dedent(inspect.getsource(vars(cls)["_visit_and_replace_children"]))
        function = ast.parse(source).body[0]
        assert isinstance(function, ast.FunctionDef)
        body = [
            statement
            for statement in function.body
            if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
        ]
        names = {field.name: field.type for field in fields(cls)}
        if (
            len(body) == 1
            and isinstance(body[0], ast.Return)
            and isinstance(body[0].value, ast.Call)
            and not body[0].value.args
        ):
            keywords = body[0].value.keywords
            if all(k.arg in names and _reads_own_field(k.value, k.arg) for k in keywords):
                hints = typing.get_type_hints(cls)
                order = tuple(
                    str(k.arg)
                    for k in keywords
                    if _node_classes(hints.get(str(k.arg)))
                    and (trivia or not _holds_only_trivia(hints.get(str(k.arg))))
                )
    except (KeyError, OSError, TypeError, SyntaxError, AssertionError, NameError):
        order = None
    _STATIC[key] = order
    return order


def _reads_own_field(value: ast.expr, name: Optional[str]) -> bool:
    """Whether the keyword's value reads ``self.<name>`` and no other field."""
    read = {
        node.attr
        for node in ast.walk(value)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    }
    return read == {name}


def _absent(value: object) -> bool:
    return (
        value is None
        or isinstance(value, cst.MaybeSentinel)
        or (isinstance(value, (list, tuple)) and not value)
    )


def _presence(node: cst.CSTNode, optional: tuple[str, ...]) -> tuple[bool, ...]:
    return tuple(not _absent(getattr(node, name)) for name in optional)


def _learn(node: cst.CSTNode) -> tuple[str, ...]:
    """The child fields of ``node`` in the order LibCST visits them, remembered for every node
    of its class with the same optional fields present."""
    cls = type(node)
    recorder = _Recorder()
    node._visit_and_replace_children(recorder)
    position: dict[int, int] = {}
    for index, child in enumerate(recorder.seen):
        position.setdefault(id(child), index)
    found: dict[str, int] = {}
    trivia: set[str] = set()
    absent = set(_OPTIONAL.get(cls, ()))
    for field in fields(node):
        value = getattr(node, field.name)
        if isinstance(value, cst.CSTNode):
            if id(value) in position:
                found[field.name] = position[id(value)]
                if type(value) in TRIVIA:
                    trivia.add(field.name)
        elif isinstance(value, (list, tuple)) and value:
            first = value[0]
            if isinstance(first, cst.CSTNode) and id(first) in position:
                found[field.name] = position[id(first)]
                if all(type(item) in TRIVIA for item in value):
                    trivia.add(field.name)
        elif _absent(value):
            absent.add(field.name)
    optional = tuple(sorted(absent))
    _OPTIONAL[cls] = optional
    order = tuple(sorted(found, key=found.__getitem__))
    key = (cls, _presence(node, optional))
    _ORDERS[key] = order
    _STRUCTURAL[key] = tuple(name for name in order if name not in trivia)
    return order


def children(node: cst.CSTNode, *, trivia: bool = True) -> list[cst.CSTNode]:
    """The children of ``node`` in lexical order (as LibCST's ``children``, without rebuilding
    the node); without ``trivia``, only those that are not (see ``TRIVIA``)."""
    cls = type(node)
    key = (cls, trivia)
    static = _STATIC[key] if key in _STATIC else _static_order(cls, trivia)
    if static is not None:
        out: list[cst.CSTNode] = []
        for name in static:
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                out.append(value)
            elif isinstance(value, (list, tuple)):
                out.extend(item for item in value if isinstance(item, cst.CSTNode))
        return out
    optional = _OPTIONAL.get(cls)
    learned = (cls, _presence(node, optional)) if optional is not None else None
    order = (_ORDERS if trivia else _STRUCTURAL).get(learned) if learned is not None else None
    if order is None:
        order = _learn(node)
        if not trivia:
            order = _STRUCTURAL[(cls, _presence(node, _OPTIONAL[cls]))]
    found: list[cst.CSTNode] = []
    for name in order:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            if trivia or type(value) not in TRIVIA:
                found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(
                item
                for item in value
                if isinstance(item, cst.CSTNode) and (trivia or type(item) not in TRIVIA)
            )
    return found


Callback = Callable[[cst.CSTNode], object]
# node class name -> (owner, method) pairs: LibCST dispatches ``visit_Call`` by the exact
# class name, and so does this walk.
Table = dict[str, list[tuple[object, Callback]]]


def walk(
    root: cst.CSTNode,
    visits: Table,
    leaves: Table,
    on_error: Callable[[object, BaseException], None],
) -> None:
    """Call the ``visits`` methods of each node before its children and the ``leaves`` methods
    after them, in source order. An owner (a rule) whose method raises is reported to
    ``on_error`` and not called again."""
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    failed: set[int] = set()
    trivia = not TRIVIA_NAMES.isdisjoint(visits) or not TRIVIA_NAMES.isdisjoint(leaves)
    while stack:
        node, leaving = stack.pop()
        methods = (leaves if leaving else visits).get(type(node).__name__)
        if methods:
            for owner, method in methods:
                if failed and id(owner) in failed:
                    continue
                try:
                    method(node)
                except Exception as exc:  # a bug in a rule must not stop the others
                    failed.add(id(owner))
                    on_error(owner, exc)
        if leaving:
            continue
        if type(node).__name__ in leaves:
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(children(node, trivia=trivia)))
