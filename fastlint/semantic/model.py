"""What a name means at a point of a module: scopes, the bindings in force, qualified names.

:class:`ModuleModel` answers these questions over a :class:`~fastlint.semantic.summary.
ModuleSummary`, for any module of the project. :class:`FileModel` is the model of the file
being checked: the same answers, asked with the LibCST node a rule is looking at.

Python's rules, as the model applies them:

* A name is local to a function (or comprehension) when that scope binds it anywhere, unless it
  is declared ``global``/``nonlocal``; a class body's names are not visible from the functions
  defined in it.
* The bindings in force at a point are those that may reach it: the last binding before it
  that dominates it, and every later one in a branch that may have run (an ``if`` arm reaches
  code after the ``if``, not code in its ``else``). Loops are not iterated.
* Code that runs later (a function body) sees the enclosing scopes as they are at their end; code
  that runs at once (a class body, a comprehension) sees it as it is where it stands.
* A name several bindings may give different meanings has no single meaning: the model says
  so (None) rather than guess, except for ``try: import a`` / ``except ImportError: import b``
  compatibility imports, where the last import is taken.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Protocol

from fastlint.semantic import ir
from fastlint.semantic import summary as s
from fastlint.semantic.summary import Binding, Branch, CallSite, ModuleSummary, Scope

if TYPE_CHECKING:
    import libcst as cst

    from fastlint.semantic.from_cst import CstSummary
    from fastlint.semantic.types import Types, ValueType

__all__ = [
    "BUILTINS",
    "FileModel",
    "Lookup",
    "ModuleModel",
    "Point",
    "ProjectView",
]

BUILTINS = frozenset(dir(builtins))
_LOCAL_IN_FUNCTIONS = frozenset(
    {
        s.IMPORT,
        s.DEF,
        s.CLASSDEF,
        s.ASSIGN,
        s.DECLARE,
        s.AUGMENT,
        s.WALRUS,
        s.FOR,
        s.WITH,
        s.EXCEPT,
        s.PARAM,
        s.DELETE,
        s.MATCH,
        s.TYPE_PARAM,
        s.TYPE_ALIAS,
        s.STAR,
    }
)
_IMMEDIATE = frozenset({s.CLASS, s.COMPREHENSION})
# An identifier that names a version: ``version``, ``version_info``, ``PYDANTIC_VERSION``,
# ``PYDANTIC_V2``, ``pydantic2``, ``IS_V1``, ``V2``, ``PY310``, ``PY_39``.
_VERSION_IDENTIFIER = re.compile(
    r"version|pydantic_?v?\d|^_*(?:is_|has_|use_|using_)?v\d+$|^_*py_?\d", re.IGNORECASE
)
# A ``try`` that catches one of these around a name is a compatibility fallback: an import
# that may not exist, or an attribute that older versions lack (``status.HTTP_422_...``).
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError"})
_PROBES = frozenset({"builtins.hasattr", "builtins.getattr"})
# ``hasattr(pydantic, "field_validator")``: a feature probe of one of these is a version guard.
_PROBED_LIBRARIES = frozenset({"pydantic", "starlette", "fastapi"})
# Arms of one statement that never both run.
_EXCLUSIVE = frozenset(
    {
        ("if", "else"),
        ("else", "if"),
        ("except", "except"),
        ("except", "tryelse"),
        ("tryelse", "except"),
        ("case", "case"),
    }
)


@dataclass(frozen=True)
class Point:
    """A place in a module's code: the scope it runs in, the event it stands at (every event
    numbered below ``order`` has happened there; see the ordering in :mod:`fastlint.semantic.
    summary`), and its innermost branch arm (-1: none). A binding's value is evaluated at the
    binding's own order, a node of the checked file stands just after the last event before
    it."""

    scope: int
    order: int
    branch: int


@dataclass(frozen=True)
class Lookup:
    """What a name refers to at a point. ``kind`` is ``"bound"`` (``bindings`` may reach it;
    ``scope`` is the scope whose namespace holds it), ``"builtin"``, ``"star"`` (only a ``from
    m import *`` can provide it: ``stars`` are those modules) or ``"unbound"``."""

    kind: str
    scope: int = -1
    bindings: tuple[Binding, ...] = ()
    stars: tuple[str, ...] = ()


class ProjectView(Protocol):
    """What the model and type inference need of the project: modules by dotted name, the
    module holding a qualified name, and re-exports followed."""

    def module(self, name: str, near: Optional[str] = None) -> Optional[ModuleModel]: ...

    def canonical(self, qualname: str, near: Optional[str] = None) -> str: ...

    def split(
        self, qualname: str, near: Optional[str] = None
    ) -> Optional[tuple[ModuleModel, str]]: ...


class ModuleModel:
    """The semantic model of one module."""

    def __init__(self, summary: ModuleSummary, project: Optional[ProjectView] = None) -> None:
        self.summary = summary
        self.name = summary.name
        self.project = project
        self._by_name: dict[tuple[int, str], list[Binding]] = {}
        for binding in summary.bindings:
            self._by_name.setdefault((binding.scope, binding.name), []).append(binding)
        self._ancestry: dict[int, tuple[int, ...]] = {}
        self._qualnames: dict[tuple[int, str], Optional[str]] = {}
        self._scope_paths: Optional[dict[str, int]] = None
        self._stars: Optional[tuple[str, ...]] = None
        self._calls_by_scope: Optional[dict[int, list[int]]] = None
        self._defined: dict[int, list[Binding]] = {}
        for binding in summary.bindings:
            if binding.definition >= 0:
                self._defined.setdefault(binding.definition, []).append(binding)

    # -- structure -----------------------------------------------------------------------------
    @property
    def module_scope(self) -> Scope:
        return self.summary.scopes[0]

    def scope(self, scope_id: int) -> Scope:
        return self.summary.scopes[scope_id]

    def parent(self, scope: Scope) -> Optional[Scope]:
        return self.summary.scopes[scope.parent] if scope.parent >= 0 else None

    def branch(self, branch_id: int) -> Branch:
        return self.summary.branches[branch_id]

    def scopes_named(self, qualpath: str) -> Optional[Scope]:
        """The scope with this ``__qualname__``-like path (``create_app.<locals>.index``)."""
        if self._scope_paths is None:
            self._scope_paths = {scope.qualpath: scope.id for scope in self.summary.scopes}
        found = self._scope_paths.get(qualpath)
        return self.summary.scopes[found] if found is not None else None

    def symbol_of(self, scope: Scope) -> str:
        """The qualified name of a function or class: ``app.main.create_app.<locals>.index``."""
        return f"{self.name}.{scope.qualpath}" if scope.qualpath else self.name

    def definition_binding(self, scope: Scope) -> Optional[Binding]:
        """The binding that a ``def``/``class`` statement makes for ``scope``."""
        found = self._defined.get(scope.id)
        return found[0] if found else None

    def functions(self) -> Iterator[Scope]:
        return (scope for scope in self.summary.scopes if scope.kind == s.FUNCTION)

    def classes(self) -> Iterator[Scope]:
        return (scope for scope in self.summary.scopes if scope.kind == s.CLASS)

    def calls_in(self, scope: Scope) -> Iterator[CallSite]:
        """The calls ``scope``'s own code makes (not nested functions, lambdas or classes;
        comprehensions are part of their function's code)."""
        for _, site in self.own_calls(scope):
            yield site

    def own_calls(self, scope: Scope) -> Iterator[tuple[int, CallSite]]:
        """Like :meth:`calls_in`, with each call's index in ``summary.calls``."""
        if self._calls_by_scope is None:
            by_scope: dict[int, list[int]] = {}
            for index, site in enumerate(self.summary.calls):
                by_scope.setdefault(self.code_scope(site.scope), []).append(index)
            self._calls_by_scope = by_scope
        calls = self.summary.calls
        for index in self._calls_by_scope.get(scope.id, ()):
            yield index, calls[index]

    def code_scope(self, scope_id: int) -> int:
        """The function, class or module whose code a scope's code is part of (comprehensions
        run as part of the code around them)."""
        scope = self.summary.scopes[scope_id]
        while scope.kind == s.COMPREHENSION:
            scope = self.summary.scopes[scope.parent]
        return scope.id

    def enclosing_function(self, scope_id: int) -> Optional[Scope]:
        scope: Optional[Scope] = self.summary.scopes[scope_id]
        while scope is not None and scope.kind not in (s.FUNCTION, s.LAMBDA):
            scope = self.parent(scope)
        return scope

    def bindings(self, scope: int, name: str) -> Sequence[Binding]:
        """Every binding of ``name`` in the namespace of ``scope``, in order."""
        return self._by_name.get((scope, name), ())

    def end_of(self, scope: Scope) -> Point:
        return Point(scope.id, scope.end_order, -1)

    # -- branches -------------------------------------------------------------------------------
    def arms(self, branch: int) -> tuple[int, ...]:
        """The arms enclosing ``branch``, outermost first, ``branch`` included."""
        if branch < 0:
            return ()
        found = self._ancestry.get(branch)
        if found is None:
            parent = self.summary.branches[branch].parent
            found = (*self.arms(parent), branch)
            self._ancestry[branch] = found
        return found

    def exclusive(self, first: int, second: int) -> bool:
        """Whether code in arm ``first`` and code in arm ``second`` never both run."""
        a, b = self.arms(first), self.arms(second)
        for x, y in zip(a, b):
            if x == y:
                continue
            bx, by = self.summary.branches[x], self.summary.branches[y]
            return bx.statement == by.statement and (bx.kind, by.kind) in _EXCLUSIVE
        return False

    def dominates(self, branch: int, point_branch: int) -> bool:
        """Whether code in ``branch`` certainly ran before a point in ``point_branch`` that
        follows it (the branch encloses the point, or is unconditional)."""
        return branch < 0 or branch in self.arms(point_branch)

    # -- lookup ---------------------------------------------------------------------------------
    def reaching(self, scope: int, name: str, point: Point) -> tuple[Binding, ...]:
        """The bindings of ``name`` in ``scope``'s namespace that may be in force at ``point``
        (a point of that scope's own code)."""
        candidates = self.bindings(scope, name)
        if not candidates:
            return ()
        found: list[Binding] = []
        deferred: list[Binding] = []
        for binding in reversed(candidates):
            if binding.deferred:
                deferred.append(binding)
                continue
            if binding.kind == s.DECLARE or binding.order >= point.order:
                continue
            if self.exclusive(binding.branch, point.branch):
                continue
            found.append(binding)
            if self.dominates(binding.branch, point.branch):
                break
        found.reverse()
        return (*found, *reversed(deferred))

    def _is_local(self, scope: Scope, name: str) -> bool:
        """Whether ``scope``'s namespace holds ``name``. In a function any binding, even an
        annotation alone, makes the name local; in a module or class an annotation alone binds
        nothing, and a module-level name may be bound from a function through ``global``."""
        for binding in self.bindings(scope.id, name):
            if binding.kind == s.DECLARE and scope.kind in (s.MODULE, s.CLASS):
                continue
            if binding.deferred and scope.kind != s.MODULE:
                continue
            return True
        return False

    def lookup(self, name: str, point: Point) -> Lookup:
        """What ``name`` refers to at ``point``."""
        scope: Optional[Scope] = self.summary.scopes[point.scope]
        at = point
        first = True
        later = False  # inside a function body: the enclosing code has run to its end
        while scope is not None:
            if name in scope.globals and scope.kind != s.MODULE:
                module = self.module_scope
                return self._bound(module, name, self.end_of(module))
            hidden = scope.kind == s.CLASS and not first  # class bodies do not enclose methods
            if not hidden and name not in scope.nonlocals and self._is_local(scope, name):
                found = self._bound(scope, name, at)
                if found.bindings or scope.kind != s.CLASS:
                    return found
                # A class body reads a name it has not bound yet from the enclosing scopes.
            parent = self.parent(scope)
            if parent is not None:
                # A function body runs later: it sees the enclosing scopes at their end; a
                # class body or a comprehension runs where it stands.
                later = later or scope.kind not in _IMMEDIATE
                at = self.end_of(parent) if later else Point(parent.id, scope.order, scope.branch)
            scope = parent
            first = False
        if name in BUILTINS:
            return Lookup("builtin")
        stars = self.star_modules()
        if stars:
            return Lookup("star", stars=stars)
        return Lookup("unbound")

    def _bound(self, scope: Scope, name: str, at: Point) -> Lookup:
        reaching = self.reaching(scope.id, name, at)
        if not reaching and scope.kind == s.MODULE and name in BUILTINS:
            # Read before any module-level binding: the builtin is what runs.
            return Lookup("builtin")
        return Lookup("bound", scope.id, reaching)

    def star_modules(self) -> tuple[str, ...]:
        if self._stars is None:
            self._stars = tuple(
                b.target for b in self.bindings(0, "*") if b.kind == s.STAR and b.target
            )
        return self._stars

    def names_at_end(self, name: str) -> tuple[Binding, ...]:
        """The module-level bindings of ``name`` that may be in force once the module has run
        (what other modules see)."""
        return self.reaching(0, name, self.end_of(self.module_scope))

    # -- meanings -------------------------------------------------------------------------------
    def binding_symbol(self, binding: Binding) -> Optional[str]:
        """The qualified name a binding gives its name: the imported name for an import, the
        definition for ``def``/``class``, else the variable itself (``app.main.app``, or
        ``app.main.create_app.<locals>.app`` for a local)."""
        if binding.kind == s.IMPORT:
            return binding.target
        if binding.kind in (s.DEF, s.CLASSDEF) and binding.definition >= 0:
            return self.symbol_of(self.summary.scopes[binding.definition])
        if binding.kind in (s.DELETE, s.STAR, s.DECLARE):
            return None
        return self.variable_symbol(binding.scope, binding.name)

    def variable_symbol(self, scope_id: int, name: str) -> str:
        scope = self.summary.scopes[scope_id]
        if scope.kind == s.MODULE:
            return f"{self.name}.{name}"
        if scope.kind == s.CLASS:
            return f"{self.name}.{scope.qualpath}.{name}"
        return f"{self.name}.{scope.qualpath}.<locals>.{name}"

    def name_meaning(self, name: str, point: Point) -> Optional[str]:
        """The qualified name ``name`` stands for at ``point``, or None when it has no single
        meaning. Builtins are ``builtins.<name>``."""
        found = self.lookup(name, point)
        if found.kind == "builtin":
            return f"builtins.{name}"
        if found.kind == "star":
            return self._star_meaning(name, found.stars)
        if found.kind != "bound" or not found.bindings:
            if found.kind == "bound" and not found.bindings:
                scope = self.summary.scopes[found.scope]
                if scope.kind == s.MODULE and self.star_modules():
                    return self._star_meaning(name, self.star_modules())
            return None
        return self.meaning_of(found.bindings)

    def meaning_of(self, bindings: Sequence[Binding]) -> Optional[str]:
        meanings = [self.binding_symbol(b) for b in bindings]
        if any(m is None for m in meanings):
            return None
        if len(set(meanings)) == 1:
            return meanings[0]
        if all(b.kind == s.IMPORT for b in bindings):
            return meanings[-1]  # a compatibility import: the last one wins
        if all(b.kind in (s.ASSIGN, s.AUGMENT, s.WALRUS, s.FOR, s.WITH, s.PARAM) for b in bindings):
            variables = {self.variable_symbol(b.scope, b.name) for b in bindings}
            if len(variables) == 1:
                return variables.pop()
        return None

    def _star_meaning(self, name: str, stars: Sequence[str]) -> Optional[str]:
        project = self.project
        external: list[str] = []
        for star in stars:
            model = project.module(star, self.summary.path) if project is not None else None
            if model is None:
                external.append(star)
                continue
            if model.exports(name):
                return f"{star}.{name}"
        if len(external) == 1 and len(stars) == 1:
            return f"{external[0]}.{name}"
        return None

    def exports(self, name: str) -> bool:
        """Whether the module defines or imports ``name`` at module level."""
        return bool(self.bindings(0, name)) or any(
            self.project is not None
            and (other := self.project.module(star, self.summary.path)) is not None
            and other is not self
            and bool(other.bindings(0, name))
            for star in self.star_modules()
        )

    def may_name(self, expr: ir.Expr, names: Collection[str]) -> bool:
        """Whether a chain of names may stand for something whose own name is one of
        ``names``: spelled so (``pydantic.validator``, ``validator``), or a module-level name
        imported as one (``from pydantic import validator as v``). A cheap test before
        :meth:`qualified_name`, which may read other modules to follow re-exports."""
        chain = ir.dotted(expr)
        if chain is None:
            return False
        head, _, rest = chain.partition(".")
        if chain.rsplit(".", 1)[-1] in names:
            return True
        if rest:
            return False
        return any(
            b.kind == s.IMPORT and b.target is not None and b.target.rsplit(".", 1)[-1] in names
            for b in self.bindings(0, head)
        )

    def qualified_name(self, expr: ir.Expr, point: Point) -> Optional[str]:
        """The qualified name a chain of names and attributes refers to at ``point``, through
        imports and the project's re-exports (``Depends`` -> ``fastapi.Depends``), or None."""
        chain = ir.dotted(expr)
        if chain is None:
            return None
        head, _, rest = chain.partition(".")
        base = self.name_meaning(head, point)
        if base is None:
            return None
        qualname = f"{base}.{rest}" if rest else base
        if self.project is not None:
            return self.project.canonical(qualname, self.summary.path)
        return qualname

    def is_rebound_after(self, name: str, point: Point) -> bool:
        """Whether ``name``, as seen at ``point``, may be bound again or deleted by code that
        runs after it: a later binding in its scope, or one made from another scope
        (``global``/``nonlocal``) at any time."""
        found = self.lookup(name, point)
        if found.kind != "bound":
            return False
        return any(
            (binding.deferred or binding.order >= point.order) and binding.kind != s.DECLARE
            for binding in self.bindings(found.scope, name)
        )

    # -- guards -----------------------------------------------------------------------------------
    def arms_at(self, point: Point) -> Iterator[Branch]:
        """The branch arms around ``point``, innermost first, across enclosing scopes."""
        scope: Optional[Scope] = self.summary.scopes[point.scope]
        branch = point.branch
        while scope is not None:
            for arm in reversed(self.arms(branch)):
                yield self.summary.branches[arm]
            branch = scope.branch
            scope = self.parent(scope)

    def statement_arms(self, statement: int) -> Iterable[Branch]:
        return (b for b in self.summary.branches if b.statement == statement)

    def is_version_guard(self, arm: Branch) -> bool:
        """Whether the statement of ``arm`` is written for two worlds on purpose: an ``if``
        on a version (``PYDANTIC_V2``, ``sys.version_info >= (3, 10)``, a
        ``hasattr(pydantic, ...)`` probe: its body and every ``elif``/``else``) or a ``try``
        with an ``except ImportError`` (a compatibility import: all of it) or an ``except
        AttributeError`` (an attribute that only some versions have)."""
        if arm.catches:
            return any(_names_import_error(expr) for expr in arm.catches)
        if arm.kind in ("if", "else"):
            test = next(
                (b.test for b in self.statement_arms(arm.statement) if b.kind == "if"), None
            )
            return test is not None and self._is_version_test(test, arm)
        return False

    def _is_version_test(self, test: ir.Expr, arm: Branch) -> bool:
        scope = self.summary.scopes[arm.scope]
        point = Point(scope.id, scope.end_order, -1)  # the names as the module ends up
        for expr in ir.walk(test):
            if isinstance(expr, ir.Name) and _VERSION_IDENTIFIER.search(expr.id):
                return True
            if isinstance(expr, ir.Attribute) and _VERSION_IDENTIFIER.search(expr.attr):
                return True
            if (
                isinstance(expr, ir.Call)
                and isinstance(expr.func, ir.Name)
                and expr.args
                and self.name_meaning(expr.func.id, point) in _PROBES
            ):
                probed = self.qualified_name(expr.args[0].value, point)
                if probed is not None and probed.split(".")[0] in _PROBED_LIBRARIES:
                    return True
        return False

    def in_version_guard(self, point: Point) -> bool:
        return any(self.is_version_guard(arm) for arm in self.arms_at(point))

    def guarded_imports(self) -> frozenset[str]:
        """Local names bound by an import inside a version guard, anywhere in the module: they
        mean different things in the two worlds, so migration rules leave their uses alone."""
        names = set()
        for binding in self.summary.bindings:
            if binding.kind == s.IMPORT and binding.branch >= 0:
                point = Point(binding.origin, binding.order, binding.branch)
                if self.in_version_guard(point):
                    names.add(binding.name)
        return frozenset(names)


