"""FL401 deprecated-on-event: `on_event` handlers and `on_startup`/`on_shutdown` arguments."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.imports import alias_asname, dotted_name
from fastlint.index import ProjectIndex
from fastlint.nodes import is_attribute, is_docstring, is_method_call, is_name, target_names
from fastlint.noqa import parse_suppressions
from fastlint.rule import Case, FileContext, FixAvailability, FixBuilder, Rule

APP_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
EVENT_ARGUMENTS = ("on_startup", "on_shutdown")
# Ways to reach the event machinery other than `on_event` and the constructor arguments. When
# code uses them on an app, the rule cannot list every handler of that app, so it offers no fix.
EVENT_INTERNALS = frozenset({"on_startup", "on_shutdown", "add_event_handler", "lifespan_context"})
_ASYNC_CONTEXT_MANAGER = ("contextlib", "asynccontextmanager", frozenset({"contextlib"}))
_ASYNC_ITERATOR = ("collections.abc", "AsyncIterator", frozenset({"collections.abc", "typing"}))


@dataclass(frozen=True)
class _Target:
    """An app or router object, as far as names and the project index tell."""

    key: str  # its qualified name; a synthetic key for objects local to a function
    kind: str  # "app" | "router"
    exact: bool  # built by FastAPI/APIRouter itself, not by a subclass
    lifespan: Optional[bool]  # built with lifespan=; None when that cannot be known


@dataclass(frozen=True)
class _Handler:
    name: str
    is_async: bool
    event: str  # "startup" | "shutdown"


@dataclass
class _Group:
    """Everything found about one app or router in this module."""

    target: _Target
    findings: list[tuple[cst.CSTNode, str]] = field(default_factory=list)
    argument_handlers: list[_Handler] = field(default_factory=list)
    decorator_handlers: list[_Handler] = field(default_factory=list)
    decorators: list[cst.Decorator] = field(default_factory=list)
    calls: list[cst.Call] = field(default_factory=list)  # constructor calls with event arguments
    includes: list[Optional[str]] = field(default_factory=list)  # keys of included routers
    # Why the handlers of this object cannot all be moved into a lifespan, when they cannot.
    blockers: list[str] = field(default_factory=list)


@dataclass
class _Scope:
    """The names bound in one function: by a constructor call, a parameter annotation, or
    something else (None)."""

    prefix: str
    bindings: dict[str, list[Union[cst.Call, cst.Annotation, None]]] = field(default_factory=dict)

    def add(self, name: str, binding: Union[cst.Call, cst.Annotation, None]) -> None:
        self.bindings.setdefault(name, []).append(binding)


@dataclass(frozen=True)
class _Definition:
    """A `name = Call(...)` (or `name: T = Call(...)`) that runs at module level."""

    statement: Optional[cst.SimpleStatementLine]  # None inside an `if`/`try`/... block
    small: Union[cst.Assign, cst.AnnAssign]
    call: cst.Call
    index: int  # position in the module body; -1 inside a block


@dataclass(frozen=True)
class _TopImport:
    index: int  # position in the module body
    local: str  # the expression that names the import: `name`, `alias` or `a.b`
    qualified: str
    is_module: bool  # `import a.b` rather than `from a import b`


@dataclass
class _ImportPlan:
    decorator: str  # how the generated code names `contextlib.asynccontextmanager`
    iterator: str  # how it names `AsyncIterator`
    extend: list[tuple[str, str]] = field(default_factory=list)  # names added to from-imports
    new_lines: list[str] = field(default_factory=list)  # whole new import lines


@dataclass
class _ProjectEvents:
    """Event facts of every other module of the run, with names resolved by the index."""

    registrations: set[str] = field(default_factory=set)
    includes: dict[str, list[Optional[str]]] = field(default_factory=dict)


class DeprecatedOnEvent(Rule):
    """
    ## What it does
    Reports `@app.on_event("startup")` / `@app.on_event("shutdown")` handlers on a `FastAPI`
    app or an `APIRouter`, and the `on_startup=` / `on_shutdown=` arguments of `FastAPI(...)`
    and `APIRouter(...)`. Apps and routers are recognised by qualified name, also when they are
    imported from another module of the project or built inside an app factory. Apps that
    already have a `lifespan=` are left to FL402 (there the handlers never run).

    ## Why is this bad?
    Event handlers are deprecated in FastAPI, and Starlette 1.0 removed them: FastAPI keeps a
    copy of the old machinery for backward compatibility only. A startup handler and its
    matching shutdown handler cannot share state except through globals, and as soon as a
    `lifespan` is added (a library often needs one) every `on_event` handler is silently
    skipped. A lifespan context manager keeps setup and teardown together and is the supported
    way.

    ## Example
    ```python
    from fastapi import FastAPI

    app = FastAPI()


    @app.on_event("startup")
    async def connect_db() -> None:
        await database.connect()


    @app.on_event("shutdown")
    async def disconnect_db() -> None:
        await database.disconnect()
    ```

    ## Use instead
    ```python
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    from fastapi import FastAPI


    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await database.connect()
        try:
            yield
        finally:
            await database.disconnect()


    app = FastAPI(lifespan=lifespan)
    ```

    ## Fix safety
    The fix is safe, and offered only when the rule sees every handler of the app: the app is
    built by a `FastAPI(...)` call at module level of this module and has no lifespan; every
    handler is a plain module-level function of this module (no other decorator, defined once),
    listed in `on_startup=[...]`/`on_shutdown=[...]` or decorated with a literal
    `"startup"`/`"shutdown"`; no other module of the run registers handlers on the app; no
    router that it includes has handlers; and the code does not reach `on_startup`,
    `add_event_handler` or `lifespan_context` directly. ("Other modules" are those of the run:
    a module that registers handlers on the app but is not checked with it is not seen.)

    The generated `lifespan` (named `_lifespan`, ... when `lifespan` is taken) is defined above
    the `app = FastAPI(...)` statement, because `FastAPI(lifespan=lifespan)` needs it there;
    its body refers to the handlers by name, which only have to exist when it runs. It does
    what FastAPI's compatibility lifespan did: startup handlers in registration order
    (constructor arguments first, then decorators in source order), awaiting `async def` ones
    and calling plain ones on the event loop; then shutdown handlers in registration order in
    a `finally`. FastAPI runs the shutdown handlers from the `__aexit__` of its context
    manager, so they run when the server stops normally and also when the lifespan is
    cancelled or fails after start-up; they do not run when a startup handler raises, since
    `__aexit__` is not called when `__aenter__` fails. The generated code keeps both: the
    startup calls come before the `try`. Decorators are removed and handlers kept; the
    `on_startup`/`on_shutdown` arguments are replaced by `lifespan=`.

    Router handlers are reported without a fix: FastAPI copies them into every app that
    includes the router, so moving them depends on the app.
    """

    code = "FL401"
    name = "deprecated-on-event"
    message = "`on_event` is deprecated; use a lifespan context manager (FastAPI(lifespan=...))"
    fix_availability = FixAvailability.SOMETIMES
    requires_any = ("on_event", "on_startup", "on_shutdown")

    valid = (
        Case(
            """
            from contextlib import asynccontextmanager

            from fastapi import FastAPI


            @asynccontextmanager
            async def lifespan(app):
                yield


            app = FastAPI(lifespan=lifespan)


            @app.on_event("startup")
            async def ignored() -> None:
                pass
            """
        ),
        Case(
            """
            from fastapi import FastAPI


            async def start() -> None:
                pass


            app = FastAPI(on_startup=[start], lifespan=make_lifespan())
            """
        ),
        Case(
            """
            from events import EventBus

            bus = EventBus()


            @bus.on_event("startup")
            def handler() -> None:
                pass
            """
        ),
        Case(
            """
            from fastapi import FastAPI


            class Hooks:
                def on_event(self, name):
                    return lambda f: f


            hooks = Hooks()
            app = FastAPI()


            @hooks.on_event("startup")
            def handler() -> None:
                pass
            """
        ),
    )
    invalid = (
        Case(
            """
            from fastapi import FastAPI

            app = FastAPI()


            @app.on_event("startup")
            async def connect_db() -> None:
                pass


            @app.on_event("shutdown")
            def close() -> None:
                pass
            """,
            expected="""
            from fastapi import FastAPI
            from collections.abc import AsyncIterator
            from contextlib import asynccontextmanager


            @asynccontextmanager
            async def lifespan(app: FastAPI) -> AsyncIterator[None]:
                await connect_db()
                try:
                    yield
                finally:
                    close()


            app = FastAPI(lifespan=lifespan)


            async def connect_db() -> None:
                pass


            def close() -> None:
                pass
            """,
            count=2,
            message="`on_event` is deprecated",
        ),
        Case(
            """
            import fastapi


            def init() -> None:
                pass


            app = fastapi.FastAPI(on_startup=[init])
            """,
            expected="""
            import fastapi
            from collections.abc import AsyncIterator
            from contextlib import asynccontextmanager


            def init() -> None:
                pass


            @asynccontextmanager
            async def lifespan(app: fastapi.FastAPI) -> AsyncIterator[None]:
                init()
                yield


            app = fastapi.FastAPI(lifespan=lifespan)
            """,
            count=1,
            message="`on_startup` is deprecated",
        ),
        Case(
            """
            from fastapi import APIRouter

            router = APIRouter()


            @router.on_event("startup")
            async def warm_cache() -> None:
                pass
            """,
            count=1,
            message="APIRouter(lifespan=...)",
        ),
        Case(
            """
            from app.main import app


            @app.on_event("shutdown")
            async def flush() -> None:
                pass
            """,
            path="app/events.py",
            files={
                "app/__init__.py": "",
                "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            },
            count=1,
        ),
        Case(
            """
            from fastapi import FastAPI


            def create_app() -> FastAPI:
                app = FastAPI()

                @app.on_event("startup")
                async def start() -> None:
                    pass

                return app
            """,
            count=1,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._groups: dict[str, _Group] = {}
        self._scopes: list[_Scope] = []
        self._definitions: dict[str, list[_Definition]] = {}
        self._module_keys: dict[str, str] = {}  # group key -> module-level name
        self._functions: dict[str, cst.FunctionDef] = {}  # module-level `def`s of the body
        self._bindings: dict[str, int] = {}  # module-level name -> number of bindings
        self._top_imports: list[_TopImport] = []
        self._body_index: dict[int, int] = {}  # id(top-level import node) -> body position
        self._top_level: set[int] = set()  # ids of the module body's statements
        self._decorator_calls: set[int] = set()
        self._used_names: set[str] = set()
        self._not_names: set[int] = set()  # ids of Name nodes that are attributes or keywords

    # -- traversal ------------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        for index, statement in enumerate(node.body):
            self._top_level.add(id(statement))
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._module_small(small, statement, index)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                self._bind(statement.name.value)
                if isinstance(statement, cst.FunctionDef):
                    self._functions[statement.name.value] = statement
            else:
                for item in _block_items(statement):
                    if isinstance(item, (cst.FunctionDef, cst.ClassDef)):
                        self._bind(item.name.value)
                    elif isinstance(item, cst.BaseSmallStatement):
                        self._module_small(item, None, -1)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        # Decorators run in the enclosing scope, so they are checked before entering the body.
        self._check_decorators(node)
        self._scopes.append(self._function_scope(node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._not_names.add(id(node.attr))
        if node.attr.value in EVENT_INTERNALS:
            target = self._resolve(node.value)
            if target is not None:
                self._group(target).blockers.append(f"uses `.{node.attr.value}`")

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._not_names.add(id(node.keyword))

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self._not_names:
            self._used_names.add(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        if id(node) in self._decorator_calls:
            return
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "on_event":
            target = self._resolve(func.value)
            if target is not None and target.lifespan is not True:
                group = self._group(target)
                group.findings.append((node, self._message("on_event", target)))
                group.blockers.append("`on_event` used outside a decorator")
            return
        if isinstance(func, cst.Attribute) and func.attr.value == "include_router":
            target = self._resolve(func.value)
            if target is not None and node.args:
                self._group(target).includes.append(self._key_of(node.args[0].value))
            return
        event_args = [
            arg
            for arg in node.args
            if arg.keyword is not None and arg.keyword.value in EVENT_ARGUMENTS
        ]
        if not event_args or _call_lifespan(node) is True:
            return
        kind = self._classify(self.context.qualname(func))
        if kind is None:
            return
        target = self._call_target(node, kind)
        group = self._group(target)
        group.calls.append(node)
        for arg in event_args:
            assert arg.keyword is not None
            group.findings.append((arg, self._message(arg.keyword.value, target)))
            handlers = self._argument_handlers(arg)
            if handlers is None:
                group.blockers.append(f"`{arg.keyword.value}` is not a list of local functions")
            else:
                group.argument_handlers.extend(handlers)

    def leave_Module(self, original_node: cst.Module) -> None:
        taken = self._used_names | set(self.context.imports.names)
        project: list[Optional[_ProjectEvents]] = []  # computed once, when first needed
        for group in self._groups.values():
            if not group.findings:
                continue
            fix = self._build_fix(group, taken, project) if group.target.kind == "app" else None
            for node, message in group.findings:
                self.report(node, message, fix=fix)

    # -- module facts ---------------------------------------------------------------------

    def _bind(self, name: str) -> None:
        self._bindings[name] = self._bindings.get(name, 0) + 1

    def _module_small(
        self,
        small: cst.BaseSmallStatement,
        statement: Optional[cst.SimpleStatementLine],
        index: int,
    ) -> None:
        if isinstance(small, (cst.Assign, cst.AnnAssign)):
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            for target in targets:
                for name in target_names(target):
                    self._bind(name)
            value = small.value
            if (
                len(targets) == 1
                and isinstance(targets[0], cst.Name)
                and isinstance(value, cst.Call)
            ):
                definition = _Definition(statement, small, value, index)
                self._definitions.setdefault(targets[0].value, []).append(definition)
        elif isinstance(small, cst.AugAssign):
            for name in target_names(small.target):
                self._bind(name)
        elif isinstance(small, (cst.Import, cst.ImportFrom)):
            for local, qualified, is_module in _import_bindings(small):
                self._bind(local.split(".")[0])
                if index >= 0:
                    self._top_imports.append(_TopImport(index, local, qualified, is_module))
            if index >= 0:
                self._body_index[id(small)] = index

    def _function_scope(self, node: cst.FunctionDef) -> _Scope:
        """The names a function binds, with what binds them (classified only when needed)."""
        scope = _Scope(f"<{node.name.value} at {id(node)}>")
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            scope.add(param.name.value, param.annotation)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.add(star.name.value, None)
        for item in _block_items(node.body):
            if isinstance(item, (cst.FunctionDef, cst.ClassDef)):
                scope.add(item.name.value, None)
            elif isinstance(item, (cst.Assign, cst.AnnAssign)):
                targets = (
                    [t.target for t in item.targets]
                    if isinstance(item, cst.Assign)
                    else [item.target]
                )
                value = item.value if isinstance(item.value, cst.Call) else None
                for expr in targets:
                    for name in target_names(expr):
                        scope.add(name, value)
        return scope

    def _scope_target(self, scope: _Scope, name: str) -> Optional[_Target]:
        """The app or router that a local name of ``scope`` holds, if any of its bindings
        makes one (a constructor call, or an annotated parameter)."""
        key = f"{scope.prefix}.{name}"
        for binding in scope.bindings[name]:
            if isinstance(binding, cst.Call):
                kind = self._classify(self.context.qualname(binding.func))
                if kind is not None:
                    return _Target(key, kind[0], kind[1], _call_lifespan(binding))
            elif isinstance(binding, cst.Annotation):
                kind = self._classify(self.context.qualname(binding.annotation))
                if kind is not None:
                    return _Target(key, kind[0], kind[1], None)
        return None

    # -- resolving apps and routers -------------------------------------------------------

    def _classify(self, qualname: Optional[str]) -> Optional[tuple[str, bool]]:
        """("app" | "router", exact) for a class that builds apps or routers."""
        if qualname is None:
            return None
        candidates = [qualname]
        index = self.context.index
        if index is not None:
            candidates.append(index.resolve(qualname))
        for candidate in candidates:
            if candidate in APP_CLASSES:
                return "app", True
            if candidate in ROUTER_CLASSES:
                return "router", True
        if index is not None:
            if index.subclasses_of(candidates[-1], APP_CLASSES):
                return "app", False
            if index.subclasses_of(candidates[-1], ROUTER_CLASSES):
                return "router", False
        return None

    def _resolve(self, expr: cst.BaseExpression) -> Optional[_Target]:
        """The app or router that ``expr`` names, if it names one."""
        if is_attribute(expr, "router"):
            assert isinstance(expr, cst.Attribute)
            owner = self._resolve(expr.value)
            if owner is not None and owner.kind == "app":
                return owner  # `app.router.on_event` registers on the app itself
        if isinstance(expr, cst.Name):
            for scope in reversed(self._scopes):
                if expr.value in scope.bindings:
                    return self._scope_target(scope, expr.value)
            if expr.value not in self.context.imports.names and expr.value in self._bindings:
                return self._module_target(expr.value)
        return self._imported_target(expr)

    def _module_key(self, name: str) -> str:
        return self.context.qualname(cst.Name(name)) or name

    def _module_target(self, name: str) -> Optional[_Target]:
        for definition in self._definitions.get(name, []):
            kind = self._classify(self.context.qualname(definition.call.func))
            if kind is not None:
                key = self._module_key(name)
                self._module_keys[key] = name
                return _Target(key, kind[0], kind[1], _call_lifespan(definition.call))
        return None

    def _imported_target(self, expr: cst.BaseExpression) -> Optional[_Target]:
        index = self.context.index
        qualname = self.context.qualname(expr)
        if index is None or qualname is None:
            return None
        qualname = index.resolve(qualname)
        kind = self._classify(index.constructed_by(qualname))
        if kind is None:
            return None
        lifespan: Optional[bool] = None
        found = index.assignment(qualname)
        if found is not None and isinstance(found[1], ast.Call):
            lifespan = _ast_call_lifespan(found[1])
        return _Target(qualname, kind[0], kind[1], lifespan)

    def _key_of(self, expr: cst.BaseExpression) -> Optional[str]:
        """A key for an included router: its target key, else its resolved qualified name."""
        target = self._resolve(expr)
        if target is not None:
            return target.key
        qualname = self.context.qualname(expr)
        if qualname is None:
            return None
        index = self.context.index
        return index.resolve(qualname) if index is not None else qualname

    def _call_target(self, call: cst.Call, kind: tuple[str, bool]) -> _Target:
        for name, definitions in self._definitions.items():
            if any(d.call is call for d in definitions):
                target = self._module_target(name)
                if target is not None:
                    return target
        return _Target(f"<call at {id(call)}>", kind[0], kind[1], _call_lifespan(call))

    def _group(self, target: _Target) -> _Group:
        group = self._groups.get(target.key)
        if group is None:
            group = self._groups[target.key] = _Group(target)
        return group

    def _message(self, what: str, target: _Target) -> str:
        owner = "FastAPI" if target.kind == "app" else "APIRouter"
        return f"`{what}` is deprecated; use a lifespan context manager ({owner}(lifespan=...))"

    # -- handlers -------------------------------------------------------------------------

    def _check_decorators(self, node: cst.FunctionDef) -> None:
        registrations: list[tuple[cst.Decorator, _Group, Optional[str]]] = []
        for decorator in node.decorators:
            expr = decorator.decorator
            if not is_method_call(expr, "on_event"):
                continue
            assert isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)
            target = self._resolve(expr.func.value)
            if target is None or target.lifespan is True:
                continue
            self._decorator_calls.add(id(expr))
            group = self._group(target)
            group.findings.append((decorator, self._message("on_event", target)))
            registrations.append((decorator, group, _event_type(expr)))
        if not registrations:
            return
        name = node.name.value
        movable = (
            id(node) in self._top_level
            and len(registrations) == len(node.decorators)
            and len({id(group) for _, group, _ in registrations}) == 1
            and self._bindings.get(name) == 1
        )
        # Decorators apply bottom-up: the lowest one registers the handler first.
        for decorator, group, event in reversed(registrations):
            group.decorators.append(decorator)
            if event is None:
                group.blockers.append("event type is not a literal 'startup'/'shutdown'")
            elif not movable:
                group.blockers.append(f"handler {name!r} is not a plain module-level function")
            else:
                group.decorator_handlers.append(
                    _Handler(name, node.asynchronous is not None, event)
                )

    def _argument_handlers(self, arg: cst.Arg) -> Optional[list[_Handler]]:
        assert arg.keyword is not None
        event = "startup" if arg.keyword.value == "on_startup" else "shutdown"
        value = arg.value
        if is_name(value, "None"):
            return []
        if not isinstance(value, (cst.List, cst.Tuple)):
            return None
        handlers: list[_Handler] = []
        for element in value.elements:
            if not isinstance(element, cst.Element) or not isinstance(element.value, cst.Name):
                return None
            name = element.value.value
            function = self._functions.get(name)
            if function is None or function.decorators or self._bindings.get(name) != 1:
                return None
            handlers.append(_Handler(name, function.asynchronous is not None, event))
        return handlers

    # -- the fix --------------------------------------------------------------------------

    def _build_fix(
        self, group: _Group, taken: set[str], project: list[Optional[_ProjectEvents]]
    ) -> Optional[FixBuilder]:
        target = group.target
        name = self._module_keys.get(target.key)
        if not target.exact or target.lifespan is not False or group.blockers or name is None:
            return None
        definitions = self._definitions.get(name, [])
        if len(definitions) != 1 or self._bindings.get(name) != 1:
            return None
        definition = definitions[0]
        statement, call = definition.statement, definition.call
        if statement is None or definition.index < 1 or statement.body[0] is not definition.small:
            return None
        if any(c is not call for c in group.calls):
            return None
        if any(
            arg.keyword is None or arg.star or arg.keyword.value == "lifespan" for arg in call.args
        ):
            return None  # positional or unpacked arguments, or an explicit `lifespan=None`
        if any(_suppressed(node, statement) for node, _ in group.findings):
            # A handler kept on purpose (a noqa comment for FL401) would be dropped by a lifespan.
            return None
        if not self._sees_every_handler(group, project):
            return None
        fix = self.fix(
            Applicability.SAFE, "Move the event handlers into a lifespan context manager"
        )
        handlers = group.argument_handlers + group.decorator_handlers
        if not handlers:  # only `on_startup=[]`/`None`: nothing to move
            return fix.replace(call, self.context.code(_without_events(call, None, "")))
        plan = self._import_plan(definition.index)
        if plan is None:
            return None

        lifespan = _free_name(("lifespan", "_lifespan"), taken)
        taken.add(lifespan)
        handler_names = {h.name for h in handlers}
        parameter = _free_name(("app", "_app"), handler_names)

        newline, indent = self.context.newline, self.context.indent
        lines = [
            f"@{plan.decorator}",
            f"async def {lifespan}({parameter}: {self.context.code(call.func)})"
            f" -> {plan.iterator}[None]:",
        ]
        lines += [indent + _call_line(h) for h in handlers if h.event == "startup"]
        shutdown = [indent * 2 + _call_line(h) for h in handlers if h.event == "shutdown"]
        if shutdown:
            lines += [indent + "try:", indent * 2 + "yield", indent + "finally:", *shutdown]
        else:
            lines.append(indent + "yield")
        function = newline.join(lines) + newline

        leading = list(statement.leading_lines)
        attached = len(leading)  # comments right above the app statement stay with it
        while attached > 0 and leading[attached - 1].comment is not None:
            attached -= 1
        blank = 0
        while attached - blank > 0 and leading[attached - blank - 1].comment is None:
            blank += 1
        first: cst.CSTNode = leading[attached] if attached < len(leading) else statement
        comments = "".join(self.context.code(line) for line in leading[attached:])
        new_small = definition.small.with_changes(
            value=_without_events(call, lifespan, indent), semicolon=cst.MaybeSentinel.DEFAULT
        )
        content = (
            newline * max(0, 2 - blank)
            + function
            + newline * 2
            + comments
            + self.context.code(new_small)
        )

        for module, imported in plan.extend:
            fix.add_import(module, imported)
        if plan.new_lines:
            anchor = _start_anchor(self.context.module.body[self._import_block_end()])
            fix.insert_before(anchor, "".join(line + newline for line in plan.new_lines))
        fix.replace_range(first, call, content)
        for decorator in group.decorators:
            fix.delete_lines(decorator)
        return fix

    def _import_block_end(self) -> int:
        """The first module body position after the leading imports (and docstring): where
        new import lines go, as the fixer would put them."""
        body = self.context.module.body
        for position, statement in enumerate(body):
            if _is_import_line(statement) or (position == 0 and is_docstring(statement)):
                continue
            return position
        return len(body)

    def _import_plan(self, app_index: int) -> Optional[_ImportPlan]:
        decorator = self._imported_name(_ASYNC_CONTEXT_MANAGER, app_index)
        iterator = self._imported_name(_ASYNC_ITERATOR, app_index)
        if decorator is None or iterator is None or self._import_block_end() > app_index:
            return None
        plan = _ImportPlan(decorator[0], iterator[0])
        for _, new in sorted((decorator, iterator), key=lambda item: item[1] or ("", "")):
            if new is None:
                continue
            module, name = new
            statement = self.context.imports.from_statements.get(module)
            position = self._body_index.get(id(statement)) if statement is not None else None
            bound = self.context.imports.names.get(name)
            if position is not None and position < app_index and bound is None:
                plan.extend.append(new)
            else:
                plan.new_lines.append(f"from {module} import {name}")
        return plan

    def _imported_name(
        self, wanted: tuple[str, str, frozenset[str]], app_index: int
    ) -> Optional[tuple[str, Optional[tuple[str, str]]]]:
        """How code above the app statement can name ``wanted``: an expression and, when an
        import must be added, its (module, name). None when the name is taken."""
        module, name, modules = wanted
        names = {f"{source}.{name}" for source in modules}
        for item in self._top_imports:
            if item.index >= app_index:
                continue
            if (
                not item.is_module
                and item.qualified in names
                and self._bindings.get(item.local) == 1
            ):
                return item.local, None
            if item.is_module and item.qualified in modules:
                return f"{item.local}.{name}", None
        bound = self.context.imports.names.get(name)
        if bound is not None and bound not in names:
            return None
        if bound is None and name in self._used_names:
            return None
        return name, (module, name)

    def _sees_every_handler(self, group: _Group, project: list[Optional[_ProjectEvents]]) -> bool:
        """No other module registers handlers on the app, and no router it includes has any."""
        index = self.context.index
        events: Optional[_ProjectEvents] = _ProjectEvents()
        if index is not None:
            if not project:
                project.append(self._project_events(index))
            events = project[0]
        if events is None:
            return False
        key = group.target.key
        if key in events.registrations:
            return False
        seen = {key}
        children = group.includes + events.includes.get(key, [])
        return not any(self._has_handlers(child, events, seen) for child in children)

    def _has_handlers(self, key: Optional[str], events: _ProjectEvents, seen: set[str]) -> bool:
        if key is None or key in seen:
            return False  # an include the index cannot follow is taken as handler-free
        seen.add(key)
        group = self._groups.get(key)
        if group is not None and (group.findings or group.blockers):
            return True
        if key in events.registrations:
            return True
        index = self.context.index
        found = index.assignment(key) if index is not None else None
        if (
            found is not None
            and isinstance(found[1], ast.Call)
            and any(k.arg in EVENT_ARGUMENTS for k in found[1].keywords)
        ):
            return True
        children = (group.includes if group is not None else []) + events.includes.get(key, [])
        return any(self._has_handlers(child, events, seen) for child in children)

    def _project_events(self, index: ProjectIndex) -> _ProjectEvents:
        """What the other modules of the run do with apps' events (from the project index)."""
        facts = index.project_events()
        current = self.context.module_name
        events = _ProjectEvents()
        for receiver, modules in facts.registrations.items():
            if modules - {current}:
                events.registrations.add(receiver)
        for receiver, includes in facts.includes.items():
            children = [child for module, child in includes if module != current]
            if children:
                events.includes[receiver] = children
        return events


