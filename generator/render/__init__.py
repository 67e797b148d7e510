"""Catalog -> every generated file, in memory. Nothing here reads documents or writes to disk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.cache import Store
from generator.catalog import Catalog, Entry
from generator.paths import OUTPUT_MARKER, OUTPUT_MARKER_TEXT
from generator.render.bundle import Places, render_bundle
from generator.render.docs import render_docs
from generator.render.formatting import format_python
from generator.render.models import ModelOutput, model_outputs
from generator.render.python import formatted_as_rendered, render_python

if TYPE_CHECKING:
    from generator.release import Release

__all__ = ["ModelOutput", "Places", "Rendered", "assemble", "model_outputs", "render_shared"]


@dataclass(frozen=True)
class Rendered:
    files: dict[str, bytes]  # every file but the kept ones (posix path under the output -> content)
    kept: frozenset[str]  # the own files of the models the catalogue knows by their entry: on disk as they must be


def render_shared(
    catalog: Catalog, entries: Sequence[Entry], specs_label: str, release: Release
) -> tuple[dict[str, bytes], Places]:
    """The files common to every model, made from every model's entry (whose files' hashes they do
    not need), as the bytes written; and where each model's fragment is in the bundle."""
    ordered = sorted(entries, key=lambda entry: entry.id)
    shared = {f"python/{p}": text for p, text in render_python(catalog, ordered, specs_label, release).items()}
    shared |= {f"docs/{p}": text for p, text in render_docs(catalog, ordered, specs_label, release).items()}
    as_rendered = {f"python/{path}" for path in formatted_as_rendered()}
    to_format = {path: text for path, text in shared.items() if path not in as_rendered}
    formatted = format_python(to_format, Store("formatted"))
    formatted |= {path: shared[path] for path in as_rendered if path in shared}
    files = {path: text.encode() for path, text in formatted.items()}
    # The bundle is tens of MB at thousands of models: made last, and its text let go once encoded
    bundle, places = render_bundle(catalog, ordered, specs_label, release.version)
    files["openapi.yaml"] = bundle.encode()
    return files, places


def assemble(known: Sequence[Entry], own: Sequence[ModelOutput], shared: dict[str, bytes]) -> Rendered:
    """The tree of a catalogue, from the models it read (their own outputs: `model_outputs`), those it
    knows by their entry (`Catalog.known`: their files on disk already) and the files common to them
    all (`render_shared`)."""
    files = {OUTPUT_MARKER: OUTPUT_MARKER_TEXT.encode(), **shared}
    for output in own:
        files |= output.files
    kept = frozenset(path for entry in known for path in entry.files)
    return Rendered({path: files[path] for path in sorted(files)}, kept)
