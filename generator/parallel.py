"""Work spread over the machine's cores, giving what a plain loop gives, in the same order.

A cold build of hundreds of models spends most of its time importing documents, checking specs and
rendering models, one independent piece of work per item. Small batches stay in this process. A
batch of at least `MIN_PER_WORKER` items per worker is cut into one contiguous chunk per worker.

The workers are forked from a fork server that has imported the importer, the validator and the
renderer once, so a worker starts with them loaded and inherits nothing of this process's threads
(the progress display's) or locks; the same workers serve every batch of a run. Each chunk runs in
the caller's current folder, since paths are shown relative to it.

A rebuild after a few specs changed has too little work to share, but it spends most of its time
loading libraries: the validator for the changed specs, datamodel-code-generator for their models.
A `Standby` process, forked before anything is read, loads the renderer's while this one loads the
validator and checks, then renders the changed models.

`REPLICATE_CODEGEN_JOBS` sets the number of workers (1: everything in this process); by default,
the cores this process may run on.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 50
_PRELOAD = ["generator.importer", "generator.rules", "generator.render.models"]


def chunked_map(
    function: Callable[[Sequence[T]], list[R]], items: Sequence[T], standby: Standby | None = None
) -> list[R]:
    """`function(items)`, the items shared out among workers when there are enough of them, else
    run by `standby` when there is one and something to do. `function` takes a chunk and gives one
    result per item; it must be picklable (module-level)."""
    if not on_workers(len(items)):
        return standby.run(function, items) if standby is not None and items else function(items)
    workers = min(jobs(), len(items) // MIN_PER_WORKER)
    size = -(-len(items) // workers)
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    work = functools.partial(_in_folder, os.getcwd(), function)
    return [result for chunk in _pool(len(chunks)).map(work, chunks) for result in chunk]


def on_workers(count: int) -> bool:
    """Whether `chunked_map` shares out `count` items among workers (rather than run them here, or
    in a standby)."""
    return min(jobs(), count // MIN_PER_WORKER) >= 2


def jobs() -> int:
    explicit = os.environ.get("REPLICATE_CODEGEN_JOBS", "").strip()
    if explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def shutdown() -> None:
    """Stop the workers (they are otherwise stopped when this process exits)."""
    for pool in _pools.values():
        pool.shutdown(cancel_futures=True)
    _pools.clear()


_pools: dict[int, ProcessPoolExecutor] = {}
atexit.register(shutdown)


def _pool(workers: int) -> ProcessPoolExecutor:
    if workers not in _pools:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        _pools[workers] = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    return _pools[workers]


def _in_folder(folder: str, function: Callable[[Sequence[T]], list[R]], chunk: Sequence[T]) -> list[R]:
    os.chdir(folder)
    return function(chunk)


class Standby:
    """A forked process that runs `ready()` at once, then one function it is sent later. Start it
    while this process has no other thread (before the progress display): a fork copies only the
    thread that forks, and any lock another one held would stay held in the copy. None on a single
    core (`jobs()`), or where there is no fork."""

    def __init__(self, ready: Callable[[], object]) -> None:
        jobs_in, self._jobs = os.pipe()
        self._results, results_out = os.pipe()
        try:
            self._pid = os.fork()
        except OSError:
            for end in (jobs_in, self._jobs, self._results, results_out):
                os.close(end)
            raise
        if self._pid == 0:  # the standby: never returns
            os.close(self._jobs)
            os.close(self._results)
            _serve(ready, jobs_in, results_out)
        os.close(jobs_in)
        os.close(results_out)

    @classmethod
    def start(cls, ready: Callable[[], object]) -> Standby | None:
        if jobs() < 2 or not hasattr(os, "fork"):
            return None
        try:
            return cls(ready)
        except OSError:  # no process to spare: this one renders
            return None

    def run(self, function: Callable[..., R], *args: Any) -> R:
        """`function(*args)` in the standby (both picklable); what it raised is raised here. Once."""
        self.send(function, *args)
        return self.receive()  # type: ignore[no-any-return]

    def send(self, function: Callable[..., object], *args: Any) -> None:
        """Have the standby start `function(*args)` (both picklable), while this process goes on. Once."""
        jobs, self._jobs = self._jobs, -1
        with os.fdopen(jobs, "wb") as jobs_out:
            pickle.dump((function, args), jobs_out)

    def receive(self) -> Any:
        """What the function `send` gave returned, once it has; what it raised is raised here."""
        (self._pid, pid), (self._results, results) = (0, self._pid), (-1, self._results)
        try:
            with os.fdopen(results, "rb") as results_in:
                outcome, value = pickle.load(results_in)
        except EOFError:
            raise RuntimeError("the standby process ended without an answer") from None
        finally:
            os.waitpid(pid, 0)
        if outcome == "raised":
            raise value
        return value

    def close(self) -> None:
        """Stop it, unused or still working; nothing once it has answered."""
        if self._pid:
            for end in (self._jobs, self._results):
                if end >= 0:
                    os.close(end)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)  # it may still be getting ready: nothing of it is wanted
            os.waitpid(self._pid, 0)
            self._pid = 0


def _serve(ready: Callable[[], object], jobs_in: int, results_out: int) -> None:
    code = 0
    try:
        with contextlib.suppress(Exception):  # not ready: the job then does what was not done
            ready()
        with os.fdopen(jobs_in, "rb") as source:
            try:
                function, args = pickle.load(source)
            except EOFError:  # not needed after all
                os._exit(0)
        try:
            outcome: tuple[str, object] = ("returned", function(*args))
        except Exception as exc:  # raised again in the caller
            outcome = ("raised", exc)
        with os.fdopen(results_out, "wb") as sink:
            pickle.dump(outcome, sink)
    except BaseException:  # nothing may unwind into the caller's code in a fork
        code = 1
    os._exit(code)
