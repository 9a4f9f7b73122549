"""The project's call graph, as far as blocking the event loop goes (FL103).

For every function of a module, its *effects* are the calls its own code makes that matter:
blocking calls (what FL101/FL102 flag), calls of sync project functions (module functions,
methods of project classes whose receiver's class is known, constructors), and project
functions it hands as callbacks to a call that runs them at once (``map(load, ids)``, a
project helper that calls its parameter). Calls dispatched to a thread pool
(``run_in_threadpool``, ``asyncio.to_thread``, ``loop.run_in_executor``) are not effects, and
neither are calls of generator functions or ``async def`` functions (calling those runs none
of their code), nor calls under a lazy initialisation of a global (``if _store is None:``),
which run on the first call only.

Effects are plain records, computed once for each function, the first time a question needs
them, and kept with the project index by module (on disk too, under a key covering every file
of the project: a module's effects depend on types found in other modules). A search from a
function follows them breadth first to a blocking call (the shortest chain), at most
:data:`MAX_DEPTH` calls deep; functions already seen are not followed again, so cycles end.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from fastlint.fastapi.blocking import blocking_call, dispatched, project_callee, site_point
from fastlint.semantic import ir, knowledge
from fastlint.semantic import summary as s
from fastlint.semantic.model import ModuleModel
from fastlint.semantic.summary import Scope
from fastlint.semantic.types import Definition, Types, definition_point

if TYPE_CHECKING:
    from fastlint.project.index import ProjectIndex

__all__ = ["MAX_DEPTH", "CallGraph", "Chain", "Effect", "FunctionEffects"]

#: How many calls deep a search follows project functions.
MAX_DEPTH = 8

BLOCKS = "blocks"  # ``target`` is the label of the blocking call, ``via`` the rule code
CALLS = "calls"  # ``target`` is the qualified name of a sync project function
PASSES = "passes"  # ``target`` is handed to ``via`` as its parameter ``param``
CALLS_PARAM = "calls-param"  # the function calls its own parameter ``param``


@dataclass(frozen=True)
class Effect(ir.Record):
    """One call of a function's own code that matters for blocking; ``call`` is its index in
    the module's ``summary.calls``."""

    __slots__ = ("call", "kind", "param", "target", "via")
    kind: str
    target: str
    via: str
    param: str
    call: int


@dataclass(frozen=True)
class FunctionEffects(ir.Record):
    __slots__ = ("effects", "qualname")
    qualname: str
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class Chain:
    """Functions from a call to a blocking call: ``names`` are the project functions (short
    names) then the blocking call's label; ``code`` is the rule of the blocking call."""

    names: tuple[str, ...]
    code: str
    reason: str


