"""CPython's verdict on a checked file (FL001), before LibCST sees it.

Every checked file is compiled with CPython first, at the default recursion limit: syntax
errors, compile-time errors (``await`` in a plain ``def``, ``return`` in ``except*``) and code
nested too deeply for CPython are FL001, and such a file is never handed to LibCST (which
accepts some of it, and can take minutes on, or crash in, code CPython refuses). Compiling is
about ten times cheaper than LibCST's parse, so it is done for every file, including those that
mention nothing a rule looks for.

CPython's verdict counts only when the running interpreter is at least the project's minimum
Python (``requires-python``): newer syntax checked from an older interpreter is judged by
LibCST alone.
"""

from __future__ import annotations

import configparser
import functools
import os
import re
import sys
import warnings
from dataclasses import dataclass
from typing import Optional

from fastlint.deep import default_recursion_limit

__all__ = ["CompileError", "compile_error", "cpython_judges", "minimum_python"]


@dataclass(frozen=True)
class CompileError:
    row: int
    column: int
    message: str


def compile_error(text: str, path: str) -> Optional[CompileError]:
    """Why CPython refuses to compile ``text``, or None when it compiles."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning and DeprecationWarning are not errors
        try:
            with default_recursion_limit():
                compile(text, path, "exec", dont_inherit=True)
        except SyntaxError as exc:  # IndentationError and TabError included
            row = exc.lineno or 1
            column = exc.offset or 1
            return CompileError(max(row, 1), max(column, 1), f"{type(exc).__name__}: {exc.msg}")
        except RecursionError:
            return CompileError(
                1, 1, "SyntaxError: too deeply nested for CPython to compile (RecursionError)"
            )
        except MemoryError:
            return CompileError(
                1, 1, "SyntaxError: too large or too deeply nested for CPython to compile"
            )
        except ValueError as exc:  # e.g. NUL bytes, rejected before this by the reader
            return CompileError(1, 1, f"SyntaxError: {exc}")
    return None


def cpython_judges(root: Optional[str]) -> bool:
    """Whether CPython's verdict counts for files of the project at ``root``."""
    if root is None:
        return True
    floor = minimum_python(root)
    return floor is None or sys.version_info[:2] >= floor


_LOWER = re.compile(r"(>=|~=|==|\^|~|>)\s*v?(\d+)(?:\.(\d+))?")


def lower_bound(specifier: str) -> Optional[tuple[int, int]]:
    """The lowest Python ``X.Y`` a requirement such as ``>=3.10,<4`` or Poetry's ``^3.10``
    admits; alternatives (``||``) give the lowest of their bounds."""
    bounds = []
    for alternative in re.split(r"\|\|?", specifier):
        found = [
            (int(major), int(minor or 0), operator)
            for operator, major, minor in _LOWER.findall(alternative)
        ]
        if not found:
            return None  # an alternative without a lower bound admits any Python
        major, minor, operator = max(found)
        if operator == ">" and minor == 0 and not re.search(r">\s*\d+\.\d", alternative):
            major += 1  # ">3" excludes every 3.x
        bounds.append((major, minor))
    return min(bounds) if bounds else None


def _read_toml(path: str) -> Optional[dict[str, object]]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None  # the configuration loader reports a broken pyproject.toml


@functools.cache
def minimum_python(root: str) -> Optional[tuple[int, int]]:
    """The project's minimum Python from ``pyproject.toml`` (``requires-python`` or Poetry's
    ``python`` dependency), ``setup.cfg`` or ``setup.py`` (``python_requires``), or None."""
    pyproject = os.path.join(root, "pyproject.toml")
    if os.path.isfile(pyproject):
        data = _read_toml(pyproject)
        if data is not None:
            project = data.get("project")
            if isinstance(project, dict) and isinstance(project.get("requires-python"), str):
                return lower_bound(project["requires-python"])
            tool = data.get("tool")
            poetry = tool.get("poetry") if isinstance(tool, dict) else None
            dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
            python = dependencies.get("python") if isinstance(dependencies, dict) else None
            if isinstance(python, str):
                return lower_bound(python)
    setup_cfg = os.path.join(root, "setup.cfg")
    if os.path.isfile(setup_cfg):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(setup_cfg, encoding="utf-8")
            value = parser.get("options", "python_requires", fallback=None)
        except (configparser.Error, OSError, UnicodeDecodeError):
            value = None
        if value:
            return lower_bound(value)
    setup_py = os.path.join(root, "setup.py")
    if os.path.isfile(setup_py):
        try:
            with open(setup_py, encoding="utf-8", errors="replace") as handle:
                match = re.search(r"python_requires\s*=\s*[\"']([^\"']+)", handle.read())
        except OSError:
            match = None
        if match:
            return lower_bound(match.group(1))
    return None
