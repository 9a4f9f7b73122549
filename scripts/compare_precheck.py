#!/usr/bin/env python3
"""The precheck never changes a result: run ``fastlint check`` over PATHs with it and without
it (``FASTLINT_NO_PRECHECK=1``), print the findings that differ and the time of each.

Usage: compare_precheck.py PATH [PATH ...] [-- EXTRA FASTLINT ARGS]

Exit 0 when both runs report the same findings, 1 when they differ.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def _run(paths: list[str], extra: list[str], precheck: bool) -> tuple[list[str], float]:
    env = dict(os.environ)
    if precheck:
        env.pop("FASTLINT_NO_PRECHECK", None)
    else:
        env["FASTLINT_NO_PRECHECK"] = "1"
    command = [sys.executable, "-m", "fastlint", "check", "--no-cache", "--exit-zero"]
    command += ["--output-format", "concise", "-q", *extra, *paths]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"fastlint exited {done.returncode}:\n{done.stderr}")
    return sorted(done.stdout.splitlines()), elapsed


def main() -> None:
    args = sys.argv[1:]
    extra: list[str] = []
    if "--" in args:
        cut = args.index("--")
        args, extra = args[:cut], args[cut + 1 :]
    if not args:
        sys.exit(__doc__)
    on, on_time = _run(args, extra, precheck=True)
    off, off_time = _run(args, extra, precheck=False)
    print(f"with the precheck: {len(on)} findings in {on_time:.1f} s")
    print(f"without it:        {len(off)} findings in {off_time:.1f} s")
    missing = sorted(set(off) - set(on))
    added = sorted(set(on) - set(off))
    for line in missing:
        print(f"only without the precheck: {line}")
    for line in added:
        print(f"only with the precheck: {line}")
    sys.exit(1 if missing or added else 0)


if __name__ == "__main__":
    main()
