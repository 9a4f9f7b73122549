"""Static values of expressions: what a rule can know about an argument without running code.

A rule that mixes in ``StaticValues`` asks ``self.static_value(node)``: "what is this
expression, statically?" for a LibCST expression of the file being checked (the mixin knows
the scopes around the visited node; ``resolver_for(context)`` is the per-file resolver behind
it). It follows

- literals, lists/tuples/sets/dicts (with ``*``/``**`` unpacking), ``+`` of strings and
  sequences, ``or``/``and``/``not``/``if``-``else``, comparisons, subscripts, simple
  comprehensions, ``str`` methods (``split``, ``strip``, ``lower``...), ``list()``/``tuple()``/
  ``dict()``/``bool()``, ``json.loads``;
- names bound once, to a value, in the enclosing function or at module level (a name bound
  twice, a parameter, a loop variable... is not guessed), and names imported from other
  modules of the project (through the project index, re-exports and ``import *`` included);
- configuration with a static default: ``os.getenv("X", "d")``, ``os.environ.get("X", "d")``,
  ``os.environ.setdefault``, Starlette's ``Config(...)("X", cast=..., default=...)``,
  python-decouple's ``config("X", default=..., cast=...)``, and fields of project
  ``BaseSettings`` classes (``settings.field`` where ``settings = Settings()`` or
  ``get_settings()`` returns one; properties of the class are followed too).

A value that only holds while some configuration is unset carries that fact in
``Value.unset`` (e.g. ``("`CORS_ORIGINS` unset",)``): the rule can then say that "the default
configuration" is affected. ``os.getenv("X")`` without a default is ``None`` when unset, so
``os.getenv("X") or "*"`` is ``"*"`` by default, while ``os.getenv("X")`` alone never looks
like a wildcard.

Nothing is imported or executed: other modules are read through the project index (``ast``),
the current file through its LibCST tree. Everything is bounded (depth, sizes), and anything
not understood is ``None`` ("not statically known"), never a guess.
"""

from __future__ import annotations

import ast
import builtins
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from fastlint.imports import alias_asname, dotted_name, resolve_relative
from fastlint.nodes import target_names

if TYPE_CHECKING:
    from fastlint.index import ModuleFacts, ProjectIndex
    from fastlint.rule import FileContext

__all__ = [
    "Argument",
    "BoundArguments",
    "ConstantResolver",
    "StaticValues",
    "Value",
    "resolver_for",
]

_MAX_DEPTH = 48
_MAX_ITEMS = 1000
_MAX_STRING = 100_000

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
_CONVERSIONS = _COMMA_SEPARATED | {
    "builtins.list",
    "builtins.tuple",
    "builtins.set",
    "builtins.frozenset",
    "builtins.bool",
    "builtins.str",
    "json.loads",
}
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

    ``data`` is a ``str``, ``bytes``, ``int``, ``float``, ``bool`` or ``None``; a ``tuple`` of
    ``Optional[Value]`` for a list, tuple or set (a ``None`` item is an element, or a run of
    elements, that is not known); or a ``dict`` from keys to ``Optional[Value]``.
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
        if isinstance(data, (str, bytes, int, float, bool, dict)) or data is None:
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


@dataclass(frozen=True)
class _Ref:
    """A name that refers to something other than data: a module, class, function."""

    qualname: str


@dataclass(frozen=True, eq=False)
class _Instance:
    """An instance of a class, made by a call the resolver has seen."""

    cls: str
    keywords: dict[str, tuple[ast.expr, _Env]]
    opaque_arguments: bool  # positional arguments or ``**mapping``: any field may be set


def _plain(value: Optional[Value]) -> Optional[Value]:
    """``value`` without the resolver's internal references (those become unknown)."""
    if value is None or isinstance(value.data, (_Ref, _Instance)):
        return None
    if isinstance(value.data, tuple):
        return Value(tuple(_plain(v) for v in value.data), value.unset)
    if isinstance(value.data, dict):
        return Value({k: _plain(v) for k, v in value.data.items()}, value.unset)
    return value


# -- call arguments --------------------------------------------------------------------------


@dataclass(frozen=True)
class Argument:
    """What one parameter of a call receives: the argument that supplies it (``name=...``, a
    positional argument, or a ``*``/``**`` unpacking) and its value (None: not known)."""

    node: cst.Arg
    value: Optional[Value]


@dataclass(frozen=True)
class BoundArguments:
    """Parameters of a call, by name. ``get`` returns None when the parameter is certainly not
    passed (its default applies), and an Argument with ``value=None`` when it may be passed
    through an unpacking that is not statically known."""

    given: dict[str, Argument]

    def get(self, name: str) -> Optional[Argument]:
        return self.given.get(name)


# -- environments: where a name leads -------------------------------------------------------


@dataclass(frozen=True)
class _ExprBinding:
    expr: ast.expr
    env: _Env


@dataclass(frozen=True)
class _QualBinding:
    qualname: str


@dataclass(frozen=True)
class _ValueBinding:
    value: Optional[Value]


_Binding = Union[_ExprBinding, _QualBinding, _ValueBinding]


class _Env:
    """Name lookup. ``lookup`` returns None for a name bound in a way that cannot be followed
    (a parameter, a name bound twice...)."""

    def lookup(self, name: str) -> Optional[_Binding]:
        raise NotImplementedError


@dataclass(frozen=True)
class _Bind:
    """One binding of a name in a scope: ``value`` for ``name = value``, ``qualname`` for an
    import or a module-level def/class, neither for anything else."""

    value: Optional[object] = None  # cst.BaseExpression or ast.expr
    qualname: Optional[str] = None
    is_import: bool = False


