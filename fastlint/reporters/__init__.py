"""Output formats. Reporters are plain functions of plain data: the findings, the texts of the
files that have findings (for code frames, fix diffs and fingerprints) and what is known of
each rule. They never see a syntax tree, and import nothing that parses code.

``full`` and ``concise`` are for people (colour on a terminal); ``json``, ``json-lines``,
``github``, ``gitlab``, ``sarif`` and ``junit`` are for tools.
"""

from __future__ import annotations

from typing import Callable

from fastlint.docs import RuleInfo
from fastlint.reporters.report import Report, repository_root

FORMATS = ("full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit")
# Formats for people: the summary lines follow the findings.
TEXT_FORMATS = frozenset({"full", "concise"})


def render(output_format: str, report: Report) -> str:
    """The findings of ``report`` in ``output_format`` (one of ``FORMATS``)."""
    return _renderers()[output_format](report)


def _renderers() -> dict[str, Callable[[Report], str]]:
    from fastlint.reporters import ci, machine, sarif, text

    return {
        "full": text.full,
        "concise": text.concise,
        "json": machine.as_json,
        "json-lines": machine.json_lines,
        "github": ci.github,
        "gitlab": ci.gitlab,
        "sarif": sarif.sarif,
        "junit": ci.junit,
    }


__all__ = ["FORMATS", "TEXT_FORMATS", "Report", "RuleInfo", "render", "repository_root"]
