"""FastAPI semantics shared by rules: which functions run on the event loop, and what values are.

Two questions come back in every rule of the event-loop family (FL101 to FL104):

* **Is this function an async context?** An ``async def`` that FastAPI runs on the event loop:
  a path operation (``@app.get``, ``@router.post``, ``api_route``, ``websocket``,
  ``add_api_route``), a dependency (named in ``Depends``/``Security`` anywhere in the project,
  including inside ``Annotated`` aliases), middleware (``@app.middleware``, ``dispatch`` of a
  ``BaseHTTPMiddleware`` subclass, ``__call__`` of a pure ASGI middleware class), a lifespan
  function, an exception handler or an event handler. :meth:`FileSemantics.async_context`
  answers it; a nested ``def``, lambda or class inside such a function is not an async context.
* **What is this value?** :meth:`FileSemantics.type_of` infers the class of an expression
  (``db`` is a sync ``sqlalchemy.orm.Session``) from parameter annotations, ``Annotated``
  aliases defined in any module of the project, ``Depends(provider)`` where the provider
  returns or yields a known value, local assignments and ``with ... as`` targets, and
  module-level values such as ``engine = create_engine(...)`` imported from other modules.

Everything is decided statically, from the syntax of this file (LibCST, no metadata providers)
and from the project index (``ast`` facts of the other modules); the checked code is never
imported. Inference is deliberately conservative: a name bound in two ways that disagree, or to
anything fastlint does not understand, has no type, so rules stay silent rather than guess.

The analysis of a file is computed lazily on first use and shared by every rule that checks the
file (:func:`semantics`). Rules about what async contexts do subclass :class:`AsyncContextRule`,
which gathers each function body's facts during the engine's batched traversal (no extra pass)
and calls ``check_async_context(func, role, scan)``; :func:`sync_def_fix` is the shared
``async def`` -> ``def`` rewrite.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Optional, Union

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.imports import dotted_name
from fastlint.index import DEPENDS_NAMES, ModuleFacts, ast_dotted_name
from fastlint.nodes import is_attribute
from fastlint.rule import FileContext, FixBuilder, Rule

__all__ = [
    "APP_CLASSES",
    "THREAD_DISPATCH_FUNCTIONS",
    "AsyncContextKind",
    "AsyncContextRule",
    "BodyScan",
    "FileSemantics",
    "Scope",
    "ValueType",
    "canonical_class",
    "class_spellings",
    "semantics",
    "sync_def_fix",
]

# Recursion bound for following names through assignments, aliases and functions.
_MAX_DEPTH = 32

# -- known classes ------------------------------------------------------------------------------

# Canonical class name -> the other qualified names under which libraries export it. Drop-in
# compatible classes (``redis.StrictRedis``) share the canonical name of the class they mimic.
_CLASS_SPELLINGS: dict[str, tuple[str, ...]] = {
    # FastAPI / Starlette
    "fastapi.FastAPI": ("fastapi.applications.FastAPI",),
    "fastapi.APIRouter": ("fastapi.routing.APIRouter",),
    "starlette.applications.Starlette": ("starlette.Starlette",),
    "starlette.routing.Router": (),
    "starlette.middleware.base.BaseHTTPMiddleware": (),
    "fastapi.Request": ("fastapi.requests.Request", "starlette.requests.Request"),
    "fastapi.WebSocket": ("fastapi.websockets.WebSocket", "starlette.websockets.WebSocket"),
    "fastapi.UploadFile": (
        "fastapi.datastructures.UploadFile",
        "starlette.datastructures.UploadFile",
    ),
    "fastapi.BackgroundTasks": (
        "fastapi.background.BackgroundTasks",
        "starlette.background.BackgroundTasks",
    ),
    # SQLAlchemy / SQLModel, sync
    "sqlalchemy.orm.Session": ("sqlalchemy.orm.session.Session",),
    "sqlmodel.Session": ("sqlmodel.orm.session.Session",),
    "sqlalchemy.orm.scoped_session": ("sqlalchemy.orm.scoping.scoped_session",),
    "sqlalchemy.orm.sessionmaker": ("sqlalchemy.orm.session.sessionmaker",),
    "sqlalchemy.engine.Engine": ("sqlalchemy.Engine", "sqlalchemy.engine.base.Engine"),
    "sqlalchemy.engine.Connection": ("sqlalchemy.Connection", "sqlalchemy.engine.base.Connection"),
    "sqlalchemy.MetaData": ("sqlalchemy.schema.MetaData", "sqlalchemy.sql.schema.MetaData"),
    # SQLAlchemy / SQLModel, async
    "sqlalchemy.ext.asyncio.AsyncSession": ("sqlalchemy.ext.asyncio.session.AsyncSession",),
    "sqlmodel.ext.asyncio.session.AsyncSession": (),
    "sqlalchemy.ext.asyncio.async_sessionmaker": (
        "sqlalchemy.ext.asyncio.session.async_sessionmaker",
    ),
    "sqlalchemy.ext.asyncio.async_scoped_session": (
        "sqlalchemy.ext.asyncio.scoping.async_scoped_session",
    ),
    "sqlalchemy.ext.asyncio.AsyncEngine": ("sqlalchemy.ext.asyncio.engine.AsyncEngine",),
    "sqlalchemy.ext.asyncio.AsyncConnection": ("sqlalchemy.ext.asyncio.engine.AsyncConnection",),
    # DB-API drivers
    "sqlite3.Connection": (),
    "sqlite3.Cursor": (),
    "psycopg2.extensions.connection": ("psycopg2._psycopg.connection",),
    "psycopg2.extensions.cursor": ("psycopg2._psycopg.cursor",),
    "psycopg.Connection": ("psycopg.connection.Connection",),
    "psycopg.Cursor": ("psycopg.cursor.Cursor",),
    "psycopg.AsyncConnection": ("psycopg.connection_async.AsyncConnection",),
    "pymysql.connections.Connection": ("pymysql.Connection", "pymysql.Connect"),
    "pymysql.cursors.Cursor": ("pymysql.Cursor",),
    "MySQLdb.connections.Connection": ("MySQLdb.Connection",),
    "MySQLdb.cursors.Cursor": (),
    # MongoDB
    "pymongo.MongoClient": (
        "pymongo.mongo_client.MongoClient",
        "pymongo.synchronous.mongo_client.MongoClient",
    ),
    "pymongo.database.Database": ("pymongo.synchronous.database.Database",),
    "pymongo.collection.Collection": ("pymongo.synchronous.collection.Collection",),
    # Redis
    "redis.Redis": (
        "redis.StrictRedis",
        "redis.client.Redis",
        "redis.client.StrictRedis",
        "redis.RedisCluster",
        "redis.cluster.RedisCluster",
    ),
    "redis.client.Pipeline": (),
    "redis.asyncio.Redis": ("redis.asyncio.StrictRedis", "redis.asyncio.client.Redis"),
    # HTTP clients
    "httpx.Client": ("httpx._client.Client",),
    "httpx.AsyncClient": ("httpx._client.AsyncClient",),
}

_CANONICAL: dict[str, str] = {
    spelling: canonical
    for canonical, spellings in _CLASS_SPELLINGS.items()
    for spelling in (canonical, *spellings)
}

# What calling a library function returns (canonical class names).
_FUNCTION_RESULTS: dict[str, str] = {
    "sqlalchemy.create_engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.engine.create_engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.engine_from_config": "sqlalchemy.engine.Engine",
    "sqlalchemy.engine.engine_from_config": "sqlalchemy.engine.Engine",
    "sqlmodel.create_engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.ext.asyncio.create_async_engine": "sqlalchemy.ext.asyncio.AsyncEngine",
    "sqlalchemy.ext.asyncio.async_engine_from_config": "sqlalchemy.ext.asyncio.AsyncEngine",
    "sqlite3.connect": "sqlite3.Connection",
    "psycopg2.connect": "psycopg2.extensions.connection",
    "psycopg.connect": "psycopg.Connection",
    "psycopg.Connection.connect": "psycopg.Connection",
    "pymysql.connect": "pymysql.connections.Connection",
    "MySQLdb.connect": "MySQLdb.connections.Connection",
    "MySQLdb.Connect": "MySQLdb.connections.Connection",
    "redis.from_url": "redis.Redis",
    "redis.Redis.from_url": "redis.Redis",
    "redis.StrictRedis.from_url": "redis.Redis",
    "redis.client.Redis.from_url": "redis.Redis",
    "redis.asyncio.from_url": "redis.asyncio.Redis",
    "redis.asyncio.Redis.from_url": "redis.asyncio.Redis",
}

# What a method returns, by (canonical receiver class, method name).
_METHOD_RESULTS: dict[tuple[str, str], str] = {
    ("sqlalchemy.engine.Engine", "connect"): "sqlalchemy.engine.Connection",
    ("sqlalchemy.engine.Engine", "begin"): "sqlalchemy.engine.Connection",
    ("sqlalchemy.orm.Session", "connection"): "sqlalchemy.engine.Connection",
    ("sqlmodel.Session", "connection"): "sqlalchemy.engine.Connection",
    ("sqlalchemy.ext.asyncio.AsyncEngine", "connect"): "sqlalchemy.ext.asyncio.AsyncConnection",
    ("sqlalchemy.ext.asyncio.AsyncEngine", "begin"): "sqlalchemy.ext.asyncio.AsyncConnection",
    ("sqlite3.Connection", "cursor"): "sqlite3.Cursor",
    ("psycopg2.extensions.connection", "cursor"): "psycopg2.extensions.cursor",
    ("psycopg.Connection", "cursor"): "psycopg.Cursor",
    ("pymysql.connections.Connection", "cursor"): "pymysql.cursors.Cursor",
    ("MySQLdb.connections.Connection", "cursor"): "MySQLdb.cursors.Cursor",
    ("redis.Redis", "pipeline"): "redis.client.Pipeline",
    ("pymongo.MongoClient", "get_database"): "pymongo.database.Database",
    ("pymongo.MongoClient", "get_default_database"): "pymongo.database.Database",
    ("pymongo.database.Database", "get_collection"): "pymongo.collection.Collection",
}

# ``parent.name`` / ``parent["name"]`` of these is a child object (pymongo's attribute access).
_CHILD_TYPES: dict[str, str] = {
    "pymongo.MongoClient": "pymongo.database.Database",
    "pymongo.database.Database": "pymongo.collection.Collection",
    "pymongo.collection.Collection": "pymongo.collection.Collection",
}

# Session factories: calling one gives a session. The default product when none is named.
_FACTORY_DEFAULT_PRODUCT: dict[str, str] = {
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.Session",
    "sqlalchemy.ext.asyncio.async_sessionmaker": "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.async_scoped_session": "sqlalchemy.ext.asyncio.AsyncSession",
}
_SCOPED_FACTORIES = frozenset(
    {"sqlalchemy.orm.scoped_session", "sqlalchemy.ext.asyncio.async_scoped_session"}
)

#: Applications and routers: receivers of ``@x.get(...)``, ``x.add_middleware(...)``...
APP_CLASSES: frozenset[str] = frozenset(
    {
        "fastapi.FastAPI",
        "fastapi.APIRouter",
        "starlette.applications.Starlette",
        "starlette.routing.Router",
    }
)
_APPLICATIONS = frozenset({"fastapi.FastAPI", "starlette.applications.Starlette"})

#: Functions that run their callable argument in a worker thread: the arguments passed to them
#: are not calls made on the event loop. (``loop.run_in_executor`` is matched by method name.)
THREAD_DISPATCH_FUNCTIONS: frozenset[str] = frozenset(
    {
        "starlette.concurrency.run_in_threadpool",
        "fastapi.concurrency.run_in_threadpool",
        "starlette.concurrency.iterate_in_threadpool",
        "fastapi.concurrency.iterate_in_threadpool",
        "asyncio.to_thread",
        "asyncio.threads.to_thread",
        "anyio.to_thread.run_sync",
        "trio.to_thread.run_sync",
        "asyncer.asyncify",
    }
)

_ROUTE_DECORATORS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "route"}
)
_WEBSOCKET_DECORATORS = frozenset({"websocket", "websocket_route"})
_ROUTE_CLASSES = frozenset(
    {
        "fastapi.routing.APIRoute",
        "starlette.routing.Route",
        "fastapi.routing.APIWebSocketRoute",
        "starlette.routing.WebSocketRoute",
    }
)
_MIDDLEWARE_WRAPPERS = frozenset(
    {"starlette.middleware.Middleware", "fastapi.middleware.Middleware"}
)
_ASYNC_CONTEXT_MANAGER = frozenset({"contextlib.asynccontextmanager"})
_CONTEXT_MANAGER = frozenset({"contextlib.contextmanager"})

_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
_OPTIONAL = frozenset({"typing.Optional", "typing_extensions.Optional"})
_UNION = frozenset({"typing.Union", "typing_extensions.Union"})
# Return annotations of generators / context managers: the value handed out is the first
# argument (``Iterator[Session]`` of a yield dependency hands out a ``Session``).
_WRAPPING_ANNOTATIONS = frozenset(
    f"{module}.{name}"
    for module in ("typing", "typing_extensions", "collections.abc")
    for name in (
        "Generator",
        "Iterator",
        "Iterable",
        "AsyncGenerator",
        "AsyncIterator",
        "AsyncIterable",
        "ContextManager",
        "AsyncContextManager",
    )
) | frozenset({"contextlib.AbstractContextManager", "contextlib.AbstractAsyncContextManager"})


def canonical_class(qualname: str) -> Optional[str]:
    """The canonical name of a library class known to fastlint (``sqlalchemy.orm.session.Session``
    -> ``sqlalchemy.orm.Session``), else None."""
    return _CANONICAL.get(qualname)


def class_spellings(canonical: str) -> frozenset[str]:
    """Every qualified name under which the canonical class ``canonical`` is exported."""
    return frozenset((canonical, *_CLASS_SPELLINGS.get(canonical, ())))


# -- value types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueType:
    """The class of a value, as far as fastlint can tell.

    ``name`` is a canonical library class (see :func:`canonical_class`) or the qualified name of a
    project class. ``product`` is, for session factories (``sessionmaker``, ``scoped_session``),
    the class of the sessions they make.
    """

    name: str
    product: Optional[str] = None


def _instance(qualname: str) -> ValueType:
    return ValueType(qualname, _FACTORY_DEFAULT_PRODUCT.get(qualname))


class AsyncContextKind(str, Enum):
    """Why FastAPI runs a function on the event loop; the value reads well in messages."""

    PATH_OPERATION = "path operation"
    WEBSOCKET = "websocket endpoint"
    DEPENDENCY = "dependency"
    MIDDLEWARE = "middleware"
    LIFESPAN = "lifespan function"
    EXCEPTION_HANDLER = "exception handler"
    EVENT_HANDLER = "event handler"

    @property
    def sync_def_runs_in_threadpool(self) -> bool:
        """Whether a sync ``def`` in this role is run in a worker thread (so that turning the
        ``async def`` into ``def`` moves blocking calls off the event loop)."""
        return self in (
            AsyncContextKind.PATH_OPERATION,
            AsyncContextKind.DEPENDENCY,
            AsyncContextKind.EXCEPTION_HANDLER,
        )


# ``@app.<name>(...)`` decorators that register a hook rather than a route.
_HOOK_DECORATORS: dict[str, AsyncContextKind] = {
    "middleware": AsyncContextKind.MIDDLEWARE,
    "exception_handler": AsyncContextKind.EXCEPTION_HANDLER,
    "on_event": AsyncContextKind.EVENT_HANDLER,
}


# -- namespaces, scopes and bindings ------------------------------------------------------------


@dataclass
class _Binding:
    """One way a name gets its value in a scope."""

    kind: str  # assign | param | with | function | class | opaque
    scope: Scope
    value: Optional[cst.BaseExpression] = None
    annotation: Optional[cst.BaseExpression] = None
    function: Optional[cst.FunctionDef] = None
    qualname: Optional[str] = None  # of a class


class _Namespace:
    """The module-level names of one module: this file (LibCST) or another project module (from
    the index's ``ast`` facts, converted to LibCST nodes on demand)."""

    def __init__(self, module_name: Optional[str]) -> None:
        self.module_name = module_name
        self.root = Scope(self, None, None)

    def qualname(self, node: cst.BaseExpression) -> Optional[str]:
        raise NotImplementedError

    def get(self, name: str) -> Optional[list[_Binding]]:
        """The module-level bindings of ``name``; None when the module does not bind it (an
        imported or builtin name)."""
        raise NotImplementedError

    def symbol(self, name: str) -> str:
        return f"{self.module_name}.{name}" if self.module_name else name


class _FileNamespace(_Namespace):
    def __init__(self, context: FileContext) -> None:
        super().__init__(context.module_name)
        self._context = context
        self._bindings: Optional[dict[str, list[_Binding]]] = None

    def qualname(self, node: cst.BaseExpression) -> Optional[str]:
        return self._context.qualname(node)

    def get(self, name: str) -> Optional[list[_Binding]]:
        if self._bindings is None:
            walker = _ScopeWalker(self.root)
            self._context.module.visit(walker)
            self._bindings = walker.bindings
        return self._bindings.get(name)


class _FactsNamespace(_Namespace):
    def __init__(self, facts: ModuleFacts) -> None:
        super().__init__(facts.name)
        self._facts = facts
        self._bindings: dict[str, Optional[list[_Binding]]] = {}

    def qualname(self, node: cst.BaseExpression) -> Optional[str]:
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = self._facts.imports.get(head, f"{self._facts.name}.{head}")
        return f"{base}.{rest}" if rest else base

    def get(self, name: str) -> Optional[list[_Binding]]:
        if name not in self._bindings:
            self._bindings[name] = self._convert(name)
        return self._bindings[name]

    def _convert(self, name: str) -> Optional[list[_Binding]]:
        facts, root = self._facts, self.root
        function = facts.functions.get(name)
        if function is not None:
            node = _to_cst_function(function.node)
            return [_Binding("function", root, function=node)] if node is not None else None
        if name in facts.classes:
            return [_Binding("class", root, qualname=f"{facts.name}.{name}")]
        value = facts.assignments.get(name)
        annotation = facts.annotations.get(name)
        if value is None and annotation is None:
            return None
        return [
            _Binding(
                "assign",
                root,
                value=_to_cst_expression(value) if value is not None else None,
                annotation=_to_cst_expression(annotation) if annotation is not None else None,
            )
        ]


def _to_cst_expression(node: ast.expr) -> Optional[cst.BaseExpression]:
    try:
        return cst.parse_expression(ast.unparse(node))
    except (cst.ParserSyntaxError, ValueError, RecursionError):
        return None


def _to_cst_function(
    node: Union[ast.FunctionDef, ast.AsyncFunctionDef],
) -> Optional[cst.FunctionDef]:
    try:
        statement = cst.parse_statement(ast.unparse(node))
    except (cst.ParserSyntaxError, ValueError, RecursionError):
        return None
    return statement if isinstance(statement, cst.FunctionDef) else None


class Scope:
    """A function scope (or, with ``function`` None, the module scope) for name lookups.

    Obtained from :meth:`FileSemantics.scope_of`; rules pass it back to the type queries.
    """

    def __init__(
        self, namespace: _Namespace, function: Optional[cst.FunctionDef], parent: Optional[Scope]
    ) -> None:
        self.namespace = namespace
        self.function = function
        self.parent = parent
        self._walker: Optional[_ScopeWalker] = None

    def walked(self) -> _ScopeWalker:
        """The one pass over the function's own body: its bindings, calls and awaits."""
        if self._walker is None:
            walker = _ScopeWalker(self)
            if self.function is not None:
                self.function.body.visit(walker)
            self._walker = walker.finish()
        return self._walker

    def adopt(self, walker: _ScopeWalker) -> None:
        """Use the facts that a rule's traversal gathered (see :class:`AsyncContextRule`)."""
        if self._walker is None:
            self._walker = walker.finish()

    def get(self, name: str) -> Optional[list[_Binding]]:
        """The bindings of ``name`` in this scope itself (not its parents), or None."""
        if self.function is None:
            return self.namespace.get(name)
        return self.walked().bindings.get(name)


def _all_params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


class _ScopeWalker(cst.CSTVisitor):
    """One pass over a scope's own code (not nested functions, lambdas or classes): the names it
    binds, the calls it makes (each with the calls it is an argument of) and whether it awaits."""

    def __init__(self, scope: Scope) -> None:
        super().__init__()
        self.scope = scope
        self.bindings: dict[str, list[_Binding]] = {}
        self.global_names: set[str] = set()
        self.calls: list[tuple[cst.Call, tuple[cst.Call, ...]]] = []
        self.awaits = False
        self._open_calls: list[cst.Call] = []
        self._finished = False
        if scope.function is not None:
            for param in _all_params(scope.function.params):
                annotation = param.annotation.annotation if param.annotation else None
                self.add(
                    param.name.value,
                    _Binding("param", scope, value=param.default, annotation=annotation),
                )

    def finish(self) -> _ScopeWalker:
        if not self._finished:
            self._finished = True
            for name in self.global_names:
                self.bindings.pop(name, None)
        return self

    def add(self, name: str, binding: _Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def _opaque_targets(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.add(target.value, _Binding("opaque", self.scope))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._opaque_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._opaque_targets(target.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.add(node.name.value, _Binding("function", self.scope, function=node))
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.add(
            node.name.value,
            _Binding("class", self.scope, qualname=self.scope.namespace.symbol(node.name.value)),
        )
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.add(target.target.value, _Binding("assign", self.scope, value=node.value))
            else:
                self._opaque_targets(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.add(
                node.target.value,
                _Binding(
                    "assign", self.scope, value=node.value, annotation=node.annotation.annotation
                ),
            )

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if isinstance(node.target, cst.Name):
            self.add(node.target.value, _Binding("assign", self.scope, value=node.value))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is None:
            return
        if isinstance(node.asname.name, cst.Name):
            self.add(node.asname.name.value, _Binding("with", self.scope, value=node.item))
        else:
            self._opaque_targets(node.asname.name)

    def visit_For(self, node: cst.For) -> None:
        self._opaque_targets(node.target)
        self.awaits = self.awaits or node.asynchronous is not None

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._opaque_targets(node.target)
        self.awaits = self.awaits or node.asynchronous is not None

    def visit_With(self, node: cst.With) -> None:
        self.awaits = self.awaits or node.asynchronous is not None

    def visit_Await(self, node: cst.Await) -> None:
        self.awaits = True

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append((node, tuple(self._open_calls)))
        self._open_calls.append(node)

    def leave_Call(self, original_node: cst.Call) -> None:
        if self._open_calls:
            self._open_calls.pop()

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._opaque_targets(node.name.name)

    def visit_Global(self, node: cst.Global) -> None:
        self.global_names.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.global_names.update(item.name.value for item in node.names)


# -- what a name refers to ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Bound:
    bindings: tuple[_Binding, ...]


@dataclass(frozen=True)
class _Function:
    node: cst.FunctionDef
    scope: Scope  # the scope the function is defined in
    qualname: Optional[str]


@dataclass(frozen=True)
class _Class:
    qualname: str


@dataclass(frozen=True)
class _External:
    qualname: str  # a library name (resolved through project re-exports)


_Symbol = Union[_Bound, _Function, _Class, _External, None]


# -- the body of a function -----------------------------------------------------------------------


@dataclass
class BodyScan:
    """What a function's own body does on the event loop.

    ``calls`` are the calls in the body in source order, without nested functions, lambdas and
    classes, and without the arguments of thread-pool dispatch (``run_in_threadpool(f, x)``).
    ``awaits`` is whether the body itself uses ``await``, ``async for`` or ``async with``
    (async comprehensions included).
    """

    calls: list[cst.Call] = field(default_factory=list)
    awaits: bool = False


# -- where functions and classes sit --------------------------------------------------------------


class _Structure:
    """Where every function and class of the file sits, from a walk over statements only
    (functions and classes are always statements, so expressions need not be visited)."""

    def __init__(self, module: cst.Module) -> None:
        self.parent_function: dict[cst.FunctionDef, Optional[cst.FunctionDef]] = {}
        self.enclosing_class: dict[cst.FunctionDef, Optional[cst.ClassDef]] = {}
        self.class_parent: dict[cst.ClassDef, Optional[cst.FunctionDef]] = {}
        # ("create_app", "index"), ("class Audit", "dispatch"): to find a function from ``ast``.
        self.by_path: dict[tuple[str, ...], cst.FunctionDef] = {}
        self._walk(module.body, None, None, ())

    def _walk(
        self,
        statements: Sequence[cst.CSTNode],
        function: Optional[cst.FunctionDef],
        klass: Optional[cst.ClassDef],
        path: tuple[str, ...],
    ) -> None:
        for statement in statements:
            if isinstance(statement, cst.FunctionDef):
                self.parent_function[statement] = function
                self.enclosing_class[statement] = klass
                inner = (*path, statement.name.value)
                self.by_path.setdefault(inner, statement)
                self._walk(_statements(statement.body), statement, None, inner)
            elif isinstance(statement, cst.ClassDef):
                self.class_parent[statement] = function
                inner = (*path, f"class {statement.name.value}")
                self._walk(_statements(statement.body), function, statement, inner)
            elif isinstance(statement, cst.BaseCompoundStatement):
                for block in _blocks(statement):
                    self._walk(block, function, klass, path)


def _statements(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return body.body if isinstance(body, cst.IndentedBlock) else ()


def _blocks(node: cst.CSTNode) -> Iterator[Sequence[cst.CSTNode]]:
    """The statement blocks of a compound statement (``if``/``try``/``with``/``match``...)."""
    for name in ("body", "orelse", "handlers", "finalbody", "cases"):
        child = getattr(node, name, None)
        for item in child if isinstance(child, (list, tuple)) else (child,):
            if isinstance(item, cst.IndentedBlock):
                yield item.body
            elif isinstance(item, cst.If):  # elif
                yield (item,)
            elif isinstance(item, cst.CSTNode) and not isinstance(item, cst.BaseSuite):
                yield from _blocks(item)  # else/except/finally/case clauses


# -- registrations found in this file (with ``ast``: cheap) ---------------------------------------


class _RegistrationScan(ast.NodeVisitor):
    """Calls that may register a function with FastAPI (``app.add_api_route(...)``,
    ``Depends(x)``, ``FastAPI(lifespan=...)``), each with the path of the scope it is made in."""

    def __init__(self, qualify: Callable[[ast.expr], Optional[str]]) -> None:
        self._qualify = qualify
        self._path: list[str] = []
        self.calls: list[tuple[ast.Call, tuple[str, ...]]] = []

    def _function(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.visit(node.args)  # defaults are evaluated in the enclosing scope
        self._path.append(node.name)
        for statement in node.body:
            self.visit(statement)
        self._path.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for outer in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(outer)
        self._path.append(f"class {node.name}")
        for statement in node.body:
            self.visit(statement)
        self._path.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Call)
            or (isinstance(func, ast.Attribute) and func.attr in _REGISTRATION_METHODS)
            or any(keyword.arg in _APP_KEYWORDS for keyword in node.keywords)
            or self._qualify(func) in _REGISTERING_CALLABLES
        ):
            self.calls.append((node, tuple(self._path)))
        self.generic_visit(node)


def _ast_argument(call: ast.Call, position: int, keyword: str) -> Optional[ast.expr]:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    return positional[position] if position < len(positional) else None


def _cst_of(node: ast.expr) -> Optional[cst.BaseExpression]:
    """A LibCST expression for a small ``ast`` expression (names, attributes, simple calls)."""
    dotted = ast_dotted_name(node)
    if dotted is not None:
        head, *rest = dotted.split(".")
        result: cst.BaseExpression = cst.Name(head)
        for attr in rest:
            result = cst.Attribute(value=result, attr=cst.Name(attr))
        return result
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        func = _cst_of(node.func)
        return cst.Call(func=func) if func is not None else None
    return _to_cst_expression(node)


_REGISTRATION_METHODS = frozenset(
    {
        "add_api_route",
        "add_route",
        "add_api_websocket_route",
        "add_websocket_route",
        "add_exception_handler",
        "add_event_handler",
        "add_middleware",
    }
)
# Keywords of FastAPI()/APIRouter()/Starlette() that register functions.
_APP_KEYWORDS = frozenset({"lifespan", "on_startup", "on_shutdown", "exception_handlers"})
_REGISTERING_CALLABLES = DEPENDS_NAMES | _MIDDLEWARE_WRAPPERS | _ROUTE_CLASSES
# A file that registers functions by call mentions one of these (import lines included).
_REGISTRATION_WORDS = (
    *_REGISTRATION_METHODS,
    *_APP_KEYWORDS,
    "Depends",
    "Security",
    "Middleware",
    "Route",
    ")(",
)


def _argument(call: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if position < len(positional):
        return positional[position].value
    return None


def _keyword(call: cst.Call, keyword: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return None


def _literal_none(node: Optional[cst.BaseExpression]) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


# -- the analysis of one file ------------------------------------------------------------------

_Key = tuple[int, str]  # (id of the defining function, or 0 for the module; name)


class FileSemantics:
    """The FastAPI semantics of one file. Get it with :func:`semantics`."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.index = context.index
        self.namespace = self._namespace = _FileNamespace(context)
        self._namespaces: dict[str, _Namespace] = {}
        self._structure_cache: Optional[_Structure] = None
        self._scopes: dict[cst.FunctionDef, Scope] = {}
        self._roles: dict[cst.FunctionDef, Optional[AsyncContextKind]] = {}
        self._registered: Optional[dict[_Key, AsyncContextKind]] = None
        self._registered_classes: dict[_Key, AsyncContextKind] = {}
        self._types: dict[cst.CSTNode, Optional[ValueType]] = {}
        self._active: set[cst.CSTNode] = set()
        self._depth = 0
        self._scans: dict[cst.FunctionDef, BodyScan] = {}

    # -- structure ---------------------------------------------------------------------------
    @property
    def _structure(self) -> _Structure:
        if self._structure_cache is None:
            self._structure_cache = _Structure(self.context.module)
        return self._structure_cache

    def parent_function(self, func: cst.FunctionDef) -> Optional[cst.FunctionDef]:
        """The function whose body defines ``func`` (through classes), or None."""
        return self._structure.parent_function.get(func)

    def enclosing_class(self, func: cst.FunctionDef) -> Optional[cst.ClassDef]:
        """The class whose body defines ``func`` directly (a method), or None."""
        return self._structure.enclosing_class.get(func)

    def scope_of(self, func: Optional[cst.FunctionDef]) -> Scope:
        """The scope of ``func``'s body in this file (the module scope for None)."""
        if func is None:
            return self._namespace.root
        scope = self._scopes.get(func)
        if scope is None:
            scope = Scope(self._namespace, func, self.scope_of(self.parent_function(func)))
            self._scopes[func] = scope
        return scope

    def defining_scope(self, func: cst.FunctionDef) -> Scope:
        """The scope in which ``func``'s decorators and defaults are evaluated."""
        return self.scope_of(self.parent_function(func))

    # -- async contexts ------------------------------------------------------------------------
    def async_context(self, func: cst.FunctionDef) -> Optional[AsyncContextKind]:
        """Why the ``async def`` ``func`` runs on the event loop, or None when it is not an async
        context (a sync ``def``, or an ``async def`` that FastAPI does not run itself)."""
        if func.asynchronous is None:
            return None
        return self.function_role(func)

    def function_role(self, func: cst.FunctionDef) -> Optional[AsyncContextKind]:
        """The FastAPI role of ``func`` (sync or async): path operation, dependency, ..."""
        if func not in self._roles:
            self._roles[func] = None  # a cycle (a decorator naming its own function) ends here
            self._roles[func] = self._role(func)
        return self._roles[func]

    def _role(self, func: cst.FunctionDef) -> Optional[AsyncContextKind]:
        scope = self.defining_scope(func)
        for decorator in func.decorators:
            role = self._decorator_role(decorator.decorator, scope, func)
            if role is not None:
                return role
        klass = self.enclosing_class(func)
        if klass is not None:
            return self._method_role(func, klass)
        if self._is_dependency(func):
            return AsyncContextKind.DEPENDENCY
        registered = self._registrations().get(self._key_of(func))
        if registered is not None:
            return registered
        if self._declares_injection(func):
            # Only FastAPI fills ``Depends`` parameters: a function declaring them is a
            # dependency (or endpoint) even when it is registered where fastlint cannot see,
            # e.g. returned by a factory: ``Depends(requires_access("dag"))``.
            return AsyncContextKind.DEPENDENCY
        return None

    def _declares_injection(self, func: cst.FunctionDef) -> bool:
        """Whether a parameter of ``func`` is filled by ``Depends``/``Security`` (as a default or
        in an ``Annotated`` annotation, also through a project alias)."""
        scope = self.defining_scope(func)
        for param in _all_params(func.params):
            default = param.default
            if isinstance(default, cst.Call) and self._is_depends(default.func, scope):
                return True
            if param.annotation is not None:
                _, provider = self._annotation(param.annotation.annotation, scope)
                if provider is not None:
                    return True
        return False

    def _is_depends(self, node: cst.BaseExpression, scope: Scope) -> bool:
        return self.resolve_callee(node, scope) in DEPENDS_NAMES

    def _key_of(self, func: cst.FunctionDef) -> _Key:
        parent = self.parent_function(func)
        return (id(parent) if parent is not None else 0, func.name.value)

    def _is_dependency(self, func: cst.FunctionDef) -> bool:
        if self.parent_function(func) is not None or self.index is None:
            return False
        return self.index.is_dependency(self._namespace.symbol(func.name.value))

    def decorator_role(
        self, func: cst.FunctionDef, decorator: cst.Decorator
    ) -> Optional[AsyncContextKind]:
        """The role that one decorator of ``func`` gives it (``@router.get(...)`` -> path
        operation), or None for any other decorator."""
        return self._decorator_role(decorator.decorator, self.defining_scope(func), func)

    def _decorator_role(
        self, decorator: cst.BaseExpression, scope: Scope, func: cst.FunctionDef
    ) -> Optional[AsyncContextKind]:
        if isinstance(decorator, cst.Call) and isinstance(decorator.func, cst.Attribute):
            role = self._registering_method(decorator.func, scope)
            if role is not None:
                return role
        if self.resolve_callee(decorator, scope) in _ASYNC_CONTEXT_MANAGER and self._takes_app(
            func
        ):
            return AsyncContextKind.LIFESPAN
        return None

    def _registering_method(
        self, method: cst.Attribute, scope: Scope
    ) -> Optional[AsyncContextKind]:
        """The role given to the function that ``method(...)`` registers as a decorator."""
        name = method.attr.value
        if name in _ROUTE_DECORATORS or name in _WEBSOCKET_DECORATORS:
            if not self.is_instance(self.type_of(method.value, scope), APP_CLASSES):
                return None
            if name in _WEBSOCKET_DECORATORS:
                return AsyncContextKind.WEBSOCKET
            return AsyncContextKind.PATH_OPERATION
        role = _HOOK_DECORATORS.get(name)
        if role is not None:
            receiver = self.type_of(method.value, scope)
            # These names are specific to Starlette/FastAPI; an unknown receiver is accepted,
            # one known to be something else is not.
            if receiver is None or self.is_instance(receiver, APP_CLASSES):
                return role
        return None

    def _takes_app(self, func: cst.FunctionDef) -> bool:
        """Whether the first parameter is the application: annotated ``FastAPI``/``Starlette``,
        or, unannotated, named ``app`` (a lifespan whose ``FastAPI(lifespan=...)`` call sits in
        another module is recognised by its signature)."""
        params = [*func.params.posonly_params, *func.params.params]
        if not params:
            return False
        first = params[0]
        if first.annotation is None:
            return first.name.value in ("app", "_app")
        found = self.annotation_type(first.annotation.annotation, self.defining_scope(func))
        return self.is_instance(found, _APPLICATIONS)

    def _method_role(
        self, func: cst.FunctionDef, klass: cst.ClassDef
    ) -> Optional[AsyncContextKind]:
        name = func.name.value
        class_scope = self.scope_of(self._structure.class_parent.get(klass))
        if name == "dispatch":
            for base in klass.bases:
                qualname = self.resolve_callee(base.value, class_scope)
                if qualname is not None and self._subclass_of(
                    qualname, "starlette.middleware.base.BaseHTTPMiddleware"
                ):
                    return AsyncContextKind.MIDDLEWARE
            return None
        if name != "__call__":
            return None
        parent = self._structure.class_parent.get(klass)
        self._registrations()
        registered = self._registered_classes.get(
            (id(parent) if parent is not None else 0, klass.name.value)
        )
        if registered is not None:
            return registered
        params = [p.name.value for p in (*func.params.posonly_params, *func.params.params)]
        if params == ["self", "scope", "receive", "send"]:
            return AsyncContextKind.MIDDLEWARE  # a pure ASGI app: always on the event loop
        if parent is None and self.index is not None:
            qualname = self._namespace.symbol(klass.name.value)
            index = self.index
            for target in index.dependency_targets():
                if index.constructed_by(target) == qualname:
                    return AsyncContextKind.DEPENDENCY
        return None

    def _subclass_of(self, qualname: str, canonical: str) -> bool:
        if canonical_class(qualname) == canonical:
            return True
        if self.index is None:
            return False
        return self.index.subclasses_of(qualname, class_spellings(canonical))

    def _registrations(self) -> dict[_Key, AsyncContextKind]:
        """Functions (and classes) that calls of this file register with FastAPI."""
        if self._registered is None:
            self._registered = {}
            text = self.context.text
            if any(word in text for word in _REGISTRATION_WORDS):
                try:
                    tree = ast.parse(text)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    return self._registered
                scan = _RegistrationScan(self._qualify)
                scan.visit(tree)
                for call, path in scan.calls:
                    self._register_call(call, self._scope_at(path))
        return self._registered

    def _qualify(self, node: ast.expr) -> Optional[str]:
        dotted = ast_dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = self.context.imports.names.get(head) or self._namespace.symbol(head)
        return f"{base}.{rest}" if rest else base

    def _scope_at(self, path: tuple[str, ...]) -> Scope:
        """The scope whose code sits at ``path`` (function and ``class`` names, outermost
        first)."""
        while path and path[-1].startswith("class "):
            path = path[:-1]
        return self.scope_of(self._structure.by_path.get(path)) if path else self.scope_of(None)

    def _register(
        self, target: Optional[cst.BaseExpression], scope: Scope, role: AsyncContextKind
    ) -> None:
        """Record that the function named by ``target`` (seen from ``scope``) has ``role``."""
        if isinstance(target, cst.Call):  # Depends(Checker()): the instance's __call__
            self._register_class(target.func, scope, role)
            return
        if not isinstance(target, cst.Name):
            return
        assert self._registered is not None
        self._registered.setdefault(self._name_key(target.value, scope), role)
        # ``Depends(checker)`` with ``checker = Checker()``: the class is the dependency.
        symbol = self._lookup(target, scope)
        if isinstance(symbol, _Bound):
            for binding in symbol.bindings:
                if binding.kind == "assign" and isinstance(binding.value, cst.Call):
                    self._register_class(binding.value.func, binding.scope, role)

    def _register_class(
        self, target: Optional[cst.BaseExpression], scope: Scope, role: AsyncContextKind
    ) -> None:
        if isinstance(target, cst.Name) and scope.namespace is self._namespace:
            self._registered_classes.setdefault(self._name_key(target.value, scope), role)

    @staticmethod
    def _name_key(name: str, scope: Scope) -> _Key:
        """The key of the definition that ``name`` refers to from ``scope``."""
        defining: Optional[Scope] = scope
        while defining is not None and defining.function is not None:
            if defining.get(name) is not None:
                return (id(defining.function), name)
            defining = defining.parent
        return (0, name)

    def _register_call(self, call: ast.Call, scope: Scope) -> None:
        func = call.func

        def register(position: int, keyword: str, role: AsyncContextKind) -> None:
            target = _ast_argument(call, position, keyword)
            if target is not None:
                self._register(_cst_of(target), scope, role)

        if isinstance(func, ast.Call):  # app.get("/")(endpoint): the decorator, called
            method = _cst_of(func.func)
            if isinstance(method, cst.Attribute):
                role = self._registering_method(method, scope)
                if role is not None:
                    register(0, "", role)
            return
        if isinstance(func, ast.Attribute) and func.attr in _REGISTRATION_METHODS:
            if func.attr == "add_api_route":
                register(1, "endpoint", AsyncContextKind.PATH_OPERATION)
            elif func.attr in ("add_api_websocket_route", "add_websocket_route"):
                register(1, "endpoint", AsyncContextKind.WEBSOCKET)
            elif func.attr == "add_route":
                register(1, "route", AsyncContextKind.PATH_OPERATION)
            elif func.attr == "add_exception_handler":
                register(1, "handler", AsyncContextKind.EXCEPTION_HANDLER)
            elif func.attr == "add_event_handler":
                register(1, "func", AsyncContextKind.EVENT_HANDLER)
            else:  # add_middleware
                target = _ast_argument(call, 0, "middleware_class")
                if target is not None:
                    self._register_class(_cst_of(target), scope, AsyncContextKind.MIDDLEWARE)
            return
        # Keywords of FastAPI()/APIRouter()/Starlette(): specific enough to need no type check.
        for keyword in call.keywords:
            if keyword.arg == "lifespan":
                self._register(_cst_of(keyword.value), scope, AsyncContextKind.LIFESPAN)
            elif keyword.arg in ("on_startup", "on_shutdown") and isinstance(
                keyword.value, (ast.List, ast.Tuple)
            ):
                for element in keyword.value.elts:
                    self._register(_cst_of(element), scope, AsyncContextKind.EVENT_HANDLER)
            elif keyword.arg == "exception_handlers" and isinstance(keyword.value, ast.Dict):
                for value in keyword.value.values:
                    self._register(_cst_of(value), scope, AsyncContextKind.EXCEPTION_HANDLER)
        callee = _cst_of(func)
        qualname = self.resolve_callee(callee, scope) if callee is not None else None
        if qualname in DEPENDS_NAMES:
            register(0, "dependency", AsyncContextKind.DEPENDENCY)
        elif qualname in _MIDDLEWARE_WRAPPERS:
            target = _ast_argument(call, 0, "cls")
            if target is not None:
                self._register_class(_cst_of(target), scope, AsyncContextKind.MIDDLEWARE)
        elif qualname in _ROUTE_CLASSES:
            websocket = "WebSocket" in qualname
            register(
                1,
                "endpoint",
                AsyncContextKind.WEBSOCKET if websocket else AsyncContextKind.PATH_OPERATION,
            )

    # -- names ---------------------------------------------------------------------------------
    def _lookup(self, node: cst.BaseExpression, scope: Scope) -> _Symbol:
        """What the Name/Attribute ``node`` refers to from ``scope``."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        current: Optional[Scope] = scope
        while current is not None and current.function is not None:
            found = current.get(head)
            if found is not None:
                return _symbol_of(found, current) if not rest else None
            current = current.parent
        return self._module_lookup(scope.namespace, node, head, rest)

    def _module_lookup(
        self, namespace: _Namespace, node: cst.BaseExpression, head: str, rest: str
    ) -> _Symbol:
        found = namespace.get(head)
        if found is not None:
            return _symbol_of(found, namespace.root) if not rest else None
        qualname = namespace.qualname(node)
        return self._global(qualname) if qualname is not None else None

    def _global(self, qualname: str) -> _Symbol:
        """A symbol named by its qualified name: a project definition or a library name."""
        if self.index is None:
            return _External(qualname)
        resolved = self.index.resolve(qualname)
        found = self.index.split(resolved)
        if found is None:
            return _External(resolved)
        facts, symbol = found
        if "." in symbol:
            return None
        namespace: _Namespace
        if facts.name == self.context.module_name:
            namespace = self._namespace
        else:
            cached = self._namespaces.get(facts.name)
            if cached is None:
                cached = _FactsNamespace(facts)
                self._namespaces[facts.name] = cached
            namespace = cached
        bindings = namespace.get(symbol)
        if bindings is None:
            return None
        return _symbol_of(bindings, namespace.root)

    def resolve_callee(self, node: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The qualified name of the library or project definition that the Name/Attribute
        ``node`` names (through imports and project re-exports), or None for local values and
        names fastlint cannot follow. ``time.sleep`` -> ``"time.sleep"``; a project function ->
        ``"app.services.load"``."""
        symbol = self._lookup(node, scope)
        if isinstance(symbol, _External):
            return symbol.qualname
        if isinstance(symbol, _Class):
            return symbol.qualname
        if isinstance(symbol, _Function):
            return symbol.qualname
        return None

    # -- types ---------------------------------------------------------------------------------
    def is_instance(self, value: Optional[ValueType], classes: Collection[str]) -> bool:
        """Whether ``value`` is an instance of one of the canonical ``classes`` (project
        subclasses included)."""
        if value is None:
            return False
        if value.name in classes:
            return True
        if self.index is None or canonical_class(value.name) is not None:
            return False
        spellings = frozenset(s for c in classes for s in class_spellings(c))
        return self.index.subclasses_of(value.name, spellings)

    def type_of(self, node: cst.BaseExpression, scope: Scope) -> Optional[ValueType]:
        """The class of the value of ``node`` evaluated in ``scope``, or None when unknown."""
        if node in self._types:
            return self._types[node]
        if node in self._active or self._depth > _MAX_DEPTH:
            return None
        self._active.add(node)
        self._depth += 1
        try:
            result = self._type_of(node, scope)
        finally:
            self._depth -= 1
            self._active.discard(node)
        self._types[node] = result
        return result

    def _type_of(self, node: cst.BaseExpression, scope: Scope) -> Optional[ValueType]:
        if isinstance(node, (cst.Name, cst.Attribute)):
            found = self._symbol_type(self._lookup(node, scope))
            if found is not None or not isinstance(node, cst.Attribute):
                return found
            return self._child(self.type_of(node.value, scope))
        if isinstance(node, cst.Subscript):
            return self._child(self.type_of(node.value, scope))
        if isinstance(node, cst.Call):
            return self._call_type(node, scope)
        return None

    @staticmethod
    def _child(parent: Optional[ValueType]) -> Optional[ValueType]:
        if parent is None:
            return None
        child = _CHILD_TYPES.get(parent.name)
        return ValueType(child) if child is not None else None

    def _symbol_type(self, symbol: _Symbol) -> Optional[ValueType]:
        if isinstance(symbol, _Bound):
            return self._merge(self._binding_type(b) for b in symbol.bindings if not _is_none(b))
        return None

    @staticmethod
    def _merge(types: Iterable[Optional[ValueType]]) -> Optional[ValueType]:
        result: Optional[ValueType] = None
        for found in types:
            if found is None or (result is not None and found != result):
                return None
            result = found
        return result

    def _binding_type(self, binding: _Binding) -> Optional[ValueType]:
        scope = binding.scope
        if binding.kind == "assign":
            if binding.annotation is not None:
                found = self.annotation_type(binding.annotation, scope)
                if found is not None:
                    return found
            return self.type_of(binding.value, scope) if binding.value is not None else None
        if binding.kind == "param":
            return self._parameter_type(binding, scope)
        if binding.kind == "with" and binding.value is not None:
            return self._entered_type(binding.value, scope)
        return None

    def _parameter_type(self, binding: _Binding, scope: Scope) -> Optional[ValueType]:
        # Parameters are annotated in, and take defaults from, the defining scope.
        outer = scope.parent or scope
        provider: Optional[tuple[cst.BaseExpression, Scope]] = None
        if binding.annotation is not None:
            found, provider = self._annotation(binding.annotation, outer)
            if found is not None:
                return found
        if (
            isinstance(binding.value, cst.Call)
            and self.resolve_callee(binding.value.func, outer) in DEPENDS_NAMES
        ):
            target = _argument(binding.value, 0, "dependency")
            if target is not None:
                provider = (target, outer)
        if provider is not None:
            return self.dependency_type(*provider)
        return None

    def annotation_type(self, node: cst.BaseExpression, scope: Scope) -> Optional[ValueType]:
        """The class that the annotation ``node`` declares (through ``Annotated``, ``Optional``
        and project type aliases), or None when it names nothing fastlint knows. When the
        annotation itself is unknown but carries ``Depends(provider)`` (``Annotated[Any,
        Depends(get_db)]``), the provider's value is used."""
        found, provider = self._annotation(node, scope)
        if found is None and provider is not None:
            return self.dependency_type(*provider)
        return found

    def _annotation(
        self, node: cst.BaseExpression, scope: Scope, depth: int = 0
    ) -> tuple[Optional[ValueType], Optional[tuple[cst.BaseExpression, Scope]]]:
        """(declared class, the ``Depends`` provider it carries) of an annotation."""
        if depth > _MAX_DEPTH:
            return None, None
        if isinstance(node, cst.SimpleString):
            text = node.evaluated_value
            if not isinstance(text, str):
                return None, None
            try:
                parsed = cst.parse_expression(text.strip())
            except cst.ParserSyntaxError:
                return None, None
            return self._annotation(parsed, scope, depth + 1)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            if _literal_none(node.right):
                return self._annotation(node.left, scope, depth + 1)
            if _literal_none(node.left):
                return self._annotation(node.right, scope, depth + 1)
            return None, None
        if isinstance(node, cst.Subscript):
            return self._subscript_annotation(node, scope, depth)
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None, None
        symbol = self._lookup(node, scope)
        if isinstance(symbol, _External):
            canonical = canonical_class(symbol.qualname)
            return (_instance(canonical) if canonical is not None else None), None
        if isinstance(symbol, _Class):
            return ValueType(symbol.qualname), None
        if isinstance(symbol, _Bound) and len(symbol.bindings) == 1:
            alias = symbol.bindings[0]  # SessionDep = Annotated[Session, Depends(get_db)]
            if alias.kind == "assign" and alias.value is not None:
                return self._annotation(alias.value, alias.scope, depth + 1)
        return None, None

    def _subscript_annotation(
        self, node: cst.Subscript, scope: Scope, depth: int
    ) -> tuple[Optional[ValueType], Optional[tuple[cst.BaseExpression, Scope]]]:
        base = self.resolve_callee(node.value, scope)
        elements = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
        if not elements or base is None:
            return None, None
        if base in _ANNOTATED:
            found, provider = self._annotation(elements[0], scope, depth + 1)
            for extra in elements[1:]:
                if (
                    isinstance(extra, cst.Call)
                    and self.resolve_callee(extra.func, scope) in DEPENDS_NAMES
                ):
                    target = _argument(extra, 0, "dependency")
                    if target is not None:
                        provider = (target, scope)
            return found, provider
        if base in _OPTIONAL:
            return self._annotation(elements[0], scope, depth + 1)
        if base in _UNION:
            members = [e for e in elements if not _literal_none(e)]
            if len(members) == 1:
                return self._annotation(members[0], scope, depth + 1)
            return None, None
        canonical = canonical_class(base)
        if canonical in _FACTORY_DEFAULT_PRODUCT:  # sessionmaker[Session]
            product, _ = self._annotation(elements[0], scope, depth + 1)
            return ValueType(canonical, product.name if product else None), None
        return None, None

    def _generator_item(self, node: cst.BaseExpression, scope: Scope) -> Optional[ValueType]:
        """The value handed out by a generator/context manager with return annotation ``node``
        (``Iterator[Session]`` -> Session)."""
        if (
            isinstance(node, cst.Subscript)
            and self.resolve_callee(node.value, scope) in _WRAPPING_ANNOTATIONS
        ):
            first = node.slice[0].slice
            if isinstance(first, cst.Index):
                return self.annotation_type(first.value, scope)
        return None

    def dependency_type(self, provider: cst.BaseExpression, scope: Scope) -> Optional[ValueType]:
        """The value that FastAPI injects for ``Depends(provider)``: what the provider function
        returns or yields (its annotation, else its ``return``/``yield`` expressions), or an
        instance of a provider class."""
        symbol = self._lookup(provider, scope)
        if isinstance(symbol, _Class):
            return ValueType(symbol.qualname)
        if isinstance(symbol, _Function):
            return self._function_value(symbol.node, symbol.scope, handed_out=True)
        return None

    def _function_value(
        self, func: cst.FunctionDef, defining: Scope, handed_out: bool
    ) -> Optional[ValueType]:
        """What calling ``func`` gives. With ``handed_out``, what a generator function yields
        (a yield dependency, a ``@contextmanager``) instead of the generator itself."""
        results = _Results()
        func.body.visit(results)
        if results.yields and not handed_out:
            return None
        if func.asynchronous is not None and not handed_out:
            return None  # a coroutine
        returns = func.returns.annotation if func.returns is not None else None
        if returns is not None:
            if results.yields:
                return self._generator_item(returns, defining)
            found = self.annotation_type(returns, defining)
            if found is not None:
                return found
        own = self._scope_for_function(func, defining)
        values = results.yielded if results.yields else results.returned
        values = [v for v in values if not _literal_none(v)]
        if not values:
            return None
        return self._merge(self.type_of(value, own) for value in values)

    def _scope_for_function(self, func: cst.FunctionDef, defining: Scope) -> Scope:
        if defining.namespace is self._namespace:
            return (
                self.scope_of(func)
                if func in self._structure.parent_function
                else Scope(defining.namespace, func, defining)
            )
        scope = self._scopes.get(func)
        if scope is None:
            scope = Scope(defining.namespace, func, defining)
            self._scopes[func] = scope
        return scope

    def _entered_type(self, node: cst.BaseExpression, scope: Scope) -> Optional[ValueType]:
        """The value bound by ``with node as name``."""
        if isinstance(node, cst.Call):
            symbol = self._lookup(node.func, scope)
            if isinstance(symbol, _Function):
                decorators = {
                    self.resolve_callee(d.decorator, symbol.scope) for d in symbol.node.decorators
                }
                if decorators & _CONTEXT_MANAGER:
                    return self._function_value(symbol.node, symbol.scope, handed_out=True)
        return self.type_of(node, scope)

    def _call_type(self, call: cst.Call, scope: Scope) -> Optional[ValueType]:
        func = call.func
        symbol: _Symbol = None
        if isinstance(func, (cst.Name, cst.Attribute)):
            symbol = self._lookup(func, scope)
        if isinstance(symbol, _Class):
            return _instance(symbol.qualname)
        if isinstance(symbol, _Function):
            return self._function_value(symbol.node, symbol.scope, handed_out=False)
        if isinstance(symbol, _External):
            found = self._library_call(symbol.qualname, call, scope)
            if found is not None:
                return found
        if isinstance(symbol, _Bound):
            factory = self._symbol_type(symbol)  # SessionLocal()
            if factory is not None and factory.product is not None:
                return _instance(factory.product)
            return None
        if isinstance(func, cst.Attribute):
            receiver = self.type_of(func.value, scope)
            if receiver is None:
                return None
            method = func.attr.value
            if method == "begin" and receiver.product is not None:
                return _instance(receiver.product)  # with SessionLocal.begin() as session
            result = _METHOD_RESULTS.get((receiver.name, method))
            return _instance(result) if result is not None else None
        return None

    def _library_call(self, qualname: str, call: cst.Call, scope: Scope) -> Optional[ValueType]:
        result = _FUNCTION_RESULTS.get(qualname)
        if result is not None:
            return _instance(result)
        canonical = canonical_class(qualname)
        if canonical is None:
            return None
        if canonical in _SCOPED_FACTORIES:
            factory = _argument(call, 0, "session_factory")
            made = self.type_of(factory, scope) if factory is not None else None
            if made is not None and made.product is not None:
                return ValueType(canonical, made.product)
            return _instance(canonical)
        if canonical in _FACTORY_DEFAULT_PRODUCT:
            product = _keyword(call, "class_")
            if product is None:
                return _instance(canonical)
            made = self.annotation_type(product, scope)
            return ValueType(canonical, made.name if made is not None else None)
        return _instance(canonical)

    # -- bodies ---------------------------------------------------------------------------------
    def is_thread_dispatch(self, call: cst.Call, scope: Scope) -> bool:
        """Whether ``call`` hands its arguments to a worker thread (``run_in_threadpool``,
        ``asyncio.to_thread``, ``loop.run_in_executor``, ``anyio.to_thread.run_sync``)."""
        func = call.func
        if is_attribute(func, "run_in_executor"):
            return True
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return False
        return self.resolve_callee(func, scope) in THREAD_DISPATCH_FUNCTIONS

    def scan_body(self, func: cst.FunctionDef) -> BodyScan:
        """The calls that ``func``'s own body makes on the event loop, and whether it awaits."""
        scan = self._scans.get(func)
        if scan is None:
            scope = self.scope_of(func)
            walked = scope.walked()
            dispatch = {call for call, _ in walked.calls if self.is_thread_dispatch(call, scope)}
            calls = [
                call
                for call, outer in walked.calls
                if not any(enclosing in dispatch for enclosing in outer)
            ]
            scan = self._scans[func] = BodyScan(calls, walked.awaits)
        return scan

    def calls_project_coroutine(self, func: cst.FunctionDef) -> bool:
        """Whether ``func``'s body calls an ``async def`` of this project (so that its result
        may be a coroutine that FastAPI awaits)."""
        scope = self.scope_of(func)
        for call in self.scan_body(func).calls:
            if isinstance(call.func, (cst.Name, cst.Attribute)):
                symbol = self._lookup(call.func, scope)
                if isinstance(symbol, _Function) and symbol.node.asynchronous is not None:
                    return True
        return False


class _Results(cst.CSTVisitor):
    """``return``/``yield`` values of a function's own body."""

    def __init__(self) -> None:
        super().__init__()
        self.returned: list[cst.BaseExpression] = []
        self.yielded: list[cst.BaseExpression] = []
        self.yields = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.returned.append(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        self.yields = True
        if isinstance(node.value, cst.BaseExpression):
            self.yielded.append(node.value)


def _symbol_of(bindings: list[_Binding], scope: Scope) -> _Symbol:
    if len(bindings) == 1:
        only = bindings[0]
        if only.kind == "function" and only.function is not None:
            qualname = (
                scope.namespace.symbol(only.function.name.value) if scope.function is None else None
            )
            return _Function(only.function, scope, qualname)
        if only.kind == "class" and only.qualname is not None:
            return _Class(only.qualname)
    return _Bound(tuple(bindings))


def _is_none(binding: _Binding) -> bool:
    return binding.kind == "assign" and binding.annotation is None and _literal_none(binding.value)


# -- a base class for rules about async contexts ------------------------------------------------


class _Frame:
    """A function, lambda or class being traversed; only function bodies gather facts."""

    def __init__(self, walker: Optional[_ScopeWalker], body: Optional[cst.BaseSuite]) -> None:
        self.walker = walker
        self.body = body
        self.active = False  # inside the body (not the decorators or parameters)


class AsyncContextRule(Rule):
    """Base class of rules about what async contexts do on the event loop (FL101, FL102...).

    It follows the engine's batched traversal, gathering each function body's bindings, calls and
    awaits as the traversal passes (no extra pass over the file), and when an async context ends
    it calls :meth:`check_async_context` with the function, its role and its :class:`BodyScan`.
    A subclass that defines a ``visit_``/``leave_`` method for one of the node types used here
    must call the base method.
    """

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.semantics = semantics(context)
        self._frames: list[_Frame] = []

    def check_async_context(
        self, func: cst.FunctionDef, role: AsyncContextKind, scan: BodyScan
    ) -> None:
        raise NotImplementedError

    def _walker(self) -> Optional[_ScopeWalker]:
        if self._frames and self._frames[-1].active:
            return self._frames[-1].walker
        return None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self._walker()
        if outer is not None:
            outer.visit_FunctionDef(node)
        walker = None
        if node.asynchronous is not None:
            walker = _ScopeWalker(self.semantics.scope_of(node))
        self._frames.append(_Frame(walker, node.body))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        frame = self._frames.pop()
        if frame.walker is None:
            return
        role = self.semantics.async_context(original_node)
        if role is None:
            return
        self.semantics.scope_of(original_node).adopt(frame.walker)
        self.check_async_context(original_node, role, self.semantics.scan_body(original_node))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        outer = self._walker()
        if outer is not None:
            outer.visit_ClassDef(node)
        self._frames.append(_Frame(None, None))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._frames.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._frames.append(_Frame(None, None))

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._frames.pop()

    def _enter_suite(self, node: cst.BaseSuite) -> None:
        if self._frames and self._frames[-1].body is node:
            self._frames[-1].active = True

    def _leave_suite(self, node: cst.BaseSuite) -> None:
        if self._frames and self._frames[-1].body is node:
            self._frames[-1].active = False

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._enter_suite(node)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._leave_suite(original_node)

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._enter_suite(node)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._leave_suite(original_node)

    def visit_Assign(self, node: cst.Assign) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_Assign(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_AnnAssign(node)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_NamedExpr(node)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_WithItem(node)

    def visit_With(self, node: cst.With) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_With(node)

    def visit_For(self, node: cst.For) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_For(node)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_CompFor(node)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_ExceptHandler(node)

    def visit_Global(self, node: cst.Global) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_Global(node)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_Nonlocal(node)

    def visit_Await(self, node: cst.Await) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_Await(node)

    def visit_Call(self, node: cst.Call) -> None:
        walker = self._walker()
        if walker is not None:
            walker.visit_Call(node)

    def leave_Call(self, original_node: cst.Call) -> None:
        walker = self._walker()
        if walker is not None:
            walker.leave_Call(original_node)


# -- entry points ------------------------------------------------------------------------------


def semantics(context: FileContext) -> FileSemantics:
    """The semantics of the file of ``context``, shared by all rules that check it."""
    return context.shared(FileSemantics, lambda: FileSemantics(context))


def sync_def_fix(func: cst.FunctionDef, message: Optional[str] = None) -> FixBuilder:
    """An unsafe fix turning ``async def name`` into ``def name`` (the rest untouched)."""
    assert func.asynchronous is not None
    replacement = f"def{func.whitespace_after_def.value}{func.name.value}"
    fix = FixBuilder(
        Applicability.UNSAFE,
        message or f"Make `{func.name.value}` a sync `def` (FastAPI runs it in a thread pool)",
    )
    return fix.replace_range(func.asynchronous, func.name, replacement)
