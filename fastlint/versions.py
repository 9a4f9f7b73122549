"""What versions of FastAPI, Starlette and Pydantic a project declares, read from its metadata.

Some fixes are only safe on some versions (a Starlette name that does not exist before 0.48, an
argument order Starlette only accepts from 0.29), and some findings only apply to some versions
(FastAPI 0.106 to 0.117 closes dependencies before background tasks). fastlint never imports the
checked code nor looks at what is installed: the project's own declarations are the evidence.

How the declarations are read:

* The project of a file, for one package, is the nearest directory (walking up) whose metadata
  names that package: ``pyproject.toml`` (PEP 621 dependencies and extras, PEP 735 dependency
  groups, Poetry dependencies and groups, PDM and uv dev dependencies), ``requirements*.txt`` /
  ``requirements*.in`` and ``requirements/*.txt`` (one level of ``-r``/``-c`` includes),
  ``setup.cfg`` ``install_requires``/``extras_require`` and the string literals of ``setup.py``'s
  ``install_requires=[...]`` (read with ``ast``, never executed). A file that cannot be parsed
  still claims every package its text mentions, with an unknown range: a broken nearest project
  must not silently fall through to a parent project's pins.
* Each group (one requirements file with its includes, ``[project] dependencies``, one extra, one
  Poetry group...) is installed as a whole, so its requirements on a package intersect; lines
  with an environment marker are alternatives and count only when the group has no unconditional
  line. Groups are alternative installs, so their ranges are united: a question "may the project
  run on a version below X" is answered yes when any group allows it.
* A range with no lower bound (``fastapi<1.0``, a bare ``fastapi``) states no oldest supported
  version; an install resolves it to its newest versions, so it is read as "just below its upper
  bound", and with no bound at all as "the latest release". Undeclared and unreadable ranges are
  also the latest release. So a project that says nothing never loses a fix or gains a finding
  because of versions it never asked for.
* Pre-releases and local versions are not modelled: rules ask about final releases.
* The Starlette range combines a direct ``starlette`` requirement with the Starlette range that
  the declared FastAPI versions require (``_FASTAPI_STARLETTE``). When the two contradict (no
  version satisfies both, e.g. pins read from two directories) the direct requirement wins: it is
  the more explicit statement.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Union

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

VersionLike = Union[str, Version]

# A point on the version line, or a point infinitesimally below (-1) or above (+1) a version:
# ``<1.0`` ends at (1.0, -1) and ``>1.0`` starts at (1.0, +1), so every bound is inclusive and
# ranges compare as plain tuples.
_Key = tuple[Version, int]


@dataclass(frozen=True)
class _Interval:
    low: Optional[_Key]  # None: unbounded below
    high: Optional[_Key]  # None: unbounded above

    def is_empty(self) -> bool:
        return self.low is not None and self.high is not None and self.low > self.high

    def intersection(self, other: _Interval) -> _Interval:
        low = _max_low(self.low, other.low)
        high = _min_high(self.high, other.high)
        return _Interval(low, high)


def _max_low(a: Optional[_Key], b: Optional[_Key]) -> Optional[_Key]:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _min_high(a: Optional[_Key], b: Optional[_Key]) -> Optional[_Key]:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


_ALL = _Interval(None, None)


class VersionRange:
    """A set of versions as a sorted union of disjoint intervals.

    ``packaging.specifiers.SpecifierSet`` answers "is this version allowed" but not "is any
    version below X allowed" or "do two requirements overlap", which is what rules ask; this type
    answers those, and is built from ``SpecifierSet`` objects so PEP 440 parsing stays in
    ``packaging``.
    """

    __slots__ = ("_intervals",)

    def __init__(self, intervals: Iterable[_Interval] = (_ALL,)) -> None:
        self._intervals = _normalize(intervals)

    @classmethod
    def from_specifiers(cls, specifiers: Union[str, SpecifierSet]) -> VersionRange:
        """The versions a PEP 440 specifier set allows; raises ``InvalidSpecifier`` on bad
        syntax. A specifier whose version cannot be ordered (``===foo``) constrains nothing."""
        spec_set = specifiers if isinstance(specifiers, SpecifierSet) else SpecifierSet(specifiers)
        result = cls()
        for spec in spec_set:
            result = result.intersection(cls(_spec_intervals(spec.operator, spec.version)))
        return result

    @classmethod
    def empty(cls) -> VersionRange:
        return cls(())

    def is_empty(self) -> bool:
        return not self._intervals

    def intersection(self, other: VersionRange) -> VersionRange:
        return VersionRange(a.intersection(b) for a in self._intervals for b in other._intervals)

    def union(self, other: VersionRange) -> VersionRange:
        return VersionRange((*self._intervals, *other._intervals))

    def admits_below(self, version: VersionLike) -> bool:
        """Some allowed version is lower than ``version``."""
        key = (_version(version), 0)
        return any(i.low is None or i.low < key for i in self._intervals)

    def admits_at_or_above(self, version: VersionLike) -> bool:
        """Some allowed version is ``version`` or higher."""
        key = (_version(version), 0)
        return any(i.high is None or i.high >= key for i in self._intervals)

    def admits_in(self, low: VersionLike, high: VersionLike) -> bool:
        """Some allowed version is in ``[low, high)``."""
        window = VersionRange([_Interval((_version(low), 0), (_version(high), -1))])
        return not self.intersection(window).is_empty()

    def newest_only(self) -> Optional[VersionRange]:
        """The range as an install resolves it when it states no oldest version: an interval
        unbounded below becomes the point just below its upper bound, or is dropped when higher
        intervals exist; an unbounded range is None (the latest release). See the module doc."""
        intervals = list(self._intervals)
        if intervals and intervals[0].low is None:
            first = intervals.pop(0)
            if not intervals:
                if first.high is None:
                    return None
                intervals = [_Interval(first.high, first.high)]
        return VersionRange(intervals) if intervals else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VersionRange) and self._intervals == other._intervals

    def __hash__(self) -> int:
        return hash(self._intervals)

    def __repr__(self) -> str:
        return f"VersionRange({str(self)!r})"

    def __str__(self) -> str:
        if not self._intervals:
            return "<nothing>"
        return " || ".join(_interval_text(i) for i in self._intervals)


def _normalize(intervals: Iterable[_Interval]) -> tuple[_Interval, ...]:
    """Sorted, non-empty, merged where they overlap, so equal sets have equal representations
    (and ``newest_only`` does not depend on how a range was built)."""
    items = sorted(
        (i for i in intervals if not i.is_empty()),
        key=lambda i: (i.low is not None, i.low or (Version("0"), 0)),
    )
    merged: list[_Interval] = []
    for item in items:
        if merged:
            last = merged[-1]
            if last.high is None or item.low is None or _touches(last.high, item.low):
                high = None if last.high is None or item.high is None else max(last.high, item.high)
                merged[-1] = _Interval(last.low, high)
                continue
        merged.append(item)
    return tuple(merged)


def _touches(high: _Key, low: _Key) -> bool:
    """No version lies between ``high`` and a later ``low``: they overlap, or one is "just
    below v" / "just above v" and the other is v itself."""
    return low <= high or (low[0] == high[0] and low[1] - high[1] == 1)


