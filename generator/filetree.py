"""Rendered output as an in-memory tree, compared with or swapped onto disk in one step."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.paths import umask

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
    Walked with `os.scandir`: pathlib's `rglob` took a tenth of a second for four thousand files."""
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


def replace(root: Path, tree: FileTree, same: frozenset[str] = frozenset()) -> None:
    """Make `root` hold exactly `tree` and the files of `same`, which already hold their bytes under
    `root`: they are hard-linked rather than written again, keeping their mtime, so what vouches
    for them by size and mtime (the stamp) still does. The new tree is written beside the old one
    and swapped in by renames, so an interrupted run leaves the old tree in place."""
    root = root.absolute()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        # mkdtemp makes 0700: the new root takes the old one's mode, or the umask's as any new folder
        staging.chmod(stat.S_IMODE(root.stat().st_mode) if root.is_dir() else 0o777 & ~umask())
        folders: set[str] = set()  # plain strings and os calls: pathlib was most of the time of 4,000 links
        for relative in sorted(same.union(tree)):
            folder, _, _ = relative.rpartition("/")
            if folder not in folders:
                os.makedirs(os.path.join(staging, folder), exist_ok=True)
                folders.add(folder)
            source, target = os.path.join(root, relative), os.path.join(staging, relative)
            if relative in same and _linked(source, target):
                continue
            if relative in tree:
                with open(target, "wb") as file:
                    file.write(tree[relative])
            else:  # kept, on a file system without links: copied with its mtime
                shutil.copy2(source, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = root.with_name(f".{root.name}.old-{os.getpid()}")
    had_root = root.exists()
    if had_root:
        os.rename(root, old)
    try:
        os.rename(staging, root)
    except BaseException:
        if had_root:
            os.rename(old, root)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _linked(source: str, target: str) -> bool:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:  # another file system, or one without links: written instead
        return False
    return True
