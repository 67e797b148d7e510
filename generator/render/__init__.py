"""Catalog -> every generated file, in memory. Nothing here reads documents or writes to disk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.cache import Store
from generator.catalog import Catalog
from generator.filetree import FileTree
from generator.render.bundle import render_bundle
from generator.render.docs import render_docs
from generator.render.formatting import format_python
from generator.render.models import ModelOutput, model_outputs
from generator.render.python import render_python

if TYPE_CHECKING:
    from generator.release import Release

__all__ = ["ModelOutput", "Rendered", "model_outputs", "render"]


@dataclass(frozen=True)
class Rendered:
    files: FileTree  # every file but the kept ones, by content
    kept: frozenset[str]  # the own files of the models the catalogue knows by their entry: on disk as they must be


def render(catalog: Catalog, own: Sequence[ModelOutput], specs_label: str, release: Release) -> Rendered:
    """The tree of `catalog`, given its models' own outputs (`model_outputs(catalog.models)`)."""
    entries = sorted([*catalog.known, *(output.entry for output in own)], key=lambda entry: entry.id)
    shared = {f"python/{p}": text for p, text in render_python(catalog, entries, specs_label, release).items()}
    shared |= {f"docs/{p}": text for p, text in render_docs(catalog, entries, specs_label, release).items()}
    shared["openapi.yaml"] = render_bundle(catalog, entries, specs_label, release.version)
    files = format_python(shared, Store("formatted"))
    for output in own:
        files |= output.files
    kept = frozenset(path for entry in catalog.known for path in entry.files)
    return Rendered({path: files[path].encode() for path in sorted(files)}, kept)
