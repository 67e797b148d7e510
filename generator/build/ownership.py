"""Which folder an output may be: one the tool made (it carries `MARKER`), or a new or empty one.

Refused, before anything is read or written: the current folder or one above it, a version-control
root, a folder that is, holds or lies inside one of the run's inputs (specs, sources, overrides...),
a non-empty folder without the marker, and one that cannot be written.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from generator.errors import OutputError
from generator.paths import OUTPUT_MARKER as MARKER
from generator.paths import display_path

_VERSION_CONTROL = (".git", ".hg", ".svn", ".jj", ".bzr", "_darcs", ".fossil")


def check_output(output: Path, inputs: Iterable[Path], *, writing: bool = True) -> Path:
    """The output's real place (symlinks followed): what the run may replace. OutputError when it
    must not be touched (or, `writing`, cannot be written)."""
    shown = display_path(output)
    real = Path(os.path.realpath(output))
    here = Path(os.path.realpath(os.getcwd()))
    if real == here or real in here.parents:
        raise OutputError(shown, "is the current folder or one above it; give a folder of its own (--out generated)")
    for folder in inputs:
        place = Path(os.path.realpath(folder))
        if real == place or real in place.parents or place in real.parents:
            relation = "is" if real == place else "holds" if real in place.parents else "lies inside"
            raise OutputError(shown, f"{relation} the input folder {display_path(folder)}; give a folder of its own")
    if not os.path.lexists(real):
        if writing:
            _check_parent(real, shown)
        return real
    if not real.is_dir():
        raise OutputError(shown, "is a file, not a folder")
    for name in _VERSION_CONTROL:
        if os.path.lexists(real / name):
            raise OutputError(shown, f"is a version-control root ({name}); give a folder of its own")
    if not (real / MARKER).is_file() and _has_entries(real):
        raise OutputError(
            shown,
            f"holds files replicate-codegen did not write (it has no {MARKER} marker), and every run replaces "
            "the folder as a whole; give a new or empty folder (or, if an earlier version of replicate-codegen "
            f"wrote it and nothing in it is yours, create {shown}/{MARKER})",
        )
    if writing:
        _check_writable(real, shown)
        _check_parent(real, shown)
    return real


def _has_entries(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return any(True for _ in entries)


def _check_writable(folder: Path, shown: str) -> None:
    mode = stat.S_IMODE(folder.stat().st_mode)
    if not mode & stat.S_IWUSR:
        raise OutputError(shown, f"is read-only (mode {mode:04o}); make it writable to regenerate it")
    if not os.access(folder, os.W_OK):
        raise OutputError(shown, "cannot be written (permission denied or a read-only file system)")


def _check_parent(real: Path, shown: str) -> None:
    """The new tree is made beside the output and swapped in: its folder must take new entries."""
    parent = real.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(display_path(parent), f"is a file, so {shown} cannot be made")
    if not os.access(parent, os.W_OK):
        reason = f"cannot be written (permission denied or a read-only file system), so {shown} cannot be replaced"
        raise OutputError(display_path(parent), reason)
