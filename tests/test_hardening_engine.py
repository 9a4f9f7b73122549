"""The engine's hardening: deep but valid code keeps every finding (item 8), code CPython
rejects is FL001 and never reaches LibCST (item 9), an outlier that crashes or hangs the
parser costs only its own result (item 9), and FL001 is reported on every checked file
(item 10). Tests are named after the hardening issue's items."""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

import fastlint.isolation as isolation
import fastlint.runner as runner_module
from fastlint.config import Settings
from fastlint.registry import select_rules
from fastlint.runner import run
from fastlint.syntax import compile_error, lower_bound, minimum_python

from conftest import CORS_APP, VALIDATOR_MODEL, run_cli, write_tree

CORS_LINE = 'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n'
CORS_HEADER = (
    "from fastapi import FastAPI\n"
    "from fastapi.middleware.cors import CORSMiddleware\n"
    "app = FastAPI()\n" + CORS_LINE
)


def _sum(terms: int) -> str:
    return "x = " + " + ".join(["1"] * terms) + "\n"


def _elif(branches: int) -> str:
    return "a = 1\nif a == 0:\n    pass\n" + "".join(
        f"elif a == {i}:\n    pass\n" for i in range(1, branches)
    )


def _codes(out: str) -> list[str]:
    return [line.split(" ")[1] for line in out.splitlines() if ": FL" in line]


@pytest.mark.parametrize(
    "deep",
    [_sum(2000), _elif(2000), "x = " + "[" * 140 + "]" * 140 + "\n", _sum(500), _elif(500)],
    ids=["sum-2000", "elif-2000", "list-140", "sum-500", "elif-500"],
)
def test_item8_finding_next_to_deep_valid_code_survives(project: Path, deep: str) -> None:
    assert compile_error(deep, "deep.py") is None  # CPython compiles it
    write_tree(project, {"app/main.py": CORS_HEADER + deep})
    result = run_cli("check", "--no-cache", "--output-format", "concise", ".", cwd=project)
    assert result.code == 1, result
    assert "app/main.py:4:36: FL201" in result.out
    assert "internal error" not in result.err and "Traceback" not in result.err


def test_item8_deep_code_in_another_module_of_the_project(project: Path) -> None:
    """The project index summarises the deep module too (its alias reaches the route)."""
    write_tree(
        project,
        {
            "app/__init__.py": "",
            "app/deps.py": (
                "from typing import Annotated\n"
                "from fastapi import Depends\n"
                "from sqlalchemy.orm import Session\n"
                "def get_db():\n    yield Session()\n"
                "SessionDep = Annotated[Session, Depends(get_db)]\n" + _sum(2000)
            ),
            "app/main.py": (
                "from fastapi import FastAPI\n"
                "from app.deps import SessionDep\n"
                "app = FastAPI()\n"
                "@app.get('/')\n"
                "async def index(session: SessionDep):\n"
                "    return session.execute('select 1')\n"
            ),
        },
    )
    result = run_cli("check", "--no-cache", "--output-format", "concise", ".", cwd=project)
    assert "app/main.py:6:12: FL101" in result.out, result
    assert result.code == 1 and "internal error" not in result.err


def test_item8_deep_code_checked_in_parallel(project: Path) -> None:
    """Workers have the same room as the main process."""
    files = {f"app/m{i}.py": VALIDATOR_MODEL for i in range(60)}
    files["app/deep.py"] = CORS_HEADER + _elif(2000)
    write_tree(project, files)
    result = run_cli(
        "check", "--no-cache", "--jobs", "2", "--output-format", "concise", ".", cwd=project
    )
    assert "app/deep.py:4:36: FL201" in result.out, result.err
    assert _codes(result.out).count("FL301") == 60


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (_sum(10_000), "too deeply nested for CPython to compile"),
        ("x = " + "(" * 1000 + "1" + ")" * 1000 + "\n", "too many nested parentheses"),
        (
            "def f():\n    try:\n        pass\n    except* ValueError:\n        return 1\n",
            "cannot appear in an except* block",
        ),
    ],
    ids=["sum-10000", "parentheses-1000", "return-in-except-star"],
)
def test_item9_code_cpython_rejects_is_fl001_and_never_parsed(
    project: Path, monkeypatch: pytest.MonkeyPatch, source: str, message: str
) -> None:
    text = VALIDATOR_MODEL.lstrip("\n") + source
    write_tree(project, {"app/bad.py": text, "app/models.py": VALIDATOR_MODEL})
    real_parse = cst.parse_module

    def parse(code: str, *args: Any, **kwargs: Any) -> cst.Module:
        assert source not in code, "code CPython rejects was handed to LibCST"
        return real_parse(code, *args, **kwargs)

    monkeypatch.setattr(cst, "parse_module", parse)
    settings = Settings(root=str(project))
    result = run([str(project)], settings, select_rules(settings), fix=True, cache=False)
    assert not result.rule_errors
    bad = [d for d in result.diagnostics if d.path.endswith("bad.py")]
    assert [d.code for d in bad] == ["FL001"] and message in bad[0].message
    assert (project / "app/bad.py").read_text() == text  # --fix never rewrites it
    assert "field_validator" in (project / "app/models.py").read_text()  # the run went on


