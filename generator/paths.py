"""Where things are: the default folders, how a path is shown, which files a folder holds.

Imported by the command line before anything else, so it imports nothing heavier than pathlib.
"""

from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Iterator
from pathlib import Path

from generator.errors import InputError

SOURCES = Path("specs/apifox")  # the user's Apifox documents
MODELS = Path("specs/models")  # one normalized spec per model
SHARED = Path("specs/shared")  # the shared operations' specs
REPLICATE = Path("specs/replicate")  # <owner>/<name>.json: a model's Replicate document
OVERRIDES = Path("specs/overrides")  # <owner>/<name>.yaml: the user's corrections
GENERATED = Path("generated")


def display_path(path: Path) -> str:
    """The path as recorded in specs and messages: relative to the working directory when inside it,
    so that specs built on any machine are identical. Bytes of a file name that are not UTF-8 are
    shown as `\\xff` escapes: the name must be printable and storable as text."""
    if path.name in ("", ".", "..") or path.is_symlink():
        shown = _shown(path, os.getcwd())
    else:  # through its folder, which a thousand specs share and which is resolved once
        folder = _folder_shown(path.parent, os.getcwd())
        shown = path.name if folder == "." else f"{folder.rstrip('/')}/{path.name}"
    return os.fsencode(shown).decode("utf-8", "backslashreplace")


def _shown(path: Path, cwd: str) -> str:
    try:
        return path.resolve().relative_to(Path(cwd).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


_folder_shown = functools.lru_cache(maxsize=64)(_shown)


def umask() -> int:
    """The process's umask: new files get the modes the user's other tools would give them."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def check_writable(path: Path, option: str, *, folder: bool) -> None:
    """Fail before any work when a file stands where `path` or one of its folders must be."""
    for place in ((path,) if folder else ()) + tuple(path.parents):
        if place.exists():  # the nearest existing place decides
            if not place.is_dir():
                raise InputError(display_path(place), f"is a file, so {option} {display_path(path)} cannot be written")
            return


def visible_files(root: Path, pattern: str = "*") -> Iterator[Path]:
    """Files under `root` whose name matches `pattern`, sorted so runs repeat, skipping anything under
    a hidden folder or hidden itself (`.git`, editor swap files, `.DS_Store`) below `root`. Whatever
    is not a folder is listed, FIFOs and devices too: the reader refuses them by name rather than
    skip them. Walked with `os.scandir`: pathlib's `rglob` was most of a no-op rebuild's time."""
    found: list[tuple[str, ...]] = []
    folders: list[tuple[tuple[str, ...], str]] = [((), str(root))]
    seen: set[tuple[int, int]] = set()  # folders by device and inode: a link back up is walked once
    while folders:
        parts, folder = folders.pop()
        try:
            status = os.stat(folder)
            entries = [] if (status.st_dev, status.st_ino) in seen else list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        seen.add((status.st_dev, status.st_ino))
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                folders.append(((*parts, entry.name), entry.path))
            elif fnmatch.fnmatchcase(entry.name, pattern):
                found.append((*parts, entry.name))
    yield from (root.joinpath(*parts) for parts in sorted(found))