# -- helpers ------------------------------------------------------------------------------


def _block_items(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The small statements of a block and of the blocks nested in it, and the functions and
    classes defined there (not their bodies)."""
    for child in node.children:
        if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.BaseSmallStatement)):
            yield child
        elif not isinstance(child, (cst.BaseExpression, cst.Decorator)):
            yield from _block_items(child)


def _import_bindings(small: Union[cst.Import, cst.ImportFrom]) -> Iterator[tuple[str, str, bool]]:
    """(local expression, qualified name, is a module import) for each imported name."""
    if isinstance(small, cst.Import):
        for alias in small.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            yield alias_asname(alias) or full, full, True
        return
    if small.relative or small.module is None or isinstance(small.names, cst.ImportStar):
        return
    base = dotted_name(small.module)
    if base is None:
        return
    for alias in small.names:
        if not isinstance(alias.name, cst.Name):
            continue
        local = alias_asname(alias) or alias.name.value
        yield local, f"{base}.{alias.name.value}", False


def _call_lifespan(call: cst.Call) -> Optional[bool]:
    """Whether the constructor call sets a lifespan (`lifespan=None` does not)."""
    if any(
        is_name(arg.keyword, "lifespan") and not is_name(arg.value, "None") for arg in call.args
    ):
        return True
    if any(arg.star == "**" for arg in call.args):
        return None
    return False


def _ast_call_lifespan(call: ast.Call) -> Optional[bool]:
    if any(
        keyword.arg == "lifespan"
        and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None)
        for keyword in call.keywords
    ):
        return True
    if any(keyword.arg is None for keyword in call.keywords):
        return None
    return False


def _event_type(call: cst.Call) -> Optional[str]:
    values = [
        arg.value
        for position, arg in enumerate(call.args)
        if (arg.keyword is None and position == 0 and not arg.star)
        or (arg.keyword is not None and arg.keyword.value == "event_type")
    ]
    if len(values) != 1 or not isinstance(values[0], cst.SimpleString):
        return None
    value = values[0].evaluated_value
    return value if value in ("startup", "shutdown") and isinstance(value, str) else None


def _suppressed(node: cst.CSTNode, statement: cst.SimpleStatementLine) -> bool:
    """Whether a `# noqa` comment on the line of a finding suppresses FL401 there."""
    comments: list[Optional[cst.Comment]] = []
    if isinstance(node, cst.Decorator):
        comments.append(node.trailing_whitespace.comment)
    elif isinstance(node, cst.Arg):
        comments.append(statement.trailing_whitespace.comment)
        for whitespace in (
            node.comma.whitespace_after if isinstance(node.comma, cst.Comma) else None,
            node.whitespace_after_arg,
        ):
            if isinstance(whitespace, cst.ParenthesizedWhitespace):
                comments.append(whitespace.first_line.comment)
    return any(
        comment is not None
        and parse_suppressions(comment.value).suppresses(DeprecatedOnEvent.code, 1) is not None
        for comment in comments
    )


def _call_line(handler: _Handler) -> str:
    return f"{'await ' if handler.is_async else ''}{handler.name}()"


def _free_name(candidates: Sequence[str], taken: set[str]) -> str:
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{candidates[-1]}{number}" in taken:
        number += 1
    return f"{candidates[-1]}{number}"


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _start_anchor(statement: cst.BaseStatement) -> cst.CSTNode:
    """The node that starts the first line of ``statement``, comments and blank lines
    above it included."""
    leading: Sequence[cst.EmptyLine] = getattr(statement, "leading_lines", ())
    if leading:
        return leading[0]
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and statement.decorators:
        first = statement.decorators[0]
        return first.leading_lines[0] if first.leading_lines else first
    return statement


# -- rewriting the constructor call -------------------------------------------------------


def _without_events(call: cst.Call, lifespan: Optional[str], indent: str) -> cst.Call:
    """``call`` without its on_startup/on_shutdown arguments and, when ``lifespan`` is given,
    with ``lifespan=<lifespan>`` (in the place of the first removed argument, else last),
    keeping the layout of the other arguments."""
    args = list(call.args)
    removed = [
        i for i, arg in enumerate(args) if arg.keyword and arg.keyword.value in EVENT_ARGUMENTS
    ]
    if not removed:
        if lifespan is None:
            return call
        return call.with_changes(args=_appended(call, lifespan, indent))
    out: list[cst.Arg] = []
    for position, arg in enumerate(args):
        if position not in removed:
            out.append(arg)
        elif position == removed[0] and lifespan is not None:
            out.append(arg.with_changes(keyword=cst.Name("lifespan"), value=cst.Name(lifespan)))
        elif position == len(args) - 1 and out:
            # The last argument goes: the new last one takes its ending (comma, closing line).
            out[-1] = _take_ending(out[-1], arg)
    if not out:
        return call.with_changes(args=(), whitespace_before_args=cst.SimpleWhitespace(""))
    return call.with_changes(args=out)


def _take_ending(kept: cst.Arg, dropped: cst.Arg) -> cst.Arg:
    comma = dropped.comma
    kept_ws = kept.comma.whitespace_after if isinstance(kept.comma, cst.Comma) else None
    if (
        isinstance(comma, cst.Comma)
        and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)
        and isinstance(kept_ws, cst.ParenthesizedWhitespace)
    ):
        # Keep a comment that ended the kept argument's line.
        comma = comma.with_changes(
            whitespace_after=comma.whitespace_after.with_changes(first_line=kept_ws.first_line)
        )
    return kept.with_changes(comma=comma, whitespace_after_arg=dropped.whitespace_after_arg)


def _appended(call: cst.Call, name: str, indent: str) -> list[cst.Arg]:
    new = cst.Arg(
        value=cst.Name(name),
        keyword=cst.Name("lifespan"),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return [new]
    last = args[-1]
    before_last: cst.BaseParenthesizableWhitespace = call.whitespace_before_args
    if len(args) > 1 and isinstance(args[-2].comma, cst.Comma):
        before_last = args[-2].comma.whitespace_after
    separator: cst.BaseParenthesizableWhitespace
    if isinstance(before_last, cst.ParenthesizedWhitespace):
        separator = before_last.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    elif isinstance(before_last, cst.SimpleWhitespace) and before_last.value:
        separator = before_last
    else:
        separator = cst.SimpleWhitespace(" ")

    has_comma = isinstance(last.comma, cst.Comma)
    ending = (
        last.comma.whitespace_after
        if isinstance(last.comma, cst.Comma)
        else last.whitespace_after_arg
    )
    if isinstance(ending, cst.ParenthesizedWhitespace):
        # One argument per line: the new one goes on its own line, before the closing one.
        if not isinstance(separator, cst.ParenthesizedWhitespace):
            separator = cst.ParenthesizedWhitespace(
                indent=True, last_line=cst.SimpleWhitespace(indent)
            )
        separator = separator.with_changes(first_line=ending.first_line, empty_lines=[])
        closing = ending.with_changes(first_line=cst.TrailingWhitespace())
        if has_comma:
            new = new.with_changes(comma=cst.Comma(whitespace_after=closing))
        else:
            new = new.with_changes(whitespace_after_arg=closing)
    else:
        new = new.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    whitespace_before_comma = (
        last.comma.whitespace_before
        if isinstance(last.comma, cst.Comma)
        else cst.SimpleWhitespace("")
    )
    last = last.with_changes(
        comma=cst.Comma(whitespace_before=whitespace_before_comma, whitespace_after=separator),
        whitespace_after_arg=last.whitespace_after_arg if has_comma else cst.SimpleWhitespace(""),
    )
    return [*args[:-1], last, new]
