"""Every example of the README, run (or validated) as written, on a project where it has
something to do: the shell commands, the configuration, the noqa comment, the CI jobs against
their services' schemas with their fastlint steps run, the SARIF file the GitHub job would
upload against the SARIF schema, the plugin package against the files the plugin test
installs, and the `fastlint ...` commands quoted in the prose. Every fenced block of the
README is named (``<!-- snippet: NAME -->``) and listed in ``RUN_BY`` with the test that runs
it, so a new example without a test fails. (The pre-commit snippet runs in test_precommit.py,
the plugin install commands in test_plugins.py, the Quick start command in test_fixtures.py.)"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from fastlint.docs import rule_page
from fastlint.rules import BUILTIN_RULES

from conftest import (
    CORS_APP,
    REPO,
    SYNC_DB_ROUTE,
    VALIDATOR_MODEL,
    CliResult,
    readme_blocks,
    readme_inline_commands,
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
    "name",
    ["plugin/pyproject.toml", "plugin/fastlint_example/rules.py", "plugin/tests/test_rules.py"],
)
def test_plugin_package_snippets_are_the_tested_package(name: str) -> None:
    """test_plugins.py installs this package and runs its tests."""
    package = REPO / "tests" / "data" / "plugin_example"
    path = package / name[len("plugin/") :]
    assert readme_snippet(name) == path.read_text(encoding="utf-8")


# Each fenced block of the README -> the test that runs it (file::function). The test must name
# the snippet in a string literal (readme_snippet("NAME"), snippet_commands("NAME")).
RUN_BY = {
    "quick-start": "test_fixtures.py::test_fixtures_command_from_the_readme",
    "test-suite": "test_readme_snippets.py::test_test_suite_snippet_is_what_ci_runs",
    "usage": "test_readme_snippets.py::test_usage_snippet",
    "configuration": "test_readme_snippets.py::test_configuration_snippet",
    "noqa": "test_readme_snippets.py::test_noqa_snippet",
    "stdin": "test_readme_snippets.py::test_stdin_snippet",
    "baseline": "test_readme_snippets.py::test_baseline_snippets",
    "baseline-config": "test_readme_snippets.py::test_baseline_snippets",
    "pre-commit": "test_precommit.py::test_readme_config_on_real_commits",
    "github-actions": "test_readme_snippets.py::test_github_actions_snippet",
    "gitlab-ci": "test_readme_snippets.py::test_gitlab_ci_snippet",
    "plugin/pyproject.toml": (
        "test_readme_snippets.py::test_plugin_package_snippets_are_the_tested_package"
    ),
    "plugin/fastlint_example/rules.py": (
        "test_readme_snippets.py::test_plugin_package_snippets_are_the_tested_package"
    ),
    "plugin/tests/test_rules.py": (
        "test_readme_snippets.py::test_plugin_package_snippets_are_the_tested_package"
    ),
    "plugin-install": "test_plugins.py::test_the_readme_commands",
    "routes": "test_readme_snippets.py::test_routes_snippets",
    "routes-output": "test_readme_snippets.py::test_routes_snippets",
}


def _strings_in_test(address: str) -> set[str]:
    """The string literals of a test function (decorators included), found by its address."""
    filename, function = address.split("::")
    tree = ast.parse((REPO / "tests" / filename).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return {
                n.value
                for n in ast.walk(node)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            }
    raise AssertionError(f"{address}: no such test")


def test_item12_every_readme_block_and_command_is_run() -> None:
    blocks = readme_blocks()
    unnamed = [f"README.md:{b.line} ({b.language})" for b in blocks if b.name is None]
    assert not unnamed, f"fenced blocks without a <!-- snippet: NAME --> line: {unnamed}"
    names = [b.name for b in blocks if b.name is not None]
    assert len(names) == len(set(names)), "two snippets share a name"
    assert set(names) == set(RUN_BY), "RUN_BY lists a snippet the README lacks, or lacks one"
    for name, address in RUN_BY.items():
        assert name in _strings_in_test(address), f"{address} does not run the snippet {name!r}"
    # Every `fastlint` line of a shell block is one of the commands its test runs.
    for block in blocks:
        if block.language == "sh" and block.name is not None:
            for line in block.body.splitlines():
                if line.startswith("fastlint"):
                    assert line.split("#")[0].strip() in snippet_commands(block.name)
    assert set(readme_inline_commands()) == set(INLINE), "a quoted command has no check here"


def test_test_suite_snippet_is_what_ci_runs() -> None:
    command = readme_snippet("test-suite").strip()
    assert command.endswith("&& .venv/bin/pytest -q")
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci_lines  # .ci/run runs it, so every CI run runs it as written


def test_routes_snippets(tmp_path: Path) -> None:
    """The `fastlint routes` commands, run on a copy of the fixture app the README shows, and
    the listing it shows, exactly."""
    import shutil

    copy = tmp_path / "routes_app"
    shutil.copytree(REPO / "fixtures" / "routes_app", copy)
    listing, subdirectory, as_json = snippet_commands("routes")
    result = run_shell(listing, copy)
    assert result.code == 0, result.err
    assert result.out == readme_snippet("routes-output")
    below = run_shell(subdirectory, copy)
    assert below.code == 0 and "/api/users/me" in below.out and "/admin/cache" not in below.out
    entries = json.loads(run_shell(as_json, copy).out)
    assert {e["method"] for e in entries} >= {"GET", "POST", "WEBSOCKET"}


EVENTS_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.on_event("startup")
async def connect():
    app.state.ready = True
"""

