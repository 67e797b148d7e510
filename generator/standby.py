"""A process forked at the very start of a run, that loads a library while the run does other work,
then runs the functions it is sent, in order.

A rebuild after a few specs changed has too little work to share among workers, but it spends most
of its time loading libraries: the validator for the changed specs, datamodel-code-generator for
their models. The standby loads datamodel-code-generator while the run loads the validator and
checks, then makes the changed models' types and highlights their examples
(`generator.render.models`) while the run renders the files common to every model.

This module loads nothing but the standard library's smallest parts (no `multiprocessing`, 50 ms to
load): the entry point forks the standby before anything else is loaded, and each millisecond
before the fork is one the standby's own loading cannot overlap.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from generator.cores import jobs

R = TypeVar("R")


class Standby:
    """A forked process that runs `ready()` at once, then the functions it is sent, in order. Start
    it while this process has no other thread (before the progress display): a fork copies only the
    thread that forks, and any lock another one held would stay held in the copy. None on a single
    core (`cores.jobs()`), or where there is no fork."""

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
