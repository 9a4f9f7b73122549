"""Static values: what an expression is without running code, in any module of the project.

``Values(types).value_of(model, expr, point)`` answers for an expression record of a module's
model (the checked file's :class:`~fastlint.semantic.model.FileModel` or another module's
:class:`~fastlint.semantic.model.ModuleModel`) seen from a point of that module;
``value_at(model, node)`` asks the same of a LibCST node of the checked file, and
``bind_call(model, node, parameters)`` matches a call's arguments to parameters, with their
values. ``values_for(context)`` is the evaluator shared by the rules checking one file.

What is followed:

- literals, lists/tuples/sets/dicts (with ``*``/``**`` unpacking), ``+`` of strings and
  sequences, ``or``/``and``/``not``/``if``-``else``, comparisons, subscripts, simple
  comprehensions (one ``for`` over a name, with its ``if`` tests), ``str`` methods
  (``split``, ``strip``, ``lower``...), ``list()``/``tuple()``/``dict()``/``bool()``,
  ``json.loads``;
- names, through the model: ``types.target`` gives the library object, project definition or
  project variable a name or attribute chain stands for (imports, re-exports, ``import *``,
  shadowing by a parameter or a local); a variable is worth what the bindings that may reach
  the point (``model.reaching``) give it. A binding to a value is followed, also in another
  module; a parameter, a loop or ``with`` variable, an augmented assignment, an unpacking... is
  not; bindings that disagree make the name unknown;
- configuration with a static default: ``os.getenv("X", "d")``, ``os.environ.get("X", "d")``,
  ``os.environ.setdefault``, Starlette's ``Config(...)("X", cast=..., default=...)``,
  python-decouple's ``config("X", default=..., cast=...)``, and fields of project
  ``BaseSettings`` classes (``settings.field`` where ``settings = Settings()`` or a plain
  ``get_settings()`` returns one; ``@property`` methods of the class are followed too, and so
  are the single-``return`` bodies of plain project functions).

A value that only holds while some configuration is unset carries that fact in
``Value.unset`` (e.g. ``("`CORS_ORIGINS` unset",)``): the rule can then say that "the default
configuration" is affected. ``os.getenv("X")`` without a default is ``None`` when unset, so
``os.getenv("X") or "*"`` is ``"*"`` by default, while ``os.getenv("X")`` alone never looks
like a wildcard.

Nothing is imported, executed or parsed again: every module is read through its records.
Everything is bounded (depth, sizes), and anything not understood is ``None`` ("not
statically known"), never a guess.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Union

from fastlint.semantic import ir
from fastlint.semantic import summary as s
from fastlint.semantic.model import ModuleModel, Point
from fastlint.semantic.summary import Binding, Scope
from fastlint.semantic.types import (
    Definition,
    External,
    Target,
    Types,
    Variable,
    binding_point,
    definition_point,
)

if TYPE_CHECKING:
    import libcst as cst

    from fastlint.rule import FileContext
    from fastlint.semantic.model import FileModel
    from fastlint.semantic.summary import Value as Result

__all__ = ["Argument", "BoundArguments", "Value", "Values", "values_for"]

_MAX_DEPTH = 48
_MAX_ITEMS = 1000
_MAX_STRING = 100_000
_MAX_BASES = 12

ENVIRONMENT_GETTERS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.v1.env_settings.BaseSettings",
    }
)
MODEL_BASES = SETTINGS_BASES | {
    "pydantic.BaseModel",
    "pydantic.main.BaseModel",
    "pydantic.v1.BaseModel",
    "pydantic.v1.main.BaseModel",
    "sqlmodel.SQLModel",
}
FIELD_FUNCTIONS = frozenset(
    {"pydantic.Field", "pydantic.fields.Field", "pydantic.v1.Field", "sqlmodel.Field"}
)
_DATACLASS = frozenset({"dataclasses.dataclass"})
_PROPERTY = frozenset({"builtins.property", "functools.cached_property"})
_PURE_DECORATORS = frozenset({"functools.lru_cache", "functools.cache", "pydantic.computed_field"})
_STARLETTE_CONFIG = "starlette.config.Config"
_COMMA_SEPARATED = frozenset(
    {"starlette.datastructures.CommaSeparatedStrings", "starlette.config.CommaSeparatedStrings"}
)
_SEQUENCES = frozenset({"builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset"})
_CONVERSIONS = _COMMA_SEPARATED | _SEQUENCES | {"builtins.bool", "builtins.str", "json.loads"}
_DECOUPLE_CONFIG = "decouple.config"
_DECOUPLE_CSV = "decouple.Csv"
_STR_METHODS = frozenset(
    {
        "split", "rsplit", "strip", "lstrip", "rstrip", "lower", "upper", "casefold",
        "replace", "removeprefix", "removesuffix", "splitlines",
    }
)  # fmt: skip
_STARLETTE_BOOLS = {"true": True, "1": True, "false": False, "0": False}
_DECOUPLE_BOOLS = {
    "1": True, "yes": True, "true": True, "on": True, "y": True, "t": True,
    "0": False, "no": False, "false": False, "off": False, "n": False, "f": False, "": False,
}  # fmt: skip


# -- values ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Value:
    """A statically known value.

    ``data`` is a ``str``, ``bytes``, ``int``, ``float``, ``bool`` or ``None``; a
    ``tuple`` of ``Optional[Value]`` for a list, tuple or set (a ``None`` item is an element,
    or a run of elements, that is not known); or a ``dict`` from keys to ``Optional[Value]``.
    ``unset`` names the configuration that must be left unset for the value to hold (empty
    when the value always holds).
    """

    data: object
    unset: tuple[str, ...] = ()

    def with_unset(self, extra: Sequence[str]) -> Value:
        merged = _merge(self.unset, extra)
        return self if merged == self.unset else Value(self.data, merged)

    def items(self) -> Optional[tuple[Optional[Value], ...]]:
        """The elements of a list/tuple/set value, else None."""
        return self.data if isinstance(self.data, tuple) else None

    def find(self, item: object) -> Optional[Value]:
        """What makes ``item in value`` certainly true: the matching element (a string value
        itself for a substring), with this value's ``unset`` added. None when not certain."""
        data = self.data
        if isinstance(data, str) and isinstance(item, str):
            return self if item in data else None
        if isinstance(data, tuple):
            for element in data:
                if isinstance(element, Value) and _same(element.data, item):
                    return element.with_unset(self.unset)
        if isinstance(data, dict) and _hashable(item) and item in data:
            return Value(item, self.unset)
        return None

    def truthy(self) -> Optional[bool]:
        """Python truthiness, when known."""
        data = self.data
        if isinstance(data, tuple):
            if any(element is not None for element in data):
                return True
            return False if not data else None
        if isinstance(data, (str, bytes, int, float, dict)) or data is None:
            return bool(data)
        return None

    def render(self, limit: int = 60) -> str:
        """A short Python spelling of the value, for messages."""
        text = _render(self.data)
        return text if len(text) <= limit else text[: limit - 3] + "..."


