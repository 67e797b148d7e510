"""The generate step: specs -> validated catalog -> rendered tree."""

from __future__ import annotations

from pathlib import Path

from generator import filetree
from generator.catalog import load_catalog
from generator.paths import display_path
from generator.render import render


def build_tree(specs_dir: Path, shared_dir: Path | None = None) -> filetree.FileTree:
    return render(load_catalog(specs_dir, None, shared_dir), display_path(specs_dir))
