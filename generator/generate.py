"""The generate step: specs -> validated catalog -> the next release -> rendered tree."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator import filetree, snapshot
from generator.catalog import Entry, Known, load_catalog
from generator.paths import display_path
from generator.release import BUNDLE, Release, next_release, remember
from generator.render import Rendered, render, render_shared, start_outputs
from generator.render.models import kept_view
from generator.standby import Pending, Standby
from generator.validate import Identity


@dataclass(frozen=True)
class Generated:
    """The tree the specs make, its release, and what the next run into the same output starts from."""

    rendered: Rendered
    release: Release
    identities: Mapping[str, Identity]
    entries: Sequence[Entry]

    def keep(self) -> None:
        """Keep what the next run starts from (`release.remember`, `snapshot`). Once the tree is in
        place, while the old one is removed: the next run needs it, this one does not."""
        bundle = self.rendered.files[BUNDLE]
        remember(bundle, self.release)
        snapshot.save(bundle, self.identities, self.entries)


def build(
    specs_dir: Path,
    shared_dir: Path | None = None,
    previous: Path | None = None,
    known: Known | None = None,
    standby: Standby | None = None,
    staging: Path | None = None,
) -> Generated:
    """The tree the specs make, and its release: versioned and changelogged against the tree already
    generated into `previous` (none: the first release). `known`: what the last run into `previous`
    was made from (`generator.snapshot`); `standby`: the process that makes a few models' types,
    ready (`standby.Standby`), which then links the files of `previous` into `staging` for the swap
    (`filetree.link_all`): done by the time this returns."""
    catalog = load_catalog(specs_dir, None, shared_dir, known)
    outputs = start_outputs(catalog.models, standby)  # a standby makes the few changed models' types meanwhile
    linking = None
    if standby is not None and staging is not None and previous is not None:
        linking = standby.submit(filetree.link_all, previous, staging)
    views = outputs.views
    models = {entry.id: entry.key for entry in (*catalog.known, *outputs.entries)}
    try:
        release = next_release(dict(sorted(models.items())), lambda key: views.get(key) or kept_view(key), previous)
    except LookupError:  # a known model's view is no longer cached: every model read after all
        if not catalog.known:
            raise
        _wait(linking)
        return build(specs_dir, shared_dir, previous)
    shared = render_shared(catalog, [*catalog.known, *outputs.entries], display_path(specs_dir), release)
    own = outputs.finish()
    rendered = render(catalog, own, shared)
    _wait(linking)
    return Generated(rendered, release, catalog.identities, [*catalog.known, *(output.entry for output in own)])


def _wait(linking: Pending[None] | None) -> None:
    if linking is not None:
        with contextlib.suppress(OSError):  # linked in part, or not at all: the swap links the rest
            linking.result()


def build_tree(specs_dir: Path, shared_dir: Path | None = None, previous: Path | None = None) -> filetree.FileTree:
    return build(specs_dir, shared_dir, previous).rendered.files
