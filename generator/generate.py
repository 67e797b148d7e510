"""The generate step: specs -> validated catalog -> the next release -> rendered tree."""

from __future__ import annotations

from pathlib import Path

from generator import filetree
from generator.catalog import Catalog, load_catalog
from generator.paths import display_path
from generator.release import BUNDLE, Release, next_release, remember
from generator.render import render


def build(
    specs_dir: Path, shared_dir: Path | None = None, previous: Path | None = None, catalog: Catalog | None = None
) -> tuple[filetree.FileTree, Release]:
    """The tree the specs make, and its release: versioned and changelogged against the tree already
    generated into `previous` (none: the first release). `catalog`: those specs, already validated."""
    catalog = catalog or load_catalog(specs_dir, None, shared_dir)
    release = next_release(catalog, previous)
    tree = render(catalog, display_path(specs_dir), release)
    remember(tree[BUNDLE], release)
    return tree, release


def build_tree(specs_dir: Path, shared_dir: Path | None = None, previous: Path | None = None) -> filetree.FileTree:
    return build(specs_dir, shared_dir, previous)[0]
