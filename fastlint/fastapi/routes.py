"""The project's route table: every path operation, with the path FastAPI serves it at.

Built from the project facts (:mod:`fastlint.fastapi.facts`: apps, routers, route
registrations, ``include_router`` and ``mount`` calls, across modules and app factories), with
static values for paths, prefixes and names (:mod:`fastlint.semantic.values`). Nothing is
imported or executed.

* A route's **full path** is the concatenation of the ``include_router(prefix=...)`` prefixes
  and ``APIRouter(prefix=...)`` prefixes of its include chain, outermost first, and its own
  path, as FastAPI builds it. A route registered on an app that is mounted
  (``app.mount("/v1", subapp)``) belongs to that sub-application: ``app`` is the sub-app and
  ``mounted_at`` the mount path.
* **Order** is registration order: source order, except that stacked route decorators on one
  function register bottom-up. Two registrations are ordered when they are made by the same
  code (one module, one scope); a route made at module level of the module that defines its
  router comes before an include of that router made in another module (that module had to
  import it). Anything else is not ordered.
* **Versions**: before FastAPI 0.137 ``include_router`` copies the routes the router has at
  that moment; from 0.137 on, routes added later are served too. With a project that may run
  on the older versions, a route added after the include is left out of that include (or,
  when the declared range spans both, kept and marked).
* What cannot be resolved statically (a prefix from a runtime value, the router of a loop, a
  receiver that is a function parameter, an ``APIRouter`` subclass that overrides how routes
  are added) is listed in the entry's ``unresolved``, never guessed; paths show ``<?>`` where a
  part is unknown. Rules that need a complete table stay silent there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from fastlint.semantic import ir, knowledge
from fastlint.semantic import summary as s
from fastlint.semantic.model import ModuleModel, Point
from fastlint.semantic.summary import CallSite
from fastlint.semantic.types import Definition, binding_point
from fastlint.semantic.values import Values

if TYPE_CHECKING:
    from fastlint.fastapi.facts import AppObject, ProjectFacts, Registration

__all__ = [
    "Conflict",
    "Include",
    "Mount",
    "RouteEntry",
    "RouteTable",
    "conflicts",
    "path_matches",
    "route_table",
]

UNKNOWN = "<?>"
_FRAMEWORKS = ("fastapi.", "starlette.")
# FastAPI serves routers as a tree (later routes included) from this release on.
LIVE_INCLUDES_SINCE = "0.137"
_HTTP_METHODS = {
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "head": "HEAD",
    "options": "OPTIONS",
    "trace": "TRACE",
}
# Methods of APIRouter/FastAPI that decide how a route is added: a subclass overriding one of
# them may serve different paths than the ones written.
_ROUTE_ADDING = frozenset(
    {
        *_HTTP_METHODS,
        "api_route",
        "add_api_route",
        "route",
        "add_route",
        "websocket",
        "add_api_websocket_route",
        "websocket_route",
        "add_websocket_route",
        "include_router",
        "__init__",
    }
)
# Calls whose first argument is a route's path, with the methods they register by default
# (None: from the ``methods=`` argument, GET when absent), and whether a GET route also
# answers HEAD (Starlette's ``Route`` does, FastAPI's ``APIRoute`` does not).
_STARLETTE_ROUTES = frozenset({"route", "add_route", "starlette.routing.Route"})
_WEBSOCKETS = frozenset(
    {
        "websocket",
        "websocket_route",
        "add_api_websocket_route",
        "add_websocket_route",
        "fastapi.routing.APIWebSocketRoute",
        "starlette.routing.WebSocketRoute",
    }
)
_ENDPOINT_POSITION = {"add_api_route": 1, "add_route": 1}
_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")
_CONVERTERS = {
    "str": "[^/]+",
    "path": ".*",
    "int": "[0-9]+",
    "float": r"[0-9]+(?:\.[0-9]+)?",
    "uuid": "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
}


@dataclass(frozen=True)
class Position:
    """Where a registration is made: comparable with another made by the same code."""

    module: str
    scope: int
    key: tuple[int, int]
    module_level: bool
    branch: int = -1
    in_test: bool = False  # made inside a pytest test function
    # The import root of the module's file: two modules of one name in two apps of one tree
    # are told apart by it.
    root: str = ""


@dataclass(frozen=True)
class Include:
    """One ``include_router`` call: ``parent`` includes ``child`` (keys of app/router objects;
    None when not resolved) with ``prefix`` (None: not statically known)."""

    parent: Optional[str]
    child: Optional[str]
    prefix: Optional[str]
    dependencies: tuple[str, ...]
    module: str
    filename: str
    line: int
    position: Position
    unresolved: tuple[str, ...]
    dependencies_known: bool
    site: Optional[CallSite] = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Mount:
    """One ``app.mount(path, app, name=...)``: ``child`` is the key of the mounted app or
    router when it is one of the project's (else None: static files, a WSGI app...)."""

    parent: Optional[str]
    child: Optional[str]
    path: Optional[str]
    name: Optional[str]
    has_name: bool
    module: str
    filename: str
    line: int


@dataclass(frozen=True)
class _Route:
    """A route as registered on its app or router (before includes)."""

    registration: Registration
    owner: Optional[str]
    methods: tuple[str, ...]
    path: Optional[str]  # with the owner's own prefix
    name: Optional[str]
    handler: Optional[str]
    filename: str
    line: int
    endpoint_file: Optional[str]
    endpoint_line: Optional[int]
    response_model: Optional[str]
    status_code: object
    dependencies: tuple[str, ...]
    dependencies_known: bool
    position: Position
    model: ModuleModel
    site: Optional[CallSite]
    unresolved: tuple[str, ...]


@dataclass(frozen=True)
class RouteEntry:
    """One method of one path operation as it is served: see the module docstring."""

    method: str
    path: str
    name: Optional[str]
    handler: Optional[str]
    filename: Optional[str]
    line: Optional[int]
    app: Optional[str]
    mounted_at: Optional[str]
    routers: tuple[Include, ...]
    unresolved: tuple[str, ...]
    response_model: Optional[str]
    status_code: object
    dependencies: tuple[str, ...]
    # Whether ``dependencies`` lists every dependency of the app, routers and route.
    dependencies_complete: bool
    route: _Route = field(repr=False, compare=False)
    steps: tuple[Position, ...] = field(repr=False, compare=False, default=())
    root: Optional[str] = None  # the app, or the router at the top of an unplaced chain

    @property
    def resolved_path(self) -> bool:
        return UNKNOWN not in self.path

    def as_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "path": self.path,
            "name": self.name,
            "handler": self.handler,
            "filename": self.filename,
            "line": self.line,
            "app": self.app,
            "mounted_at": self.mounted_at,
            "routers": [
                {
                    "router": include.child,
                    "prefix": include.prefix,
                    "filename": include.filename,
                    "line": include.line,
                }
                for include in self.routers
            ],
            "unresolved": list(self.unresolved),
        }


