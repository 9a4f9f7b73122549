"""Formats for CI services: ``github`` (workflow annotations), ``gitlab`` (Code Quality JSON)
and ``junit`` (XML that test report viewers read). Paths are relative to the repository root,
as these services expect."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ElementTree
from collections import Counter
from typing import Any

from fastlint.fingerprints import fingerprint
from fastlint.reporters.report import Report


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(report: Report) -> str:
    out = []
    for d in report.diagnostics:
        path = report.relative(d.path)
        properties = (
            f"title={_escape_property(f'fastlint ({d.code})')},file={_escape_property(path)},"
            f"line={d.start.row},col={d.start.column},endLine={d.end.row},endColumn={d.end.column}"
        )
        message = f"{path}:{d.start.row}:{d.start.column}: {d.code} {d.message}"
        out.append(f"::error {properties}::{_escape_data(message)}\n")
    return "".join(out)


def gitlab(report: Report) -> str:
    """GitLab Code Quality: fingerprints stay the same while the offending code and its
    neighbours do, and are unique within the report."""
    seen: Counter[str] = Counter()
    issues: list[dict[str, Any]] = []
    for d in report.diagnostics:
        path = report.relative(d.path)
        key = f"{path}\x00{fingerprint(d, report.texts.get(d.path))}"
        seen[key] += 1
        digest = hashlib.sha256(f"{key}\x00{seen[key]}".encode()).hexdigest()[:32]
        url = report.url(d.code)
        issue: dict[str, Any] = {
            "type": "issue",
            "engine_name": "fastlint",
            "check_name": d.code,
            "description": f"{d.code} {d.message}",
            "fingerprint": digest,
            "severity": "major",
            "location": {
                "path": path,
                "positions": {
                    "begin": {"line": d.start.row, "column": d.start.column},
                    "end": {"line": d.end.row, "column": d.end.column},
                },
            },
        }
        if url:
            issue["content"] = {"body": f"[{d.code} {d.name}]({url})"}
            issue["url"] = url
        issues.append(issue)
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def junit(report: Report) -> str:
    by_file: dict[str, list[Any]] = {}
    for d in report.diagnostics:
        by_file.setdefault(report.relative(d.path), []).append(d)
    total = len(report.diagnostics)
    suites = ElementTree.Element(
        "testsuites", name="fastlint", tests=str(max(total, 1)), failures=str(total), errors="0"
    )
    if not by_file:
        suite = ElementTree.SubElement(
            suites, "testsuite", name="fastlint", tests="1", failures="0", errors="0"
        )
        ElementTree.SubElement(suite, "testcase", name="No errors found", classname="fastlint")
    for path, diagnostics in by_file.items():
        count = str(len(diagnostics))
        suite = ElementTree.SubElement(
            suites, "testsuite", name=path, tests=count, failures=count, errors="0"
        )
        for d in diagnostics:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                name=f"fastlint.{d.code}",
                classname=path,
                file=path,
                line=str(d.start.row),
            )
            failure = ElementTree.SubElement(case, "failure", message=d.message, type=d.code)
            url = report.url(d.code)
            failure.text = f"line {d.start.row}, col {d.start.column}, {d.message}" + (
                f" ({url})" if url else ""
            )
    ElementTree.indent(suites)
    body = ElementTree.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
