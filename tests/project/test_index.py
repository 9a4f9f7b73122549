"""The project index: roots, module names, the whole tree, the on-disk cache."""

from __future__ import annotations

import os
import pickle
import stat
import sys
from pathlib import Path

import pytest

from fastlint.config import Settings
from fastlint.project.cache import CACHE_DIRECTORY, SummaryCache, _load
from fastlint.project.index import ProjectIndex, project_root
from fastlint.project.workspace import Workspace

from conftest import run_cli, write_tree

SYNC_DEPS = """
from typing import Annotated
from fastapi import Depends
from sqlalchemy.orm import Session

def get_db():
    yield Session()

SessionDep = Annotated[Session, Depends(get_db)]
"""
ASYNC_DEPS = SYNC_DEPS.replace(
    "sqlalchemy.orm import Session", "sqlalchemy.ext.asyncio import AsyncSession as Session"
)
ROUTES = """
from fastapi import APIRouter
from app.deps import SessionDep

router = APIRouter()

@router.get("/")
async def index(db: SessionDep):
    return db.execute("select 1")
"""


def test_root_is_the_nearest_marker_else_the_checked_directory(tmp_path: Path) -> None:
    write_tree(tmp_path, {"proj/pyproject.toml": "", "proj/app/main.py": "", "loose/a/b.py": ""})
    assert project_root(str(tmp_path / "proj/app/main.py")) == str(tmp_path / "proj")
    loose = str(tmp_path / "loose")
    assert project_root(str(tmp_path / "loose/a/b.py"), checked=loose) == loose
    assert project_root(str(tmp_path / "loose/a/b.py")) == str(tmp_path / "loose/a")


def test_one_file_of_a_run_sees_the_whole_project(tmp_path: Path) -> None:
    """What pre-commit does: only routes.py is named, its alias lives in deps.py."""
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/__init__.py": "",
            "app/deps.py": SYNC_DEPS,
            "app/routes.py": ROUTES,
        },
    )
    result = run_cli("check", "--select", "FL101", "app/routes.py", cwd=tmp_path)
    assert result.code == 1 and "app/routes.py:8:12: FL101" in result.out, result.out


def test_two_apps_in_one_tree_resolve_their_own_modules(tmp_path: Path) -> None:
    files = {"pyproject.toml": ""}
    for app, deps in (("sync_app", SYNC_DEPS), ("async_app", ASYNC_DEPS)):
        files[f"{app}/app/__init__.py"] = ""
        files[f"{app}/app/deps.py"] = deps
        files[f"{app}/app/routes.py"] = ROUTES
    write_tree(tmp_path, files)
    result = run_cli("check", "--select", "FL101", "--output-format", "concise", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.out.splitlines() if "FL101" in line] == [
        "sync_app/app/routes.py"
    ], result.out


def test_module_names(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/mod.py": "",
            "ns/routers/users.py": "",
            "src/lib/__init__.py": "",
            "src/lib/core.py": "",
            "main.py": "",
        },
    )
    index = ProjectIndex(str(tmp_path))
    paths = ("pkg/sub/mod.py", "pkg/__init__.py", "ns/routers/users.py", "src/lib/core.py")
    names = {rel: index.module_name_for(str(tmp_path / rel)) for rel in (*paths, "main.py")}
    assert names == {
        "pkg/sub/mod.py": ("pkg.sub.mod", False),
        "pkg/__init__.py": ("pkg", True),
        "ns/routers/users.py": ("ns.routers.users", False),
        "src/lib/core.py": ("lib.core", False),
        "main.py": ("main", False),
    }


def test_reexports_are_followed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": (
                "from pkg.impl import thing as exported\nfrom pydantic import validator\n"
            ),
            "pkg/impl.py": "def thing(): pass\n",
        },
    )
    files = [str(tmp_path / "pkg/__init__.py"), str(tmp_path / "pkg/impl.py")]
    index = ProjectIndex(str(tmp_path), files)
    assert index.canonical("pkg.exported") == "pkg.impl.thing"
    assert index.canonical("pkg.validator") == "pydantic.validator"
    assert index.canonical("fastapi.Depends") == "fastapi.Depends"


def test_update_replaces_one_summary_and_rebuilds_facts(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"})
    path = str(tmp_path / "main.py")
    index = ProjectIndex(str(tmp_path), [path])
    assert list(index.facts.objects) == ["main.app"]
    generation = index.generation
    index.update(path, "from fastapi import FastAPI\napi = FastAPI()\n")
    assert index.generation == generation + 1
    assert list(index.facts.objects) == ["main.api"]
    index.update(path, "from fastapi import FastAPI\napi = FastAPI()\n")  # the same text again
    assert index.generation == generation + 1


def test_warm_cache_reads_no_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"pyproject.toml": "", "app/__init__.py": "", "app/deps.py": SYNC_DEPS})
    path = str(tmp_path / "app/deps.py")
    first = ProjectIndex(str(tmp_path), [path], SummaryCache(str(tmp_path)))
    summary = first.summary_for_path(path)
    first.flush()
    top = tmp_path / CACHE_DIRECTORY
    signature = "Signature: 8a477f597d28d172789f06886806bc55"
    assert (top / "CACHEDIR.TAG").read_text().startswith(signature)
    assert (top / ".gitignore").read_text().splitlines()[-1] == "*"

    opened: list[str] = []
    real_open = open

    def spy(file: object, *args: object, **kwargs: object) -> object:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", spy)
    second = ProjectIndex(str(tmp_path), [path], SummaryCache(str(tmp_path)))
    assert second.summary_for_path(path) == summary
    assert path not in opened  # the manifest says it did not change
    os.utime(path, ns=(1, 1))  # touched, same content: read and hashed, not re-summarised
    third = ProjectIndex(str(tmp_path), [path], SummaryCache(str(tmp_path)))
    assert third.summary_for_path(path) == summary


