"""Each integration snippet of the README, run (or validated) as written: the shell commands
in a project, the CI jobs against their services' schemas with their fastlint steps run, the
SARIF file the GitHub job would upload against the SARIF schema, and the plugin package
against the files the plugin test installs. (The pre-commit snippet runs in
test_precommit.py, the plugin install commands in test_plugins.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml

from conftest import (
    CORS_APP,
    REPO,
    VALIDATOR_MODEL,
    readme_snippet,
    run_shell,
    snippet_commands,
    validate_sarif,
    write_tree,
)

INSTALL = "pip install "  # steps that install fastlint itself are not run here


def _validate_with_check_jsonschema(document: Path, schema: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(document)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_stdin_snippet(project: Path) -> None:
    write_tree(project, {"app/main.py": VALIDATOR_MODEL})
    before = (project / "app/main.py").read_text()
    report, fix = snippet_commands("stdin")
    checked = run_shell(report, project)
    assert checked.code == 1
    assert checked.out.startswith("app/main.py:7:5: FL301 [*] ")
    fixed = run_shell(fix, project)
    assert fixed.code == 0, fixed
    assert '@field_validator("name", mode="before")' in (project / "fixed.py").read_text()
    assert (project / "app/main.py").read_text() == before


def test_baseline_snippets(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    write, check, add_noqa = snippet_commands("baseline")
    assert run_shell(write, project).code == 0
    assert (project / ".fastlint-baseline.json").is_file()
    result = run_shell(check, project)
    assert result.code == 0 and "2 findings in the baseline not shown." in result.out
    # The configuration snippet makes the baseline the default.
    (project / "pyproject.toml").write_text(readme_snippet("baseline-config"))
    assert run_shell("fastlint check", project).code == 0
    # --add-noqa instead of a baseline.
    (project / "pyproject.toml").write_text("[tool.fastlint]\n")
    noqa = run_shell(add_noqa, project)
    assert noqa.code == 0 and "Added 2 noqa directives." in noqa.err
    assert run_shell("fastlint check", project).code == 0


def _job_commands(steps: list[dict[str, object]]) -> list[str]:
    return [
        str(step["run"])
        for step in steps
        if "run" in step and not str(step["run"]).startswith(INSTALL)
    ]


def test_github_actions_snippet(project: Path) -> None:
    workflow = project / "fastlint.yml"
    workflow.write_text(readme_snippet("github-actions"))
    _validate_with_check_jsonschema(workflow, "vendor.github-workflows")
    steps = yaml.safe_load(workflow.read_text())["jobs"]["fastlint"]["steps"]
    uploads = [
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")
    ]
    assert len(uploads) == 1
    sarif_file = uploads[0]["with"]["sarif_file"]

    write_tree(project, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    annotate, sarif = _job_commands(steps)
    annotations = run_shell(annotate, project)
    assert annotations.code == 1  # the step fails the job
    assert annotations.out.startswith(
        "::error title=fastlint (FL201),file=app/main.py,line=7,col=5,"
    )
    produced = run_shell(sarif, project)
    assert produced.code == 0, produced  # --exit-zero: the upload runs
    log = json.loads((project / sarif_file).read_text(encoding="utf-8"))
    validate_sarif(log)
    results = log["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == [
        "app/main.py",
        "app/models.py",
    ]


def test_gitlab_ci_snippet(project: Path) -> None:
    config = project / ".gitlab-ci.yml"
    config.write_text(readme_snippet("gitlab-ci"))
    _validate_with_check_jsonschema(config, "vendor.gitlab-ci")
    job = yaml.safe_load(config.read_text())["fastlint"]
    commands = [c for c in job["script"] if not c.startswith(INSTALL)]
    write_tree(project, {"app/main.py": CORS_APP})
    junit, gitlab = (run_shell(command, project) for command in commands)
    assert junit.code == 0 and gitlab.code == 1
    reports = job["artifacts"]["reports"]
    suites = ElementTree.parse(project / reports["junit"]).getroot()
    assert suites.get("failures") == "1"
    issues = json.loads((project / reports["codequality"]).read_text())
    assert issues[0]["check_name"] == "FL201" and issues[0]["location"]["path"] == "app/main.py"
    assert len(issues[0]["fingerprint"]) == 32


@pytest.mark.parametrize(
    "name", ["pyproject.toml", "fastlint_example/rules.py", "tests/test_rules.py"]
)
def test_plugin_package_snippets_are_the_tested_package(name: str) -> None:
    package = REPO / "tests" / "data" / "plugin_example"
    assert readme_snippet(f"plugin/{name}") == (package / name).read_text(encoding="utf-8")
