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

__all__ = ["after_file", "after_project", "before_fork", "paused_gc", "tuned_for_a_run"]


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


@contextmanager
def tuned_for_a_run() -> Iterator[None]:
    """The collector for a whole run of the command line, restored afterwards (a run made
    in-process, as by tests or an editor integration, leaves the process unchanged).

    What is loaded so far (the code of fastlint and LibCST) is never scanned again, and the
    collector runs between files (``after_file``) instead of every few hundred allocations.
    A check allocates hundreds of thousands of objects that live as long as the file's trees
    and records; every automatic collection scans all of them that are still alive, which
    cost a quarter of a run. Between files they are gone (reference counting frees them), and
    a young collection then scans only what the file left behind; the cycles a check makes (a
    rule and its file's context) are collected there."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    _RUN["tuned"] = True
    try:
        yield
    finally:
        _RUN["tuned"] = False
        gc.unfreeze()
        if enabled:
            gc.enable()


_RUN = {"tuned": False}


def after_file() -> None:
    """Collect between two files of a run tuned by ``tuned_for_a_run`` (nothing otherwise):
    the youngest generation, which holds what the file made, once; what survives it (the
    project's records, which live until the project is done) is then frozen, so that it is
    never scanned again. A file's tree and model make no cycles (``FileContext.close``), so
    the collection finds little, but whatever a rule may have tied into a cycle goes here."""
    if not _RUN["tuned"]:
        return
    gc.collect(0)
    gc.freeze()


def before_fork() -> None:
    """Before a parallel run forks its workers, once the project facts are built (a tuned run
    only): the young generation, which holds everything the facts are made of, is collected
    once and what survives is frozen, as after a file. Otherwise each worker's first
    collection scans all of that again, writing to every object's header and so copying every
    page of the parent's heap it inherited, and the parent scans it once more when the run
    ends (on fastapi's tree, 0.35 s in each of the three)."""
    after_file()


def after_project() -> None:
    """Collect everything once a project's index is let go (a tuned run only): its records
    were frozen file by file, and ``ProjectIndex.close`` freed them by reference counting;
    what is left is scanned once, and frozen again."""
    if _RUN["tuned"]:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
