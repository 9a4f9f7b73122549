"""What one module is made of, as plain records: its scopes, the bindings in each, the calls it
makes, its branches. One schema for every module, filled by two producers that walk different
syntax trees (``from_ast`` for the project index, ``from_cst`` for the file being checked) and
must agree record for record; a test holds them to that on real code.

Everything the semantic model answers (what a name means at a point, which binding is in force,
what type or static value an expression has) is computed from these records, so the same code
serves the checked file and every other module of the project.

Ordering: every event that matters for "which binding is in force here" (a name read, a call, a
binding, a scope) takes the next number of a per-module counter, in *evaluation* order: the
value of ``x = f(x)`` is read before ``x`` is bound; decorators and defaults before the function
they belong to. Both producers tick on the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from fastlint.semantic.ir import Arg, Call, Expr, Record

__all__ = [
    "AttributeAssignment",
    "Binding",
    "Branch",
    "CallSite",
    "ModuleSummary",
    "Param",
    "Scope",
    "SummaryBuilder",
    "Value",
]

# Scope kinds.
MODULE = "module"
CLASS = "class"
FUNCTION = "function"
LAMBDA = "lambda"
COMPREHENSION = "comprehension"

# Binding kinds.
IMPORT = "import"  # ``import a`` / ``import a.b as c`` / ``from m import x``; ``target`` is set
STAR = "star"  # ``from m import *``: name ``*``, ``target`` the module
DEF = "def"
CLASSDEF = "class"
ASSIGN = "assign"  # ``x = v`` (also ``x: T = v``, with its annotation)
DECLARE = "declare"  # ``x: T`` alone: declares a type, binds nothing at run time
AUGMENT = "augassign"
WALRUS = "walrus"
FOR = "for"
WITH = "with"
EXCEPT = "except"
PARAM = "param"
DELETE = "del"
MATCH = "match"
TYPE_PARAM = "typeparam"
TYPE_ALIAS = "typealias"

# How a call's result is used.
STATEMENT = "statement"  # an expression statement: the result is dropped
AWAITED = "await"
RETURNED = "return"
YIELDED = "yield"
ASSIGNED = "assign"
ARGUMENT = "argument"  # an argument of another call
DECORATOR = "decorator"
OTHER = "other"


@dataclass(frozen=True)
class Binding(Record):
    """One way a name gets (or loses) its value.

    ``scope`` is the scope whose namespace the name lives in (a ``global`` statement makes an
    assignment in a function bind a module-level name); ``origin`` is the scope whose code
    performs the binding. ``value`` is the assigned expression (the ``with`` item, the ``for``
    iterable, a parameter's default); ``unpack`` locates the name in a tuple target
    (``a, (b, c) = v`` binds ``b`` at ``(1, 0)``). ``target`` is the qualified name an import
    binds; ``definition`` the scope id of a ``def``/``class`` body.
    """

    __slots__ = (
        "annotation",
        "branch",
        "definition",
        "kind",
        "line",
        "name",
        "order",
        "origin",
        "scope",
        "target",
        "unpack",
        "value",
    )
    name: str
    kind: str
    scope: int
    origin: int
    order: int
    branch: int
    value: Optional[Expr]
    annotation: Optional[Expr]
    target: Optional[str]
    definition: int
    unpack: tuple[int, ...]
    line: int

    @property
    def deferred(self) -> bool:
        """Bound from another scope's code (``global``/``nonlocal``): it may happen whenever
        that code runs."""
        return self.origin != self.scope


@dataclass(frozen=True)
class Param(Record):
    __slots__ = ("annotation", "default", "kind", "name")
    name: str
    kind: str  # "posonly" | "normal" | "vararg" | "kwonly" | "kwarg"
    annotation: Optional[Expr]
    default: Optional[Expr]


@dataclass(frozen=True)
class Value(Record):
    """An expression that a scope hands back (``return``/``yield``), or a comprehension's
    element, at a point of that scope."""

    __slots__ = ("branch", "expr", "order")
    expr: Expr
    order: int
    branch: int


@dataclass(frozen=True)
class Scope(Record):
    """A module, class, function, lambda or comprehension.

    ``qualpath`` names it within its module as ``__qualname__`` does (``create_app.<locals>.
    index``, ``Audit.dispatch``; a second definition of the same path gets ``#2``). Function
    fields are empty for other kinds; ``awaits`` says whether the scope's own code uses
    ``await``, ``async for`` or ``async with``.
    """

    __slots__ = (
        "awaits",
        "bases",
        "branch",
        "decorators",
        "end_order",
        "globals",
        "id",
        "is_async",
        "is_generator",
        "kind",
        "line",
        "name",
        "nonlocals",
        "order",
        "params",
        "parent",
        "qualpath",
        "results",
        "returns",
        "yields",
    )
    id: int
    kind: str
    name: str
    qualpath: str
    parent: int
    order: int
    branch: int
    line: int
    is_async: bool
    params: tuple[Param, ...]
    returns: Optional[Expr]
    decorators: tuple[Expr, ...]
    bases: tuple[Arg, ...]
    is_generator: bool
    awaits: bool
    results: tuple[Value, ...]
    yields: tuple[Value, ...]
    globals: tuple[str, ...]
    nonlocals: tuple[str, ...]
    end_order: int


@dataclass(frozen=True)
class Branch(Record):
    """One arm of a branching statement (``if``/``else``, ``try``/``except``/``else``/
    ``finally``, a loop body or its ``else``, a ``case``). Arms of one statement share
    ``statement``. ``test`` is an ``if`` arm's condition; ``catches`` the handler types of the
    ``try`` statement (on every arm of it), for compatibility-import guards. ``elif`` is an
    ``if`` statement inside the ``else`` arm, as in ``ast``."""

    __slots__ = ("arm", "catches", "id", "kind", "line", "parent", "scope", "statement", "test")
    id: int
    parent: int
    scope: int
    statement: int
    arm: int
    kind: str  # if | else | try | except | tryelse | finally | loop | loopelse | case
    test: Optional[Expr]
    catches: tuple[Expr, ...]
    line: int

    @property
    def conditional(self) -> bool:
        """Whether code in this arm may not run when the statement runs."""
        return self.kind != "finally"


@dataclass(frozen=True)
class CallSite(Record):
    """A call, where it is made and what happens to its result. ``parent`` is the index of the
    call whose arguments contain this one (-1); ``decorates`` the scope id of the function or
    class a decorator call applies to (-1)."""

    __slots__ = ("branch", "call", "decorates", "line", "order", "parent", "scope", "usage")
    call: Call
    scope: int
    order: int
    branch: int
    usage: str
    parent: int
    decorates: int
    line: int


@dataclass(frozen=True)
class AttributeAssignment(Record):
    """``target = value`` where the target is an attribute (``self.session = s``,
    ``app.router.lifespan_context = f``)."""

    __slots__ = ("annotation", "branch", "line", "order", "scope", "target", "value")
    target: Expr
    value: Optional[Expr]
    annotation: Optional[Expr]
    scope: int
    order: int
    branch: int
    line: int


@dataclass(frozen=True)
class ModuleSummary(Record):
    """Everything the model knows of one module. ``names`` is every identifier the module
    reads or binds (to tell whether a new name would clash)."""

    __slots__ = (
        "attributes",
        "bindings",
        "branches",
        "calls",
        "end_order",
        "is_package",
        "name",
        "names",
        "path",
        "scopes",
    )
    name: str
    path: str
    is_package: bool
    scopes: tuple[Scope, ...]
    bindings: tuple[Binding, ...]
    calls: tuple[CallSite, ...]
    branches: tuple[Branch, ...]
    attributes: tuple[AttributeAssignment, ...]
    names: frozenset[str]
    end_order: int


class _OpenScope:
    """A scope being filled."""

    def __init__(
        self, id: int, kind: str, name: str, qualpath: str, parent: int, order: int, branch: int
    ) -> None:
        self.id = id
        self.kind = kind
        self.name = name
        self.qualpath = qualpath
        self.parent = parent
        self.order = order
        self.branch = branch
        self.line = 0
        self.is_async = False
        self.params: tuple[Param, ...] = ()
        self.returns: Optional[Expr] = None
        self.decorators: tuple[Expr, ...] = ()
        self.bases: tuple[Arg, ...] = ()
        self.is_generator = False
        self.awaits = False
        self.results: list[Value] = []
        self.yields: list[Value] = []
        self.globals: list[str] = []
        self.nonlocals: list[str] = []
        self.children: dict[str, int] = {}  # qualpath -> times defined, for "#2"
        self.branch_stack: list[int] = []  # open arms of this scope, innermost last
        self.end_order = 0


class SummaryBuilder:
    """What both producers call as they walk a module in evaluation order."""

    def __init__(self, name: str, path: str, is_package: bool) -> None:
        self.module_name = name
        self.path = path
        self.is_package = is_package
        self._order = 0
        self._scopes: list[_OpenScope] = []
        self._stack: list[_OpenScope] = []
        self._bindings: list[Binding] = []
        self._calls: list[CallSite] = []
        self._call_stack: list[int] = []
        self._branches: list[Branch] = []
        self._statements = 0
        self._attributes: list[AttributeAssignment] = []
        self._catches: dict[int, tuple[Expr, ...]] = {}
        self.names: set[str] = set()
        self.open_scope(MODULE, "", 0)

    # -- order and position -------------------------------------------------------------------
    def tick(self) -> int:
        self._order += 1
        return self._order

    @property
    def order(self) -> int:
        return self._order

    @property
    def calls_made(self) -> int:
        """The index the next call will get."""
        return len(self._calls)

    @property
    def scope(self) -> int:
        return self._stack[-1].id

    @property
    def branch(self) -> int:
        stack = self._stack[-1].branch_stack
        return stack[-1] if stack else -1

    # -- scopes -------------------------------------------------------------------------------
    def open_scope(self, kind: str, name: str, line: int) -> int:
        parent = self._stack[-1] if self._stack else None
        if parent is None:
            qualpath = ""
        else:
            base = parent.qualpath
            if parent.kind in (FUNCTION, LAMBDA):
                base = f"{base}.<locals>"
            label = name if kind in (FUNCTION, CLASS) else f"<{kind}>"
            qualpath = f"{base}.{label}" if base else label
            seen = parent.children.get(qualpath, 0) + 1
            parent.children[qualpath] = seen
            if seen > 1:
                qualpath = f"{qualpath}#{seen}"
        scope = _OpenScope(
            len(self._scopes),
            kind,
            name,
            qualpath,
            parent.id if parent else -1,
            self.tick(),
            self.branch if parent else -1,
        )
        scope.line = line
        self._scopes.append(scope)
        self._stack.append(scope)
        return scope.id

    def current(self) -> _OpenScope:
        return self._stack[-1]

    def close_scope(self) -> None:
        scope = self._stack.pop()
        scope.end_order = self.tick()

    def declare(self, names: list[str], nonlocal_: bool) -> None:
        scope = self._stack[-1]
        (scope.nonlocals if nonlocal_ else scope.globals).extend(names)

    def _target_scope(self, name: str, scope: _OpenScope) -> int:
        """The scope that a name bound by ``scope``'s code lives in (``global``/``nonlocal``)."""
        if name in scope.globals:
            return 0
        if name in scope.nonlocals:
            position = self._stack.index(scope)
            for outer in reversed(self._stack[:position]):
                if outer.kind in (FUNCTION, LAMBDA):
                    return outer.id
        return scope.id

    # -- events ---------------------------------------------------------------------------------
    def read(self, name: str) -> int:
        self.names.add(name)
        return self.tick()

    def bind(
        self,
        name: str,
        kind: str,
        *,
        value: Optional[Expr] = None,
        annotation: Optional[Expr] = None,
        target: Optional[str] = None,
        definition: int = -1,
        unpack: tuple[int, ...] = (),
        line: int = 0,
        scope: Optional[int] = None,
    ) -> Binding:
        self.names.add(name)
        where = self._stack[-1]
        if kind == WALRUS:
            # ``(x := v)`` in a comprehension binds in the enclosing function or module.
            where = next(s for s in reversed(self._stack) if s.kind != COMPREHENSION)
        target_scope = self._target_scope(name, where) if scope is None else scope
        binding = Binding(
            name,
            kind,
            target_scope,
            self._stack[-1].id,
            self.tick(),
            self.branch,
            value,
            annotation,
            target,
            definition,
            unpack,
            line,
        )
        self._bindings.append(binding)
        return binding

    def enter_call(self) -> int:
        """A call starts (its callee and arguments are lowered next); returns its index."""
        index = len(self._calls)
        self._calls.append(None)  # type: ignore[arg-type]  # filled by leave_call
        self._call_stack.append(index)
        return index

    def leave_call(
        self, index: int, call: Call, usage: str, line: int, decorates: int = -1
    ) -> None:
        self._call_stack.pop()
        parent = self._call_stack[-1] if self._call_stack else -1
        self._calls[index] = CallSite(
            call, self.scope, self.tick(), self.branch, usage, parent, decorates, line
        )

    def set_decorates(self, index: int, scope: int) -> None:
        site = self._calls[index]
        self._calls[index] = CallSite(
            site.call,
            site.scope,
            site.order,
            site.branch,
            DECORATOR,
            site.parent,
            scope,
            site.line,
        )

    def assign_attribute(
        self, target: Expr, value: Optional[Expr], annotation: Optional[Expr], line: int
    ) -> None:
        self._attributes.append(
            AttributeAssignment(
                target, value, annotation, self.scope, self.tick(), self.branch, line
            )
        )

    def result(self, expr: Expr) -> None:
        scope = self._stack[-1]
        scope.results.append(Value(expr, self.tick(), self.branch))

    def yielded(self, expr: Optional[Expr]) -> None:
        scope = self._stack[-1]
        scope.is_generator = True
        if expr is not None:
            scope.yields.append(Value(expr, self.tick(), self.branch))

    def awaited(self) -> None:
        """The code of the innermost function uses ``await``/``async for``/``async with`` (a
        comprehension's code is its function's code)."""
        for scope in reversed(self._stack):
            if scope.kind != COMPREHENSION:
                scope.awaits = True
                return

    # -- branches ---------------------------------------------------------------------------------
    def new_statement(self) -> int:
        self._statements += 1
        return self._statements

    def open_arm(
        self,
        statement: int,
        arm: int,
        kind: str,
        line: int,
        test: Optional[Expr] = None,
        catches: tuple[Expr, ...] = (),
    ) -> None:
        scope = self._stack[-1]
        branch = Branch(
            len(self._branches),
            self.branch,
            scope.id,
            statement,
            arm,
            kind,
            test,
            catches,
            line,
        )
        self._branches.append(branch)
        scope.branch_stack.append(branch.id)

    def close_arm(self) -> None:
        self._stack[-1].branch_stack.pop()

    def set_catches(self, statement: int, catches: tuple[Expr, ...]) -> None:
        """The handler types of a ``try`` statement, known once its handlers are lowered."""
        if catches:
            self._catches[statement] = catches

    # -- result ---------------------------------------------------------------------------------
    def finish(self) -> ModuleSummary:
        while self._stack:
            self.close_scope()
        scopes = tuple(
            Scope(
                s.id,
                s.kind,
                s.name,
                s.qualpath,
                s.parent,
                s.order,
                s.branch,
                s.line,
                s.is_async,
                s.params,
                s.returns,
                s.decorators,
                s.bases,
                s.is_generator,
                s.awaits,
                tuple(s.results),
                tuple(s.yields),
                tuple(s.globals),
                tuple(s.nonlocals),
                s.end_order,
            )
            for s in self._scopes
        )
        return ModuleSummary(
            self.module_name,
            self.path,
            self.is_package,
            scopes,
            tuple(self._bindings),
            tuple(self._calls),
            tuple(
                Branch(b.id, b.parent, b.scope, b.statement, b.arm, b.kind, b.test, catches, b.line)
                if (catches := self._catches.get(b.statement))
                else b
                for b in self._branches
            ),
            tuple(self._attributes),
            frozenset(self.names),
            self._order,
        )
