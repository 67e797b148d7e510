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


def staging_for(root: Path) -> Path:
    """A new, empty folder beside `root` for the tree that is to replace it (`replace`), with the
    mode the new root is to have: the old root's, or the umask's as any new folder."""
    root = root.absolute()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        # mkdtemp makes 0700
        staging.chmod(stat.S_IMODE(root.stat().st_mode) if root.is_dir() else 0o777 & ~umask())
    except BaseException:
        staging.rmdir()
        raise
    return staging


def link_all(root: Path, staging: Path) -> None:
    """Hard-link every file of `root` into `staging` (from `staging_for`), ahead of `replace`: most
    of a rebuild's files are the ones already there, and linking four thousand of them is work
    another process can do while this one renders. Stops at the first file that cannot be linked
    (another file system, or none with links): `replace` completes whatever is there."""
    folders: set[str] = set()  # plain strings and os calls: pathlib was most of the time of 4,000 links
    for relative in listing(root):
        folder, _, _ = relative.rpartition("/")
        if folder not in folders:
            os.makedirs(os.path.join(staging, folder), exist_ok=True)
            folders.add(folder)
        os.link(os.path.join(root, relative), os.path.join(staging, relative), follow_symlinks=False)


def replace(root: Path, tree: FileTree, same: frozenset[str] = frozenset(), staging: Path | None = None) -> Path | None:
    """Make `root` hold exactly `tree` and the files of `same`, which already hold their bytes under
    `root`: they are hard-linked rather than written again, keeping their mtime, so what vouches
    for them by size and mtime (the stamp) still does. The new tree is made in `staging` (a folder
    from `staging_for`, perhaps holding some of `root`'s files linked by `link_all`; a new one when
    None) and swapped in by renames, so an interrupted run leaves the old tree in place. Returns the
    old tree, moved aside under a hidden name, for the caller to remove (`remove_tree`)."""
    root = root.absolute()
    staging = staging_for(root) if staging is None else staging.absolute()
    try:
        _fill(root, staging, tree, same)
    except BaseException:
        remove_tree(staging)
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
        remove_tree(staging)
        raise
    return old if had_root else None


def remove_tree(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _fill(root: Path, staging: Path, tree: FileTree, same: frozenset[str]) -> None:
    """Make `staging`, which holds some of `root`'s files linked (or none), hold `tree` and `same`."""
    linked = set(listing(staging))
    for relative in sorted(linked.difference(same)):  # not to be kept, or to be written anew
        target = os.path.join(staging, relative)
        os.unlink(target)  # never written through: the link shares its bytes with the file in `root`
        _remove_empty_folders(staging, os.path.dirname(target))
    folders: set[str] = set()
    for relative in sorted(same.union(tree).difference(linked.intersection(same))):
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


def _remove_empty_folders(top: Path, folder: str) -> None:
    """Remove `folder` and the folders above it up to `top`, while they are empty."""
    while os.path.normpath(folder) != os.path.normpath(top):
        try:
            os.rmdir(folder)
        except OSError:  # not empty
            return
        folder = os.path.dirname(folder)


def _linked(source: str, target: str) -> bool:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:  # another file system, or one without links: written instead
        return False
    return True
