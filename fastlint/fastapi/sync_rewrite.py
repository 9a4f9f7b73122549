"""The ``async def`` -> ``def`` rewrite shared by the event-loop rules (FL101, FL102).

FastAPI runs a sync ``def`` path operation or dependency in its thread pool, so turning an
``async def`` that blocks into a ``def`` takes the blocking off the event loop. It is offered
only where it cannot break working code, and always as an unsafe fix (a sync function holds
one of the pool's limited threads for as long as it runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.fastapi.blocking import coroutine_call
from fastlint.rule import FixBuilder
from fastlint.semantic import ir, knowledge
from fastlint.semantic import summary as s
from fastlint.semantic.model import Point

if TYPE_CHECKING:
    from fastlint.fastapi.facts import AsyncContext
    from fastlint.rule import FileContext
    from fastlint.semantic.summary import Scope

__all__ = ["sync_def_blocker", "sync_def_fix"]


def sync_def_blocker(
    context: FileContext, node: cst.FunctionDef, scope: Scope, async_context: AsyncContext
) -> Optional[str]:
    """Why ``node`` cannot safely become a sync ``def``, or None when it can."""
    if not async_context.role.sync_runs_in_threadpool or len(async_context.chain) > 1:
        return "only path operations and dependencies run in the thread pool"
    if scope.awaits:
        return "its body awaits"
    facts, model, types = context.facts, context.model, context.types
    if facts.registering_decorators(model, scope) != len(node.decorators):
        return "another decorator may expect a coroutine function"
    for _, site in model.own_calls(scope):
        point = Point(site.scope, site.order, site.branch)
        func = site.call.func
        if types.qualified_name(model, func, point) in knowledge.EVENT_LOOP_FUNCTIONS:
            return "it uses the running event loop"
        if isinstance(func, ir.Attribute) and func.attr == "set":
            receiver = types.type_of(model, func.value, point)
            if receiver is not None and receiver.name == knowledge.CONTEXT_VARIABLE:
                return "it sets a context variable the caller would no longer see"
        callee = facts.callee(model, site)
        if callee is not None and callee.scope.is_async and site.usage != s.AWAITED:
            return "it calls an async function of the project"
        if site.usage != s.AWAITED and coroutine_call(model, types, site) is not None:
            return "it creates a coroutine it does not await"
    if facts.is_used_as_coroutine(model, scope):
        return "project code awaits it"
    return None


def sync_def_fix(func: cst.FunctionDef, message: Optional[str] = None) -> FixBuilder:
    """An unsafe fix turning ``async def name`` into ``def name`` (the rest untouched)."""
    assert func.asynchronous is not None
    replacement = f"def{func.whitespace_after_def.value}{func.name.value}"
    fix = FixBuilder(
        Applicability.UNSAFE,
        message or f"Make `{func.name.value}` a sync `def` (FastAPI runs it in a thread pool)",
    )
    return fix.replace_range(func.asynchronous, func.name, replacement)
