"""Whole-process timing with the standard library: wall time and peak RSS of each run."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Timing:
    label: str
    walls: list[float]
    peak_mib: float
    exit_codes: list[int]

    def line(self) -> str:
        walls = sorted(self.walls)
        return (
            f"{self.label:<40} wall s min {walls[0]:8.3f}  median {statistics.median(walls):8.3f}"
            f"  max {walls[-1]:8.3f}  peak {self.peak_mib:7.1f} MiB  exit {set(self.exit_codes)}"
        )


def time_command(label: str, command: Sequence[str], runs: int, warmup: int = 1) -> Timing:
    walls: list[float] = []
    codes: list[int] = []
    peak = 0.0
    for index in range(warmup + runs):
        wall, _, rss, code = run_once(command)
        if index >= warmup:
            walls.append(wall)
            peak = max(peak, rss)
            codes.append(code)
    return Timing(label, walls, peak, codes)


def run_once(command: Sequence[str], cwd: str | None = None) -> tuple[float, float, float, int]:
    """One run of ``command``: (wall s, CPU s of it and its children, peak MiB, exit code),
    measured in a forked child so that ``RUSAGE_CHILDREN`` counts this run alone."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(read)
        start = time.perf_counter()
        proc = subprocess.run(
            list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wall = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime
        os.write(write, f"{wall} {cpu} {usage.ru_maxrss / 1024} {proc.returncode}".encode())
        os._exit(0)
    os.close(write)
    data = os.read(read, 200).decode().split()
    os.close(read)
    os.waitpid(pid, 0)
    return float(data[0]), float(data[1]), float(data[2]), int(data[3])
