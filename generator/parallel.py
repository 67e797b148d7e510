"""Work spread over the machine's cores, giving what a plain loop gives, in the same order.

A cold build of hundreds of models spends most of its time checking specs and rendering models,
one independent piece of work per model. Small batches stay in this process: a worker's start
costs it a fraction of a second of imports. A batch of at least `MIN_PER_WORKER` items per worker is
cut into one contiguous chunk per core, each run in a worker started by a fork server, so a worker
inherits nothing of this process's threads (the progress display's) or locks.

`REPLICATE_CODEGEN_JOBS` sets the number of workers (1: everything in this process); by default,
the cores this process may run on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 50


def chunked_map(function: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """`function(items)`, the items shared out among workers when there are enough of them.
    `function` takes a chunk and gives one result per item; it must be a module-level function."""
    workers = min(jobs(), len(items) // MIN_PER_WORKER)
    if workers < 2:
        return function(items)
    size = -(-len(items) // workers)
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=len(chunks), mp_context=context) as pool:
        return [result for chunk in pool.map(function, chunks) for result in chunk]


def jobs() -> int:
    explicit = os.environ.get("REPLICATE_CODEGEN_JOBS", "").strip()
    if explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
