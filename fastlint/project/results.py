"""The results cache: what checking a file found, kept until something it depends on changes.

An entry holds one file's findings with what they were computed from:

* the file's content key (its content, module name and path; from the summary manifest, so
  an unchanged file is not even read);
* the content keys of the other project modules the check consulted (a type alias in
  ``deps.py``, a re-export in ``app/__init__.py``): editing ``deps.py`` re-checks the files
  that read it, and only those;
* when the check used what the whole project registers with FastAPI (apps, routes, the roles
  of functions) or searched every module, the key of the whole project's content;
* the project metadata (``pyproject.toml``, requirements, ...) from the file's directory up.

Entries live in one file per project and *run key*: the fastlint, Python and LibCST versions
(the cache directory), the installed plugins, the settings, the selected rules and the set of
project files. A different selection uses another file; the newest few are kept.

Findings are stored as plain tuples, so the restricted unpickler of the summary cache stays
limited to fastlint's records. The file is written atomically; a corrupt one is ignored and
rebuilt; concurrent runs at worst overwrite each other's additions.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from fastlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from fastlint.project.cache import SummaryCache, load_restricted

if TYPE_CHECKING:
    from fastlint.project.index import ProjectIndex

__all__ = ["Entry", "ResultsCache", "build_entry", "fresh", "metadata_signature", "run_key"]

_KEEP = 4  # result files (run keys) kept per project
# The files ``fastlint.versions._metadata_files`` reads (not imported: it loads ``packaging``,
# which a warm run never needs).
_METADATA_NAMES = ("pyproject.toml", "setup.cfg", "setup.py")

Signature = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class Entry:
    key: str  # the file's content key
    dependencies: tuple[tuple[str, str], ...]  # (path, content key) of consulted modules
    project: Optional[str]  # the whole project's key, when the check depended on all of it
    metadata: Signature
    diagnostics: tuple[Diagnostic, ...]


def run_key(parts: Iterable[str]) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()


_signatures: dict[str, Signature] = {}


def metadata_signature(directory: str) -> Signature:
    """Size and mtime of every project metadata file in ``directory`` and the directories
    above it (what decides the project's declared versions)."""
    directory = os.path.abspath(directory)
    known = _signatures.get(directory)
    if known is not None:
        return known
    parent = os.path.dirname(directory)
    above = metadata_signature(parent) if parent != directory else ()
    own = []
    candidates = [os.path.join(directory, name) for name in _METADATA_NAMES]
    for folder in (directory, os.path.join(directory, "requirements")):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        candidates += [
            os.path.join(folder, name)
            for name in names
            if name.lower().endswith((".txt", ".in"))
            and (folder != directory or name.lower().startswith("requirements"))
        ]
    for path in candidates:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        own.append((path, stat.st_size, stat.st_mtime_ns))
    signature = (*above, *own)
    _signatures[directory] = signature
    return signature


def clear_signatures() -> None:
    _signatures.clear()


def _pack_diagnostic(d: Diagnostic) -> tuple[Any, ...]:
    fix = None
    if d.fix is not None:
        fix = (
            d.fix.applicability.value,
            d.fix.message,
            tuple((e.start, e.end, e.content) for e in d.fix.edits),
            d.fix.remove_if_unused,
        )
    return (
        d.code,
        d.name,
        d.message,
        d.path,
        (d.start.row, d.start.column),
        (d.end.row, d.end.column),
        fix,
        d.noqa_row,
    )


def _unpack_diagnostic(data: Sequence[Any]) -> Diagnostic:
    code, name, message, path, start, end, fix, noqa_row = data
    unpacked = None
    if fix is not None:
        applicability, fix_message, edits, unused = fix
        unpacked = Fix(
            Applicability(applicability),
            fix_message,
            tuple(Edit(*edit) for edit in edits),
            tuple(unused),
        )
    return Diagnostic(
        code=code,
        name=name,
        message=message,
        path=path,
        start=Location(*start),
        end=Location(*end),
        fix=unpacked,
        noqa_row=noqa_row,
    )


def pack(entry: Entry) -> tuple[Any, ...]:
    return (
        entry.key,
        entry.dependencies,
        entry.project,
        entry.metadata,
        tuple(_pack_diagnostic(d) for d in entry.diagnostics),
    )


def unpack(data: Sequence[Any]) -> Entry:
    key, dependencies, project, metadata, diagnostics = data
    return Entry(
        key,
        tuple(dependencies),
        project,
        tuple(metadata),
        tuple(_unpack_diagnostic(d) for d in diagnostics),
    )


class ResultsCache:
    """The results of one project's files under one run key."""

    def __init__(self, summaries: SummaryCache, key: str) -> None:
        self.summaries = summaries
        self.path = os.path.join(summaries.directory, f"results-{key}.pickle")
        self._entries: Optional[dict[str, tuple[Any, ...]]] = None
        self._changed = False

    @property
    def entries(self) -> dict[str, tuple[Any, ...]]:
        if self._entries is None:
            self._entries = {}
            try:
                with open(self.path, "rb") as handle:
                    loaded = load_restricted(handle.read())
                if isinstance(loaded, dict):
                    self._entries = loaded
            except Exception:  # missing, unreadable or corrupt: rebuilt
                pass
        return self._entries

    def get(self, path: str) -> Optional[Entry]:
        data = self.entries.get(path)
        if data is None:
            return None
        try:
            return unpack(data)
        except Exception:  # a malformed entry is a miss
            return None

    def put(self, path: str, entry: Entry) -> None:
        packed = pack(entry)
        if self.entries.get(path) != packed:
            self.entries[path] = packed
            self._changed = True

    def forget(self, path: str) -> None:
        if self.entries.pop(path, None) is not None:
            self._changed = True

    def flush(self) -> None:
        if not self._changed or self._entries is None:
            return
        for gone in [path for path in self._entries if not os.path.exists(path)]:
            del self._entries[gone]  # deleted files keep no entry
        data = pickle.dumps(self._entries, protocol=pickle.HIGHEST_PROTOCOL)
        self.summaries.write_file(self.path, data)
        self._changed = False
        self._prune()

    def _prune(self) -> None:
        directory = os.path.dirname(self.path)
        try:
            names = [n for n in os.listdir(directory) if n.startswith("results-")]
        except OSError:
            return
        if len(names) <= _KEEP:
            return
        paths = [os.path.join(directory, n) for n in names]
        paths.sort(key=lambda p: os.stat(p).st_mtime_ns if os.path.exists(p) else 0)
        for stale in paths[: len(paths) - _KEEP]:
            if stale != self.path:
                with contextlib.suppress(OSError):
                    os.unlink(stale)


def fresh(entry: Entry, index: ProjectIndex, path: str) -> bool:
    """Whether nothing ``entry`` was computed from has changed."""
    if index.content_key(path) != entry.key:
        return False
    if metadata_signature(os.path.dirname(path)) != entry.metadata:
        return False
    for other, key in entry.dependencies:
        if index.content_key(other) != key:
            return False
    return entry.project is None or index.project_key() == entry.project


def build_entry(
    index: ProjectIndex,
    path: str,
    key: str,
    consulted: frozenset[str],
    project_wide: bool,
    diagnostics: Sequence[Diagnostic],
) -> Optional[Entry]:
    """The entry for a file checked from ``key``'s content, or None when what it depended on
    cannot be keyed."""
    dependencies = []
    for other in sorted(consulted - {path}):
        other_key = index.content_key(other)
        if other_key is None:
            return None
        dependencies.append((other, other_key))
    project = None
    if project_wide:
        project = index.project_key()
        if project is None:
            return None
    return Entry(
        key,
        tuple(dependencies),
        project,
        metadata_signature(os.path.dirname(path)),
        tuple(diagnostics),
    )
