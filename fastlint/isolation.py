"""Outliers are checked in a child process that the run can lose.

A file that CPython compiles can still make LibCST's native parser take minutes or crash the
process. Ordinary files are checked in-process (forking costs more than checking them); a file
whose size or longest line, measured first, passes a bound is checked in a forked child with a
time budget. If the child crashes or runs out of time, only that file's result is lost: it is
reported as FL001 and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from typing import Callable, Optional, TypeVar

from fastlint.deep import call_deep

T = TypeVar("T")

OUTLIER_BYTES = 1_000_000
OUTLIER_LINE = 20_000
BUDGET_SECONDS = 60.0
BUDGET_SECONDS_PER_MB = 30.0


class IsolatedFailure(Exception):
    """The child crashed or ran out of time; the message is one line for the user."""


def is_outlier(text: str) -> bool:
    if len(text) > OUTLIER_BYTES:
        return True
    if len(text) <= OUTLIER_LINE:
        return False
    return max(map(len, text.splitlines())) > OUTLIER_LINE


def budget_for(text: str) -> float:
    return BUDGET_SECONDS + BUDGET_SECONDS_PER_MB * len(text) / 1_000_000


def can_isolate() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def run_isolated(function: Callable[..., T], *args: object, budget: float, **kwargs: object) -> T:
    """``function(*args, **kwargs)`` in a forked child given ``budget`` seconds; its result or
    exception, or IsolatedFailure when the child dies or takes too long."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        receiver.close()
        try:
            try:
                message: tuple[str, object] = ("ok", call_deep(function, *args, **kwargs))
            except BaseException as exc:  # handed back to the parent
                message = ("error", (exc, traceback.format_exc()))
            try:
                sender.send(message)
            except Exception as exc:  # an unpicklable result
                sender.send(("error", (RuntimeError(str(exc)), traceback.format_exc())))
        finally:
            os._exit(0)

    process = context.Process(target=child, name="fastlint-isolated")
    process.start()
    sender.close()
    try:
        message: Optional[tuple[str, object]] = None
        if receiver.poll(budget):
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                message = None
        else:
            process.kill()
            process.join()
            raise IsolatedFailure(f"took longer than {budget:.0f} s to check; skipped")
        process.join()
        if message is None:
            raise IsolatedFailure(_death(process.exitcode))
    finally:
        receiver.close()
        if process.is_alive():  # pragma: no cover - killed or finished above
            process.kill()
            process.join()
    kind, payload = message
    if kind == "error":
        assert isinstance(payload, tuple)
        error, _ = payload
        assert isinstance(error, BaseException)
        raise error
    return payload  # type: ignore[return-value]


def _death(exitcode: Optional[int]) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the parser crashed ({name}) on this file; skipped"
    return f"the parser stopped (exit code {exitcode}) on this file; skipped"
