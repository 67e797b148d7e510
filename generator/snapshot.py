"""What the last generate into a folder was made from, for the next one to start from.

It holds each model spec's identity, by the SHA-256 of the spec's bytes, and each model's entry
(`catalog.Entry`). A rebuild after one spec changed then reads only that spec, renders only its
model, and makes the files common to every model from the others' entries (`catalog.load_catalog`).

It is kept in the cache folder under the SHA-256 of the bundle that run wrote, so it speaks only
for an output whose bundle is still those bytes. An entry speaks only while its model's files are
on disk as that run left them (`cache.Standing`); a model whose files were touched is rendered
again. Like everything in the cache, it is this generator's alone. It is written with `marshal`, so
for this Python only: a thousand entries load in half of JSON's time and are written in a fifth.
Only the `KEEP` last used are kept: one is about 8 MB at a thousand models, and every run that
changes something writes one.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from generator import cache
from generator.catalog import Entry
from generator.release import BUNDLE
from generator.specfile import write_atomic
from generator.validate import Identity

_STORE = "snapshots"
KEEP = 8  # outputs that take turns on one cache folder each still find theirs


class Snapshot:
    """The `catalog.Known` of one output: model specs by the hash of their bytes, entries by key."""

    def __init__(
        self, identities: Mapping[str, Identity], entries: Iterable[Entry], inputs: Mapping[str, str] | None = None
    ) -> None:
        self._identities = identities
        self._entries = {entry.key: entry for entry in entries}
        self._inputs = inputs or {}

    def sha256(self, name: str) -> str | None:
        return self._inputs.get(name)

    def identity(self, sha256: str) -> Identity | None:
        found = self._identities.get(sha256)
        return found if found is not None and found.model is not None else None

    def entry(self, key: str) -> Entry | None:
        return self._entries.get(key)


def load(output: Path, standing: cache.Standing) -> Snapshot | None:
    """What the last run into `output` was made from; None when nothing speaks for the output as it
    is (another bundle, another generator). `standing`: what the stamp says of the output's files
    and of the spec files, as they are now."""
    try:
        # the stamp's hash of the bundle when it still vouches for it: 6.6 MB not read at a thousand models
        digest = standing.vouched.get(BUNDLE) or hashlib.sha256((output / BUNDLE).read_bytes()).hexdigest()
        location = _location(digest)
        kept = marshal.loads(location.read_bytes())
        os.utime(location)  # used: the last to be let go (`save`)
        identities = {str(sha): _identity(value) for sha, value in kept["specs"].items()}
        entries = [Entry.from_json(value) for value in kept["entries"]]
    except (OSError, EOFError, KeyError, TypeError, ValueError, AttributeError):  # none, or not one
        return None
    vouched = standing.vouched
    kept_entries = [e for e in entries if all(vouched.get(p) == d for p, d in e.files.items())]
    return Snapshot(identities, kept_entries, standing.inputs)


def save(bundle: bytes, identities: Mapping[str, Identity], entries: Iterable[Entry]) -> None:
    """Keep what the run that rendered `bundle` was made from."""
    specs = {sha: [found.model, found.operations] for sha, found in identities.items()}
    value = {"specs": specs, "entries": [entry.as_json() for entry in entries]}
    with contextlib.suppress(OSError, ValueError):  # not kept: the next run reads every spec
        write_atomic(_location(hashlib.sha256(bundle).hexdigest()), marshal.dumps(value))
        _let_go(KEEP)


def _let_go(keep: int) -> None:
    """Remove all but the `keep` snapshots last written or loaded."""
    with os.scandir(cache.folder(_STORE)) as found:
        kept = [(entry.stat().st_mtime_ns, entry.path) for entry in found if not entry.name.startswith(".")]
    for _, path in sorted(kept, reverse=True)[keep:]:
        with contextlib.suppress(OSError):  # gone already: another run let it go
            os.remove(path)


def _location(bundle_sha256: str) -> Path:
    key = hashlib.sha256(f"{bundle_sha256}\0{sys.version}".encode()).hexdigest()
    return cache.folder(_STORE) / key


def _identity(value: Any) -> Identity:
    model, operations = value
    return Identity(
        (str(model[0]), str(model[1])) if model else None,
        tuple((str(pointer), str(operation_id)) for pointer, operation_id in operations),
    )
