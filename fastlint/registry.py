"""The rule registry: built-in rules, plugins from the ``fastlint.rules`` entry-point group,
and selection by code, prefix, name or ``ALL``.

Selection works on :class:`RuleEntry` records (the built-in ones come from
:mod:`fastlint.rules.catalogue`); a rule's class is imported when a file is checked with it."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Optional, Union, overload

from fastlint.config import ConfigError, Settings
from fastlint.docs import RuleInfo, url_for

if TYPE_CHECKING:
    from fastlint.rule import Rule

ENTRY_POINT_GROUP = "fastlint.rules"
_CODE_RE = re.compile(r"^[A-Z]+[0-9]{3}$")


class RegistryError(ConfigError):
    pass


def _declared_anywhere(group: str) -> bool:
    """Whether some distribution on ``sys.path`` may declare entry points of ``group``: a
    look at each ``*.dist-info``/``*.egg-info`` ``entry_points.txt`` (a millisecond), so that
    a run without plugins never imports ``importlib.metadata`` (tens of milliseconds). A
    ``sys.path`` entry that is not a directory (a zip) may hold anything: then yes."""
    header = f"[{group}]"
    for entry in sys.path:
        directory = entry or "."
        if not os.path.isdir(directory):
            if os.path.exists(directory):
                return True
            continue
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(directory, name, "entry_points.txt"), "rb") as handle:
                    if header.encode() in handle.read():
                        return True
            except OSError:
                continue
    return False


def _entry_points() -> list[Any]:
    if not _declared_anywhere(ENTRY_POINT_GROUP):
        return []
    from importlib import metadata

    if sys.version_info >= (3, 10):
        return list(metadata.entry_points(group=ENTRY_POINT_GROUP))
    return list(metadata.entry_points().get(ENTRY_POINT_GROUP, []))  # pragma: no cover


def _rules_from_object(obj: Any, origin: str) -> list[type[Rule]]:
    from fastlint.rule import Rule

    if isinstance(obj, type) and issubclass(obj, Rule):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [rule for item in obj for rule in _rules_from_object(item, origin)]
    members = getattr(obj, "RULES", None)
    if members is not None:
        return _rules_from_object(members, origin)
    raise RegistryError(f"plugin {origin}: {obj!r} is not a fastlint Rule class or list of them")


@dataclass(frozen=True)
class RuleEntry:
    """A rule as selection, the results cache and most reports know it: a built-in rule from
    :mod:`fastlint.rules.catalogue`, before its module is imported; a plugin rule from its
    (loaded) class."""

    code: str
    name: str
    default_enabled: bool
    fix: str  # a FixAvailability value
    message: str
    target: str  # "module:ClassName"
    rule: Optional[type[Rule]] = None  # the class, when it is loaded already (plugins)
    url: Optional[str] = None  # the rule's own documentation URL (plugins)

    @classmethod
    def of(cls, rule: type[Rule]) -> RuleEntry:
        code = getattr(rule, "code", None)
        if not isinstance(code, str) or not _CODE_RE.match(code):
            raise RegistryError(f"rule {rule.__qualname__} has an invalid code {code!r}")
        own = getattr(rule, "url", None)
        return cls(
            code=code,
            name=rule.name,
            default_enabled=bool(rule.default_enabled),
            fix=rule.fix_availability.value,
            message=rule.message,
            target=f"{rule.__module__}:{rule.__qualname__}",
            rule=rule,
            url=own if isinstance(own, str) and own else None,
        )

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    def load(self) -> type[Rule]:
        if self.rule is not None:
            return self.rule
        from fastlint.rules import load

        return load(self.target)

    def info(self, base: Optional[str] = None) -> RuleInfo:
        """What the reporters show of the rule, but its documentation (which needs the class)."""
        return RuleInfo(
            code=self.code,
            name=self.name,
            summary=self.message,
            fix=self.fix,
            default_enabled=self.default_enabled,
            url=url_for(self.code, self.module, self.url, base),
        )


def _validated(entries: Iterable[RuleEntry]) -> dict[str, RuleEntry]:
    """The entries by code; an error when two rules share a code or a name."""
    by_code: dict[str, RuleEntry] = {}
    names: dict[str, str] = {}
    for entry in entries:
        known = by_code.get(entry.code)
        if known is not None and known.target != entry.target:
            raise RegistryError(
                f"duplicate rule code {entry.code}: {known.target.replace(':', '.')} and "
                f"{entry.target.replace(':', '.')}"
            )
        if entry.name in names and names[entry.name] != entry.code:
            raise RegistryError(
                f"duplicate rule name {entry.name!r} ({names[entry.name]}, {entry.code})"
            )
        by_code[entry.code] = entry
        names[entry.name] = entry.code
    return dict(sorted(by_code.items()))


def build_registry(rules: Iterable[type[Rule]]) -> dict[str, type[Rule]]:
    return {code: entry.load() for code, entry in _validated(map(RuleEntry.of, rules)).items()}


def _plugins() -> list[tuple[Any, list[type[Rule]]]]:
    """Each entry point of the group with the rules it provides."""
    found = []
    for entry_point in _entry_points():
        try:
            loaded = entry_point.load()
        except Exception as exc:
            raise RegistryError(
                f"plugin {entry_point.name!r} ({entry_point.value}) failed to load: {exc}"
            ) from None
        found.append((entry_point, _rules_from_object(loaded, entry_point.value)))
    return found


@lru_cache(maxsize=1)
def catalogue() -> dict[str, RuleEntry]:
    """Every rule by code, built-in and plugin, without importing a built-in rule."""
    from fastlint.rules.catalogue import BUILTIN

    entries = [
        RuleEntry(
            code=entry.code,
            name=entry.name,
            default_enabled=entry.default_enabled,
            fix=entry.fix,
            message=entry.message,
            target=entry.target,
        )
        for entry in BUILTIN
    ]
    for _, provided in _plugins():
        entries.extend(map(RuleEntry.of, provided))
    return _validated(entries)


@lru_cache(maxsize=1)
def all_rules() -> dict[str, type[Rule]]:
    """Every rule class by code (this imports every rule)."""
    return {code: entry.load() for code, entry in catalogue().items()}


def clear_caches() -> None:
    """Forget the rules found so far (after plugins changed: tests)."""
    catalogue.cache_clear()
    all_rules.cache_clear()


class RuleSet(Sequence["type[Rule]"]):
    """The selected rules: their entries at once, their classes when first used, so that a
    run whose results are all cached never imports a rule (nor LibCST)."""

    def __init__(self, entries: Iterable[RuleEntry]) -> None:
        self.entries: tuple[RuleEntry, ...] = tuple(entries)
        self._rules: Optional[tuple[type[Rule], ...]] = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(entry.code for entry in self.entries)

    def _loaded(self) -> tuple[type[Rule], ...]:
        if self._rules is None:
            self._rules = tuple(entry.load() for entry in self.entries)
        return self._rules

    def __len__(self) -> int:
        return len(self.entries)

    @overload
    def __getitem__(self, index: int) -> type[Rule]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[type[Rule]]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[type[Rule], Sequence[type[Rule]]]:
        return self._loaded()[index]

    def __iter__(self) -> Iterator[type[Rule]]:
        return iter(self._loaded())

    def __repr__(self) -> str:
        return f"RuleSet({', '.join(self.codes)})"


def entries_of(rules: Sequence[type[Rule]]) -> tuple[RuleEntry, ...]:
    """The entries of ``rules`` (a :class:`RuleSet` without loading it)."""
    if isinstance(rules, RuleSet):
        return rules.entries
    return tuple(RuleEntry.of(rule) for rule in rules)


@dataclass(frozen=True)
class PluginRule:
    rule: type[Rule]
    package: str  # the distribution that provides it ("" when unknown)
    version: str
    entry_point: str  # "module:attribute"


def plugin_rules() -> list[PluginRule]:
    """The rules that entry-point plugins provide, with their package, by code."""
    catalogue()  # a broken or conflicting plugin is an error here too
    out: list[PluginRule] = []
    for entry_point, provided in _plugins():
        dist = getattr(entry_point, "dist", None)  # Python >= 3.10
        package = str(dist.metadata["Name"]) if dist is not None else ""
        version = str(dist.version) if dist is not None else ""
        out.extend(PluginRule(rule, package, version, entry_point.value) for rule in provided)
    return sorted(out, key=lambda plugin: plugin.rule.code)


def _matches(selector: str, rule: RuleEntry) -> bool:
    if selector == "ALL":
        return True
    return rule.code.startswith(selector) or rule.name == selector.lower()


def _explicit(selector: str, rule: RuleEntry) -> bool:
    """Default-off rules are enabled only by their own code or name, or by ALL."""
    return selector in ("ALL", rule.code) or rule.name == selector.lower()


def validate_selectors(selectors: Sequence[str], where: str) -> None:
    registry = catalogue()
    for selector in selectors:
        normalized = selector.strip().upper() if _looks_like_code(selector) else selector.strip()
        if not any(_matches(normalized, rule) for rule in registry.values()):
            raise ConfigError(f"{where}: unknown rule selector {selector!r}")


def _looks_like_code(selector: str) -> bool:
    return bool(re.match(r"^\s*([A-Za-z]+[0-9]*|ALL|all)\s*$", selector)) and not re.match(
        r"^[a-z]+-", selector
    )


def _normalize(selectors: Sequence[str]) -> list[str]:
    out = []
    for selector in selectors:
        selector = selector.strip()
        if not selector:
            continue
        out.append(selector.upper() if _looks_like_code(selector) else selector)
    return out


def validate_settings(settings: Settings) -> None:
    """Check every configured selector against the registry; the error names where it came
    from (the file and key, or the command-line option)."""
    validate_selectors(settings.select, settings.origin("select"))
    validate_selectors(settings.extend_select, settings.origin("extend-select"))
    validate_selectors(settings.ignore, settings.origin("ignore"))
    for pattern, codes in settings.per_file_ignores:
        validate_selectors(codes, settings.origin(f"per-file-ignores.{pattern}"))


def select_rules(settings: Settings) -> RuleSet:
    registry = catalogue()
    validate_settings(settings)
    select = _normalize(settings.select)
    extend = _normalize(settings.extend_select)
    ignore = _normalize(settings.ignore)
    if select:
        chosen = {
            code
            for code, rule in registry.items()
            for selector in select
            if _explicit(selector, rule) or (_matches(selector, rule) and rule.default_enabled)
        }
    else:
        chosen = {code for code, rule in registry.items() if rule.default_enabled}
    for selector in extend:
        chosen |= {
            code
            for code, rule in registry.items()
            if _explicit(selector, rule) or (_matches(selector, rule) and rule.default_enabled)
        }
    for selector in ignore:
        chosen -= {code for code, rule in registry.items() if _matches(selector, rule)}
    return RuleSet(registry[code] for code in sorted(chosen))


def codes_matching(selectors: Sequence[str]) -> set[str]:
    registry = catalogue()
    return {
        code
        for code, rule in registry.items()
        for selector in _normalize(selectors)
        if _matches(selector, rule)
    }
