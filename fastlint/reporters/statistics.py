"""``--statistics``: the findings counted per rule instead of listed, most frequent first (then
by code).

``json`` gives a list of ``{"code", "name", "count", "fixable"}`` objects and ``json-lines``
the same objects one a line; every other format gives the table for people, which the
summary lines follow as they follow a list of findings. ``fixable`` says that ``--fix`` (with
the run's ``--unsafe-fixes`` setting) fixes at least one of the rule's findings, as the
table's ``[*]`` does.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from fastlint.diagnostics import Diagnostic
from fastlint.reporters.text import fixable

# The formats that have a statistics shape of their own.
MACHINE_FORMATS = frozenset({"json", "json-lines"})


@dataclass(frozen=True)
class Statistic:
    code: str
    name: str
    count: int
    fixable: bool


def count(diagnostics: Sequence[Diagnostic], unsafe: bool) -> list[Statistic]:
    counts = Counter(d.code for d in diagnostics)
    names = {d.code: d.name for d in diagnostics}
    fixable_codes = {d.code for d in diagnostics if fixable(d, unsafe)}
    return [
        Statistic(code, names[code], number, code in fixable_codes)
        for code, number in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def table(statistics: Sequence[Statistic]) -> str:
    width = max((len(str(s.count)) for s in statistics), default=1)
    return "".join(
        f"{s.count:>{width}}\t{s.code}\t{'[*]' if s.fixable else '[ ]'} {s.name}\n"
        for s in statistics
    )


def render(output_format: str, diagnostics: Sequence[Diagnostic], unsafe: bool) -> str:
    statistics = count(diagnostics, unsafe)
    objects = [asdict(s) for s in statistics]
    if output_format == "json":
        return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
    if output_format == "json-lines":
        return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in objects)
    return table(statistics)
