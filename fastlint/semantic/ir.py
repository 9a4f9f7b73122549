"""Expressions as plain data: the one form in which every module's code reaches the semantic
model, whichever parser read it.

The checked file is read by LibCST, the other modules of the project by the standard ``ast``
module (ten times cheaper, and cacheable). Both are lowered into these records, so that name
resolution, type inference and static values are written once, over one representation, and a
module's facts can be pickled into the index cache and handed to worker processes.

Records are frozen, slotted and compared by value. They carry no position and no syntax node:
the LibCST producer keeps the mapping from its nodes to records on the side
(:class:`fastlint.semantic.model.FileModel`), so nothing here depends on LibCST.

Only what the rules need is modelled; anything else lowers to :data:`OPAQUE`. Literal parts of
f-strings are dropped (only the interpolated expressions are kept), and format specs are not
lowered.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Optional, Union

__all__ = [
    "OPAQUE",
    "Arg",
    "Attribute",
    "Await",
    "BinOp",
    "BoolOp",
    "Call",
    "Collection",
    "Compare",
    "Comprehension",
    "Constant",
    "Dict",
    "Expr",
    "FString",
    "IfExp",
    "Lambda",
    "Name",
    "NamedExpr",
    "Opaque",
    "Record",
    "Slice",
    "Starred",
    "Subscript",
    "UnaryOp",
    "Yield",
    "children",
    "dotted",
    "walk",
]


class Record:
    """Base of the plain records: pickled as (class, field values), so that frozen slotted
    dataclasses round-trip on every supported Python."""

    __slots__: ClassVar[tuple[str, ...]] = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), tuple(getattr(self, name) for name in _field_names(type(self))))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(field.name for field in dataclasses.fields(cls))
    return found


def fields_of(record: Record) -> tuple[str, ...]:
    """The names of a record's fields, in order."""
    return _field_names(type(record))


@dataclass(frozen=True)
class Name(Record):
    __slots__ = ("id",)
    id: str


@dataclass(frozen=True)
class Attribute(Record):
    __slots__ = ("attr", "value")
    value: Expr
    attr: str


@dataclass(frozen=True)
class Arg(Record):
    """One argument of a call: ``keyword`` for ``k=v``; ``star`` is ``"*"`` or ``"**"`` for
    unpacking, else ``""``."""

    __slots__ = ("keyword", "star", "value")
    value: Expr
    keyword: Optional[str]
    star: str


@dataclass(frozen=True)
class Call(Record):
    __slots__ = ("args", "func")
    func: Expr
    args: tuple[Arg, ...]

    def argument(self, position: int, keyword: str) -> Optional[Expr]:
        """The expression passed for a parameter, by keyword or by position (positions count
        plain positional arguments only, and stop at the first ``*args``)."""
        for arg in self.args:
            if arg.keyword == keyword:
                return arg.value
        index = 0
        for arg in self.args:
            if arg.keyword is not None:
                continue
            if arg.star:
                return None
            if index == position:
                return arg.value
            index += 1
        return None

    def keyword(self, name: str) -> Optional[Expr]:
        for arg in self.args:
            if arg.keyword == name:
                return arg.value
        return None

    def has_unpacking(self) -> bool:
        return any(arg.star for arg in self.args)


@dataclass(frozen=True)
class Constant(Record):
    """A literal: ``str``, ``bytes``, ``int``, ``float``, ``complex``, ``bool``, ``None`` or
    ``...`` (``Ellipsis``). Adjacent string literals are one constant."""

    __slots__ = ("value",)
    value: object


@dataclass(frozen=True)
class FString(Record):
    """An f-string, by its interpolated expressions only."""

    __slots__ = ("values",)
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class Collection(Record):
    """A list, tuple or set display (``kind`` is ``"list"``, ``"tuple"`` or ``"set"``)."""

    __slots__ = ("elements", "kind")
    kind: str
    elements: tuple[Expr, ...]


@dataclass(frozen=True)
class Dict(Record):
    """A dict display; a ``None`` key stands for ``**mapping``."""

    __slots__ = ("keys", "values")
    keys: tuple[Optional[Expr], ...]
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class Subscript(Record):
    """``value[index]``; several indices are a tuple ``Collection``."""

    __slots__ = ("index", "value")
    value: Expr
    index: Expr


