#!/usr/bin/env python3
"""fastlint over a corpus against a bare single-process LibCST parse of the same files,
measured one after the other in the same run (medians of whole-process wall time, and peak
memory of the largest process).

Usage: corpus.py PATH [PATH ...] [--runs N] [-- extra fastlint arguments]

The corpus is what ``../shared/corpus/fetch.sh DIR`` downloads (pinned releases of real
FastAPI applications); pass its package directories. fastlint runs cold (``--no-cache``) with
``--select ALL`` unless other arguments are given.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from _timing import time_command

HERE = Path(__file__).resolve().parent


def main() -> None:
    argv = sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    flags = extra or ["--select", "ALL", "--no-cache"]
    parse = time_command(
        "bare LibCST parse, 1 process",
        [sys.executable, str(HERE / "bare_parse.py"), *args.paths],
        args.runs,
        warmup=0,
    )
    lint = time_command(
        "fastlint check " + " ".join(flags),
        [sys.executable, "-m", "fastlint", "check", "--exit-zero", "-q", *flags, *args.paths],
        args.runs,
        warmup=0,
    )
    for timing in (parse, lint):
        print(timing.line())
    ratio = statistics.median(lint.walls) / statistics.median(parse.walls)
    print(f"fastlint / bare parse, median wall: {ratio:.2f}x")


if __name__ == "__main__":
    main()