_OPAQUE = _Bind()
_Table = dict[str, list[_Bind]]


def _from_table(bindings: list[_Bind]) -> Optional[Union[_Bind, str]]:
    """The single binding to follow, or the qualified name of an import."""
    if all(b.is_import for b in bindings) and bindings[-1].qualname:
        # ``try: from a import X`` / ``except ImportError: from b import X``: the last wins,
        # as in the shared ImportMap.
        return bindings[-1].qualname
    if len(bindings) != 1:
        return None
    bind = bindings[0]
    if bind.qualname is not None:
        return bind.qualname
    return bind if bind.value is not None else None


class _OverlayEnv(_Env):
    def __init__(self, parent: _Env, names: dict[str, Optional[Value]]) -> None:
        self.parent = parent
        self.names = names

    def lookup(self, name: str) -> Optional[_Binding]:
        if name in self.names:
            return _ValueBinding(self.names[name])
        return self.parent.lookup(name)


class _ModuleEnv(_Env):
    """A module of the project other than the one being checked, through the index."""

    def __init__(self, resolver: ConstantResolver, facts: ModuleFacts) -> None:
        self.resolver = resolver
        self.facts = facts

    def lookup(self, name: str) -> Optional[_Binding]:
        facts = self.facts
        if name in facts.imports:
            return _QualBinding(facts.imports[name])
        if name in facts.assignments:
            return _ExprBinding(facts.assignments[name], self)
        if name in facts.functions or name in facts.classes:
            return _QualBinding(f"{facts.name}.{name}")
        return self.resolver._unbound(name, facts.star_imports)


class _AstFunctionEnv(_Env):
    """The body of a function of another module (a property, a settings factory)."""

    def __init__(self, parent: _Env, node: ast.FunctionDef, known: dict[str, Value]) -> None:
        self.parent = parent
        self.known = known
        self.table = _ast_bindings(node)

    def lookup(self, name: str) -> Optional[_Binding]:
        if name in self.known:
            return _ValueBinding(self.known[name])
        bindings = self.table.get(name)
        if bindings is None:
            return self.parent.lookup(name)
        chosen = _from_table(bindings)
        if isinstance(chosen, str):
            return _QualBinding(chosen)
        if chosen is not None and isinstance(chosen.value, ast.expr):
            return _ExprBinding(chosen.value, self)
        return None


class _CstEnv(_Env):
    """A point of the file being checked: its enclosing scopes, innermost first, ending with
    the module."""

    def __init__(self, resolver: ConstantResolver, scopes: tuple[cst.CSTNode, ...]) -> None:
        self.resolver = resolver
        self.scopes = scopes

    def lookup(self, name: str) -> Optional[_Binding]:
        for position, scope in enumerate(self.scopes):
            # A class body is not an enclosing scope of the functions defined in it.
            if position > 0 and isinstance(scope, cst.ClassDef):
                continue
            bindings = self.resolver._cst_table(scope).get(name)
            if bindings is None:
                continue
            chosen = _from_table(bindings)
            if isinstance(chosen, str):
                return _QualBinding(chosen)
            if chosen is None or not isinstance(chosen.value, cst.BaseExpression):
                return None
            expr = self.resolver._to_ast(chosen.value)
            if expr is None:
                return None
            return _ExprBinding(expr, _CstEnv(self.resolver, self.scopes[position:]))
        return self.resolver._unbound(name, self.resolver.context.imports.star_modules)


# -- binding tables ---------------------------------------------------------------------------


_CST_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
# ``match`` patterns that capture names (Python 3.10+; absent from older ``ast`` modules).
_AST_PATTERN_CAPTURES = tuple(
    getattr(ast, name) for name in ("MatchAs", "MatchStar", "MatchMapping") if hasattr(ast, name)
)
_CST_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


