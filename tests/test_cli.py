"""The command line end to end: exit codes, output, summary lines, files on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import CORS_APP, SYNC_DB_ROUTE, VALIDATOR_MODEL, run_cli, write_tree


def test_clean_project_exits_zero(project: Path) -> None:
    write_tree(project, {"app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"})
    result = run_cli("check", ".", cwd=project)
    assert result.code == 0, result
    assert result.out.strip() == "All checks passed!"
    assert result.err == ""


def test_findings_exit_one_with_summary(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    result = run_cli("check", ".", cwd=project)
    assert result.code == 1, result
    assert "app/main.py:7:5: FL201 " in result.out
    assert "app/models.py:7:5: FL301 [*] " in result.out
    assert "Found 2 errors." in result.out
    assert "[*] 1 fixable with the --fix option." in result.out
    # The full format shows a code frame with a caret line.
    assert "^" in result.out and " | " in result.out


def test_hidden_unsafe_fixes_are_counted(project: Path) -> None:
    write_tree(
        project,
        {
            "app/models.py": """
            from pydantic import BaseModel, validator


            class User(BaseModel):
                name: str
                password2: str

                @validator("password2")
                def passwords_match(cls, value, values):
                    if value != values.get("password"):
                        raise ValueError("mismatch")
                    return value
            """
        },
    )
    result = run_cli("check", ".", cwd=project)
    assert result.code == 1
    assert "No fixes available (1 hidden fix can be enabled with --unsafe-fixes)." in result.out
    result = run_cli("check", "--unsafe-fixes", ".", cwd=project)
    assert "[*] 1 fixable with the --fix option." in result.out


def test_fix_writes_then_second_run_is_clean(project: Path) -> None:
    write_tree(project, {"app/models.py": VALIDATOR_MODEL})
    target = project / "app/models.py"
    result = run_cli("check", "--fix", ".", cwd=project)
    assert result.code == 0, result
    assert "Found 1 error (1 fixed, 0 remaining)." in result.out
    fixed = target.read_text()
    assert '@field_validator("name", mode="before")' in fixed
    assert "@classmethod" in fixed
    again = run_cli("check", "--fix", ".", cwd=project)
    assert again.code == 0
    assert again.out.strip() == "All checks passed!"
    assert target.read_text() == fixed


def test_fix_with_remaining_findings_exits_one(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    result = run_cli("check", "--fix", ".", cwd=project)
    assert result.code == 1
    assert "Found 2 errors (1 fixed, 1 remaining)." in result.out


def test_diff_prints_and_writes_nothing(project: Path) -> None:
    write_tree(project, {"app/models.py": VALIDATOR_MODEL})
    before = (project / "app/models.py").read_bytes()
    result = run_cli("check", "--diff", ".", cwd=project)
    assert result.code == 1
    assert result.out.startswith("--- app/models.py\n+++ app/models.py\n")
    assert '-    @validator("name", pre=True)' in result.out
    assert '+    @field_validator("name", mode="before")' in result.out
    assert (project / "app/models.py").read_bytes() == before
    assert "Would fix 1 error." in result.err


def test_diff_without_fixes_exits_zero(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP})
    result = run_cli("check", "--diff", ".", cwd=project)
    assert result.code == 0
    assert result.out == ""


def test_select_ignore_prefix_and_names(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    only_cors = run_cli("check", "--select", "FL2", "--output-format", "concise", ".", cwd=project)
    assert "FL201" in only_cors.out and "FL301" not in only_cors.out
    by_name = run_cli(
        "check", "--select", "deprecated-validator", "--output-format", "concise", ".", cwd=project
    )
    assert "FL301" in by_name.out and "FL201" not in by_name.out
    ignored = run_cli("check", "--ignore", "FL201,FL301", ".", cwd=project)
    assert ignored.code == 0
    extended = run_cli(
        "check",
        "--select",
        "FL2",
        "--extend-select",
        "FL3",
        "--output-format",
        "concise",
        ".",
        cwd=project,
    )
    assert "FL201" in extended.out and "FL301" in extended.out
    everything = run_cli("check", "--select", "ALL", "--output-format", "concise", ".", cwd=project)
    assert "FL201" in everything.out and "FL301" in everything.out


def test_unknown_selector_is_a_usage_error(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP})
    result = run_cli("check", "--select", "FL999", ".", cwd=project)
    assert result.code == 2
    assert "unknown rule selector 'FL999'" in result.err
    assert "Traceback" not in result.err


def test_bad_option_is_a_usage_error(project: Path) -> None:
    result = run_cli("check", "--output-format", "xml", ".", cwd=project)
    assert result.code == 2
    assert "Traceback" not in result.err


def test_exit_zero(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP})
    result = run_cli("check", "--exit-zero", ".", cwd=project)
    assert result.code == 0
    assert "FL201" in result.out


TWO_VALIDATORS = """
from pydantic import BaseModel, validator