@dataclass
class RouteTable:
    """Every route of a project, and what it is made of."""

    entries: list[RouteEntry] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    # Parts of the project that make the table incomplete: includes of routers that are not
    # resolved, routes on receivers that are not resolved...
    unresolved: list[str] = field(default_factory=list)
    routes: list[_Route] = field(default_factory=list)
    # What `fastlint routes PATH` lists: the entries of routes registered under PATH.
    shown: Optional[list[RouteEntry]] = None
    models: dict[str, ModuleModel] = field(default_factory=dict)
    prefixes: dict[str, Optional[str]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.unresolved and all(not e.unresolved for e in self.entries)

    _conflicts: Optional[list[Conflict]] = None
    _dead: Optional[dict[str, int]] = None
    _by_site: Optional[dict[tuple[str, int], list[RouteEntry]]] = None
    _uses: dict[str, list[_Use]] = field(default_factory=dict)  # see ``_find_uses``

    def conflicts(self) -> list[Conflict]:
        """Duplicate and shadowed routes (computed once)."""
        if self._conflicts is None:
            self._conflicts = conflicts(self)
        return self._conflicts

    def included(self, key: str) -> bool:
        return any(include.child == key for include in self.includes)

    def entries_of(self, module: str, site: CallSite) -> list[RouteEntry]:
        """The entries that the registration made by ``site`` in ``module`` produces."""
        if self._by_site is None:
            self._by_site = {}
            for entry in self.entries:
                made_by = entry.route.site
                if made_by is not None:
                    key = (entry.route.registration.module, made_by.order)
                    self._by_site.setdefault(key, []).append(entry)
        return list(self._by_site.get((module, site.order), ()))


def route_table(facts: ProjectFacts) -> RouteTable:
    """The route table of the project whose facts are ``facts`` (built once per facts: they
    are rebuilt when a module changes)."""
    table = facts.derived.get("routes")
    if not isinstance(table, RouteTable):
        table = facts.derived["routes"] = _Builder(facts).build()
    return table


# -- paths -----------------------------------------------------------------------------------


def path_pattern(path: str) -> re.Pattern[str]:
    """The regular expression Starlette compiles a path template to."""
    out = ["^"]
    last = 0
    for match in _PARAM.finditer(path):
        out.append(re.escape(path[last : match.start()]))
        out.append(f"(?:{_CONVERTERS.get(match.group(2) or 'str', '[^/]+')})")
        last = match.end()
    out.append(re.escape(path[last:]))
    out.append("$")
    return re.compile("".join(out))


def path_params(path: str) -> list[str]:
    return [match.group(1) for match in _PARAM.finditer(path)]


def normalized(path: str) -> str:
    """A template with its parameter names dropped (``/items/{id:int}`` -> ``/items/{:int}``):
    two templates that match the same requests."""
    return _PARAM.sub(lambda m: "{:" + (m.group(2) or "str") + "}", path)


def is_static(path: str) -> bool:
    return _PARAM.search(path) is None


def path_matches(template: str, path: str) -> bool:
    """Whether the parameterised ``template`` matches the static ``path``."""
    return path_pattern(template).match(path) is not None


# -- conflicts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """``later`` can never be reached because of ``earlier``: same method and the same path
    (``kind`` "duplicate"), or a parameterised path matching its static path ("shadowed").
    ``ordered`` is False when which one FastAPI registers first is not known (then ``later``
    is simply the second by file and line)."""

    kind: str
    later: RouteEntry
    earlier: RouteEntry
    ordered: bool
    report_module: str
    report_site: Optional[CallSite]


def compare(first: RouteEntry, second: RouteEntry) -> Optional[int]:
    """-1 when ``first`` is registered before ``second`` in their app, 1 after, None when not
    known."""
    for a, b in zip(first.steps, second.steps):
        if a == b:
            continue
        if a.module != b.module or a.scope != b.scope:
            return None
        return -1 if a.key < b.key else 1
    return None


def _reporting_step(later: RouteEntry, earlier: RouteEntry) -> tuple[str, Optional[CallSite]]:
    """Where to report ``later``: its route registration, unless both entries come from the
    same one (a router included twice): then the include that makes the second copy."""
    if later.route.registration is not earlier.route.registration:
        return later.route.registration.module, later.route.site
    for a, b, include in zip(later.steps, earlier.steps, later.routers):
        if a != b:
            return include.module, include.site
    return later.route.registration.module, later.route.site


def conflicts(table: RouteTable) -> list[Conflict]:
    """Duplicate and shadowed routes of every app and router (entries with unknown paths are
    left out)."""
    groups: dict[tuple[Optional[str], Optional[str], str], list[RouteEntry]] = {}
    for entry in table.entries:
        if entry.root is None or not entry.resolved_path or entry.method == "HEAD*":
            continue
        if any("order" in part or "0.137" in part for part in entry.unresolved):
            continue
        if any("matching" in part for part in entry.unresolved):
            continue
        if any(step.in_test for step in entry.steps):
            continue  # tests register conflicting routes on purpose
        top = entry.steps[0].root if entry.steps else ""
        groups.setdefault((entry.root, entry.mounted_at, top), []).append(entry)
    found: list[Conflict] = []
    for entries in groups.values():
        by_method: dict[str, list[RouteEntry]] = {}
        for entry in entries:
            by_method.setdefault(entry.method, []).append(entry)
        for same in by_method.values():
            found.extend(_conflicts_among(same, table.models))
    return found


def _run_together(a: RouteEntry, b: RouteEntry, models: dict[str, ModuleModel]) -> bool:
    """Whether both registrations may be made in one process: not in exclusive arms of one
    statement (``if``/``else``), and, when their order is not known, made by module-level code
    (code in two functions, such as two tests, may never run together)."""
    for x, y in zip(a.steps, b.steps):
        if x == y:
            continue
        if x.module == y.module and x.scope == y.scope:
            model = models.get(x.module)
            return (
                model is None
                or x.branch < 0
                or y.branch < 0
                or not model.exclusive(x.branch, y.branch)
            )
        break
    shared = set(a.steps) & set(b.steps)
    return all(step.module_level for step in (*a.steps, *b.steps) if step not in shared)


def _conflicts_among(
    entries: Sequence[RouteEntry], models: dict[str, ModuleModel]
) -> Iterator[Conflict]:
    reported: set[int] = set()
    for i, a in enumerate(entries):
        for b in entries[i + 1 :]:
            if a.route is b.route and a.routers == b.routers:
                continue
            duplicate = normalized(a.path) == normalized(b.path)
            shadow_ab = not duplicate and not is_static(a.path) and is_static(b.path)
            shadow_ba = not duplicate and not is_static(b.path) and is_static(a.path)
            if shadow_ab and not path_matches(a.path, b.path):
                shadow_ab = False
            if shadow_ba and not path_matches(b.path, a.path):
                shadow_ba = False
            if not (duplicate or shadow_ab or shadow_ba):
                continue
            if not _run_together(a, b, models):
                continue
            order = compare(a, b)
            if duplicate:
                if order is None:
                    earlier, later = sorted((a, b), key=_where)
                else:
                    earlier, later = (a, b) if order < 0 else (b, a)
                kind = "duplicate"
            else:
                if order is None:
                    continue  # which one wins is not known
                template, static = (a, b) if shadow_ab else (b, a)
                if (order < 0) != (template is a):
                    continue  # the static route comes first: fine
                earlier, later, kind = template, static, "shadowed"
            if id(later) in reported:
                continue
            reported.add(id(later))
            module, site = _reporting_step(later, earlier)
            yield Conflict(kind, later, earlier, order is not None, module, site)


def _where(entry: RouteEntry) -> tuple[str, int]:
    return (entry.filename or "", entry.line or 0)


# -- building --------------------------------------------------------------------------------


class _Builder:
    def __init__(self, facts: ProjectFacts) -> None:
        self.facts = facts
        self.index = facts.index
        self.types = facts.types
        self.values = Values(facts.types)
        self.models: dict[str, ModuleModel] = {}
        # Two apps in one tree may have modules of the same name: registrations and objects
        # find their own module by the identity of their records.
        self.by_name: dict[str, list[ModuleModel]] = {}
        self.site_models: dict[tuple[str, int], list[ModuleModel]] = {}
        for model in self.index.registering_modules():
            self.models.setdefault(model.name, model)
            self.by_name.setdefault(model.name, []).append(model)
            for site in model.summary.calls:
                self.site_models.setdefault((model.name, site.order), []).append(model)
        self.table = RouteTable()
        self.table.models = self.models
        self.object_unresolved: dict[str, tuple[str, ...]] = {}
        self.object_dependencies: dict[str, tuple[str, ...]] = {}
        # Objects, includes and routes whose ``dependencies=`` are not all known.
        self.unknown_dependencies: set[object] = set()
        self._versions: Optional[tuple[bool, bool]] = None
        self._passed: dict[tuple[str, str], Optional[AppObject]] = {}
        self.object_scopes: dict[str, tuple[str, int]] = {}  # where each object is created

    # -- versions ----------------------------------------------------------------------------
    @property
    def versions(self) -> tuple[bool, bool]:
        """(may run before FastAPI 0.137, may run on 0.137 or later)."""
        if self._versions is None:
            from fastlint.versions import ProjectVersions

            versions = ProjectVersions.for_directory(self.index.root)
            declared = versions.declared("fastapi").versions
            if declared is None:
                self._versions = (False, True)
            else:
                self._versions = (
                    declared.admits_below(LIVE_INCLUDES_SINCE),
                    declared.admits_at_or_above(LIVE_INCLUDES_SINCE),
                )
        return self._versions

    # -- helpers -----------------------------------------------------------------------------
    def _string(self, model: ModuleModel, expr: Optional[ir.Expr], point: Point) -> Optional[str]:
        if expr is None:
            return None
        value = self.values.value_of(model, expr, point)
        return value.data if value is not None and isinstance(value.data, str) else None

    def _strings(
        self, model: ModuleModel, expr: Optional[ir.Expr], point: Point
    ) -> Optional[tuple[str, ...]]:
        if expr is None:
            return None
        value = self.values.value_of(model, expr, point)
        items = value.items() if value is not None else None
        if items is None or any(i is None or not isinstance(i.data, str) for i in items):
            return None
        return tuple(str(i.data) for i in items if i is not None)

    def _dependencies(
        self, model: ModuleModel, expr: Optional[ir.Expr], point: Point
    ) -> tuple[tuple[str, ...], bool]:
        """The functions a ``dependencies=[Depends(f), ...]`` argument names, and whether all
        of them are known."""
        if expr is None:
            return (), True
        if not isinstance(expr, ir.Collection):
            return (), False
        names: list[str] = []
        known = True
        for element in expr.elements:
            target = None
            if isinstance(element, ir.Call) and self._is_depends(model, element, point):
                target = self.facts._function(model, element.argument(0, "dependency"), point)
            if target is None:
                known = False
            else:
                names.append(target)
        return tuple(names), known

    def _is_depends(self, model: ModuleModel, call: ir.Call, point: Point) -> bool:
        if self.types.is_depends(model, call, point):
            return True
        # FastAPI's own sources in the tree make ``fastapi.Depends`` a project re-export.
        name = self.types.qualified_name(model, call.func, point) or ""
        return name.startswith("fastapi.") and name.rsplit(".", 1)[-1] in ("Depends", "Security")

    def _rendered(self, model: ModuleModel, expr: Optional[ir.Expr], point: Point) -> Optional[str]:
        if expr is None or (isinstance(expr, ir.Constant) and expr.value is None):
            return None
        found = self.types.qualified_name(model, expr, point)
        return found or ir.dotted(expr) or "<expression>"

    def _position(self, model: ModuleModel, site: CallSite) -> Position:
        scope = model.code_scope(site.scope)
        key = (site.order, 0)
        if site.decorates >= 0:
            decorated = model.scope(site.decorates)
            binding = model.definition_binding(decorated)
            key = (binding.order if binding is not None else site.order, -site.order)
            scope = model.code_scope(decorated.parent)
        branch = site.branch
        if site.decorates >= 0:
            branch = model.scope(site.decorates).branch
        function = model.enclosing_function(scope)
        in_test = function is not None and function.name.startswith("test")
        return Position(model.name, scope, key, scope == 0, branch, in_test, _import_root(model))

    def _model_of(self, registration: Registration) -> Optional[ModuleModel]:
        """The module a registration was made in (facts may come from the cache: records are
        compared by value)."""
        site = registration.site
        if site is None:
            return None
        models = self.site_models.get((registration.module, site.order), [])
        if len(models) == 1:
            return models[0]
        for model in models:
            if site in model.summary.calls:
                return model
        return None

    def _object_point(self, obj: AppObject) -> Optional[tuple[ModuleModel, Point]]:
        for model in self.by_name.get(obj.module, ()):
            for binding in model.summary.bindings:
                if binding.value is obj.call or (
                    binding.value == obj.call
                    and model.variable_symbol(binding.scope, binding.name) == obj.key
                ):
                    return model, binding_point(binding)
        return None

    def _object(
        self, model: ModuleModel, expr: Optional[ir.Expr], point: Point, depth: int = 0
    ) -> Optional[AppObject]:
        """The app or router ``expr`` names: a known object, the result of a project function
        that returns one (``app = create_app()``, ``router = make_router()``), or a parameter
        of a function that every call in the project passes the same object
        (``def init_routers(app): app.include_router(...)`` called with ``init_routers(app)``)."""
        if expr is None:
            return None
        found = self.facts.object_at(model, expr, point)
        if found is not None:
            return found
        if isinstance(expr, ir.Call):
            return self._returned_object(model, expr.func, point)
        target = self.types.target(model, expr, point)
        from fastlint.semantic.types import Variable

        if isinstance(target, Variable) and len(target.bindings) == 1:
            binding = target.bindings[0]
            if binding.kind == s.ASSIGN and isinstance(binding.value, ir.Call):
                return self._returned_object(
                    target.model, binding.value.func, binding_point(binding)
                )
            if binding.kind == s.PARAM and depth < 3:
                return self._passed_object(target.model, binding, depth)
        return None

    def _passed_object(
        self, model: ModuleModel, binding: s.Binding, depth: int
    ) -> Optional[AppObject]:
        """The object every project call of the function passes for the parameter."""
        scope = model.scope(binding.scope)
        if scope.kind != s.FUNCTION:
            return None
        key = (model.symbol_of(scope), binding.name)
        if key in self._passed:
            return self._passed[key]
        self._passed[key] = None  # a cycle finds nothing
        positional = [p.name for p in scope.params if p.kind in ("posonly", "normal")]
        position = positional.index(binding.name) if binding.name in positional else -1
        if positional and positional[0] in ("self", "cls") and model.parent(scope) is not None:
            parent = model.parent(scope)
            if parent is not None and parent.kind == s.CLASS:
                return None  # methods: the receiver decides which function runs
        qualname = model.symbol_of(scope)
        if position == 0:
            for registration in self.facts.registrations:
                if registration.kind == "lifespan" and registration.target == qualname:
                    owner = self.facts.objects.get(registration.owner or "")
                    self._passed[key] = owner
                    return owner  # a lifespan receives the app it is the lifespan of
        found: dict[str, AppObject] = {}
        calls = 0
        for other in self.index.modules_mentioning(scope.name):
            for site in other.summary.calls:
                spelled = ir.dotted(site.call.func)
                if spelled is None or not spelled.endswith(scope.name):
                    continue
                callee = self.facts.callee(other, site)
                if callee is None or callee.qualname != qualname:
                    continue
                calls += 1
                argument = site.call.argument(position, binding.name)
                where = Point(site.scope, site.order, site.branch)
                obj = self._object(other, argument, where, depth + 1)
                if obj is None:
                    return None
                found[obj.key] = obj
        result = next(iter(found.values())) if calls and len(found) == 1 else None
        self._passed[key] = result
        return result

    def _returned_object(
        self, model: ModuleModel, func: ir.Expr, point: Point
    ) -> Optional[AppObject]:
        definition = self.types.definition(model, func, point)
        if definition is None or definition.is_class:
            return None
        scope = definition.scope
        results = [r for r in scope.results if r.expr is not None]
        if len(results) != 1:
            return None
        inner = Point(scope.id, results[0].order, results[0].branch)
        return self.facts.object_at(definition.model, results[0].expr, inner)

    # -- objects -----------------------------------------------------------------------------
    def _objects(self) -> None:
        for key, obj in self.facts.objects.items():
            unresolved: list[str] = []
            located = self._object_point(obj)
            prefix: Optional[str] = ""
            if not obj.exact and self._overrides_routing(obj.cls, obj.module):
                unresolved.append(f"`{obj.cls}` overrides how routes are added")
            route_class = obj.call.keyword("route_class")
            if located is not None and route_class is not None:
                klass = self.types.definition(located[0], route_class, located[1])
                if klass is not None and klass.is_class and self._defines(klass, "matches"):
                    unresolved.append(f"`{klass.qualname}` overrides route matching")
            if located is None:
                prefix = None if not obj.is_app else ""
                deps: tuple[str, ...] = ()
            else:
                model, point = located
                self.object_scopes[key] = (model.name, model.code_scope(point.scope))
                expr = obj.call.keyword("prefix")
                if not obj.is_app:
                    if expr is not None:
                        prefix = self._string(model, expr, point)
                    elif obj.call.has_unpacking():
                        prefix = None
                deps, known = self._dependencies(model, obj.call.keyword("dependencies"), point)
                if not known:
                    self.unknown_dependencies.add(key)
            if prefix is None:
                unresolved.append(f"prefix of `{_short(key)}`")
            self.table.prefixes[key] = prefix
            self.object_unresolved[key] = tuple(unresolved)
            self.object_dependencies[key] = deps

    def _defines(self, klass: Definition, name: str) -> bool:
        """Whether a project class, or a project base of it, defines ``name``."""
        stack, seen = [klass], set()
        while stack:
            current = stack.pop()
            if current.qualname in seen:
                continue
            seen.add(current.qualname)
            if current.model.bindings(current.scope.id, name):
                return True
            for base in self.types.base_names(current):
                if base.startswith(_FRAMEWORKS):
                    continue  # FastAPI's own classes (in a tree that holds its sources)
                found = self.types.class_definition(base)
                if found is not None:
                    stack.append(found)
        return False

    def _overrides_routing(self, cls: str, near: str) -> bool:
        """Whether a project class between ``cls`` and FastAPI's own overrides a method that
        decides the paths routes get (one that hands ``path`` on unchanged does not)."""
        definition = self.types.class_definition(cls)
        seen: set[str] = set()
        stack = [definition] if definition is not None else []
        while stack:
            current = stack.pop()
            if current.qualname in seen:
                continue
            seen.add(current.qualname)
            model = current.model
            for binding in model.summary.bindings:
                if binding.scope != current.scope.id or binding.name not in _ROUTE_ADDING:
                    continue
                if binding.kind != s.DEF or binding.definition < 0:
                    return True
                method = model.scope(binding.definition)
                if not _passes_through(model, method):
                    return True
            for base in self.types.base_names(current):
                if base.startswith(_FRAMEWORKS):
                    continue  # FastAPI's own classes (in a tree that holds its sources)
                found = self.types.class_definition(base)
                if found is not None:
                    stack.append(found)
        return False

    # -- registrations -----------------------------------------------------------------------
    def build(self) -> RouteTable:
        self._objects()
        routes_by_owner: dict[Optional[str], list[_Route]] = {}
        for registration in self.facts.registrations:
            model = self._model_of(registration)
            if model is None or registration.site is None:
                continue
            try:
                if registration.kind == "route" and registration.role is not None:
                    route = self._route(registration, model, registration.site)
                    if route is not None:
                        self.table.routes.append(route)
                        routes_by_owner.setdefault(route.owner, []).append(route)
                elif registration.kind == "include":
                    self._include(registration, model, registration.site)
                elif registration.kind == "mount":
                    self._mount(registration, model, registration.site)
            except RecursionError:  # pragma: no cover - pathological nesting
                continue
        if any(include.child is None for include in self.table.includes):
            self.table.unresolved.append("a router included by `include_router` is not known")
        for routes in routes_by_owner.values():
            for route in routes:
                self._place(route)
        return self.table

    def _route(
        self, registration: Registration, model: ModuleModel, site: CallSite
    ) -> Optional[_Route]:
        call = site.call
        point = Point(site.scope, site.order, site.branch)
        func = call.func
        unresolved: list[str] = []
        if isinstance(func, ir.Attribute) and (
            registration.how == "decorator"
            or func.attr in _ENDPOINT_POSITION
            or func.attr in _WEBSOCKETS
        ):
            method = func.attr
        else:
            method = self.types.qualified_name(model, func, point) or ""
            if method not in knowledge.ROUTE_CLASSES:
                return None
        path_expr = call.argument(0, "path")
        if isinstance(func, ir.Attribute) and (
            func.value == ir.Name("self")
            or (isinstance(func.value, ir.Call) and func.value.func == ir.Name("super"))
        ):
            return None  # an APIRouter subclass's own implementation of adding routes
        owner_object = (
            self._object(model, func.value, point) if isinstance(func, ir.Attribute) else None
        )
        if owner_object is None and not isinstance(func, ir.Attribute):
            owner_object = self._constructor_owner(model, site)
        owner = owner_object.key if owner_object is not None else registration.owner
        if owner is None:
            unresolved.append("the app or router it is registered on")
        # Methods.
        if method in _WEBSOCKETS:
            methods: Optional[tuple[str, ...]] = ("WEBSOCKET",)
        elif method in _HTTP_METHODS:
            methods = (_HTTP_METHODS[method],)
        else:
            given = call.keyword("methods")
            methods = ("GET",) if given is None else self._strings(model, given, point)
            if methods is not None:
                methods = tuple(dict.fromkeys(m.upper() for m in methods))
                if method in _STARLETTE_ROUTES and "GET" in methods and "HEAD" not in methods:
                    methods = (*methods, "HEAD")
        if methods is None:
            unresolved.append("methods")
            methods = (UNKNOWN,)
        # Path.
        path = self._string(model, path_expr, point)
        if path is None:
            unresolved.append("path")
        prefix = self.table.prefixes.get(owner, "") if owner is not None else ""
        full = _join(prefix, path)
        if owner is not None:
            unresolved.extend(self.object_unresolved.get(owner, ()))
        # Endpoint.
        handler = registration.target
        endpoint_file = endpoint_line = None
        definition = self._definition(handler) if handler else None
        if definition is not None:
            endpoint_file = definition.model.summary.path
            endpoint_line = definition.scope.line
        if handler is None:
            unresolved.append("endpoint")
        name_expr = call.keyword("name")
        name: Optional[str]
        if name_expr is not None and not (
            isinstance(name_expr, ir.Constant) and name_expr.value is None
        ):
            name = self._string(model, name_expr, point)
            if name is None:
                unresolved.append("name")
        elif handler is not None:
            name = handler.rsplit(".", 1)[-1]
            if name == "__call__":
                name = handler.rsplit(".", 2)[-2]
        else:
            name = None
        status = call.keyword("status_code")
        status_value = self.values.value_of(model, status, point) if status is not None else None
        deps, known = self._dependencies(model, call.keyword("dependencies"), point)
        return _Route(
            registration,
            owner,
            methods,
            full,
            name,
            handler,
            model.summary.path,
            site.line,
            endpoint_file,
            endpoint_line,
            self._rendered(model, call.keyword("response_model"), point),
            status_value.data if status_value is not None else None,
            deps,
            known,
            self._position(model, site),
            model,
            site,
            tuple(dict.fromkeys(unresolved)),
        )

    def _constructor_owner(self, model: ModuleModel, site: CallSite) -> Optional[AppObject]:
        """``FastAPI(routes=[APIRoute(...)])``: the object whose constructor lists the route."""
        if site.parent < 0:
            return None
        parent = model.summary.calls[site.parent].call
        for obj in self.facts.objects.values():
            if obj.module == model.name and obj.call == parent:
                return obj
        return None

    def _definition(self, qualname: str) -> Optional[Definition]:
        from fastlint.semantic.types import Definition as Def

        found = self.types.global_target(qualname)
        if isinstance(found, Def):
            return found
        owner, _, method = qualname.rpartition(".")
        member = self.types.class_member(owner, method) if owner else None
        return member if isinstance(member, Def) else None

    def _include(self, registration: Registration, model: ModuleModel, site: CallSite) -> None:
        call = site.call
        point = Point(site.scope, site.order, site.branch)
        func = call.func
        parent = self._object(model, func.value, point) if isinstance(func, ir.Attribute) else None
        child = self._object(model, call.argument(0, "router"), point)
        unresolved: list[str] = []
        prefix_expr = call.keyword("prefix")
        prefix: Optional[str] = ""
        if prefix_expr is not None:
            prefix = self._string(model, prefix_expr, point)
            if prefix is None:
                unresolved.append("include prefix")
        elif call.has_unpacking():
            prefix = None
            unresolved.append("include prefix")
        deps, known = self._dependencies(model, call.keyword("dependencies"), point)
        include = Include(
            parent.key if parent is not None else registration.owner,
            child.key if child is not None else registration.target,
            prefix,
            deps,
            model.name,
            model.summary.path,
            site.line,
            self._position(model, site),
            tuple(unresolved),
            known,
            site,
        )
        self.table.includes.append(include)

    def _mount(self, registration: Registration, model: ModuleModel, site: CallSite) -> None:
        call = site.call
        point = Point(site.scope, site.order, site.branch)
        func = call.func
        parent = self._object(model, func.value, point) if isinstance(func, ir.Attribute) else None
        child = self._object(model, call.argument(1, "app"), point)
        name_expr = call.argument(2, "name")
        self.table.mounts.append(
            Mount(
                parent.key if parent is not None else registration.owner,
                child.key if child is not None else registration.target,
                self._string(model, call.argument(0, "path"), point),
                self._string(model, name_expr, point) if name_expr is not None else None,
                name_expr is not None,
                model.name,
                model.summary.path,
                site.line,
            )
        )

    # -- placement ---------------------------------------------------------------------------
    def _place(self, route: _Route) -> None:
        placements = self._placements(route.owner, ()) if route.owner else [(None, None, (), ())]
        for app, mounted_at, chain, extra in placements:
            unresolved = list(route.unresolved) + list(extra)
            path = route.path
            for include in reversed(chain):
                path = _join(include.prefix, path)
                if include.parent is not None and include.parent != app:
                    path = _join(self.table.prefixes.get(include.parent, ""), path)
            dependencies: list[str] = []
            complete = route.dependencies_known
            skip = False
            for depth, include in enumerate(chain):
                dependencies.extend(include.dependencies)
                complete = complete and include.dependencies_known
                if include.child in self.unknown_dependencies:
                    complete = False
                if include.child is not None:
                    dependencies.extend(self.object_dependencies.get(include.child, ()))
                unresolved.extend(include.unresolved)
                following = chain[depth + 1].position if depth + 1 < len(chain) else None
                verdict = self._served(include, following, route)
                if verdict is False:
                    skip = True
                    break
                if verdict is None:
                    unresolved.append(
                        "registered after `include_router`: served only from FastAPI 0.137"
                        if self.versions[1]
                        else "whether it is registered before `include_router` (order)"
                    )
            if skip:
                continue
            steps = (*(include.position for include in chain), route.position)
            root = app
            if root is None and route.owner is not None:
                root = chain[0].parent if chain else route.owner
            if app is not None:
                dependencies = list(self.object_dependencies.get(app, ())) + dependencies
            elif route.owner is not None and not chain:
                dependencies = list(self.object_dependencies.get(route.owner, ()))
            dependencies.extend(route.dependencies)
            if app in self.unknown_dependencies or route.owner in self.unknown_dependencies:
                complete = False
            for method in route.methods:
                self.table.entries.append(
                    RouteEntry(
                        method,
                        path or UNKNOWN,
                        route.name,
                        route.handler,
                        route.endpoint_file or route.filename,
                        route.endpoint_line or route.line,
                        app,
                        mounted_at,
                        chain,
                        tuple(dict.fromkeys(unresolved)),
                        route.response_model,
                        route.status_code,
                        tuple(dict.fromkeys(dependencies)),
                        complete,
                        route,
                        steps,
                        root,
                    )
                )

    def _served(
        self, include: Include, following: Optional[Position], route: _Route
    ) -> Optional[bool]:
        """Whether what the included router has next on the chain (a further include, or the
        route) is served through ``include``: True, False (added after the include, on a
        FastAPI that copies routes), None (not known, or it depends on the version)."""
        old, new = self.versions
        if not old:
            return True
        step = following if following is not None else route.position
        before = _before(step, include, self.object_scopes.get(include.child or ""))
        if before is True:
            return True
        if before is False and not new:
            return False
        return None

    def _placements(
        self, key: str, seen: tuple[str, ...]
    ) -> list[tuple[Optional[str], Optional[str], tuple[Include, ...], tuple[str, ...]]]:
        """(app, mounted_at, include chain outermost first, unresolved) for each way the
        routes of object ``key`` reach an app."""
        if key in seen or len(seen) > 32:
            return []
        obj = self.facts.objects.get(key)
        if obj is not None and obj.is_app:
            return [(key, self._mounted_at(key, ()), (), ())]
        parents = [include for include in self.table.includes if include.child == key]
        out: list[tuple[Optional[str], Optional[str], tuple[Include, ...], tuple[str, ...]]] = []
        for include in parents:
            if include.parent is None:
                out.append((None, None, (include,), ("the app or router it is included into",)))
                continue
            for app, mounted_at, chain, notes in self._placements(include.parent, (*seen, key)):
                out.append((app, mounted_at, (*chain, include), notes))
        if not parents:
            mount = next((m for m in self.table.mounts if m.child == key), None)
            if mount is not None:
                return [(key, mount.path if mount.path is not None else UNKNOWN, (), ())]
            extra: tuple[str, ...] = ()
            if any(include.child is None for include in self.table.includes):
                extra = ("whether an `include_router` that is not resolved includes it",)
            out.append((None, None, (), extra))
        return out

    def _mounted_at(self, key: str, seen: tuple[str, ...]) -> Optional[str]:
        """Where the app ``key`` is mounted (the paths of enclosing mounts joined), or None."""
        mount = next((m for m in self.table.mounts if m.child == key), None)
        if mount is None or mount.parent is None or key in seen:
            return None
        outer = self._mounted_at(mount.parent, (*seen, key))
        here = mount.path if mount.path is not None else UNKNOWN
        return (outer or "") + here


def _import_root(model: ModuleModel) -> str:
    """The directory a module's dotted name is relative to."""
    import os

    path = os.path.dirname(os.path.abspath(model.summary.path))
    for _ in range(model.name.count(".") + (1 if model.summary.is_package else 0)):
        path = os.path.dirname(path)
    return path


def _scope_tree(model: ModuleModel, root: s.Scope) -> set[int]:
    """``root`` and every scope nested in it."""
    tree = {root.id}
    for scope in model.summary.scopes:
        if scope.id > root.id and scope.parent in tree:
            tree.add(scope.id)
    return tree


def _passes_through(model: ModuleModel, method: s.Scope) -> bool:
    """Whether an override of a route-adding method keeps the paths: ``__init__`` that never
    touches ``prefix``; a route method that hands its ``path`` parameter, never rebound, to
    the route-adding methods it calls (``super().add_api_route(path, ...)``)."""
    tree = _scope_tree(model, method)
    calls = [site for site in model.summary.calls if site.scope in tree]
    if method.name == "include_router":
        return False
    if method.name == "__init__":
        if any(p.name == "prefix" for p in method.params):
            return False
        if any(call.call.keyword("prefix") is not None for call in calls):
            return False
        return not any(
            isinstance(a.target, ir.Attribute) and a.target.attr == "prefix"
            for a in model.summary.attributes
            if a.scope in tree
        )
    if not any(p.name == "path" for p in method.params):
        return False
    for scope_id in tree:
        if any(b.kind != s.PARAM for b in model.bindings(scope_id, "path")):
            return False
    handed = 0
    for site in calls:
        func = site.call.func
        if not isinstance(func, ir.Attribute) or func.attr not in _ROUTE_ADDING:
            continue
        receiver = func.value
        if receiver != ir.Name("self") and not (
            isinstance(receiver, ir.Call) and receiver.func == ir.Name("super")
        ):
            continue  # ``kwargs.get(...)``
        if site.call.argument(0, "path") != ir.Name("path"):
            return False
        handed += 1
    return handed > 0


def _before(step: Position, include: Include, defined: Optional[tuple[str, int]]) -> Optional[bool]:
    """Whether the registration at ``step`` (on the included router) is made before
    ``include``. ``defined`` is the (module, scope) whose code creates the included router."""
    here = include.position
    if step.module == here.module and step.scope == here.scope:
        return step.key < here.key
    if defined is not None and (step.module, step.scope) == defined != (here.module, here.scope):
        # Made by the code that creates the router, which has run by the time other code
        # holds the router: the including module imported it, or a factory returned it.
        return True
    return None


def _join(prefix: Optional[str], path: Optional[str]) -> Optional[str]:
    if prefix is None and path is None:
        return UNKNOWN
    return (prefix if prefix is not None else UNKNOWN) + (path if path is not None else UNKNOWN)


def _short(key: str) -> str:
    parts = key.replace(".<locals>", "").split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else key


# -- the `fastlint routes` command -----------------------------------------------------------


def project_tables(paths: Sequence[str], settings: object, cache: bool = True) -> list[RouteTable]:
    """The route tables of the projects holding ``paths`` (a directory: every project whose
    files discovery finds under it)."""
    from fastlint.config import Settings
    from fastlint.discovery import discover
    from fastlint.project.workspace import Workspace

    assert isinstance(settings, Settings)
    files = [f for f in discover(list(paths), settings).files if f.endswith((".py", ".pyi"))]
    workspace = Workspace(settings, list(paths), files, cache=cache)
    tables: list[RouteTable] = []
    seen: set[str] = set()
    for path in files:
        root = workspace.root_of(path)
        if root in seen:
            continue
        seen.add(root)
        tables.append(route_table(workspace.index_for(path).facts))
    workspace.flush()
    import os

    given = [os.path.abspath(p) for p in paths]

    def shown(entry: RouteEntry) -> bool:
        files = (entry.route.filename, entry.filename or "")
        return any(f == g or f.startswith(g.rstrip(os.sep) + os.sep) for f in files for g in given)

    for table in tables:
        table.shown = [e for e in table.entries if shown(e)]
    return tables


def flags(table: RouteTable) -> dict[int, str]:
    """What the listing says of an entry (by id): shadowed or duplicate, and by what."""
    out: dict[int, str] = {}
    for conflict in table.conflicts():
        earlier = conflict.earlier
        where = f"{_relative(earlier.filename)}:{earlier.line}" if earlier.filename else "?"
        if conflict.kind == "duplicate":
            out[id(conflict.later)] = f"duplicate of {earlier.method} {earlier.path} ({where})"
        else:
            out[id(conflict.later)] = f"shadowed by {earlier.method} {earlier.path} ({where})"
    return out


def _relative(path: str) -> str:
    import os

    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return path


def sort_key(entry: RouteEntry) -> tuple[str, str, str, str]:
    return (entry.app or "~", entry.mounted_at or "", entry.path, entry.method)


def render_text(tables: Sequence[RouteTable], relative_to: str) -> list[str]:
    import os

    lines: list[str] = []
    for table in tables:
        marks = flags(table)
        current: Optional[tuple[Optional[str], Optional[str]]] = None
        for entry in sorted(_listed(table), key=sort_key):
            group = (entry.app, entry.mounted_at)
            if group != current:
                current = group
                if entry.app is None:
                    lines.append("(routers never included in an app)")
                elif entry.mounted_at is not None:
                    lines.append(f"{entry.app} (mounted at {entry.mounted_at})")
                else:
                    lines.append(entry.app)
            where = ""
            if entry.filename:
                where = f"{os.path.relpath(entry.filename, relative_to)}:{entry.line}"
            notes = []
            if id(entry) in marks:
                notes.append(marks[id(entry)])
            if entry.unresolved:
                notes.append("unresolved: " + ", ".join(entry.unresolved))
            text = f"  {entry.method:<9} {entry.path:<40} {entry.handler or '?'}  {where}"
            if notes:
                text += "  [" + "; ".join(notes) + "]"
            lines.append(text.rstrip())
    return lines


def render_json(tables: Sequence[RouteTable]) -> list[dict[str, object]]:
    return [entry.as_json() for table in tables for entry in sorted(_listed(table), key=sort_key)]


def _listed(table: RouteTable) -> list[RouteEntry]:
    return table.entries if table.shown is None else table.shown


# -- routers that are never included ---------------------------------------------------------


def never_included(facts: ProjectFacts) -> dict[str, int]:
    """Routers of the project with path operations that no app ever serves: not included
    (directly, or through routers that are included) by a resolved ``include_router``, not
    mounted, and not used anywhere else (a list, a loop, a function argument, a return value
    may all end in an include fastlint cannot follow). Keys with their number of routes; empty
    when the project creates no app."""
    table = route_table(facts)
    if table._dead is not None:
        return table._dead
    dead: dict[str, int] = {}
    table._dead = dead
    if not any(obj.is_app for obj in facts.objects.values()):
        return dead
    placed: set[str] = set()
    counts: dict[str, int] = {}
    for entry in table.entries:
        owner = entry.route.owner
        if owner is None:
            continue
        counts[owner] = counts.get(owner, 0) + 1
        if entry.app is not None or any(include.parent is None for include in entry.routers):
            placed.add(owner)
    alive = placed | {mount.child for mount in table.mounts if mount.child is not None}
    candidates = [obj for key, obj in facts.objects.items() if key not in alive and not obj.is_app]
    _find_uses(facts, table, {_short_name(obj) for obj in candidates})
    alive |= {obj.key for obj in candidates if _used_elsewhere(table, obj)}
    changed = True
    while changed:  # what a router that may be served includes may be served too
        changed = False
        for include in table.includes:
            if include.parent in alive and include.child and include.child not in alive:
                alive.add(include.child)
                changed = True
    for key, count in counts.items():
        router = facts.objects.get(key)
        if router is not None and not router.is_app and key not in alive:
            dead[key] = count
    return dead


def _short_name(obj: AppObject) -> str:
    return obj.key.rsplit(".", 1)[-1]


def _used_elsewhere(table: RouteTable, obj: AppObject) -> bool:
    """Whether the router object is used other than as the receiver of calls (its own
    decorators, ``router.include_router(...)``) or as the router of a resolved include (its
    name's uses found by ``_find_uses`` first)."""
    for key, bound in table._uses[_short_name(obj)]:
        if bound is not None and bound == obj.call:
            continue  # the binding that creates the router
        if key is None or key == obj.key:
            return True
    return False


# A use of a name: the key of the app or router it stands for (None: not known), and for a
# binding, the value bound.
_Use = tuple[Optional[str], Optional[ir.Expr]]


def _find_uses(facts: ProjectFacts, table: RouteTable, names: set[str]) -> None:
    """Where the project uses each of ``names`` as a value (not as the receiver of a call, nor
    as the router of a resolved include), and what it stands for there, into ``table._uses``.
    One pass over the modules that mention any of them: routers of the same name ask the same
    question, and most routers are called ``router``."""
    names = {name for name in names if name not in table._uses}
    if not names:
        return
    resolved_includes = {
        (include.module, include.site.order)
        for include in table.includes
        if include.site is not None and include.parent is not None and include.child is not None
    }
    mentioned: dict[str, ModuleModel] = {}
    for name in sorted(names):
        for model in facts.index.modules_mentioning(name):
            mentioned.setdefault(model.name, model)
    found: dict[str, list[tuple[ModuleModel, ir.Expr, Point, Optional[ir.Expr]]]] = {
        name: [] for name in names
    }

    def record(model: ModuleModel, expr: ir.Expr, point: Point, bound: Optional[ir.Expr]) -> None:
        for name, named in _named_in(expr, names):
            found[name].append((model, named, point, bound))

    for model in mentioned.values():
        for site in model.summary.calls:
            point = Point(site.scope, site.order, site.branch)
            args = list(site.call.args)
            if (model.name, site.order) in resolved_includes:
                router = site.call.argument(0, "router")
                args = [arg for arg in args if arg.value is not router]
            for arg in args:
                record(model, arg.value, point, None)
        for binding in model.summary.bindings:
            if binding.value is not None and binding.kind != s.IMPORT:
                record(model, binding.value, binding_point(binding), binding.value)
        for assignment in model.summary.attributes:
            if assignment.value is not None:
                point = Point(assignment.scope, assignment.order, assignment.branch)
                record(model, assignment.value, point, None)
        for scope in model.summary.scopes:
            for result in (*scope.results, *scope.yields):
                record(model, result.expr, Point(scope.id, result.order, result.branch), None)
    for name, uses in found.items():
        keys = []
        for model, expr, point, bound in uses:
            obj = facts.object_at(model, expr, point)
            keys.append((obj.key if obj is not None else None, bound))
        table._uses[name] = keys


def _named_in(expr: ir.Expr, names: set[str]) -> list[tuple[str, ir.Expr]]:
    """The names and attributes in ``expr`` called one of ``names`` that may stand for the
    object itself (not those inside such a name, nor the receivers of method calls), each with
    the name it has."""
    out: list[tuple[str, ir.Expr]] = []
    stack = [expr]
    while stack:
        inner = stack.pop()
        if isinstance(inner, ir.Name):
            if inner.id in names:
                out.append((inner.id, inner))
                continue
        elif isinstance(inner, ir.Attribute) and inner.attr in names:
            out.append((inner.attr, inner))
            continue
        if isinstance(inner, ir.Call):
            stack.extend(arg.value for arg in inner.args)
            if not isinstance(inner.func, ir.Attribute):
                stack.append(inner.func)
            continue
        stack.extend(ir.children(inner))
    return out


# -- route names -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteNames:
    """What ``url_for`` can find: route and mount names (``mount:route`` for the routes of a
    mounted project app), and the names of mounts whose routes are not known (``static``:
    any ``static:...`` may exist)."""

    names: frozenset[str]
    opaque_mounts: frozenset[str]

    def has(self, name: str) -> bool:
        if name in self.names:
            return True
        head, _, _ = name.partition(":")
        return bool(head) and head in self.opaque_mounts


def route_names(facts: ProjectFacts) -> Optional[RouteNames]:
    """Every name ``url_for`` may resolve in the project, or None when the table has parts
    that are not resolved (a router that is not known, a name that is not static)."""
    table = route_table(facts)
    if table.unresolved:
        return None
    if any(route.name is None for route in table.routes):
        return None
    names = {route.name for route in table.routes if route.name is not None}
    opaque: set[str] = set()
    for mount in table.mounts:
        if mount.has_name and mount.name is None:
            return None
        if mount.name is None:
            continue
        names.add(mount.name)
        if mount.child is None or mount.child not in facts.objects:
            opaque.add(mount.name)
    # Routes of mounted apps are also named ``mount:route`` from the outer app.
    for entry in table.entries:
        if entry.mounted_at is None or entry.app is None or entry.name is None:
            continue
        for prefix in _mount_names(table, entry.app, ()):
            names.add(f"{prefix}:{entry.name}")
    return RouteNames(frozenset(names), frozenset(opaque))


def _mount_names(table: RouteTable, key: str, seen: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for mount in table.mounts:
        if mount.child != key or mount.name is None or key in seen:
            continue
        out.append(mount.name)
        if mount.parent is not None:
            out.extend(
                f"{outer}:{mount.name}" for outer in _mount_names(table, mount.parent, (*seen, key))
            )
    return out
