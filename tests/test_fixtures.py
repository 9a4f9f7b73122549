"""The bundled demo app (the README's Quick start): its findings, and what --fix makes of it."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from conftest import REPO, readme_snippet, run_cli, run_shell

DEMO = REPO / "fixtures" / "demo_app"


def _findings(out: str) -> list[str]:
    return [
        line.split(": ", 2)[0] + ": " + line.split(": ", 2)[1].split()[0]
        for line in out.splitlines()
    ]


def test_demo_app_findings_match_expected() -> None:
    result = run_cli("check", "--output-format", "concise", "-q", ".", cwd=DEMO)
    assert result.code == 1
    expected = (DEMO / "EXPECTED").read_text().split("\n")
    assert _findings(result.out) == [line for line in expected if line]
    assert {line.split()[-1] for line in expected if line} == {"FL101", "FL201", "FL301", "FL401"}


def test_fixtures_command_from_the_readme() -> None:
    """The Quick start: its install steps are what pre-commit does with the hook's package in
    test_precommit.py (pip installs this checkout into a fresh environment); its check runs
    here, in the checkout, as written."""
    venv, install, command = readme_snippet("quick-start").strip().split(" && ")
    assert (venv, install) == ("python3 -m venv .venv", ".venv/bin/pip install -q .")
    assert command == ".venv/bin/fastlint check fixtures/"
    result = run_shell(command.replace(".venv/bin/", ""), REPO)
    assert result.code == 1
    for code in ("FL101", "FL201", "FL301", "FL401"):
        assert f" {code} " in result.out
    assert "Found " in result.out and "fixable with the --fix option" in result.out


def test_demo_app_fix_leaves_only_unfixable_findings(tmp_path: Path) -> None:
    copy = tmp_path / "demo_app"
    shutil.copytree(DEMO, copy)
    fixed = run_cli(
        "check", "--fix", "--unsafe-fixes", "-q", "--output-format", "concise", ".", cwd=copy
    )
    assert fixed.code == 1
    # Left: the CORS finding, which has no automatic fix (the right origins are the user's
    # call), and FL103 on the generated lifespan: it calls the sync `create_tables` on the
    # event loop (as Starlette did with the sync startup handler, unseen until it is called
    # from an `async def`). The blocking routes became sync `def`s, run in a thread.
    remaining = {line.split()[1] for line in fixed.out.splitlines()}
    assert remaining == {"FL201", "FL103"}, fixed.out
    assert "lifespan -> main.create_tables -> MetaData.create_all" in fixed.out
    for path in copy.rglob("*.py"):
        ast.parse(path.read_text())
    main = (copy / "app/main.py").read_text()
    assert "on_event" not in main and "lifespan=lifespan" in main
    users = (copy / "app/routers/users.py").read_text()
    assert "\ndef read_user(" in users and "\ndef create_user(" in users
    schemas = (copy / "app/schemas.py").read_text()
    assert "@validator" not in schemas and schemas.count("@field_validator") == 2
    again = run_cli("check", "--fix", "--unsafe-fixes", "-q", ".", cwd=copy)
    assert again.code == 1
    assert (copy / "app/main.py").read_text() == main


def test_api_contract_app_shows_every_route_table_rule() -> None:
    """fixtures/api_contract_app: one example of each FL6xx rule that works on the route
    table or on a path operation's declaration."""
    app = REPO / "fixtures" / "api_contract_app"
    result = run_cli("check", "--no-cache", "--output-format", "concise", "-q", ".", cwd=app)
    assert result.code == 1
    expected = [line for line in (app / "EXPECTED").read_text().split("\n") if line]
    assert _findings(result.out) == expected
    assert {line.split()[-1] for line in expected} == {
        "FL601",
        "FL602",
        "FL603",
        "FL604",
        "FL605",
        "FL607",
        "FL608",
        "FL609",
        "FL610",
        "FL611",
        "FL612",
    }
