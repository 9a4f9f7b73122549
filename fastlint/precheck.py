"""What a rule may ask about a file before LibCST parses it.

Parsing a file into LibCST and walking it costs more than anything else a run does, and most
files of a project have nothing any rule reports. The project index already holds a model of
every module, built from CPython's ``ast`` (``fastlint.semantic.from_ast``): the same records
the rules query through the LibCST-built model of the checked file, without a CST. A rule that
defines ``Rule.may_report`` looks at that model first; the file is parsed with LibCST only when
some selected rule may report in it.

``may_report`` must never say no when the rule's visit would report: it answers for the same
records, with the same analyses the rule uses (or a cheaper question whose "no" implies the
rule's), never a guess. The tests run every rule case, the fixtures and the corpus comparison
with and without it (``FASTLINT_NO_PRECHECK=1`` turns it off).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Callable, Optional, TypeVar, cast

from fastlint.semantic import ir

if TYPE_CHECKING:
    from fastlint.config import Settings
    from fastlint.fastapi.facts import AsyncContext, ProjectFacts
    from fastlint.project.index import ProjectIndex
    from fastlint.semantic.model import ModuleModel
    from fastlint.semantic.summary import CallSite, Scope
    from fastlint.semantic.types import Types
    from fastlint.semantic.values import Values

T = TypeVar("T")


def enabled() -> bool:
    """Whether the engine asks rules before parsing (on unless ``FASTLINT_NO_PRECHECK`` is
    set: the comparison of results with and without it)."""
    return not os.environ.get("FASTLINT_NO_PRECHECK")


class PreCheck:
    """One file, seen through the project index: its text and its ``ast``-built model.

    The index must hold ``text`` for ``path`` (the runner tells it what the file holds before
    each check, fixed text included)."""

    def __init__(
        self, path: str, text: str, project: ProjectIndex, model: ModuleModel, settings: Settings
    ) -> None:
        self.path = path  # absolute
        self.text = text
        self.project = project
        self.model = model
        self.settings = settings
        self._shared: dict[object, object] = {}

    @classmethod
    def of(
        cls, path: str, text: str, project: ProjectIndex, settings: Settings
    ) -> Optional[PreCheck]:
        """The view of the file at ``path``; None when the index has no model of it."""
        path = os.path.abspath(path)
        model = project.model_for_path(path)
        if model is None:
            return None
        return cls(path, text, project, model, settings)

    @property
    def facts(self) -> ProjectFacts:
        return self.project.facts

    @property
    def types(self) -> Types:
        """Type inference over the index's models (this file's included)."""
        return self.facts.types

    @property
    def values(self) -> Values:
        """Static values over the index's models (``fastlint.semantic.values``)."""
        from fastlint.semantic.values import Values

        return self.shared(Values, lambda: Values(self.types))

    def shared(self, key: object, build: Callable[[], T]) -> T:
        """An answer several rules share for this file, built by the first that asks."""
        if key not in self._shared:
            self._shared[key] = build()
        return cast(T, self._shared[key])

    # -- questions several rules ask ---------------------------------------------------------
    def loop_functions(self) -> list[tuple[Scope, AsyncContext]]:
        """The ``async def`` functions of the file that run on the event loop, and why (what
        ``FileContext.async_context`` answers for each of them)."""

        def build() -> list[tuple[Scope, AsyncContext]]:
            found = []
            for scope in self.model.functions():
                if scope.is_async:
                    context = self.facts.context(self.model, scope)
                    if context is not None:
                        found.append((scope, context))
            return found

        return self.shared("loop-functions", build)

    def decorated_functions(self, methods: Collection[str]) -> Iterator[tuple[Scope, ir.Call]]:
        """Functions decorated by a call of an attribute named in ``methods`` (``@x.get(...)``),
        with that call: the decorators the route rules look at, whatever ``x`` is."""
        for scope in self.model.functions():
            for decorator in scope.decorators:
                if (
                    isinstance(decorator, ir.Call)
                    and isinstance(decorator.func, ir.Attribute)
                    and decorator.func.attr in methods
                ):
                    yield scope, decorator

    def calls(self) -> tuple[CallSite, ...]:
        return self.model.summary.calls

    def calls_of_attribute(self, names: Collection[str]) -> Iterator[CallSite]:
        """Calls ``x.name(...)`` with ``name`` in ``names``."""
        for site in self.model.summary.calls:
            func = site.call.func
            if isinstance(func, ir.Attribute) and func.attr in names:
                yield site
