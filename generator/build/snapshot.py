"""What the last generate into a folder was made from, for the next one to start from.

It holds each model spec's identity, by the SHA-256 of the spec's bytes, and each model's entry
(`catalog.Entry`). A rebuild after one spec changed then reads only that spec, renders only its
model, and makes the files common to every model from the others' entries (`catalog.load_catalog`).

It is kept in the cache, one per output, with the SHA-256 of the bundle that run wrote, so it
speaks only for an output whose bundle is still those bytes; each entry's part of the bundle (most
of an entry) is kept as its place in those bytes, and read from them. An entry speaks only while
its model's files are on disk as that run left them (`stamp.StampCheck`); a model whose files were
touched is rendered again. Like everything in the cache, it is this generator's alone. It is
written with `marshal`, so for this Python only: faster to load and write than JSON
(bench/README.md). Each run replaces its output's.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import cache
from generator.build import stamp
from generator.catalog import Entry
from generator.release import BUNDLE
from generator.validate import Identity

if TYPE_CHECKING:
    from generator.render.bundle import Places

_STORE = "snapshot"


class Snapshot:
    """The `catalog.LastRun` of one output: model specs by the hash of their bytes, entries by key."""

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


def load(output: Path, standing: stamp.StampCheck) -> Snapshot | None:
    """What the last run into `output` was made from; None when nothing speaks for the output as it
    is (another bundle, another generator). `standing`: what the stamp says of the output's files
    and of the spec files, as they are now."""
    bundle = standing.unchanged.get(BUNDLE)
    if bundle is None:
        return None
    held = _held.get(_key(output))
    if held is not None and held[0] == bundle:  # this process saved it (`watch`): not read back
        _, identities, entries = held
    else:
        kept = cache.Store(_STORE).get_bytes(_key(output))
        try:
            if kept is None:
                return None
            value = marshal.loads(kept)
            if value["bundle"] != bundle:  # made for another tree than the one there now
                return None
            text = _bundle_text(output, bundle)
            if text is None:
                return None
            identities = {str(sha): _identity(item) for sha, item in value["specs"].items()}
            entries = [Entry.from_json(_placed(item, text)) for item in value["entries"]]
        except (EOFError, KeyError, TypeError, ValueError, AttributeError):  # not one
            return None
    unchanged = standing.unchanged
    kept_entries = [e for e in entries if all(unchanged.get(p) == d for p, d in e.files.items())]
    return Snapshot(identities, kept_entries, standing.inputs)


def save(
    output: Path, digest: str, identities: Mapping[str, Identity], entries: Iterable[Entry], places: Places
) -> None:
    """Keep what the run that rendered the bundle of SHA-256 `digest` into `output` was made from: one
    snapshot per output, replaced by each run. `places`: where each entry's fragment is in that
    bundle, kept instead of the fragment's texts (most of an entry)."""
    _held[_key(output)] = (digest, dict(identities), list(entries))
    specs = {sha: [found.model, found.operations] for sha, found in identities.items()}
    value = {
        "bundle": digest,
        "specs": specs,
        "entries": [_unplaced(entry, places.get(entry.key, {})) for entry in entries],
    }
    with contextlib.suppress(ValueError):  # not kept: the next run reads every spec
        cache.Store(_STORE).put_bytes(_key(output), marshal.dumps(value))


# The last snapshot this process saved for each output, as it saved it: a rebuild of `watch` does not
# read back the 8 MB it wrote itself.
_held: dict[str, tuple[str, dict[str, Identity], list[Entry]]] = {}


def _unplaced(entry: Entry, places: dict[str, list[int]]) -> dict[str, Any]:
    """The entry as kept: each text of its fragment the bundle holds as its place there."""
    kept = entry.as_json()
    kept["fragment"] = {name: places.get(name, text) for name, text in entry.fragment.items()}
    return kept


def _placed(kept: dict[str, Any], bundle: str) -> dict[str, Any]:
    """The entry `_unplaced` kept, its fragment's texts taken from the `bundle` it was kept for."""
    fragment = kept["fragment"]
    for name, place in fragment.items():
        if type(place) is list:
            start, end = place
            if not (type(start) is int and type(end) is int and 0 <= start <= end <= len(bundle)):
                raise ValueError("not a place in the bundle")
            fragment[name] = bundle[start:end]
    return kept


def _bundle_text(output: Path, digest: str) -> str | None:
    """The text of the bundle in `output`, when it is still the one of that SHA-256 (read now, after
    the stamp vouched for it: a run may have replaced it meanwhile)."""
    try:
        data = (output / BUNDLE).read_bytes()
    except OSError:
        return None
    return data.decode("utf-8") if hashlib.sha256(data).hexdigest() == digest else None


def _key(output: Path) -> str:
    # marshal's format is this Python's
    return f"{output.resolve()}\0{sys.version}"


def _identity(value: Any) -> Identity:
    model, operations = value
    return Identity(
        (str(model[0]), str(model[1])) if model else None,
        tuple((str(pointer), str(operation_id)) for pointer, operation_id in operations),
    )