class _CstBindings(cst.CSTVisitor):
    """The names one scope of the checked file binds (not descending into nested scopes)."""

    def __init__(self, resolver: ConstantResolver, module_level: bool) -> None:
        super().__init__()
        self.resolver = resolver
        self.module_level = module_level
        self.table: _Table = {}

    def add(self, name: str, bind: _Bind = _OPAQUE) -> None:
        self.table.setdefault(name, []).append(bind)

    def _definition(self, name: str) -> None:
        module = self.resolver.context.module_name
        qualname = f"{module}.{name}" if self.module_level and module else None
        self.add(name, _Bind(qualname=qualname))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._definition(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._definition(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return False

    def visit_SetComp(self, node: cst.SetComp) -> bool:
        return False

    def visit_DictComp(self, node: cst.DictComp) -> bool:
        return False

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.add(target.target.value, _Bind(value=node.value))
            else:
                for name in target_names(target.target):
                    self.add(name)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if not isinstance(node.target, cst.Name):
            return
        if node.value is not None:
            self.add(node.target.value, _Bind(value=node.value))
        elif not self.module_level:  # ``x: int`` makes ``x`` local to a function
            self.add(node.target.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        for name in target_names(node.target):
            self.add(name)

    def visit_For(self, node: cst.For) -> None:
        for name in target_names(node.target):
            self.add(name)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            for name in target_names(node.asname.name):
                self.add(name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            for name in target_names(node.name.name):
                self.add(name)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if node.name is not None:
            for name in target_names(node.name.name):
                self.add(name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        for name in target_names(node.target):
            self.add(name)

    def visit_Del(self, node: cst.Del) -> None:
        for name in target_names(node.target):
            self.add(name)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.add(item.name.value)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.add(item.name.value)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.add(node.name.value)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self.add(node.name.value)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self.add(node.rest.value)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            asname = alias_asname(alias)
            if asname is not None:
                self.add(asname, _Bind(qualname=full, is_import=True))
            else:
                root = full.split(".")[0]
                self.add(root, _Bind(qualname=root, is_import=True))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        imports = self.resolver.context.imports
        target = dotted_name(node.module) if node.module is not None else None
        base = resolve_relative(imports.module_name, len(node.relative), target, imports.is_package)
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            local = alias_asname(alias) or alias.name.value
            qualname = f"{base}.{alias.name.value}" if base else None
            self.add(local, _Bind(qualname=qualname, is_import=qualname is not None))


def _param_names(params: cst.Parameters) -> Iterator[str]:
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        yield param.name.value
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg.name.value
    if params.star_kwarg is not None:
        yield params.star_kwarg.name.value


def _ast_bindings(function: ast.FunctionDef) -> _Table:
    """The names a function of another module binds (its parameters are opaque)."""
    table: _Table = {}

    def add(name: str, bind: _Bind = _OPAQUE) -> None:
        table.setdefault(name, []).append(bind)

    arguments = function.args
    for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
        add(arg.arg)
    for star in (arguments.vararg, arguments.kwarg):
        if star is not None:
            add(star.arg)
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(node.name)
            continue
        if isinstance(
            node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
        ):
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    add(target.id, _Bind(value=node.value))
                else:
                    stack.append(target)
            stack.append(node.value)
            continue
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            add(node.target.id, _Bind(value=node.value) if node.value is not None else _OPAQUE)
            if node.value is not None:
                stack.append(node.value)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)):
            for name in _ast_statement_names(node):
                add(name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            add(node.name)
        elif isinstance(node, _AST_PATTERN_CAPTURES):
            for captured in (getattr(node, "name", None), getattr(node, "rest", None)):
                if isinstance(captured, str):
                    add(captured)
        stack.extend(ast.iter_child_nodes(node))
    return table


def _ast_statement_names(
    node: Union[ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal],
) -> list[str]:
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    return [(alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*"]


def _single_return(function: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> Optional[ast.expr]:
    """The expression of the only ``return`` of a plain function, else None."""
    if isinstance(function, ast.AsyncFunctionDef):
        return None
    found: list[ast.Return] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return None
        if isinstance(node, ast.Return):
            found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    if len(found) != 1 or found[0].value is None:
        return None
    # A function whose last statement is not that return may also fall through to ``None``.
    return found[0].value if function.body and function.body[-1] is found[0] else None


def _header(scope: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The parts of a scope node that are evaluated in the enclosing scope."""
    if isinstance(scope, (cst.FunctionDef, cst.ClassDef)):
        yield from scope.decorators
    if isinstance(scope, cst.FunctionDef):
        yield scope.params
        if scope.returns is not None:
            yield scope.returns
    elif isinstance(scope, cst.ClassDef):
        yield from scope.bases
        yield from scope.keywords
    elif isinstance(scope, cst.Lambda):
        yield scope.params
    elif isinstance(scope, _CST_COMPREHENSIONS):
        yield scope.for_in.iter


def _in_header(scope: cst.CSTNode, node: cst.CSTNode) -> bool:
    return any(_contains(part, node) for part in _header(scope))


def _contains(root: cst.CSTNode, node: cst.CSTNode) -> bool:
    stack = [root]
    while stack:
        current = stack.pop()
        if current is node:
            return True
        stack.extend(current.children)
    return False


# -- the resolver -----------------------------------------------------------------------------


def resolver_for(context: FileContext) -> ConstantResolver:
    """The resolver of one checked file, shared by every rule that asks for it."""
    return context.shared(ConstantResolver, lambda: ConstantResolver(context))


@dataclass
class ConstantResolver:
    """Static values and qualified names of expressions of one checked file.

    Every question names the scopes (functions, classes, lambdas, comprehensions) that enclose
    the node, outermost first, as ``StaticValues`` keeps them during the traversal. Binding
    tables of scopes are built on first use and shared by the rules of the file."""

    context: FileContext
    _tables: dict[cst.CSTNode, _Table] = field(default_factory=dict, repr=False)
    _asts: dict[cst.CSTNode, Optional[ast.expr]] = field(default_factory=dict, repr=False)

    # -- public API ------------------------------------------------------------------------
    def value(self, node: cst.BaseExpression, scopes: Sequence[cst.CSTNode]) -> Optional[Value]:
        """The static value of ``node``, or None when it is not statically known."""
        return _plain(self._value_at(node, scopes))

    def qualname(self, node: cst.BaseExpression, scopes: Sequence[cst.CSTNode]) -> Optional[str]:
        """The qualified name ``node`` refers to, seen from where it is: through imports,
        enclosing scopes (a local variable shadows an import), aliases (``Cors =
        CORSMiddleware``) and re-exports of project modules. None for anything else."""
        found = self._value_at(node, scopes)
        if found is None or not isinstance(found.data, _Ref):
            return None
        return found.data.qualname

    def bind_arguments(
        self,
        call: cst.Call,
        parameters: Sequence[str],
        scopes: Sequence[cst.CSTNode],
        *,
        skip: int = 0,
    ) -> BoundArguments:
        """Match the arguments of ``call`` to ``parameters`` (the positional-or-keyword
        parameters in order), after ``skip`` leading positional arguments (``self``-like ones:
        the app, the middleware class). ``**mapping`` and ``*sequence`` are resolved when
        statically known."""
        given: dict[str, Argument] = {}
        position = -skip
        opaque_keywords: Optional[cst.Arg] = None
        opaque_positional: Optional[tuple[int, cst.Arg]] = None
        for arg in call.args:
            if arg.star == "**":
                mapping = self.value(arg.value, scopes)
                if mapping is None or not isinstance(mapping.data, dict):
                    opaque_keywords = arg
                    continue
                for key, item in mapping.data.items():
                    if key in parameters and key not in given:
                        value = None if item is None else item.with_unset(mapping.unset)
                        given[str(key)] = Argument(arg, value)
            elif arg.star == "*":
                sequence = self.value(arg.value, scopes)
                items = sequence.items() if sequence is not None else None
                if items is None or any(item is None for item in items):
                    opaque_positional = opaque_positional or (position, arg)
                    continue
                for item in items:
                    if 0 <= position < len(parameters) and opaque_positional is None:
                        given[parameters[position]] = Argument(arg, item)
                    position += 1
            elif arg.keyword is not None:
                name = arg.keyword.value
                if name in parameters:
                    given[name] = Argument(arg, self.value(arg.value, scopes))
            else:
                if 0 <= position < len(parameters) and opaque_positional is None:
                    given[parameters[position]] = Argument(arg, self.value(arg.value, scopes))
                position += 1
        for index, name in enumerate(parameters):
            if name in given:
                continue
            if opaque_positional is not None and index >= opaque_positional[0]:
                given[name] = Argument(opaque_positional[1], None)
            elif opaque_keywords is not None:
                given[name] = Argument(opaque_keywords, None)
        return BoundArguments(given)

    # -- the checked file -------------------------------------------------------------------
    def _value_at(self, node: cst.BaseExpression, scopes: Sequence[cst.CSTNode]) -> Optional[Value]:
        expr = self._to_ast(node)
        if expr is None:
            return None
        # Innermost first; a decorator, default or base is evaluated outside its scope.
        chain = [scope for scope in reversed(scopes) if not _in_header(scope, node)]
        chain.append(self.context.module)
        return self._eval(expr, _CstEnv(self, tuple(chain)), 0)

    def _to_ast(self, node: cst.BaseExpression) -> Optional[ast.expr]:
        if node not in self._asts:
            code = self.context.module.code_for_node(node)
            try:
                # Parenthesized on their own lines: multi-line code and a trailing comment
                # stay inside the parentheses.
                self._asts[node] = ast.parse(f"(\n{code}\n)", mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._asts[node] = None
        return self._asts[node]

    def _cst_table(self, scope: cst.CSTNode) -> _Table:
        table = self._tables.get(scope)
        if table is not None:
            return table
        collector = _CstBindings(self, isinstance(scope, cst.Module))
        if isinstance(scope, (cst.FunctionDef, cst.Lambda)):
            for name in _param_names(scope.params):
                collector.add(name)
        if isinstance(scope, _CST_SCOPES):
            scope.body.visit(collector)
        elif isinstance(scope, _CST_COMPREHENSIONS):
            comp_for: Optional[cst.CompFor] = scope.for_in
            while comp_for is not None:
                for name in target_names(comp_for.target):
                    collector.add(name)
                comp_for = comp_for.inner_for_in
        else:
            scope.visit(collector)
        self._tables[scope] = collector.table
        return collector.table

    # -- names ------------------------------------------------------------------------------
    @property
    def _index(self) -> Optional[ProjectIndex]:
        return self.context.index

    def _unbound(self, name: str, star_modules: Sequence[str]) -> Optional[_Binding]:
        """A name no statement of its module binds: from ``import *``, or a builtin."""
        index = self._index
        if index is not None:
            for star in star_modules:
                facts = index.module(star)
                if facts is not None and facts.defines(name):
                    return _QualBinding(f"{star}.{name}")
        if hasattr(builtins, name):
            return _QualBinding(f"builtins.{name}")
        return None

    def _deref(self, qualname: str, depth: int) -> Optional[Value]:
        """The value a qualified name stands for: a project module-level assignment is
        followed, anything else stays a reference."""
        index = self._index
        if index is None:
            return Value(_Ref(qualname))
        resolved = index.resolve(qualname)
        found = index.assignment(resolved)
        if found is not None:
            facts, expr = found
            return self._eval(expr, _ModuleEnv(self, facts), depth + 1)
        return Value(_Ref(resolved))

    def _module_env(self, module: str) -> Optional[_ModuleEnv]:
        index = self._index
        facts = index.module(module) if index is not None else None
        return _ModuleEnv(self, facts) if facts is not None else None

    # -- evaluation -------------------------------------------------------------------------
    def _eval(self, expr: ast.expr, env: _Env, depth: int) -> Optional[Value]:
        if depth > _MAX_DEPTH:
            return None
        depth += 1
        if isinstance(expr, ast.Constant):
            return None if expr.value is Ellipsis else Value(expr.value)
        if isinstance(expr, ast.Name):
            return self._eval_name(expr.id, env, depth)
        if isinstance(expr, ast.Attribute):
            return self._attribute(self._eval(expr.value, env, depth), expr.attr, depth)
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return self._sequence(expr.elts, env, depth)
        if isinstance(expr, ast.Dict):
            return self._dict(expr, env, depth)
        if isinstance(expr, ast.Call):
            return self._call(expr, env, depth)
        if isinstance(expr, ast.BinOp):
            return self._binop(expr, env, depth)
        if isinstance(expr, ast.BoolOp):
            return self._boolop(expr, env, depth)
        if isinstance(expr, ast.UnaryOp):
            return self._unary(expr, env, depth)
        if isinstance(expr, ast.IfExp):
            test = self._eval(expr.test, env, depth)
            truth = test.truthy() if test is not None else None
            if test is None or truth is None:
                return None
            chosen = self._eval(expr.body if truth else expr.orelse, env, depth)
            return chosen.with_unset(test.unset) if chosen is not None else None
        if isinstance(expr, ast.Compare):
            return self._compare(expr, env, depth)
        if isinstance(expr, ast.Subscript):
            return self._subscript(expr, env, depth)
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self._comprehension(expr, env, depth)
        return None

    def _eval_name(self, name: str, env: _Env, depth: int) -> Optional[Value]:
        binding = env.lookup(name)
        if isinstance(binding, _ExprBinding):
            return self._eval(binding.expr, binding.env, depth)
        if isinstance(binding, _QualBinding):
            return self._deref(binding.qualname, depth)
        if isinstance(binding, _ValueBinding):
            return binding.value
        return None

    def _attribute(self, base: Optional[Value], attr: str, depth: int) -> Optional[Value]:
        if base is None:
            return None
        data = base.data
        if isinstance(data, _Ref):
            index = self._index
            if index is not None and index.klass(data.qualname) is not None:
                return self._class_attribute(data.qualname, attr, depth)
            return self._deref(f"{data.qualname}.{attr}", depth)
        if isinstance(data, _Instance):
            found = self._instance_attribute(data, attr, depth)
            return found.with_unset(base.unset) if found is not None else None
        return None

    def _sequence(self, elements: Sequence[ast.expr], env: _Env, depth: int) -> Optional[Value]:
        items: list[Optional[Value]] = []
        unset: tuple[str, ...] = ()
        for element in elements:
            if isinstance(element, ast.Starred):
                inner = self._eval(element.value, env, depth)
                spread = _as_items(inner)
                if spread is None:
                    items.append(None)
                else:
                    assert inner is not None
                    items.extend(spread)
                    unset = _merge(unset, inner.unset)
            else:
                items.append(self._eval(element, env, depth))
            if len(items) > _MAX_ITEMS:
                return None
        return Value(tuple(items), unset)

    def _dict(self, expr: ast.Dict, env: _Env, depth: int) -> Optional[Value]:
        out: dict[object, Optional[Value]] = {}
        unset: tuple[str, ...] = ()
        for key_expr, value_expr in zip(expr.keys, expr.values):
            if key_expr is None:
                merged = self._eval(value_expr, env, depth)
                if merged is None or not isinstance(merged.data, dict):
                    return None
                out.update(merged.data)
                unset = _merge(unset, merged.unset)
                continue
            key = self._eval(key_expr, env, depth)
            if key is None or not _hashable(key.data) or isinstance(key.data, (_Ref, _Instance)):
                return None
            out[key.data] = self._eval(value_expr, env, depth)
            unset = _merge(unset, key.unset)
        return Value(out, unset)

    def _binop(self, expr: ast.BinOp, env: _Env, depth: int) -> Optional[Value]:
        if not isinstance(expr.op, ast.Add):
            return None
        left = self._eval(expr.left, env, depth)
        right = self._eval(expr.right, env, depth)
        if left is not None and right is not None:
            if isinstance(left.data, str) and isinstance(right.data, str):
                if len(left.data) + len(right.data) > _MAX_STRING:
                    return None
                return Value(left.data + right.data, _merge(left.unset, right.unset))
            if isinstance(left.data, tuple) and isinstance(right.data, tuple):
                return Value(left.data + right.data, _merge(left.unset, right.unset))
            return None
        # A known list plus something unknown still holds the known elements.
        known = left if left is not None else right
        if known is None or not isinstance(known.data, tuple):
            return None
        items: tuple[Optional[Value], ...] = (
            (*known.data, None) if known is left else (None, *known.data)
        )
        return Value(items, known.unset)

    def _boolop(self, expr: ast.BoolOp, env: _Env, depth: int) -> Optional[Value]:
        unset: tuple[str, ...] = ()
        result: Optional[Value] = None
        for operand in expr.values:
            result = self._eval(operand, env, depth)
            truth = result.truthy() if result is not None else None
            if result is None or truth is None:
                return None
            result = result.with_unset(unset)
            unset = result.unset
            if truth == isinstance(expr.op, ast.Or):
                return result
        return result

    def _unary(self, expr: ast.UnaryOp, env: _Env, depth: int) -> Optional[Value]:
        operand = self._eval(expr.operand, env, depth)
        if operand is None:
            return None
        if isinstance(expr.op, ast.Not):
            truth = operand.truthy()
            return Value(not truth, operand.unset) if truth is not None else None
        data = operand.data
        if isinstance(expr.op, ast.USub) and isinstance(data, (int, float)):
            return Value(-data, operand.unset)
        return None

    def _compare(self, expr: ast.Compare, env: _Env, depth: int) -> Optional[Value]:
        if len(expr.ops) != 1:
            return None
        left = self._eval(expr.left, env, depth)
        right = self._eval(expr.comparators[0], env, depth)
        if left is None or right is None:
            return None
        unset = _merge(left.unset, right.unset)
        operator = expr.ops[0]
        if isinstance(operator, (ast.In, ast.NotIn)):
            found = right.find(left.data)
            if found is not None:
                contained: Optional[bool] = True
            elif _fully_known(right):
                contained = False
            else:
                contained = None
            if contained is None:
                return None
            return Value(contained == isinstance(operator, ast.In), unset)
        if not (_fully_known(left) and _fully_known(right)):
            return None
        lhs, rhs = _python(left), _python(right)
        if isinstance(operator, ast.Eq):
            return Value(lhs == rhs, unset)
        if isinstance(operator, ast.NotEq):
            return Value(lhs != rhs, unset)
        if isinstance(operator, ast.Is) and rhs is None:
            return Value(lhs is None, unset)
        if isinstance(operator, ast.IsNot) and rhs is None:
            return Value(lhs is not None, unset)
        return None

    def _subscript(self, expr: ast.Subscript, env: _Env, depth: int) -> Optional[Value]:
        base = self._eval(expr.value, env, depth)
        key = self._eval(expr.slice, env, depth)
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

    def _comprehension(
        self, expr: Union[ast.ListComp, ast.SetComp, ast.GeneratorExp], env: _Env, depth: int
    ) -> Optional[Value]:
        if len(expr.generators) != 1:
            return None
        generator = expr.generators[0]
        if generator.is_async or not isinstance(generator.target, ast.Name):
            return None
        source = self._eval(generator.iter, env, depth)
        elements = _as_items(source)
        if source is None or elements is None:
            return None
        out: list[Optional[Value]] = []
        for element in elements:
            if element is None:
                out.append(None)
                continue
            inner = _OverlayEnv(env, {generator.target.id: element})
            keep: Optional[bool] = True
            for condition in generator.ifs:
                test = self._eval(condition, inner, depth)
                truth = test.truthy() if test is not None else None
                if truth is not True:
                    keep = truth
                    break
            if keep is None:
                out.append(None)
            elif keep:
                out.append(self._eval(expr.elt, inner, depth))
        return Value(tuple(out), source.unset)

    # -- calls ------------------------------------------------------------------------------
    def _call(self, expr: ast.Call, env: _Env, depth: int) -> Optional[Value]:
        func = expr.func
        if isinstance(func, ast.Attribute):
            receiver = self._eval(func.value, env, depth)
            if receiver is None:
                return None
            if isinstance(receiver.data, str):
                return self._str_method(receiver.data, receiver.unset, func.attr, expr, env, depth)
            if isinstance(receiver.data, _Instance) and func.attr == "get":
                return self._config_get(receiver.data, expr, env, depth, receiver.unset)
            callee = self._attribute(receiver, func.attr, depth)
        else:
            callee = self._eval(func, env, depth)
        if callee is None:
            return None
        if isinstance(callee.data, _Instance):
            return self._config_get(callee.data, expr, env, depth, callee.unset)
        if not isinstance(callee.data, _Ref):
            return None
        return self._call_ref(callee.data.qualname, expr, env, depth)

    def _arguments(self, expr: ast.Call, names: Sequence[str]) -> Optional[dict[str, ast.expr]]:
        """Arguments of a call matched to ``names`` (positional order); None with unpacking."""
        out: dict[str, ast.expr] = {}
        for position, arg in enumerate(expr.args):
            if isinstance(arg, ast.Starred) or position >= len(names):
                return None
            out[names[position]] = arg
        for keyword in expr.keywords:
            if keyword.arg is None:
                return None
            out[keyword.arg] = keyword.value
        return out

    def _call_ref(self, qualname: str, expr: ast.Call, env: _Env, depth: int) -> Optional[Value]:
        if qualname in ENVIRONMENT_GETTERS:
            return self._environment_get(expr, env, depth)
        if qualname == _DECOUPLE_CONFIG:
            return self._settings_lookup(expr, env, depth, "decouple", "")
        if qualname in _CONVERSIONS:
            matched = self._arguments(expr, ("value",))
            if matched is None or set(matched) != {"value"}:
                return None
            return _builtin_call(qualname, self._eval(matched["value"], env, depth))
        if qualname == "builtins.dict":
            return self._dict_call(expr, env, depth)
        if qualname in (_STARLETTE_CONFIG, _DECOUPLE_CSV):
            return self._instance(qualname, expr, env)
        index = self._index
        if index is None:
            return None
        if index.klass(qualname) is not None:
            return self._instance(qualname, expr, env)
        function = index.function(qualname)
        if function is None or not self._plain_function(function.module, function.node):
            return None
        result = _single_return(function.node)
        module_env = self._module_env(function.module)
        if result is None or module_env is None or not isinstance(function.node, ast.FunctionDef):
            return None
        return self._eval(result, _AstFunctionEnv(module_env, function.node, {}), depth)

    def _plain_function(
        self, module: str, node: Union[ast.FunctionDef, ast.AsyncFunctionDef]
    ) -> bool:
        """No decorator that could change what the function returns, except caching."""
        env = self._module_env(module)
        return env is not None and all(
            self._decorator(d, env) in _PURE_DECORATORS for d in node.decorator_list
        )

    def _ref(self, expr: ast.expr, env: _Env) -> Optional[str]:
        """The qualified name ``expr`` refers to in ``env`` (builtins included)."""
        found = self._eval(expr, env, 0)
        return found.data.qualname if found is not None and isinstance(found.data, _Ref) else None

    def _decorator(self, decorator: ast.expr, env: _Env) -> Optional[str]:
        """``@name`` and ``@name(...)`` both by the qualified name of ``name``."""
        return self._ref(decorator.func if isinstance(decorator, ast.Call) else decorator, env)

    def _instance(self, qualname: str, expr: ast.Call, env: _Env) -> Value:
        keywords = {k.arg: (k.value, env) for k in expr.keywords if k.arg is not None}
        opaque = bool(expr.args) or any(k.arg is None for k in expr.keywords)
        return Value(_Instance(qualname, keywords, opaque))

    def _dict_call(self, expr: ast.Call, env: _Env, depth: int) -> Optional[Value]:
        out: dict[object, Optional[Value]] = {}
        unset: tuple[str, ...] = ()
        if len(expr.args) > 1:
            return None
        for source in [*expr.args, *(k.value for k in expr.keywords if k.arg is None)]:
            mapping = self._eval(source, env, depth)
            if mapping is None or not isinstance(mapping.data, dict):
                return None
            out.update(mapping.data)
            unset = _merge(unset, mapping.unset)
        for keyword in expr.keywords:
            if keyword.arg is not None:
                out[keyword.arg] = self._eval(keyword.value, env, depth)
        return Value(out, unset)

    def _str_method(
        self,
        text: str,
        unset: tuple[str, ...],
        method: str,
        expr: ast.Call,
        env: _Env,
        depth: int,
    ) -> Optional[Value]:
        if method not in _STR_METHODS:
            return None
        args: list[object] = []
        kwargs: dict[str, object] = {}
        for arg in expr.args:
            value = None if isinstance(arg, ast.Starred) else self._eval(arg, env, depth)
            if value is None or not (value.data is None or isinstance(value.data, (str, int))):
                return None
            args.append(value.data)
        for keyword in expr.keywords:
            value = self._eval(keyword.value, env, depth) if keyword.arg else None
            if keyword.arg is None or value is None:
                return None
            kwargs[keyword.arg] = value.data
        # ``"".replace("", new)`` puts ``new`` in every gap of the string: bound it first.
        longest = max((len(a) for a in args if isinstance(a, str)), default=0)
        if method == "replace" and (len(text) + 1) * (longest + 1) > _MAX_STRING:
            return None
        try:
            result = getattr(text, method)(*args, **kwargs)
        except (TypeError, ValueError):
            return None
        if isinstance(result, str):
            return Value(result, unset) if len(result) <= _MAX_STRING else None
        if isinstance(result, list) and len(result) <= _MAX_ITEMS:
            return Value(tuple(Value(part, unset) for part in result), unset)
        return None

    # -- configuration ----------------------------------------------------------------------
    def _environment_get(self, expr: ast.Call, env: _Env, depth: int) -> Optional[Value]:
        matched = self._arguments(expr, ("key", "default"))
        if matched is None or "key" not in matched:
            return None
        key = self._eval(matched["key"], env, depth)
        default_expr = matched.get("default")
        default = Value(None) if default_expr is None else self._eval(default_expr, env, depth)
        if default is None:
            return None
        return default.with_unset((_unset_name(key, ""),))

    def _config_get(
        self,
        instance: _Instance,
        expr: ast.Call,
        env: _Env,
        depth: int,
        unset: tuple[str, ...],
    ) -> Optional[Value]:
        if instance.cls != _STARLETTE_CONFIG:
            return None
        prefix = ""
        if "env_prefix" in instance.keywords:
            prefix_expr, prefix_env = instance.keywords["env_prefix"]
            found = self._eval(prefix_expr, prefix_env, depth)
            if found is None or not isinstance(found.data, str):
                return None
            prefix = found.data
        result = self._settings_lookup(expr, env, depth, "starlette", prefix)
        return result.with_unset(unset) if result is not None else None

    def _settings_lookup(
        self, expr: ast.Call, env: _Env, depth: int, flavor: str, prefix: str
    ) -> Optional[Value]:
        """Starlette's ``config(key, cast, default)`` and decouple's ``config(key, default,
        cast)``: the default, cast the way each library casts it, when the key is unset."""
        order = ("key", "cast", "default") if flavor == "starlette" else ("key", "default", "cast")
        matched = self._arguments(expr, order)
        if matched is None or "key" not in matched or "default" not in matched:
            return None
        key = self._eval(matched["key"], env, depth)
        default = self._eval(matched["default"], env, depth)
        if default is None:
            return None
        cast: Optional[Value] = Value(None)
        if "cast" in matched:
            cast = self._eval(matched["cast"], env, depth)
        if cast is None:
            return None
        result = _cast(flavor, cast.data, default)
        return result.with_unset((_unset_name(key, prefix),)) if result is not None else None

    # -- classes and instances --------------------------------------------------------------
    def _member(
        self, cls: str, attr: str, _depth: int = 0
    ) -> Optional[tuple[ModuleFacts, ast.stmt]]:
        """The statement of a project class (or its project bases) that defines ``attr``."""
        index = self._index
        klass = index.klass(cls) if index is not None and _depth < 12 else None
        if index is None or klass is None:
            return None
        found: Optional[ast.stmt] = None
        for stmt in klass.node.body:
            if attr in _defined_names(stmt):
                found = stmt
        facts = index.module(klass.module)
        if found is not None:
            return (facts, found) if facts is not None else None
        for base in klass.bases:
            inherited = self._member(index.resolve(base), attr, _depth + 1)
            if inherited is not None:
                return inherited
        return None

    def _is_dataclass(self, cls: str) -> bool:
        index = self._index
        klass = index.klass(cls) if index is not None else None
        env = self._module_env(klass.module) if klass is not None else None
        if klass is None or env is None:
            return False
        return any(self._decorator(d, env) in _DATACLASS for d in klass.node.decorator_list)

    def _class_attribute(self, cls: str, attr: str, depth: int) -> Optional[Value]:
        member = self._member(cls, attr)
        if member is None:
            return None
        facts, stmt = member
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            return self._eval(stmt.value, _ModuleEnv(self, facts), depth)
        return None

    def _instance_attribute(self, instance: _Instance, attr: str, depth: int) -> Optional[Value]:
        index = self._index
        if index is None:
            return None
        is_model = index.subclasses_of(instance.cls, MODEL_BASES)
        has_fields = is_model or self._is_dataclass(instance.cls)
        if has_fields and attr in instance.keywords:
            value_expr, value_env = instance.keywords[attr]
            return self._eval(value_expr, value_env, depth)
        member = self._member(instance.cls, attr)
        if member is None:
            return None
        facts, stmt = member
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self._property(instance, facts, stmt, depth)
        if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.value is None:
            return None
        if has_fields and instance.opaque_arguments:
            return None
        if not has_fields and self._member(instance.cls, "__init__") is not None:
            return None  # ``__init__`` may set the attribute on the instance
        default = self._field_default(stmt.value, _ModuleEnv(self, facts), depth)
        if default is None or not index.subclasses_of(instance.cls, SETTINGS_BASES):
            return default
        owner = instance.cls.rpartition(".")[2]
        return default.with_unset((f"`{owner}.{attr}` unset",))

    def _field_default(self, expr: ast.expr, env: _ModuleEnv, depth: int) -> Optional[Value]:
        if isinstance(expr, ast.Call) and self._ref(expr.func, env) in FIELD_FUNCTIONS:
            matched = self._arguments(expr, ("default",))
            if matched is None:
                return None
            if "default" in matched:
                return self._eval(matched["default"], env, depth)
            factory = matched.get("default_factory")
            if isinstance(factory, ast.Lambda):
                return self._eval(factory.body, env, depth)
            if factory is not None:
                return self._eval(ast.Call(func=factory, args=[], keywords=[]), env, depth)
            return None
        return self._eval(expr, env, depth)

    def _property(
        self,
        instance: _Instance,
        facts: ModuleFacts,
        node: Union[ast.FunctionDef, ast.AsyncFunctionDef],
        depth: int,
    ) -> Optional[Value]:
        env = _ModuleEnv(self, facts)
        is_property = False
        for decorator in node.decorator_list:
            name = self._decorator(decorator, env)
            if name in _PROPERTY:
                is_property = True
            elif name not in _PURE_DECORATORS:
                return None
        result = _single_return(node)
        arguments = node.args.posonlyargs + node.args.args
        if not is_property or result is None or not arguments:
            return None
        assert isinstance(node, ast.FunctionDef)  # _single_return refuses async functions
        this = Value(instance)
        return self._eval(result, _AstFunctionEnv(env, node, {arguments[0].arg: this}), depth)


class StaticValues(cst.BatchableCSTVisitor):
    """Mixin for rules: static values of the nodes they visit, seen from where they are::

        class MyRule(StaticValues, Rule):
            def visit_Call(self, node: cst.Call) -> None:
                value = self.static_value(node.args[0].value)

    The scopes that enclose the visited node are kept from the traversal itself (no metadata,
    no second walk). A rule that defines ``visit_``/``leave_`` methods for functions, classes,
    lambdas or comprehensions itself must call ``super()`` in them.
    """

    context: FileContext
    _enclosing: tuple[cst.CSTNode, ...] = ()

    def static_value(self, node: cst.BaseExpression) -> Optional[Value]:
        """The static value of ``node`` (see ``ConstantResolver.value``)."""
        return resolver_for(self.context).value(node, self._enclosing)

    def static_qualname(self, node: cst.BaseExpression) -> Optional[str]:
        """The qualified name ``node`` refers to (see ``ConstantResolver.qualname``)."""
        return resolver_for(self.context).qualname(node, self._enclosing)

    def bind_arguments(
        self, call: cst.Call, parameters: Sequence[str], *, skip: int = 0
    ) -> BoundArguments:
        """The arguments of ``call`` by parameter (see ``ConstantResolver.bind_arguments``)."""
        return resolver_for(self.context).bind_arguments(
            call, parameters, self._enclosing, skip=skip
        )

    def _enter_scope(self, node: cst.CSTNode) -> None:
        self._enclosing = (*self._enclosing, node)

    def _leave_scope(self) -> None:
        self._enclosing = self._enclosing[:-1]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._enter_scope(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._leave_scope()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._enter_scope(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._leave_scope()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._enter_scope(node)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._leave_scope()

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._enter_scope(node)

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._leave_scope()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._enter_scope(node)

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._leave_scope()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._enter_scope(node)

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._leave_scope()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._enter_scope(node)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._leave_scope()


def _defined_names(stmt: ast.stmt) -> list[str]:
    """Names a statement of a class body defines: fields, attributes, methods."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [stmt.name]
    if isinstance(stmt, ast.AnnAssign):
        return [stmt.target.id] if isinstance(stmt.target, ast.Name) else []
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    return []


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
        items = [_from_python(item, unset) for item in data]
        return Value(tuple(items), unset)
    if isinstance(data, dict):
        return Value({k: _from_python(v, unset) for k, v in data.items()}, unset)
    if isinstance(data, (str, int, float, bool)) or data is None:
        return Value(data, unset)
    return None


def _builtin_call(qualname: str, value: Optional[Value]) -> Optional[Value]:
    """``list(x)``, ``tuple(x)``, ``set(x)``, ``sorted(x)``, ``bool(x)``, ``str(x)`` and
    ``json.loads(x)`` of a known ``x``; CommaSeparatedStrings of a string."""
    if value is None:
        return None
    if qualname in ("builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset"):
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
    if not isinstance(cast, (_Ref, _Instance)):
        return None
    name = cast.qualname if isinstance(cast, _Ref) else cast.cls
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
