"""Real code: the pinned ``docs_src`` slice of the fastapi sdist (scripts/fetch_corpus_slice.py)
is checked and fixed with every rule: no crash, every file still compiles, a second fix run
changes nothing."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import shutil
import warnings
from pathlib import Path

import pytest

from conftest import REPO, run_cli


def _load_fetcher():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "fetch_corpus_slice", REPO / "scripts" / "fetch_corpus_slice.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("FASTLINT_SKIP_CORPUS") == "1":
        pytest.skip("FASTLINT_SKIP_CORPUS=1")
    fetcher = _load_fetcher()
    source = fetcher.fetch((REPO / ".corpus-cache").resolve())
    copy = tmp_path_factory.mktemp("corpus") / "docs_src"
    shutil.copytree(source, copy)
    return copy


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.py"))
    }


def _assert_no_crash(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "internal error" not in stderr


def test_check_fix_and_refix_real_code(corpus: Path) -> None:
    checked = run_cli("check", "--select", "ALL", "--output-format", "json", ".", cwd=corpus)
    assert checked.code in (0, 1), checked.err
    _assert_no_crash(checked.err)

    fixed = run_cli("check", "--select", "ALL", "--fix", "--unsafe-fixes", "-q", ".", cwd=corpus)
    assert fixed.code in (0, 1), fixed.err
    _assert_no_crash(fixed.err)
    for path in corpus.rglob("*.py"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(path.read_bytes(), str(path), "exec", ast.PyCF_ONLY_AST)

    before = _digest(corpus)
    again = run_cli("check", "--select", "ALL", "--fix", "--unsafe-fixes", "-q", ".", cwd=corpus)
    _assert_no_crash(again.err)
    assert _digest(corpus) == before, "a second --fix run changed files"
