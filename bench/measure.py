"""What the benchmarks share: stage timers with CPU time, percentiles, the machine's load.

The machine the course is measured on is shared (other test runs, notebooks), so wall times
alone mislead: every figure here comes with the CPU seconds the client and the localcloud
service (with all its containers) spent on it, and the load average it was measured under.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import psutil


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of a process, its live descendants and the ones they reaped.

    A finished container is counted by the process that reaped it (its ``children_*`` times),
    so a service that is still running accounts for every container it ever ran.
    """
    try:
        root = psutil.Process(pid)
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            times = member.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


@dataclass
class Stopwatch:
    """Times named stages: wall seconds, and CPU seconds of this process plus a service tree."""

    service_pid: int | None = None
    stages: dict[str, tuple[float, float]] = field(default_factory=dict)

    def cpu(self) -> float:
        own = time.process_time()
        return own + (tree_cpu_seconds(self.service_pid) if self.service_pid else 0.0)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), self.cpu()
        yield
        self.stages[name] = (time.perf_counter() - wall, self.cpu() - cpu)

    @property
    def wall(self) -> float:
        return sum(wall for wall, _ in self.stages.values())

    @property
    def cpu_total(self) -> float:
        return sum(cpu for _, cpu in self.stages.values())


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (0.5 = median) of ``values``, interpolated."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=1000, method="inclusive")[
        min(998, max(0, round(fraction * 1000) - 1))]


def load_average() -> str:
    """The 1/5/15-minute load averages, for the record (2 cores: above 2 means others ran)."""
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def machine() -> str:
    return f"{os.cpu_count()} cores, load {load_average()}"

