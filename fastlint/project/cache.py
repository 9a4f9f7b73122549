"""The on-disk cache of module summaries, under ``.fastlint_cache/`` at the project root.

A summary is stored under a key made of the file's content, its module name and path, and
the versions that change what a summary holds (fastlint, the summary schema, Python, LibCST).
A manifest maps each path to its size, mtime and key, so an unchanged file is neither read nor
re-summarised; a changed one is read and hashed, and summarised only if its content changed.

Entries are written atomically (a temporary file and ``os.replace``), so concurrent runs never
see half an entry; an entry that cannot be read is ignored and rebuilt. Loading accepts only
fastlint's own record classes (a restricted unpickler): a cache directory committed to a
repository cannot make fastlint run code. A tree where the cache cannot be written costs a
warning, never an error.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from typing import Any, Optional

from fastlint import __version__

__all__ = [
    "CACHE_DIRECTORY",
    "SummaryCache",
    "cache_key",
    "load_restricted",
    "remove_cache",
]

CACHE_DIRECTORY = ".fastlint_cache"
# Bump when the summary records change shape or meaning.
SCHEMA = "summaries-3"
_ALLOWED_MODULES = frozenset(
    {
        "fastlint.semantic.ir",
        "fastlint.semantic.summary",
        "fastlint.fastapi.facts",
        "fastlint.fastapi.callgraph",
    }
)
_ALLOWED_BUILTINS = frozenset({"frozenset", "set", "tuple", "Ellipsis", "complex"})


def _libcst_version() -> str:
    try:
        from importlib.metadata import version

        return version("libcst")
    except Exception:  # pragma: no cover - not installed as a distribution
        return "unknown"


def _versions() -> str:
    python = ".".join(str(part) for part in sys.version_info[:3])
    raw = f"{SCHEMA}|{__version__}|{python}|{_libcst_version()}"
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


def cache_key(data: bytes, module: str, path: str, is_package: bool) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(data)
    digest.update(f"\0{module}\0{path}\0{is_package}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


class _RecordsOnly(pickle.Unpickler):
    """Only fastlint's record classes (and the roles of functions) are constructed."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _ALLOWED_BUILTINS:
            return super().find_class(module, name)
        if module in _ALLOWED_MODULES:
            import enum

            from fastlint.semantic.ir import Record

            found = super().find_class(module, name)
            if (
                isinstance(found, type)
                and found.__module__ == module
                and (issubclass(found, Record) or issubclass(found, enum.Enum))
            ):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the summary cache")


def load_restricted(data: bytes) -> Any:
    """Unpickle ``data``, constructing only fastlint's records and plain containers."""
    return _RecordsOnly(io.BytesIO(data)).load()


_load = load_restricted


class SummaryCache:
    """Summaries of one project, kept on disk between runs."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.directory = os.path.join(root, CACHE_DIRECTORY, _versions())
        self.warning: Optional[str] = None  # the first write failure, for the user
        self._manifest: Optional[dict[str, tuple[int, int, str, bool]]] = None
        self._manifest_changed = False

    # -- manifest ---------------------------------------------------------------------------
    @property
    def manifest(self) -> dict[str, tuple[int, int, str, bool]]:
        """path -> (size, mtime_ns, key, screened) of files seen by earlier runs."""
        if self._manifest is None:
            self._manifest = {}
            try:
                with open(os.path.join(self.directory, "manifest.pickle"), "rb") as handle:
                    loaded = _load(handle.read())
                if isinstance(loaded, dict):
                    self._manifest = loaded
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
                pass
            except Exception:  # a corrupt manifest is rebuilt
                pass
        return self._manifest

    def known(self, path: str, size: int, mtime: int) -> Optional[tuple[str, bool]]:
        """(key, screened) of a file that has not changed since an earlier run."""
        entry = self.manifest.get(path)
        if entry is not None and entry[0] == size and entry[1] == mtime:
            return entry[2], entry[3]
        return None

    def remember(self, path: str, size: int, mtime: int, key: str, screened: bool) -> None:
        entry = (size, mtime, key, screened)
        if self.manifest.get(path) != entry:
            self.manifest[path] = entry
            self._manifest_changed = True

    # -- entries ----------------------------------------------------------------------------
    def _entry_path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".pickle")

    def get(self, key: str) -> Any:
        try:
            with open(self._entry_path(key), "rb") as handle:
                return _load(handle.read())
        except FileNotFoundError:
            return None
        except Exception:  # unreadable or corrupt: rebuilt by the caller
            return None

    def put(self, key: str, value: Any) -> None:
        self._write(self._entry_path(key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def flush(self) -> None:
        if self._manifest_changed and self._manifest is not None:
            data = pickle.dumps(self._manifest, protocol=pickle.HIGHEST_PROTOCOL)
            self._write(os.path.join(self.directory, "manifest.pickle"), data)
            self._manifest_changed = False

    def write_file(self, path: str, data: bytes) -> None:
        """Write ``data`` to ``path`` in the cache directory, atomically (a failure becomes
        :attr:`warning`)."""
        self._write(path, data)

    def _write(self, path: str, data: bytes) -> None:
        if self.warning is not None:
            return
        try:
            self._prepare()
            directory = os.path.dirname(path)
            os.makedirs(directory, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, path)
            except BaseException:
                with _suppress():
                    os.unlink(temporary)
                raise
        except OSError as exc:
            self.warning = f"{self.root}: cannot write the cache: {exc.strerror or exc}"

    def _prepare(self) -> None:
        top = os.path.join(self.root, CACHE_DIRECTORY)
        if os.path.isdir(top):
            return
        os.makedirs(top, exist_ok=True)
        with open(os.path.join(top, "CACHEDIR.TAG"), "w", encoding="ascii") as tag:
            tag.write(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by fastlint.\n"
                "# For information about cache directory tags see https://bford.info/cachedir/\n"
            )
        with open(os.path.join(top, ".gitignore"), "w", encoding="ascii") as ignore:
            ignore.write("# Created by fastlint automatically.\n*\n")


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


def cache_directories(root: str) -> Iterator[str]:
    """``.fastlint_cache`` directories at or below ``root`` (not following links)."""
    for directory, subdirectories, _ in os.walk(root):
        if CACHE_DIRECTORY in subdirectories:
            yield os.path.join(directory, CACHE_DIRECTORY)
            subdirectories.remove(CACHE_DIRECTORY)
        subdirectories[:] = [d for d in subdirectories if d not in (".git", "node_modules")]


def remove_cache(root: str) -> list[str]:
    """Delete every fastlint cache at or below ``root``; returns what was removed."""
    import shutil

    removed = []
    for directory in cache_directories(root):
        shutil.rmtree(directory, ignore_errors=True)
        removed.append(directory)
    return removed
