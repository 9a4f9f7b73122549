#!/usr/bin/env python3
"""Start-up: ``fastlint --version``, and checking one file of a large project with a warm
index cache, against ``python -c "import libcst"`` (what any LibCST tool pays first).

Usage: startup.py PROJECT_FILE [--runs N]

PROJECT_FILE is one module of a large project (for instance a router of open-webui from the
corpus that ``../shared/corpus/fetch.sh`` downloads). The index cache of its project is warmed
by one run first; the timed runs then check that file alone, as pre-commit does.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

from _timing import time_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    check = [sys.executable, "-m", "fastlint", "check", "--exit-zero", "-q", args.file]
    subprocess.run(check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    baseline = time_command(
        "python -c 'import libcst'", [sys.executable, "-c", "import libcst"], args.runs
    )
    version = time_command(
        "fastlint --version", [sys.executable, "-m", "fastlint", "--version"], args.runs
    )
    one_file = time_command("fastlint check FILE (warm index)", check, args.runs)
    floor = statistics.median(baseline.walls)
    for timing in (baseline, version, one_file):
        ratio = statistics.median(timing.walls) / floor
        print(f"{timing.line()}  {ratio:5.2f}x import libcst")


if __name__ == "__main__":
    main()
