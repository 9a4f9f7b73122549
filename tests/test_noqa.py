"""Suppressions: ``# noqa: CODE``, bare ``# noqa``, ``# fastlint: noqa`` and FL002."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastlint.noqa import parse_suppressions
from fastlint.rules.fl002_unused_noqa import UnusedNoqa
from fastlint.rules.fl201_cors_wildcard_credentials import CorsWildcardCredentials
from fastlint.testing import run_rule

from conftest import run_cli, write_tree

CORS_LINE = (
    "from fastapi import FastAPI\n"
    "from fastapi.middleware.cors import CORSMiddleware\n"
    "\n"
    "app = FastAPI()\n"
    'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True){comment}\n'
)


def _check(project: Path, comment: str, *args: str) -> tuple[int, str, str]:
    write_tree(project, {"app/main.py": CORS_LINE.format(comment=comment)})
    result = run_cli("check", "--output-format", "concise", *args, ".", cwd=project)
    return result.code, result.out, (project / "app/main.py").read_text()


def test_code_noqa_suppresses(project: Path) -> None:
    code, out, _ = _check(project, "  # noqa: FL201")
    assert code == 0, out


def test_other_code_does_not_suppress(project: Path) -> None:
    code, out, _ = _check(project, "  # noqa: FL101")
    assert code == 1 and "FL201" in out


def test_bare_noqa_suppresses_and_is_never_unused(project: Path) -> None:
    code, out, _ = _check(project, "  # noqa")
    assert code == 0, out


def test_noqa_with_other_tools_codes(project: Path) -> None:
    code, out, _ = _check(project, "  # noqa: E501, FL201, S608")
    assert code == 0, out


def test_file_level_noqa(project: Path) -> None:
    write_tree(project, {"app/main.py": "# fastlint: noqa\n" + CORS_LINE.format(comment="")})
    assert run_cli("check", ".", cwd=project).code == 0
    write_tree(project, {"app/main.py": "# fastlint: noqa: FL201\n" + CORS_LINE.format(comment="")})
    assert run_cli("check", ".", cwd=project).code == 0
    write_tree(project, {"app/main.py": "# fastlint: noqa: FL301\n" + CORS_LINE.format(comment="")})
    assert run_cli("check", ".", cwd=project).code == 1


def test_noqa_inside_string_does_not_count(project: Path) -> None:
    source = CORS_LINE.format(comment="") + 'text = "# noqa: FL201"\n'
    write_tree(project, {"app/main.py": source})
    result = run_cli("check", "--output-format", "concise", ".", cwd=project)
    assert result.code == 1 and "FL201" in result.out
    assert parse_suppressions(source).lines == {}


def test_unused_noqa_is_reported_and_fixed(project: Path) -> None:
    write_tree(
        project,
        {
            "app/main.py": (
                "from fastapi import FastAPI\n"
                "\n"
                "app = FastAPI()  # noqa: FL201\n"
                "x = 1  # noqa: E501, FL201\n"
                "y = 2  # noqa\n"
            )
        },
    )
    result = run_cli("check", "--output-format", "concise", ".", cwd=project)
    assert result.code == 1
    assert "app/main.py:3:18: FL002 [*] Unused `noqa` directive (unused: FL201)" in result.out
    assert "app/main.py:4:8: FL002 [*]" in result.out
    fixed = run_cli("check", "--fix", ".", cwd=project)
    assert fixed.code == 0, fixed
    assert (project / "app/main.py").read_text() == (
        "from fastapi import FastAPI\n\napp = FastAPI()\nx = 1  # noqa: E501\ny = 2  # noqa\n"
    )


def test_unknown_fl_code_in_noqa(project: Path) -> None:
    write_tree(project, {"app/main.py": "import fastapi  # noqa: FL999\n"})
    result = run_cli("check", "--output-format", "concise", ".", cwd=project)
    assert "FL002" in result.out and "unknown: FL999" in result.out


def test_used_noqa_is_not_reported(project: Path) -> None:
    code, out, _ = _check(project, "  # noqa: FL201")
    assert "FL002" not in out and code == 0


def test_parse_suppressions_codes() -> None:
    found = parse_suppressions("x = 1  # noqa: FL101,fl201 E501\ny = 2  # NOQA\n")
    assert found.lines[1].codes == ("FL101", "FL201", "E501")
    assert found.lines[2].codes is None


def _fix_noqa(source: str) -> str:
    rules = [UnusedNoqa, CorsWildcardCredentials]
    return run_rule(UnusedNoqa, source, rules=rules, fix=True).fixed_text


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        # No code remains: the reason goes with the directive, and no trailing spaces stay.
        ("import os  # type: ignore  # noqa: FL201 -- legacy", "import os  # type: ignore"),
        ("import os  # noqa: FL201 -- legacy", "import os"),
        ("import os  # noqa:FL201 - reviewed   ", "import os"),
        ("import os  # noqa: FL201, legacy code", "import os"),
        ("import os  # noqa: FL201 -- see #123", "import os"),
        # A comment after the reason takes the directive's place.
        ("import os  # noqa: FL201 -- legacy  # type: ignore", "import os  # type: ignore"),
        (
            "import os  # why  # noqa: FL201 -- legacy  # pragma: no cover",
            "import os  # why  # pragma: no cover",
        ),
        # Other tools' codes and the reason stay.
        ("import os  # noqa: E501, FL201", "import os  # noqa: E501"),
        ("import os  # noqa: E501, FL201 -- legacy", "import os  # noqa: E501 -- legacy"),
        (
            "import os  # type: ignore  # noqa: FL201, S608 -- legacy",
            "import os  # type: ignore  # noqa: S608 -- legacy",
        ),
    ],
)
def test_item4_fl002_removes_the_reason_with_the_last_code(line: str, fixed: str) -> None:
    for newline in ("\n", "\r\n", "\r"):
        source = f"import fastapi{newline}{line}{newline}x = 1{newline}"
        assert _fix_noqa(source) == f"import fastapi{newline}{fixed}{newline}x = 1{newline}"


def test_item4_a_directive_on_a_line_of_its_own_takes_the_line_with_it() -> None:
    source = "import fastapi\n\nx = (\n    # noqa: FL201 -- legacy\n    1\n)\n"
    assert _fix_noqa(source) == "import fastapi\n\nx = (\n    1\n)\n"


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_item5_noqa_comments_are_found_on_their_rows_whatever_the_line_endings(
    newline: str,
) -> None:
    text = newline.join(
        ["import os", "import sys  # noqa: FL201", "x = 1  # noqa: E501, FL101", ""]
    )
    found = parse_suppressions(text)
    assert sorted(found.lines) == [2, 3]
    assert found.lines[2].codes == ("FL201",)
    assert text[found.lines[3].start : found.lines[3].end] == "# noqa: E501, FL101"
    from fastlint.addnoqa import noqa_text

    added, count, _ = noqa_text(text, {1: {"FL101"}, 3: {"FL201"}})
    assert count == 2
    assert added == newline.join(
        [
            "import os  # noqa: FL101",
            "import sys  # noqa: FL201",
            "x = 1  # noqa: E501, FL101, FL201",
            "",
        ]
    )