class CallGraph:
    """Effects of the project's functions, and searches over them."""

    def __init__(self, index: ProjectIndex, key: Optional[str]) -> None:
        self.index = index
        self.types: Types = index.facts.types  # shared with the facts: one type cache
        self._key = key  # covers every file of the project; None: not cached on disk
        self._modules: dict[str, dict[str, FunctionEffects]] = {}  # path -> qualpath -> effects
        self._unsaved: set[str] = set()  # paths with effects computed since the cache was read
        self._paths: dict[str, Optional[tuple[ModuleModel, Scope]]] = {}
        self._chains: dict[str, Optional[Chain]] = {}

    # -- effects --------------------------------------------------------------------------------
    def effects(self, model: ModuleModel, scope: Scope) -> tuple[Effect, ...]:
        """The effects of a function of the project (``model`` may be the checked file's own
        model: the index's model of the same module is used), computed on first need."""
        own = self.index.model_for_path(model.summary.path) or model
        if own is not model:
            scope = own.scopes_named(scope.qualpath) or scope
        path = own.summary.path
        known = self._module_effects(path)
        found = known.get(scope.qualpath)
        if found is None:
            try:
                effects = self._compute(own, scope)
            except RecursionError:  # pragma: no cover - pathological nesting
                effects = ()
            found = known[scope.qualpath] = FunctionEffects(scope.qualpath, effects)
            self._unsaved.add(path)
        return found.effects

    def _module_effects(self, path: str) -> dict[str, FunctionEffects]:
        """What is known of a module's functions: read from the cache the first time."""
        known = self._modules.get(path)
        if known is None:
            known = {}
            cache, key = self.index.cache, self._cache_key(path)
            stored = cache.get(key) if cache is not None and key is not None else None
            if isinstance(stored, tuple) and all(isinstance(e, FunctionEffects) for e in stored):
                known = {e.qualname: e for e in stored}
            self._modules[path] = known
        return known

    def save(self) -> None:
        """Store the effects computed in this run with the index's cache."""
        cache = self.index.cache
        for path in sorted(self._unsaved):
            key = self._cache_key(path)
            if cache is not None and key is not None:
                cache.put(key, tuple(self._modules[path].values()))
        self._unsaved.clear()

    def _cache_key(self, path: str) -> Optional[str]:
        if self._key is None:
            return None
        digest = hashlib.blake2b(f"{self._key}\0{path}".encode("utf-8", "surrogateescape"))
        return "effects-" + digest.hexdigest()[:32]

    def _compute(
        self, model: ModuleModel, scope: Scope, types: Optional[Types] = None
    ) -> tuple[Effect, ...]:
        types = types or self.types
        out: list[Effect] = []
        params = {p.name for p in scope.params}
        lazy = frozenset(scope.globals)
        for index, site in model.own_calls(scope):
            if dispatched(model, types, index) or (lazy and _runs_once(model, site, lazy)):
                continue
            func = site.call.func
            if isinstance(func, ir.Name) and func.id in params and _is_param(model, scope, site):
                out.append(Effect(CALLS_PARAM, "", "", func.id, index))
                continue
            found = blocking_call(model, types, site)
            if found is not None:
                out.append(Effect(BLOCKS, found.label, found.code, found.reason, index))
                continue
            # A sync function's body runs at the call, even when what it returns is awaited.
            callee = project_callee(types, model, site)
            if callee is not None and self._runs_at_once(callee, types):
                out.append(Effect(CALLS, callee.qualname, "", "", index))
            out.extend(self._callbacks(model, types, site, index, callee))
        return tuple(out)

    def effects_here(self, model: ModuleModel, scope: Scope, types: Types) -> tuple[Effect, ...]:
        """The effects of a function of the checked file, from its own model and types (not
        kept: the facts keep no checked file's model alive)."""
        try:
            return self._compute(model, scope, types)
        except RecursionError:  # pragma: no cover - pathological nesting
            return ()

    def _callbacks(
        self,
        model: ModuleModel,
        types: Types,
        site: s.CallSite,
        index: int,
        callee: Optional[Definition],
    ) -> list[Effect]:
        """Project functions handed to a call that runs them at once: a library function
        known to (``map``, ``sorted(key=...)``), or a project function that calls the
        parameter they are passed as."""
        call = site.call
        point = site_point(site)
        calling = False
        if callee is None and isinstance(call.func, (ir.Name, ir.Attribute)):
            calling = types.qualified_name(model, call.func, point) in (knowledge.CALLING_FUNCTIONS)
        elif callee is not None and not self._runs_at_once(callee, types):
            return []
        if callee is None and not calling:
            return []
        out = []
        for position, arg in enumerate(call.args):
            if arg.star or not isinstance(arg.value, (ir.Name, ir.Attribute)):
                continue
            passed = types.definition(model, arg.value, point)
            if passed is None or passed.is_class or not self._runs_at_once(passed, types):
                continue
            if calling:
                out.append(Effect(CALLS, passed.qualname, "", "", index))
                continue
            assert callee is not None
            param = _parameter_for(callee, position, arg.keyword, call)
            if param is not None:
                out.append(Effect(PASSES, passed.qualname, callee.qualname, param, index))
        return out

    @staticmethod
    def _runs_at_once(definition: Definition, types: Types) -> bool:
        """Calling it runs its body now: a plain sync function (a generator function only
        makes a generator, an ``async def`` a coroutine), under no decorator that may change
        that (``lru_cache`` runs the body once; a project decorator may do anything)."""
        scope, model = definition.scope, definition.model
        if scope.kind != s.FUNCTION or scope.is_async or scope.is_generator:
            return False
        outer = definition_point(model, scope)
        return all(
            types.qualified_name(model, decorator, outer)
            in knowledge.COROUTINE_PRESERVING_DECORATORS
            for decorator in scope.decorators
        )

    # -- searches -------------------------------------------------------------------------------
    def definition(self, qualname: str) -> Optional[tuple[ModuleModel, Scope]]:
        """The module and scope of a project function, by qualified name."""
        if qualname in self._paths:
            return self._paths[qualname]
        found: Optional[tuple[ModuleModel, Scope]] = None
        split = self.index.split(qualname)
        if split is not None and split[1]:
            scope = split[0].scopes_named(split[1])
            if scope is not None and scope.kind == s.FUNCTION:
                found = (split[0], scope)
        self._paths[qualname] = found
        return found

    def chain_from(self, qualname: str) -> Optional[Chain]:
        """The shortest chain from the sync project function ``qualname`` to a blocking call,
        or None when none is found within :data:`MAX_DEPTH` calls."""
        if qualname in self._chains:
            return self._chains[qualname]
        found = self._search(qualname)
        self._chains[qualname] = found
        return found

    def _search(self, start: str) -> Optional[Chain]:
        queue: deque[tuple[str, tuple[str, ...]]] = deque([(start, (start,))])
        seen = {start}
        while queue:
            qualname, path = queue.popleft()
            located = self.definition(qualname)
            if located is None:
                continue
            effects = self.effects(*located)
            for effect in effects:
                if effect.kind == BLOCKS:
                    names = (*(_short(q) for q in path), effect.target)
                    return Chain(names, effect.via, effect.param)
            if len(path) >= MAX_DEPTH:
                continue
            for effect in effects:
                if effect.kind == CALLS:
                    step: tuple[str, ...] = (effect.target,)
                elif effect.kind == PASSES and self.calls_parameter(effect.via, effect.param):
                    step = (effect.via, effect.target)
                else:
                    continue
                if step[-1] in seen:
                    continue
                seen.add(step[-1])
                queue.append((step[-1], (*path, *step)))
        return None

    def calls_parameter(self, qualname: str, param: str) -> bool:
        located = self.definition(qualname)
        if located is None:
            return False
        return any(e.kind == CALLS_PARAM and e.param == param for e in self.effects(*located))


