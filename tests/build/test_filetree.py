"""The output tree in memory: compared with the one on disk, and laid out in a new folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.build import filetree

_OLD = {
    "python/pkg/types/a.py": b"a = 1\n",
    "python/pkg/types/b.py": b"b = 1\n",
    "docs/models/acme/b.md": b"# b\n",
    "docs/index.md": b"# 2 models\n",
}


def _old_tree(tmp_path: Path) -> Path:
    root = tmp_path / "generated"
    for path, content in _OLD.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    return root


def _expected_after_b_is_removed() -> tuple[dict[str, bytes], frozenset[str]]:
    tree = {"docs/index.md": b"# 1 model\n", "python/pkg/types/c.py": b"c = 1\n"}
    return tree, frozenset({"python/pkg/types/a.py"})


def test_a_new_tree_links_the_kept_files_and_writes_the_others(tmp_path: Path) -> None:
    root = _old_tree(tmp_path)
    same_inode = (root / "python/pkg/types/a.py").stat()
    staging = tmp_path / "new"
    staging.mkdir()
    tree, same = _expected_after_b_is_removed()

    filetree.fill(root, staging, tree, same)

    assert filetree.read(staging) == {**tree, "python/pkg/types/a.py": b"a = 1\n"}
    kept = (staging / "python/pkg/types/a.py").stat()
    assert (kept.st_ino, kept.st_mtime_ns) == (same_inode.st_ino, same_inode.st_mtime_ns)
    assert filetree.read(root) == _OLD  # nothing was written through a link


def test_a_kept_file_is_copied_with_its_mtime_where_it_cannot_be_linked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _old_tree(tmp_path)
    staging = tmp_path / "new"
    staging.mkdir()

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    tree, same = _expected_after_b_is_removed()
    filetree.fill(root, staging, tree, same)
    assert filetree.read(staging) == {**tree, "python/pkg/types/a.py": b"a = 1\n"}
    assert (staging / "python/pkg/types/a.py").stat().st_mtime_ns == (root / "python/pkg/types/a.py").stat().st_mtime_ns


def test_the_changes_name_what_differs_and_read_only_the_trees_files(tmp_path: Path) -> None:
    root = _old_tree(tmp_path)
    tree, same = _expected_after_b_is_removed()
    changes = filetree.diff(root, tree, same)
    assert changes.lines() == [
        "added    python/pkg/types/c.py",
        "changed  docs/index.md",
        "removed  docs/models/acme/b.md",
        "removed  python/pkg/types/b.py",
    ]