def _interval_text(interval: _Interval) -> str:
    parts: list[str] = []
    if interval.low is not None and interval.low == interval.high:
        version, offset = interval.low
        return {-1: f"just below {version}", 0: f"=={version}", 1: f"just above {version}"}[offset]
    if interval.low is not None:
        version, offset = interval.low
        parts.append(f">{version}" if offset > 0 else f">={version}")
    if interval.high is not None:
        version, offset = interval.high
        parts.append(f"<{version}" if offset < 0 else f"<={version}")
    return ",".join(parts) or "*"


def _version(value: VersionLike) -> Version:
    return value if isinstance(value, Version) else Version(value)


def _bump(release: Sequence[int], epoch: int) -> Version:
    """The first version after every version whose release starts with ``release``."""
    text = ".".join(str(n) for n in (*release[:-1], release[-1] + 1))
    return Version(f"{epoch}!{text}" if epoch else text)


def _spec_intervals(operator: str, text: str) -> list[_Interval]:
    """The intervals one PEP 440 specifier allows."""
    wildcard = text.endswith(".*")
    try:
        version = Version(text[:-2] if wildcard else text)
    except InvalidVersion:
        return [_ALL]  # ``===`` with an arbitrary string: nothing we can order
    if wildcard:
        start, end = (version, 0), (_bump(version.release, version.epoch), -1)
        if operator == "==":
            return [_Interval(start, end)]
        return [_Interval(None, (version, -1)), _Interval((end[0], 0), None)]  # !=
    point = (version, 0)
    if operator in ("==", "==="):
        return [_Interval(point, point)]
    if operator == "!=":
        return [_Interval(None, (version, -1)), _Interval((version, 1), None)]
    if operator == ">=":
        return [_Interval(point, None)]
    if operator == ">":
        return [_Interval((version, 1), None)]
    if operator == "<=":
        return [_Interval(None, point)]
    if operator == "<":
        return [_Interval(None, (version, -1))]
    if operator == "~=" and len(version.release) >= 2:
        return [_Interval(point, (_bump(version.release[:-1], version.epoch), -1))]
    return [_ALL]


