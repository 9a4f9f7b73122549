"""The built-in rules, one module each, named after the rule.

``BUILTIN_RULES`` (the rule classes, by code) imports them all when first asked for; what
selection and reports need is in :mod:`fastlint.rules.catalogue`, which imports none."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastlint.rule import Rule

    BUILTIN_RULES: tuple[type[Rule], ...]

__all__ = ["BUILTIN_RULES", "load"]


def load(target: str) -> type[Rule]:
    """The rule class a catalogue target (``"module:ClassName"``) names."""
    module, _, name = target.partition(":")
    rule: type[Rule] = getattr(importlib.import_module(module), name)
    return rule


def __getattr__(name: str) -> Any:
    if name == "BUILTIN_RULES":
        from fastlint.rules.catalogue import BUILTIN

        rules = tuple(load(entry.target) for entry in BUILTIN)
        globals()["BUILTIN_RULES"] = rules
        return rules
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
