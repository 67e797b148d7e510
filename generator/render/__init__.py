"""Catalog -> every generated file, in memory. Nothing here reads documents or writes to disk."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator.catalog import Catalog
from generator.filetree import FileTree
from generator.render.bundle import render_bundle
from generator.render.docs import render_docs
from generator.render.python import render_python

if TYPE_CHECKING:
    from generator.release import Release

__all__ = ["render"]


def render(catalog: Catalog, specs_label: str, release: Release) -> FileTree:
    files = {f"python/{p}": text for p, text in render_python(catalog, specs_label, release).items()}
    files |= {f"docs/{p}": text for p, text in render_docs(catalog, specs_label, release).items()}
    files["openapi.yaml"] = render_bundle(catalog, specs_label, release.version)
    files = _format_python(files)
    return {path: files[path].encode() for path in sorted(files)}


def _format_python(files: dict[str, str]) -> dict[str, str]:
    """One `ruff` import sort and format over every emitted Python file: templates and
    datamodel-codegen then agree on layout, and the pinned ruff makes it identical everywhere."""
    python = [p for p in files if p.endswith(".py")]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path in python:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(files[path], encoding="utf-8")
        options = ["--quiet", "--isolated", "--line-length", "100", "--target-version", "py311"]
        for command in (["check", "--fix", "--select", "I"], ["format"]):
            subprocess.run([find_ruff_bin(), *command, *options, "."], cwd=root, check=True, capture_output=True)
        return files | {path: (root / path).read_text(encoding="utf-8") for path in python}
