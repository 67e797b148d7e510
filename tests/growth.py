"""Whether work grows faster than its input, told without a wall clock.

A test of linear time must pass on a machine busy with other work, so it neither reads the wall
clock nor sets a budget in seconds. It measures the CPU time of its own thread (which other
processes do not add to) on an input and on one a quarter of its size: linear work grows about four
times, quadratic work sixteen. Work too quick to measure well (`FLOOR`) is never called superlinear.
"""

from __future__ import annotations

import time
from collections.abc import Callable

GROWTH = 10.0  # a quarter of the input -> the whole: linear is 4x, quadratic 16x
FLOOR = 0.05  # CPU seconds below which the whole input's work is too quick to judge


def cpu_seconds(work: Callable[[], object]) -> float:
    started = time.thread_time()
    work()
    return time.thread_time() - started


def superlinear(work: Callable[[int], object], size: int) -> str | None:
    """None when `work(size)` costs at most `GROWTH` times `work(size // 4)` in CPU time (the better
    of two tries, so that a collection of garbage in one is no verdict); else what was measured."""
    whole = min(cpu_seconds(lambda: work(size)) for _ in range(2))
    if whole < FLOOR:
        return None
    quarter = min(cpu_seconds(lambda: work(size // 4)) for _ in range(2))
    if whole <= GROWTH * max(quarter, FLOOR / GROWTH):
        return None
    return f"{whole:.2f} s of CPU for {size} units, {quarter:.3f} s for a quarter of them"
