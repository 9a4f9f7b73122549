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
    assert gcpause._RUN == {"tuned": False, "files": 0}


def test_an_untuned_process_keeps_its_collector() -> None:
    assert gc.isenabled()
    gcpause.after_file()
    gcpause.after_project()
    assert gc.isenabled()
    assert gcpause._RUN["files"] == 0
