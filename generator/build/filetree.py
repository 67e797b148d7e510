"""Rendered output as an in-memory tree: listed, read and compared on disk, and laid out in a new folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

FileTree = dict[str, bytes]  # posix path relative to the output root -> content

# Made by tools that run over generated/ (tests, type checkers), never by us.
_IGNORED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})


@dataclass(frozen=True)
class Changes:
    added: list[str]
    changed: list[str]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        return (
            [f"added    {p}" for p in self.added]
            + [f"changed  {p}" for p in self.changed]
            + [f"removed  {p}" for p in self.removed]
        )


def listing(root: Path) -> list[str]:
    """Every file under `root` (posix paths relative to it, sorted), but what tools leave there.
    Walked with `os.scandir`, several times faster than pathlib's `rglob` (bench/README.md)."""
    found = []
    folders = [("", str(root))]
    while folders:
        prefix, folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in _IGNORED_PARTS:
                    folders.append((f"{prefix}{entry.name}/", entry.path))
            elif entry.is_file() and not entry.name.endswith(".pyc"):
                found.append(prefix + entry.name)
    return sorted(found)


def read(root: Path) -> FileTree:
    return {path: (root / path).read_bytes() for path in listing(root)}


def diff(root: Path, tree: FileTree, kept: frozenset[str] = frozenset()) -> Changes:
    """What making `root` hold `tree` and the `kept` files (already there, as they must be) changes.
    Only the files of `tree` are read."""
    current = set(listing(root))
    missing = sorted(kept - current)
    if missing:
        raise FileNotFoundError(f"{root / missing[0]} vanished while the tree was being rendered")
    return Changes(
        added=sorted(set(tree) - current),
        changed=sorted(p for p in set(tree) & current if (root / p).read_bytes() != tree[p]),
        removed=sorted(current - set(tree) - kept),
    )


# path -> [size, mtime_ns, ctime_ns, inode, sha256]: files as written (`fill`), or as the stamp found them
FileStats = dict[str, list[int | str]]


def fill(
    root: Path, staging: Path, tree: FileTree, same: frozenset[str] = frozenset(), found: FileStats | None = None
) -> FileStats:
    """Make the folder `staging` hold exactly `tree` and the files of `same`, which already hold their
    bytes (those of `tree`, for the files it has too) under `root`: those are hard-linked rather than
    written again (copied with their mtime where there are no links), so what vouches for them by
    size and mtime still does. Returns each file written, with its stat just after writing and the
    SHA-256 of the bytes written: what the stamp holds the file to (`stamp.record`).

    `staging` may hold an earlier tree (`watch` keeps the old tree of each swap for the next one).
    A file of it is kept only when it is the very file of `root` that `same` asks for: a link of
    the one `found` describes (`stamp.standing`: same device, inode, size and mtime). Anything else
    there is replaced or removed, so only what differs is written. Folders are filled side by side:
    a link is a few microseconds of the kernel's, and thousands of them are most of a rebuild's
    writing (bench/README.md)."""
    written: FileStats = {}
    wanted = same.union(tree)
    kept = _tidied(root, staging, wanted, same, found or {})
    by_folder: dict[str, list[str]] = {}
    for relative in wanted.difference(kept):
        folder, _, _ = relative.rpartition("/")
        by_folder.setdefault(folder, []).append(relative)
    for folder in sorted(by_folder):
        os.makedirs(os.path.join(staging, folder), exist_ok=True)

    def fill_folder(files: list[str]) -> None:
        for relative in files:  # plain strings and os calls: pathlib was most of the time of 4,000 links
            target = os.path.join(staging, relative)
            if relative not in same:
                content = tree[relative]
                with open(target, "wb") as file:
                    file.write(content)
                    file.flush()
                    status = os.fstat(file.fileno())
                sha256 = hashlib.sha256(content).hexdigest()  # on this thread: hashlib lets go of the GIL
                written[relative] = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, sha256]
                continue
            source = os.path.join(root, relative)
            try:
                os.link(source, target, follow_symlinks=False)
            except OSError:  # another file system, or one without links
                shutil.copy2(source, target)

    with ThreadPoolExecutor(_FILLERS) as pool:
        for _ in pool.map(fill_folder, by_folder.values()):  # the first error, as raised
            pass
    return written


def _tidied(root: Path, staging: Path, wanted: frozenset[str], same: frozenset[str], found: FileStats) -> set[str]:
    """The files of `same` that `staging` holds already as links of `root`'s (those `found`
    describes: same device, inode, size and mtime), once all else is removed from it: other files,
    links, folders the tree has no file in. Walked on one thread: a stat is quicker than handing
    the interpreter from thread to thread for it."""
    needed = {""}
    for relative in wanted:
        folder = relative.rpartition("/")[0]
        while folder not in needed:
            needed.add(folder)
            folder = folder.rpartition("/")[0]
    kept: set[str] = set()
    device = -1
    walking = [("", str(staging))]
    while walking:
        prefix, folder = walking.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if relative in needed:
                        walking.append((f"{relative}/", entry.path))
                    else:
                        shutil.rmtree(entry.path)
                    continue
                described = found.get(relative) if relative in same else None
                if described is not None and described[0] != -1:
                    device = os.stat(root).st_dev if device == -1 else device
                    status = entry.stat(follow_symlinks=False)
                    identity = [status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns]
                    if stat.S_ISREG(status.st_mode) and identity == [device, described[3], *described[:2]]:
                        kept.add(relative)
                        continue
                os.unlink(entry.path)
    return kept


_FILLERS = 4
