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
from typing import Any, Generic, TypeVar

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
    """A forked process that runs `ready()` at once, then the functions it is sent, in order. Start
    it while this process has no other thread (before the progress display): a fork copies only the
    thread that forks, and any lock another one held would stay held in the copy. None on a single
    core (`jobs()`), or where there is no fork."""

    def __init__(self, ready: Callable[[], object]) -> None:
        jobs_in, jobs_out = os.pipe()
        results_in, results_out = os.pipe()
        try:
            self._pid = os.fork()
        except OSError:
            for end in (jobs_in, jobs_out, results_in, results_out):
                os.close(end)
            raise
        if self._pid == 0:  # the standby: never returns
            os.close(jobs_out)
            os.close(results_in)
            _serve(ready, jobs_in, results_out)
        os.close(jobs_in)
        os.close(results_out)
        self._jobs = os.fdopen(jobs_out, "wb")
        self._results = os.fdopen(results_in, "rb")
        self._sent = 0
        self._answers: list[tuple[str, Any]] = []

    @classmethod
    def start(cls, ready: Callable[[], object]) -> Standby | None:
        if jobs() < 2 or not hasattr(os, "fork"):
            return None
        try:
            return cls(ready)
        except OSError:  # no process to spare: this one renders
            return None

    @property
    def answered(self) -> int:
        """How many of the functions sent have answered so far, as far as this process has read."""
        return len(self._answers)

    def run(self, function: Callable[..., R], *args: Any) -> R:
        """`function(*args)` in the standby (both picklable); what it raised is raised here."""
        return self.submit(function, *args).result()

    def submit(self, function: Callable[..., R], *args: Any) -> Pending[R]:
        """Have the standby run `function(*args)` (both picklable) once what was sent before is done,
        while this process goes on."""
        pickle.dump((function, args), self._jobs)
        self._jobs.flush()
        self._sent += 1
        return Pending(self, self._sent - 1)

    def _answer(self, index: int) -> tuple[str, Any]:
        while len(self._answers) <= index:
            try:
                self._answers.append(pickle.load(self._results))
            except EOFError:
                raise RuntimeError("the standby process ended without an answer") from None
        return self._answers[index]

    def close(self) -> None:
        """Stop it, whether waiting, getting ready or still working."""
        if self._pid:
            self._jobs.close()
            self._results.close()
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)  # nothing more of it is wanted
            os.waitpid(self._pid, 0)
            self._pid = 0


class Pending(Generic[R]):
    """What one function sent to a `Standby` returns, once it has."""

    def __init__(self, standby: Standby, index: int) -> None:
        self._standby, self._index = standby, index

    def result(self) -> R:
        """Its value, waited for; what it raised is raised here."""
        outcome, value = self._standby._answer(self._index)
        if outcome == "raised":
            raise value
        return value  # type: ignore[no-any-return]


def _serve(ready: Callable[[], object], jobs_in: int, results_out: int) -> None:
    code = 0
    try:
        with contextlib.suppress(Exception):  # not ready: the jobs then do what was not done
            ready()
        with os.fdopen(jobs_in, "rb") as source, os.fdopen(results_out, "wb") as sink:
            _widen(results_out)
            while True:
                try:
                    function, args = pickle.load(source)
                except EOFError:  # nothing more to do
                    break
                try:
                    outcome: tuple[str, object] = ("returned", function(*args))
                except Exception as exc:  # raised again in the caller
                    outcome = ("raised", exc)
                pickle.dump(outcome, sink)
                sink.flush()
    except BaseException:  # nothing may unwind into the caller's code in a fork
        code = 1
    os._exit(code)


def _widen(pipe: int) -> None:
    """Let `pipe` hold a megabyte where the system allows it (Linux), so that an answer the caller
    has not read yet (a few rendered models) does not keep the standby from its next job."""
    import fcntl

    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, 1 << 20)
