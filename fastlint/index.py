"""The project index: cheap cross-file facts, built with the standard ``ast`` module.

Facts are gathered per module, lazily, the first time a rule asks about that module, and kept
for the rest of the run. Modules are found on disk by their dotted name, the way Python would
find them from the project's import roots, so checking one file still sees the modules it
imports. The one project-wide fact (which functions are used as dependencies) is computed on
first use from the files of the run.
"""

from __future__ import annotations

import ast
import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Optional, Union

from fastlint.imports import resolve_relative
from fastlint.source import SourceError, SourceFile

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
_MAX_HOPS = 12


def ast_dotted_name(node: ast.expr) -> Optional[str]:
    """``a.b.c`` for an ast Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


@dataclass
class FunctionFacts:
    module: str
    name: str
    node: FunctionNode
    is_async: bool
    yields: bool
    # Expressions the function hands back: ``return X`` and ``yield X`` in its own body.
    results: list[ast.expr] = field(default_factory=list)

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass
class ClassFacts:
    module: str
    name: str
    node: ast.ClassDef
    bases: list[str]  # qualified names of the bases that resolve to a name

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass
class ModuleFacts:
    name: str
    path: str
    is_package: bool
    imports: dict[str, str] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    # Module-level ``name = value`` (the last one wins) and ``name: T = value``.
    assignments: dict[str, ast.expr] = field(default_factory=dict)
    annotations: dict[str, ast.expr] = field(default_factory=dict)
    # Qualified names passed to Depends()/Security() anywhere in the module.
    dependency_targets: set[str] = field(default_factory=set)
    # Receivers (raw qualified names) of app event registrations: ``x.on_event(...)``,
    # ``x.add_event_handler(...)``, ``x.router.on_startup`` ... (``x.router`` counts for ``x``).
    event_receivers: list[str] = field(default_factory=list)
    # ``receiver.include_router(child)`` calls: (receiver, child) as raw qualified names.
    router_includes: list[tuple[str, Optional[str]]] = field(default_factory=list)

    def qualname(self, node: ast.expr) -> Optional[str]:
        """Qualified name of a Name/Attribute expression of this module."""
        dotted = ast_dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = self.imports.get(head, f"{self.name}.{head}")
        return f"{base}.{rest}" if rest else base

    def defines(self, name: str) -> bool:
        """Whether the module binds ``name`` at its top level."""
        return (
            name in self.functions
            or name in self.classes
            or name in self.assignments
            or name in self.imports
        )


@dataclass
class ProjectEvents:
    """Who registers startup/shutdown handlers on which app, and which routers are included
    where, across the run. Keys are resolved qualified names; values name the modules."""

    registrations: dict[str, set[str]] = field(default_factory=dict)
    includes: dict[str, list[tuple[str, Optional[str]]]] = field(default_factory=dict)


class _FactCollector(ast.NodeVisitor):
    def __init__(self, facts: ModuleFacts) -> None:
        self.facts = facts
        self.depth = 0

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.facts.imports[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.facts.imports.setdefault(root, root)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = resolve_relative(
            self.facts.name, node.level or 0, node.module, self.facts.is_package
        )
        if base is None:
            return
        for alias in node.names:
            if alias.name == "*":
                self.facts.star_imports.append(base)
            else:
                self.facts.imports[alias.asname or alias.name] = f"{base}.{alias.name}"

    def _function(self, node: FunctionNode) -> None:
        if self.depth == 0:
            facts = FunctionFacts(
                self.facts.name, node.name, node, isinstance(node, ast.AsyncFunctionDef), False
            )
            for child in _own_nodes(node.body):
                if isinstance(child, (ast.Yield, ast.YieldFrom)):
                    facts.yields = True
                    if isinstance(child, ast.Yield) and child.value is not None:
                        facts.results.append(child.value)
                elif isinstance(child, ast.Return) and child.value is not None:
                    facts.results.append(child.value)
            self.facts.functions[node.name] = facts
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.depth == 0:
            bases = [q for q in (self.facts.qualname(b) for b in node.bases) if q]
            self.facts.classes[node.name] = ClassFacts(self.facts.name, node.name, node, bases)
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Assign(self, node: ast.Assign) -> None:
        if self.depth == 0:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.facts.assignments[target.id] = node.value
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if self.depth == 0 and isinstance(node.target, ast.Name):
            self.facts.annotations[node.target.id] = node.annotation
            if node.value is not None:
                self.facts.assignments[node.target.id] = node.value
        self.generic_visit(node)

    def _receivers(self, node: ast.expr) -> Iterator[str]:
        found = self.facts.qualname(node)
        if found is not None:
            yield found
        if isinstance(node, ast.Attribute) and node.attr == "router":
            owner = self.facts.qualname(node.value)  # `app.router` stands for the app
            if owner is not None:
                yield owner

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in EVENT_ATTRIBUTES:
            self.facts.event_receivers.extend(self._receivers(node.value))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "include_router" and node.args:
            child = self.facts.qualname(node.args[0])
            for receiver in self._receivers(func.value):
                self.facts.router_includes.append((receiver, child))
        callee = self.facts.qualname(node.func)
        if callee in DEPENDS_NAMES and node.args:
            target = self.facts.qualname(node.args[0])
            if target:
                self.facts.dependency_targets.add(target)
        for keyword in node.keywords:
            if keyword.arg == "dependency" and callee in DEPENDS_NAMES:
                target = self.facts.qualname(keyword.value)
                if target:
                    self.facts.dependency_targets.add(target)
        self.generic_visit(node)


# Attributes through which code registers or reaches an app's startup/shutdown handlers.
EVENT_ATTRIBUTES = frozenset(
    {"on_event", "add_event_handler", "on_startup", "on_shutdown", "lifespan_context"}
)
_EVENT_TOKENS = (
    "on_event",
    "event_handler",
    "on_startup",
    "on_shutdown",
    "lifespan_context",
    "include_router",
)

DEPENDS_NAMES = frozenset(
    {"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"}
)


def _own_nodes(body: Iterable[ast.stmt]) -> Iterator[ast.AST]:
    """Nodes of a function body, not descending into nested functions, classes or lambdas."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
            ):
                stack.append(child)


