"""Settings: ``[tool.fastlint]`` in ``pyproject.toml``, resolved once, then overridden by the CLI.

Every key is validated when it is loaded; a bad key or value is a ``ConfigError`` with one line
that names the file and the key.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration problem; the message is one line for the user."""


DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "__pycache__",
    "_build",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    ".fastlint_cache",
)


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    # None: detected per file from the nearest project metadata that names pydantic.
    pydantic_version: Optional[int] = None
    respect_gitignore: bool = True
    # A baseline file (absolute path): findings recorded in it are not reported.
    baseline: Optional[str] = None
    # The base URL of rule docs (a finding's doc URL is this plus ``CODE.md``).
    docs_url: Optional[str] = None
    # The directory that relative patterns (excludes, per-file-ignores) are relative to.
    root: str = field(default_factory=os.getcwd)
    config_path: Optional[str] = None
    # Where configured selector lists came from, for error messages: ("select",
    # "pyproject.toml: select"), ("per-file-ignores.tests/*", ...). Rule selectors are checked
    # against the registry when rules are selected, not here: reading the configuration loads
    # no rule module.
    origins: tuple[tuple[str, str], ...] = ()

    def origin(self, key: str) -> str:
        """Where the selectors under ``key`` were configured (for error messages)."""
        for name, where in self.origins:
            if name == key:
                return where
        return "selection"

    def pydantic_version_for(self, path: str) -> int:
        """The configured Pydantic major version, or the one the file's project pins."""
        if self.pydantic_version is not None:
            return self.pydantic_version
        return pydantic_version_for(os.path.dirname(os.path.abspath(path)))

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def find_pyproject(start: str) -> Optional[str]:
    """The nearest ``pyproject.toml`` that has a ``[tool.fastlint]`` table, walking up."""
    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as handle:
                    data = tomllib.load(handle)
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{candidate}: cannot parse: {_one_line(exc)}") from None
            if "fastlint" in data.get("tool", {}):
                return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def load_settings(config_path: Optional[str], start: str) -> Settings:
    """Settings from ``config_path`` if given, else from the nearest pyproject.toml."""
    path = config_path
    if path is None:
        path = find_pyproject(start)
        if path is None:
            root = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
            return Settings(root=root)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot parse: {_one_line(exc)}") from None
    if os.path.basename(path) == "pyproject.toml" or "tool" in data:
        table = data.get("tool", {}).get("fastlint", {})
    else:  # a dedicated fastlint.toml: keys at the top level
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.fastlint] must be a table")
    return settings_from_table(table, path)


_KNOWN_KEYS = {
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "unsafe-fixes",
    "pydantic-version",
    "respect-gitignore",
    "baseline",
    "docs-url",
}


def settings_from_table(table: Mapping[str, Any], path: str) -> Settings:
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        known = ", ".join(sorted(_KNOWN_KEYS))
        raise ConfigError(
            f"{path}: unknown key {unknown[0]!r} in [tool.fastlint] (known keys: {known})"
        )
    values: dict[str, Any] = {"root": os.path.dirname(os.path.abspath(path)), "config_path": path}
    origins: list[tuple[str, str]] = []
    for key in ("select", "extend-select", "ignore"):
        if key in table:
            values[key.replace("-", "_")] = _string_list(table[key], key, path)
            origins.append((key, f"{path}: {key}"))
    for key in ("exclude", "extend-exclude"):
        if key in table:
            values[key.replace("-", "_")] = _string_list(table[key], key, path)
    if "per-file-ignores" in table:
        raw = table["per-file-ignores"]
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: per-file-ignores must be a table of glob = [codes]")
        entries = []
        for pattern, codes in raw.items():
            code_list = _string_list(codes, f"per-file-ignores.{pattern}", path)
            origins.append((f"per-file-ignores.{pattern}", f"{path}: per-file-ignores.{pattern}"))
            entries.append((str(pattern), code_list))
        values["per_file_ignores"] = tuple(entries)
    for key in ("unsafe-fixes", "respect-gitignore"):
        if key in table:
            if not isinstance(table[key], bool):
                raise ConfigError(f"{path}: {key} must be true or false")
            values[key.replace("-", "_")] = table[key]
    for key in ("baseline", "docs-url"):
        if key in table:
            if not isinstance(table[key], str) or not table[key].strip():
                raise ConfigError(f"{path}: {key} must be a non-empty string")
            values[key.replace("-", "_")] = table[key]
    if "baseline" in values:  # relative to the configuration file
        values["baseline"] = os.path.join(values["root"], values["baseline"])
    if "pydantic-version" in table:
        version = table["pydantic-version"]
        if isinstance(version, str) and version.strip().isdigit():
            version = int(version)
        if isinstance(version, bool) or version not in (1, 2):
            raise ConfigError(f"{path}: pydantic-version must be 1 or 2, got {version!r}")
        values["pydantic_version"] = version
    values["origins"] = tuple(origins)
    return Settings(**values)


def detect_pydantic_version(root: str) -> int:
    """1 when the project metadata in ``root`` itself pins Pydantic below 2, else 2."""
    from fastlint.versions import ProjectVersions  # reading metadata needs `packaging`

    return ProjectVersions(root, walk_up=False).pydantic_major() or 2


@lru_cache(maxsize=4096)
def pydantic_version_for(directory: str) -> int:
    """The Pydantic major version of the project holding ``directory``: decided by the nearest
    directory above it whose metadata (pyproject, requirements, setup.cfg/py) names pydantic;
    2 when none does (see ``fastlint.versions``)."""
    from fastlint.versions import ProjectVersions

    return ProjectVersions.for_directory(directory).pydantic_major() or 2


def _string_list(value: Any, key: str, path: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} must be a list of strings")
    return tuple(value)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
