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


def _found(root: Path) -> dict[str, list[int | str]]:
    """The old tree's files as the stamp's check finds them: [size, mtime_ns, ctime_ns, inode, sha256]."""
    found: dict[str, list[int | str]] = {}
    for path in filetree.listing(root):
        status = (root / path).stat()
        found[path] = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, ""]
    return found


def _folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def test_a_spare_tree_keeps_only_the_files_that_are_the_old_trees_own_and_holds_exactly_the_new_one(
    tmp_path: Path,
) -> None:
    """What `watch` fills: the old tree of the swap before, here with all a spare may hold by then."""
    root = _old_tree(tmp_path)
    staging = tmp_path / "spare"
    (staging / "python/pkg/types").mkdir(parents=True)
    (staging / "docs/models/acme").mkdir(parents=True)
    os.link(root / "python/pkg/types/a.py", staging / "python/pkg/types/a.py")  # the very file: kept
    os.link(root / "docs/index.md", staging / "docs/index.md")  # the old tree's, to be rewritten
    (staging / "python/pkg/types/b.py").write_bytes(b"b = 1\n")  # a file no longer in the tree
    (staging / "python/pkg/types/c.py").mkdir()  # a folder where a file must be
    (staging / "docs/models/acme/b.md").write_bytes(b"# b\n")  # a folder the tree no longer has
    (staging / "stray").symlink_to(root / "docs/index.md")
    kept_inode = (staging / "python/pkg/types/a.py").stat().st_ino
    tree, same = _expected_after_b_is_removed()

    written = filetree.fill(root, staging, tree, same, _found(root))

    assert filetree.read(staging) == {**tree, "python/pkg/types/a.py": b"a = 1\n"}
    assert not (staging / "stray").is_symlink()
    assert _folders(staging) == {"docs", "python", "python/pkg", "python/pkg/types"}
    assert (
        (staging / "python/pkg/types/a.py").stat().st_ino
        == kept_inode
        == (root / "python/pkg/types/a.py").stat().st_ino
    )
    assert sorted(written) == ["docs/index.md", "python/pkg/types/c.py"]
    assert filetree.read(root) == _OLD  # the old tree's docs/index.md was replaced, not written through


@pytest.mark.parametrize("impostor", ["a copy", "another file"])
def test_a_file_of_the_spare_tree_that_is_not_the_old_trees_own_is_linked_anew(tmp_path: Path, impostor: str) -> None:
    root = _old_tree(tmp_path)
    found = _found(root)
    staging = tmp_path / "spare"
    (staging / "python/pkg/types").mkdir(parents=True)
    spare = staging / "python/pkg/types/a.py"
    spare.write_bytes(b"a = 1\n" if impostor == "a copy" else b"a = 2\n")  # a copy: same bytes, not the file
    tree, same = _expected_after_b_is_removed()

    filetree.fill(root, staging, tree, same, found)

    assert filetree.read(staging) == {**tree, "python/pkg/types/a.py": b"a = 1\n"}
    assert spare.stat().st_ino == (root / "python/pkg/types/a.py").stat().st_ino


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