def _same(left: object, right: object) -> bool:
    # ``True == 1`` must not make a boolean match an integer.
    return type(left) is type(right) and left == right


def _hashable(item: object) -> bool:
    try:
        hash(item)
    except TypeError:
        return False
    return True


def _merge(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    out = list(first)
    out.extend(item for item in second if item not in out)
    return tuple(out)


def _render(data: object) -> str:
    if isinstance(data, str):
        return '"' + data.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(data, tuple):
        return "[" + ", ".join("..." if v is None else _render(v.data) for v in data) + "]"
    if isinstance(data, dict):
        parts = (
            f"{_render(k)}: {'...' if v is None else _render(v.data)}" for k, v in data.items()
        )
        return "{" + ", ".join(parts) + "}"
    if isinstance(data, (_Ref, _Instance)):
        return "..."
    return repr(data)


# -- what the evaluator passes around ----------------------------------------------------------

# Values given to bindings the model cannot follow: a comprehension's variable for each element,
# a property's ``self``. Keyed by (id of the model, binding).
_Env = Mapping[tuple[int, Binding], Value]
_EMPTY: _Env = {}


@dataclass(frozen=True, eq=False)
class _Where:
    """Where an expression is evaluated: its module, its point, and the given bindings."""

    model: ModuleModel
    point: Point
    env: _Env


@dataclass(frozen=True)
class _Ref:
    """Something other than data: a library object or module by qualified name, or (with
    ``definition``) a project function or class."""

    qualname: str
    definition: Optional[Definition] = None


@dataclass(frozen=True, eq=False)
class _Instance:
    """An instance made by a call the evaluator has seen: a project class, Starlette's
    ``Config`` or decouple's ``Csv``. Its keyword arguments are read where the call is."""

    cls: str
    definition: Optional[Definition]
    call: ir.Call
    where: _Where

    @property
    def opaque(self) -> bool:
        """Positional arguments or ``**mapping``: any field may be set."""
        return any(arg.keyword is None for arg in self.call.args)


def _plain(value: Optional[Value]) -> Optional[Value]:
    """``value`` without the evaluator's references (those become unknown)."""
    if value is None or isinstance(value.data, (_Ref, _Instance)):
        return None
    if isinstance(value.data, tuple):
        return Value(tuple(_plain(v) for v in value.data), value.unset)
    if isinstance(value.data, dict):
        return Value({k: _plain(v) for k, v in value.data.items()}, value.unset)
    return value


def _same_value(left: Optional[Value], right: Optional[Value]) -> bool:
    if left is None or right is None:
        return left is right
    if left.unset != right.unset:
        return False
    a, b = left.data, right.data
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    if isinstance(a, _Instance):
        return a is b
    return _same(a, b)


def _agree(values: Sequence[Value]) -> Optional[Value]:
    """The value several bindings give a name, when they all give the same one."""
    first = values[0]
    return first if all(_same_value(first, other) for other in values[1:]) else None


# -- call arguments --------------------------------------------------------------------------


@dataclass(frozen=True)
class Argument:
    """What one parameter of a call receives: the argument that supplies it (its position in
    the call's arguments: ``name=...``, a positional argument, or a ``*``/``**`` unpacking) and
    its value (None: not known)."""

    index: int
    value: Optional[Value]


@dataclass(frozen=True)
class BoundArguments:
    """Parameters of a call, by name. ``get`` returns None when the parameter is certainly not
    passed (its default applies), and an Argument with ``value=None`` when it may be passed
    through an unpacking that is not statically known."""

    given: dict[str, Argument]

    def get(self, name: str) -> Optional[Argument]:
        return self.given.get(name)


def values_for(context: FileContext) -> Values:
    """The evaluator of one checked file, shared by every rule that asks for it."""
    return context.shared(Values, lambda: Values(context.types))


# -- the evaluator ----------------------------------------------------------------------------


class Values:
    """Static values over the models of one project (see the module docstring)."""

    def __init__(self, types: Types) -> None:
        self.types = types
        # (model, expression, point) -> (the expression, its value), for evaluations that no
        # given binding and no depth limit affected.
        self._memo: dict[tuple[int, int, Point], tuple[ir.Expr, Optional[Value]]] = {}
        self._cutoffs = 0
        self._orders: dict[int, tuple[ModuleModel, list[int]]] = {}

    # -- public API ----------------------------------------------------------------------------
    def value_of(self, model: ModuleModel, expr: ir.Expr, point: Point) -> Optional[Value]:
        """The static value of ``expr`` at ``point`` of ``model``, or None when it is not
        statically known."""
        return _plain(self._top(expr, _Where(model, point, _EMPTY)))

    def symbol_of(self, model: ModuleModel, expr: ir.Expr, point: Point) -> Optional[str]:
        """The qualified name of the library object or project function/class that ``expr``
        stands for, through aliases (``Cors = CORSMiddleware``, also in other modules), or
        None."""
        found = self._top(expr, _Where(model, point, _EMPTY))
        return found.data.qualname if found is not None and isinstance(found.data, _Ref) else None

    def bind_arguments(
        self,
        model: ModuleModel,
        call: ir.Call,
        point: Point,
        parameters: Sequence[str],
        *,
        skip: int = 0,
    ) -> BoundArguments:
        """Match the arguments of ``call`` to ``parameters`` (the positional-or-keyword
        parameters in order), after ``skip`` leading positional arguments (``self``-like ones:
        the app, the middleware class). ``**mapping`` and ``*sequence`` are resolved when
        statically known."""
        return self._bind(model, call.args, [point] * len(call.args), parameters, skip)

    def value_at(self, model: FileModel, node: cst.BaseExpression) -> Optional[Value]:
        """The static value of an expression node of the checked file."""
        expr, point = model.expr_of(node), model.point_of(node)
        if expr is None or point is None:
            return None
        return self.value_of(model, expr, point)

    def symbol_at(self, model: FileModel, node: cst.BaseExpression) -> Optional[str]:
        """:meth:`symbol_of` for an expression node of the checked file."""
        expr, point = model.expr_of(node), model.point_of(node)
        if expr is None or point is None:
            return None
        return self.symbol_of(model, expr, point)

    def bind_call(
        self, model: FileModel, node: cst.Call, parameters: Sequence[str], *, skip: int = 0
    ) -> BoundArguments:
        """:meth:`bind_arguments` for a call node of the checked file (``Argument.index`` is
        the position in ``node.args``)."""
        call = model.expr_of(node)
        points = [model.point_of(arg.value) for arg in node.args]
        if not isinstance(call, ir.Call) or any(point is None for point in points):
            return BoundArguments({})
        return self._bind(model, call.args, points, parameters, skip)  # type: ignore[arg-type]

    # -- evaluation ------------------------------------------------------------------------
    def _top(self, expr: ir.Expr, where: _Where) -> Optional[Value]:
        try:
            return self._eval(expr, where, 0)
        except RecursionError:  # pragma: no cover - pathological nesting
            return None

    def _eval(self, expr: ir.Expr, where: _Where, depth: int) -> Optional[Value]:
        if depth > _MAX_DEPTH:
            self._cutoffs += 1
            return None
        if where.env:
            return self._compute(expr, where, depth + 1)
        key = (id(where.model), id(expr), where.point)
        cached = self._memo.get(key)
        if cached is not None and cached[0] is expr:
            return cached[1]
        cutoffs = self._cutoffs
        value = self._compute(expr, where, depth + 1)
        if cutoffs == self._cutoffs:
            self._memo[key] = (expr, value)
        return value

    def _compute(self, expr: ir.Expr, where: _Where, depth: int) -> Optional[Value]:
        if isinstance(expr, ir.Constant):
            return None if expr.value is Ellipsis else Value(expr.value)
        if isinstance(expr, (ir.Name, ir.Attribute)):
            return self._named(expr, where, depth)
        if isinstance(expr, ir.Collection):
            return self._sequence(expr.elements, where, depth)
        if isinstance(expr, ir.Dict):
            return self._dict(expr, where, depth)
        if isinstance(expr, ir.Call):
            return self._call(expr, where, depth)
        if isinstance(expr, ir.BinOp):
            return self._binop(expr, where, depth)
        if isinstance(expr, ir.BoolOp):
            return self._boolop(expr, where, depth)
        if isinstance(expr, ir.UnaryOp):
            return self._unary(expr, where, depth)
        if isinstance(expr, ir.IfExp):
            test = self._eval(expr.test, where, depth)
            truth = test.truthy() if test is not None else None
            if test is None or truth is None:
                return None
            chosen = self._eval(expr.body if truth else expr.orelse, where, depth)
            return chosen.with_unset(test.unset) if chosen is not None else None
        if isinstance(expr, ir.Compare):
            return self._compare(expr, where, depth)
        if isinstance(expr, ir.Subscript):
            return self._subscript(expr, where, depth)
        if isinstance(expr, ir.Comprehension):
            return self._comprehension(expr, where, depth)
        if isinstance(expr, ir.NamedExpr):
            return self._eval(expr.value, where, depth)
        return None

    # -- names ----------------------------------------------------------------------------
    def _named(
        self, expr: Union[ir.Name, ir.Attribute], where: _Where, depth: int
    ) -> Optional[Value]:
        found = self.types.target(where.model, expr, where.point)
        if found is not None:
            return self._target(found, where.env, depth)
        if isinstance(expr, ir.Attribute):
            return self._attribute(self._eval(expr.value, where, depth), expr.attr, depth)
        return None

    def _target(self, found: Optional[Target], env: _Env, depth: int) -> Optional[Value]:
        if isinstance(found, External):
            return Value(_Ref(found.qualname))
        if isinstance(found, Definition):
            return Value(_Ref(found.qualname, found))
        if isinstance(found, Variable):
            return self._variable(found.model, found.bindings, env, depth)
        return None

    def _variable(
        self, model: ModuleModel, bindings: Sequence[Binding], env: _Env, depth: int
    ) -> Optional[Value]:
        """What the bindings that may be in force give a name: one value they all agree on."""
        if not bindings:
            return None
        found = []
        for binding in bindings:
            given = env.get((id(model), binding)) if env else None
            value = given if given is not None else self._binding(model, binding, env, depth)
            if value is None:
                return None
            found.append(value)
        return _agree(found)

    def _binding(
        self, model: ModuleModel, binding: Binding, env: _Env, depth: int
    ) -> Optional[Value]:
        kind = binding.kind
        if kind in (s.ASSIGN, s.WALRUS) and binding.value is not None and not binding.unpack:
            return self._eval(binding.value, _Where(model, binding_point(binding), env), depth)
        if kind in (s.DEF, s.CLASSDEF) and binding.definition >= 0:
            definition = Definition(model, model.scope(binding.definition))
            return Value(_Ref(definition.qualname, definition))
        if kind == s.IMPORT and binding.target is not None:
            return self._target(self.types.global_target(binding.target), env, depth)
        return None  # a parameter, a loop variable, ``del``...: not followed

    def _attribute(self, base: Optional[Value], attr: str, depth: int) -> Optional[Value]:
        if base is None:
            return None
        data = base.data
        found: Optional[Value] = None
        if isinstance(data, _Ref):
            definition = data.definition
            if definition is None:  # a library object or module
                target = self.types.global_target(f"{data.qualname}.{attr}")
                found = self._target(target, _EMPTY, depth)
            elif definition.is_class:
                member = self._member(definition, attr)
                if member is not None:
                    found = self._variable(member[0].model, member[1], _EMPTY, depth)
        elif isinstance(data, _Instance):
            found = self._instance_attribute(data, attr, depth)
        return found.with_unset(base.unset) if found is not None else None

    # -- displays and operators -------------------------------------------------------------
    def _sequence(self, elements: Sequence[ir.Expr], where: _Where, depth: int) -> Optional[Value]:
        items: list[Optional[Value]] = []
        unset: tuple[str, ...] = ()
        for element in elements:
            if isinstance(element, ir.Starred):
                inner = self._eval(element.value, where, depth)
                spread = _as_items(inner)
                if inner is None or spread is None:
                    items.append(None)
                else:
                    items.extend(spread)
                    unset = _merge(unset, inner.unset)
            else:
                items.append(self._eval(element, where, depth))
            if len(items) > _MAX_ITEMS:
                return None
        return Value(tuple(items), unset)

    def _dict(self, expr: ir.Dict, where: _Where, depth: int) -> Optional[Value]:
        out: dict[object, Optional[Value]] = {}
        unset: tuple[str, ...] = ()
        for key_expr, value_expr in zip(expr.keys, expr.values):
            if key_expr is None:  # ``**mapping``
                merged = self._eval(value_expr, where, depth)
                if merged is None or not isinstance(merged.data, dict):
                    return None
                out.update(merged.data)
                unset = _merge(unset, merged.unset)
                continue
            key = self._eval(key_expr, where, depth)
            if key is None or not _hashable(key.data) or isinstance(key.data, (_Ref, _Instance)):
                return None
            out[key.data] = self._eval(value_expr, where, depth)
            unset = _merge(unset, key.unset)
            if len(out) > _MAX_ITEMS:
                return None
        return Value(out, unset)

    def _binop(self, expr: ir.BinOp, where: _Where, depth: int) -> Optional[Value]:
        if expr.op != "+":
            return None
        left = self._eval(expr.left, where, depth)
        right = self._eval(expr.right, where, depth)
        if left is not None and right is not None:
            unset = _merge(left.unset, right.unset)
            if isinstance(left.data, str) and isinstance(right.data, str):
                if len(left.data) + len(right.data) > _MAX_STRING:
                    return None
                return Value(left.data + right.data, unset)
            if isinstance(left.data, tuple) and isinstance(right.data, tuple):
                if len(left.data) + len(right.data) > _MAX_ITEMS:
                    return None
                return Value(left.data + right.data, unset)
            return None
        # A known list plus something unknown still holds the known elements.
        known = left if left is not None else right
        if known is None or not isinstance(known.data, tuple):
            return None
        items: tuple[Optional[Value], ...] = (
            (*known.data, None) if known is left else (None, *known.data)
        )
        return Value(items, known.unset)

    def _boolop(self, expr: ir.BoolOp, where: _Where, depth: int) -> Optional[Value]:
        unset: tuple[str, ...] = ()
        result: Optional[Value] = None
        for operand in expr.values:
            result = self._eval(operand, where, depth)
            truth = result.truthy() if result is not None else None
            if result is None or truth is None:
                return None
            result = result.with_unset(unset)
            unset = result.unset
            if truth == (expr.op == "or"):
                return result
        return result

    def _unary(self, expr: ir.UnaryOp, where: _Where, depth: int) -> Optional[Value]:
        operand = self._eval(expr.operand, where, depth)
        if operand is None:
            return None
        if expr.op == "not":
            truth = operand.truthy()
            return Value(not truth, operand.unset) if truth is not None else None
        data = operand.data
        if expr.op == "-" and isinstance(data, (int, float)):
            return Value(-data, operand.unset)
        return None

    def _compare(self, expr: ir.Compare, where: _Where, depth: int) -> Optional[Value]:
        if len(expr.ops) != 1:
            return None
        left = self._eval(expr.left, where, depth)
        right = self._eval(expr.comparators[0], where, depth)
        if left is None or right is None:
            return None
        unset = _merge(left.unset, right.unset)
        operator = expr.ops[0]
        if operator in ("in", "not in"):
            if right.find(left.data) is not None:
                contained = True
            elif _fully_known(right):
                contained = False
            else:
                return None
            return Value(contained == (operator == "in"), unset)
        if not (_fully_known(left) and _fully_known(right)):
            return None
        lhs, rhs = _python(left), _python(right)
        if operator == "==":
            return Value(lhs == rhs, unset)
        if operator == "!=":
            return Value(lhs != rhs, unset)
        if operator == "is" and rhs is None:
            return Value(lhs is None, unset)
        if operator == "is not" and rhs is None:
            return Value(lhs is not None, unset)
        return None

    def _subscript(self, expr: ir.Subscript, where: _Where, depth: int) -> Optional[Value]:
        base = self._eval(expr.value, where, depth)
        key = self._eval(expr.index, where, depth)
        if base is None or key is None:
            return None
        data, k = base.data, key.data
        unset = _merge(base.unset, key.unset)
        if isinstance(data, dict) and _hashable(k) and k in data:
            found = data[k]
            return found.with_unset(unset) if found is not None else None
        if isinstance(k, int) and not isinstance(k, bool) and isinstance(data, (tuple, str)):
            if isinstance(data, tuple) and any(item is None for item in data):
                return None
            try:
                element = data[k]
            except IndexError:
                return None
            if isinstance(element, str):
                return Value(element, unset)
            return element.with_unset(unset) if element is not None else None
        return None

    def _comprehension(self, expr: ir.Comprehension, where: _Where, depth: int) -> Optional[Value]:
        """``[element for name in iterable if test...]``: one ``for`` clause over a plain
        name; an element whose tests are not known is an unknown element."""
        model = where.model
        scope = model.scope(expr.scope)
        if expr.kind == "dict" or len(expr.conditions) != 1 or len(scope.results) != 1:
            return None
        targets = [b for b in self._bindings_in(model, scope) if b.scope == scope.id]
        if len(targets) != 1 or targets[0].kind != s.FOR or targets[0].unpack:
            return None
        variable = targets[0]
        if variable.value is None:
            return None
        # The first iterable is evaluated around the comprehension, where it stands.
        around = _Where(model, Point(scope.parent, scope.order, scope.branch), where.env)
        source = self._eval(variable.value, around, depth)
        elements = _as_items(source)
        if source is None or elements is None:
            return None
        element = scope.results[0]
        inside = Point(scope.id, element.order, element.branch)
        tests = Point(scope.id, scope.end_order, -1)
        out: list[Optional[Value]] = []
        for item in elements:
            if item is None:
                out.append(None)
                continue
            env = {**where.env, (id(model), variable): item}
            keep: Optional[bool] = True
            for condition in expr.conditions[0]:
                test = self._eval(condition, _Where(model, tests, env), depth)
                truth = test.truthy() if test is not None else None
                if truth is not True:
                    keep = truth
                    break
            if keep is None:
                out.append(None)
            elif keep:
                out.append(self._eval(element.expr, _Where(model, inside, env), depth))
        return Value(tuple(out), source.unset)

    def _bindings_in(self, model: ModuleModel, scope: Scope) -> list[Binding]:
        """The bindings that ``scope``'s own code makes (bindings are in order)."""
        bindings = model.summary.bindings
        known = self._orders.get(id(model))
        if known is None or known[0] is not model:
            known = self._orders[id(model)] = (model, [b.order for b in bindings])
        orders = known[1]
        start = bisect.bisect_right(orders, scope.order)
        end = bisect.bisect_left(orders, scope.end_order)
        return [b for b in bindings[start:end] if b.origin == scope.id]

    # -- calls ------------------------------------------------------------------------------
    def _call(self, call: ir.Call, where: _Where, depth: int) -> Optional[Value]:
        func = call.func
        if not isinstance(func, ir.Attribute):
            return self._call_value(self._eval(func, where, depth), call, where, depth)
        found = self.types.target(where.model, func, where.point)
        if found is not None:  # ``os.getenv``, ``config.get_settings``
            return self._call_value(self._target(found, where.env, depth), call, where, depth)
        receiver = self._eval(func.value, where, depth)
        if receiver is None:
            return None
        if isinstance(receiver.data, str):
            return self._str_method(receiver, func.attr, call, where, depth)
        if isinstance(receiver.data, _Instance) and func.attr == "get":
            return self._config_get(receiver.data, call, where, depth, receiver.unset)
        callee = self._attribute(receiver, func.attr, depth)
        return self._call_value(callee, call, where, depth)

    def _call_value(
        self, callee: Optional[Value], call: ir.Call, where: _Where, depth: int
    ) -> Optional[Value]:
        """What calling ``callee`` with the arguments of ``call`` gives."""
        if callee is None:
            return None
        data = callee.data
        if isinstance(data, _Instance):
            return self._config_get(data, call, where, depth, callee.unset)
        if not isinstance(data, _Ref):
            return None
        qualname = data.qualname
        if qualname in ENVIRONMENT_GETTERS:
            return self._environment_get(call, where, depth)
        if qualname == _DECOUPLE_CONFIG:
            return self._settings_lookup(call, where, depth, "decouple", "")
        if qualname in _CONVERSIONS:
            matched = _arguments(call, ("value",))
            if matched is None or set(matched) != {"value"}:
                return None
            return _builtin_call(qualname, self._eval(matched["value"], where, depth))
        if qualname == "builtins.dict":
            return self._dict_call(call, where, depth)
        if qualname in (_STARLETTE_CONFIG, _DECOUPLE_CSV):
            return Value(_Instance(qualname, None, call, where))
        definition = data.definition
        if definition is None:
            return None
        if definition.is_class:
            return Value(_Instance(definition.qualname, definition, call, where))
        if any(name not in _PURE_DECORATORS for name in self._decorators(definition)):
            return None
        return self._result(definition, where.env, depth)

    def _result(self, function: Definition, env: _Env, depth: int) -> Optional[Value]:
        """What a plain function (or lambda) returns: the value of its only ``return``, when
        that return is reached whenever the function returns at all."""
        scope = function.scope
        if scope.is_async or scope.is_generator or len(scope.results) != 1:
            return None
        result = scope.results[0]
        if result.branch != -1:  # a conditional return: the function may fall through
            return None
        return self._eval(result.expr, _Where(function.model, _at(scope, result), env), depth)

    def _decorators(self, definition: Definition) -> list[Optional[str]]:
        """``@name`` and ``@name(...)`` both by the qualified name of ``name``."""
        model, scope = definition.model, definition.scope
        point = definition_point(model, scope)
        return [
            model.qualified_name(d.func if isinstance(d, ir.Call) else d, point)
            for d in scope.decorators
        ]

    def _dict_call(self, call: ir.Call, where: _Where, depth: int) -> Optional[Value]:
        out: dict[object, Optional[Value]] = {}
        unset: tuple[str, ...] = ()
        positional = [arg for arg in call.args if arg.keyword is None and arg.star != "**"]
        if len(positional) > 1 or any(arg.star == "*" for arg in positional):
            return None
        for arg in call.args:
            if arg.keyword is None:  # the mapping, or ``**mapping``
                mapping = self._eval(arg.value, where, depth)
                if mapping is None or not isinstance(mapping.data, dict):
                    return None
                out.update(mapping.data)
                unset = _merge(unset, mapping.unset)
        for arg in call.args:
            if arg.keyword is not None:
                out[arg.keyword] = self._eval(arg.value, where, depth)
        return Value(out, unset)

    def _str_method(
        self, receiver: Value, method: str, call: ir.Call, where: _Where, depth: int
    ) -> Optional[Value]:
        text = receiver.data
        if method not in _STR_METHODS or not isinstance(text, str):
            return None
        args: list[object] = []
        kwargs: dict[str, object] = {}
        for arg in call.args:
            value = None if arg.star else self._eval(arg.value, where, depth)
            if value is None:
                return None
            if arg.keyword is not None:
                kwargs[arg.keyword] = value.data
            elif value.data is None or isinstance(value.data, (str, int)):
                args.append(value.data)
            else:
                return None
        # ``"".replace("", new)`` puts ``new`` in every gap of the string: bound it first.
        longest = max((len(a) for a in args if isinstance(a, str)), default=0)
        if method == "replace" and (len(text) + 1) * (longest + 1) > _MAX_STRING:
            return None
        try:
            result = getattr(text, method)(*args, **kwargs)
        except (TypeError, ValueError):
            return None
        if isinstance(result, str):
            return Value(result, receiver.unset) if len(result) <= _MAX_STRING else None
        if isinstance(result, list) and len(result) <= _MAX_ITEMS:
            return Value(tuple(Value(part, receiver.unset) for part in result), receiver.unset)
        return None

    # -- configuration ----------------------------------------------------------------------
    def _environment_get(self, call: ir.Call, where: _Where, depth: int) -> Optional[Value]:
        matched = _arguments(call, ("key", "default"))
        if matched is None or "key" not in matched:
            return None
        key = self._eval(matched["key"], where, depth)
        default_expr = matched.get("default")
        default = Value(None) if default_expr is None else self._eval(default_expr, where, depth)
        if default is None:
            return None
        return default.with_unset((_unset_name(key, ""),))

    def _config_get(
        self,
        instance: _Instance,
        call: ir.Call,
        where: _Where,
        depth: int,
        unset: tuple[str, ...],
    ) -> Optional[Value]:
        if instance.cls != _STARLETTE_CONFIG:
            return None
        prefix = ""
        prefix_expr = instance.call.keyword("env_prefix")
        if prefix_expr is not None:
            found = self._eval(prefix_expr, instance.where, depth)
            if found is None or not isinstance(found.data, str):
                return None
            prefix = found.data
        result = self._settings_lookup(call, where, depth, "starlette", prefix)
        return result.with_unset(unset) if result is not None else None

    def _settings_lookup(
        self, call: ir.Call, where: _Where, depth: int, flavor: str, prefix: str
    ) -> Optional[Value]:
        """Starlette's ``config(key, cast, default)`` and decouple's ``config(key, default,
        cast)``: the default, cast the way each library casts it, when the key is unset."""
        order = ("key", "cast", "default") if flavor == "starlette" else ("key", "default", "cast")
        matched = _arguments(call, order)
        if matched is None or "key" not in matched or "default" not in matched:
            return None
        key = self._eval(matched["key"], where, depth)
        default = self._eval(matched["default"], where, depth)
        if default is None:
            return None
        cast: Optional[Value] = Value(None)
        if "cast" in matched:
            cast = self._eval(matched["cast"], where, depth)
        if cast is None:
            return None
        result = _cast(flavor, cast.data, default)
        return result.with_unset((_unset_name(key, prefix),)) if result is not None else None

    # -- classes and instances --------------------------------------------------------------
    def _member(
        self, definition: Definition, name: str, _depth: int = 0
    ) -> Optional[tuple[Definition, tuple[Binding, ...]]]:
        """The class (``definition`` or a project base, depth first) whose body binds
        ``name``, with the bindings in force at the end of that body (none for an annotation
        alone)."""
        model, scope = definition.model, definition.scope
        if model.bindings(scope.id, name):
            return definition, model.reaching(scope.id, name, model.end_of(scope))
        if _depth >= _MAX_BASES:
            return None
        for base in self.types.base_names(definition):
            klass = self.types.class_definition(base)
            found = self._member(klass, name, _depth + 1) if klass is not None else None
            if found is not None:
                return found
        return None

    def _instance_attribute(self, instance: _Instance, attr: str, depth: int) -> Optional[Value]:
        definition = instance.definition
        if definition is None:
            return None
        types = self.types
        has_fields = types.is_subclass(instance.cls, MODEL_BASES) or any(
            name in _DATACLASS for name in self._decorators(definition)
        )
        if has_fields:
            given = instance.call.keyword(attr)
            if given is not None:
                return self._eval(given, instance.where, depth)
        member = self._member(definition, attr)
        if member is None or len(member[1]) != 1:
            return None
        owner, (binding,) = member
        if binding.kind == s.DEF:
            method = Definition(owner.model, owner.model.scope(binding.definition))
            return self._property(instance, method, depth)
        if binding.kind != s.ASSIGN or binding.value is None or binding.unpack:
            return None
        if has_fields and instance.opaque:
            return None
        if not has_fields and self._member(definition, "__init__") is not None:
            return None  # ``__init__`` may set the attribute on the instance
        default = self._field_default(owner.model, binding, depth)
        if default is None or not types.is_subclass(instance.cls, SETTINGS_BASES):
            return default
        owner_name = instance.cls.rpartition(".")[2]
        return default.with_unset((f"`{owner_name}.{attr}` unset",))

    def _field_default(self, model: ModuleModel, binding: Binding, depth: int) -> Optional[Value]:
        expr = binding.value
        assert expr is not None
        where = _Where(model, binding_point(binding), _EMPTY)
        if not (
            isinstance(expr, ir.Call)
            and model.qualified_name(expr.func, where.point) in FIELD_FUNCTIONS
        ):
            return self._eval(expr, where, depth)
        matched = _arguments(expr, ("default",))
        if matched is None:
            return None
        if "default" in matched:
            return self._eval(matched["default"], where, depth)
        factory = matched.get("default_factory")
        if isinstance(factory, ir.Lambda):
            return self._result(Definition(model, model.scope(factory.scope)), _EMPTY, depth)
        if factory is not None:
            maker = self._eval(factory, where, depth)
            return self._call_value(maker, ir.Call(factory, ()), where, depth)
        return None

    def _property(self, instance: _Instance, method: Definition, depth: int) -> Optional[Value]:
        """A ``@property`` of the instance's class: its only ``return``, with ``self`` the
        instance."""
        names = self._decorators(method)
        if not any(name in _PROPERTY for name in names) or any(
            name not in _PROPERTY and name not in _PURE_DECORATORS for name in names
        ):
            return None
        model, scope = method.model, method.scope
        positional = [p for p in scope.params if p.kind in ("posonly", "normal")]
        if not positional:
            return None
        this = next(
            (b for b in model.bindings(scope.id, positional[0].name) if b.kind == s.PARAM), None
        )
        if this is None:
            return None
        return self._result(method, {(id(model), this): Value(instance)}, depth)

    # -- arguments --------------------------------------------------------------------------
    def _bind(
        self,
        model: ModuleModel,
        args: Sequence[ir.Arg],
        points: Sequence[Point],
        parameters: Sequence[str],
        skip: int,
    ) -> BoundArguments:
        given: dict[str, Argument] = {}
        position = -skip
        opaque_keywords: Optional[int] = None
        opaque_positional: Optional[tuple[int, int]] = None  # (position, argument index)
        for index, (arg, point) in enumerate(zip(args, points)):
            if arg.keyword is not None and arg.keyword not in parameters:
                continue
            value = self.value_of(model, arg.value, point)
            if arg.star == "**":
                if value is None or not isinstance(value.data, dict):
                    opaque_keywords = index
                    continue
                for key, item in value.data.items():
                    if key in parameters and key not in given:
                        known = None if item is None else item.with_unset(value.unset)
                        given[str(key)] = Argument(index, known)
            elif arg.star == "*":
                items = value.items() if value is not None else None
                if items is None or any(item is None for item in items):
                    opaque_positional = opaque_positional or (position, index)
                    continue
                for item in items:
                    if 0 <= position < len(parameters) and opaque_positional is None:
                        given[parameters[position]] = Argument(index, item)
                    position += 1
            elif arg.keyword is not None:
                given[arg.keyword] = Argument(index, value)
            else:
                if 0 <= position < len(parameters) and opaque_positional is None:
                    given[parameters[position]] = Argument(index, value)
                position += 1
        for number, name in enumerate(parameters):
            if name in given:
                continue
            if opaque_positional is not None and number >= opaque_positional[0]:
                given[name] = Argument(opaque_positional[1], None)
            elif opaque_keywords is not None:
                given[name] = Argument(opaque_keywords, None)
        return BoundArguments(given)


def _at(scope: Scope, result: Result) -> Point:
    return Point(scope.id, result.order, result.branch)


def _arguments(call: ir.Call, names: Sequence[str]) -> Optional[dict[str, ir.Expr]]:
    """Arguments of a call matched to ``names`` (positional order); None with unpacking."""
    out: dict[str, ir.Expr] = {}
    position = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            out[arg.keyword] = arg.value
            continue
        if position >= len(names):
            return None
        out[names[position]] = arg.value
        position += 1
    return out


def _as_items(value: Optional[Value]) -> Optional[tuple[Optional[Value], ...]]:
    """What iterating over ``value`` yields, when known."""
    if value is None:
        return None
    data = value.data
    if isinstance(data, tuple):
        return data
    if isinstance(data, str) and len(data) <= _MAX_ITEMS:
        return tuple(Value(char, value.unset) for char in data)
    if isinstance(data, dict):
        return tuple(Value(key, value.unset) for key in data)
    return None


def _fully_known(value: Value) -> bool:
    data = value.data
    if isinstance(data, tuple):
        return all(item is not None and _fully_known(item) for item in data)
    if isinstance(data, dict):
        return all(item is not None and _fully_known(item) for item in data.values())
    return not isinstance(data, (_Ref, _Instance))


def _python(value: Value) -> object:
    """The plain Python value of a fully known Value (lists become lists)."""
    data = value.data
    if isinstance(data, tuple):
        return [_python(item) for item in data if item is not None]
    if isinstance(data, dict):
        return {k: _python(v) for k, v in data.items() if v is not None}
    return data


def _from_python(data: object, unset: tuple[str, ...]) -> Optional[Value]:
    if isinstance(data, (list, tuple)):
        return Value(tuple(_from_python(item, unset) for item in data), unset)
    if isinstance(data, dict):
        return Value({k: _from_python(v, unset) for k, v in data.items()}, unset)
    if isinstance(data, (str, int, float, bool)) or data is None:
        return Value(data, unset)
    return None


def _builtin_call(qualname: str, value: Optional[Value]) -> Optional[Value]:
    """``list(x)``, ``tuple(x)``, ``set(x)``, ``bool(x)``, ``str(x)`` and ``json.loads(x)`` of
    a known ``x``; CommaSeparatedStrings of a string."""
    if value is None:
        return None
    if qualname in _SEQUENCES:
        items = _as_items(value)
        return Value(items, value.unset) if items is not None else None
    if qualname == "builtins.bool":
        truth = value.truthy()
        return Value(truth, value.unset) if truth is not None else None
    if qualname == "builtins.str" and isinstance(value.data, str):
        return value
    if qualname in _COMMA_SEPARATED:
        return _comma_separated(value)
    if qualname == "json.loads" and isinstance(value.data, (str, bytes)):
        if len(value.data) > _MAX_STRING:
            return None
        try:
            return _from_python(json.loads(value.data), value.unset)
        except (ValueError, RecursionError):
            return None
    return None


def _comma_separated(value: Value) -> Optional[Value]:
    if isinstance(value.data, str):
        parts = [part.strip() for part in value.data.split(",")]
        return Value(tuple(Value(part, value.unset) for part in parts if part), value.unset)
    items = _as_items(value)
    return Value(items, value.unset) if items is not None else None


def _cast(flavor: str, cast: object, value: Value) -> Optional[Value]:
    """``cast(value)`` the way Starlette's Config or decouple applies a cast to a default."""
    data = value.data
    if cast is None or (flavor == "starlette" and data is None):
        return value
    if isinstance(cast, _Ref):
        name = cast.qualname
    elif isinstance(cast, _Instance):
        name = cast.cls
    else:
        return None
    if name == "builtins.bool":
        if flavor == "decouple":
            text = str(data).lower() if data is not None else "none"
            known = _DECOUPLE_BOOLS.get(text)
            return Value(known, value.unset) if known is not None else None
        if isinstance(data, str):
            known = _STARLETTE_BOOLS.get(data.lower())
            return Value(known, value.unset) if known is not None else None
        truth = value.truthy()
        return Value(truth, value.unset) if truth is not None else None
    if name == "builtins.str":
        return value if isinstance(data, str) else None
    if name in _COMMA_SEPARATED or name == _DECOUPLE_CSV:
        return _comma_separated(value)
    return _builtin_call(name, value)


def _unset_name(key: Optional[Value], prefix: str) -> str:
    if key is not None and isinstance(key.data, str):
        return f"`{prefix}{key.data}` unset"
    return "the environment variable unset"
