"""The standby: a forked process that gets ready, then runs what it is sent, in order, while the
caller goes on."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from generator.standby import Standby


def _twice(values: list[int]) -> list[int]:
    return [2 * value for value in values]


_STATE: dict[str, bool] = {}


def _pid_and_ready() -> tuple[int, bool]:
    return os.getpid(), _STATE.get("ready", False)


def test_a_standby_runs_the_work_in_another_process_after_getting_ready() -> None:
    standby = Standby(lambda: _STATE.update(ready=True))  # in the standby's memory only
    try:
        pid, ready = standby.run(_pid_and_ready)
    finally:
        standby.close()
    assert pid != os.getpid() and ready and not _STATE


def test_what_the_standby_raises_is_raised_in_the_caller() -> None:
    standby = Standby(lambda: None)
    try:
        with pytest.raises(ValueError, match="no such model"):
            standby.run(_raises)
    finally:
        standby.close()


def _raises() -> None:
    raise ValueError("no such model")


def test_a_standby_still_getting_ready_is_stopped_when_let_go() -> None:
    unused = Standby(lambda: time.sleep(30))  # still getting ready when it is let go
    pid, started = unused._pid, time.monotonic()
    unused.close()
    assert time.monotonic() - started < 5
    with pytest.raises(ProcessLookupError):  # stopped and reaped
        os.kill(pid, 0)


def _slow_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_the_caller_goes_on_while_the_standby_works_and_can_stop_it_midway() -> None:
    standby = Standby(lambda: None)
    try:
        started = time.monotonic()
        pending = standby.submit(_slow_pid, 0.5)
        assert time.monotonic() - started < 0.4  # sent, not waited for
        assert pending.result() not in (os.getpid(), None)
    finally:
        standby.close()
    busy = Standby(lambda: None)
    busy.submit(_slow_pid, 30)
    pid, started = busy._pid, time.monotonic()
    busy.close()
    assert time.monotonic() - started < 5
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def _big(size: int) -> bytes:
    return bytes(size)


def test_a_standby_runs_what_it_is_sent_in_order_and_each_answer_is_read_when_asked_for() -> None:
    standby = Standby(lambda: None)
    try:
        big = standby.submit(_big, 3 << 20)  # more than a pipe holds: the standby waits for it to be read
        failing = standby.submit(_raises)
        pid = standby.submit(_slow_pid, 0)
        assert pid.result() != os.getpid()  # the answers before it are read, and kept
        assert standby.answered == 3
        with pytest.raises(ValueError, match="no such model"):
            failing.result()
        assert big.result() == bytes(3 << 20)
        assert standby.run(_twice, [4]) == [8]
    finally:
        standby.close()


def test_no_standby_on_one_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPLICATE_CODEGEN_JOBS", "1")
    assert Standby.start(lambda: None) is None


def test_the_standby_module_loads_nothing_that_would_delay_the_fork() -> None:
    heavy = ("multiprocessing", "concurrent", "generator.parallel")
    probe = f"import sys, generator.standby; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert run.stdout.strip() == "[]"