LIFESPAN_APP = """
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app):
    yield


app = FastAPI(lifespan=lifespan)


@app.on_event("shutdown")
async def close():
    app.state.ready = False
"""

USAGE_TREE = {
    "app/main.py": CORS_APP,  # FL201, no fix
    "app/models.py": VALIDATOR_MODEL,  # FL301, a safe fix
    "app/routes.py": SYNC_DB_ROUTE,  # FL101, an unsafe fix
    "app/events.py": EVENTS_APP,  # FL401, a safe fix
    "app/lifespan.py": LIFESPAN_APP,  # FL402, no fix
    "tests/test_models.py": VALIDATOR_MODEL,  # FL301
    "docs/conf.py": VALIDATOR_MODEL,  # outside app/ and tests/
}


def _codes(result: CliResult) -> list[tuple[str, str]]:
    """(file, code) of each finding of a full report."""
    import re

    return re.findall(r"^([\w/]+\.py):\d+:\d+: (FL\d{3}) ", result.out, re.MULTILINE)


def _check_everything(result: CliResult, project: Path) -> None:
    assert result.code == 1
    assert {code for _, code in _codes(result)} == {"FL101", "FL201", "FL301", "FL401", "FL402"}
    assert ("docs/conf.py", "FL301") in _codes(result)
    assert "Found 7 errors." in result.out


def _check_paths(result: CliResult, project: Path) -> None:
    assert result.code == 1
    files = {path for path, _ in _codes(result)}
    assert "tests/test_models.py" in files and "app/models.py" in files
    assert "docs/conf.py" not in files


def _check_fix(result: CliResult, project: Path) -> None:
    assert result.code == 1  # FL101 (unsafe), FL201 and FL402 (no fix) remain
    assert "Found 7 errors (4 fixed, 3 remaining)." in result.out
    assert "@field_validator" in (project / "app/models.py").read_text()
    assert "lifespan=lifespan" in (project / "app/events.py").read_text()
    assert "async def users" in (project / "app/routes.py").read_text()


def _check_unsafe_fix(result: CliResult, project: Path) -> None:
    assert result.code == 1
    assert "Found 7 errors (5 fixed, 2 remaining)." in result.out
    assert "\ndef users():" in (project / "app/routes.py").read_text()


def _check_diff(result: CliResult, project: Path) -> None:
    assert result.code == 1
    assert '+    @field_validator("name", mode="before")' in result.out
    assert "Would fix 4 errors." in result.err
    for relative, content in USAGE_TREE.items():
        assert (project / relative).read_text() == content.lstrip("\n")


def _check_select(result: CliResult, project: Path) -> None:
    assert result.code == 1
    assert _codes(result) == [("app/events.py", "FL401")]


def _check_json(result: CliResult, project: Path) -> None:
    assert result.code == 1
    findings = json.loads(result.out)
    assert len(findings) == 7
    assert {f["code"] for f in findings} == {"FL101", "FL201", "FL301", "FL401", "FL402"}
    assert all(f["url"].endswith(f"/docs/rules/{f['code']}.md") for f in findings)


def _check_statistics(result: CliResult, project: Path) -> None:
    assert result.code == 1
    assert result.out.splitlines() == [
        "3\tFL301\t[*] deprecated-validator",
        "1\tFL101\t[ ] sync-db-in-async",
        "1\tFL201\t[ ] cors-wildcard-credentials",
        "1\tFL401\t[*] deprecated-on-event",
        "1\tFL402\t[ ] on-event-ignored",
        "Found 7 errors.",
        "[*] 4 fixable with the --fix option (1 hidden fix can be enabled with --unsafe-fixes).",
    ]


