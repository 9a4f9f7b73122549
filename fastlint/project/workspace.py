"""The projects of a run: one index per project root, whatever files the run reports on."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from fastlint.config import Settings
from fastlint.discovery import discover
from fastlint.project.cache import SummaryCache
from fastlint.project.index import ProjectIndex, project_root

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

    def flush(self) -> list[str]:
        """Write the caches; returns the warnings of those that cannot be written."""
        warnings = []
        for index in self._indexes.values():
            warning = index.flush()
            if warning is not None:
                warnings.append(warning)
        return warnings

    def prepare(self, paths: Iterable[str]) -> None:
        """Build the project facts of every project that ``paths`` belong to (before worker
        processes are forked, so that they inherit them)."""
        seen: set[str] = set()
        for path in paths:
            root = self.root_of(path)
            if root not in seen:
                seen.add(root)
                self.index_for(path).facts  # noqa: B018 - built for its side effect
