"""The collector during a run: off while files are checked, run between them."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastlint import gcpause


class _Node:
    def __init__(self) -> None:
        self.other: object = self


@pytest.fixture
def tuned() -> Iterator[None]:
    assert gc.isenabled()
    with gcpause.tuned_for_a_run():
        yield
    assert gc.isenabled()  # as it was


def _cycle() -> weakref.ref[_Node]:
    node = _Node()
    return weakref.ref(node)


def test_a_cycle_left_by_a_file_is_collected_after_it(tuned: None) -> None:
    assert not gc.isenabled()
    dead = _cycle()
    assert dead() is not None  # no automatic collection while a file is checked
    gcpause.after_file()
    assert dead() is None


def test_old_cycles_go_when_the_project_is_done(tuned: None) -> None:
    node = _Node()
    dead = weakref.ref(node)
    gc.collect(1)  # alive: moved to the oldest generation
    del node
    gcpause.after_file()  # a young collection does not look there
    assert dead() is not None
    gcpause.after_project()
    assert dead() is None


def test_an_in_process_run_leaves_the_collector_as_it_was(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fastlint.cli import cli

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "app.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    result = CliRunner().invoke(cli, ["check", "--no-cache", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
    assert gcpause._RUN == {"tuned": False}


def test_an_untuned_process_keeps_its_collector() -> None:
    assert gc.isenabled()
    gcpause.after_file()
    gcpause.after_project()
    assert gc.isenabled()
    assert gcpause._RUN == {"tuned": False}


def test_what_survives_a_file_is_frozen_until_the_project_is_done(tuned: None) -> None:
    node = _Node()  # alive at the end of a file: a record of the project, say
    dead = weakref.ref(node)
    gcpause.after_file()
    assert gc.get_freeze_count() > 0 and not any(o is node for o in gc.get_objects())
    del node
    gcpause.after_file()
    gc.collect()  # the frozen are never scanned...
    assert dead() is not None
    gcpause.after_project()  # ...until the project is let go
    assert dead() is None


CHECKED = """
from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, validator
import requests

app = FastAPI()
router = APIRouter(prefix="/items")


class Item(BaseModel):
    name: str

    @validator("name")
    def strip(cls, value):
        return value.strip()


def get_db():
    yield None


@router.get("/{item_id}", response_model=Item)
async def read(item_id: int, db=Depends(get_db)) -> Item:
    requests.get("https://example.com")
    return Item(name="x")


@app.on_event("startup")
async def start():
    pass


app.include_router(router)
"""


def test_checking_a_file_leaves_no_cycle_behind(tmp_path: Path) -> None:
    """The tree, the model and the rules of a checked file are freed by reference counting
    as soon as the file is done: nothing of it waits for the cyclic collector."""
    from fastlint.config import Settings
    from fastlint.engine import lint_text
    from fastlint.project.index import ProjectIndex
    from fastlint.registry import all_rules

    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "app.py"
    path.write_text(CHECKED)
    project = ProjectIndex(str(tmp_path), [str(path)])
    settings = Settings(root=str(tmp_path))
    rules = list(all_rules().values())
    lint_text("app.py", CHECKED, rules, settings, project=project, file_path=str(path))
    gc.collect()
    gc.disable()
    try:
        result = lint_text("app.py", CHECKED, rules, settings, project=project, file_path=str(path))
        assert {"FL102", "FL301", "FL401"} <= {d.code for d in result.diagnostics}
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = [type(o).__module__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not [m for m in left if m.startswith(("libcst", "fastlint"))], sorted(set(left))


def test_a_released_project_is_freed_without_the_collector(tmp_path: Path) -> None:
    from fastlint.config import Settings
    from fastlint.fastapi.routes import route_table
    from fastlint.project.workspace import Workspace

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "app.py").write_text(CHECKED)
    (tmp_path / "other.py").write_text("from app import router\n")
    settings = Settings(root=str(tmp_path))
    workspace = Workspace(settings, [str(tmp_path)], [str(tmp_path / "app.py")], cache=False)
    gc.disable()
    try:
        index = workspace.index_for(str(tmp_path / "app.py"))
        assert route_table(index.facts).entries  # the facts and the tables derived from them
        alive = [weakref.ref(index), weakref.ref(index.facts)]
        del index
        workspace.release(workspace.root_of(str(tmp_path / "app.py")))
        assert [ref() for ref in alive] == [None, None]
    finally:
        gc.enable()


def test_a_parallel_run_freezes_the_project_facts_before_forking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers inherit the facts: frozen, no collection in a worker (or in the parent when
    the run ends) scans them again."""
    from fastlint import runner
    from fastlint.config import Settings
    from fastlint.registry import all_rules

    (tmp_path / "pyproject.toml").write_text("")
    for number in range(runner.PARALLEL_THRESHOLD):
        (tmp_path / f"m{number}.py").write_text(CHECKED)
    seen: dict[str, bool] = {}

    def in_parent(files, rules, settings, workers, flags, workspace):  # type: ignore[no-untyped-def]
        facts = workspace.index_for(files[0]).facts
        seen["frozen"] = not any(o is facts for o in gc.get_objects())  # frozen ones are left out
        for path in files:
            yield runner.process_file(path, rules, settings, workspace, **flags)

    monkeypatch.setattr(runner, "_run_parallel", in_parent)
    rules = list(all_rules().values())
    with gcpause.tuned_for_a_run():
        result = runner.run(
            [str(tmp_path)], Settings(root=str(tmp_path)), rules, jobs=2, cache=False
        )
    assert seen == {"frozen": True}
    assert {"FL102", "FL401"} <= {d.code for d in result.diagnostics}
