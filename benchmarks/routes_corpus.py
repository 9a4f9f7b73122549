"""`fastlint routes` on every corpus package: routes resolved and unresolved, per package.

    python benchmarks/routes_corpus.py [CORPUS_DIR] [--json OUT]

Runs the `fastlint routes --format json` command (a subprocess per package, as a user would)
on each ``CORPUS_DIR/*-*/`` directory and counts its entries: resolved (nothing listed in
``unresolved``) and unresolved, and how many are on an app. A crash (exit code other than 0)
is reported and makes the exit code 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

DEFAULT = Path("/work/corpus")


def main(argv: list[str]) -> int:
    args = list(argv[1:])
    out_json = None
    if "--json" in args:
        at = args.index("--json")
        out_json = args[at + 1]
        del args[at : at + 2]
    corpus = Path(args[0]) if args else DEFAULT
    rows = []
    failed = False
    for package in sorted(p for p in corpus.glob("*-*") if p.is_dir()):
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "fastlint", "routes", "--format", "json", "--no-cache", "."],
            cwd=package,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            failed = True
            print(f"{package.name}: CRASH (exit {proc.returncode}) {proc.stderr.strip()[-300:]}")
            rows.append({"package": package.name, "crash": proc.stderr[-2000:]})
            continue
        entries = json.loads(proc.stdout)
        unresolved = [e for e in entries if e["unresolved"]]
        on_app = [e for e in entries if e["app"] is not None]
        reasons: dict[str, int] = {}
        for entry in unresolved:
            for reason in entry["unresolved"]:
                reasons[reason] = reasons.get(reason, 0) + 1
        row = {
            "package": package.name,
            "routes": len(entries),
            "resolved": len(entries) - len(unresolved),
            "unresolved": len(unresolved),
            "on_an_app": len(on_app),
            "seconds": round(seconds, 1),
            "reasons": dict(sorted(reasons.items(), key=lambda item: -item[1])[:6]),
        }
        rows.append(row)
        print(
            f"{package.name}: {row['routes']} routes, {row['resolved']} resolved, "
            f"{row['unresolved']} unresolved, {row['on_an_app']} on an app ({seconds:.1f} s)"
        )
        for reason, count in row["reasons"].items():  # type: ignore[attr-defined]
            print(f"    {count:5d}  {reason}")
    if out_json:
        Path(out_json).write_text(json.dumps(rows, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
