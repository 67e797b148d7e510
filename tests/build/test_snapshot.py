"""What the next run starts from keeps each entry's part of the bundle as its place in the bundle on
disk: read back, every entry is the one a fresh render gives, and a bundle that is no longer the one
the snapshot was kept for gives no snapshot at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import snapshot, stamp
from generator.catalog import load_catalog
from generator.render import model_outputs


def _standing(work: Path) -> stamp.StampCheck:
    snapshot._held.clear()  # read from the cache, as a new process would
    return stamp.standing(work / "out", (work / "specs", work / "none"))


def test_each_entry_comes_back_with_its_fragment_read_from_the_bundle(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(work)  # the specs' paths as the run saw them
    loaded = snapshot.load(work / "out", _standing(work))
    assert loaded is not None
    fresh = [output.entry for output in model_outputs(load_catalog(Path("specs")).models)]
    assert len(fresh) == 3
    for entry in fresh:
        assert loaded.entry(entry.key) == entry


def test_a_bundle_replaced_after_the_stamp_vouched_for_it_gives_no_snapshot(work: Path) -> None:
    standing = _standing(work)
    bundle = work / "out" / "openapi.yaml"
    bundle.write_bytes(bundle.read_bytes().replace(b"acme/one", b"acme/uno"))
    assert snapshot.load(work / "out", standing) is None
