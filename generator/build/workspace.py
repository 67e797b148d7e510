"""The folder beside an output where a run holds its lock and makes the new tree: `.<name>.codegen/`.

- **One run at a time.** `lock` is held with `flock` for the whole run, so the kernel lets it go when
  the run ends, however it ends: a lock left by a dead process is simply free. Its text names the
  holder (pid, start time) for the message of a run that waits.
- **Whole trees only.** The new tree is made in `new/` and swapped in with one atomic exchange
  (Linux `renameat2(RENAME_EXCHANGE)`), so the output path always holds the whole old tree or the
  whole new one. Where there is no exchange, two renames are journalled first (`journal`), and the
  next run rolls back a swap that was cut between them (the old tree returns).
- **Nothing left behind.** Whatever a killed run left here (a half-made tree, the old tree, a
  journal) is removed by the next run, once it holds the lock; the folder itself goes when empty.
  `watch` alone keeps the old tree of each swap in `new/` as a spare, which its next rebuild brings
  up to date instead of linking every file anew (`filetree.fill` keeps only the files of it that
  are the output's own); it is removed when the watch ends, or by the next run of any other kind.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from generator.errors import OutputError
from generator.paths import display_path

_LOCK, _JOURNAL, _NEW, _OLD = "lock", "journal", "new", "old"
_ATTEMPTS = 1000  # to take a lock file that its holders keep removing as they let go


class Busy(OutputError):
    """Another run holds the output's lock (`--no-wait`)."""


class Workspace:
    """The run's hold on `output` (a real path, from `ownership.check_output`): a context manager
    that takes the lock (waiting, and saying so through `waiting`, unless `wait` is False) and
    tidies what killed runs left; released on exit. `spare`: the old tree is kept for the next
    run, and a tree found in `new/` is the one to fill (`staging`)."""

    def __init__(
        self, output: Path, *, wait: bool = True, waiting: Callable[[str], None] | None = None, spare: bool = False
    ) -> None:
        self.output = output
        self.folder = output.with_name(f".{output.name}.codegen")
        self._wait = wait
        self._waiting = waiting
        self._spare = spare
        self._lock: int | None = None

    def __enter__(self) -> Workspace:
        self._lock = self._take_lock()
        try:
            self._recover()
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self.discard()
        self._release()

    # -- the lock -----------------------------------------------------------------------------

    def _take_lock(self) -> int:
        path = self.folder / _LOCK
        told = False
        for _ in range(_ATTEMPTS):
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError:  # the holder removed the folder as it let go: take it anew
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                if not self._wait:
                    os.close(fd)
                    raise Busy(display_path(self.output), f"another run ({holder}) is writing it") from None
                if self._waiting is not None and not told:
                    self._waiting(f"waiting for another run ({holder}) to finish with {display_path(self.output)}")
                    told = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            # a holder that let go removed the file: the lock taken may be on a file no other run sees
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, json.dumps({"pid": os.getpid(), "started": time.time()}).encode())
                return fd
            os.close(fd)
        raise OutputError(display_path(self.folder / _LOCK), f"could not be taken in {_ATTEMPTS} attempts")

    def _release(self) -> None:
        if self._lock is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.folder / _LOCK)  # while held: no other run holds this file
        os.close(self._lock)
        self._lock = None
        with contextlib.suppress(OSError):  # not empty: another run is already waiting in it
            self.folder.rmdir()

    # -- the new tree and the swap --------------------------------------------------------------

    def staging(self) -> Path:
        """The folder for the new tree (mode 0700 while it fills: `swap` gives the mode): a new, empty
        one, or the spare tree when one is kept, for `filetree.fill` to bring up to date."""
        staging = self.folder / _NEW
        if self._spare and staging.is_dir() and not staging.is_symlink():
            os.chmod(staging, 0o700)
            return staging
        _remove(staging)
        staging.mkdir(mode=0o700)
        return staging

    def discard(self) -> None:
        """Remove the old tree a swap left (or a half-made one), unless it is kept as the spare.
        Unlinking its files changes the ctime of those the new tree shares with it, so this comes
        before the new tree is stamped."""
        if not self._spare:
            _remove(self.folder / _NEW)

    def swap(self, staging: Path, mode: int) -> None:
        """Put the tree made in `staging` at the output path, in one step where the OS allows. The
        old tree is left in `staging` until `discard` (at the latest, as the hold ends)."""
        os.chmod(staging, mode)
        if not os.path.lexists(self.output):
            os.rename(staging, self.output)
            return
        if _exchange(staging, self.output):  # `staging` now holds the old tree
            return
        old = self.folder / _OLD
        _write_journal(self.folder / _JOURNAL)
        os.rename(self.output, old)
        os.rename(staging, self.output)
        os.unlink(self.folder / _JOURNAL)
        _remove(old)

    def _recover(self) -> None:
        """Undo what a killed run left: a swap cut between its renames is rolled back; half-made
        trees, old trees and the staging folders of earlier versions of this tool are removed."""
        journal, old = self.folder / _JOURNAL, self.folder / _OLD
        if journal.exists():
            if not os.path.lexists(self.output) and old.is_dir():
                os.rename(old, self.output)
            journal.unlink()
        for leftover in (old,) if self._spare else (self.folder / _NEW, old):
            _remove(leftover)
        prefix = f".{self.output.name}."  # `.<name>.new-*`, `.<name>.old-*`: how earlier versions staged
        with os.scandir(self.output.parent) as entries:
            for entry in entries:
                rest = entry.name[len(prefix) :] if entry.name.startswith(prefix) else ""
                if rest.startswith(("new-", "old-")) and entry.is_dir(follow_symlinks=False):
                    _remove(Path(entry.path))


def _holder(fd: int) -> str:
    try:
        held = json.loads(os.pread(fd, 4096, 0) or b"{}")
        started = time.strftime("%H:%M:%S", time.localtime(float(held["started"])))
        return f"pid {int(held['pid'])}, started {started}"
    except (OSError, ValueError, KeyError, TypeError):
        return "starting"


def _write_journal(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as file:
        file.write("swap: output -> old, new -> output\n")
        file.flush()
        os.fsync(file.fileno())


def _remove(path: Path) -> None:
    if os.path.lexists(path):
        shutil.rmtree(path)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux `renameat2(RENAME_EXCHANGE)`); False where the OS or the file
    system has no such call (the caller then uses two renames)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    function: Callable[..., int] | None = getattr(libc, "renameat2", None)
    return function
