"""The command line for editors and CI: colour, --show-fixes, --exit-non-zero-on-fix,
--output-file, code on standard input, the baseline and --add-noqa."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fastlint.cli import use_color

from conftest import CORS_APP, VALIDATOR_MODEL, run_cli, write_tree


def _stdin(
    *args: str, cwd: Path, data: bytes, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "fastlint", *args],
        cwd=cwd,
        input=data,
        capture_output=True,
        env=environment,
        timeout=300,
    )


# -- colour -----------------------------------------------------------------------------------
class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color("auto", _Stream(tty=True))
    assert not use_color("auto", _Stream(tty=False))
    assert use_color("always", _Stream(tty=False))
    assert not use_color("never", _Stream(tty=True))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color("auto", _Stream(tty=True))
    assert use_color("always", _Stream(tty=True))  # an explicit choice wins
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset
    assert use_color("auto", _Stream(tty=True))


def test_color_option_end_to_end(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP})
    plain = run_cli("check", ".", cwd=project)
    assert "\x1b[" not in plain.out and "FL201" in plain.out
    coloured = run_cli("check", "--color", "always", ".", cwd=project)
    assert "\x1b[1;31mFL201\x1b[0m" in coloured.out
    never = run_cli("check", "--color", "never", ".", cwd=project, env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in never.out
    json_out = run_cli("check", "--color", "always", "--output-format", "json", ".", cwd=project)
    assert "\x1b[" not in json_out.out and json.loads(json_out.out)


def test_colour_on_a_real_terminal(project: Path) -> None:
    pty = pytest.importorskip("pty")
    write_tree(project, {"app/main.py": CORS_APP})
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NO_COLOR")}

    def run_on_tty(extra_env: dict[str, str]) -> bytes:
        primary, secondary = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "fastlint", "check", "."],
            cwd=project,
            stdout=secondary,
            stderr=subprocess.DEVNULL,
            env={**env, **extra_env},
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=120)
        os.close(primary)
        return b"".join(chunks)

    assert b"\x1b[" in run_on_tty({})
    assert b"\x1b[" not in run_on_tty({"NO_COLOR": "1"})


# -- counters ---------------------------------------------------------------------------------
def test_show_fixes_lists_what_was_fixed_per_file(project: Path) -> None:
    write_tree(project, {"app/models.py": VALIDATOR_MODEL, "app/main.py": CORS_APP})
    result = run_cli("check", "--fix", "--show-fixes", ".", cwd=project)
    assert result.code == 1
    assert (
        "Fixed 1 error:\n- app/models.py:\n"
        "    1 \N{MULTIPLICATION SIGN} FL301 (deprecated-validator)\n" in result.out
    )
    assert "Found 2 errors (1 fixed, 1 remaining)." in result.out


def test_exit_non_zero_on_fix(project: Path) -> None:
    write_tree(project, {"app/models.py": VALIDATOR_MODEL})
    result = run_cli("check", "--fix", "--exit-non-zero-on-fix", ".", cwd=project)
    assert result.code == 1, result
    assert "Found 1 error (1 fixed, 0 remaining)." in result.out
    again = run_cli("check", "--fix", "--exit-non-zero-on-fix", ".", cwd=project)
    assert again.code == 0  # nothing fixed, nothing left


def test_output_file(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP})
    result = run_cli("check", "--output-format", "sarif", "-o", "out.sarif", ".", cwd=project)
    assert result.code == 1 and result.out == ""
    log = json.loads((project / "out.sarif").read_text(encoding="utf-8"))
    assert log["runs"][0]["results"][0]["ruleId"] == "FL201"
    bad = run_cli("check", "-o", "missing/dir/out.txt", ".", cwd=project)
    assert bad.code == 2 and "cannot write the report" in bad.err and "Traceback" not in bad.err


# -- standard input ---------------------------------------------------------------------------
def test_stdin_uses_the_given_name(project: Path) -> None:
    result = _stdin(
        "check",
        "-",
        "--stdin-filename",
        "app/main.py",
        "--output-format",
        "concise",
        cwd=project,
        data=CORS_APP.lstrip().encode(),
    )
    assert result.returncode == 1
    assert result.stdout.decode().startswith("app/main.py:7:5: FL201 ")
    assert not (project / "app/main.py").exists()  # nothing is written


def test_stdin_name_decides_config_and_excludes(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.fastlint]\nextend-exclude = ["generated"]\n'
        '[tool.fastlint.per-file-ignores]\n"tests/*" = ["FL201"]\n',
        encoding="utf-8",
    )
    code = CORS_APP.lstrip().encode()
    ignored = _stdin("check", "-", "--stdin-filename", "tests/test_app.py", cwd=project, data=code)
    assert ignored.returncode == 0, ignored
    excluded = _stdin(
        "check",
        "--force-exclude",
        "-",
        "--stdin-filename",
        "generated/app.py",
        cwd=project,
        data=code,
    )
    assert excluded.returncode == 0 and excluded.stdout == b"All checks passed!\n"
    excluded_fix = _stdin(
        "check",
        "--force-exclude",
        "--fix",
        "-",
        "--stdin-filename",
        "generated/m.py",
        cwd=project,
        data=VALIDATOR_MODEL.encode(),
    )
    assert excluded_fix.stdout == VALIDATOR_MODEL.encode()  # echoed unchanged
    checked = _stdin("check", "-", "--stdin-filename", "generated/app.py", cwd=project, data=code)
    assert checked.returncode == 1  # excludes apply to named files only with --force-exclude


def test_stdin_fix_writes_the_fixed_code_to_stdout(project: Path) -> None:
    source = ("\ufeff" + VALIDATOR_MODEL.lstrip().replace("\n", "\r\n")).encode("utf-8")
    result = _stdin(
        "check", "--fix", "-", "--stdin-filename", "app/models.py", cwd=project, data=source
    )
    assert result.returncode == 0, result
    fixed = result.stdout
    assert fixed.startswith(b"\xef\xbb\xbf")  # the BOM is kept
    assert b'@field_validator("name", mode="before")\r\n' in fixed
    assert b"\n" not in fixed.replace(b"\r\n", b"")  # and the CRLF line endings
    assert b"Found 1 error (1 fixed, 0 remaining)." in result.stderr


def test_stdin_sees_the_whole_project_with_its_own_text(project: Path) -> None:
    write_tree(
        project,
        {
            "app/__init__.py": "",
            "app/deps.py": """
            from typing import Annotated

            from fastapi import Depends
            from sqlalchemy.orm import Session


            def get_db():
                yield Session()


            SessionDep = Annotated[Session, Depends(get_db)]
            """,
            # On disk the route is sync: only the text on stdin is async.
            "app/main.py": """
            from fastapi import FastAPI

            from .deps import SessionDep

            app = FastAPI()


            @app.get("/")
            def index(db: SessionDep):
                return db.execute("select 1")
            """,
        },
    )
    on_disk = run_cli("check", "app/main.py", cwd=project)
    assert on_disk.code == 0, on_disk
    edited = (project / "app/main.py").read_text().replace("def index", "async def index")
    result = _stdin(
        "check",
        "-",
        "--stdin-filename",
        "app/main.py",
        "--output-format",
        "concise",
        cwd=project,
        data=edited.encode(),
    )
    assert result.returncode == 1, result
    assert "app/main.py:10:12: FL101 " in result.stdout.decode()


def test_stdin_rejects_other_paths_and_undecodable_input(project: Path) -> None:
    mixed = run_cli("check", "-", "app", cwd=project)
    assert mixed.code == 2 and "cannot be combined" in mixed.err
    bad = _stdin("check", "-", cwd=project, data=b"# -*- coding: nope -*-\nx = 1\n")
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr
    assert len(bad.stderr.decode().strip().splitlines()) == 1


# -- baseline ---------------------------------------------------------------------------------
def test_baseline_hides_recorded_findings_and_reports_new_ones(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    wrote = run_cli("check", "--write-baseline", "baseline.json", ".", cwd=project)
    assert wrote.code == 0, wrote
    assert "Wrote 2 findings to the baseline baseline.json." in wrote.err
    entries = json.loads((project / "baseline.json").read_text())["entries"]
    assert {(e["file"], e["code"]) for e in entries} == {
        ("app/main.py", "FL201"),
        ("app/models.py", "FL301"),
    }

    clean = run_cli("check", "--baseline", "baseline.json", ".", cwd=project)
    assert clean.code == 0, clean
    assert "2 findings in the baseline not shown." in clean.out

    # Edits elsewhere in the file (lines added above, code below) keep findings matched.
    main = project / "app/main.py"
    main.write_text("import os\n\n" + main.read_text() + "\n\nprint(os.getcwd())\n")
    assert run_cli("check", "--baseline", "baseline.json", ".", cwd=project).code == 0

    # A new finding is reported, the old ones stay hidden.
    main.write_text(
        main.read_text() + "\n" + CORS_APP.split("app = FastAPI()\n")[1].replace('["*"]', "['*']")
    )
    new = run_cli(
        "check", "--baseline", "baseline.json", "--output-format", "concise", ".", cwd=project
    )
    assert new.code == 1
    assert new.out.count("FL201") == 1 and "app/main.py:18:5: FL201" in new.out


def test_baseline_counts_stale_entries_and_write_baseline_prunes_them(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    assert run_cli("check", "--write-baseline", "baseline.json", ".", cwd=project).code == 0
    fixed = run_cli("check", "--baseline", "baseline.json", "--fix", ".", cwd=project)
    assert fixed.code == 0
    assert "1 baseline entry no longer matches a finding (fixed?)" in fixed.out
    json_run = run_cli(
        "check", "--baseline", "baseline.json", "--output-format", "json", ".", cwd=project
    )
    assert json.loads(json_run.out) == [] and "1 baseline entry no longer matches" in json_run.err
    pruned = run_cli("check", "--write-baseline", "baseline.json", ".", cwd=project)
    assert "Wrote 1 finding to the baseline baseline.json (1 stale entry pruned)." in pruned.err
    assert len(json.loads((project / "baseline.json").read_text())["entries"]) == 1


def test_a_partial_run_keeps_the_entries_of_other_files(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    assert run_cli("check", "--write-baseline", "b.json", ".", cwd=project).code == 0
    one = run_cli("check", "--baseline", "b.json", "app/main.py", cwd=project)
    assert one.code == 0 and "no longer match" not in one.out
    run_cli("check", "--write-baseline", "b.json", "app/main.py", cwd=project)
    assert len(json.loads((project / "b.json").read_text())["entries"]) == 2


def test_baseline_from_configuration(project: Path) -> None:
    write_tree(project, {"app/main.py": CORS_APP})
    (project / "pyproject.toml").write_text('[tool.fastlint]\nbaseline = "lint/baseline.json"\n')
    missing = run_cli("check", ".", cwd=project)
    assert missing.code == 2 and "baseline file not found" in missing.err
    (project / "lint").mkdir()
    assert run_cli("check", "--write-baseline", "lint/baseline.json", ".", cwd=project).code == 0
    # Run from another directory: the configured path is relative to pyproject.toml.
    result = run_cli("check", ".", cwd=project / "app")
    assert result.code == 0, result
    broken = project / "lint/baseline.json"
    broken.write_text("{not json")
    bad = run_cli("check", ".", cwd=project)
    assert bad.code == 2 and "cannot read baseline" in bad.err and "Traceback" not in bad.err


# -- add-noqa ---------------------------------------------------------------------------------
def test_add_noqa_merges_and_a_second_run_adds_nothing(project: Path) -> None:
    one_line = 'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)'
    write_tree(
        project,
        {
            "app/main.py": "\n".join(
                [
                    "from fastapi import FastAPI",
                    "from fastapi.middleware.cors import CORSMiddleware",
                    "",
                    "app = FastAPI()",
                    f"{one_line}  # noqa: E501",
                    f"{one_line}  # why: legacy  # noqa:S104 - reviewed",
                    f"{one_line}  # keep this comment",
                    f"{one_line}  # noqa",
                    one_line,
                    "",
                ]
            ).replace("\n", "\r\n"),
            "app/models.py": VALIDATOR_MODEL,
        },
    )
    result = run_cli("check", "--add-noqa", ".", cwd=project)
    assert result.code == 0, result
    assert "Added 5 noqa directives." in result.err
    lines = (project / "app/main.py").read_bytes().decode().split("\r\n")
    assert lines[4] == f"{one_line}  # noqa: E501, FL201"
    assert lines[5] == f"{one_line}  # why: legacy  # noqa:S104, FL201 - reviewed"
    assert lines[6] == f"{one_line}  # keep this comment  # noqa: FL201"
    assert lines[7] == f"{one_line}  # noqa"
    assert lines[8] == f"{one_line}  # noqa: FL201"
    assert (
        '    @validator("name", pre=True)  # noqa: FL301' in (project / "app/models.py").read_text()
    )
    before = {p: p.read_bytes() for p in project.rglob("*.py")}
    again = run_cli("check", "--add-noqa", ".", cwd=project)
    assert again.code == 0 and "No noqa directives to add." in again.err
    assert {p: p.read_bytes() for p in project.rglob("*.py")} == before
    assert run_cli("check", ".", cwd=project).code == 0


def test_add_noqa_leaves_lines_inside_multi_line_strings(project: Path) -> None:
    source = (
        "from fastapi import FastAPI\n"
        "from fastapi.middleware.cors import CORSMiddleware\n\n"
        "app = FastAPI()\n"
        'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, x="""\n'
        '""")\n'
    )
    write_tree(project, {"app/main.py": source})
    result = run_cli("check", "--add-noqa", ".", cwd=project)
    assert result.code == 0
    assert "app/main.py:5: cannot add a noqa directive" in result.err
    assert (project / "app/main.py").read_text() == source


def test_add_noqa_refuses_fix_and_stdin(project: Path) -> None:
    assert run_cli("check", "--add-noqa", "--fix", ".", cwd=project).code == 2
    assert run_cli("check", "--add-noqa", "-", cwd=project).code == 2
