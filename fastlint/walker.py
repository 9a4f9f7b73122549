"""A read-only traversal of LibCST trees.

LibCST's own ``visit`` rebuilds every node on the way back up (``_visit_and_replace_children``
constructs and validates a new node even when nothing changed), and its ``children`` property
does the same to collect them. Rules never change the tree, so the engine walks it itself:
iteratively (no recursion limit), reading each node's child fields in lexical order.

The lexical order of a node's fields is learned from LibCST once for each node class and each
combination of its optional fields (``None``, an empty list, ``MaybeSentinel``) that is
present: one call of ``_visit_and_replace_children`` with a visitor that records the children
it is shown, mapped back to the fields holding them.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Callable

import libcst as cst

__all__ = ["children", "walk"]

# class -> the fields that were absent (None, MaybeSentinel, empty) in some node of the class
_OPTIONAL: dict[type, tuple[str, ...]] = {}
# (class, which optional fields are present) -> the child fields, in lexical order
_ORDERS: dict[tuple[type, tuple[bool, ...]], tuple[str, ...]] = {}


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(node)
        return False


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
    absent = set(_OPTIONAL.get(cls, ()))
    for field in fields(node):
        value = getattr(node, field.name)
        if isinstance(value, cst.CSTNode):
            if id(value) in position:
                found[field.name] = position[id(value)]
        elif isinstance(value, (list, tuple)) and value:
            first = value[0]
            if isinstance(first, cst.CSTNode) and id(first) in position:
                found[field.name] = position[id(first)]
        elif _absent(value):
            absent.add(field.name)
    optional = tuple(sorted(absent))
    _OPTIONAL[cls] = optional
    order = tuple(sorted(found, key=found.__getitem__))
    _ORDERS[(cls, _presence(node, optional))] = order
    return order


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of ``node`` in lexical order (as LibCST's ``children``, without rebuilding
    the node)."""
    cls = type(node)
    optional = _OPTIONAL.get(cls)
    order = _ORDERS.get((cls, _presence(node, optional))) if optional is not None else None
    if order is None:
        order = _learn(node)
    out: list[cst.CSTNode] = []
    for name in order:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif isinstance(value, (list, tuple)):
            out.extend(item for item in value if isinstance(item, cst.CSTNode))
    return out


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
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children(node)))
