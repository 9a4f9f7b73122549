"""Rule selection and plugins (the ``fastlint.rules`` entry-point group)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

from fastlint import registry
from fastlint.config import ConfigError, Settings
from fastlint.rule import Case, Rule
from fastlint.testing import LabeledCase, case_id, check_case, rule_cases


class _PluginRule(Rule):
    """## What it does
    Flags `print`.
    ## Why is this bad?
    Logs belong in logging.
    ## Example
    ```python
    print("x")
    ```
    ## Use instead
    ```python
    logger.info("x")
    ```
    ## Fix safety
    There is no fix.
    """

    code = "XY101"
    name = "no-print"
    message = "print() in application code"
    requires_any = ("print",)
    invalid = (Case("print('hi')\n"),)
    valid = (Case("import logging\nlogging.info('hi')\n"),)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "print":
            self.report(node)


class _Duplicate(_PluginRule):
    name = "another-name"
    code = "FL101"


class _OffByDefault(_PluginRule):
    code = "XY102"
    name = "off-by-default"
    default_enabled = False


class _EntryPoint:
    def __init__(self, name: str, obj: Any) -> None:
        self.name = name
        self.value = f"plugin_module:{name}"
        self._obj = obj

    def load(self) -> Any:
        if isinstance(self._obj, Exception):
            raise self._obj
        return self._obj


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[_EntryPoint]]:
    points: list[_EntryPoint] = []
    monkeypatch.setattr(registry, "_entry_points", lambda: points)
    registry.clear_caches()
    yield points
    registry.clear_caches()


def _codes(settings: Settings) -> list[str]:
    return [rule.code for rule in registry.select_rules(settings)]


def test_plugin_rules_are_registered(plugins: list[_EntryPoint]) -> None:
    plugins.append(_EntryPoint("mine", [_PluginRule, _OffByDefault]))
    rules = registry.all_rules()
    assert rules["XY101"] is _PluginRule
    assert "XY101" in _codes(Settings())
    assert "XY102" not in _codes(Settings())  # off by default...
    assert "XY102" in _codes(Settings(select=("XY102",)))  # ...on when named
    assert "XY102" in _codes(Settings(select=("off-by-default",)))
    assert "XY102" in _codes(Settings(select=("ALL",)))
    assert "XY102" not in _codes(Settings(select=("XY",)))  # a prefix keeps defaults


def test_duplicate_code_is_an_error(plugins: list[_EntryPoint]) -> None:
    plugins.append(_EntryPoint("dup", _Duplicate))
    with pytest.raises(ConfigError, match="duplicate rule code FL101"):
        registry.all_rules()


def test_broken_plugin_is_an_error(plugins: list[_EntryPoint]) -> None:
    plugins.append(_EntryPoint("broken", ImportError("no module named plugin_module")))
    with pytest.raises(ConfigError, match=r"plugin 'broken'.*failed to load"):
        registry.all_rules()


def test_plugin_object_must_be_rules(plugins: list[_EntryPoint]) -> None:
    plugins.append(_EntryPoint("junk", 42))
    with pytest.raises(ConfigError, match="not a fastlint Rule"):
        registry.all_rules()


def test_selection_by_prefix_name_and_ignore() -> None:
    rules = registry.all_rules()
    # A prefix selects the rules under it that are on by default; an off one needs its code.
    on = {code for code, rule in rules.items() if code.startswith("FL1") and rule.default_enabled}
    assert set(_codes(Settings(select=("FL1",)))) == on and "FL105" not in on
    assert "FL105" in _codes(Settings(select=("FL1", "FL105")))
    assert _codes(Settings(select=("sync-db-in-async",))) == ["FL101"]
    assert "FL101" not in _codes(Settings(ignore=("FL1",)))
    assert _codes(Settings(select=("FL3",), extend_select=("FL401",))) == ["FL301", "FL401"]
    assert _codes(Settings(select=("fl301",))) == ["FL301"]  # codes are case-insensitive


def test_unknown_selector_is_an_error() -> None:
    with pytest.raises(ConfigError, match="unknown rule selector 'FL9'"):
        registry.select_rules(Settings(select=("FL9",)))
    with pytest.raises(ConfigError, match="unknown rule selector 'no-such-rule'"):
        registry.select_rules(Settings(ignore=("no-such-rule",)))


@pytest.mark.parametrize("case", rule_cases(_PluginRule), ids=case_id)
def test_plugin_rule_with_the_testing_harness(case: LabeledCase) -> None:
    check_case(_PluginRule, case)


def test_plugins_are_looked_for_without_importlib_metadata_when_none_is_declared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dist-info that declares the group makes the registry ask importlib.metadata; with none
    on sys.path it is never imported for plugins (tens of milliseconds at every start)."""
    site = tmp_path / "site"
    (site / "other-1.0.dist-info").mkdir(parents=True)
    (site / "other-1.0.dist-info" / "entry_points.txt").write_text("[console_scripts]\nx = y\n")
    monkeypatch.setattr(sys, "path", [str(site)])
    assert not registry._declared_anywhere(registry.ENTRY_POINT_GROUP)
    assert registry._entry_points() == []
    plugin = site / "fastlint_example-0.1.dist-info"
    plugin.mkdir()
    (plugin / "entry_points.txt").write_text("[fastlint.rules]\nexample = example:RULES\n")
    assert registry._declared_anywhere(registry.ENTRY_POINT_GROUP)
    zipped = tmp_path / "plugins.zip"
    zipped.write_bytes(b"PK")
    monkeypatch.setattr(sys, "path", [str(zipped)])
    assert registry._declared_anywhere(registry.ENTRY_POINT_GROUP)  # cannot tell: look


