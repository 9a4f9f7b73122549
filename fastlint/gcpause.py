"""Pausing Python's cyclic garbage collector around work that makes no reference cycles.

Parsing a module allocates hundreds of thousands of objects (syntax nodes, records) that
reference each other only downwards: when they die, reference counting frees them. The cyclic
collector, which runs every few hundred allocations, finds nothing there but scans them all,
again and again: a third or more of a parse's time. These parts of a run pause it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collection inside the block (nested blocks keep it paused)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