@dataclass(frozen=True)
class Slice(Record):
    __slots__ = ("lower", "step", "upper")
    lower: Optional[Expr]
    upper: Optional[Expr]
    step: Optional[Expr]


@dataclass(frozen=True)
class BinOp(Record):
    """``left op right`` with ``op`` spelled as in Python: ``+``, ``%``, ``|`` ..."""

    __slots__ = ("left", "op", "right")
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class BoolOp(Record):
    __slots__ = ("op", "values")
    op: str  # "and" | "or"
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class UnaryOp(Record):
    __slots__ = ("op", "operand")
    op: str  # "not" | "-" | "+" | "~"
    operand: Expr


@dataclass(frozen=True)
class Compare(Record):
    __slots__ = ("comparators", "left", "ops")
    left: Expr
    ops: tuple[str, ...]  # "==", "is not", "in", ...
    comparators: tuple[Expr, ...]


@dataclass(frozen=True)
class IfExp(Record):
    __slots__ = ("body", "orelse", "test")
    test: Expr
    body: Expr
    orelse: Expr


@dataclass(frozen=True)
class Lambda(Record):
    """A lambda: its parameters and body live in the scope record ``scope``."""

    __slots__ = ("scope",)
    scope: int


@dataclass(frozen=True)
class Comprehension(Record):
    """A comprehension or generator expression (``kind`` is ``"list"``, ``"set"``, ``"dict"``
    or ``"generator"``); its element and clauses live in the scope record ``scope``.
    ``conditions`` holds, for each ``for`` clause in order, its ``if`` tests (evaluated in
    that scope, like the element)."""

    __slots__ = ("conditions", "kind", "scope")
    kind: str
    scope: int
    conditions: tuple[tuple[Expr, ...], ...]


@dataclass(frozen=True)
class Await(Record):
    __slots__ = ("value",)
    value: Expr


@dataclass(frozen=True)
class Yield(Record):
    __slots__ = ("is_from", "value")
    value: Optional[Expr]
    is_from: bool


@dataclass(frozen=True)
class Starred(Record):
    __slots__ = ("value",)
    value: Expr


@dataclass(frozen=True)
class NamedExpr(Record):
    __slots__ = ("target", "value")
    target: str
    value: Expr


@dataclass(frozen=True)
class Opaque(Record):
    """Something the model does not look into."""

    __slots__ = ()


OPAQUE = Opaque()

Expr = Union[
    Name,
    Attribute,
    Call,
    Constant,
    FString,
    Collection,
    Dict,
    Subscript,
    Slice,
    BinOp,
    BoolOp,
    UnaryOp,
    Compare,
    IfExp,
    Lambda,
    Comprehension,
    Await,
    Yield,
    Starred,
    NamedExpr,
    Opaque,
]


def dotted(expr: Expr) -> Optional[str]:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts: list[str] = []
    while isinstance(expr, Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def children(expr: Expr) -> tuple[Expr, ...]:
    """The expressions directly inside ``expr`` (lambda and comprehension bodies live in
    their own scopes and are not included)."""
    if isinstance(expr, Attribute):
        return (expr.value,)
    if isinstance(expr, Call):
        return (expr.func, *(arg.value for arg in expr.args))
    if isinstance(expr, (FString,)):
        return expr.values
    if isinstance(expr, Collection):
        return expr.elements
    if isinstance(expr, Dict):
        return (*(k for k in expr.keys if k is not None), *expr.values)
    if isinstance(expr, Subscript):
        return (expr.value, expr.index)
    if isinstance(expr, Slice):
        return tuple(e for e in (expr.lower, expr.upper, expr.step) if e is not None)
    if isinstance(expr, BinOp):
        return (expr.left, expr.right)
    if isinstance(expr, BoolOp):
        return expr.values
    if isinstance(expr, UnaryOp):
        return (expr.operand,)
    if isinstance(expr, Compare):
        return (expr.left, *expr.comparators)
    if isinstance(expr, IfExp):
        return (expr.test, expr.body, expr.orelse)
    if isinstance(expr, (Await, Starred, NamedExpr)):
        return (expr.value,)
    if isinstance(expr, Yield):
        return (expr.value,) if expr.value is not None else ()
    return ()


def walk(expr: Expr) -> Iterator[Expr]:
    """``expr`` and every expression inside it, outermost first."""
    stack = [expr]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
