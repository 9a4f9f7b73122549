"""The results cache: a warm run over an unchanged tree checks nothing again, and an edit
re-checks exactly the files whose results could change."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import fastlint.runner as runner_module
from fastlint.config import Settings
from fastlint.registry import select_rules
from fastlint.runner import RunResult, run
from fastlint.source import SourceFile

from conftest import VALIDATOR_MODEL, write_tree

DEPS = """
from typing import Annotated
from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

def get_db():
    yield AsyncSession()

SessionDep = Annotated[AsyncSession, Depends(get_db)]
"""

ROUTES = """
from fastapi import APIRouter
from app.deps import SessionDep

router = APIRouter()

@router.get("/")
async def index(session: SessionDep):
    return session.execute("select 1")
"""

MAIN = """
from fastapi import FastAPI
from app.routes import router

app = FastAPI()
app.include_router(router)
"""


@pytest.fixture
def app(project: Path) -> Path:
    write_tree(
        project,
        {
            "app/__init__.py": "",
            "app/deps.py": DEPS,
            "app/routes.py": ROUTES,
            "app/main.py": MAIN,
            "app/models.py": VALIDATOR_MODEL,
            "app/plain.py": "def add(a, b):\n    return a + b\n",
        },
    )
    return project


class Checked:
    """Records which files were really checked (not served from the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = runner_module.check_file

        def counting(path: str, *args: Any, **kwargs: Any) -> Any:
            self.paths.append(os.path.basename(path))
            return real(path, *args, **kwargs)

        monkeypatch.setattr(runner_module, "check_file", counting)

    def take(self) -> list[str]:
        taken = sorted(self.paths)
        self.paths.clear()
        return taken


def _run(project: Path, **kwargs: Any) -> RunResult:
    settings = Settings(root=str(project), **kwargs.pop("settings", {}))
    return run([str(project)], settings, select_rules(settings), jobs=1, **kwargs)


def _found(result: RunResult) -> list[tuple[str, int, str]]:
    return sorted((os.path.basename(d.path), d.start.row, d.code) for d in result.diagnostics)


def test_a_warm_run_checks_nothing_again(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked = Checked(monkeypatch)
    cold = _run(app)
    assert checked.take() == [
        "__init__.py",
        "deps.py",
        "main.py",
        "models.py",
        "plain.py",
        "routes.py",
    ]
    warm = _run(app)
    assert checked.take() == []
    assert _found(warm) == _found(cold) == [("models.py", 7, "FL301")]
    assert warm.texts.keys() == cold.texts.keys()  # the text of files with findings, for reports


def test_a_warm_run_reads_no_source_it_does_not_need(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(app)
    read: list[str] = []
    real = SourceFile.read.__func__  # type: ignore[attr-defined]

    def counting(cls: type[SourceFile], path: str) -> SourceFile:
        read.append(os.path.basename(path))
        return real(cls, path)  # type: ignore[no-any-return]

    monkeypatch.setattr(SourceFile, "read", classmethod(counting))
    _run(app)
    assert read == ["models.py"]  # only the file with a finding, for its code frame


def test_editing_a_module_rechecks_the_files_that_read_it(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = Checked(monkeypatch)
    _run(app)
    checked.take()
    # The alias now names a sync session: the route in another module blocks the loop.
    deps = (app / "app/deps.py").read_text().replace("sqlalchemy.ext.asyncio", "sqlalchemy.orm")
    (app / "app/deps.py").write_text(deps.replace("AsyncSession", "Session"))
    result = _run(app)
    rechecked = checked.take()
    assert "deps.py" in rechecked and "routes.py" in rechecked
    assert "models.py" not in rechecked and "plain.py" not in rechecked
    assert ("routes.py", 8, "FL101") in _found(result)
    # and back: the finding goes away again, from the cache's point of view too
    (app / "app/deps.py").write_text(DEPS.lstrip("\n"))
    assert ("routes.py", 8, "FL101") not in _found(_run(app))
    assert ("routes.py", 8, "FL101") not in _found(_run(app))


def test_editing_an_unrelated_file_rechecks_only_it(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = Checked(monkeypatch)
    _run(app)
    checked.take()
    (app / "app/plain.py").write_text("def add(a, b):\n    return b + a\n")
    _run(app)
    rechecked = checked.take()
    # models.py read nothing outside itself; files that use the project's routes or facts
    # (the route table rules read every include of the project) are checked again.
    assert "plain.py" in rechecked and "models.py" not in rechecked


def test_a_file_with_something_to_fix_is_checked_and_fixed(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = Checked(monkeypatch)
    _run(app)
    checked.take()
    result = _run(app, fix=True)
    assert checked.take() == ["models.py"]
    assert [d.code for d in result.fixed] == ["FL301"]
    assert "field_validator" in (app / "app/models.py").read_text()
    _run(app)
    rechecked = checked.take()  # models.py was rewritten, and routes.py uses the whole project
    assert "models.py" in rechecked and "plain.py" not in rechecked


def test_settings_rules_and_metadata_are_part_of_the_key(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = Checked(monkeypatch)
    _run(app)
    checked.take()
    only = _run(app, settings={"select": ("FL4",)})
    assert len(checked.take()) == 6 and _found(only) == []
    _run(app)
    assert checked.take() == []  # the first selection's results are still there
    # the project now pins Pydantic 1: FL301 no longer applies
    (app / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["pydantic<2"]\n[tool.fastlint]\n'
    )
    # (a new process would start with these empty)
    from fastlint import config, versions

    versions.clear_cache()
    config.pydantic_version_for.cache_clear()
    assert _found(_run(app)) == []
    assert "models.py" in checked.take()


def test_a_corrupt_results_file_is_ignored_and_rebuilt(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(app)
    (stored,) = list((app / ".fastlint_cache").glob("*/results-*.pickle"))
    stored.write_bytes(b"\x80\x05not a pickle")
    checked = Checked(monkeypatch)
    assert _found(_run(app)) == [("models.py", 7, "FL301")]
    assert len(checked.take()) == 6
    _run(app)
    assert checked.take() == []


def test_cached_findings_are_shown_relative_to_where_the_run_is(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(app)
    _run(app)
    monkeypatch.chdir(app / "app")
    warm = _run(app)
    assert [d.path for d in warm.diagnostics] == ["models.py"]


def test_no_cache_neither_reads_nor_writes_results(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = Checked(monkeypatch)
    _run(app, cache=False)
    _run(app, cache=False)
    assert len(checked.take()) == 12
    assert not list(app.glob(".fastlint_cache/*/results-*.pickle"))


def test_workers_hand_their_results_back(project: Path) -> None:
    files = {f"app/m{i}.py": VALIDATOR_MODEL for i in range(60)}
    files["app/__init__.py"] = ""
    write_tree(project, files)
    settings = Settings(root=str(project))
    cold = run([str(project)], settings, select_rules(settings), jobs=2)
    assert len(cold.diagnostics) == 60
    import pickle

    (stored,) = list((project / ".fastlint_cache").glob("*/results-*.pickle"))
    assert len(pickle.loads(stored.read_bytes())) == 61
    warm = run([str(project)], settings, select_rules(settings), jobs=2)
    assert _found(warm) == _found(cold)


def test_a_helper_that_starts_blocking_rechecks_its_async_callers(project: Path) -> None:
    """FL103 follows calls into other modules: the call graph is part of what a route's
    result depends on."""
    write_tree(
        project,
        {
            "app/__init__.py": "",
            "app/services.py": "def load(path):\n    return path.upper()\n",
            "app/main.py": (
                "from fastapi import FastAPI\n"
                "from app.services import load\n"
                "app = FastAPI()\n"
                "@app.get('/')\n"
                "async def index():\n"
                "    return load('x')\n"
            ),
        },
    )
    assert ("main.py", 6, "FL103") not in _found(_run(project))
    (project / "app/services.py").write_text(
        "import time\n\ndef load(path):\n    time.sleep(1)\n    return path.upper()\n"
    )
    assert ("main.py", 6, "FL103") in _found(_run(project))
    assert ("main.py", 6, "FL103") in _found(_run(project))  # and from the cache