USAGE: dict[str, Callable[[CliResult, Path], None]] = {
    "fastlint check": _check_everything,
    "fastlint check app/ tests/": _check_paths,
    "fastlint check --fix": _check_fix,
    "fastlint check --fix --unsafe-fixes": _check_unsafe_fix,
    "fastlint check --diff": _check_diff,
    "fastlint check --select FL4 --ignore FL402": _check_select,
    "fastlint check --output-format json": _check_json,
    "fastlint check --statistics": _check_statistics,
}


def test_usage_snippet(tmp_path: Path) -> None:
    commands = snippet_commands("usage")
    assert commands == list(USAGE), "a command of the Usage snippet has no check here"
    for number, command in enumerate(commands):
        project = tmp_path / str(number)
        write_tree(project, {"pyproject.toml": "[tool.fastlint]\n", **USAGE_TREE})
        result = run_shell(command, project)
        assert result.code != 2, (command, result.err)
        USAGE[command](result, project)


def test_configuration_snippet(project: Path) -> None:
    routes_in_tests = SYNC_DB_ROUTE.replace("/users", "/test-users")
    write_tree(
        project,
        {
            "app/main.py": CORS_APP,  # FL201: not selected
            "app/models.py": VALIDATOR_MODEL,  # FL301: extend-select
            "app/routes.py": SYNC_DB_ROUTE,  # FL101: selected (FL1)
            "app/events.py": EVENTS_APP,  # FL401: selected (FL4)
            "app/lifespan.py": LIFESPAN_APP,  # FL402: ignored
            "app/legacy.py": VALIDATOR_MODEL,  # in the baseline
            "app/generated_models.py": VALIDATOR_MODEL,  # extend-exclude
            "migrations/0001_users.py": VALIDATOR_MODEL,  # extend-exclude
            "build_output/models.py": VALIDATOR_MODEL,  # .gitignore
            ".gitignore": "build_output/\n",
            "tests/test_routes.py": routes_in_tests,  # FL1 ignored under tests/
        },
    )
    # With the defaults, every one of them is reported (build_output/ is gitignored anyway).
    plain = json.loads(run_shell("fastlint check --output-format json", project).out)
    assert {"FL201", "FL402"} <= {f["code"] for f in plain}
    assert {f["filename"] for f in plain} >= {
        "app/legacy.py",
        "app/generated_models.py",
        "migrations/0001_users.py",
        "tests/test_routes.py",
    }
    (project / "pyproject.toml").write_text(readme_snippet("configuration"))
    recorded = run_shell(
        "fastlint check --write-baseline .fastlint-baseline.json app/legacy.py", project
    )
    assert recorded.code == 0 and "Wrote 1 finding to the baseline" in recorded.err, recorded
    result = run_shell("fastlint check --output-format json", project)
    assert result.code == 1, result.err
    findings = json.loads(result.out)
    assert sorted((f["filename"], f["code"]) for f in findings) == [
        ("app/events.py", "FL401"),
        ("app/models.py", "FL301"),
        ("app/routes.py", "FL101"),
    ]
    assert all(
        f["url"] == f"https://github.com/fastlint/fastlint/blob/main/docs/rules/{f['code']}.md"
        for f in findings
    )
    text = run_shell("fastlint check", project)
    assert "1 finding in the baseline not shown." in text.out
    assert "[*] 2 fixable with the --fix option (1 hidden fix" in text.out  # unsafe-fixes = false
    # pydantic-version = 1 switches FL301 off.
    (project / "pyproject.toml").write_text(
        readme_snippet("configuration").replace("pydantic-version = 2", "pydantic-version = 1")
    )
    codes = {
        f["code"] for f in json.loads(run_shell("fastlint check --output-format json", project).out)
    }
    assert codes == {"FL101", "FL401"}


NOQA_PRELUDE = """
from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session

app = FastAPI()


def get_db():
    with Session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


"""


