"""The generate step: specs -> validated catalog -> the next release -> rendered tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator import filetree, snapshot
from generator.catalog import Entry, Known, load_catalog
from generator.paths import display_path
from generator.release import BUNDLE, Release, next_release, remember
from generator.render import Rendered, model_outputs, render, render_shared
from generator.render.models import kept_view
from generator.validate import Identity


@dataclass(frozen=True)
class Generated:
    """The tree the specs make, its release, and what the next run into the same output starts from."""

    rendered: Rendered
    release: Release
    identities: Mapping[str, Identity]
    entries: Sequence[Entry]

    def keep(self, output: Path) -> None:
        """Keep what the next run into `output` starts from (`release.remember`, `snapshot`), once
        the tree is in place."""
        bundle = self.rendered.files[BUNDLE]
        remember(bundle, self.release)
        snapshot.save(output, bundle, self.identities, self.entries)


def build(
    specs_dir: Path, shared_dir: Path | None = None, previous: Path | None = None, known: Known | None = None
) -> Generated:
    """The tree the specs make, and its release: versioned and changelogged against the tree already
    generated into `previous` (none: the first release). `known`: what the last run into `previous`
    was made from (`generator.snapshot`)."""
    catalog = load_catalog(specs_dir, None, shared_dir, known)
    own = model_outputs(catalog.models)
    views = {output.entry.key: output.view for output in own}
    entries = [*catalog.known, *(output.entry for output in own)]
    models = {entry.id: entry.key for entry in entries}
    try:
        release = next_release(dict(sorted(models.items())), lambda key: views.get(key) or kept_view(key), previous)
    except LookupError:  # a known model's view is no longer cached: every model read after all
        if not catalog.known:
            raise
        return build(specs_dir, shared_dir, previous)
    shared = render_shared(catalog, entries, display_path(specs_dir), release)
    rendered = render(catalog, own, shared)
    return Generated(rendered, release, catalog.identities, entries)


def build_tree(specs_dir: Path, shared_dir: Path | None = None, previous: Path | None = None) -> filetree.FileTree:
    return build(specs_dir, shared_dir, previous).rendered.files
