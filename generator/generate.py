"""The generate step: specs -> validated catalog -> rendered tree -> `generated/` (or a staleness check)."""

from __future__ import annotations

from pathlib import Path

from generator import catalog as catalog_module
from generator import filetree
from generator.catalog import Catalog
from generator.errors import InputError
from generator.importing import display_path
from generator.render import render


def load_catalog(specs_dir: Path, paths: list[Path] | None = None, shared_dir: Path | None = None) -> Catalog:
    """Model specs (`paths`, or all of `specs_dir`) and the shared operations' specs, validated together.
    A missing `specs_dir` is an error, not an empty catalogue: a mistyped folder must not pass."""
    if not paths and not specs_dir.is_dir():
        raise InputError(display_path(specs_dir), "no such folder; expected a folder of model specs (--specs)")
    files = paths if paths else catalog_module.spec_paths(specs_dir)
    if shared_dir is not None and shared_dir.is_dir():
        files = [*files, *catalog_module.spec_paths(shared_dir)]
    return catalog_module.build(catalog_module.load_specs(files))


def build_tree(specs_dir: Path, shared_dir: Path | None = None) -> filetree.FileTree:
    return render(load_catalog(specs_dir, None, shared_dir), display_path(specs_dir))
