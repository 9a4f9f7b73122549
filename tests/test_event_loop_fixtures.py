"""The FL1xx fixture projects: what `fastlint check` reports on a service that blocks its loop
through every path, and a service that runs the same before and after `--fix`."""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

from conftest import REPO, run_cli

STORE = REPO / "fixtures" / "event_loop_app"
FIXABLE = REPO / "fixtures" / "loop_fix_app"


def test_every_path_is_reported_with_its_chain() -> None:
    result = run_cli(
        "check",
        "--select",
        "FL1",
        "--output-format",
        "concise",
        "-q",
        "--no-cache",
        ".",
        cwd=STORE,
    )
    assert result.code == 1, result.err
    expected = [line for line in (STORE / "EXPECTED").read_text().splitlines() if line]
    assert result.out.splitlines() == expected


def test_fl105_is_off_by_default_on_the_fixture() -> None:
    result = run_cli("check", "--output-format", "concise", "-q", "--no-cache", ".", cwd=STORE)
    assert " FL105 " not in result.out and " FL101 " in result.out
    chosen = run_cli(
        "check",
        "--select",
        "FL105",
        "--output-format",
        "concise",
        "-q",
        "--no-cache",
        ".",
        cwd=STORE,
    )
    assert chosen.out.splitlines() == [
        "store/routers/orders.py:38:16: FL105 `httpx.AsyncClient()` created in path operation "
        "`weather`: a new connection pool for every request; share one client made in the "
        "lifespan"
    ]


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def _exercise(module: ModuleType) -> list[Any]:
    from fastapi.testclient import TestClient

    with TestClient(module.app) as client:
        return [
            client.get("/slow", params={"delay": 0.01}).json(),
            client.post("/orders", params={"item": "book"}).json(),
            client.get("/events").json(),
        ]


def test_the_sleep_and_await_fixes_keep_the_service_working(tmp_path: Path) -> None:
    copy = tmp_path / "loop_fix_app"
    shutil.copytree(FIXABLE, copy)
    with warnings.catch_warnings():
        # The dropped coroutine of the unfixed app: "coroutine 'record' was never awaited".
        warnings.simplefilter("ignore", RuntimeWarning)
        before = _exercise(_load(copy / "app.py", "loop_fix_app_before"))
    fixed = run_cli(
        "check", "--fix", "-q", "--no-cache", "--output-format", "concise", ".", cwd=copy
    )
    assert fixed.code == 0, fixed.out + fixed.err
    text = (copy / "app.py").read_text()
    ast.parse(text)
    assert "    await asyncio.sleep(delay)\n" in text
    assert '    await record(f"order {item}")\n' in text
    assert "import time" not in text and "\nimport asyncio\n" in text
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # nothing is dropped any more
        after = _exercise(_load(copy / "app.py", "loop_fix_app_after"))
    # The sleep and the order answer the same. The one difference is the point of the await
    # fix: the dropped `record(...)` coroutine never ran before, so no event was recorded; now
    # it runs and the event is there.
    assert before[:2] == after[:2] == [{"slept": 0.01}, {"created": "book"}]
    assert before[2] == {"events": []}
    assert after[2] == {"events": ["order book"]}
    again = run_cli("check", "--fix", "-q", "--no-cache", ".", cwd=copy)
    assert again.code == 0 and (copy / "app.py").read_text() == text