# --- Poetry constraints -------------------------------------------------------------------------

_POETRY_TOKEN = re.compile(r"\s*(\^|~=|~|===|==|!=|>=|<=|>|<|=)?\s*([^\s,^~=!<>|]+)\s*,?")


def poetry_to_pep440(constraint: str) -> Optional[list[SpecifierSet]]:
    """A Poetry version constraint as PEP 440 specifier sets, one per ``||`` alternative;
    None when it cannot be read.

    Poetry's caret and tilde have no PEP 440 spelling: ``^1.2.3`` is ``>=1.2.3,<2.0.0`` (the
    first non-zero component is held), so ``^0.110`` is ``>=0.110,<0.111``; ``~1.2.3`` is
    ``>=1.2.3,<1.3.0`` and ``~1`` is ``>=1,<2``. A bare version is an exact pin.
    """
    alternatives: list[SpecifierSet] = []
    for part in re.split(r"\|\|?", constraint):
        part = part.strip()
        if not part:
            return None
        specifiers: list[str] = []
        position = 0
        while position < len(part):
            match = _POETRY_TOKEN.match(part, position)
            if match is None or match.end() == position:
                return None
            position = match.end()
            converted = _poetry_atom(match.group(1) or "", match.group(2))
            if converted is None:
                return None
            specifiers.extend(converted)
        try:
            alternatives.append(SpecifierSet(",".join(specifiers)))
        except InvalidSpecifier:
            return None
    return alternatives


def _poetry_atom(operator: str, text: str) -> Optional[list[str]]:
    if text == "*" and not operator:
        return []
    if operator in ("^", "~"):
        try:
            version = Version(text)
        except InvalidVersion:
            return None
        given = version.release  # as written: Version("0.110").release == (0, 110)
        if operator == "~":
            held = given[:2]  # ~1.2.3 and ~1.2 hold 1.2; ~1 holds 1
        else:
            nonzero = [i for i, n in enumerate(given) if n != 0]
            held = given[: (nonzero[0] if nonzero else len(given) - 1) + 1]
        return [f">={version}", f"<{_bump(held, version.epoch)}"]
    if operator in ("", "="):
        return [f"=={text}"]
    return [f"{operator}{text}"]