def test_the_catalogue_is_what_the_rule_classes_say() -> None:
    """Selection and reports read the catalogue; loading a rule gives the class it names, with
    the same code, name, default, fix kind and message (``generate_rule_docs.py`` writes it;
    the docs drift test checks it is up to date)."""
    from fastlint.docs import rule_info

    entries = registry.catalogue()
    assert list(entries) == sorted(entries) and len(entries) == len(registry.all_rules())
    for code, entry in entries.items():
        rule = entry.load()
        assert rule is registry.all_rules()[code]
        assert (entry.code, entry.name, entry.default_enabled, entry.fix, entry.message) == (
            rule.code,
            rule.name,
            rule.default_enabled,
            rule.fix_availability.value,
            rule.message,
        )
        full = rule_info(rule, "https://docs.example/rules")
        assert entry.info("https://docs.example/rules") == replace(full, documentation="")


def test_selected_rules_are_loaded_when_first_used() -> None:
    selected = registry.select_rules(Settings(select=("FL201", "FL101")))
    assert selected.codes == ("FL101", "FL201") and len(selected) == 2
    assert selected._rules is None  # selecting imported no rule
    assert [rule.code for rule in selected] == ["FL101", "FL201"]
    assert selected[1] is registry.all_rules()["FL201"]
    assert registry.entries_of(selected) == selected.entries
    assert registry.entries_of([selected[0]]) == (registry.RuleEntry.of(selected[0]),)


def test_plugin_rules_are_in_the_catalogue(plugins: list[_EntryPoint]) -> None:
    plugins.append(_EntryPoint("mine", [_PluginRule]))
    entry = registry.catalogue()["XY101"]
    assert entry.rule is _PluginRule and entry.load() is _PluginRule
    assert entry.info().url is None  # a plugin rule without its own URL has no page
    assert registry.select_rules(Settings(select=("XY101",))).codes == ("XY101",)


def test_a_run_with_every_result_cached_imports_no_rule_nor_libcst(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.fastlint]\n", encoding="utf-8")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.on_event('startup')\n"
        "async def start():\n    pass\n",
        encoding="utf-8",
    )
    script = (
        "import sys\n"
        "from fastlint import cli\n"
        "try:\n"
        "    cli.main(['check', '--output-format', 'concise', '.'])\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "names = ('libcst', 'fastlint.engine')\n"
        "loaded = sorted(m for m in sys.modules if m in names or m.startswith('fastlint.rules.'))\n"
        "print(code, loaded, file=sys.stderr)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
        for _ in range(2)
    ]
    cold, warm = runs
    assert "app/main.py:6:1: FL401" in cold.stdout and cold.stdout == warm.stdout
    assert "fastlint.rules.fl401_deprecated_on_event" in cold.stderr
    assert warm.stderr.strip() == "1 ['fastlint.rules.catalogue']"
