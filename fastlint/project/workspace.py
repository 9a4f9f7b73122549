"""The projects of a run: one index per project root, whatever files the run reports on."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Optional

from fastlint.config import Settings
from fastlint.discovery import discover
from fastlint.project.cache import SummaryCache
from fastlint.project.index import ProjectIndex, project_root
from fastlint.project.results import ResultsCache, clear_signatures, run_key

if TYPE_CHECKING:
    from fastlint.rule import Rule

__all__ = ["Workspace"]


class Workspace:
    """Finds the project of each checked file and holds its index.

    A project's files are what discovery finds under its root (with the run's excludes), plus
    the files of the run that lie there (a file named on the command line is checked even when
    excluded, so it belongs to its project too).
    """

    def __init__(
        self,
        settings: Settings,
        run_paths: Sequence[str],
        run_files: Iterable[str],
        cache: bool = True,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self._roots: dict[tuple[str, str], str] = {}  # (directory, checked) -> project root
        self._indexes: dict[str, ProjectIndex] = {}
        self._walked = {os.path.abspath(p) for p in run_paths if os.path.isdir(p)}
        # Checked directories, deepest first: a file found under one belongs to it.
        self._checked = sorted(
            {
                os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))
                for p in run_paths
            },
            key=len,
            reverse=True,
        )
        self._pending: dict[str, list[str]] = {}
        self._results: dict[str, ResultsCache] = {}
        self._warnings: list[str] = []
        clear_signatures()  # metadata files may have changed since an earlier run here
        for path in run_files:
            root = self.root_of(path)
            self._pending.setdefault(root, []).append(os.path.abspath(path))

    def _checked_directory(self, path: str) -> str:
        directory = os.path.dirname(path)
        for checked in self._checked:
            if directory == checked or directory.startswith(checked + os.sep):
                return checked
        return directory

    def root_of(self, path: str) -> str:
        path = os.path.abspath(path)
        directory = os.path.dirname(path)
        checked = self._checked_directory(path)
        root = self._roots.get((directory, checked))
        if root is None:
            root = self._roots[(directory, checked)] = project_root(directory, checked)
        return root

    def index_for(self, path: str) -> ProjectIndex:
        root = self.root_of(path)
        index = self._indexes.get(root)
        if index is None:
            files = list(self._pending.get(root, ()))
            if root not in self._walked:
                files += [os.path.abspath(f) for f in discover([root], self.settings).files]
            cache = SummaryCache(root) if self.cache else None
            index = self._indexes[root] = ProjectIndex(root, files, cache)
        index.add_file(path)
        return index

    @property
    def indexes(self) -> list[ProjectIndex]:
        return list(self._indexes.values())

    def results_for(self, path: str, rules: Sequence[type[Rule]]) -> Optional[ResultsCache]:
        """The results cache of the file's project for this run's settings and rules; None
        when caching is off."""
        index = self.index_for(path)
        if index.cache is None:
            return None
        found = self._results.get(index.root)
        if found is None:
            from fastlint.registry import entries_of

            parts = [
                "results-1",
                _code_signature(),
                repr(self.settings),
                *(f"{e.code}|{_module_signature(e.module)}" for e in entries_of(rules)),
                *sorted(index.files),
            ]
            found = self._results[index.root] = ResultsCache(index.cache, run_key(parts))
        return found

    def flush(self) -> list[str]:
        """Write the caches; returns the warnings of those that cannot be written."""
        for results in self._results.values():
            results.flush()
        warnings = list(self._warnings)
        for index in self._indexes.values():
            warning = index.flush()
            if warning is not None:
                warnings.append(warning)
        return warnings

    def release(self, root: str) -> None:
        """Write the caches of the project at ``root`` and let its index go (its files are
        done; asked again, it is built again); a warning that its cache cannot be written is
        kept for ``flush``."""
        results = self._results.pop(root, None)
        if results is not None:
            results.flush()
        index = self._indexes.pop(root, None)
        if index is not None:
            warning = index.flush()
            index.close()
            if warning is not None:
                self._warnings.append(warning)

    def prepare(self, paths: Iterable[str]) -> None:
        """Build the project facts of every project that ``paths`` belong to (before worker
        processes are forked, so that they inherit them)."""
        seen: set[str] = set()
        for path in paths:
            root = self.root_of(path)
            if root not in seen:
                seen.add(root)
                self.index_for(path).facts  # noqa: B018 - built for its side effect


def _signature(path: str) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return f"{path}:-"
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


@cache
def _code_signature() -> str:
    """Size and mtime of every module of fastlint itself: an edited checkout (an editable
    install) never reuses results computed by other code."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts = []
    for directory, subdirectories, names in os.walk(top):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        parts += [
            _signature(os.path.join(directory, n)) for n in sorted(names) if n.endswith(".py")
        ]
    return "|".join(parts)


@cache
def _module_signature(name: str) -> str:
    """A plugin rule's module file, likewise (a built-in one is fastlint's own code)."""
    if name == "fastlint" or name.startswith("fastlint."):
        return name
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None)
    return _signature(path) if path else name
