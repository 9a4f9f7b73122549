"""The baseline: findings that a project has accepted for now, so that adopting fastlint on a
large legacy codebase reports only what is new.

An entry is a file (relative to the baseline's directory), a rule code and the finding's
fingerprint (``fastlint.fingerprints``): edits elsewhere in the file leave it matched. Entries
are matched as a multiset, so three identical findings with two entries report one. An entry
that no finding of a checked file matches any more is stale (the finding was fixed);
``--write-baseline`` prunes it and keeps the entries of files the run did not check.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from fastlint.config import ConfigError
from fastlint.diagnostics import Diagnostic
from fastlint.fingerprints import fingerprint
from fastlint.source import atomic_write

FORMAT_KEY = "fastlint-baseline"
FORMAT_VERSION = 1


@dataclass(frozen=True, order=True)
class Entry:
    file: str
    code: str
    fingerprint: str
    message: str = field(default="", compare=False)  # for people reading the file

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.code, self.fingerprint)


@dataclass
class Filtered:
    new: list[Diagnostic]
    matched: int
    stale: int


def _relative(path: str, directory: str) -> str:
    return os.path.relpath(os.path.abspath(path), directory).replace(os.sep, "/")


def entry_for(diagnostic: Diagnostic, text: str | None, directory: str) -> Entry:
    return Entry(
        _relative(diagnostic.path, directory),
        diagnostic.code,
        fingerprint(diagnostic, text),
        diagnostic.message,
    )


class Baseline:
    def __init__(self, path: str, entries: Sequence[Entry] = ()) -> None:
        self.path = os.path.abspath(path)
        self.directory = os.path.dirname(self.path)
        self.entries = list(entries)

    @classmethod
    def load(cls, path: str) -> Baseline:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise ConfigError(
                f"{path}: baseline file not found (create it with --write-baseline)"
            ) from None
        except (OSError, ValueError) as exc:
            reason = " ".join(str(exc).split())
            raise ConfigError(f"{path}: cannot read baseline: {reason}") from None
        if not isinstance(data, dict) or data.get(FORMAT_KEY) != FORMAT_VERSION:
            raise ConfigError(f"{path}: not a fastlint baseline (version {FORMAT_VERSION})")
        entries = []
        for raw in data.get("entries", []):
            if not isinstance(raw, dict) or not all(
                isinstance(raw.get(key), str) for key in ("file", "code", "fingerprint")
            ):
                raise ConfigError(f"{path}: baseline entry {raw!r} lacks file, code or fingerprint")
            message = raw.get("message")
            entries.append(
                Entry(
                    raw["file"],
                    raw["code"],
                    raw["fingerprint"],
                    message if isinstance(message, str) else "",
                )
            )
        return cls(path, entries)

    def filter(
        self,
        diagnostics: Sequence[Diagnostic],
        texts: Mapping[str, str],
        checked: Collection[str],
    ) -> Filtered:
        """The findings not in the baseline; ``checked`` are the files of the run (entries of
        other files are neither matched nor stale)."""
        available = Counter(entry.key for entry in self.entries)
        new = []
        matched = 0
        for d in diagnostics:
            key = entry_for(d, texts.get(d.path), self.directory).key
            if available[key] > 0:
                available[key] -= 1
                matched += 1
            else:
                new.append(d)
        in_run = {_relative(path, self.directory) for path in checked}
        stale = sum(count for key, count in available.items() if key[0] in in_run)
        return Filtered(new, matched, stale)

    def updated(
        self,
        diagnostics: Sequence[Diagnostic],
        texts: Mapping[str, str],
        checked: Collection[str],
    ) -> Baseline:
        """The baseline of the current findings: entries of checked files are replaced by what
        the run found (stale ones are pruned), entries of other files are kept."""
        in_run = {_relative(path, self.directory) for path in checked}
        kept = [entry for entry in self.entries if entry.file not in in_run]
        found = [entry_for(d, texts.get(d.path), self.directory) for d in diagnostics]
        return Baseline(self.path, sorted(kept + found))

    def write(self) -> None:
        data = {
            FORMAT_KEY: FORMAT_VERSION,
            "entries": [
                {
                    "file": entry.file,
                    "code": entry.code,
                    "fingerprint": entry.fingerprint,
                    "message": entry.message,
                }
                for entry in self.entries
            ],
        }
        payload = (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        if not os.path.exists(self.path):
            with open(self.path, "xb"):
                pass  # atomic_write replaces an existing file, keeping its permissions
        atomic_write(self.path, payload)
