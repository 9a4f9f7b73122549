#!/usr/bin/env python3
"""Time ``fastlint check`` over a tree (default: the pinned docs_src slice).

Usage: run.py [PATH ...] [--runs N] [--ruff] [-- extra fastlint arguments]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from _timing import time_command

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    argv = sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ruff", action="store_true", help="also time ruff FAST,ASYNC")
    args = parser.parse_args(argv)
    paths = args.paths
    if not paths:
        fetched = subprocess.run(
            [sys.executable, str(REPO / "scripts" / "fetch_corpus_slice.py")],
            check=True,
            capture_output=True,
            text=True,
        )
        paths = [fetched.stdout.strip()]
    files = sum(1 for p in paths for _ in Path(p).rglob("*.py")) if paths else 0
    print(f"{files} .py files under {len(paths)} path(s); {args.runs} runs after 1 warm-up")
    base = [sys.executable, "-m", "fastlint", "check", "--exit-zero", "-q", *extra]
    results = [time_command("fastlint check", [*base, *paths], args.runs)]
    results.append(
        time_command("fastlint check --jobs 1", [*base, "--jobs", "1", *paths], args.runs)
    )
    ruff = shutil.which("ruff")
    if args.ruff and ruff:
        command = [
            ruff,
            "check",
            "--no-cache",
            "--isolated",
            "--select",
            "FAST,ASYNC",
            "--exit-zero",
            "--quiet",
            *paths,
        ]
        results.append(time_command("ruff check --select FAST,ASYNC", command, args.runs))
    for timing in results:
        print(timing.line())


if __name__ == "__main__":
    main()