# --- one directory's metadata -------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """One requirement on one package. ``versions`` None: it names the package but its version
    constraint cannot be read."""

    name: str
    versions: Optional[VersionRange]
    conditional: bool


@dataclass(frozen=True)
class _Group:
    """Requirements installed together: one requirements file, one extra, one Poetry group."""

    path: str
    lines: tuple[_Line, ...]


@dataclass(frozen=True)
class DirectoryMetadata:
    """The requirements declared by the metadata files of one directory (not its parents)."""

    directory: str
    groups: tuple[_Group, ...]
    # (path, text) of metadata files that could not be parsed.
    unreadable: tuple[tuple[str, str], ...]

    def names(self, package: str) -> bool:
        """The directory's metadata names ``package`` (or may: an unparsable file mentions it)."""
        name = canonicalize_name(package)
        if any(line.name == name for group in self.groups for line in group.lines):
            return True
        return any(_mentions(text, name) for _, text in self.unreadable)

    def files_naming(self, package: str) -> tuple[str, ...]:
        name = canonicalize_name(package)
        found = [g.path for g in self.groups if any(line.name == name for line in g.lines)]
        found += [path for path, text in self.unreadable if _mentions(text, name)]
        return tuple(dict.fromkeys(found))

    def raw_range(self, package: str) -> Optional[VersionRange]:
        """The union over groups of each group's range for ``package``, before the no-lower-
        bound reading; None when no group states a readable one."""
        name = canonicalize_name(package)
        result: Optional[VersionRange] = None
        for group in self.groups:
            group_range = _group_range(group, name)
            if group_range is not None:
                result = group_range if result is None else result.union(group_range)
        return result


def _group_range(group: _Group, name: str) -> Optional[VersionRange]:
    always: list[VersionRange] = []
    conditional: list[VersionRange] = []
    for line in group.lines:
        if line.name == name and line.versions is not None:
            (conditional if line.conditional else always).append(line.versions)
    chosen = always or conditional
    if not chosen:
        return None
    result = chosen[0]
    for versions in chosen[1:]:
        result = result.intersection(versions) if always else result.union(versions)
    return result


def _mentions(text: str, name: str) -> bool:
    pattern = "[-_.]".join(re.escape(part) for part in re.split(r"[-_.]+", name))
    return re.search(rf"(?<![\w.-]){pattern}(?![\w-])", text, re.IGNORECASE) is not None


@lru_cache(maxsize=4096)
def read_directory(directory: str) -> DirectoryMetadata:
    """The declared requirements of the metadata files directly in ``directory`` (cached; see
    ``clear_cache``). Never raises for bad or unreadable files."""
    directory = os.path.abspath(directory)
    groups: list[_Group] = []
    unreadable: list[tuple[str, str]] = []
    for path, reader in _metadata_files(directory):
        text = _read_text(path)
        if text is None:
            continue
        try:
            groups.extend(reader(path, text))
        except _Unreadable:
            unreadable.append((path, text))
    return DirectoryMetadata(directory, tuple(groups), tuple(unreadable))


class _Unreadable(Exception):
    """A metadata file that does not parse (bad TOML, bad syntax, non-literal setup.py)."""


def _metadata_files(
    directory: str,
) -> Iterator[tuple[str, Callable[[str, str], list[_Group]]]]:
    yield os.path.join(directory, "pyproject.toml"), _read_pyproject
    yield os.path.join(directory, "setup.cfg"), _read_setup_cfg
    yield os.path.join(directory, "setup.py"), _read_setup_py
    for folder in (directory, os.path.join(directory, "requirements")):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            lower = name.lower()
            if not lower.endswith((".txt", ".in")):
                continue
            if folder == directory and not lower.startswith("requirements"):
                continue
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                yield path, _read_requirements_file