def _names_import_error(expr: ir.Expr) -> bool:
    if isinstance(expr, ir.Collection):
        return any(_names_import_error(element) for element in expr.elements)
    chain = ir.dotted(expr)
    return chain is not None and chain.split(".")[-1] in _IMPORT_ERRORS


class FileModel(ModuleModel):
    """The model of the file being checked, queried with its LibCST nodes."""

    def __init__(self, cst_summary: CstSummary, project: Optional[ProjectView] = None) -> None:
        super().__init__(cst_summary.summary, project)
        self.cst = cst_summary
        self.types: Optional[Types] = None  # set by the file's context
        self._guarded: Optional[frozenset[str]] = None
        self._call_nodes: Optional[dict[int, cst.Call]] = None

    def type_of(self, node: cst.CSTNode) -> Optional[ValueType]:
        """The class of the value of an expression node, when known."""
        expr = self.cst.exprs.get(node)
        point = self.point_of(node)
        if expr is None or point is None or self.types is None:
            return None
        return self.types.type_of(self, expr, point)

    def is_guarded(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` sits in code under a version guard."""
        point = self.point_of(node)
        return point is not None and self.in_version_guard(point)

    def guarded_names(self) -> frozenset[str]:
        if self._guarded is None:
            self._guarded = self.guarded_imports()
        return self._guarded

    def rebound_after(self, name: str, node: cst.CSTNode) -> bool:
        """Whether ``name``, as seen at ``node``, may be bound again or deleted later."""
        point = self.point_of(node)
        return point is None or self.is_rebound_after(name, point)

    def lookup_at(self, name: str, node: cst.CSTNode) -> Optional[Lookup]:
        point = self.point_of(node)
        return self.lookup(name, point) if point is not None else None

    def point_of(self, node: cst.CSTNode) -> Optional[Point]:
        found = self.cst.points.get(node)
        return Point(*found) if found is not None else None

    def expr_of(self, node: cst.CSTNode) -> Optional[ir.Expr]:
        return self.cst.exprs.get(node)

    def scope_of(self, node: cst.CSTNode) -> Optional[Scope]:
        """The scope a ``def``/``class``/lambda/comprehension node opens."""
        found = self.cst.scopes.get(node)
        return self.summary.scopes[found] if found is not None else None

    def may_resolve_to(self, node: cst.CSTNode, names: Collection[str]) -> bool:
        """Whether a Name/Attribute node may mean something named one of ``names`` (see
        :meth:`may_name`)."""
        expr = self.cst.exprs.get(node)
        return expr is not None and self.may_name(expr, names)

    def resolve(self, node: cst.CSTNode) -> Optional[str]:
        """The qualified name of a Name/Attribute node where it stands."""
        expr = self.cst.exprs.get(node)
        point = self.point_of(node)
        if expr is None or point is None:
            return None
        return self.qualified_name(expr, point)

    def call_site(self, node: cst.Call) -> Optional[CallSite]:
        index = self.cst.calls.get(node)
        return self.summary.calls[index] if index is not None else None

    def call_node(self, index: int) -> Optional[cst.Call]:
        """The LibCST node of the call at ``summary.calls[index]``."""
        if self._call_nodes is None:
            self._call_nodes = {position: node for node, position in self.cst.calls.items()}
        return self._call_nodes.get(index)

    def bindings_of(self, node: cst.CSTNode) -> Sequence[Binding]:
        """The bindings a defining node makes (a target name, a ``def``, an import alias)."""
        return self.cst.bindings.get(node, ())
