"""Room for code nested as deeply as CPython accepts.

CPython compiles a 2,900-term ``1 + 1 + ...`` or a 2,900-branch ``elif`` chain, but LibCST's
parser, its code generation and our own recursive walks of such trees need far more than the
main thread's stack and the default recursion limit. ``call_deep`` runs work in a short-lived
thread with a large stack and a raised recursion limit, so that every finding of such a file
survives. The thread ends with the call: no thread is alive when the runner forks its workers.

The raised limit is set for the call only (the limit is per interpreter) and never while
CPython's compiler judges a file: see ``default_recursion_limit``.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Callable, TypeVar

T = TypeVar("T")

# Large enough for the deepest code CPython compiles (about 3,000 levels at the default
# recursion limit) through LibCST's recursive parser and code generation. Virtual memory:
# only the pages a call touches are ever committed.
STACK_SIZE = 512 * 1024 * 1024
RECURSION_LIMIT = 200_000
DEFAULT_RECURSION_LIMIT = 1000

_state = threading.local()


def in_deep_thread() -> bool:
    return getattr(_state, "deep", False)


def call_deep(function: Callable[..., T], *args: object, **kwargs: object) -> T:
    """``function(*args, **kwargs)`` with room for deep recursion; its result or exception."""
    if in_deep_thread():
        return function(*args, **kwargs)
    outcome: dict[str, object] = {}

    def target() -> None:
        _state.deep = True
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as exc:  # handed back to the caller's thread
            outcome["error"] = exc
        finally:
            sys.setrecursionlimit(limit)

    try:
        previous = threading.stack_size(STACK_SIZE)
    except (ValueError, RuntimeError):  # a platform that does not let us size thread stacks
        return function(*args, **kwargs)
    try:
        thread = threading.Thread(target=target, name="fastlint-deep")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "error" in outcome:
        error = outcome["error"]
        assert isinstance(error, BaseException)
        raise error
    return outcome["value"]  # type: ignore[return-value]


@contextlib.contextmanager
def default_recursion_limit() -> Iterator[None]:
    """CPython's default recursion limit for the duration: a raised limit lets ``compile()``
    accept code that CPython, run normally, rejects as too deeply nested."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
