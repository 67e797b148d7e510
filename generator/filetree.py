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


def read(root: Path) -> FileTree:
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not _IGNORED_PARTS.intersection(path.relative_to(root).parts)
        and not path.name.endswith(".pyc")
    }


def diff(root: Path, tree: FileTree) -> Changes:
    current = read(root)
    return Changes(
        added=sorted(set(tree) - set(current)),
        changed=sorted(p for p in set(tree) & set(current) if tree[p] != current[p]),
        removed=sorted(set(current) - set(tree)),
    )


def replace(root: Path, tree: FileTree, same: frozenset[str] = frozenset()) -> None:
    """Make `root` hold exactly `tree`. The new tree is written beside it and swapped in by renames,
    so an interrupted run leaves the old tree in place. The files in `same` already hold their bytes
    under `root`: they are hard-linked rather than written again, keeping their mtime, so what
    vouches for them by size and mtime (the stamp) still does."""
    root = root.absolute()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        # mkdtemp makes 0700: the new root takes the old one's mode, or the umask's as any new folder
        staging.chmod(stat.S_IMODE(root.stat().st_mode) if root.is_dir() else 0o777 & ~umask())
        for relative, content in tree.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if relative not in same or not _linked(root / relative, target):
                target.write_bytes(content)
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


def _linked(source: Path, target: Path) -> bool:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:  # another file system, or one without links: written instead
        return False
    return True
