"""What the last run into an output was made from: kept for the next run, the last few only."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from generator import cache, snapshot
from generator.release import BUNDLE
from generator.validate import Identity


def _standing_of(bundle: bytes) -> cache.Standing:
    """What the stamp says of an output whose bundle is `bundle`, untouched since."""
    return cache.Standing(None, {BUNDLE: hashlib.sha256(bundle).hexdigest()})


def test_only_the_last_used_snapshots_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / "cache"))
    spec = {"sha-of-a-spec": Identity(("acme", "painter"), (("/paths/~1x/post", "create"),))}
    bundles = [f"openapi: 3.1.0 # release {number}\n".encode() for number in range(snapshot.KEEP + 3)]
    for number, bundle in enumerate(bundles):
        snapshot.save(bundle, spec, [])
        written = snapshot._location(hashlib.sha256(bundle).hexdigest())
        os.utime(written, ns=(number, number))  # runs seconds apart, in this order
        assert snapshot.load(tmp_path, _standing_of(bundles[0])) is not None  # the first output's, in use
    found = [b for b in bundles if snapshot.load(tmp_path, _standing_of(b)) is not None]
    assert found == [bundles[0], *bundles[-(snapshot.KEEP - 1) :]]
    kept = snapshot.load(tmp_path, _standing_of(bundles[0]))
    assert kept is not None and kept.identity("sha-of-a-spec") == spec["sha-of-a-spec"]
