"""Catalog -> every generated file, in memory. Nothing here reads documents or writes to disk."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator.cache import Store
from generator.catalog import Catalog
from generator.filetree import FileTree
from generator.render.bundle import render_bundle
from generator.render.docs import render_docs
from generator.render.models import model_outputs
from generator.render.python import render_python

if TYPE_CHECKING:
    from generator.release import Release

__all__ = ["render"]


def render(catalog: Catalog, specs_label: str, release: Release) -> FileTree:
    own = model_outputs(catalog.models)
    files = {f"python/{p}": text for p, text in render_python(catalog, specs_label, release).items()}
    files |= {f"docs/{p}": text for p, text in render_docs(catalog, specs_label, release).items()}
    for output in own:
        files |= output.files
    files["openapi.yaml"] = render_bundle(catalog, specs_label, release.version, [o.fragment for o in own])
    files = _format_python(files)
    return {path: files[path].encode() for path in sorted(files)}


def _format_python(files: dict[str, str]) -> dict[str, str]:
    """One `ruff` import sort and format over the emitted Python files: templates and
    datamodel-codegen then agree on layout, and the pinned ruff makes it identical everywhere.
    A file formatted before (same path, same text, same generator) is taken from the cache folder."""
    store = Store("formatted")
    keys = {p: hashlib.sha256(f"{p}\0{text}".encode("utf-8", "surrogatepass")).hexdigest() for p, text in files.items()}
    kept = {p: store.get(keys[p]) for p in files if p.endswith(".py")}
    todo = [p for p, text in kept.items() if not isinstance(text, str)]
    if todo:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for path in todo:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(files[path], encoding="utf-8")
            options = ["--quiet", "--isolated", "--line-length", "100", "--target-version", "py311"]
            for command in (["check", "--fix", "--select", "I"], ["format"]):
                subprocess.run([find_ruff_bin(), *command, *options, "."], cwd=root, check=True, capture_output=True)
            for path in todo:
                kept[path] = (root / path).read_text(encoding="utf-8")
                store.put(keys[path], kept[path])
    return files | {path: str(text) for path, text in kept.items()}
