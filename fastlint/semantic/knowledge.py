"""What fastlint knows of libraries, as data: one place for every table a rule or the type
inference consults.

Classes are named by a canonical qualified name; ``CLASS_SPELLINGS`` lists the other names
libraries export them under. Tables say what calling a library function or method returns,
which classes are sessions, clients and drivers, which of their methods do I/O, which functions
hand work to a thread, and the FastAPI names the project facts look for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# Canonical class name -> the other qualified names under which libraries export it. Drop-in
# compatible classes (``redis.StrictRedis``) share the canonical name of the class they mimic.
CLASS_SPELLINGS: dict[str, tuple[str, ...]] = {
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
    "requests.Session": ("requests.sessions.Session",),
    "urllib3.PoolManager": ("urllib3.poolmanager.PoolManager",),
    "urllib3.ProxyManager": ("urllib3.poolmanager.ProxyManager",),
    "urllib3.HTTPConnectionPool": ("urllib3.connectionpool.HTTPConnectionPool",),
    "urllib3.HTTPSConnectionPool": ("urllib3.connectionpool.HTTPSConnectionPool",),
    "aiohttp.ClientSession": ("aiohttp.client.ClientSession",),
    # The standard library
    "contextvars.ContextVar": (),
    "pathlib.Path": ("pathlib.PosixPath", "pathlib.WindowsPath"),
    "smtplib.SMTP": (),
    "smtplib.SMTP_SSL": (),
    "tempfile.SpooledTemporaryFile": (),
}

_CANONICAL: dict[str, str] = {
    spelling: canonical
    for canonical, spellings in CLASS_SPELLINGS.items()
    for spelling in (canonical, *spellings)
}

# What calling a library function returns (canonical class names).
FUNCTION_RESULTS: dict[str, str] = {
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
    "requests.session": "requests.Session",
    "requests.sessions.session": "requests.Session",
    "pathlib.Path.cwd": "pathlib.Path",
    "pathlib.Path.home": "pathlib.Path",
}

# What a method returns, by (canonical receiver class, method name).
METHOD_RESULTS: dict[tuple[str, str], str] = {
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
    **{
        ("pathlib.Path", method): "pathlib.Path"
        for method in (
            "absolute",
            "expanduser",
            "joinpath",
            "relative_to",
            "resolve",
            "with_name",
            "with_stem",
            "with_suffix",
        )
    },
}

# What an attribute of a value holds, by (canonical class, attribute name): ``upload.file`` of
# an ``UploadFile`` is the spooled temporary file it reads from, ``path.parent`` a ``Path``.
ATTRIBUTE_RESULTS: dict[tuple[str, str], str] = {
    ("fastapi.UploadFile", "file"): "tempfile.SpooledTemporaryFile",
    ("pathlib.Path", "parent"): "pathlib.Path",
}

# ``left / right`` with a value of one of these classes on the left: the same class.
DIVIDING_CLASSES = frozenset({"pathlib.Path"})

# ``parent.name`` / ``parent["name"]`` of these is a child object (pymongo's attribute access).
CHILD_TYPES: dict[str, str] = {
    "pymongo.MongoClient": "pymongo.database.Database",
    "pymongo.database.Database": "pymongo.collection.Collection",
    "pymongo.collection.Collection": "pymongo.collection.Collection",
}

# Session factories: calling one gives a session. The default product when none is named.
FACTORY_PRODUCTS: dict[str, str] = {
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.Session",
    "sqlalchemy.ext.asyncio.async_sessionmaker": "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.async_scoped_session": "sqlalchemy.ext.asyncio.AsyncSession",
}
SCOPED_FACTORIES = frozenset(
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
APPLICATION_CLASSES = frozenset({"fastapi.FastAPI", "starlette.applications.Starlette"})

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

ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "route"}
)
WEBSOCKET_METHODS = frozenset({"websocket", "websocket_route"})
ROUTE_CLASSES = frozenset(
    {
        "fastapi.routing.APIRoute",
        "starlette.routing.Route",
        "fastapi.routing.APIWebSocketRoute",
        "starlette.routing.WebSocketRoute",
    }
)
MIDDLEWARE_WRAPPERS = frozenset(
    {"starlette.middleware.Middleware", "fastapi.middleware.Middleware"}
)
ASYNC_CONTEXT_MANAGER = frozenset({"contextlib.asynccontextmanager"})
CONTEXT_MANAGER = frozenset({"contextlib.contextmanager"})

ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
OPTIONAL = frozenset({"typing.Optional", "typing_extensions.Optional"})
UNION = frozenset({"typing.Union", "typing_extensions.Union"})
# Return annotations of generators / context managers: the value handed out is the first
# argument (``Iterator[Session]`` of a yield dependency hands out a ``Session``).
WRAPPING_ANNOTATIONS = frozenset(
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


@dataclass(frozen=True)
class IoFamily:
    """Classes whose listed methods do database I/O synchronously."""

    label: str
    classes: frozenset[str]
    methods: frozenset[str]


_SESSION_METHODS = frozenset(
    {
        "execute",
        "exec",
        "query",
        "get",
        "get_one",
        "scalar",
        "scalars",
        "commit",
        "rollback",
        "flush",
        "refresh",
        "merge",
        "connect",
        "begin",
        "begin_nested",
        "bulk_save_objects",
        "bulk_insert_mappings",
        "bulk_update_mappings",
    }
)
_DBAPI_CONNECTION_METHODS = frozenset(
    {"execute", "executemany", "executescript", "commit", "rollback"}
)
_DBAPI_CURSOR_METHODS = frozenset(
    {
        "execute",
        "executemany",
        "executescript",
        "fetchone",
        "fetchmany",
        "fetchall",
        "callproc",
        "copy",
        "copy_expert",
        "copy_from",
        "copy_to",
        "nextset",
    }
)
_MONGO_COLLECTION_METHODS = frozenset(
    {
        "find",
        "find_one",
        "find_one_and_delete",
        "find_one_and_replace",
        "find_one_and_update",
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "replace_one",
        "delete_one",
        "delete_many",
        "aggregate",
        "count_documents",
        "estimated_document_count",
        "distinct",
        "bulk_write",
        "create_index",
        "create_indexes",
        "drop",
        "drop_index",
        "drop_indexes",
        "list_indexes",
        "index_information",
        "watch",
    }
)
_REDIS_COMMANDS = frozenset(
    {
        "append", "blpop", "brpop", "copy", "dbsize", "decr", "decrby", "delete", "eval",
        "evalsha", "exists", "expire", "expireat", "flushall", "flushdb", "get", "getdel",
        "getex", "getset", "hdel", "hexists", "hget", "hgetall", "hincrby", "hkeys", "hlen",
        "hmget", "hmset", "hset", "hsetnx", "hvals", "incr", "incrby", "incrbyfloat", "info",
        "keys", "lindex", "llen", "lpop", "lpush", "lrange", "lrem", "lset", "ltrim", "mget",
        "mset", "persist", "pexpire", "ping", "psetex", "pttl", "publish", "rename", "rpop",
        "rpush", "sadd", "scan", "scan_iter", "scard", "set", "setex", "setnx", "sismember",
        "smembers", "spop", "srem", "ttl", "unlink", "xack", "xadd", "xlen", "xrange", "xread",
        "xreadgroup", "zadd", "zcard", "zcount", "zincrby", "zrange", "zrangebyscore", "zrank",
        "zrem", "zremrangebyscore", "zrevrange", "zscore",
    }
)  # fmt: skip

SYNC_DB_FAMILIES: tuple[IoFamily, ...] = (
    IoFamily(
        "sync SQLAlchemy `Session`",
        frozenset({"sqlalchemy.orm.Session", "sqlalchemy.orm.scoped_session"}),
        _SESSION_METHODS,
    ),
    IoFamily("sync SQLModel `Session`", frozenset({"sqlmodel.Session"}), _SESSION_METHODS),
    IoFamily(
        "sync SQLAlchemy `Engine`",
        frozenset({"sqlalchemy.engine.Engine"}),
        frozenset({"connect", "begin", "execute", "raw_connection"}),
    ),
    IoFamily(
        "sync SQLAlchemy `Connection`",
        frozenset({"sqlalchemy.engine.Connection"}),
        frozenset(
            {
                "execute",
                "exec_driver_sql",
                "scalar",
                "scalars",
                "commit",
                "rollback",
                "begin",
                "begin_nested",
            }
        ),
    ),
    IoFamily("`sqlite3` connection", frozenset({"sqlite3.Connection"}), _DBAPI_CONNECTION_METHODS),
    IoFamily(
        "`psycopg2` connection",
        frozenset({"psycopg2.extensions.connection"}),
        _DBAPI_CONNECTION_METHODS,
    ),
    IoFamily(
        "sync `psycopg` connection", frozenset({"psycopg.Connection"}), _DBAPI_CONNECTION_METHODS
    ),
    IoFamily(
        "`pymysql` connection",
        frozenset({"pymysql.connections.Connection"}),
        _DBAPI_CONNECTION_METHODS,
    ),
    IoFamily(
        "`MySQLdb` connection",
        frozenset({"MySQLdb.connections.Connection"}),
        _DBAPI_CONNECTION_METHODS,
    ),
    IoFamily(
        "sync DB-API cursor",
        frozenset(
            {
                "sqlite3.Cursor",
                "psycopg2.extensions.cursor",
                "psycopg.Cursor",
                "pymysql.cursors.Cursor",
                "MySQLdb.cursors.Cursor",
            }
        ),
        _DBAPI_CURSOR_METHODS,
    ),
    IoFamily(
        "`pymongo` collection",
        frozenset({"pymongo.collection.Collection"}),
        _MONGO_COLLECTION_METHODS,
    ),
    IoFamily(
        "`pymongo` database",
        frozenset({"pymongo.database.Database"}),
        frozenset(
            {
                "command",
                "list_collection_names",
                "list_collections",
                "create_collection",
                "drop_collection",
                "validate_collection",
            }
        ),
    ),
    IoFamily(
        "`pymongo` client",
        frozenset({"pymongo.MongoClient"}),
        frozenset({"server_info", "list_database_names", "list_databases", "drop_database"}),
    ),
    IoFamily("sync `redis.Redis` client", frozenset({"redis.Redis"}), _REDIS_COMMANDS),
    IoFamily("sync `redis` pipeline", frozenset({"redis.client.Pipeline"}), frozenset({"execute"})),
)

# Driver functions that open a connection (network or file I/O) when called.
SYNC_DB_CONNECT: dict[str, str] = {
    "sqlite3.connect": "sync driver `sqlite3`",
    "psycopg2.connect": "sync driver `psycopg2`",
    "psycopg.connect": "sync `psycopg` connection",
    "psycopg.Connection.connect": "sync `psycopg` connection",
    "pymysql.connect": "sync driver `pymysql`",
    "pymysql.Connect": "sync driver `pymysql`",
    "pymysql.connections.Connection": "sync driver `pymysql`",
    "MySQLdb.connect": "sync driver `MySQLdb`",
    "MySQLdb.Connect": "sync driver `MySQLdb`",
    "MySQLdb.Connection": "sync driver `MySQLdb`",
}
SCHEMA_METHODS = frozenset({"create_all", "drop_all"})
SYNC_BINDS = frozenset({"sqlalchemy.engine.Engine", "sqlalchemy.engine.Connection"})


DEPENDS_NAMES = frozenset(
    {"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"}
)
ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "starlette.routing.Router"})
FASTAPI_CLASSES = frozenset({"fastapi.FastAPI"})
BASE_HTTP_MIDDLEWARE = "starlette.middleware.base.BaseHTTPMiddleware"
BACKGROUND_TASKS = "fastapi.BackgroundTasks"
BACKGROUND_TASK_CLASSES = frozenset({"starlette.background.BackgroundTask"})
CORS_MIDDLEWARE = frozenset(
    {"starlette.middleware.cors.CORSMiddleware", "fastapi.middleware.cors.CORSMiddleware"}
)
PYDANTIC_VALIDATORS = frozenset(
    {
        "pydantic.validator",
        "pydantic.class_validators.validator",
        "pydantic.deprecated.class_validators.validator",
    }
)


def canonical_class(qualname: str) -> Optional[str]:
    """The canonical name of a library class known to fastlint (``sqlalchemy.orm.session.
    Session`` -> ``sqlalchemy.orm.Session``), else None."""
    return _CANONICAL.get(qualname)


def class_spellings(canonical: str) -> frozenset[str]:
    """Every qualified name under which the canonical class ``canonical`` is exported."""
    return frozenset((canonical, *CLASS_SPELLINGS.get(canonical, ())))


# Calls that need the running event loop: a function making them cannot become a sync `def`
# that FastAPI runs in a worker thread ("no running event loop").
EVENT_LOOP_FUNCTIONS = frozenset(
    {
        "asyncio.get_running_loop",
        "asyncio.get_event_loop",
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.current_task",
        "asyncio.all_tasks",
        "asyncio.events.get_running_loop",
        "asyncio.events.get_event_loop",
        "asyncio.tasks.create_task",
        "asyncio.tasks.ensure_future",
    }
)
CONTEXT_VARIABLE = "contextvars.ContextVar"


# -- blocking calls (FL102) and coroutines (FL104) ---------------------------------------------

_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")

#: Library functions that block the calling thread, with what they do (for messages).
BLOCKING_FUNCTIONS: dict[str, str] = {
    "time.sleep": "sleeps the thread",
    **{f"requests.{verb}": "a sync HTTP request" for verb in _HTTP_VERBS},
    **{f"requests.api.{verb}": "a sync HTTP request" for verb in _HTTP_VERBS},
    **{f"httpx.{verb}": "a sync HTTP request" for verb in (*_HTTP_VERBS, "stream")},
    **{f"httpx._api.{verb}": "a sync HTTP request" for verb in (*_HTTP_VERBS, "stream")},
    "urllib.request.urlopen": "a sync HTTP request",
    "urllib.request.urlretrieve": "a sync HTTP request",
    "urllib3.request": "a sync HTTP request",
    "builtins.open": "file I/O",
    "io.open": "file I/O",
    "subprocess.run": "waits for a subprocess",
    "subprocess.call": "waits for a subprocess",
    "subprocess.check_call": "waits for a subprocess",
    "subprocess.check_output": "waits for a subprocess",
    "os.system": "waits for a shell command",
    "socket.create_connection": "opens a network connection",
}

#: Calling one of these classes with a host connects at once.
CONNECTING_CLASSES: dict[str, str] = {
    "smtplib.SMTP": "connects to an SMTP server",
    "smtplib.SMTP_SSL": "connects to an SMTP server",
}


@dataclass(frozen=True)
class BlockingFamily:
    """Classes whose listed methods block the calling thread."""

    label: str
    classes: frozenset[str]
    methods: frozenset[str]


BLOCKING_METHODS: tuple[BlockingFamily, ...] = (
    BlockingFamily(
        "a sync HTTP request",
        frozenset({"requests.Session", "httpx.Client"}),
        frozenset({*_HTTP_VERBS, "send", "stream"}),
    ),
    BlockingFamily(
        "a sync HTTP request",
        frozenset(
            {
                "urllib3.PoolManager",
                "urllib3.ProxyManager",
                "urllib3.HTTPConnectionPool",
                "urllib3.HTTPSConnectionPool",
            }
        ),
        frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"}),
    ),
    BlockingFamily(
        "file I/O",
        frozenset({"pathlib.Path"}),
        frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "open"}),
    ),
    BlockingFamily(
        "talks to an SMTP server",
        frozenset({"smtplib.SMTP", "smtplib.SMTP_SSL"}),
        frozenset(
            {"connect", "login", "starttls", "sendmail", "send_message", "ehlo", "helo", "quit"}
        ),
    ),
    BlockingFamily(
        "file I/O on the upload's spooled file",
        frozenset({"tempfile.SpooledTemporaryFile"}),
        frozenset({"read", "readline", "readlines", "write", "writelines"}),
    ),
)

#: Library functions that call their function arguments at once, on the calling thread.
CALLING_FUNCTIONS = frozenset(
    {
        "builtins.map",
        "builtins.filter",
        "builtins.sorted",
        "builtins.min",
        "builtins.max",
        "functools.reduce",
    }
)

_ASYNC_SESSION_METHODS = frozenset(
    {
        "execute",
        "get",
        "get_one",
        "commit",
        "refresh",
        "scalar",
        "scalars",
        "flush",
        "delete",
        "close",
        "rollback",
        "merge",
        "stream",
        "stream_scalars",
        "run_sync",
        "connection",
    }
)

#: The coroutine methods of library classes: calling one creates a coroutine.
COROUTINE_METHODS: dict[str, frozenset[str]] = {
    "sqlalchemy.ext.asyncio.AsyncSession": _ASYNC_SESSION_METHODS,
    "sqlmodel.ext.asyncio.session.AsyncSession": _ASYNC_SESSION_METHODS | {"exec"},
    "fastapi.UploadFile": frozenset({"read", "write", "seek", "close"}),
    "fastapi.Request": frozenset({"json", "body", "form", "is_disconnected"}),
    "fastapi.WebSocket": frozenset(
        {
            "accept",
            "receive",
            "receive_text",
            "receive_bytes",
            "receive_json",
            "send",
            "send_text",
            "send_bytes",
            "send_json",
            "close",
        }
    ),
    "httpx.AsyncClient": frozenset({*_HTTP_VERBS, "send", "aclose"}),
}

#: Decorators that leave a function what it is: calling an ``async def`` under them makes a
#: coroutine, calling a sync one runs its body.
COROUTINE_PRESERVING_DECORATORS = frozenset(
    {
        "builtins.staticmethod",
        "builtins.classmethod",
        "abc.abstractmethod",
        "typing.override",
        "typing_extensions.override",
    }
)

#: Clients that own a connection pool: one per application, not one per request (FL105).
POOLED_CLIENTS: dict[str, str] = {
    "httpx.AsyncClient": "httpx.AsyncClient",
    "aiohttp.ClientSession": "aiohttp.ClientSession",
}