def module_facts(name: str, path: str, is_package: bool, text: str) -> Optional[ModuleFacts]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    facts = ModuleFacts(name, path, is_package)
    _FactCollector(facts).visit(tree)
    return facts


def module_name_for(path: str) -> tuple[str, bool, str]:
    """(dotted name, is_package, import root) of a file, from the ``__init__.py`` files above it."""
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    stem = filename[:-3] if filename.endswith(".py") else filename
    is_package = stem == "__init__"
    parts = [] if is_package else [stem]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
        if not package:
            break
    if not parts:
        parts = [os.path.basename(os.path.dirname(path))]
    return ".".join(parts), is_package, directory


class ProjectIndex:
    def __init__(self, files: Iterable[str] = (), roots: Iterable[str] = ()) -> None:
        self._files = [os.path.abspath(f) for f in files]
        self._roots: list[str] = []
        for root in roots:
            self.add_root(root)
        # The project's own roots (not the directories of single files): a module outside any
        # package with __init__.py (a namespace package) is named relative to the deepest one.
        self._project_roots = sorted(self._roots, key=len, reverse=True)
        self._by_name: dict[str, Optional[ModuleFacts]] = {}
        self._by_path: dict[str, Optional[ModuleFacts]] = {}
        self._dependency_targets: Optional[set[str]] = None
        self._events: Optional[ProjectEvents] = None
        self._texts: dict[str, str] = {}
        self._fact_hashes: dict[str, int] = {}
        for path in self._files:
            self.add_root(module_name_for(path)[2])

    def module_name_for(self, path: str) -> tuple[str, bool]:
        """(dotted name, is_package) of a file: from the ``__init__.py`` files above it, or, in
        a namespace package, from its path below the project root (``app/routers/users.py``
        is ``app.routers.users`` when run from the project root, as ``uvicorn`` would)."""
        name, is_package, top = module_name_for(path)
        if top != os.path.dirname(os.path.abspath(path)):
            return name, is_package  # inside a regular package
        for root in self._project_roots:
            if top != root and top.startswith(root + os.sep):
                relative = os.path.relpath(top, root).split(os.sep)
                if all(part.isidentifier() for part in relative):
                    return ".".join([*relative, name]), is_package
        return name, is_package

    @property
    def files(self) -> list[str]:
        """The files of the run (absolute paths)."""
        return list(self._files)

    def add_root(self, root: str) -> None:
        root = os.path.abspath(root)
        if root not in self._roots:
            self._roots.append(root)
        src = os.path.join(root, "src")
        if os.path.isdir(src) and src not in self._roots:
            self._roots.append(src)

    def set_text(self, path: str, text: str) -> None:
        """Use ``text`` as the content of ``path`` (a file being fixed): facts built from
        another version of the file are dropped."""
        path = os.path.abspath(path)
        self._texts[path] = text
        if self._fact_hashes.get(path) != hash(text):
            stale = self._by_path.pop(path, None)
            if stale is not None and self._by_name.get(stale.name) is stale:
                del self._by_name[stale.name]

    def forget_text(self, path: str) -> None:
        """The file on disk is current again: stop holding its text in memory."""
        self._texts.pop(os.path.abspath(path), None)

    # -- modules ---------------------------------------------------------------------------
    def facts_for_path(self, path: str) -> Optional[ModuleFacts]:
        path = os.path.abspath(path)
        if path in self._by_path:
            return self._by_path[path]
        name, is_package = self.module_name_for(path)
        text = self._texts.get(path)
        if text is None:
            try:
                text = SourceFile.read(path).text
            except SourceError:
                text = None
        facts = module_facts(name, path, is_package, text) if text is not None else None
        if text is not None:
            self._fact_hashes[path] = hash(text)
        self._by_path[path] = facts
        if facts is not None:
            self._by_name.setdefault(name, facts)
        return facts

    def module(self, name: str) -> Optional[ModuleFacts]:
        if name in self._by_name:
            return self._by_name[name]
        found: Optional[ModuleFacts] = None
        relative = name.replace(".", os.sep)
        for root in self._roots:
            for candidate in (relative + ".py", os.path.join(relative, "__init__.py")):
                path = os.path.join(root, candidate)
                if os.path.isfile(path):
                    found = self.facts_for_path(path)
                    break
            if found is not None:
                break
        self._by_name[name] = found
        return found

    def split(self, qualname: str) -> Optional[tuple[ModuleFacts, str]]:
        """The project module holding ``qualname`` and the symbol's name in it."""
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            facts = self.module(".".join(parts[:cut]))
            if facts is not None:
                return facts, ".".join(parts[cut:])
        return None

    def resolve(self, qualname: str) -> str:
        """Follow re-exports: ``app.deps.SessionDep`` imported from ``app.db`` resolves to
        ``app.db.SessionDep``. Names outside the project are returned unchanged."""
        for _ in range(_MAX_HOPS):
            found = self.split(qualname)
            if found is None:
                return qualname
            facts, symbol = found
            head, _, rest = symbol.partition(".")
            target = facts.imports.get(head)
            if target is None:
                for star in facts.star_imports:
                    star_facts = self.module(star)
                    if star_facts is not None and star_facts.defines(head):
                        target = f"{star}.{head}"
                        break
            if target is None or target == qualname:
                return qualname
            qualname = f"{target}.{rest}" if rest else target
        return qualname

    def function(self, qualname: str) -> Optional[FunctionFacts]:
        found = self.split(self.resolve(qualname))
        if found is None:
            return None
        facts, symbol = found
        return facts.functions.get(symbol)

    def klass(self, qualname: str) -> Optional[ClassFacts]:
        found = self.split(self.resolve(qualname))
        if found is None:
            return None
        facts, symbol = found
        return facts.classes.get(symbol)

    def assignment(self, qualname: str) -> Optional[tuple[ModuleFacts, ast.expr]]:
        found = self.split(self.resolve(qualname))
        if found is None:
            return None
        facts, symbol = found
        value = facts.assignments.get(symbol)
        return (facts, value) if value is not None else None

    def constructed_by(self, qualname: str) -> Optional[str]:
        """For a module-level ``x = f(...)``, the qualified name of ``f`` (resolved through
        re-exports), else None. ``constructed_by("app.main.app") == "fastapi.FastAPI"``."""
        found = self.assignment(qualname)
        if found is None:
            return None
        facts, value = found
        if not isinstance(value, ast.Call):
            return None
        callee = facts.qualname(value.func)
        return self.resolve(callee) if callee else None

    def annotation(self, qualname: str) -> Optional[tuple[ModuleFacts, ast.expr]]:
        found = self.split(self.resolve(qualname))
        if found is None:
            return None
        facts, symbol = found
        value = facts.annotations.get(symbol)
        return (facts, value) if value is not None else None

    def subclasses_of(self, qualname: str, bases: frozenset[str], _depth: int = 0) -> bool:
        """Whether the project class ``qualname`` derives (through project classes) from one
        of ``bases``."""
        if _depth > _MAX_HOPS:
            return False
        resolved = self.resolve(qualname)
        if resolved in bases:
            return True
        klass = self.klass(resolved)
        if klass is None:
            return False
        return any(self.subclasses_of(base, bases, _depth + 1) for base in klass.bases)

    # -- project-wide facts ---------------------------------------------------------------
    def dependency_targets(self) -> set[str]:
        """Qualified names of everything used as ``Depends(x)``/``Security(x)`` in the run."""
        if self._dependency_targets is None:
            targets: set[str] = set()
            for facts in self._run_facts(("Depends", "Security")):
                targets |= {self.resolve(t) for t in facts.dependency_targets}
            self._dependency_targets = targets
        return self._dependency_targets

    def _run_facts(self, tokens: tuple[str, ...]) -> Iterator[ModuleFacts]:
        """Facts of the run's files whose text contains one of ``tokens``."""
        for path in self._files:
            text = self._texts.get(path)
            if text is None:
                try:
                    text = SourceFile.read(path).text
                except SourceError:
                    continue
            if any(token in text for token in tokens):
                facts = self.facts_for_path(path)
                if facts is not None:
                    yield facts

    def project_events(self) -> ProjectEvents:
        """Event registrations and router inclusions of every module of the run, with names
        resolved; computed once."""
        if self._events is None:
            events = ProjectEvents()
            for facts in self._run_facts(_EVENT_TOKENS):
                for receiver in facts.event_receivers:
                    events.registrations.setdefault(self.resolve(receiver), set()).add(facts.name)
                for receiver, child in facts.router_includes:
                    resolved_child = self.resolve(child) if child is not None else None
                    events.includes.setdefault(self.resolve(receiver), []).append(
                        (facts.name, resolved_child)
                    )
            self._events = events
        return self._events

    def preload_dependency_targets(self, targets: set[str]) -> None:
        """Use targets computed elsewhere (by the parent of worker processes)."""
        self._dependency_targets = set(targets)

    def is_dependency(self, qualname: str) -> bool:
        return self.resolve(qualname) in self.dependency_targets()
