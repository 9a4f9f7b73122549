"""Finding the files to check: paths given on the command line, walked recursively, minus
excluded directories, ``.gitignore`` matches and symlink loops."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pathspec

from fastlint.config import Settings


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    # One-line problems (a symlink loop, a broken link, an unreadable directory; a missing
    # path too, though the command line refuses those before it starts); reported, the run
    # goes on.
    warnings: list[str] = field(default_factory=list)


def _matches_any(path: str, root: str, patterns: Sequence[str]) -> bool:
    name = os.path.basename(path)
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if "/" in pattern or "*" in pattern or "?" in pattern:
            if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern + "/*"):
                return True
            if fnmatch.fnmatchcase(name, pattern):
                return True
        elif name == pattern:
            return True
    return False


class _GitIgnores:
    """The .gitignore files of the directories walked, applied below their own directory."""

    def __init__(self) -> None:
        self._specs: dict[str, Optional[pathspec.PathSpec[Any]]] = {}

    def _spec(self, directory: str) -> Optional[pathspec.PathSpec[Any]]:
        if directory not in self._specs:
            spec = None
            path = os.path.join(directory, ".gitignore")
            if os.path.isfile(path):
                try:
                    with open(path, encoding="utf-8", errors="replace") as handle:
                        spec = pathspec.GitIgnoreSpec.from_lines(handle)
                except OSError:
                    spec = None
            self._specs[directory] = spec
        return self._specs[directory]

    def ignored(self, path: str, is_dir: bool, stop: str) -> bool:
        directory = os.path.dirname(path)
        while True:
            spec = self._spec(directory)
            if spec is not None:
                rel = os.path.relpath(path, directory).replace(os.sep, "/")
                if spec.match_file(rel + "/" if is_dir else rel):
                    return True
            if directory == stop or os.path.dirname(directory) == directory:
                return False
            if os.path.isdir(os.path.join(directory, ".git")):
                return False
            directory = os.path.dirname(directory)


def discover(paths: Sequence[str], settings: Settings, force_exclude: bool = False) -> Discovery:
    result = Discovery()
    excludes = tuple(settings.exclude) + tuple(settings.extend_exclude)
    gitignores = _GitIgnores() if settings.respect_gitignore else None
    seen: set[str] = set()
    for given in paths:
        if not os.path.lexists(given):
            result.warnings.append(f"{given}: no such file or directory")
            continue
        if os.path.isfile(given) or (os.path.islink(given) and not os.path.isdir(given)):
            # A file named explicitly is checked even when excluded, as ruff does, unless
            # --force-exclude (what a pre-commit hook, which names every file, wants).
            if force_exclude and _excluded(given, settings, excludes, gitignores):
                continue
            if not os.path.exists(given):
                result.warnings.append(f"{given}: broken symbolic link")
                continue
            real = os.path.realpath(given)
            if real not in seen:
                seen.add(real)
                result.files.append(given)
            continue
        for path in _walk(given, settings.root, excludes, gitignores, result.warnings):
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                result.files.append(path)
    return result


def is_excluded(path: str, settings: Settings) -> bool:
    """Whether ``path`` (which need not exist: a ``--stdin-filename``) is excluded by the
    settings or a ``.gitignore``."""
    excludes = tuple(settings.exclude) + tuple(settings.extend_exclude)
    gitignores = _GitIgnores() if settings.respect_gitignore else None
    return _excluded(path, settings, excludes, gitignores)


def _excluded(
    path: str, settings: Settings, excludes: Sequence[str], gitignores: Optional[_GitIgnores]
) -> bool:
    abs_path = os.path.abspath(path)
    root = os.path.abspath(settings.root)
    current = abs_path
    while True:
        if _matches_any(current, root, excludes):
            return True
        parent = os.path.dirname(current)
        if parent == current or current == root:
            break
        current = parent
    return gitignores is not None and gitignores.ignored(abs_path, False, root)


def _walk(
    top: str,
    root: str,
    excludes: Sequence[str],
    gitignores: Optional[_GitIgnores],
    warnings: list[str],
) -> Iterator[str]:
    visited: set[tuple[int, int]] = set()
    stack = [top]
    abs_root = os.path.abspath(root)
    while stack:
        directory = stack.pop()
        try:
            info = os.stat(directory)
        except OSError as exc:
            warnings.append(f"{directory}: {exc.strerror or exc}")
            continue
        key = (info.st_dev, info.st_ino)
        if key in visited:
            warnings.append(f"{directory}: symbolic link loop, skipped")
            continue
        visited.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            warnings.append(f"{directory}: {exc.strerror or exc}")
            continue
        subdirs = []
        for entry in entries:
            path = entry.path
            abs_path = os.path.abspath(path)
            try:
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError:
                continue
            if _matches_any(abs_path, abs_root, excludes):
                continue
            if gitignores is not None and gitignores.ignored(abs_path, is_dir, abs_root):
                continue
            if is_dir:
                subdirs.append(path)
            elif is_file and entry.name.endswith(".py"):
                yield path
            elif entry.is_symlink() and not os.path.exists(path) and entry.name.endswith(".py"):
                warnings.append(f"{path}: broken symbolic link")
        stack.extend(reversed(subdirs))
