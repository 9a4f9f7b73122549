"""The rule registry: built-in rules, plugins from the ``fastlint.rules`` entry-point group,
and selection by code, prefix, name or ``ALL``."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fastlint.config import ConfigError, Settings
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
    if isinstance(obj, type) and issubclass(obj, Rule):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [rule for item in obj for rule in _rules_from_object(item, origin)]
    members = getattr(obj, "RULES", None)
    if members is not None:
        return _rules_from_object(members, origin)
    raise RegistryError(f"plugin {origin}: {obj!r} is not a fastlint Rule class or list of them")


def build_registry(rules: Iterable[type[Rule]]) -> dict[str, type[Rule]]:
    registry: dict[str, type[Rule]] = {}
    names: dict[str, str] = {}
    for rule in rules:
        code = getattr(rule, "code", None)
        if not isinstance(code, str) or not _CODE_RE.match(code):
            raise RegistryError(f"rule {rule.__qualname__} has an invalid code {code!r}")
        if code in registry and registry[code] is not rule:
            raise RegistryError(
                f"duplicate rule code {code}: {registry[code].__module__}."
                f"{registry[code].__qualname__} and {rule.__module__}.{rule.__qualname__}"
            )
        if rule.name in names and names[rule.name] != code:
            raise RegistryError(f"duplicate rule name {rule.name!r} ({names[rule.name]}, {code})")
        registry[code] = rule
        names[rule.name] = code
    return dict(sorted(registry.items()))


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
def all_rules() -> dict[str, type[Rule]]:
    from fastlint.rules import BUILTIN_RULES

    rules: list[type[Rule]] = list(BUILTIN_RULES)
    for _, provided in _plugins():
        rules.extend(provided)
    return build_registry(rules)


@dataclass(frozen=True)
class PluginRule:
    rule: type[Rule]
    package: str  # the distribution that provides it ("" when unknown)
    version: str
    entry_point: str  # "module:attribute"


def plugin_rules() -> list[PluginRule]:
    """The rules that entry-point plugins provide, with their package, by code."""
    all_rules()  # a broken or conflicting plugin is an error here too
    out: list[PluginRule] = []
    for entry_point, provided in _plugins():
        dist = getattr(entry_point, "dist", None)  # Python >= 3.10
        package = str(dist.metadata["Name"]) if dist is not None else ""
        version = str(dist.version) if dist is not None else ""
        out.extend(PluginRule(rule, package, version, entry_point.value) for rule in provided)
    return sorted(out, key=lambda plugin: plugin.rule.code)


def _matches(selector: str, rule: type[Rule]) -> bool:
    if selector == "ALL":
        return True
    return rule.code.startswith(selector) or rule.name == selector.lower()


def _explicit(selector: str, rule: type[Rule]) -> bool:
    """Default-off rules are enabled only by their own code or name, or by ALL."""
    return selector in ("ALL", rule.code) or rule.name == selector.lower()


def validate_selectors(selectors: Sequence[str], where: str) -> None:
    registry = all_rules()
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


def select_rules(settings: Settings) -> list[type[Rule]]:
    registry = all_rules()
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
    return [registry[code] for code in sorted(chosen)]


def codes_matching(selectors: Sequence[str]) -> set[str]:
    registry = all_rules()
    return {
        code
        for code, rule in registry.items()
        for selector in _normalize(selectors)
        if _matches(selector, rule)
    }
