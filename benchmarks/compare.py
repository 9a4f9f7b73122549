#!/usr/bin/env python3
"""fastlint against the floor it stands on and the tools next to it, in one table.

Usage: compare.py [--corpus DIR] [--runs N] [--tools DIR] [--skip-corpus] [--skip-docs-src]

* The corpus: the pinned real FastAPI applications that ``../shared/corpus/fetch.sh``
  downloads (fetched into DIR when it is empty), and fastapi's own ``docs_src`` examples from
  it.
* The tools: ruff and Fixit, installed with pip into their own virtual environment (DIR,
  default ``.bench-tools/`` in this checkout), never into fastlint's.
* The measures, each run N times (default 3) in turn, one round after the other, so that a
  ratio compares runs made side by side: fastlint cold (no cache), warm (nothing changed
  since the previous run) and one file of a large project (unchanged, and edited before
  each run); a bare single-process LibCST parse of every file (``bare_parse.py``);
  ``python -c "import libcst"``; ruff ``--select FAST,ASYNC --no-cache``; Fixit's default
  rules (``docs_src`` only: on the whole corpus one Fixit run takes over 13 minutes).

Every figure is a whole process: wall and CPU (user + system) seconds, as medians, and the
peak resident memory of its largest process (``getrusage``). The targets of the
performance issue are printed next to the ratios they constrain.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import venv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _timing import run_once

REPO = Path(__file__).resolve().parent.parent
FETCH = REPO.parent / "shared" / "corpus" / "fetch.sh"
LARGE_PROJECT = "open-webui-0.12.4"
LARGE_FILE = "open_webui/routers/auths.py"


@dataclass
class Measure:
    label: str
    command: Sequence[str]
    cwd: str | None = None
    before: object = None  # a callable run before each timed run (not timed)
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peak: float = 0.0
    codes: set[int] = field(default_factory=set)

    def run(self) -> None:
        if callable(self.before):
            self.before()
        wall, cpu, peak, code = run_once(self.command, cwd=self.cwd)
        self.walls.append(wall)
        self.cpus.append(cpu)
        self.peak = max(self.peak, peak)
        self.codes.add(code)


def _ratio(a: Measure, b: Measure, cpu: bool = False) -> float:
    first, second = (a.cpus, b.cpus) if cpu else (a.walls, b.walls)
    return statistics.median(x / y for x, y in zip(first, second))


def _tools(directory: Path) -> tuple[str, str]:
    ruff, fixit = directory / "bin" / "ruff", directory / "bin" / "fixit"
    if not (ruff.exists() and fixit.exists()):
        venv.create(directory, with_pip=True)
        subprocess.run(
            [str(directory / "bin" / "pip"), "install", "-q", "ruff", "fixit"], check=True
        )
    return str(ruff), str(fixit)


def _corpus(directory: Path) -> list[str]:
    packages = sorted(str(p) for p in directory.glob("*-*") if p.is_dir())
    if not packages:
        subprocess.run(["bash", str(FETCH), str(directory)], check=True)
        packages = sorted(str(p) for p in directory.glob("*-*") if p.is_dir())
    return packages


def _rounds(measures: Sequence[Measure], runs: int) -> None:
    for measure in measures:  # warm-up: page cache, .pyc files, the caches of warm runs
        if callable(measure.before):
            measure.before()
        run_once(measure.command, cwd=measure.cwd)
    for _ in range(runs):
        for measure in measures:
            measure.run()


def _table(title: str, measures: Sequence[Measure], rows: Sequence[tuple[str, str, str]]) -> None:
    print(f"\n## {title}\n")
    print("| measure | wall s (median) | CPU s (median) | peak MiB | exit |")
    print("|---|---|---|---|---|")
    for m in measures:
        wall, cpu = statistics.median(m.walls), statistics.median(m.cpus)
        codes = ",".join(str(c) for c in sorted(m.codes))
        print(f"| {m.label} | {wall:.3f} | {cpu:.3f} | {m.peak:.1f} | {codes} |")
    if rows:
        print("\n| ratio | measured | target |")
        print("|---|---|---|")
        for label, measured, target in rows:
            print(f"| {label} | {measured} | {target} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default=str(REPO.parent / "corpus"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", default=str(REPO / ".bench-tools"))
    parser.add_argument("--fastlint", default=f"{sys.executable} -m fastlint")
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--skip-docs-src", action="store_true")
    args = parser.parse_args()
    fastlint = args.fastlint.split()
    ruff, fixit = _tools(Path(args.tools))
    packages = _corpus(Path(args.corpus))
    bare = [sys.executable, str(Path(__file__).with_name("bare_parse.py"))]
    quiet = ["--exit-zero", "-q"]
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} CPUs; {len(packages)} packages")

    with tempfile.TemporaryDirectory(prefix="fastlint-compare-") as scratch:
        if not args.skip_corpus:
            # Warm runs need a writable copy (the cache lives in the tree).
            trees = []
            for package in packages:
                copy = os.path.join(scratch, os.path.basename(package))
                shutil.copytree(package, copy, ignore=shutil.ignore_patterns(".fastlint_cache"))
                trees.append(copy)
            # One-file runs edit a file: in their own copy, so that warm runs stay warm.
            large = os.path.join(scratch, "one-file", LARGE_PROJECT)
            shutil.copytree(
                os.path.join(args.corpus, LARGE_PROJECT),
                large,
                ignore=shutil.ignore_patterns(".fastlint_cache"),
            )
            if not os.path.exists(os.path.join(large, "pyproject.toml")):  # a wheel has none
                with open(os.path.join(large, "pyproject.toml"), "w", encoding="utf-8") as out:
                    out.write('[project]\nname = "benchmark"\n')
            target = os.path.join(large, LARGE_FILE)
            counter = [0]

            def edit() -> None:
                counter[0] += 1
                with open(target, "a", encoding="utf-8") as handle:
                    handle.write(f"# edited {counter[0]}\n")

            cold = Measure("fastlint cold", [*fastlint, "check", "--no-cache", *quiet, *trees])
            warm = Measure("fastlint warm", [*fastlint, "check", *quiet, *trees])
            parse = Measure("bare single-process parse", [*bare, *trees])
            ruff_run = Measure(
                "ruff FAST,ASYNC (cold)",
                [ruff, "check", "--select", "FAST,ASYNC", "--no-cache", "--exit-zero", *trees],
            )
            libcst = Measure('python -c "import libcst"', [sys.executable, "-c", "import libcst"])
            one = Measure(
                "fastlint one file, unchanged", [*fastlint, "check", *quiet, target], cwd=large
            )
            edited = Measure(
                "fastlint one file, edited", [*fastlint, "check", *quiet, target], before=edit
            )
            measures = [parse, cold, warm, ruff_run, libcst, one, edited]
            _rounds(measures, args.runs)
            _table(
                "Whole corpus",
                measures,
                [
                    ("cold wall / bare parse wall", f"{_ratio(cold, parse):.2f}x", "<= 0.5x"),
                    ("cold CPU / bare parse CPU", f"{_ratio(cold, parse, True):.2f}x", "<= 0.8x"),
                    ("warm wall / ruff cold wall", f"{_ratio(warm, ruff_run):.2f}x", "<= 5x"),
                    (
                        "one file (unchanged) / import libcst",
                        f"{_ratio(one, libcst):.2f}x",
                        "<= 1.5x",
                    ),
                    (  # the target is the warm (unchanged) run; this one re-checks
                        "one file (edited) / import libcst",
                        f"{_ratio(edited, libcst):.2f}x",
                        "none (the file is parsed and checked again)",
                    ),
                    ("peak memory per process, cold", f"{cold.peak:.0f} MiB", "<= 300 MiB"),
                ],
            )
        if not args.skip_docs_src:
            docs = [str(p) for p in Path(args.corpus).glob("fastapi-*/docs_src")]
            cold = Measure("fastlint cold", [*fastlint, "check", "--no-cache", *quiet, *docs])
            parse = Measure("bare single-process parse", [*bare, *docs])
            fixit_run = Measure("Fixit (default rules)", [fixit, "lint", *docs])
            ruff_run = Measure(
                "ruff FAST,ASYNC (cold)",
                [ruff, "check", "--select", "FAST,ASYNC", "--no-cache", "--exit-zero", *docs],
            )
            measures = [parse, cold, fixit_run, ruff_run]
            _rounds(measures, args.runs)
            _table(
                "fastapi docs_src",
                measures,
                [
                    ("cold wall / bare parse wall", f"{_ratio(cold, parse):.2f}x", "<= 1.0x"),
                    (
                        "Fixit wall / fastlint cold wall",
                        f"{_ratio(fixit_run, cold):.1f}x",
                        ">= 30x",
                    ),
                ],
            )


if __name__ == "__main__":
    main()
