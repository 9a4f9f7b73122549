"""Compare `fastlint routes` with FastAPI's own route table on the FastAPI docs examples.

    python scripts/compare_routes.py [/work/corpus/fastapi-0.163.2/docs_src] [--json OUT]

Every example module of ``docs_src`` that binds a module-level ``app`` is imported with FastAPI
(in a subprocess, by ``scripts/real_routes.py``: this script measures, the linter never imports
code); those that fail to import with plain ``fastapi`` (extra packages, network) are skipped.
For each app that imports, the (method, path, handler, mounted_at) entries of FastAPI's table
are compared with fastlint's table of the same app; an app agrees when the two are the same
multiset. Prints per-app disagreements and the totals: apps compared, apps that agree, routes,
routes marked unresolved, and whether every example that includes routers was compared.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT = Path("/work/corpus/fastapi-0.163.2/docs_src")
_APP = re.compile(r"^app\s*=", re.MULTILINE)

Key = tuple[str, str, str, Any]


def candidates(docs: Path) -> list[tuple[str, Path]]:
    out = []
    for path in sorted(docs.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if not _APP.search(text):
            continue
        relative = path.relative_to(docs).with_suffix("")
        out.append((".".join(relative.parts), path))
    return out


def real_table(docs: Path, module: str, cwd: Path) -> list[dict[str, Any]] | None:
    try:
        proc = subprocess.run(
            [sys.executable, str(HERE / "real_routes.py"), str(docs), module],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=cwd,
        )
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return None
    try:
        found: list[dict[str, Any]] = json.loads(proc.stdout)
    except ValueError:
        return None
    return found


def fastlint_entries(docs: Path) -> list[Any]:
    from fastlint.config import load_settings
    from fastlint.fastapi.routes import project_tables

    settings = load_settings(None, str(docs))
    tables = project_tables([str(docs)], settings, cache=False)
    return [entry for table in tables for entry in table.entries]


def main(argv: list[str]) -> int:
    args = list(argv[1:])
    out_json = None
    if "--json" in args:
        at = args.index("--json")
        out_json = args[at + 1]
        del args[at : at + 2]
    docs = Path(args[0]) if args else DEFAULT
    apps = candidates(docs)
    # The directories examples serve files from (``StaticFiles(directory="static")``, a
    # frontend build in ``dist``) must exist for them to import: run them where they do.
    with tempfile.TemporaryDirectory(prefix="fastlint-routes-") as scratch:
        cwd = Path(scratch)
        for directory in ("static", "templates", "dist"):
            (cwd / directory).mkdir()
        (cwd / "dist" / "index.html").write_text("<html></html>\n")
        with ThreadPoolExecutor(max_workers=2) as pool:
            reals = list(pool.map(lambda item: real_table(docs, item[0], cwd), apps))
    entries = fastlint_entries(docs)
    # A directory without ``__init__.py`` is named from the project root (as uvicorn run
    # there would import it), FastAPI's import here is from ``docs_src``: the same module.
    prefix = f"{docs.name}."
    by_app: dict[str, list[Any]] = {}
    for entry in entries:
        if entry.app is not None:
            by_app.setdefault(entry.app.removeprefix(prefix), []).append(entry)
    compared = agree = routes = unresolved = 0
    disagreements: list[dict[str, Any]] = []
    includers = {m for m, p in apps if "include_router" in p.read_text(encoding="utf-8")}
    compared_includers: set[str] = set()
    for (module, _path), real in zip(apps, reals):
        if real is None:
            continue
        compared += 1
        if module in includers:
            compared_includers.add(module)
        ours: list[Any] = list(by_app.get(f"{module}.app", []))
        for key, found in by_app.items():
            if key != f"{module}.app" and key.startswith(module + "."):
                ours.extend(e for e in found if e.mounted_at is not None)
        mine: Counter[Key] = Counter(
            (e.method, e.path, (e.handler or "").removeprefix(prefix), e.mounted_at) for e in ours
        )
        theirs: Counter[Key] = Counter(
            (r["method"], r["path"], r["handler"], r["mounted_at"]) for r in real
        )
        routes += sum(theirs.values())
        unresolved += sum(1 for e in ours if e.unresolved)
        if mine == theirs:
            agree += 1
        else:
            disagreements.append(
                {
                    "app": module,
                    "missing": sorted(map(str, theirs - mine)),
                    "extra": sorted(map(str, mine - theirs)),
                }
            )
    for item in disagreements:
        print(f"DIFFERS {item['app']}")
        for line in item["missing"]:
            print(f"  only in FastAPI: {line}")
        for line in item["extra"]:
            print(f"  only in fastlint: {line}")
    share = 100.0 * agree / compared if compared else 0.0
    unresolved_share = 100.0 * unresolved / routes if routes else 0.0
    print(f"candidate apps: {len(apps)}; import with plain fastapi: {compared}")
    print(f"apps that agree exactly: {agree}/{compared} ({share:.1f}%)")
    print(f"routes: {routes}; marked unresolved: {unresolved} ({unresolved_share:.1f}%)")
    print(
        f"examples that include routers: {len(includers)}; compared: "
        f"{len(compared_includers)} ({', '.join(sorted(compared_includers))}); not importable: "
        f"{', '.join(sorted(includers - compared_includers)) or 'none'}"
    )
    if out_json:
        Path(out_json).write_text(
            json.dumps(
                {
                    "compared": compared,
                    "agree": agree,
                    "routes": routes,
                    "unresolved": unresolved,
                    "disagreements": disagreements,
                },
                indent=1,
            )
        )
    return 0 if compared >= 60 and share >= 95.0 and unresolved_share <= 5.0 else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    raise SystemExit(main(sys.argv))