class User(BaseModel):
    name: str
    email: str

    @validator("name")
    def strip_name(cls, value):
        return value.strip()

    @validator("email")
    def lower_email(cls, value):
        return value.lower()
"""


def test_item14_statistics_in_every_format(project: Path) -> None:
    write_tree(
        project,
        {"app/main.py": CORS_APP, "app/models.py": TWO_VALIDATORS, "app/routes.py": SYNC_DB_ROUTE},
    )
    table = [
        "2\tFL301\t[*] deprecated-validator",
        "1\tFL101\t[ ] sync-db-in-async",
        "1\tFL201\t[ ] cors-wildcard-credentials",
    ]
    summary = [
        "Found 4 errors.",
        "[*] 2 fixable with the --fix option (1 hidden fix can be enabled with --unsafe-fixes).",
    ]
    text = run_cli("check", "--statistics", cwd=project)
    assert text.code == 1, text
    assert text.out.splitlines() == table + summary  # most frequent first, then by code
    assert run_cli("check", "--statistics", "-q", cwd=project).out.splitlines() == table

    as_json = run_cli("check", "--statistics", "--output-format", "json", cwd=project)
    assert as_json.code == 1 and as_json.err == ""
    objects = [
        {"code": "FL301", "name": "deprecated-validator", "count": 2, "fixable": True},
        {"code": "FL101", "name": "sync-db-in-async", "count": 1, "fixable": False},
        {"code": "FL201", "name": "cors-wildcard-credentials", "count": 1, "fixable": False},
    ]
    assert json.loads(as_json.out) == objects  # and nothing else on standard output
    unsafe = run_cli(
        "check", "--statistics", "--output-format", "json", "--unsafe-fixes", cwd=project
    )
    assert [s["fixable"] for s in json.loads(unsafe.out)] == [True, True, False]
    lines = run_cli("check", "--statistics", "--output-format", "json-lines", cwd=project)
    assert [json.loads(line) for line in lines.out.splitlines()] == objects
    assert (
        run_cli("check", "--statistics", "--output-format", "json", "-o", "s.json", cwd=project).out
        == ""
    )
    assert json.loads((project / "s.json").read_text()) == objects

    # Formats with no statistics shape of their own print the table for people.
    for output_format in ("concise", "full", "github", "gitlab", "sarif", "junit"):
        other = run_cli("check", "--statistics", "--output-format", output_format, cwd=project)
        assert other.code == 1 and other.out.splitlines() == table + summary, output_format

    # After --fix: what remains, and what was fixed.
    fixed = run_cli("check", "--statistics", "--fix", cwd=project)
    assert fixed.code == 1
    assert fixed.out.splitlines() == [
        "1\tFL101\t[ ] sync-db-in-async",
        "1\tFL201\t[ ] cors-wildcard-credentials",
        "Found 4 errors (2 fixed, 2 remaining).",
        "No fixes available (1 hidden fix can be enabled with --unsafe-fixes).",
    ]
    (project / "app").joinpath("main.py").unlink()
    (project / "app").joinpath("routes.py").unlink()
    clean = run_cli("check", "--statistics", cwd=project)
    assert clean.code == 0 and clean.out == "All checks passed!\n"
    empty = run_cli("check", "--statistics", "--output-format", "json", cwd=project)
    assert empty.code == 0 and json.loads(empty.out) == []


def test_json_output_shape(project: Path) -> None:
    write_tree(project, {"app/models.py": VALIDATOR_MODEL, "app/main.py": CORS_APP})
    result = run_cli("check", "--output-format", "json", ".", cwd=project)
    assert result.code == 1
    data = json.loads(result.out)
    assert [d["code"] for d in data] == ["FL201", "FL301"]
    cors, validator = data
    assert set(cors) == {
        "code",
        "name",
        "message",
        "filename",
        "location",
        "end_location",
        "fix",
        "noqa_row",
        "url",
    }
    assert cors["url"] == "https://github.com/fastlint/fastlint/blob/main/docs/rules/FL201.md"
    assert cors["filename"] == "app/main.py"
    assert cors["name"] == "cors-wildcard-credentials"
    assert cors["fix"] is None
    assert cors["location"] == {"row": 7, "column": 5}
    assert validator["location"] == {"row": 7, "column": 5}
    assert validator["noqa_row"] == 7
    fix = validator["fix"]
    assert fix["applicability"] == "safe"
    assert fix["message"]
    contents = [edit["content"] for edit in fix["edits"]]
    assert "field_validator" in contents and '"before"' in contents
    for edit in fix["edits"]:
        assert set(edit) == {"content", "location", "end_location"}
        assert set(edit["location"]) == {"row", "column"}


def test_rule_and_rules_commands(project: Path) -> None:
    doc = run_cli("rule", "FL301", cwd=project)
    assert doc.code == 0
    assert "## What it does" in doc.out and "## Fix safety" in doc.out
    by_name = run_cli("rule", "deprecated-validator", cwd=project)
    assert by_name.out == doc.out
    missing = run_cli("rule", "FL999", cwd=project)
    assert missing.code == 2 and "unknown rule" in missing.err
    listing = run_cli("rules", "--format", "json", cwd=project)
    rows = json.loads(listing.out)
    codes = [row["code"] for row in rows]
    assert {"FL101", "FL201", "FL301", "FL401"} <= set(codes)
    assert codes == sorted(codes)
    assert all(set(row) == {"code", "name", "fix", "default", "message", "url"} for row in rows)
    assert rows[codes.index("FL101")]["url"].endswith("/docs/rules/FL101.md")
    text = run_cli("rules", cwd=project)
    assert "FL101" in text.out and "sync-db-in-async" in text.out


def test_version(project: Path) -> None:
    import fastlint

    result = run_cli("--version", cwd=project)
    assert result.code == 0
    assert result.out.strip() == f"fastlint {fastlint.__version__}"


def test_default_path_is_current_directory(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP})
    result = run_cli("check", cwd=project)
    assert result.code == 1 and "FL201" in result.out


def test_item11_missing_path_is_an_error(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    alone = run_cli("check", "nope/", cwd=project)
    assert alone.code == 2, alone
    assert alone.err == "fastlint: error: nope/: no such file or directory\n"
    assert "All checks passed!" not in alone.out
    # Also next to paths that exist: nothing is checked, nothing is fixed.
    before = (project / "app/models.py").read_text()
    mixed = run_cli("check", "--fix", "app/", "nope.py", "app/models.py", "gone/", cwd=project)
    assert mixed.code == 2, mixed
    assert mixed.err.splitlines() == [
        "fastlint: error: nope.py: no such file or directory",
        "fastlint: error: gone/: no such file or directory",
    ]
    assert mixed.out == "" and (project / "app/models.py").read_text() == before
    # --exit-zero is for findings, not for a run that could not start.
    assert run_cli("check", "--exit-zero", "nope/", cwd=project).code == 2
    # A broken symbolic link named on the command line is the same mistake.
    (project / "link.py").symlink_to(project / "missing.py")
    linked = run_cli("check", "link.py", cwd=project)
    assert linked.code == 2 and linked.err == "fastlint: error: link.py: broken symbolic link\n"
    # `fastlint clean` refuses too (it would otherwise clean the project around the typo).
    write_tree(project, {"app/routes.py": SYNC_DB_ROUTE})
    assert run_cli("check", "app/", cwd=project).code == 1  # writes the project's cache
    cleaned = run_cli("clean", "nope/", cwd=project)
    assert cleaned.code == 2 and cleaned.err == alone.err
    assert (project / ".fastlint_cache").is_dir()
    # A --stdin-filename need not exist (an editor's unsaved buffer).
    command = ["check", "--output-format", "concise", "-", "--stdin-filename", "new/unsaved.py"]
    stdin = subprocess.run(
        [sys.executable, "-m", "fastlint", *command],
        cwd=project,
        input=CORS_APP.lstrip("\n"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert stdin.returncode == 1, stdin.stderr
    assert stdin.stdout.startswith("new/unsaved.py:7:5: FL201 ")


def test_github_format(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP})
    result = run_cli("check", "--output-format", "github", ".", cwd=project)
    assert result.out.startswith("::error title=fastlint (FL201),file=app/main.py,line=7,col=5,")