def test_item9_compile_runs_at_the_default_recursion_limit() -> None:
    """A raised recursion limit lets compile() accept code CPython normally rejects."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)
    try:
        error = compile_error(_sum(5000), "deep.py")
        assert sys.getrecursionlimit() == 100_000  # restored afterwards
    finally:
        sys.setrecursionlimit(limit)
    assert error is not None and "too deeply nested" in error.message


def _outlier_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file over 400 bytes is an outlier; crash.py and hang.py misbehave in the child."""
    monkeypatch.setattr(isolation, "OUTLIER_BYTES", 400)
    monkeypatch.setattr(isolation, "BUDGET_SECONDS", 2.0)
    monkeypatch.setattr(isolation, "BUDGET_SECONDS_PER_MB", 0.0)
    padding = "# padding\n" * 50
    write_tree(
        project,
        {
            "app/crash.py": CORS_APP + padding,
            "app/hang.py": CORS_APP + padding,
            "app/big.py": VALIDATOR_MODEL + padding,
            "app/small.py": CORS_APP,
        },
    )
    real_check_file = runner_module.check_file

    def misbehaving(path: str, *args: Any, **kwargs: Any) -> Any:
        if path.endswith("crash.py"):
            faulthandler.disable()  # pytest's would print the crash: not what we test
            os.kill(os.getpid(), signal.SIGSEGV)
        if path.endswith("hang.py"):
            time.sleep(60)
        return real_check_file(path, *args, **kwargs)

    monkeypatch.setattr(runner_module, "check_file", misbehaving)


@pytest.mark.skipif(not isolation.can_isolate(), reason="needs fork")
def test_item9_outlier_that_crashes_or_hangs_costs_only_its_own_result(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _outlier_project(project, monkeypatch)
    settings = Settings(root=str(project))
    started = time.monotonic()
    result = run([str(project)], settings, select_rules(settings), fix=True, jobs=1)
    assert time.monotonic() - started < 30  # the hanging child was killed at its budget
    by_file = {
        os.path.basename(d.path): (d.code, d.message)
        for d in result.diagnostics
        if d.code == "FL001"
    }
    assert by_file["crash.py"] == (
        "FL001",
        "cannot check this file: the parser crashed (SIGSEGV) on this file; skipped",
    )
    assert by_file["hang.py"] == (
        "FL001",
        "cannot check this file: took longer than 2 s to check; skipped",
    )
    others = sorted((os.path.basename(d.path), d.code) for d in result.diagnostics)
    assert ("small.py", "FL201") in others
    # the outlier checked in a child came back with its fix, written by the parent
    assert "field_validator" in (project / "app/big.py").read_text()


def test_item9_outliers_are_files_past_a_bound() -> None:
    assert not isolation.is_outlier("x = 1\n" * 1000)
    assert isolation.is_outlier("x = 1\n" * 200_000)  # over 1 MB
    assert isolation.is_outlier("x = [" + "1, " * 10_000 + "]\n")  # one very long line


@pytest.mark.parametrize(
    ("source", "where", "message"),
    [
        ("def f(:\n", "1:7", "SyntaxError: invalid syntax"),
        ("x = 1\n  y = 2\n", "2:3", "IndentationError: unexpected indent"),
        ("def f():\n    await g()\n", "2:5", "SyntaxError: 'await' outside async function"),
        ("lambda: await x\n", "1:9", "SyntaxError: 'await' outside async function"),
    ],
    ids=["syntax", "indentation", "await-in-def", "await-in-lambda"],
)
def test_item10_fl001_on_every_checked_file(
    project: Path, source: str, where: str, message: str
) -> None:
    """A file with none of the rules' trigger words is compiled too."""
    write_tree(project, {"app/plain.py": source})
    result = run_cli("check", "--output-format", "concise", ".", cwd=project)
    assert result.code == 1, result
    first = result.out.splitlines()[0]
    row = where.split(":")[0]  # the column is CPython's, which differs between versions
    assert first.startswith(f"app/plain.py:{row}:") and f": FL001 {message}" in first


def test_item10_binary_file_is_not_a_text_file(project: Path) -> None:
    write_tree(
        project,
        {"app/blob.py": b"\x00\x01\xff\xfe binary", "app/png.py": b"\x89PNG\r\n\x1a\n\x00\x00"},
    )
    result = run_cli("check", "--output-format", "concise", ".", cwd=project)
    assert result.code == 1
    assert "app/blob.py:1:1: FL001 not a text file (binary content)" in result.out
    assert "app/png.py:1:1: FL001 not a text file (binary content)" in result.out
    assert "encoding declaration" not in result.out


def test_item10_newer_syntax_from_an_older_python_is_judged_by_libcst(project: Path) -> None:
    """CPython's verdict counts only when the running Python is at least the project's
    minimum: here the project needs a Python that does not exist yet."""
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\nrequires-python = ">=3.99"\n[tool.fastlint]\n', encoding="utf-8"
    )
    write_tree(project, {"app/new.py": "def f():\n    await g()\n", "app/old.py": "def f(:\n"})
    result = run_cli("check", "--output-format", "concise", ".", cwd=project)
    assert result.code == 1
    lines = result.out.splitlines()
    assert [line.split(":")[0] for line in lines if "FL001" in line] == ["app/old.py"]
    assert "LibCST cannot parse this file" in result.out


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pyproject.toml": '[project]\nrequires-python = ">=3.10,<4"\n'}, (3, 10)),
        ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'}, (3, 11)),
        ({"setup.cfg": "[options]\npython_requires = >=3.8\n"}, (3, 8)),
        ({"setup.py": "setup(name='x', python_requires='>=3.9')\n"}, (3, 9)),
        ({"pyproject.toml": "[tool.fastlint]\n"}, None),
        ({"pyproject.toml": "not toml ["}, None),
    ],
)
def test_item10_project_minimum_python(
    tmp_path: Path, files: dict[str, str], expected: Any
) -> None:
    write_tree(tmp_path, files)
    assert minimum_python(str(tmp_path)) == expected


def test_item10_lower_bounds() -> None:
    assert lower_bound(">=3.9") == (3, 9)
    assert lower_bound("~=3.9.1") == (3, 9)
    assert lower_bound(">=3.8 || >=3.10") == (3, 8)
    assert lower_bound("<4") is None