def test_a_corrupt_cache_entry_is_rebuilt(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.py": "x = 1\n"})
    path = str(tmp_path / "m.py")
    index = ProjectIndex(str(tmp_path), [path], SummaryCache(str(tmp_path)))
    expected = index.summary_for_path(path)
    index.flush()
    for entry in (tmp_path / CACHE_DIRECTORY).rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    again = ProjectIndex(str(tmp_path), [path], SummaryCache(str(tmp_path)))
    assert again.summary_for_path(path) == expected


def test_the_cache_loads_only_summary_records() -> None:
    """A cache committed to a repository cannot make fastlint run code."""

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("echo pwned",))

    with pytest.raises(pickle.UnpicklingError):
        _load(pickle.dumps(Evil()))


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root ignores modes")
def test_a_read_only_tree_warns_once(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "", "app/main.py": "x = 1\n"})
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run_cli("check", ".", cwd=tmp_path)
    finally:
        tmp_path.chmod(stat.S_IRWXU)
    assert result.code == 0
    assert result.err.count("cannot write the cache") == 1


def test_unwritable_cache_is_a_warning(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "", "app/deps.py": SYNC_DEPS, "app/routes.py": ROUTES})
    (tmp_path / CACHE_DIRECTORY).write_text("a file where the cache directory should be")
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.code == 1, result  # the findings are still reported
    assert "warning:" in result.err and "cannot write the cache" in result.err
    assert "Traceback" not in result.err


def test_no_cache_and_clean(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "", "app/deps.py": SYNC_DEPS, "app/routes.py": ROUTES})
    assert run_cli("check", "--no-cache", ".", cwd=tmp_path).code == 1
    assert not (tmp_path / CACHE_DIRECTORY).exists()
    assert run_cli("check", ".", cwd=tmp_path).code == 1
    assert (tmp_path / CACHE_DIRECTORY).is_dir()
    cleaned = run_cli("clean", ".", cwd=tmp_path)
    assert cleaned.code == 0 and "Removed" in cleaned.out
    assert not (tmp_path / CACHE_DIRECTORY).exists()
    assert "No cache" in run_cli("clean", cwd=tmp_path).out


def test_workspace_groups_files_by_project(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/pyproject.toml": "", "a/x.py": "", "b/setup.py": "", "b/y.py": ""})
    files = [str(tmp_path / "a/x.py"), str(tmp_path / "b/y.py")]
    workspace = Workspace(Settings(root=str(tmp_path)), [str(tmp_path)], files, cache=False)
    roots = {os.path.basename(workspace.index_for(f).root) for f in files}
    assert roots == {"a", "b"}


def test_project_facts_come_from_the_cache_until_a_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastlint.fastapi.facts import ProjectFacts, Role

    write_tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/__init__.py": "",
            "app/deps.py": SYNC_DEPS,
            "app/routes.py": ROUTES,
        },
    )
    files = [str(p) for p in tmp_path.rglob("*.py")]
    first = ProjectIndex(str(tmp_path), files, SummaryCache(str(tmp_path)))
    assert first.facts.roles["app.routes.index"] == {Role.PATH_OPERATION}
    first.flush()

    def no_build(index: ProjectIndex) -> ProjectFacts:
        raise AssertionError("facts rebuilt although nothing changed")

    monkeypatch.setattr(ProjectFacts, "build", classmethod(lambda cls, index: no_build(index)))
    second = ProjectIndex(str(tmp_path), files, SummaryCache(str(tmp_path)))
    assert second.facts.roles["app.routes.index"] == {Role.PATH_OPERATION}
    assert (
        second.facts.context(
            second.module("app.routes"), second.module("app.routes").scopes_named("index")
        )
        is not None
    )
    monkeypatch.undo()

    (tmp_path / "app/routes.py").write_text(ROUTES.replace("async def index", "async def home"))
    third = ProjectIndex(str(tmp_path), files, SummaryCache(str(tmp_path)))
    assert "app.routes.home" in third.facts.roles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from fastapi import FastAPI\n", True),
        ("import os\n", False),
        ("x = Depends(get_db)\n", True),
        ("app.mount('/static', files)\n", True),
        ("@router.get('/items')\ndef items():\n    pass\n", True),
        ("class A:\n    @api.post ('/x')\n    def x(self):\n        pass\n", True),
        ("value = matrix @ other.get('/x')\n", False),  # not a decorator
        ("# a@b.get('/x')\n", False),
        ("@functools.cache\ndef f():\n    pass\n", False),
    ],
)
def test_the_registration_screen(text: str, expected: bool) -> None:
    from fastlint.project.index import screens

    assert screens(text) is expected


def test_modules_mentioning_a_word_follows_edits(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "", "a.py": "router = 1\n", "b.py": "x = 2\n"})
    index = ProjectIndex(str(tmp_path), [str(tmp_path / "a.py"), str(tmp_path / "b.py")])

    def mentioning(word: str) -> list[str]:
        return sorted(m.name for m in index.modules_mentioning(word))

    assert mentioning("router") == ["a"]
    index.update(str(tmp_path / "b.py"), "from a import router\n")
    assert mentioning("router") == ["a", "b"]
    (tmp_path / "c.py").write_text("router = 3\n")
    index.add_file(str(tmp_path / "c.py"))
    assert mentioning("router") == ["a", "b", "c"]
    index.update(str(tmp_path / "b.py"), None)  # back to the disk's text
    assert mentioning("router") == ["a", "c"]
