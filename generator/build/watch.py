"""`replicate-codegen watch`: rebuild on every change to the documents or specs, in one process that
keeps its libraries and caches loaded, so a saved spec is a new tree in a fraction of a second.

Each rebuild is a run like any other (`engine.BuildSession`): it holds the output's lock while it
writes, proves the output up to date before doing anything, and swaps in a whole tree. The old tree
of each swap is kept as a spare beside the output, so that the next rebuild writes only the files
that differ rather than linking thousands anew (`Workspace`); it goes when the watch ends (Ctrl-C
or SIGTERM). Changes are debounced (an editor's save is several events), and the specs the import
writes start no second rebuild: their stamp already holds. A rebuild that fails says why in one
line and the watch goes on.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from threading import Event

from generator import paths
from generator.build import BuildSession, Busy, Outcome
from generator.errors import CodegenError, InputErrors, ValidationFailed

Report = Callable[[str], None]
_READY_MS = 200  # how long the OS's watch is waited on before an empty batch (the first one: ready)


@dataclass(frozen=True)
class Watched:
    """What `build` reads: documents (`sources`) and the folders that complete them, and the specs."""

    sources: Path
    specs: Path
    shared: Path
    replicate: Path
    overrides: Path
    output: Path

    def folders(self) -> list[Path]:
        found = (self.sources, self.specs, self.shared, self.replicate, self.overrides)
        return [folder for folder in found if folder.is_dir()]


def watch(
    session: BuildSession, watched: Watched, report: Report, debounce_ms: int = 100, stop: Event | None = None
) -> None:
    """Rebuild `session`'s output now, then on each batch of changes under `watched.folders()`, until
    `stop` is set (or Ctrl-C). One line per rebuild through `report`."""
    import watchfiles

    from generator.render import datamodels

    datamodels.warm_up()  # loaded once, for every rebuild to come
    failed, started = True, False
    terminated = _stop_on_sigterm()
    try:
        # The first (empty) batch comes once the OS watches the folders: the first rebuild is made
        # then, so that a change saved at any moment is seen by it or by the next.
        for changes in watchfiles.watch(
            *watched.folders(),
            debounce=debounce_ms,
            step=20,
            stop_event=stop,
            raise_interrupt=False,
            yield_on_timeout=True,
            rust_timeout=_READY_MS,
        ):
            if not started:
                started = True
                failed = not _rebuild(session, watched, True, report, True)
                report(f"watching {', '.join(paths.display_path(f) for f in watched.folders())} (Ctrl-C stops)")
                continue
            changed = [Path(path) for _, path in changes if not Path(path).name.startswith(".")]
            if changed:
                failed = not _rebuild(session, watched, _under(changed, watched.sources), report, failed)
    except KeyboardInterrupt:  # stopped during a rebuild: the output holds a whole tree all the same
        pass
    finally:
        _let_go(session)
        if terminated is not None:
            signal.signal(signal.SIGTERM, terminated)
    report(f"{time.strftime('%H:%M:%S')} stopped")


def _stop_on_sigterm() -> signal.Handlers | Callable[..., object] | int | None:
    """`kill` (what service managers and `Popen.terminate` send) stops the watch as Ctrl-C does, so
    that it still lets go of the output: Python's own answer to SIGTERM is to end at once. Returns
    the handler it replaced (None: not replaced, off the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, signal.default_int_handler)


def _let_go(session: BuildSession) -> None:
    """The spare tree the rebuilds kept goes with the watch: removed by a hold of the usual kind, or
    left to the run that holds the output now, which removes it too."""
    with contextlib.suppress(Busy, OSError), session.hold(wait=False):
        pass


def _under(files: Iterable[Path], folder: Path) -> bool:
    top = folder.resolve()
    return any(top == path.resolve().parent or top in path.resolve().parents for path in files)


def _rebuild(session: BuildSession, watched: Watched, documents: bool, report: Report, told: bool) -> bool:
    """One rebuild; False when it failed (said through `report`). An output proved up to date is said
    only when `told` (after a failure, or at the start), else a rebuild of nothing stays silent."""
    started = time.perf_counter()
    shown = paths.display_path(watched.output)
    try:
        with session.hold(waiting=report, spare=True):
            if documents and watched.sources.is_dir():
                _import(watched, report)
            files = session.up_to_date()
            if files is not None:
                if told:
                    report(f"{time.strftime('%H:%M:%S')} {shown} is up to date ({files} files)")
                return True
            outcome = session.generate()
            # The new tree is in place: said now, while what the next run starts from is kept
            report(_line(outcome, shown, time.perf_counter() - started))
    except ValidationFailed as exc:
        for problem in exc.problems:
            report(str(problem))
        report(f"{time.strftime('%H:%M:%S')} not rebuilt: validation failed: {len(exc.problems)} problem(s)")
        return False
    except InputErrors as exc:
        report(str(exc))
        report(f"{time.strftime('%H:%M:%S')} not rebuilt")
        return False
    except (CodegenError, OSError) as exc:
        report(f"{time.strftime('%H:%M:%S')} not rebuilt: {exc}")
        return False
    return True


def _import(watched: Watched, report: Report) -> None:
    from generator.importing.importer import Layout, expand, import_files

    layout = Layout(watched.specs, watched.shared, watched.replicate, watched.overrides)
    for result in import_files(list(expand([watched.sources])), layout):
        if result.error:
            report(f"error: {result.error}")


def _line(outcome: Outcome, output: str, seconds: float) -> str:
    from generator.release import diff

    changes = outcome.changes
    files = f"{len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed"
    line = f"{time.strftime('%H:%M:%S')} rebuilt {output} in {seconds:.2f} s: {files}"
    release = outcome.release
    if release is not None and release.changes:
        models = sorted({change.model for change in release.changes})
        shown = ", ".join(models[:3]) + (f" and {len(models) - 3} more" if len(models) > 3 else "")
        line += f"; {diff.summary(release.changes)} ({shown}): version {release.version}"
    return line
