"""The generate step: specs -> validated catalog -> the next release -> rendered tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from generator.build import filetree, snapshot
from generator.catalog import Entry, LastRun, load_catalog
from generator.paths import display_path
from generator.release import Release, next_release, remember
from generator.render import Places, Rendered, assemble, model_outputs, render_shared
from generator.render.models import kept_view
from generator.validate import Identity


@dataclass(frozen=True)
class NextRun:
    """What the next run into the same output starts from: the release and what the specs were
    (`snapshot`). Not the tree: tens of MB at thousands of models, let go before what is kept is
    written."""

    release: Release
    identities: Mapping[str, Identity]
    entries: Sequence[Entry]
    places: Places  # of each entry's fragment in the bundle

    def keep(self, output: Path, bundle_sha256: str) -> None:
        """Kept (`release.remember`, `snapshot`), once the tree is in place, for the bundle of that
        SHA-256 (the one written, or kept, into `output`)."""
        remember(bundle_sha256, self.release)
        snapshot.save(output, bundle_sha256, self.identities, self.entries, self.places)


@dataclass(frozen=True)
class Generated:
    """The tree the specs make, its release, and what the next run into the same output starts from."""

    rendered: Rendered
    release: Release
    identities: Mapping[str, Identity]
    entries: Sequence[Entry]
    places: Places

    def next_run(self) -> NextRun:
        """All that is kept once the tree is written: the tree itself need not stay in memory."""
        return NextRun(self.release, self.identities, self.entries, self.places)


def generate(
    specs_dir: Path,
    shared_dir: Path | None = None,
    previous: Path | None = None,
    last_run: LastRun | None = None,
    bundle_sha256: str | None = None,
) -> Generated:
    """The tree the specs make, and its release: versioned and changelogged against the tree already
    generated into `previous` (none: the first release). `last_run`: what the last run into `previous`
    was made from (`generator.build.snapshot`); `bundle_sha256`: that of the bundle in `previous`,
    when the stamp vouches for it."""
    catalog = load_catalog(specs_dir, None, shared_dir, last_run)
    own = model_outputs(catalog.models)
    views = {output.entry.key: output.view for output in own}
    entries = [*catalog.known, *(output.entry for output in own)]
    models = {entry.id: entry.key for entry in entries}
    try:
        ordered = dict(sorted(models.items()))
        release = next_release(ordered, lambda key: views.get(key) or kept_view(key), previous, bundle_sha256)
    except LookupError:  # a known model's view is no longer cached: every model read after all
        if not catalog.known:
            raise
        return generate(specs_dir, shared_dir, previous, bundle_sha256=bundle_sha256)
    kept = catalog.known
    # From here on every model is known by its entry: the documents, most of a large catalogue's
    # memory, are let go before the files common to every model are made
    catalog = replace(catalog, models=(), known=tuple(entries))
    shared, places = render_shared(catalog, entries, display_path(specs_dir), release)
    rendered = assemble(kept, own, shared)
    return Generated(rendered, release, catalog.identities, entries, places)


def generated_tree(specs_dir: Path, shared_dir: Path | None = None, previous: Path | None = None) -> filetree.FileTree:
    return generate(specs_dir, shared_dir, previous).rendered.files
