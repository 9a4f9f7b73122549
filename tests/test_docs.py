"""Rule docs: the generated pages in docs/rules/ match the rules' docstrings, every finding's
doc URL points at them, and `fastlint rule --all` prints them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastlint.config import tomllib
from fastlint.docs import DEFAULT_DOCS_URL, GENERATED_MARKER, REPOSITORY, rule_page, rule_url
from fastlint.registry import all_rules
from fastlint.rules import BUILTIN_RULES

from conftest import REPO, run_cli

SCRIPT = REPO / "scripts" / "generate_rule_docs.py"


def test_generated_docs_do_not_drift() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_the_check_names_drifted_files(tmp_path: Path) -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import generate_rule_docs
    finally:
        sys.path.pop(0)
    generate_rule_docs.write(tmp_path)
    assert generate_rule_docs.drift(tmp_path) == []
    (tmp_path / "FL101.md").write_text("edited by hand\n")
    (tmp_path / "FL999.md").write_text(f"{GENERATED_MARKER}\nA rule that is gone.\n")
    (tmp_path / "NOTES.md").write_text("Not generated: left alone.\n")
    (tmp_path / "FL201.md").unlink()
    assert sorted(generate_rule_docs.drift(tmp_path)) == ["FL101.md", "FL201.md", "FL999.md"]
    generate_rule_docs.write(tmp_path)
    assert generate_rule_docs.drift(tmp_path) == []
    assert not (tmp_path / "FL999.md").exists() and (tmp_path / "NOTES.md").exists()


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
