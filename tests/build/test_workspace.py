"""One run at a time per output, and at every instant the whole old tree or the whole new one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from generator.build import Busy, filetree
from generator.build.workspace import Workspace
from tests.build.conftest import RUN_TIMEOUT

_OLD = {"a.txt": b"old a\n", "sub/b.txt": b"old b\n"}
_NEW = {"a.txt": b"new a\n", "sub/c.txt": b"new c\n"}


def _tree(root: Path, files: filetree.FileTree) -> Path:
    for path, content in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    return root


def _swap_in(workspace: Workspace, files: filetree.FileTree) -> None:
    staging = workspace.staging()
    filetree.fill(workspace.output, staging, files)
    workspace.swap(staging, 0o755)


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_a_swap_puts_the_new_tree_in_place_and_leaves_nothing_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr("generator.build.workspace._renameat2", lambda: None)
    out = _tree(tmp_path / "out", _OLD)
    with Workspace(out) as workspace:
        _swap_in(workspace, _NEW)
        assert filetree.read(out) == _NEW
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_second_run_waits_or_with_no_wait_is_refused(tmp_path: Path) -> None:
    out = _tree(tmp_path / "out", _OLD)
    told: list[str] = []
    entered = threading.Event()
    with Workspace(out):
        with pytest.raises(Busy, match=r"another run \(pid \d+, started"):
            Workspace(out, wait=False).__enter__()

        def second() -> None:
            with Workspace(out, waiting=told.append):
                entered.set()

        waiter = threading.Thread(target=second, daemon=True)
        waiter.start()
        assert not entered.wait(0.3)  # held: it waits
    waiter.join(RUN_TIMEOUT)
    assert entered.is_set() and told and "waiting for another run" in told[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    out = _tree(tmp_path / "out", _OLD)
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from generator.build.workspace import Workspace
            Workspace(Path({str(out)!r})).__enter__()
            print("held", flush=True)
            time.sleep(600)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(Busy):
            Workspace(out, wait=False).__enter__()
    finally:
        holder.kill()
        holder.wait(RUN_TIMEOUT)
    with Workspace(out, wait=False):
        pass


_CUT = """
import os, signal
from pathlib import Path
from generator.build import filetree
from generator.build import workspace as ws

ws._renameat2 = lambda: None  # the two journalled renames
real, done = os.rename, []
def rename(source, target):
    if done and {cut!r} == "between":
        os.kill(os.getpid(), signal.SIGKILL)
    real(source, target)
    done.append(target)
    if {cut!r} == "after" and len(done) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
os.rename = rename
w = ws.Workspace(Path({out!r})).__enter__()
staging = w.staging()
filetree.fill(w.output, staging, {new!r})
w.swap(staging, 0o755)
"""


@pytest.mark.parametrize("cut", ["between", "after"])
def test_a_run_killed_inside_the_two_renames_is_rolled_back_or_completed_by_the_next(tmp_path: Path, cut: str) -> None:
    out = _tree(tmp_path / "out", _OLD)
    killed = subprocess.run(
        [sys.executable, "-c", _CUT.format(cut=cut, out=str(out), new=_NEW)], timeout=RUN_TIMEOUT, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    assert (tmp_path / ".out.codegen" / "journal").exists()
    with Workspace(out):
        pass
    assert filetree.read(out) == (_OLD if cut == "between" else _NEW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_what_killed_runs_left_beside_the_output_is_removed(tmp_path: Path) -> None:
    out = _tree(tmp_path / "out", _OLD)
    _tree(tmp_path / ".out.codegen" / "new", _NEW)  # this version's half-made tree
    for legacy in (".out.new-abc123", ".out.old-4242"):  # earlier versions' staging folders
        _tree(tmp_path / legacy, _NEW)
    (tmp_path / ".outer.new-1").mkdir()  # not ours: another output's name
    with Workspace(out):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [".outer.new-1", "out"]
    assert filetree.read(out) == _OLD


def test_the_exchange_keeps_the_old_tree_whole_until_the_new_one_is(tmp_path: Path) -> None:
    """Readers of the output see one tree or the other: the path never goes missing."""
    out = _tree(tmp_path / "out", _OLD)
    seen: list[bool] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.append(os.path.isdir(out))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        with Workspace(out) as workspace:
            for _ in range(20):
                _swap_in(workspace, _NEW)
                _swap_in(workspace, _OLD)
    finally:
        stop.set()
        watcher.join(RUN_TIMEOUT)
    assert seen and all(seen)
