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

__all__ = ["paused_gc", "tune_for_a_run"]


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


def tune_for_a_run() -> None:
    """For a whole run of the command line: what is loaded so far (the code of fastlint and
    LibCST) is never scanned again, and young objects are collected after 10,000 allocations
    instead of 700. A check allocates hundreds of thousands of short-lived, acyclic objects, and
    each collection scans every young object still alive, so the default threshold makes the
    collector rescan the same trees and records many times per file; a cycle (a rule and its
    file's context) is still collected, only later."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
