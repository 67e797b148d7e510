"""One run of `generate` (or the generate half of `build`, or a rebuild of `watch`) into one output."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator import cache
from generator.build import filetree, stamp
from generator.build.ownership import check_output
from generator.build.workspace import Workspace
from generator.errors import CodegenError, OutputError
from generator.paths import display_path, umask
from generator.release import BUNDLE, Release

if TYPE_CHECKING:
    from generator.build.generate import NextRun
    from generator.render import Rendered


@dataclass(frozen=True)
class Outcome:
    changes: filetree.Changes  # what the run changed on disk
    files: int  # in the output now
    release: Release | None  # None when the stamp proved the output up to date: nothing was read


class BuildSession:
    """The output of specs (`specs`, `shared`) at `output`, checked before any work: not one the tool
    must not touch (`ownership.check_output`; `protected`: more input folders it must not be or
    hold). `hold()` takes it for a run that writes: then `up_to_date()` and `generate()`. `check()`
    writes nothing (`writing=False`: the output need not be writable)."""

    def __init__(
        self, specs: Path, shared: Path, output: Path, protected: Sequence[Path] = (), *, writing: bool = True
    ) -> None:
        self.specs, self.shared, self.output = specs, shared, output
        self._folders = (specs, shared)
        self._real = check_output(output, (*self._folders, *protected), writing=writing)
        self._workspace: Workspace | None = None
        self._standing: stamp.StampCheck | None = None
        self._made: tuple[NextRun, stamp.StampCheck, stamp.Files] | None = None

    @contextlib.contextmanager
    def hold(
        self, *, wait: bool = True, waiting: Callable[[str], None] | None = None, spare: bool = False
    ) -> Iterator[BuildSession]:
        """The output's lock for the run (waiting for another run, unless not `wait`), with what
        killed runs left tidied. `spare`: the old tree is kept beside the output for the next run
        with `spare` (`watch`), which then writes only what differs (`Workspace`); a run without
        removes it."""
        with Workspace(self._real, wait=wait, waiting=waiting, spare=spare) as workspace:
            self._workspace = workspace
            try:
                yield self
                self._remember()
            finally:
                self._workspace, self._standing, self._made = None, None, None

    def up_to_date(self) -> int | None:
        """The number of files of the output when the last run into it, by this generator, still
        stands (proved by content: `stamp.standing`); None when a run is needed."""
        self._standing = stamp.standing(self.output, self._folders)
        return self._standing.files

    def generate(self) -> Outcome:
        """Render what the specs make and put it in place as a whole; only what changed is rendered
        and written, the rest linked from the old tree. Stamped when the hold ends."""
        from generator.build import snapshot
        from generator.build.generate import generate

        if self._workspace is None:
            raise RuntimeError("generate() outside hold()")
        standing = self._standing or stamp.standing(self.output, self._folders)
        last_run = snapshot.load(self.output, standing)
        generated = generate(self.specs, self.shared, self._real, last_run, standing.unchanged.get(BUNDLE))
        rendered = generated.rendered
        changes = filetree.diff(self._real, rendered.files, rendered.kept)
        written: stamp.Files = {}
        if changes:
            unchanged = rendered.kept.union(rendered.files).difference(changes.added, changes.changed)
            written = self._swap(rendered.files, frozenset(unchanged), standing)
        self._made = (generated.next_run(), standing, _made(rendered, standing, written))
        return Outcome(changes, len(rendered.files) + len(rendered.kept), generated.release)

    def _remember(self) -> None:
        """What the next run starts from (snapshot, stamp), and the cache trimmed: done as the hold
        ends, once the caller has said what changed (the tree is in place already)."""
        if self._made is None or self._workspace is None:
            return
        next_run, standing, made = self._made
        # The old tree is removed while the snapshot is written (the one waits on the kernel, the
        # other on the interpreter), and both before the stamp: removing it changes the ctimes
        with ThreadPoolExecutor(1) as pool:
            removed = pool.submit(self._workspace.discard)
            next_run.keep(self.output, str(made[BUNDLE][4]))
            removed.result()
        stamp.record(self.output, self._folders, standing, made)
        cache.trim_if_grown()

    def check(self) -> Outcome:
        """What `generate` would change, found with no cache (every spec read, every file rendered
        and compared byte for byte), changing nothing."""
        from generator.build.generate import generate

        with cache.bypassed():
            generated = generate(self.specs, self.shared, self._real)
        tree = generated.rendered.files
        return Outcome(filetree.diff(self._real, tree), len(tree), generated.release)

    def _swap(self, tree: filetree.FileTree, same: frozenset[str], standing: stamp.StampCheck) -> stamp.Files:
        workspace = self._workspace
        if workspace is None:
            raise RuntimeError("_swap() outside hold()")
        exists = self._real.is_dir()
        mode = stat.S_IMODE(self._real.stat().st_mode) if exists else 0o777 & ~umask()
        staging = workspace.staging()
        try:
            written = filetree.fill(self._real, staging, tree, same, standing.described.get("outputs"))
            workspace.swap(staging, mode)
        except OSError as exc:
            raise _write_error(exc, staging, self._real, self.output) from None
        return written


def _made(rendered: Rendered, standing: stamp.StampCheck, written: stamp.Files) -> stamp.Files:
    """Each file of the run's tree as the run knows it, for the stamp (`stamp.record`): as written;
    else as `standing` found it, when it vouched for the file; else (a file found as it must be,
    that no stamp vouched for) by the SHA-256 of its bytes alone."""
    found = standing.described.get("outputs", {})
    made: stamp.Files = {}
    for path in rendered.kept.union(rendered.files):
        if path in written:
            made[path] = written[path]
        elif path in standing.unchanged:
            made[path] = found[path]
        else:
            made[path] = [*stamp.UNKNOWN_STAT, hashlib.sha256(rendered.files[path]).hexdigest()]
    return made


def _write_error(exc: OSError, staging: Path, real: Path, output: Path) -> CodegenError:
    """The OS's reason a tree could not be written, on the path the user knows (not the staging one)."""
    name = os.fsdecode(exc.filename) if exc.filename is not None else str(real)
    for inside in (str(staging), str(real)):
        if name == inside or name.startswith(inside + os.sep):
            name = str(output / os.path.relpath(name, inside)) if name != inside else str(output)
            break
    return OutputError(display_path(Path(name)), f"cannot be written: {exc.strerror or exc}; the output is as it was")
