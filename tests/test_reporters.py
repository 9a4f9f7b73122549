"""Every output format, as a snapshot of the same findings on a fixture project.

The findings are built here (not by the rules), so a snapshot changes only when its reporter
does. ``FASTLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_reporters.py`` rewrites the snapshots;
review the diff before committing it.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from fastlint import __version__
from fastlint.diagnostics import Applicability, Diagnostic, Edit, Fix
from fastlint.docs import DEFAULT_DOCS_URL, RuleInfo
from fastlint.reporters import FORMATS, Report, render
from fastlint.source import LineIndex

from conftest import validate_sarif

FIXTURE = Path(__file__).parent / "data" / "report_fixture"
SNAPSHOTS = Path(__file__).parent / "snapshots"

RULES = {
    "FL101": RuleInfo(
        "FL101",
        "sync-db-in-async",
        "Synchronous database I/O in async context",
        "unsafe",
        url=f"{DEFAULT_DOCS_URL}FL101.md",
        documentation="## What it does\nFinds sync I/O.\n\n## Why is this bad?\nIt blocks.",
    ),
    "FL201": RuleInfo(
        "FL201",
        "cors-wildcard-credentials",
        "Any origin with credentials",
        "none",
        url=f"{DEFAULT_DOCS_URL}FL201.md",
        documentation="## What it does\nFinds open CORS.\n\n## Fix safety\nNo fix.",
    ),
    "FL301": RuleInfo(
        "FL301",
        "deprecated-validator",
        "Pydantic 1 `@validator`",
        "safe or unsafe",
        url=f"{DEFAULT_DOCS_URL}FL301.md",
        documentation="## What it does\nFinds `@validator`.",
    ),
}


def _text(path: str) -> str:
    return (FIXTURE / path).read_text(encoding="utf-8")


def _span(path: str, needle: str, end_needle: str | None = None) -> tuple[int, int]:
    text = _text(path)
    start = text.index(needle)
    if end_needle is None:
        return start, start + len(needle)
    return start, text.index(end_needle, start) + len(end_needle)


def _diagnostic(
    code: str, message: str, path: str, span: tuple[int, int], fix: Fix | None = None
) -> Diagnostic:
    lines = LineIndex(_text(path))
    start, end = lines.location(span[0]), lines.location(span[1])
    return Diagnostic(code, RULES[code].name, message, path, start, end, fix, start.row)


def _edit(path: str, needle: str, content: str) -> Edit:
    start, end = _span(path, needle)
    return Edit(start, end, content)


def findings() -> list[Diagnostic]:
    validator_fix = Fix(
        Applicability.SAFE,
        "Replace `@validator` with `@field_validator`",
        (
            _edit("app/models.py", "BaseModel, validator", "BaseModel, field_validator"),
            _edit(
                "app/models.py",
                '@validator("name", pre=True)',
                '@field_validator("name", mode="before")',
            ),
            Edit(*(2 * [_span("app/models.py", "    def strip_name")[0]]), "    @classmethod\n"),
        ),
    )
    sync_fix = Fix(
        Applicability.UNSAFE,
        "Make `list_users` a sync `def`",
        (_edit("app/routes.py", "async def list_users", "def list_users"),),
    )
    return [
        _diagnostic(
            "FL201",
            'CORSMiddleware allows any origin (`"*"`) with `allow_credentials=True`',
            "app/main.py",
            _span("app/main.py", "CORSMiddleware,\n", "allow_credentials=True"),
        ),
        _diagnostic(
            "FL301",
            "`@validator` is deprecated in Pydantic 2; use `@field_validator`",
            "app/models.py",
            _span("app/models.py", '@validator("name", pre=True)'),
            validator_fix,
        ),
        _diagnostic(
            "FL101",
            "Synchronous database call `db.scalars()` in async path operation `list_users`",
            "app/routes.py",
            _span("app/routes.py", "db.scalars(", '"SELECT name FROM users"\n        )'),
            sync_fix,
        ),
    ]


def _report(color: bool = False) -> Report:
    diagnostics = findings()
    texts = {d.path: _text(d.path) for d in diagnostics}
    return Report(diagnostics, texts, RULES, unsafe=False, root=str(FIXTURE), color=color)


def _normalized(output: str) -> str:
    root_uri = FIXTURE.resolve().as_uri() + "/"
    return output.replace(root_uri, "file:///ROOT/").replace(f'"{__version__}"', '"VERSION"')


def _check_snapshot(name: str, output: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("FASTLINT_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(output, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with FASTLINT_UPDATE_SNAPSHOTS=1"
    assert output == path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _in_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE)  # paths are shown relative to the working directory


@pytest.mark.parametrize("output_format", FORMATS)
def test_snapshot(output_format: str) -> None:
    _check_snapshot(f"report.{output_format}.txt", _normalized(render(output_format, _report())))


def test_full_snapshot_in_colour() -> None:
    output = render("full", _report(color=True))
    assert "\x1b[" in output
    _check_snapshot("report.full-color.txt", output)


def test_full_shows_frame_help_docs_and_fix_diff() -> None:
    output = render("full", _report())
    assert '7 |     @validator("name", pre=True)\n' in output
    assert "  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ FL301\n" in output
    assert "= help: Replace `@validator` with `@field_validator`\n" in output
    assert f"= docs: {DEFAULT_DOCS_URL}FL301.md\n" in output
    assert "  Safe fix\n" in output and "  Unsafe fix\n" in output
    assert '| -    @validator("name", pre=True)' in output
    assert '| +    @field_validator("name", mode="before")' in output
    assert "(unsafe: enable with --unsafe-fixes)" in output
    assert "\x1b[" not in output


def test_json_and_json_lines_carry_the_doc_url() -> None:
    data = json.loads(render("json", _report()))
    lines = [json.loads(line) for line in render("json-lines", _report()).splitlines()]
    assert data == lines
    assert [item["url"] for item in data] == [
        f"{DEFAULT_DOCS_URL}{code}.md" for code in ("FL201", "FL301", "FL101")
    ]


def test_sarif_is_valid_and_carries_rules_help_and_fixes() -> None:
    log = json.loads(render("sarif", _report()))
    validate_sarif(log)
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["FL301"]["helpUri"] == f"{DEFAULT_DOCS_URL}FL301.md"
    assert rules["FL101"]["help"]["markdown"].startswith("## What it does")
    assert rules["FL101"]["fullDescription"]["text"] == "Finds sync I/O."
    by_rule = {result["ruleId"]: result for result in run["results"]}
    fix = by_rule["FL301"]["fixes"][0]
    replacements = fix["artifactChanges"][0]["replacements"]
    assert replacements[1]["deletedRegion"] == {
        "startLine": 7,
        "startColumn": 5,
        "endLine": 7,
        "endColumn": 33,
    }
    assert replacements[2]["insertedContent"]["text"] == "    @classmethod\n"
    assert "fixes" not in by_rule["FL201"]
    assert by_rule["FL101"]["locations"][0]["physicalLocation"]["region"]["endLine"] == 13
    assert [r["ruleIndex"] for r in run["results"]] == [
        list(rules).index(r["ruleId"]) for r in run["results"]
    ]


def test_an_empty_sarif_log_is_valid() -> None:
    validate_sarif(json.loads(render("sarif", Report([], root=str(FIXTURE)))))


def test_gitlab_fingerprints_are_stable_and_unique() -> None:
    issues = json.loads(render("gitlab", _report()))
    assert [issue["location"]["path"] for issue in issues] == [
        "app/main.py",
        "app/models.py",
        "app/routes.py",
    ]
    assert len({issue["fingerprint"] for issue in issues}) == 3
    assert all(issue["url"] in issue["content"]["body"] for issue in issues)
    # The same finding twice (two identical lines) still gets two fingerprints.
    twice = findings()[:1] * 2
    report = Report(twice, {"app/main.py": _text("app/main.py")}, RULES, root=str(FIXTURE))
    fingerprints = [issue["fingerprint"] for issue in json.loads(render("gitlab", report))]
    assert len(set(fingerprints)) == 2
    assert fingerprints[0] == issues[0]["fingerprint"]


def test_github_paths_are_relative_to_the_repository_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(FIXTURE / "app")
    diagnostics = [d.__class__(**{**_fields(d), "path": d.path[4:]}) for d in findings()]
    report = Report(diagnostics, {}, RULES, root=str(FIXTURE))
    lines = render("github", report).splitlines()
    assert lines[0].startswith("::error title=fastlint (FL201),file=app/main.py,line=6,col=5,")


def _fields(d: Diagnostic) -> dict[str, object]:
    return {name: getattr(d, name) for name in d.__dataclass_fields__}


def test_github_escapes_properties_and_messages() -> None:
    d = findings()[0]
    odd = d.__class__(**{**_fields(d), "path": "app/a,b:c.py", "message": "50% of\nit"})
    output = render("github", Report([odd], root=str(FIXTURE)))
    assert "file=app/a%2Cb%3Ac.py," in output
    assert output.endswith("FL201 50%25 of%0Ait\n")


def test_junit_is_xml_with_one_failure_per_finding() -> None:
    root = ElementTree.fromstring(render("junit", _report()))
    assert root.get("tests") == "3" and root.get("failures") == "3"
    cases = root.findall("./testsuite/testcase")
    assert [case.get("name") for case in cases] == [
        "fastlint.FL201",
        "fastlint.FL301",
        "fastlint.FL101",
    ]
    assert cases[0].get("line") == "6"
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("type") == "FL201"
    empty = ElementTree.fromstring(render("junit", Report([], root=str(FIXTURE))))
    assert empty.get("failures") == "0"
    assert empty.find("./testsuite/testcase").get("name") == "No errors found"  # type: ignore[union-attr]


def test_code_frame_of_a_very_long_line_is_a_window_around_the_span() -> None:
    """A finding in minified or generated code prints about one screen width, not the line."""
    from fastlint.diagnostics import Diagnostic, Location
    from fastlint.reporters.text import Style, code_frame

    line = "x = [" + "1, " * 5000 + "]; app.add_middleware(CORS, allow_origins=['*'])"
    column = line.index("allow_origins") + 1
    span = Location(2, column), Location(2, column + len("allow_origins=['*']"))
    diagnostic = Diagnostic(
        code="FL201",
        name="n",
        message="m",
        path="p.py",
        start=span[0],
        end=span[1],
        fix=None,
        noqa_row=None,
    )
    frame = code_frame("a = 1\n" + line + "\nb = 2\n", diagnostic, Style(False))
    shown, carets = frame.splitlines()[2:4]
    assert max(map(len, frame.splitlines())) < 200
    assert shown.startswith("2 | ...") and shown.endswith("allow_origins=['*'])")
    assert shown[carets.index("^") :].startswith("allow_origins=['*']")
    assert carets.rstrip().endswith("^" * len("allow_origins=['*']") + " FL201")
