"""SARIF 2.1.0: one run, the rules that have findings (with their docs and doc URLs), results
with regions in the repository, and each fix as a SARIF ``fix`` of text replacements."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastlint import __version__
from fastlint.diagnostics import Diagnostic
from fastlint.docs import REPOSITORY, RuleInfo, first_section
from fastlint.fingerprints import fingerprint
from fastlint.reporters.machine import Positions
from fastlint.reporters.report import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_ID = "%SRCROOT%"


def _rule(code: str, info: RuleInfo) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "defaultConfiguration": {"level": "error", "enabled": info.default_enabled},
        "properties": {"fix": info.fix},
    }
    if info.documentation:
        descriptor["fullDescription"] = {"text": first_section(info.documentation)}
        descriptor["help"] = {"text": info.documentation, "markdown": info.documentation}
    if info.url:
        descriptor["helpUri"] = info.url
    return descriptor


def _location(uri: str) -> dict[str, Any]:
    return {"uri": uri, "uriBaseId": ROOT_ID}


def _region(start: dict[str, int], end: dict[str, int]) -> dict[str, int]:
    return {
        "startLine": start["row"],
        "startColumn": start["column"],
        "endLine": end["row"],
        "endColumn": end["column"],
    }


def _result(d: Diagnostic, index: int, report: Report, positions: Positions) -> dict[str, Any]:
    uri = report.relative(d.path)
    result: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": "error",
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _location(uri),
                    "region": _region(
                        {"row": d.start.row, "column": d.start.column},
                        {"row": d.end.row, "column": d.end.column},
                    ),
                }
            }
        ],
        "partialFingerprints": {"fastlint/v1": fingerprint(d, report.texts.get(d.path))},
    }
    if d.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": d.fix.message},
                "artifactChanges": [
                    {
                        "artifactLocation": _location(uri),
                        "replacements": [
                            {
                                "deletedRegion": _region(
                                    positions.location(d.path, edit.start),
                                    positions.location(d.path, edit.end),
                                ),
                                "insertedContent": {"text": edit.content},
                            }
                            for edit in d.fix.edits
                        ],
                    }
                ],
                "properties": {"applicability": d.fix.applicability.value},
            }
        ]
    return result


def sarif(report: Report) -> str:
    codes = sorted({d.code for d in report.diagnostics})
    index = {code: number for number, code in enumerate(codes)}
    rules = [
        _rule(code, report.rules.get(code) or RuleInfo(code, code, code, "none")) for code in codes
    ]
    positions = Positions(report)
    root_uri = Path(os.path.abspath(report.root)).as_uri().rstrip("/") + "/"
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fastlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": REPOSITORY,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {ROOT_ID: {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": [
                    _result(d, index[d.code], report, positions) for d in report.diagnostics
                ],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
