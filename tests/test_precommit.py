"""The pre-commit hooks, with the real pre-commit, in a temporary git repository.

The hook repository is a copy of this checkout (its tracked files as they are in the work
tree) in one commit, which the README's snippet names by its SHA (no release is tagged).
pre-commit installs the hook's package into an environment of its own with pip, as it would
from GitHub.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import CORS_APP, REPO, VALIDATOR_MODEL, CliResult, readme_snippet, write_tree

UPSTREAM = "https://github.com/fastlint/fastlint"
REV_PLACEHOLDER = "<commit SHA>"


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PRE_COMMIT_HOME")}
    env.update(
        PRE_COMMIT_HOME=str(home),
        GIT_AUTHOR_NAME="fastlint tests",
        GIT_AUTHOR_EMAIL="tests@example.com",
        GIT_COMMITTER_NAME="fastlint tests",
        GIT_COMMITTER_EMAIL="tests@example.com",
        GIT_CONFIG_NOSYSTEM="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def _run(*args: str, cwd: Path, env: dict[str, str]) -> CliResult:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def _git(*args: str, cwd: Path, env: dict[str, str]) -> CliResult:
    return _run(
        "git",
        "-c",
        "commit.gpgsign=false",
        "-c",
        "init.defaultBranch=main",
        *args,
        cwd=cwd,
        env=env,
    )


def _pre_commit(*args: str, cwd: Path, env: dict[str, str]) -> CliResult:
    return _run(sys.executable, "-m", "pre_commit", *args, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hooks")
    env = _env(root / "home")
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    clone = root / "fastlint"
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            target = clone / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "fastlint")):
        assert _git(*args, cwd=clone, env=env).code == 0
    return clone


def _head(repository: Path) -> str:
    result = _git("rev-parse", "HEAD", cwd=repository, env=_env(repository / "home"))
    assert result.code == 0, result
    return result.out.strip()


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = tmp_path / "project"
    project.mkdir()
    env = _env(tmp_path / "pre-commit-home")
    assert _git("init", "-q", cwd=project, env=env).code == 0
    (project / "pyproject.toml").write_text("[tool.fastlint]\n")
    return project, env


def test_hooks_file_declares_both_hooks() -> None:
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    }
    assert hooks["fastlint"]["entry"] == "fastlint check --force-exclude"
    assert hooks["fastlint-fix"]["entry"] == "fastlint check --force-exclude --fix"
    for hook in hooks.values():
        assert hook["types_or"] == ["python", "pyi"]
        assert hook["require_serial"] is True
        assert hook["language"] == "python"


def test_try_repo_fails_on_a_bad_file_and_passes_after_the_fix(
    hook_repo: Path, repo: tuple[Path, dict[str, str]]
) -> None:
    project, env = repo
    write_tree(project, {"app/main.py": CORS_APP})
    _git("add", "-A", cwd=project, env=env)
    failed = _pre_commit(
        "try-repo",
        str(hook_repo),
        "fastlint",
        "--ref",
        _head(hook_repo),
        "--files",
        "app/main.py",
        cwd=project,
        env=env,
    )
    assert failed.code == 1, failed
    assert "app/main.py:7:5: FL201" in failed.out
    main = project / "app/main.py"
    main.write_text(main.read_text().replace("    allow_credentials=True,\n", ""))
    passed = _pre_commit(
        "try-repo",
        str(hook_repo),
        "fastlint",
        "--ref",
        _head(hook_repo),
        "--files",
        "app/main.py",
        cwd=project,
        env=env,
    )
    assert passed.code == 0, passed
    assert "Passed" in passed.out


def test_readme_config_on_real_commits(hook_repo: Path, repo: tuple[Path, dict[str, str]]) -> None:
    project, env = repo
    snippet = readme_snippet("pre-commit")
    assert f"rev: {REV_PLACEHOLDER}" in snippet and UPSTREAM in snippet
    # The snippet as written, pointing at the local copy instead of GitHub, at its commit.
    config = snippet.replace(UPSTREAM, str(hook_repo)).replace(REV_PLACEHOLDER, _head(hook_repo))
    (project / ".pre-commit-config.yaml").write_text(config)
    assert _pre_commit("install", cwd=project, env=env).code == 0
    write_tree(
        project,
        {
            "app/__init__.py": "",
            "app/db.py": """
            from typing import Annotated

            from fastapi import Depends
            from sqlalchemy.orm import Session


            def get_db():
                yield Session()


            SessionDep = Annotated[Session, Depends(get_db)]
            """,
            "app/models.py": VALIDATOR_MODEL,
        },
    )
    _git("add", "-A", cwd=project, env=env)
    first = _git("commit", "-q", "-m", "models", cwd=project, env=env)
    assert first.code == 1, first  # the hook fixed app/models.py: pre-commit stops the commit
    fixed = (project / "app/models.py").read_text()
    assert '@field_validator("name", mode="before")' in fixed
    _git("add", "-A", cwd=project, env=env)
    second = _git("commit", "-q", "-m", "models", cwd=project, env=env)
    assert second.code == 0, second

    # A commit of one file: its alias comes from app/db.py, which is not part of the commit.
    write_tree(
        project,
        {
            "app/routes.py": """
            from fastapi import APIRouter

            from .db import SessionDep

            router = APIRouter()


            @router.get("/")
            async def index(db: SessionDep):
                return db.execute("select 1")
            """
        },
    )
    _git("add", "app/routes.py", cwd=project, env=env)
    blocked = _git("commit", "-q", "-m", "routes", cwd=project, env=env)
    assert blocked.code == 1, blocked
    assert "app/routes.py:10:12: FL101" in blocked.out + blocked.err
