"""``json`` (ruff's shape, plus the rule's doc ``url``) and ``json-lines`` (one object a line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Optional

from fastlint.diagnostics import Diagnostic
from fastlint.reporters.report import Report
from fastlint.source import LineIndex


class Positions:
    """Row/column of fix edits, from the texts of the report (one line index per file)."""

    def __init__(self, report: Report) -> None:
        self._texts = report.texts
        self._indexes: dict[str, Optional[LineIndex]] = {}

    def location(self, path: str, offset: int) -> dict[str, int]:
        if path not in self._indexes:
            text = self._texts.get(path)
            self._indexes[path] = LineIndex(text) if text is not None else None
        index = self._indexes[path]
        if index is None:
            return {"row": 1, "column": 1}
        location = index.location(offset)
        return {"row": location.row, "column": location.column}


def _item(d: Diagnostic, report: Report, positions: Positions) -> dict[str, Any]:
    fix: Optional[dict[str, Any]] = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.value,
            "message": d.fix.message,
            "edits": [
                {
                    "content": edit.content,
                    "location": positions.location(d.path, edit.start),
                    "end_location": positions.location(d.path, edit.end),
                }
                for edit in d.fix.edits
            ],
        }
    return {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "filename": d.path,
        "location": {"row": d.start.row, "column": d.start.column},
        "end_location": {"row": d.end.row, "column": d.end.column},
        "fix": fix,
        "noqa_row": d.noqa_row,
        "url": report.url(d.code),
    }


def items(report: Report) -> Iterator[dict[str, Any]]:
    positions = Positions(report)
    for d in report.diagnostics:
        yield _item(d, report, positions)


def as_json(report: Report) -> str:
    return json.dumps(list(items(report)), indent=2, ensure_ascii=False) + "\n"


def json_lines(report: Report) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items(report))
