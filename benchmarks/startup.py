#!/usr/bin/env python3
"""Start-up: ``fastlint --version``, and checking one file of a large project with a warm
index cache, against ``python -c "import libcst"`` (what any LibCST tool pays first).

Usage: startup.py PROJECT FILE [--runs N] [--fastlint CMD]

PROJECT is the directory of a large project (for instance ``open-webui-0.12.4`` of the corpus
that ``../shared/corpus/fetch.sh`` downloads) and FILE one of its modules, relative to it. The
project is copied to a temporary directory, given a ``pyproject.toml`` when it has no project
marker (a wheel has none; a real checkout has one), and its index cache is warmed by one full
run; the timed runs then check FILE alone, as pre-commit does for one staged file: once
unchanged (its findings come from the results cache) and once edited before every run (a
comment appended: the file is checked again, with the rest of the project from the cache).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from _timing import time_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("project")
    parser.add_argument("file")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--fastlint", default=f"{sys.executable} -m fastlint", help="the command to time"
    )
    args = parser.parse_args()
    fastlint = args.fastlint.split()
    with tempfile.TemporaryDirectory(prefix="fastlint-startup-") as scratch:
        project = os.path.join(scratch, "project")
        shutil.copytree(args.project, project, ignore=shutil.ignore_patterns(".fastlint_cache"))
        markers = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
        if not any(os.path.exists(os.path.join(project, m)) for m in markers):
            with open(os.path.join(project, "pyproject.toml"), "w", encoding="utf-8") as f:
                f.write('[project]\nname = "benchmark"\n')
        warm = [*fastlint, "check", "--exit-zero", "-q", "."]
        subprocess.run(warm, cwd=project, capture_output=True, check=False)
        check = [*fastlint, "check", "--exit-zero", "-q", os.path.join(project, args.file)]
        baseline = time_command(
            "python -c 'import libcst'", [sys.executable, "-c", "import libcst"], args.runs
        )
        version = time_command("fastlint --version", [*fastlint, "--version"], args.runs)
        one_file = time_command("fastlint check FILE (unchanged)", check, args.runs)
        target = os.path.join(project, args.file)
        edited_check = ["sh", "-c", 'echo "# edited $$" >> "$0" && exec "$@"', target, *check]
        edited = time_command("fastlint check FILE (edited)", edited_check, args.runs)
    floor = statistics.median(baseline.walls)
    for timing in (baseline, version, one_file, edited):
        ratio = statistics.median(timing.walls) / floor
        print(f"{timing.line()}  {ratio:5.2f}x import libcst")


if __name__ == "__main__":
    main()
