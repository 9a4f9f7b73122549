"""The project index: every module of a project, summarised once, found by dotted name.

A project is the tree under its root: the nearest directory above a checked path that holds
``pyproject.toml``, ``setup.cfg``, ``setup.py`` or ``.git`` (else the checked directory
itself). Its files are what discovery finds there, with excludes applied, whatever files the
run reports on: a pre-commit run that checks one staged file still sees every module.

Modules are summarised on first use (with ``ast``: cheap, and cached on disk by content), so a
run pays only for what its rules ask about. The modules that may register anything with
FastAPI (a route, a dependency, a handler...) are recognised by a cheap text screen and are the
ones project-wide facts are built from.

While a file is being checked, its own model (built from the LibCST tree) stands in for its
summary (:meth:`ProjectIndex.overlay`); a fix that changes a file updates its summary alone
(:meth:`ProjectIndex.update`), and the facts built over the project are rebuilt from the
summaries, not from the files.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Optional

from fastlint.project.cache import SummaryCache, cache_key
from fastlint.semantic import summary as s
from fastlint.semantic.from_ast import summarize_source
from fastlint.semantic.model import ModuleModel
from fastlint.semantic.summary import ModuleSummary
from fastlint.source import SourceError, SourceFile

if TYPE_CHECKING:
    from fastlint.fastapi.callgraph import CallGraph
    from fastlint.fastapi.facts import ProjectFacts

__all__ = ["ROOT_MARKERS", "FileView", "ProjectIndex", "module_name_for", "project_root"]

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
_MAX_HOPS = 16

# A module that can register something with FastAPI mentions one of these (an import line
# counts), or decorates a function with a route method of some object (at the start of a line).
_SCREEN_WORDS = (
    "fastapi",
    "starlette",
    "APIRouter",
    "FastAPI",
    "include_router",
    "add_api_route",
    "api_route",
    "Depends",
    "Security",
    "on_event",
    "event_handler",
    "on_startup",
    "on_shutdown",
    "lifespan",
    "middleware",
    "exception_handler",
    "add_route",
    "mount(",
    "websocket",
    "add_task",
    "BackgroundTask",
)
_ROUTE_DECORATOR = re.compile(
    r"@[\w.]+\.(?:get|post|put|patch|delete|head|options|trace|route)\s*\("
)


def screens(text: str) -> bool:
    """Whether a module may register routes, dependencies or handlers with FastAPI. (Plain
    substring tests first: one regular expression of all the words scanned each file at a
    tenth of the speed.)"""
    if any(word in text for word in _SCREEN_WORDS):
        return True
    if "@" not in text:
        return False
    for match in _ROUTE_DECORATOR.finditer(text):
        line = text.rfind("\n", 0, match.start()) + 1
        if not text[line : match.start()].strip(" \t"):
            return True
    return False


def project_root(path: str, checked: Optional[str] = None) -> str:
    """The root of the project holding ``path`` (a file or a directory): the nearest directory
    at or above it with a ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or ``.git``; where
    there is none, the directory the run was asked to check (``checked``: a directory given on
    the command line, or the directory of a file given there), else ``path``'s own."""
    start = os.path.abspath(path)
    directory = start if os.path.isdir(start) else os.path.dirname(start)
    current = directory
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in ROOT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return os.path.abspath(checked) if checked is not None else directory
        current = parent


