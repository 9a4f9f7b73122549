"""Bad input never crashes the run and never loses user code."""

from __future__ import annotations

import builtins
import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

from fastlint import cli
from fastlint.config import Settings
from fastlint.registry import select_rules
from fastlint.rule import Rule
from fastlint.runner import run

from conftest import CORS_APP, VALIDATOR_MODEL, run_cli, write_tree


def test_syntax_error_is_reported_with_its_line_and_never_rewritten(project: Path) -> None:
    broken = "from pydantic import BaseModel, validator\n\nclass A(BaseModel:\n    x: int\n"
    write_tree(project, {"app/broken.py": broken, "app/models.py": VALIDATOR_MODEL})
    result = run_cli("check", "--fix", "--output-format", "concise", ".", cwd=project)
    assert result.code == 1
    assert "app/broken.py:3:" in result.out and "FL001" in result.out
    assert "SyntaxError" in result.out
    assert (project / "app/broken.py").read_text() == broken
    assert "field_validator" in (project / "app/models.py").read_text()  # the run went on


def test_syntax_error_cannot_be_suppressed(project: Path) -> None:
    write_tree(project, {"app/broken.py": "# fastlint: noqa\nimport fastapi\ndef f(:\n"})
    result = run_cli("check", ".", cwd=project)
    assert result.code == 1 and "FL001" in result.out


def test_undecodable_bytes(project: Path) -> None:
    write_tree(
        project, {"app/bad.py": b"import fastapi\nx = '\xff\xfe'\n", "app/main.py": CORS_APP}
    )
    result = run_cli("check", "--output-format", "concise", ".", cwd=project)
    assert result.code == 1
    assert "app/bad.py:1:1: FL001 cannot decode file as utf-8" in result.out
    assert "FL201" in result.out
    assert "Traceback" not in result.err


def test_binary_file_named_py(project: Path) -> None:
    write_tree(project, {"app/blob.py": bytes(range(256)) * 4})
    result = run_cli("check", ".", cwd=project)
    assert result.code == 1 and "FL001" in result.out
    assert "Traceback" not in result.err


def test_empty_file_and_whitespace_file(project: Path) -> None:
    write_tree(project, {"app/__init__.py": "", "app/blank.py": "\n\n   \n"})
    result = run_cli("check", ".", cwd=project)
    assert result.code == 0, result


def test_directory_named_like_a_python_file(project: Path) -> None:
    write_tree(project, {"x.py/inner.py": VALIDATOR_MODEL})
    result = run_cli("check", "--output-format", "concise", "x.py", cwd=project)
    assert result.code == 1
    assert "x.py/inner.py" in result.out


def test_symlink_loop(project: Path) -> None:
    write_tree(project, {"app/models.py": VALIDATOR_MODEL})
    os.symlink(project / "app", project / "app" / "loop")
    os.symlink(project / "missing.py", project / "app" / "dangling.py")
    result = run_cli("check", "--output-format", "concise", ".", cwd=project)
    assert result.code == 1
    assert result.out.count("FL301") == 1
    assert "Traceback" not in result.err


def test_latin1_coding_cookie_is_kept(project: Path) -> None:
    source = (
        "# -*- coding: latin-1 -*-\n"
        "from pydantic import BaseModel, validator\n\n\n"
        "class User(BaseModel):\n"
        "    name: str = 'Jos\xe9'\n\n"
        "    @validator('name')\n"
        "    def check(cls, value):\n"
        "        return value\n"
    ).encode("latin-1")
    write_tree(project, {"app/models.py": source})
    result = run_cli("check", "--fix", ".", cwd=project)
    assert result.code == 0, result
    data = (project / "app/models.py").read_bytes()
    assert b"Jos\xe9" in data  # still latin-1, not UTF-8
    assert b"field_validator" in data


def test_bom_and_crlf_are_kept(project: Path) -> None:
    source = VALIDATOR_MODEL.lstrip("\n").replace("\n", "\r\n")
    write_tree(project, {"app/models.py": b"\xef\xbb\xbf" + source.encode()})
    result = run_cli("check", "--fix", ".", cwd=project)
    assert result.code == 0, result
    data = (project / "app/models.py").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"field_validator" in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_mixed_line_endings_are_kept(project: Path) -> None:
    source = VALIDATOR_MODEL.lstrip("\n").replace("\n", "\r\n", 3)
    write_tree(project, {"app/models.py": source.encode()})
    run_cli("check", "--fix", ".", cwd=project)
    data = (project / "app/models.py").read_bytes()
    assert data.count(b"\r\n") == 3


def test_tabs_are_kept(project: Path) -> None:
    source = VALIDATOR_MODEL.lstrip("\n").replace("    ", "\t")
    write_tree(project, {"app/models.py": source.encode()})
    run_cli("check", "--fix", ".", cwd=project)
    text = (project / "app/models.py").read_text()
    assert '\t@field_validator("name", mode="before")\n\t@classmethod\n\tdef' in text
    assert cst.parse_module(text)