def _read_text(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _requirement_line(text: str, conditional: bool = False) -> Optional[_Line]:
    """One PEP 508 requirement string; one whose constraint does not parse still names its
    package (with an unknown range)."""
    text = text.strip()
    if not text:
        return None
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        name = re.match(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?", text)
        if name is None:
            return None
        return _Line(canonicalize_name(name.group()), None, conditional)
    try:
        versions: Optional[VersionRange] = VersionRange.from_specifiers(requirement.specifier)
    except (InvalidSpecifier, InvalidVersion):
        versions = None
    return _Line(
        canonicalize_name(requirement.name),
        versions,
        conditional or requirement.marker is not None,
    )


def _lines(strings: object) -> tuple[_Line, ...]:
    """The requirements of a list of strings (other entries, like PEP 735 ``include-group``
    tables, are skipped); a value that is not a list makes the file unreadable."""
    if strings is None:
        return ()
    if not isinstance(strings, list):
        raise _Unreadable
    found = (_requirement_line(s) for s in strings if isinstance(s, str))
    return tuple(line for line in found if line is not None)


# pyproject.toml


def _read_pyproject(path: str, text: str) -> list[_Group]:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        raise _Unreadable from None
    groups: list[_Group] = []

    def add(lines: Iterable[_Line]) -> None:
        found = tuple(lines)
        if found:
            groups.append(_Group(path, found))

    project = _table(data.get("project"))
    add(_lines(project.get("dependencies")))
    for extra in _table(project.get("optional-dependencies")).values():
        add(_lines(extra))
    for group in _table(data.get("dependency-groups")).values():
        add(_lines(group))  # ``{include-group = ...}`` entries are not followed
    tool = _table(data.get("tool"))
    for group in _table(_table(tool.get("pdm")).get("dev-dependencies")).values():
        add(_lines(group))
    add(_lines(_table(tool.get("uv")).get("dev-dependencies")))
    poetry = _table(tool.get("poetry"))
    add(_poetry_lines(poetry.get("dependencies")))
    add(_poetry_lines(poetry.get("dev-dependencies")))
    for group in _table(poetry.get("group")).values():
        add(_poetry_lines(_table(group).get("dependencies")))
    return groups


def _table(value: object) -> Mapping[str, object]:
    return value if isinstance(value, dict) else {}


def _poetry_lines(table: object) -> Iterator[_Line]:
    for name, value in _table(table).items():
        if canonicalize_name(name) == "python":
            continue  # the interpreter, not a package
        yield from _poetry_dependency(canonicalize_name(name), value)


_POETRY_CONDITIONS = ("python", "markers", "platform")


def _poetry_dependency(name: str, value: object, conditional: bool = False) -> Iterator[_Line]:
    """``name = "^1.2"``, ``name = {version = "^1.2", extras = [...]}`` (a table without
    ``version``, e.g. ``git`` or ``path``, constrains nothing) or a list of those, Poetry's
    multiple-constraint form, whose entries are alternatives."""
    if isinstance(value, list):
        for entry in value:
            yield from _poetry_dependency(name, entry, conditional=True)
        return
    if isinstance(value, dict):
        conditional = conditional or any(key in value for key in _POETRY_CONDITIONS)
        value = value.get("version", "*")
    if not isinstance(value, str):
        yield _Line(name, None, conditional)
        return
    alternatives = poetry_to_pep440(value)
    if alternatives is None:
        yield _Line(name, None, conditional)
        return
    versions = VersionRange.empty()
    try:
        for alternative in alternatives:
            versions = versions.union(VersionRange.from_specifiers(alternative))
    except InvalidVersion:
        yield _Line(name, None, conditional)
        return
    yield _Line(name, versions, conditional)


# requirements files

_COMMENT = re.compile(r"(^|\s)#.*$")
_INCLUDE = re.compile(r"^(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=[^\s-]))(\S+)")
_POETRY_STYLE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*([\"'{\[].*)$")


def _read_requirements_file(path: str, text: str) -> list[_Group]:
    lines = list(_requirements_lines(path, text, follow_includes=True))
    return [_Group(path, tuple(lines))] if lines else []


def _requirements_lines(path: str, text: str, follow_includes: bool) -> Iterator[_Line]:
    """pip's format: comments, ``\\`` continuations, options; ``-r``/``-c`` includes are
    inlined one level deep (they are installed together with this file)."""
    for raw in text.replace("\\\n", "").splitlines():
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            include = _INCLUDE.match(line)
            if include and follow_includes:
                target = os.path.join(os.path.dirname(path), include.group(1))
                included = _read_text(target)
                if included is not None:
                    yield from _requirements_lines(target, included, follow_includes=False)
            continue  # -e, --index-url and other options name no versioned package
        poetry_style = _POETRY_STYLE.match(line)
        if poetry_style:
            # Not pip syntax, but a pasted Poetry entry still says what its author means.
            try:
                value = tomllib.loads(f"x = {poetry_style.group(2)}")["x"]
            except (tomllib.TOMLDecodeError, ValueError):
                value = None
            yield from _poetry_dependency(canonicalize_name(poetry_style.group(1)), value)
            continue
        found = _requirement_line(line.split(" --", 1)[0])  # drop per-line --hash=... options
        if found is not None:
            yield found


# setup.cfg


def _read_setup_cfg(path: str, text: str) -> list[_Group]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error:
        raise _Unreadable from None
    values: list[str] = []
    if parser.has_option("options", "install_requires"):
        values.append(parser.get("options", "install_requires"))
    if parser.has_section("options.extras_require"):
        values.extend(value for _, value in parser.items("options.extras_require"))
    groups = []
    for value in values:
        strings = [_COMMENT.sub("", s) for s in value.splitlines()]
        lines = _lines(strings)
        if lines:
            groups.append(_Group(path, lines))
    return groups


# setup.py


def _read_setup_py(path: str, text: str) -> list[_Group]:
    """``install_requires``/``extras_require`` keyword arguments of any call, when they are
    literals or names bound to literals at module level; anything else (a list built at run
    time) makes the file unreadable rather than guessed."""
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _Unreadable from None
    assigned: dict[str, ast.expr] = {}
    for statement in module.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = statement.value
    groups = []
    for node in ast.walk(module):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg == "install_requires":
                groups.append(_Group(path, _lines(_literal_strings(keyword.value, assigned))))
            elif keyword.arg == "extras_require":
                extras = _resolve(keyword.value, assigned)
                if not isinstance(extras, ast.Dict):
                    raise _Unreadable
                for value in extras.values:
                    groups.append(_Group(path, _lines(_literal_strings(value, assigned))))
    return [group for group in groups if group.lines]


def _resolve(node: ast.expr, assigned: Mapping[str, ast.expr]) -> ast.expr:
    if isinstance(node, ast.Name) and node.id in assigned:
        return assigned[node.id]
    return node


def _literal_strings(node: ast.expr, assigned: Mapping[str, ast.expr]) -> list[str]:
    node = _resolve(node, assigned)
    if not isinstance(node, (ast.List, ast.Tuple)):
        raise _Unreadable
    strings = []
    for element in node.elts:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            raise _Unreadable
        strings.append(element.value)
    return strings


# --- FastAPI -> Starlette -----------------------------------------------------------------------

# The Starlette requirement of each FastAPI release, as (first FastAPI release with it, its
# Starlette specifiers); a row holds until the next row's release. Read from FastAPI's own
# packaging metadata at every release tag of github.com/fastapi/fastapi (``pyproject.toml``:
# ``[tool.flit.metadata] requires`` up to 0.84, ``[project] dependencies`` from 0.85), cross-checked
# against the release notes, up to 0.141.1; later releases from their sdists on PyPI. Checked up
# to FastAPI 0.165.0 (FASTAPI_TABLE_CHECKED_UP_TO); later
# releases are assumed to keep the last row. Releases before 0.1.11 (no tag) are not modelled: they
# imply nothing about Starlette.
FASTAPI_TABLE_CHECKED_UP_TO = "0.165.0"
_FASTAPI_STARLETTE: tuple[tuple[str, str], ...] = (
    ("0.1.11", ">=0.9.7"),
    ("0.1.19", ">=0.9.11,<=0.10.1"),
    ("0.6.0", "==0.11.1"),
    ("0.23.0", ">=0.11.1,<=0.12.0"),
    ("0.34.0", ">=0.11.1,<=0.12.7"),
    ("0.38.0", ">=0.11.1,<=0.12.8"),
    ("0.41.0", ">=0.12.9,<=0.12.9"),
    ("0.50.0", "==0.13.2"),
    ("0.57.0", "==0.13.4"),
    ("0.60.1", "==0.13.6"),
    ("0.65.0", "==0.14.2"),
    ("0.69.0", "==0.15.0"),
    ("0.70.0", "==0.16.0"),
    ("0.71.0", "==0.17.1"),
    ("0.76.0", "==0.18.0"),
    ("0.77.0", "==0.19.0"),
    ("0.77.1", "==0.19.1"),
    ("0.85.0", "==0.20.4"),
    ("0.87.0", "==0.21.0"),
    ("0.88.0", "==0.22.0"),
    ("0.90.0", ">=0.22.0,<=0.23.0"),
    ("0.90.1", ">=0.22.0,<0.24.0"),
    ("0.91.0", ">=0.24.0,<0.25.0"),
    ("0.92.0", ">=0.25.0,<0.26.0"),
    ("0.94.0", ">=0.26.0,<0.27.0"),
    ("0.94.1", ">=0.26.1,<0.27.0"),
    ("0.95.2", ">=0.27.0,<0.28.0"),
    ("0.107.0", ">=0.28.0,<0.29.0"),
    ("0.108.0", ">=0.29.0,<0.33.0"),
    ("0.109.0", ">=0.35.0,<0.36.0"),
    ("0.109.2", ">=0.36.3,<0.37.0"),
    ("0.110.1", ">=0.37.2,<0.38.0"),
    ("0.112.1", ">=0.37.2,<0.39.0"),
    ("0.115.2", ">=0.37.2,<0.41.0"),
    ("0.115.3", ">=0.40.0,<0.42.0"),
    ("0.115.7", ">=0.40.0,<0.46.0"),
    ("0.115.10", ">=0.40.0,<0.47.0"),
    ("0.116.1", ">=0.40.0,<0.48.0"),
    ("0.116.2", ">=0.40.0,<0.49.0"),
    ("0.120.1", ">=0.40.0,<0.50.0"),
    ("0.121.3", ">=0.40.0,<0.51.0"),
    ("0.128.3", ">=0.40.0,<1.0.0"),
    ("0.133.0", ">=0.40.0"),
    ("0.134.0", ">=0.46.0"),
    # From the sdists on PyPI: 0.142.0 to 0.163.2 keep ">=0.46.0" (sampled: 0.142.0, 0.145.0,
    # 0.150.0, 0.155.0, 0.160.0, 0.163.2); 0.164.0 and 0.165.0 require Starlette 1.6.
    ("0.164.0", ">=1.6.0"),
)


@lru_cache(maxsize=1)
def _starlette_rows() -> tuple[tuple[VersionRange, VersionRange], ...]:
    rows = []
    for index, (first, starlette) in enumerate(_FASTAPI_STARLETTE):
        following = (
            _FASTAPI_STARLETTE[index + 1][0] if index + 1 < len(_FASTAPI_STARLETTE) else None
        )
        spec = f">={first}" + (f",<{following}" if following else "")
        rows.append((VersionRange.from_specifiers(spec), VersionRange.from_specifiers(starlette)))
    return tuple(rows)


def starlette_for_fastapi(fastapi: VersionRange) -> VersionRange:
    """The Starlette versions that some FastAPI version in ``fastapi`` accepts."""
    result = VersionRange.empty()
    for fastapi_rows, starlette in _starlette_rows():
        if not fastapi.intersection(fastapi_rows).is_empty():
            result = result.union(starlette)
    if fastapi.admits_below(_FASTAPI_STARLETTE[0][0]):
        result = VersionRange()  # releases older than the table: anything
    return result


# --- queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Declared:
    """A package's effective declared range in a project, and where it came from."""

    package: str
    # None: no usable range, the latest release is assumed.
    versions: Optional[VersionRange]
    # The metadata files that name the package (for messages).
    files: tuple[str, ...]
    # "fastapi" when the Starlette range comes (partly) from FastAPI's requirement.
    implied_by: Optional[str] = None


class ProjectVersions:
    """The versions a file's project declares, per package, and the questions rules ask.

    Unknown or undeclared versions are the latest release: ``may_be_below`` and ``may_be_in``
    (windows of past releases) are then False, and ``at_least`` is None ("cannot tell"), so a
    caller that wants the latest-release default writes ``at_least(...) is not False``.
    """

    def __init__(self, directory: str, walk_up: bool = True) -> None:
        self.directory = os.path.abspath(directory)
        self._walk_up = walk_up
        self._cache: dict[str, Declared] = {}

    @classmethod
    def for_path(cls, path: str) -> ProjectVersions:
        """The versions for the project holding ``path`` (a file or a directory); cached per
        directory, see ``clear_cache``."""
        path = os.path.abspath(path)
        return cls.for_directory(path if os.path.isdir(path) else os.path.dirname(path))

    @classmethod
    def for_directory(cls, directory: str) -> ProjectVersions:
        """The versions for the project holding ``directory``, which need not exist (a file
        about to be written); cached per directory, see ``clear_cache``."""
        return _for_directory(os.path.abspath(directory))

    def _nearest(self, package: str) -> Optional[DirectoryMetadata]:
        current = self.directory
        while True:
            metadata = read_directory(current)
            if metadata.names(package):
                return metadata
            parent = os.path.dirname(current)
            if not self._walk_up or parent == current:
                return None
            current = parent

    def _raw(self, package: str) -> tuple[Optional[VersionRange], tuple[str, ...]]:
        metadata = self._nearest(package)
        if metadata is None:
            return None, ()
        return metadata.raw_range(package), metadata.files_naming(package)

    def declared(self, package: str) -> Declared:
        """The effective range of ``package``: for Starlette, a direct requirement combined
        with the range FastAPI's declared versions require."""
        name = canonicalize_name(package)
        if name not in self._cache:
            self._cache[name] = self._compute(name)
        return self._cache[name]

    def _compute(self, name: str) -> Declared:
        raw, files = self._raw(name)
        if name != "starlette":
            return Declared(name, raw.newest_only() if raw else None, files)
        fastapi = self.declared("fastapi")
        if fastapi.versions is None:
            return Declared(name, raw.newest_only() if raw else None, files)
        implied = starlette_for_fastapi(fastapi.versions)
        combined = implied if raw is None else raw.intersection(implied)
        if combined.is_empty() and raw is not None:
            return Declared(name, raw.newest_only(), files)
        return Declared(name, combined.newest_only(), (*files, *fastapi.files), "fastapi")

    def may_be_below(self, package: str, version: VersionLike) -> bool:
        """The declared range admits some version lower than ``version``."""
        versions = self.declared(package).versions
        return versions is not None and versions.admits_below(version)

    def may_be_in(self, package: str, low: VersionLike, high: VersionLike) -> bool:
        """The declared range admits some version in ``[low, high)``."""
        versions = self.declared(package).versions
        return versions is not None and versions.admits_in(low, high)

    def at_least(self, package: str, version: VersionLike) -> Optional[bool]:
        """True: every admitted version is ``version`` or later; False: none is; None: nothing
        usable is declared, or the range admits versions on both sides."""
        versions = self.declared(package).versions
        if versions is None:
            return None
        if not versions.admits_below(version):
            return True
        if not versions.admits_at_or_above(version):
            return False
        return None

    def pydantic_major(self) -> Optional[int]:
        """1 when the declared Pydantic range admits only versions below 2, 2 when it admits
        2 or later, None when nothing usable is declared."""
        versions = self.declared("pydantic").versions
        if versions is None:
            return None
        return 2 if versions.admits_at_or_above("2") else 1


@lru_cache(maxsize=4096)
def _for_directory(directory: str) -> ProjectVersions:
    return ProjectVersions(directory)


def clear_cache() -> None:
    """Forget what was read: for long-lived processes and tests that rewrite metadata files."""
    read_directory.cache_clear()
    _for_directory.cache_clear()