def module_name_for(path: str) -> tuple[str, bool, str]:
    """(dotted name, is_package, import root) of a file, from the ``__init__.py`` files
    above it."""
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    stem = filename[:-3] if filename.endswith(".py") else filename
    if stem.endswith(".pyi"):
        stem = stem[:-4]
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
    """The modules of one project."""

    def __init__(
        self,
        root: str,
        files: Iterable[str] = (),
        cache: Optional[SummaryCache] = None,
    ) -> None:
        self.root = os.path.abspath(root)
        self.cache = cache
        self._roots = [self.root]
        src = os.path.join(self.root, "src")
        if os.path.isdir(src):
            self._roots.append(src)
        self._roots.sort(key=len, reverse=True)
        self._paths: dict[str, tuple[str, bool]] = {}  # path -> (module name, is_package)
        # module name -> paths: one tree may hold several apps with the same package names,
        # told apart by the import root of the module that asks (see ``path_of``).
        self._by_name: dict[str, list[str]] = {}
        self._tops: dict[str, str] = {}  # path -> its import root
        # For ``modules_mentioning``: the files' bytes, and the paths found for each word.
        self._bytes: dict[str, bytes] = {}
        self._mentioning: dict[str, list[str]] = {}
        for path in files:
            self.add_file(path)
        self._summaries: dict[str, Optional[ModuleSummary]] = {}  # by path
        self._screened: dict[str, bool] = {}
        self._texts: dict[str, str] = {}
        self._models: dict[str, ModuleModel] = {}  # by path
        self._canonical: dict[tuple[str, Optional[str]], tuple[str, frozenset[str]]] = {}
        self._facts: Optional[ProjectFacts] = None
        self._unsaved_facts: Optional[str] = None  # the key of facts built and not yet stored
        self._call_graph: Optional[CallGraph] = None
        self.generation = 0  # bumped whenever a summary changes
        # What the check of one file consults, for the results cache (see ``recording``).
        self._consulted: Optional[set[str]] = None
        self._project_wide = False
        self._project_key: Optional[tuple[int, Optional[str]]] = None

    # -- files and names --------------------------------------------------------------------
    def add_file(self, path: str) -> None:
        path = os.path.abspath(path)
        if path in self._paths:
            return
        name, is_package = self.module_name_for(path)
        self._paths[path] = (name, is_package)
        self._by_name.setdefault(name, []).append(path)
        if self._mentioning:
            self._mentioning.clear()

    @property
    def files(self) -> list[str]:
        return list(self._paths)

    # -- what a check consults ----------------------------------------------------------------
    def start_recording(self) -> None:
        """Note from now on which modules are consulted (their models, through any memo)
        and whether the whole project is (its FastAPI facts, a search of every module)."""
        self._consulted = set()
        self._project_wide = False

    def content_key(self, path: str) -> Optional[str]:
        """The key of the file's current content (from the manifest when its size and mtime
        are unchanged, else read and hashed); None without a cache or for text not on disk."""
        cache = self.cache
        path = os.path.abspath(path)
        if cache is None or path in self._texts:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        known = cache.known(path, stat.st_size, stat.st_mtime_ns)
        if known is not None:
            return known[0]
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        try:
            screened = screens(SourceFile.from_bytes(path, data).text)
        except SourceError:  # undecodable: it has a key all the same, and registers nothing
            screened = False
        name, is_package = self._paths.get(path) or self.module_name_for(path)
        key = cache_key(data, name, path, is_package)
        cache.remember(path, stat.st_size, stat.st_mtime_ns, key, screened)
        return key

    def project_key(self) -> Optional[str]:
        """The key of the whole project's content (every file's content key)."""
        memo = self._project_key
        if memo is not None and memo[0] == self.generation:
            return memo[1]
        key = self._facts_key()
        self._project_key = (self.generation, key)
        return key

    def stop_recording(self) -> tuple[frozenset[str], bool]:
        consulted = frozenset(self._consulted or ())
        project_wide = self._project_wide
        self._consulted = None
        self._project_wide = False
        return consulted, project_wide

    def _consult(self, paths: Iterable[str]) -> None:
        if self._consulted is not None:
            self._consulted.update(paths)

    def _consult_project(self) -> None:
        if self._consulted is not None:
            self._project_wide = True

    def module_name_for(self, path: str) -> tuple[str, bool]:
        """(dotted name, is_package) of a file: from the ``__init__.py`` files above it, or,
        in a namespace package, from its path below the project root (``app/routers/users.py``
        is ``app.routers.users`` when run from the project root, as ``uvicorn`` would)."""
        path = os.path.abspath(path)
        known = self._paths.get(path)
        if known is not None:
            return known
        name, is_package, top = module_name_for(path)
        if top != os.path.dirname(path):
            return name, is_package  # inside a regular package
        for root in self._roots:
            if top != root and top.startswith(root + os.sep):
                relative = os.path.relpath(top, root).split(os.sep)
                if all(part.isidentifier() for part in relative):
                    return ".".join([*relative, name]), is_package
        return name, is_package

    def path_of(self, module: str, near: Optional[str] = None) -> Optional[str]:
        """The file of a module. When several files have that name (two apps in one tree),
        the one under the same import root as ``near`` (the path of the module that imports
        it), else the one sharing the longest directory with it."""
        paths = self._by_name.get(module)
        if not paths:
            return None
        if len(paths) == 1 or near is None:
            return paths[0]
        top = self._top(near)
        for path in paths:
            if self._top(path) == top:
                return path
        return max(paths, key=lambda p: len(os.path.commonpath([p, near])))

    def _top(self, path: str) -> str:
        found = self._tops.get(path)
        if found is None:
            found = self._tops[path] = module_name_for(path)[2]
        return found

    def is_module(self, name: str) -> bool:
        return name in self._by_name

    def top_level_packages(self) -> frozenset[str]:
        """The first parts of the project's module names: its first-party imports."""
        return frozenset(name.split(".")[0] for name in self._by_name)

    # -- summaries --------------------------------------------------------------------------
    def summary_for_path(self, path: str) -> Optional[ModuleSummary]:
        path = os.path.abspath(path)
        if path in self._summaries:
            return self._summaries[path]
        self.add_file(path)
        name, is_package = self._paths[path]
        summary = self._summarize(path, name, is_package)
        self._summaries[path] = summary
        return summary

    def _summarize(self, path: str, name: str, is_package: bool) -> Optional[ModuleSummary]:
        text = self._texts.get(path)
        cache = self.cache
        stat = None
        if text is None and cache is not None:
            try:
                stat = os.stat(path)
            except OSError:
                return None
            known = cache.known(path, stat.st_size, stat.st_mtime_ns)
            if known is not None:
                cached = cache.get(known[0])
                if isinstance(cached, ModuleSummary):
                    self._screened[path] = known[1]
                    return cached
        try:
            if text is None:
                with open(path, "rb") as handle:
                    data = handle.read()
                text = SourceFile.from_bytes(path, data).text
            else:
                data = text.encode("utf-8", "surrogatepass")
        except (OSError, SourceError):
            return None
        known_screen = self._screened.get(path) if path not in self._texts else None
        screened = screens(text) if known_screen is None else known_screen
        self._screened[path] = screened
        key = cache_key(data, name, path, is_package)
        summary: Optional[ModuleSummary] = None
        if cache is not None:
            cached = cache.get(key)
            if isinstance(cached, ModuleSummary):
                summary = cached
        if summary is None:
            summary = summarize_source(text, name, path, is_package)
            if summary is not None and cache is not None:
                cache.put(key, summary)
        if cache is not None and stat is not None and path not in self._texts:
            cache.remember(path, stat.st_size, stat.st_mtime_ns, key, screened)
        return summary

    def screened(self, path: str) -> bool:
        """Whether the text screen says the module may register things with FastAPI."""
        path = os.path.abspath(path)
        if path not in self._screened:
            text = self._texts.get(path)
            cache = self.cache
            if text is None and cache is not None:
                try:
                    stat = os.stat(path)
                except OSError:
                    self._screened[path] = False
                    return False
                known = cache.known(path, stat.st_size, stat.st_mtime_ns)
                if known is not None:
                    self._screened[path] = known[1]
                    return known[1]
            if text is None:
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                    stat = os.stat(path)
                    text = SourceFile.from_bytes(path, data).text
                except (OSError, SourceError):
                    self._screened[path] = False
                    return False
                screened = screens(text)
                if cache is not None:
                    name, is_package = self._paths.get(path) or self.module_name_for(path)
                    key = cache_key(data, name, path, is_package)
                    cache.remember(path, stat.st_size, stat.st_mtime_ns, key, screened)
                self._screened[path] = screened
                return screened
            self._screened[path] = screens(text)
        return self._screened[path]

    def registering_modules(self) -> Iterator[ModuleModel]:
        """Models of the modules that may register things with FastAPI."""
        self._consult_project()
        for path in list(self._paths):
            if self.screened(path):
                model = self.model_for_path(path)
                if model is not None:
                    yield model

    def modules_mentioning(self, word: str) -> Iterator[ModuleModel]:
        """Models of the project modules whose text contains ``word`` (a cheap text search
        before a question that would otherwise need every module's summary)."""
        self._consult_project()
        paths = self._mentioning.get(word)
        if paths is None:
            needle = word.encode("utf-8")
            paths = self._mentioning[word] = [
                path for path in list(self._paths) if self._mentions(path, word, needle)
            ]
        for path in paths:
            model = self.model_for_path(path)
            if model is not None:
                yield model

    def _mentions(self, path: str, word: str, needle: bytes) -> bool:
        text = self._texts.get(path)
        if text is not None:
            return word in text
        data = self._bytes.get(path)
        if data is None:
            try:
                with open(path, "rb") as handle:
                    data = self._bytes[path] = handle.read()
            except OSError:
                return False
        return needle in data

    def update(self, path: str, text: Optional[str]) -> None:
        """Use ``text`` as the content of ``path`` (a file being fixed, or read from stdin);
        None: the file on disk is current again."""
        if self._call_graph is not None:
            self._call_graph.save()  # what checking the previous text computed (workers too)
        path = os.path.abspath(path)
        self.add_file(path)
        if text is None:
            if self._texts.pop(path, None) is None:
                return
        elif self._texts.get(path) == text:
            return
        else:
            self._texts[path] = text
        self._bytes.pop(path, None)
        self._mentioning.clear()
        known = path in self._summaries
        old = self._summaries.pop(path, None)
        self._screened.pop(path, None)
        self._models.pop(path, None)
        new = self.summary_for_path(path)
        if known and (old is None or new is None or not _same_summary(old, new)):
            self._changed()
        elif not known and self._facts is not None and self.screened(path):
            self._changed()  # facts built without this module may have missed it

    def _changed(self) -> None:
        self.generation += 1
        self._canonical.clear()
        self._facts = None
        self._unsaved_facts = None
        self._call_graph = None

    # -- models -----------------------------------------------------------------------------
    def module(self, name: str, near: Optional[str] = None) -> Optional[ModuleModel]:
        path = self.path_of(name, near)
        return self.model_for_path(path) if path is not None else None

    def model_for_path(self, path: str) -> Optional[ModuleModel]:
        if self._consulted is not None:
            self._consulted.add(path)
        model = self._models.get(path)
        if model is None:
            summary = self.summary_for_path(path)
            if summary is None:
                return None
            model = ModuleModel(summary, self)
            self._models[path] = model
        return model

    def split(self, qualname: str, near: Optional[str] = None) -> Optional[tuple[ModuleModel, str]]:
        """The project module holding ``qualname`` and the dotted rest (``""`` for the module
        itself); ``near`` is the path of the module asking (see :meth:`path_of`)."""
        parts = qualname.split(".")
        for cut in range(len(parts), 0, -1):
            name = ".".join(parts[:cut])
            if name in self._by_name:
                model = self.module(name, near)
                if model is not None:
                    return model, ".".join(parts[cut:])
        return None

    def canonical(self, qualname: str, near: Optional[str] = None) -> str:
        """Follow re-exports: ``app.deps.SessionDep`` imported there from ``app.db`` is
        ``app.db.SessionDep``. Names outside the project come back unchanged."""
        key = (qualname, self._top(near) if near is not None else None)
        found = self._canonical.get(key)
        if found is not None:
            self._consult(found[1])  # the modules the memoised answer was read from
            return found[0]
        outer = self._consulted
        self._consulted = set()
        try:
            current = qualname
            seen = {current}
            where = near
            for _ in range(_MAX_HOPS):
                following = self._follow(current, where)
                if following is None or following[0] in seen:
                    break
                current, where = following
                seen.add(current)
            read = frozenset(self._consulted)
        finally:
            self._consulted = outer
        self._canonical[key] = (current, read)
        self._consult(read)
        return current

    def _follow(self, qualname: str, near: Optional[str]) -> Optional[tuple[str, str]]:
        """One step: the qualified name that a project module's import binds (and that
        module's path, to ask from next), else None."""
        found = self.split(qualname, near)
        if found is None:
            return None
        model, rest = found
        if not rest:
            return None
        head, _, tail = rest.partition(".")
        bindings = model.names_at_end(head)
        here = model.summary.path
        if not bindings:
            for star in model.star_modules():
                other = self.module(star, here)
                if other is not None and other is not model and other.bindings(0, head):
                    return f"{star}.{rest}", here
            return None
        if not all(b.kind == s.IMPORT for b in bindings):
            return None
        target = bindings[-1].target
        if target is None:
            return None
        return (f"{target}.{tail}" if tail else target), here

    # -- project facts ----------------------------------------------------------------------
    @property
    def facts(self) -> ProjectFacts:
        """What the project registers with FastAPI (built on first use, rebuilt after a
        summary changed)."""
        self._consult_project()
        if self._facts is None:
            from fastlint.fastapi.facts import ProjectFacts

            key = self._facts_key()
            state = self.cache.get(key) if self.cache is not None and key else None
            if isinstance(state, tuple):
                self._facts = ProjectFacts.from_state(self, state)
            else:
                self._facts = ProjectFacts.build(self)
                # Stored when the cache is written, with what the run has computed by then
                # (the async contexts, if some rule asked for them).
                self._unsaved_facts = key
        return self._facts

    @property
    def call_graph(self) -> CallGraph:
        """The blocking effects of the project's functions (computed a module at a time, on
        first use; rebuilt after a summary changed)."""
        self._consult_project()
        if self._call_graph is None:
            from fastlint.fastapi.callgraph import CallGraph

            self._call_graph = CallGraph(self, self._facts_key())
        return self._call_graph

    def _facts_key(self) -> Optional[str]:
        """The cache key of the project facts: the content keys of every file of the project
        (any change anywhere can change them); None when a file is not known to the cache or
        holds text that is not on disk."""
        cache = self.cache
        if cache is None or self._texts:
            return None
        digest = hashlib.blake2b(digest_size=16)
        for path in sorted(self._paths):
            if not os.path.exists(path):
                continue
            key = self.content_key(path)
            if key is None:
                return None
            digest.update(f"{path}\0{key}\0".encode("utf-8", "surrogateescape"))
        return "facts-" + digest.hexdigest()

    def close(self) -> None:
        """Let go of every summary, model and fact (the run is done with this project). They
        refer to the index and to each other: cleared here, reference counting frees them at
        once instead of leaving a project's worth of records to the cyclic collector."""
        self._summaries.clear()
        self._models.clear()
        self._texts.clear()
        self._canonical.clear()
        self._screened.clear()
        self._bytes.clear()
        self._mentioning.clear()
        self._facts = None
        self._call_graph = None

    def flush(self) -> Optional[str]:
        """Write the cache; returns a warning when it cannot be written."""
        if self.cache is None:
            return None
        if self._unsaved_facts and self._facts is not None:
            self.cache.put(self._unsaved_facts, self._facts.state())
            self._unsaved_facts = None
        if self._call_graph is not None:
            self._call_graph.save()
        self.cache.flush()
        return self.cache.warning


