"""The output tree swapped in whole, from a new tree begun beside the old one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import filetree

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


@pytest.mark.parametrize("linked", ["all", "some", "none"])
def test_a_tree_begun_with_the_old_ones_files_linked_swaps_in_what_a_new_one_would(tmp_path: Path, linked: str) -> None:
    root = _old_tree(tmp_path)
    same_inode = (root / "python/pkg/types/a.py").stat()
    staging = filetree.staging_for(root)
    if linked == "all":
        filetree.link_all(root, staging)
    elif linked == "some":  # as a link job stopped midway leaves it
        (staging / "docs").mkdir()
        os.link(root / "docs/index.md", staging / "docs/index.md")
    tree, same = _expected_after_b_is_removed()

    old = filetree.replace(root, tree, same, staging)

    assert filetree.read(root) == {**tree, "python/pkg/types/a.py": b"a = 1\n"}
    assert not (root / "docs/models").exists()  # emptied folders go with their files
    kept = (root / "python/pkg/types/a.py").stat()
    assert (kept.st_ino, kept.st_mtime_ns) == (same_inode.st_ino, same_inode.st_mtime_ns)
    assert old is not None and filetree.read(old) == _OLD  # nothing was written through a link
    filetree.remove_tree(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generated"]


def test_a_swap_that_fails_leaves_the_old_tree_and_no_new_one(tmp_path: Path) -> None:
    root = _old_tree(tmp_path)
    staging = filetree.staging_for(root)
    filetree.link_all(root, staging)
    tree = {"docs/index.md/oops": b"a file where the old tree has one of that name\n"}
    with pytest.raises(OSError):
        filetree.replace(root, tree, frozenset({"docs/index.md"}), staging)
    assert filetree.read(root) == _OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generated"]


def test_the_first_tree_leaves_no_old_one(tmp_path: Path) -> None:
    root = tmp_path / "generated"
    assert filetree.replace(root, {"docs/index.md": b"# 0 models\n"}) is None
    assert filetree.read(root) == {"docs/index.md": b"# 0 models\n"}
