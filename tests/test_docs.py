"""Rule docs: the generated pages in docs/rules/ match the rules' docstrings, every finding's
doc URL points at them, and `fastlint rule --all` prints them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from fastlint.config import tomllib
from fastlint.docs import DEFAULT_DOCS_URL, GENERATED_MARKER, REPOSITORY, rule_page, rule_url
from fastlint.registry import all_rules
from fastlint.rule import FixAvailability
from fastlint.rules import BUILTIN_RULES

from conftest import REPO, run_cli

SCRIPT = REPO / "scripts" / "generate_rule_docs.py"


def test_generated_docs_do_not_drift() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def _generator() -> ModuleType:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import generate_rule_docs
    finally:
        sys.path.pop(0)
    return generate_rule_docs


def test_the_check_names_drifted_files(tmp_path: Path) -> None:
    generator = _generator()
    readme = tmp_path / "README.md"
    readme.write_text((REPO / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    docs = tmp_path / "docs"
    generator.write(docs, readme)
    assert generator.drift(docs, readme) == []
    (docs / "FL101.md").write_text("edited by hand\n")
    (docs / "FL999.md").write_text(f"{GENERATED_MARKER}\nA rule that is gone.\n")
    (docs / "NOTES.md").write_text("Not generated: left alone.\n")
    (docs / "FL201.md").unlink()
    assert sorted(generator.drift(docs, readme)) == ["FL101.md", "FL201.md", "FL999.md"]
    generator.write(docs, readme)
    assert generator.drift(docs, readme) == []
    assert not (docs / "FL999.md").exists() and (docs / "NOTES.md").exists()


def _readme_rule_rows(readme: str) -> dict[str, list[str]]:
    """Code -> cells (code, name, what it finds, fix, default) of the README's rule table."""
    generator = _generator()
    table = readme[readme.index(generator.TABLE_BEGIN) : readme.index(generator.TABLE_END)]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        code = re.match(r"\[(FL\d{3})\]", cells[0])
        if code:
            rows[code.group(1)] = cells
    return rows


def test_item13_readme_rule_table_is_the_registry(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = _readme_rule_rows(readme)
    assert list(rows) == sorted(rule.code for rule in BUILTIN_RULES)
    listing = run_cli("rules", cwd=tmp_path).out  # the same vocabulary as `fastlint rules`
    for rule in BUILTIN_RULES:
        code, name, finds, fix, default = rows[rule.code]
        assert (code, name) == (f"[{rule.code}](docs/rules/{rule.code}.md)", rule.name)
        assert finds == rule.description and fix == rule.fix_availability.value
        assert default == ("on" if rule.default_enabled else "off")
        assert f"{rule.code}  {default:<3}  fix: {fix:<14}  {rule.name}" in listing
        assert f"Fix: {fix} (" in rule_page(rule)
    for kind in FixAvailability:  # the legend explains every label
        assert f"**{kind.value}**: {kind.description}" in " ".join(readme.split())

    # A label edited by hand is drift, and writing puts the registry's back.
    generator = _generator()
    row = "| deprecated-on-event | `@app.on_event(...)` instead of a lifespan | safe |"
    assert row in readme
    copy = tmp_path / "README.md"
    copy.write_text(readme.replace(row, row[:-2] + ", when every handler is known |"))
    assert _readme_rule_rows(copy.read_text())["FL401"][3] != "safe"
    assert generator.drift(REPO / "docs" / "rules", copy) == ["README.md (the rule table)"]
    generator.write(tmp_path / "docs", copy)
    assert copy.read_text(encoding="utf-8") == readme


def test_every_builtin_rule_has_a_marked_page() -> None:
    for rule in BUILTIN_RULES:
        page = (REPO / "docs" / "rules" / f"{rule.code}.md").read_text(encoding="utf-8")
        assert page.startswith(GENERATED_MARKER)
        assert page.endswith(rule_page(rule))
        assert "## What it does" in page


def test_the_docs_url_comes_from_the_project_urls() -> None:
    with open(REPO / "pyproject.toml", "rb") as handle:
        urls = tomllib.load(handle)["project"]["urls"]
    assert urls["Repository"] == REPOSITORY
    assert f"{urls['Repository']}/blob/main/docs/rules/" == DEFAULT_DOCS_URL
    assert urls["Documentation"] == DEFAULT_DOCS_URL
    rule = all_rules()["FL101"]
    assert rule_url(rule) == DEFAULT_DOCS_URL + "FL101.md"
    assert rule_url(rule, "https://lint.example/rules") == "https://lint.example/rules/FL101.md"


def test_docs_url_from_configuration(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.fastlint]\ndocs-url = "https://wiki.example/fastlint/"\n'
    )
    (project / "app.py").write_text(
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n"
        'app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=["*"], '
        "allow_credentials=True)\n"
    )
    result = run_cli("check", "--output-format", "json-lines", ".", cwd=project)
    assert '"url": "https://wiki.example/fastlint/FL201.md"' in result.out


def test_rule_all_prints_every_page(project: Path) -> None:
    result = run_cli("rule", "--all", cwd=project)
    assert result.code == 0
    for rule in all_rules().values():
        assert rule_page(rule) in result.out
    assert result.out.count("## What it does") == len(all_rules())
    assert run_cli("rule", cwd=project).code == 2
    assert run_cli("rule", "FL101", "--all", cwd=project).code == 2


def test_rules_accepts_output_format_and_format(project: Path) -> None:
    as_option = run_cli("rules", "--output-format", "json", cwd=project)
    alias = run_cli("rules", "--format", "json", cwd=project)
    assert as_option.code == 0 and as_option.out == alias.out
    assert as_option.out.lstrip().startswith("[")
