"""Print the route table FastAPI itself builds for an app, as JSON: our measuring stick for
`fastlint routes` (this script imports the app; fastlint never does).

    python scripts/real_routes.py IMPORT_ROOT module.path[:attribute]

Prints a list of ``{"method", "path", "handler", "name", "app", "mounted_at"}`` objects: one
per method of every path operation and websocket route, with the effective paths of included
routers (``fastapi.routing.iter_route_contexts`` from FastAPI 0.137 on), the routes of mounted
FastAPI sub-applications under their own app (``mounted_at`` the mount path), and without the
docs and OpenAPI routes FastAPI adds by itself. ``app`` is the attribute path of the app
(``app``, or ``app/status`` style for mounted ones).
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from typing import Any

_DOCS_MODULE = "fastapi.applications"


def _contexts(routes: list[Any]) -> Iterator[Any]:
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before 0.137: included routes are copies
        yield from routes
        return
    yield from iter_route_contexts(routes)


def routes_of(app: Any, label: str, mounted_at: str | None, out: list[dict[str, Any]]) -> None:
    from starlette.routing import Mount

    for route in _contexts(list(app.routes)):
        endpoint = getattr(route, "endpoint", None)
        if isinstance(getattr(route, "original_route", route), Mount) or isinstance(route, Mount):
            mount = getattr(route, "original_route", route)
            sub = getattr(mount, "app", None)
            if sub is not None and hasattr(sub, "routes") and hasattr(sub, "openapi"):
                where = (mounted_at or "") + mount.path
                routes_of(sub, f"{label}{mount.path}", where, out)
            continue
        if endpoint is None or getattr(endpoint, "__module__", "") == _DOCS_MODULE:
            continue
        methods = getattr(route, "methods", None)
        kind = type(getattr(route, "original_route", route)).__name__
        names = sorted(methods) if methods else (["WEBSOCKET"] if "WebSocket" in kind else [])
        handler = f"{endpoint.__module__}.{getattr(endpoint, '__qualname__', '?')}"
        for method in names:
            out.append(
                {
                    "method": method,
                    "path": route.path,
                    "handler": handler,
                    "name": getattr(route, "name", None),
                    "app": label,
                    "mounted_at": mounted_at,
                }
            )


def main(argv: list[str]) -> int:
    root, target = argv[1], argv[2]
    module_name, _, attribute = target.partition(":")
    sys.path.insert(0, root)
    module = importlib.import_module(module_name)
    out: list[dict[str, Any]] = []
    for name in [attribute] if attribute else ["app"]:
        routes_of(getattr(module, name), name, None, out)
    json.dump(out, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