def test_unreadable_file_is_reported_and_the_run_goes_on(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(project, {"app/secret.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    real_open = builtins.open
    secret = str(project / "app/secret.py")

    def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == secret:
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    settings = Settings(root=str(project))
    result = run([str(project)], settings, select_rules(settings))
    messages = {(os.path.basename(d.path), d.code, d.message) for d in result.diagnostics}
    assert ("secret.py", "FL001", "permission denied") in messages
    assert any(d.code == "FL301" for d in result.diagnostics)


def test_read_only_file_with_a_fix_is_reported(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(project, {"app/models.py": VALIDATOR_MODEL})
    target = project / "app/models.py"
    target.chmod(0o444)
    # Root may write to a read-only file; make the permission check fail as it would for users.
    monkeypatch.setattr("fastlint.source.os.access", lambda path, mode: False)
    settings = Settings(root=str(project))
    result = run([str(project)], settings, select_rules(settings), fix=True)
    assert any("cannot write fixes" in w for w in result.warnings), result.warnings
    assert [d.code for d in result.diagnostics] == ["FL301"]  # still reported, not fixed
    assert result.fixed == []
    assert target.read_text() == VALIDATOR_MODEL.lstrip("\n")


class _Crashing(Rule):
    """A rule with a bug, to show that one rule's crash does not stop the run."""

    code = "FL990"
    name = "crashing"
    message = "boom"
    requires_any = ("fastapi",)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "app":
            raise KeyError("boom")


def test_crashing_rule_is_reported_and_others_go_on(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    register_rules: Callable[..., None],
) -> None:
    register_rules(_Crashing)
    write_tree(project, {"app/main.py": CORS_APP})
    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["check", "--select", "FL990,FL201", "--output-format", "concise", "."])
    captured = capsys.readouterr()
    assert exit_info.value.code == 2
    assert "FL201" in captured.out  # the other rule still ran on that file
    assert "internal error in rule FL990 on app/main.py: KeyError: 'boom'" in captured.err
    assert "please report it" in captured.err
    assert "Traceback" not in captured.err
    with pytest.raises(SystemExit):
        cli.main(["check", "--select", "FL990", "--verbose", "."])
    assert "Traceback" in capsys.readouterr().err


def test_checking_never_runs_user_code(project: Path) -> None:
    marker = project / "imported.txt"
    side_effects = f"""
    import sys
    from pathlib import Path
    from fastapi import FastAPI
    from pydantic import BaseModel, validator
    Path({str(marker)!r}).write_text("imported")
    print("IMPORTED")
    app = FastAPI()

    class M(BaseModel):
        x: int

        @validator("x")
        def v(cls, value):
            return value

    sys.exit(3)
    """
    write_tree(project, {"app/main.py": side_effects, "app/__init__.py": side_effects})
    result = run_cli("check", "--fix", "--unsafe-fixes", ".", cwd=project)
    assert "IMPORTED" not in result.out
    assert not marker.exists()
    assert result.code in (0, 1)


def test_file_deleted_during_the_run(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(project, {"app/gone.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    import fastlint.runner as runner_module

    real_discover = runner_module.discover

    def discover_then_delete(*args: Any, **kwargs: Any) -> Any:
        found = real_discover(*args, **kwargs)
        (project / "app/gone.py").unlink()  # deleted after discovery, before it is read
        return found

    monkeypatch.setattr(runner_module, "discover", discover_then_delete)
    settings = Settings(root=str(project))
    result = run([str(project)], settings, select_rules(settings))
    by_file = {os.path.basename(d.path): d for d in result.diagnostics}
    assert by_file["gone.py"].code == "FL001"
    assert "deleted during the run" in by_file["gone.py"].message
    assert by_file["models.py"].code == "FL301"


def test_non_utf8_path_name(project: Path) -> None:
    name = os.fsencode(str(project / "app")) + b"/mod\xe9le.py"
    os.makedirs(project / "app", exist_ok=True)
    with open(name, "wb") as handle:
        handle.write(VALIDATOR_MODEL.encode())
    result = run_cli("check", "--output-format", "concise", ".", cwd=project)
    assert result.code == 1
    assert "FL301" in result.out and "mod\ufffdle.py" in result.out
    assert "Traceback" not in result.err
    fixed = run_cli("check", "--fix", ".", cwd=project)
    assert fixed.code == 0, fixed
    with open(name, "rb") as handle:
        assert b"field_validator" in handle.read()


def test_two_fix_runs_at_once_leave_no_half_written_file(project: Path) -> None:
    """Writes are atomic: whichever run writes last, every file is a complete result."""
    import subprocess
    import sys

    files = {f"app/models_{n}.py": VALIDATOR_MODEL for n in range(60)}
    write_tree(project, files)
    command = [sys.executable, "-m", "fastlint", "check", "--fix", "-q", "."]
    runs = [
        subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run_process, (_, err) in zip(runs, outputs):
        assert run_process.returncode in (0, 1), err
        assert b"Traceback" not in err
    expected = None
    for relative in files:
        text = (project / relative).read_text()
        cst.parse_module(text)
        assert "@field_validator" in text and "@validator" not in text
        expected = expected or text
        assert text == expected
    assert not list(project.rglob(".fastlint-*"))  # no temporary files left behind
    assert run_cli("check", ".", cwd=project).code == 0


def test_engine_error_outside_rules_is_reported_per_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(project, {"app/boom.py": CORS_APP, "app/models.py": VALIDATOR_MODEL})
    import fastlint.engine as engine_module

    real_lint_text = engine_module.lint_text

    def failing_lint_text(shown: str, *args: Any, **kwargs: Any) -> Any:
        if shown.endswith("boom.py"):
            raise RuntimeError("engine bug")
        return real_lint_text(shown, *args, **kwargs)

    monkeypatch.setattr(engine_module, "lint_text", failing_lint_text)
    settings = Settings(root=str(project))
    result = run([str(project)], settings, select_rules(settings))
    (error,) = result.rule_errors
    assert error.code == "engine" and error.path.endswith("boom.py")
    assert error.message == "RuntimeError: engine bug"
    assert [d.code for d in result.diagnostics] == ["FL301"]  # the other file was checked


# -- hardening: line endings and BOM through `check --fix` -------------------------------------

_FIXED_BY_RULE = {
    # FL301: the decorator, `@classmethod`, the import (names added and removed).
    "app/models.py": (
        """
        from pydantic import (
            BaseModel,  # base
            validator,
        )


        class User(BaseModel):
            name: str

            @validator("name",
                pre=True,  # raw
                allow_reuse=True)
            def strip_name(cls, value):
                return value.strip()
        """,
        """
        from pydantic import (
            BaseModel,  # base
            field_validator,
        )


        class User(BaseModel):
            name: str

            @field_validator("name",
                mode="before")  # raw
            @classmethod
            def strip_name(cls, value):
                return value.strip()
        """,
    ),
    # FL401: a generated lifespan, removed decorators, new imports.
    "app/main.py": (
        """
        from fastapi import FastAPI

        app = FastAPI()


        @app.on_event("startup")  # open the pool
        async def start():
            pass
        """,
        """
        from collections.abc import AsyncIterator
        from contextlib import asynccontextmanager

        from fastapi import FastAPI


        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            await start()
            yield


        app = FastAPI(lifespan=lifespan)


        # open the pool
        async def start():
            pass
        """,
    ),
    # FL002: unused codes on the second and third lines; a used one on the last.
    "app/noqa.py": (
        """
        from fastapi import FastAPI
        import os  # noqa: FL201 -- legacy
        import sys  # noqa: E501, FL101
        from fastapi.middleware.cors import CORSMiddleware
        app = FastAPI()
        app.add_middleware(
            CORSMiddleware, allow_origins=["*"], allow_credentials=True  # noqa: FL201
        )
        """,
        """
        from fastapi import FastAPI
        import os
        import sys  # noqa: E501
        from fastapi.middleware.cors import CORSMiddleware
        app = FastAPI()
        app.add_middleware(
            CORSMiddleware, allow_origins=["*"], allow_credentials=True  # noqa: FL201
        )
        """,
    ),
    # FL606: a rename on the last line.
    "app/status_codes.py": (
        """
        from fastapi import status

        CODE = status.HTTP_422_UNPROCESSABLE_ENTITY
        """,
        """
        from fastapi import status

        CODE = status.HTTP_422_UNPROCESSABLE_CONTENT
        """,
    ),
}


@pytest.mark.parametrize("bom", [False, True], ids=["plain", "bom"])
@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_item5_fixes_keep_line_endings_final_newline_and_bom(
    project: Path, monkeypatch: pytest.MonkeyPatch, newline: str, bom: bool
) -> None:
    def encoded(code: str) -> bytes:
        text = textwrap.dedent(code).lstrip("\n").replace("\n", newline)
        return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")

    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\ndependencies = ["fastapi", "pydantic>=2"]\n', encoding="utf-8"
    )
    write_tree(project, {path: encoded(before) for path, (before, _) in _FIXED_BY_RULE.items()})
    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["check", "--fix", "--no-cache", "--output-format", "concise", "."])
    assert exit_info.value.code == 0
    for path, (_, after) in _FIXED_BY_RULE.items():
        assert (project / path).read_bytes() == encoded(after), path
    with pytest.raises(SystemExit) as again:  # nothing left: the fixes converged
        cli.main(["check", "--fix", "--no-cache", "--output-format", "concise", "."])
    assert again.value.code == 0
