"""What a project registers with FastAPI, and what that makes of each function.

Built once per project from the summaries of the modules that may register anything (see
:func:`fastlint.project.index.screens`), with names resolved through the semantic model, so
that a route registered in ``main.py`` with ``app.add_api_route("/", views.index)`` makes
``views.index`` a path operation wherever the rule checking ``views.py`` runs.

* **Apps and routers**: module-level or function-local variables bound to ``FastAPI()``,
  ``APIRouter()``, ``Starlette()``, ``Router()`` or a project subclass of them.
* **Registrations**: routes (decorators, stacked decorators bottom-up, ``api_route``,
  ``add_api_route``, ``websocket``, ``APIRoute(...)``), ``include_router``, ``mount``,
  middleware (``@app.middleware``, ``add_middleware``, ``Middleware(...)``), exception handlers
  (decorator, ``add_exception_handler``, ``exception_handlers=``), lifespans and startup/
  shutdown handlers (``lifespan=``, ``on_event``, ``add_event_handler``, ``on_startup=``,
  ``router.on_startup.append``, ``router.lifespan_context = ...``), dependencies
  (``Depends``/``Security`` anywhere, also inside ``Annotated`` aliases) and background tasks
  (``add_task``, ``BackgroundTask(...)``).
* **Roles**: why FastAPI calls a function. An ``async def`` with a role runs on the event loop
  (an *async context*), and so does every project ``async def`` an async context awaits,
  directly or through further ``async def`` functions: :meth:`ProjectFacts.context` gives the
  role and that chain.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from fastlint.semantic import ir, knowledge
from fastlint.semantic import summary as s
from fastlint.semantic.model import ModuleModel, Point
from fastlint.semantic.summary import CallSite, Scope
from fastlint.semantic.types import Definition, Types, Variable, binding_point, definition_point

if TYPE_CHECKING:
    from fastlint.project.index import ProjectIndex

__all__ = ["AppObject", "AsyncContext", "ProjectFacts", "Registration", "Role"]


class Role(str, enum.Enum):
    """Why FastAPI calls a function; the value reads well in messages."""

    PATH_OPERATION = "path operation"
    WEBSOCKET = "websocket endpoint"
    DEPENDENCY = "dependency"
    MIDDLEWARE = "middleware"
    LIFESPAN = "lifespan function"
    EXCEPTION_HANDLER = "exception handler"
    EVENT_HANDLER = "event handler"
    BACKGROUND_TASK = "background task"

    @property
    def sync_runs_in_threadpool(self) -> bool:
        """Whether FastAPI runs a sync ``def`` in this role in its thread pool, so that the
        ``async def`` -> ``def`` rewrite takes blocking calls off the event loop."""
        return self in (Role.PATH_OPERATION, Role.DEPENDENCY)


_ROUTE_REGISTRATIONS = {
    "add_api_route": (1, "endpoint", Role.PATH_OPERATION),
    "add_route": (1, "route", Role.PATH_OPERATION),
    "add_api_websocket_route": (1, "endpoint", Role.WEBSOCKET),
    "add_websocket_route": (1, "route", Role.WEBSOCKET),
    "add_exception_handler": (1, "handler", Role.EXCEPTION_HANDLER),
    "add_event_handler": (1, "func", Role.EVENT_HANDLER),
}
_HOOK_DECORATORS = {
    "middleware": Role.MIDDLEWARE,
    "exception_handler": Role.EXCEPTION_HANDLER,
    "on_event": Role.EVENT_HANDLER,
}
# Keywords of FastAPI()/APIRouter()/Starlette(): specific enough to need no type check.
_EVENT_KEYWORDS = {"on_startup": "startup", "on_shutdown": "shutdown"}
_EVENT_LISTS = {"on_startup": "startup", "on_shutdown": "shutdown"}


@dataclass(frozen=True)
class AppObject(ir.Record):
    """An app or router: the variable it is bound to (``key``), whether it is an application
    (``FastAPI``/``Starlette``) or a router, its class, whether that class is FastAPI's own
    (not a subclass), and whether it has a lifespan (None: cannot be known)."""

    __slots__ = ("call", "cls", "exact", "is_app", "key", "lifespan", "module")
    key: str
    is_app: bool
    cls: str
    exact: bool
    module: str
    call: ir.Call
    lifespan: Optional[bool]


@dataclass(frozen=True)
class Registration(ir.Record):
    """One thing registered with an app or router. ``owner`` is the key of the app/router
    (None when not resolved); ``target`` the qualified name of the registered function or
    class (None when not resolved); ``event`` is "startup"/"shutdown" for event handlers;
    ``how`` says by what: decorator | call | keyword | list | attribute."""

    __slots__ = ("event", "how", "kind", "module", "owner", "role", "site", "target")
    kind: str  # route | include | mount | middleware | exception_handler | event | lifespan
    role: Optional[Role]
    owner: Optional[str]
    target: Optional[str]
    module: str
    site: Optional[CallSite]
    event: Optional[str]
    how: str


@dataclass(frozen=True)
class AsyncContext(ir.Record):
    """Why an ``async def`` runs on the event loop: its role, or (``chain`` longer than one)
    the registered function that awaits it, through the functions listed."""

    __slots__ = ("chain", "role")
    role: Role
    chain: tuple[str, ...]

    def describe(self, name: str) -> str:
        if len(self.chain) <= 1:
            return f"async {self.role.value} `{name}`"
        return f"`{name}`, awaited from async {self.role.value} ({' -> '.join(self.chain)})"


@dataclass
class ProjectFacts:
    index: ProjectIndex
    types: Types
    objects: dict[str, AppObject] = field(default_factory=dict)
    registrations: list[Registration] = field(default_factory=list)
    roles: dict[str, set[Role]] = field(default_factory=dict)
    _contexts: Optional[dict[str, AsyncContext]] = None
    _heuristic: dict[str, Optional[Role]] = field(default_factory=dict)
    # Names of the classes that can make apps and routers (FastAPI's own, and project classes
    # deriving from them): only calls of such a name are resolved, a cheap filter first.
    _app_class_names: frozenset[str] = frozenset()
    # Tables derived from these facts (the route table), built once and let go with them: a
    # module-level cache would keep every project's facts alive for the whole run.
    derived: dict[str, Any] = field(default_factory=dict)

    def state(self) -> tuple[object, ...]:
        """What is stored in the index cache: plain records, containers and roles."""
        return (
            self.objects,
            self.registrations,
            self.roles,
            self._contexts,  # None when this run never asked: computed when asked
            self._heuristic,
            self._app_class_names,
        )

    @classmethod
    def from_state(cls, index: ProjectIndex, state: tuple[object, ...]) -> ProjectFacts:
        objects, registrations, roles, contexts, heuristic, names = state
        facts = cls(index, Types(index))
        facts.objects = objects  # type: ignore[assignment]
        facts.registrations = registrations  # type: ignore[assignment]
        facts.roles = roles  # type: ignore[assignment]
        facts._contexts = contexts  # type: ignore[assignment]
        facts._heuristic = heuristic  # type: ignore[assignment]
        facts._app_class_names = names  # type: ignore[assignment]
        return facts

    @classmethod
    def build(cls, index: ProjectIndex) -> ProjectFacts:
        facts = cls(index, Types(index))
        modules = list(index.registering_modules())
        facts._app_class_names = _app_class_names(modules)
        for model in modules:
            facts._collect_objects(model)
        for model in modules:
            facts._collect_registrations(model)
        return facts

    # -- apps and routers -----------------------------------------------------------------------
    def _classify(
        self, qualname: Optional[str], near: Optional[str] = None
    ) -> Optional[tuple[bool, str, bool]]:
        """(is an application, class, exact) for a class that makes apps or routers."""
        if qualname is None:
            return None
        canonical = knowledge.canonical_class(qualname)
        if canonical in knowledge.APPLICATION_CLASSES:
            return True, canonical, True
        if canonical in knowledge.ROUTER_CLASSES:
            return False, canonical, True
        if canonical is not None:
            return None
        if self.types.is_subclass(qualname, knowledge.APPLICATION_CLASSES, near):
            return True, qualname, False
        if self.types.is_subclass(qualname, knowledge.ROUTER_CLASSES, near):
            return False, qualname, False
        return None

    def _collect_objects(self, model: ModuleModel) -> None:
        for binding in model.summary.bindings:
            value = binding.value
            if binding.kind != s.ASSIGN or binding.unpack or not isinstance(value, ir.Call):
                continue
            if not _named(model, value.func, self._app_class_names):
                continue
            point = binding_point(binding)
            kind = self._classify(
                self.types.qualified_name(model, value.func, point), model.summary.path
            )
            if kind is None:
                continue
            key = model.variable_symbol(binding.scope, binding.name)
            self.objects[key] = AppObject(
                key, kind[0], kind[1], kind[2], model.name, value, _lifespan_keyword(value)
            )

    def _own_model(self, model: ModuleModel) -> ModuleModel:
        """The index's model of the same module. The checked file's LibCST-built model has the
        same records (so the same expressions and points), but facts must not keep it (or its
        syntax tree) alive in their caches."""
        own = self.index.model_for_path(model.summary.path)
        return own if own is not None else model

    def app_class(
        self, qualname: Optional[str], near: Optional[str] = None
    ) -> Optional[tuple[bool, str, bool]]:
        """(is an application, class, exact) for a class that makes apps or routers."""
        return self._classify(qualname, near)

    def object_at(
        self, model: ModuleModel, expr: Optional[ir.Expr], point: Point
    ) -> Optional[AppObject]:
        """The app or router that ``expr`` names at ``point`` (``app.router`` stands for
        ``app``)."""
        if expr is None:
            return None
        model = self._own_model(model)
        if isinstance(expr, ir.Attribute) and expr.attr == "router":
            owner = self.object_at(model, expr.value, point)
            if owner is not None and owner.is_app:
                return owner
        found = self.types.target(model, expr, point)
        if isinstance(found, Variable):
            keys = {found.model.variable_symbol(b.scope, b.name) for b in found.bindings}
            if len(keys) == 1:
                return self.objects.get(keys.pop())
        return None

    def is_app_or_router(self, model: ModuleModel, expr: ir.Expr, point: Point) -> bool:
        """Whether ``expr`` is an app or router: a known object, or a value typed as one."""
        model = self._own_model(model)
        if self.object_at(model, expr, point) is not None:
            return True
        if isinstance(expr, ir.Attribute) and expr.attr == "router":
            return self.is_app_or_router(model, expr.value, point)
        found = self.types.type_of(model, expr, point)
        return self.types.is_instance(found, knowledge.APP_CLASSES)

    # -- registrations --------------------------------------------------------------------------
    def _register(
        self,
        kind: str,
        role: Optional[Role],
        owner: Optional[AppObject],
        target: Optional[str],
        model: ModuleModel,
        site: Optional[CallSite],
        event: Optional[str] = None,
        how: str = "call",
    ) -> None:
        self.registrations.append(
            Registration(
                kind, role, owner.key if owner else None, target, model.name, site, event, how
            )
        )
        if role is not None and target is not None:
            self.roles.setdefault(target, set()).add(role)

    def _function(self, model: ModuleModel, expr: Optional[ir.Expr], point: Point) -> Optional[str]:
        """The qualified name of the function a registration names (for ``Checker()`` or a
        variable bound to one, the instance's ``__call__``)."""
        if expr is None:
            return None
        if isinstance(expr, ir.Call):
            klass = self.types.definition(model, expr.func, point)
            if klass is not None and klass.is_class:
                return f"{klass.qualname}.__call__"
            return None
        found = self.types.target(model, expr, point)
        if isinstance(found, Definition):
            return found.qualname
        if isinstance(found, Variable) and len(found.bindings) == 1:
            binding = found.bindings[0]
            if isinstance(binding.value, ir.Call):
                bound_at = binding_point(binding)
                return self._function(found.model, binding.value, bound_at)
        return None

    def _class(self, model: ModuleModel, expr: Optional[ir.Expr], point: Point) -> Optional[str]:
        if expr is None:
            return None
        found = self.types.definition(model, expr, point)
        return found.qualname if found is not None and found.is_class else None

    def _collect_registrations(self, model: ModuleModel) -> None:
        for site in model.summary.calls:
            point = Point(site.scope, site.order, site.branch)
            try:
                self._site(model, site, point)
            except RecursionError:  # pragma: no cover - pathological nesting
                continue
        for assignment in model.summary.attributes:
            target = assignment.target
            if isinstance(target, ir.Attribute) and target.attr == "lifespan_context":
                point = Point(assignment.scope, assignment.order, assignment.branch)
                owner = self.object_at(model, target.value, point)
                function = self._function(model, assignment.value, point)
                self._register(
                    "lifespan", Role.LIFESPAN, owner, function, model, None, how="attribute"
                )
                if owner is not None:
                    self.objects[owner.key] = _with_lifespan(owner)

    def _site(self, model: ModuleModel, site: CallSite, point: Point) -> None:
        call = site.call
        func = call.func
        if site.decorates >= 0 and isinstance(func, ir.Attribute):
            self._decorator(model, site, point, func)
            return
        if isinstance(func, ir.Attribute):
            method = func.attr
            if method in _ROUTE_REGISTRATIONS:
                position, keyword, role = _ROUTE_REGISTRATIONS[method]
                owner = self.object_at(model, func.value, point)
                target = self._function(model, call.argument(position, keyword), point)
                kind = {
                    Role.EXCEPTION_HANDLER: "exception_handler",
                    Role.EVENT_HANDLER: "event",
                }.get(role, "route")
                event = _literal(call.argument(0, "event_type")) if kind == "event" else None
                self._register(kind, role, owner, target, model, site, event)
                return
            if method == "add_middleware":
                owner = self.object_at(model, func.value, point)
                klass = self._class(model, call.argument(0, "middleware_class"), point)
                self._middleware_class(klass, owner, model, site)
                return
            if method == "include_router":
                owner = self.object_at(model, func.value, point)
                child = (
                    self.object_at(model, call.argument(0, "router"), point) if call.args else None
                )
                self._register("include", None, owner, child.key if child else None, model, site)
                return
            if method == "mount":
                owner = self.object_at(model, func.value, point)
                child = self.object_at(model, call.argument(1, "app"), point)
                self._register("mount", None, owner, child.key if child else None, model, site)
                return
            if method == "append" and isinstance(func.value, ir.Attribute):
                event = _EVENT_LISTS.get(func.value.attr)
                if event is not None:  # app.router.on_startup.append(handler)
                    owner = self.object_at(model, func.value.value, point)
                    target = self._function(model, call.argument(0, "object"), point)
                    self._register(
                        "event", Role.EVENT_HANDLER, owner, target, model, site, event, "list"
                    )
                    return
            if method == "add_task":
                receiver = self.types.type_of(model, func.value, point)
                if self.types.is_instance(receiver, {knowledge.BACKGROUND_TASKS}):
                    target = self._function(model, call.argument(0, "func"), point)
                    self._register("background", Role.BACKGROUND_TASK, None, target, model, site)
                return
        if not _named(model, func, _REGISTERING_CALLABLES):
            self._constructor_keywords(model, site, point)
            return
        callee = (
            self.types.qualified_name(model, func, point)
            if isinstance(func, (ir.Name, ir.Attribute))
            else None
        )
        if callee in knowledge.DEPENDS_NAMES:
            target = self._function(model, call.argument(0, "dependency"), point)
            self._register("dependency", Role.DEPENDENCY, None, target, model, site)
            return
        if callee in knowledge.MIDDLEWARE_WRAPPERS:
            self._middleware_class(
                self._class(model, call.argument(0, "cls"), point), None, model, site
            )
            return
        if callee in knowledge.ROUTE_CLASSES:
            role = Role.WEBSOCKET if "WebSocket" in callee else Role.PATH_OPERATION
            target = self._function(model, call.argument(1, "endpoint"), point)
            self._register("route", role, None, target, model, site)
            return
        if callee in knowledge.BACKGROUND_TASK_CLASSES:
            target = self._function(model, call.argument(0, "func"), point)
            self._register("background", Role.BACKGROUND_TASK, None, target, model, site)
            return
        self._constructor_keywords(model, site, point)

    def _constructor_keywords(self, model: ModuleModel, site: CallSite, point: Point) -> None:
        """``FastAPI(lifespan=..., on_startup=[...], exception_handlers={...})``."""
        call = site.call
        owner: Optional[AppObject] = None
        for arg in call.args:
            if arg.keyword not in ("lifespan", "on_startup", "on_shutdown", "exception_handlers"):
                continue
            if owner is None:
                owner = self._owner_of_call(model, site)
            if arg.keyword == "lifespan":
                if isinstance(arg.value, ir.Constant) and arg.value.value is None:
                    continue
                target = self._function(model, arg.value, point)
                self._register("lifespan", Role.LIFESPAN, owner, target, model, site, how="keyword")
            elif arg.keyword in _EVENT_KEYWORDS:
                event = _EVENT_KEYWORDS[arg.keyword]
                elements = arg.value.elements if isinstance(arg.value, ir.Collection) else ()
                if not isinstance(arg.value, ir.Collection) and not (
                    isinstance(arg.value, ir.Constant) and arg.value.value is None
                ):
                    self._register(
                        "event", Role.EVENT_HANDLER, owner, None, model, site, event, "keyword"
                    )
                for element in elements:
                    target = self._function(model, element, point)
                    self._register(
                        "event", Role.EVENT_HANDLER, owner, target, model, site, event, "keyword"
                    )
            elif isinstance(arg.value, ir.Dict):
                for value in arg.value.values:
                    target = self._function(model, value, point)
                    self._register(
                        "exception_handler",
                        Role.EXCEPTION_HANDLER,
                        owner,
                        target,
                        model,
                        site,
                        how="keyword",
                    )

    def _owner_of_call(self, model: ModuleModel, site: CallSite) -> Optional[AppObject]:
        for obj in self.objects.values():
            if obj.module == model.name and obj.call is site.call:
                return obj
        return None

    def _middleware_class(
        self, klass: Optional[str], owner: Optional[AppObject], model: ModuleModel, site: CallSite
    ) -> None:
        if klass is None:
            self._register("middleware", None, owner, None, model, site)
            return
        for method in ("dispatch", "__call__"):
            self._register("middleware", Role.MIDDLEWARE, owner, f"{klass}.{method}", model, site)

    def _decorator(
        self, model: ModuleModel, site: CallSite, point: Point, func: ir.Attribute
    ) -> None:
        decorated = model.scope(site.decorates)
        target = model.symbol_of(decorated)
        method = func.attr
        if method in knowledge.ROUTE_METHODS or method in knowledge.WEBSOCKET_METHODS:
            if not self.is_app_or_router(model, func.value, point):
                return
            role = Role.WEBSOCKET if method in knowledge.WEBSOCKET_METHODS else Role.PATH_OPERATION
            owner = self.object_at(model, func.value, point)
            self._register("route", role, owner, target, model, site, how="decorator")
            return
        hook = _HOOK_DECORATORS.get(method)
        if hook is None:
            return
        receiver = self.types.type_of(model, func.value, point)
        owner = self.object_at(model, func.value, point)
        # These names are specific to Starlette/FastAPI: an unknown receiver is accepted, one
        # known to be something else is not.
        if (
            owner is None
            and receiver is not None
            and not self.types.is_instance(receiver, knowledge.APP_CLASSES)
        ):
            return
        kind = {Role.MIDDLEWARE: "middleware", Role.EXCEPTION_HANDLER: "exception_handler"}.get(
            hook, "event"
        )
        event = _literal(site.call.argument(0, "event_type")) if kind == "event" else None
        self._register(kind, hook, owner, target, model, site, event, "decorator")

    # -- roles ------------------------------------------------------------------------------
    def _own(self, model: ModuleModel, scope: Scope) -> tuple[ModuleModel, Scope]:
        """The index's own model of a function (the checked file's LibCST-built model stands
        for the same module): facts are computed over index models only."""
        own = self._own_model(model)
        if own is model:
            return model, scope
        found = own.scopes_named(scope.qualpath)
        return (own, found) if found is not None else (model, scope)

    def role_of(self, model: ModuleModel, scope: Scope) -> Optional[Role]:
        """Why FastAPI calls this function, if it does (registered anywhere in the project, or
        recognised by its shape: a ``BaseHTTPMiddleware.dispatch``, an ASGI ``__call__``, a
        lifespan context manager, a function that declares ``Depends`` parameters)."""
        model, scope = self._own(model, scope)
        roles = self.roles.get(model.symbol_of(scope))
        if roles:
            return _first(roles)
        return self._shape_role(model, scope)

    def _shape_role(self, model: ModuleModel, scope: Scope) -> Optional[Role]:
        key = model.symbol_of(scope)
        if key in self._heuristic:
            return self._heuristic[key]
        self._heuristic[key] = None
        role = self._recognise(model, scope)
        self._heuristic[key] = role
        return role

    def _recognise(self, model: ModuleModel, scope: Scope) -> Optional[Role]:
        if scope.kind != s.FUNCTION:
            return None
        parent = model.parent(scope)
        outer = definition_point(model, scope)
        if parent is not None and parent.kind == s.CLASS:
            if scope.name == "dispatch":
                klass = model.symbol_of(parent)
                if self.types.is_subclass(
                    klass, {knowledge.BASE_HTTP_MIDDLEWARE}, model.summary.path
                ):
                    return Role.MIDDLEWARE
                return None
            if scope.name == "__call__":
                names = [p.name for p in scope.params if p.kind in ("posonly", "normal")]
                if names == ["self", "scope", "receive", "send"]:
                    return Role.MIDDLEWARE  # a pure ASGI app: always on the event loop
            return None
        decorators = {self.types.qualified_name(model, d, outer) for d in scope.decorators}
        if decorators & knowledge.ASYNC_CONTEXT_MANAGER and self._takes_app(model, scope, outer):
            return Role.LIFESPAN
        if self._declares_injection(model, scope, outer):
            # Only FastAPI fills ``Depends`` parameters: a function declaring them is a
            # dependency (or endpoint) even when it is registered where fastlint cannot see,
            # e.g. returned by a factory: ``Depends(requires_access("dag"))``.
            return Role.DEPENDENCY
        return None

    def _takes_app(self, model: ModuleModel, scope: Scope, outer: Point) -> bool:
        positional = [p for p in scope.params if p.kind in ("posonly", "normal")]
        if not positional:
            return False
        first = positional[0]
        if first.annotation is None:
            return first.name in ("app", "_app")
        found = self.types.annotation_type(model, first.annotation, outer)
        return self.types.is_instance(found, knowledge.APPLICATION_CLASSES)

    def _declares_injection(self, model: ModuleModel, scope: Scope, outer: Point) -> bool:
        for param in scope.params:
            default = param.default
            if isinstance(default, ir.Call) and self.types.is_depends(model, default, outer):
                return True
            if param.annotation is not None and self.types.annotation_provider(
                model, param.annotation, outer
            ):
                return True
        return False

    # -- async contexts ---------------------------------------------------------------------
    def context(self, model: ModuleModel, scope: Scope) -> Optional[AsyncContext]:
        """Why the ``async def`` ``scope`` runs on the event loop, or None."""
        if not scope.is_async:
            return None
        model, scope = self._own(model, scope)
        role = self.role_of(model, scope)
        if role is not None:
            return AsyncContext(role, (_short(model.symbol_of(scope)),))
        return self._awaited().get(model.symbol_of(scope))

    def _awaited(self) -> dict[str, AsyncContext]:
        """Project ``async def`` functions awaited from an async context, with their chain."""
        if self._contexts is not None:
            return self._contexts
        contexts: dict[str, AsyncContext] = {}
        queue: deque[tuple[Definition, AsyncContext]] = deque()
        for qualname in sorted(self.roles):
            definition = self._definition(qualname)
            if definition is None or not definition.scope.is_async:
                continue
            role = self.role_of(definition.model, definition.scope)
            if role is not None:
                queue.append((definition, AsyncContext(role, (_short(qualname),))))
        seen = {d.qualname for d, _ in queue}
        for model in self._models():
            for scope in model.functions():
                if scope.is_async and model.symbol_of(scope) not in seen:
                    role = self._shape_role(model, scope)
                    if role is not None:
                        definition = Definition(model, scope)
                        seen.add(definition.qualname)
                        queue.append(
                            (definition, AsyncContext(role, (_short(definition.qualname),)))
                        )
        while queue:
            definition, context = queue.popleft()
            for callee in self.awaited_callees(definition):
                if callee.qualname in seen or not callee.scope.is_async:
                    continue
                seen.add(callee.qualname)
                found = AsyncContext(context.role, (*context.chain, _short(callee.qualname)))
                contexts[callee.qualname] = found
                queue.append((callee, found))
        self._contexts = contexts
        return contexts

    def _models(self) -> Iterator[ModuleModel]:
        yield from self.index.registering_modules()

    def _definition(self, qualname: str) -> Optional[Definition]:
        found = self.types.global_target(qualname)
        if isinstance(found, Definition):
            return found
        owner, _, method = qualname.rpartition(".")
        member = self.types.class_member(owner, method) if owner else None
        return member if isinstance(member, Definition) else None

    def awaited_callees(self, definition: Definition) -> Iterator[Definition]:
        """Project functions that ``definition``'s own code awaits."""
        model, scope = definition.model, definition.scope
        for site in model.calls_in(scope):
            if site.usage != s.AWAITED:
                continue
            callee = self.callee(model, site)
            if callee is not None:
                yield callee

    def callee(self, model: ModuleModel, site: CallSite) -> Optional[Definition]:
        """The project function a call calls: by name, or a method of a known class."""
        model = self._own_model(model)
        point = Point(site.scope, site.order, site.branch)
        func = site.call.func
        found = self.types.definition(model, func, point)
        if found is not None:
            return None if found.is_class else found
        if isinstance(func, ir.Attribute):
            receiver = self.types.type_of(model, func.value, point)
            if receiver is not None:
                member = self.types.class_member(receiver.name, func.attr)
                if isinstance(member, Definition) and not member.is_class:
                    return member
        return None

    def is_used_as_coroutine(self, model: ModuleModel, scope: Scope) -> bool:
        """Whether project code awaits this function's result or hands it to another call
        (``asyncio.gather(f())``): it would break if the function became a plain ``def``."""
        model, scope = self._own(model, scope)
        target = model.symbol_of(scope)
        for other in self.index.modules_mentioning(scope.name):
            for site in other.summary.calls:
                if site.usage not in (s.AWAITED, s.ARGUMENT):
                    continue
                callee = self.callee(other, site)
                if callee is not None and callee.qualname == target:
                    return True
        return False

    def registering_decorators(self, model: ModuleModel, scope: Scope) -> int:
        """How many of the function's decorators register it with FastAPI."""
        model, scope = self._own(model, scope)
        return sum(
            1
            for registration in self.registrations
            if registration.how == "decorator"
            and registration.module == model.name
            and registration.site is not None
            and registration.site.decorates == scope.id
        )

    # -- events -------------------------------------------------------------------------------
    def registrations_of(self, owner: str, kind: str) -> list[Registration]:
        return [r for r in self.registrations if r.owner == owner and r.kind == kind]

    def included(self, owner: str) -> list[str]:
        """Keys of the routers included into ``owner``."""
        return [
            r.target
            for r in self.registrations
            if r.kind == "include" and r.owner == owner and r.target
        ]


# Last name parts of the callables whose calls register functions: only those are resolved.
_REGISTERING_CALLABLES = frozenset(
    name.rsplit(".", 1)[-1]
    for name in (
        *knowledge.DEPENDS_NAMES,
        *knowledge.MIDDLEWARE_WRAPPERS,
        *knowledge.ROUTE_CLASSES,
        *knowledge.BACKGROUND_TASK_CLASSES,
    )
)


def _named(model: ModuleModel, func: ir.Expr, names: frozenset[str]) -> bool:
    """A cheap test before resolving a callee (see :meth:`ModuleModel.may_name`); a callee
    that is itself a call (``sessionmaker()()``) may be anything."""
    return isinstance(func, ir.Call) or model.may_name(func, names)


def _app_class_names(models: list[ModuleModel]) -> frozenset[str]:
    """FastAPI's app and router class names, and the names of project classes that derive from
    one of them (by name, to a fixed point: the resolution that confirms them comes later)."""
    names = {
        name.rsplit(".", 1)[-1] for name in (*knowledge.APP_CLASSES, *knowledge.CLASS_SPELLINGS)
    }
    names = {n for n in names if n in ("FastAPI", "APIRouter", "Starlette", "Router")}
    classes = [
        (scope.name, [ir.dotted(base.value) for base in scope.bases if base.keyword is None])
        for model in models
        for scope in model.classes()
    ]
    changed = True
    while changed:
        changed = False
        for name, bases in classes:
            if name not in names and any(
                b is not None and b.rsplit(".", 1)[-1] in names for b in bases
            ):
                names.add(name)
                changed = True
    return frozenset(names)


def _first(roles: set[Role]) -> Role:
    for role in Role:
        if role in roles:
            return role
    raise AssertionError("empty role set")  # pragma: no cover


def _short(qualname: str) -> str:
    """``app.services.load_orders`` -> ``services.load_orders`` (module and name)."""
    parts = qualname.replace(".<locals>", "").split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else qualname


def _literal(expr: Optional[ir.Expr]) -> Optional[str]:
    return expr.value if isinstance(expr, ir.Constant) and isinstance(expr.value, str) else None


def _lifespan_keyword(call: ir.Call) -> Optional[bool]:
    """Whether the constructor call sets a lifespan (``lifespan=None`` does not)."""
    value = call.keyword("lifespan")
    if value is not None and not (isinstance(value, ir.Constant) and value.value is None):
        return True
    if any(arg.star == "**" for arg in call.args):
        return None
    return False


def _with_lifespan(obj: AppObject) -> AppObject:
    return AppObject(obj.key, obj.is_app, obj.cls, obj.exact, obj.module, obj.call, True)