def _runs_once(model: ModuleModel, site: s.CallSite, names: frozenset[str]) -> bool:
    """Whether the call is under an ``if`` on a global of its function (``global _store``,
    ``if _store is None: _store = load()``): a lazy initialisation, run on the first call
    only, not on every request."""
    for arm in model.arms(site.branch):
        branch = model.branch(arm)
        if branch.kind != "if" or branch.test is None:
            continue
        if any(isinstance(e, ir.Name) and e.id in names for e in ir.walk(branch.test)):
            return True
    return False


def _is_param(model: ModuleModel, scope: Scope, site: s.CallSite) -> bool:
    found = model.lookup(site.call.func.id, site_point(site))  # type: ignore[union-attr]
    return (
        found.kind == "bound"
        and found.scope == scope.id
        and bool(found.bindings)
        and all(b.kind == s.PARAM for b in found.bindings)
    )


def _parameter_for(
    callee: Definition, position: int, keyword: Optional[str], call: ir.Call
) -> Optional[str]:
    """The parameter of ``callee`` that the argument at ``position`` of ``call`` binds."""
    scope = callee.scope
    names = [p.name for p in scope.params]
    if keyword is not None:
        return keyword if keyword in names else None
    positional = [p.name for p in scope.params if p.kind in ("posonly", "normal")]
    index = sum(1 for arg in call.args[:position] if arg.keyword is None)
    if any(arg.star for arg in call.args[:position]):
        return None
    parent = callee.model.parent(scope)
    bound = isinstance(call.func, ir.Attribute) or scope.name == "__init__"
    if parent is not None and parent.kind == s.CLASS and bound:
        positional = positional[1:]  # a method called on an instance: ``self`` is bound
    return positional[index] if index < len(positional) else None


def _short(qualname: str) -> str:
    parts = qualname.replace(".<locals>", "").split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else qualname