def _same_summary(old: ModuleSummary, new: ModuleSummary) -> bool:
    return (
        old.scopes == new.scopes
        and old.bindings == new.bindings
        and old.calls == new.calls
        and old.attributes == new.attributes
        and old.branches == new.branches
    )


class FileView:
    """The project as the file being checked sees it: the same index, except that the file's
    own module is its LibCST-built model (so that definitions found by name are the ones the
    rules are looking at)."""

    def __init__(self, index: ProjectIndex, model: ModuleModel) -> None:
        self.index = index
        self.model = model
        self.path = os.path.abspath(model.summary.path)

    def module(self, name: str, near: Optional[str] = None) -> Optional[ModuleModel]:
        found = self.index.module(name, near)
        if name == self.model.name and (found is None or found.summary.path == self.path):
            return self.model
        return found

    def canonical(self, qualname: str, near: Optional[str] = None) -> str:
        return self.index.canonical(qualname, near)

    def split(self, qualname: str, near: Optional[str] = None) -> Optional[tuple[ModuleModel, str]]:
        found = self.index.split(qualname, near)
        if found is not None and found[0].summary.path == self.path:
            return self.model, found[1]
        if found is None and (
            qualname == self.model.name or qualname.startswith(self.model.name + ".")
        ):
            return self.model, qualname[len(self.model.name) + 1 :]
        return found
