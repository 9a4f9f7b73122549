"""What blocks the event loop, and what makes a coroutine: the call classifications that the
event-loop rules (FL101-FL105) and the project call graph share.

Every question here is asked of one call site of a module's summary, with the module's model
and a type inference, so it serves the checked file (its LibCST-built model) and every other
module of the project (the index's models) alike. Names are resolved by qualified name and
receivers by their inferred class, never by spelling.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

from fastlint.semantic import ir, knowledge
from fastlint.semantic import summary as s
from fastlint.semantic.model import ModuleModel, Point
from fastlint.semantic.summary import CallSite, Scope
from fastlint.semantic.types import Definition, Types, definition_point

__all__ = [
    "Blocking",
    "blocking_call",
    "coroutine_call",
    "dispatched",
    "is_sleep",
    "project_callee",
    "site_point",
    "sync_db_reason",
]

SLEEP = "time.sleep"

_DISPATCH_NAMES = frozenset(n.rsplit(".", 1)[-1] for n in knowledge.THREAD_DISPATCH_FUNCTIONS)
_CONNECT_NAMES = frozenset(n.rsplit(".", 1)[-1] for n in knowledge.SYNC_DB_CONNECT)
# Method names worth inferring a receiver's type for (a cheap test first).
_DB_METHODS = frozenset(m for family in knowledge.SYNC_DB_FAMILIES for m in family.methods)
_BLOCKING_METHODS = frozenset(m for family in knowledge.BLOCKING_METHODS for m in family.methods)
_BLOCKING_NAMES = frozenset(
    n.rsplit(".", 1)[-1] for n in (*knowledge.BLOCKING_FUNCTIONS, *knowledge.CONNECTING_CLASSES)
)


@dataclass(frozen=True)
class Blocking:
    """A call that blocks the thread it runs on: the rule whose kind it is (``FL101`` for
    database I/O, ``FL102`` for the rest), a label for call chains (``requests.get``,
    ``Session.query``) and what it does (for messages)."""

    code: str
    label: str
    reason: str
    qualname: Optional[str] = None  # the library function called, when it is one


def site_point(site: CallSite) -> Point:
    return Point(site.scope, site.order, site.branch)


def dispatched(model: ModuleModel, types: Types, index: int) -> bool:
    """Whether the call is an argument of a call that runs it in a worker thread
    (``run_in_threadpool``, ``asyncio.to_thread``, ``loop.run_in_executor``...)."""
    parent = model.summary.calls[index].parent
    while parent >= 0:
        site = model.summary.calls[parent]
        func = site.call.func
        if isinstance(func, ir.Attribute) and func.attr == "run_in_executor":
            return True
        if model.may_name(func, _DISPATCH_NAMES) and (
            types.qualified_name(model, func, site_point(site))
            in knowledge.THREAD_DISPATCH_FUNCTIONS
        ):
            return True
        parent = site.parent
    return False


def loop_calls(model: ModuleModel, types: Types, scope: Scope) -> Iterator[tuple[int, CallSite]]:
    """The calls ``scope``'s own code makes on the event loop: neither awaited (an awaited
    call returns an awaitable, whatever the receiver's annotation says) nor handed to a
    thread pool."""
    for index, site in model.own_calls(scope):
        if site.usage != s.AWAITED and not dispatched(model, types, index):
            yield index, site


def sync_db_reason(model: ModuleModel, types: Types, site: CallSite) -> Optional[str]:
    """Why a call blocks on the database (FL101), or None."""
    found = _sync_db(model, types, site)
    return found.reason if found is not None else None


def _sync_db(model: ModuleModel, types: Types, site: CallSite) -> Optional[Blocking]:
    point = site_point(site)
    call, func = site.call, site.call.func
    if model.may_name(func, _CONNECT_NAMES):
        callee = types.qualified_name(model, func, point)
        if callee in knowledge.SYNC_DB_CONNECT:
            return Blocking("FL101", callee, knowledge.SYNC_DB_CONNECT[callee], callee)
    if not isinstance(func, ir.Attribute):
        return None
    if func.attr in knowledge.SCHEMA_METHODS:
        bind = call.argument(0, "bind")
        if bind is not None and types.is_instance(
            types.type_of(model, bind, point), knowledge.SYNC_BINDS
        ):
            return Blocking("FL101", f"MetaData.{func.attr}", "with a sync SQLAlchemy engine")
    if func.attr not in _DB_METHODS:
        return None
    receiver = types.type_of(model, func.value, point)
    if receiver is None:
        return None
    for family in knowledge.SYNC_DB_FAMILIES:
        if func.attr in family.methods and types.is_instance(receiver, family.classes):
            label = _method_label(receiver.name, func.attr)
            return Blocking("FL101", label, f"on a {family.label}")
    return None


def _method_label(receiver: str, method: str) -> str:
    return f"{receiver.rsplit('.', 1)[-1]}.{method}"


def blocking_call(model: ModuleModel, types: Types, site: CallSite) -> Optional[Blocking]:
    """Whether a call blocks the thread it runs on: database I/O (FL101) or another blocking
    call (FL102). An awaited call returns an awaitable, so it is never a blocking one."""
    if site.usage == s.AWAITED:
        return None
    found = _sync_db(model, types, site)
    if found is not None:
        return found
    return _other_blocking(model, types, site)


def _other_blocking(model: ModuleModel, types: Types, site: CallSite) -> Optional[Blocking]:
    point = site_point(site)
    call, func = site.call, site.call.func
    if model.may_name(func, _BLOCKING_NAMES):
        callee = types.qualified_name(model, func, point)
        if callee is not None:
            reason = knowledge.BLOCKING_FUNCTIONS.get(callee)
            if reason is not None:
                return Blocking("FL102", _function_label(callee), reason, callee)
            canonical = knowledge.canonical_class(callee)
            reason = knowledge.CONNECTING_CLASSES.get(canonical or "")
            if reason is not None and call.argument(0, "host") is not None:
                return Blocking("FL102", _function_label(callee), reason, callee)
    if not isinstance(func, ir.Attribute) or func.attr not in _BLOCKING_METHODS:
        return None
    receiver = types.type_of(model, func.value, point)
    if receiver is None:
        return None
    for family in knowledge.BLOCKING_METHODS:
        if func.attr in family.methods and types.is_instance(receiver, family.classes):
            return Blocking("FL102", _method_label(receiver.name, func.attr), family.label)
    return None


def _function_label(qualname: str) -> str:
    return qualname[len("builtins.") :] if qualname.startswith("builtins.") else qualname


def is_sleep(found: Blocking) -> bool:
    return found.qualname == SLEEP


def project_callee(types: Types, model: ModuleModel, site: CallSite) -> Optional[Definition]:
    """The project function a call runs: a function by name, a method of a project class
    whose receiver's class is known (``self.load()``, ``service.load()``), or the
    ``__init__`` of a project class that is instantiated."""
    point = site_point(site)
    func = site.call.func
    if not isinstance(func, (ir.Name, ir.Attribute)):
        return None
    found = types.definition(model, func, point)
    if found is not None:
        if found.is_class:
            member = types.class_member(found.qualname, "__init__")
            return member if isinstance(member, Definition) and not member.is_class else None
        return found
    if isinstance(func, ir.Attribute):
        receiver = types.type_of(model, func.value, point)
        if receiver is not None and knowledge.canonical_class(receiver.name) is None:
            member = types.class_member(receiver.name, func.attr)
            if isinstance(member, Definition) and not member.is_class:
                return member
    return None


def makes_coroutine(types: Types, definition: Definition) -> bool:
    """Whether calling the project function creates a coroutine: an ``async def`` (not an
    async generator) whose decorators, if any, are known to keep it one (FastAPI's own
    registering decorators return the function unchanged)."""
    scope, model = definition.scope, definition.model
    if not scope.is_async or scope.is_generator or scope.kind != s.FUNCTION:
        return False
    outer = definition_point(model, scope)
    for decorator in scope.decorators:
        if types.qualified_name(model, decorator, outer) in (
            knowledge.COROUTINE_PRESERVING_DECORATORS
        ):
            continue
        if _registers(types, model, decorator, outer):
            continue
        return False
    return True


def _registers(types: Types, model: ModuleModel, decorator: ir.Expr, point: Point) -> bool:
    """``@app.get(...)``, ``@router.websocket(...)``, ``@app.exception_handler(...)``..."""
    if not (isinstance(decorator, ir.Call) and isinstance(decorator.func, ir.Attribute)):
        return False
    method = decorator.func.attr
    if method not in knowledge.ROUTE_METHODS | knowledge.WEBSOCKET_METHODS | _HOOKS:
        return False
    receiver = types.type_of(model, decorator.func.value, point)
    return types.is_instance(receiver, knowledge.APP_CLASSES)


_HOOKS = frozenset({"middleware", "exception_handler", "on_event"})


def coroutine_call(model: ModuleModel, types: Types, site: CallSite) -> Optional[str]:
    """What a call creates a coroutine of (``AsyncSession.commit``, ``repo.load_user``),
    or None when it does not, or may not."""
    func = site.call.func
    if not isinstance(func, (ir.Name, ir.Attribute)):
        return None
    if isinstance(func, ir.Attribute):
        receiver = types.type_of(model, func.value, site_point(site))
        if receiver is not None:
            for cls, methods in knowledge.COROUTINE_METHODS.items():
                if func.attr in methods and types.is_instance(receiver, {cls}):
                    return _method_label(cls, func.attr)
    callee = project_callee(types, model, site)
    if callee is not None and makes_coroutine(types, callee):
        return _short(callee.qualname)
    return None


def _short(qualname: str) -> str:
    """``app.services.load_orders`` -> ``services.load_orders`` (module and name)."""
    parts = qualname.replace(".<locals>", "").split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else qualname
