"""Work spread over the machine's cores, giving what a plain loop gives, in the same order.

A cold build of hundreds of models spends most of its time importing documents, checking specs and
rendering models, one independent piece of work per item. Small batches stay in this process. A
batch of at least `MIN_PER_WORKER` items per worker is cut into one contiguous chunk per worker.
On a machine of one core, a batch of `ALONE_FROM` items or more still goes to one worker, in
chunks of `ALONE_CHUNK`, the worker replaced after each: what rendering a model leaves behind in
the process that did it (about twice the model's outputs, memory the allocator keeps) would
otherwise all stay in this one, 1 GB at 3,000 models (bench/README.md).

The workers are forked from a fork server that has imported the importer, the validator and the
renderer once, so a worker starts with them loaded and inherits nothing of this process's threads
(the progress display's) or locks; the same workers serve every batch of a run. Each chunk runs in
the caller's current folder, since paths are shown relative to it.

`REPLICATE_CODEGEN_JOBS` sets the number of workers (`jobs`); 1 keeps every batch in this process.
"""

from __future__ import annotations

import atexit
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from generator.spec import settings

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 50
ALONE_FROM = 500
ALONE_CHUNK = 250
_PRELOAD = ["generator.importing.importer", "generator.validate.rules", "generator.render.models"]


def jobs() -> int:
    """How many processes a run may keep busy: `REPLICATE_CODEGEN_JOBS` when set (1: everything in
    this process), else the cores this process may run on."""
    return _asked() or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _asked() -> int | None:
    explicit = os.environ.get("REPLICATE_CODEGEN_JOBS", "").strip()
    return int(explicit) if explicit.isdigit() and int(explicit) > 0 else None


def _workers(count: int) -> int:
    """The workers a batch of `count` items goes to; 0: it stays in this process."""
    workers = min(jobs(), count // MIN_PER_WORKER)
    if workers >= 2:
        return workers
    return 1 if _asked() is None and count >= ALONE_FROM else 0


def chunked_map(function: Callable[[Sequence[T]], list[R]], items: Sequence[T], what: str = "items") -> list[R]:
    """`function(items)`, the items shared out among workers when there are enough of them.
    `function` takes a chunk and gives one result per item; it must be picklable (module-level).
    While a `reporting` callback is set, it is told how many of the items (`what`) are done, as
    smaller chunks end."""
    reporter = _reporter
    workers = _workers(len(items))
    if not workers:
        if reporter is None:
            return function(items)
        chunks = _chunks(items, MIN_PER_WORKER)
        return [result for chunk in _told(chunks, map(function, chunks), what, reporter) for result in chunk]
    if workers == 1:
        chunks = _chunks(items, ALONE_CHUNK)
    else:  # one chunk per worker; four when someone watches, so the count moves as the work goes
        chunks = _chunks(items, -(-len(items) // (workers * (4 if reporter else 1))))
    work = functools.partial(_in_folder, os.getcwd(), settings.active(), function)
    done = _pool(workers).map(work, chunks)
    if reporter is not None:
        done = _told(chunks, done, what, reporter)
    return [result for chunk in done for result in chunk]


Reporter = Callable[[str, int, int], None]  # (what, how many done, of how many)
_reporter: Reporter | None = None


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Have every `chunked_map` in the block tell `reporter` how far along it is."""
    global _reporter
    _reporter = reporter
    try:
        yield
    finally:
        _reporter = None


def _chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[start : start + size] for start in range(0, len(items), max(1, size))]


def _told(
    chunks: Sequence[Sequence[T]], results: Iterable[list[R]], what: str, reporter: Reporter
) -> Iterator[list[R]]:
    total, done = sum(len(chunk) for chunk in chunks), 0
    reporter(what, 0, total)
    for chunk, result in zip(chunks, results, strict=True):
        done += len(chunk)
        reporter(what, done, total)
        yield result


def shutdown() -> None:
    """Stop the workers (they are otherwise stopped when this process exits)."""
    for pool in _pools.values():
        pool.shutdown(cancel_futures=True)
    _pools.clear()


_pools: dict[int, ProcessPoolExecutor] = {}
atexit.register(shutdown)


def _pool(workers: int) -> ProcessPoolExecutor:
    # imported here: a run whose batches are all small (one changed spec) does not load them
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if workers not in _pools:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        recycled = 1 if workers == 1 else None  # the one worker of a one-core machine: see above
        _pools[workers] = ProcessPoolExecutor(max_workers=workers, mp_context=context, max_tasks_per_child=recycled)
    return _pools[workers]


def _in_folder(
    folder: str, in_force: settings.Settings, function: Callable[[Sequence[T]], list[R]], chunk: Sequence[T]
) -> list[R]:
    """`function(chunk)` as this process would run it: in its folder, with its settings."""
    os.chdir(folder)
    settings.activate(in_force)
    return function(chunk)