def test_noqa_snippet(project: Path) -> None:
    snippet = readme_snippet("noqa")
    assert "  # noqa: FL101\n" in snippet
    main = project / "app/main.py"

    def check(code: str) -> CliResult:
        main.parent.mkdir(exist_ok=True)
        main.write_text(NOQA_PRELUDE.lstrip("\n") + code)
        return run_shell("fastlint check --output-format concise", project)

    assert check(snippet).code == 0  # suppressed, and FL002 finds the noqa used
    # Without it, the finding is on that line.
    found = check(snippet.replace("  # noqa: FL101", ""))
    row = main.read_text().splitlines().index('    return db.execute(text("select 1")).all()') + 1
    assert found.code == 1 and found.out.startswith(f"app/main.py:{row}:12: FL101 "), found.out
    # On the decorator line it would suppress nothing.
    misplaced = check(
        snippet.replace("  # noqa: FL101", "").replace(
            '@app.get("/legacy")', '@app.get("/legacy")  # noqa: FL101'
        )
    )
    assert [line.split()[1] for line in misplaced.out.splitlines()[:2]] == ["FL002", "FL101"]


def _inline_rules(project: Path) -> None:
    result = run_shell("fastlint rules", project)
    assert result.code == 0
    assert [line.split()[0] for line in result.out.splitlines()] == [r.code for r in BUILTIN_RULES]


def _inline_rule(project: Path) -> None:
    result = run_shell("fastlint rule FL101", project)
    fl101 = next(rule for rule in BUILTIN_RULES if rule.code == "FL101")
    assert result.code == 0 and result.out == rule_page(fl101)


def _inline_rule_all(project: Path) -> None:
    result = run_shell("fastlint rule --all", project)
    assert result.code == 0 and result.out.count("## What it does") == len(BUILTIN_RULES)


def _inline_plugins(project: Path) -> None:
    result = run_shell("fastlint plugins", project)
    assert result.code == 0 and result.out == "No plugin rules installed.\n"


def _inline_routes(project: Path) -> None:
    assert run_shell("fastlint routes", project).out == "No routes found.\n"
    write_tree(project, {"app/main.py": CORS_APP + '\n\n@app.get("/")\ndef index(): ...\n'})
    result = run_shell("fastlint routes", project)
    assert result.code == 0 and result.out.splitlines()[1].split()[:2] == ["GET", "/"]


def _inline_clean(project: Path) -> None:
    write_tree(project, {"app/routes.py": SYNC_DB_ROUTE})
    assert run_shell("fastlint check", project).code == 1
    assert (project / ".fastlint_cache").is_dir()
    result = run_shell("fastlint clean", project)  # [PATHS]: none, the current directory
    assert result.code == 0 and result.out.startswith("Removed ")
    assert not (project / ".fastlint_cache").exists()


def _inline_version(project: Path) -> None:
    from fastlint import __version__

    result = run_shell("fastlint --version", project)
    assert result.code == 0 and result.out == f"fastlint {__version__}\n"
    assert f"This README describes fastlint {__version__} " in " ".join(
        (REPO / "README.md").read_text(encoding="utf-8").split()
    )


def _inline_hooks(fix: bool) -> Callable[[Path], None]:
    def check(project: Path) -> None:
        """The hook's entry, on the files pre-commit would name: an excluded one is skipped."""
        write_tree(
            project,
            {"app/models.py": VALIDATOR_MODEL, "migrations/0001.py": VALIDATOR_MODEL},
        )
        (project / "pyproject.toml").write_text(
            '[tool.fastlint]\nextend-exclude = ["migrations"]\n'
        )
        command = "fastlint check --force-exclude" + (" --fix" if fix else "")
        result = run_shell(f"{command} app/models.py migrations/0001.py", project)
        assert "migrations" not in result.out
        models = (project / "app/models.py").read_text()
        if fix:
            assert result.code == 0 and "@field_validator" in models
        else:
            assert result.code == 1 and "app/models.py:7:5: FL301" in result.out
        assert "@validator" in (project / "migrations/0001.py").read_text()

    return check


INLINE: dict[str, Callable[[Path], None]] = {
    "fastlint rules": _inline_rules,
    "fastlint rule FL101": _inline_rule,
    "fastlint rule --all": _inline_rule_all,
    "fastlint plugins": _inline_plugins,
    "fastlint routes": _inline_routes,
    "fastlint clean [PATHS]": _inline_clean,
    "fastlint --version": _inline_version,
    "fastlint check --force-exclude --fix": _inline_hooks(fix=True),
    "fastlint check --force-exclude": _inline_hooks(fix=False),
}


@pytest.mark.parametrize("command", list(INLINE))
def test_inline_commands(command: str, project: Path) -> None:
    INLINE[command](project)
