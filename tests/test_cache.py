"""The cache's bound is kept without walking the cache on every run: a ledger counts what runs add,
and the cache is measured and trimmed when the count passes the bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import cache


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> cache.Store:
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_written", 0)
    return cache.Store("test")


def _run(store: cache.Store, monkeypatch: pytest.MonkeyPatch, name: str, size: int) -> None:
    """What one run does: put entries, then trim if grown (`_written` counts one process's writes)."""
    monkeypatch.setattr(cache, "_written", 0)
    store.put_bytes(name, b"x" * size)
    cache.trim_if_grown()


def _walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    walked: list[int] = []
    real = cache._files

    def counted() -> list[tuple[bool, int, int, str]]:
        walked.append(1)
        return real()

    monkeypatch.setattr(cache, "_files", counted)
    return walked


def test_runs_within_the_bound_do_not_walk_the_cache_and_the_ledger_never_understates(
    store: cache.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE_SIZE", "1M")
    _run(store, monkeypatch, "first", 1000)  # no ledger yet: measured
    walked = _walks(monkeypatch)
    for index in range(20):
        _run(store, monkeypatch, f"entry {index % 5}", 1000 + index)
    assert walked == []
    counted = sum(int(line) for line in cache._ledger().read_bytes().split())
    assert counted >= cache.usage().total


def test_runs_that_replace_entries_at_the_bound_do_not_walk_it(
    store: cache.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run replaces its output's snapshot and stamp: a cache just below its bound is not walked
    by every run for growth it did not have."""
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE_SIZE", "10K")
    for index in range(8):
        _run(store, monkeypatch, f"entry {index}", 1000)
    walked = _walks(monkeypatch)
    for index in range(30):
        _run(store, monkeypatch, "snapshot", 1000 + index % 3)
    assert walked == []
    counted = sum(int(line) for line in cache._ledger().read_bytes().split())
    assert counted == cache.usage().total and all(store.get_bytes(f"entry {i}") for i in range(8))


def test_a_cache_grown_past_its_bound_is_trimmed_below_it_least_recently_used_first(
    store: cache.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE_SIZE", "10K")
    for index in range(12):
        _run(store, monkeypatch, f"entry {index}", 1000)
        assert cache.usage().total <= 10 * 1024
    assert store.get_bytes("entry 11") is not None and store.get_bytes("entry 0") is None


def test_a_lowered_bound_a_lost_or_damaged_ledger_and_a_long_one_each_mean_a_walk(
    store: cache.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(store, monkeypatch, "first", 5000)
    walked = _walks(monkeypatch)
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE_SIZE", "4K")
    _run(store, monkeypatch, "second", 1000)
    assert walked == [1]
    assert cache.usage().total <= 4 * 1024
    walked.clear()
    monkeypatch.delenv("REPLICATE_CODEGEN_CACHE_SIZE")
    cache._ledger().unlink()
    _run(store, monkeypatch, "third", 10)
    cache._ledger().write_bytes(b"not a number\n")
    _run(store, monkeypatch, "fourth", 10)
    cache._ledger().write_bytes(b"-1000000000000\n")  # a count that would hide any growth
    _run(store, monkeypatch, "fourth again", 10)
    assert walked == [1, 1, 1]
    cache._ledger().write_bytes(b"1\n" * cache._LEDGER_LINES)
    _run(store, monkeypatch, "fifth", 10)
    assert walked == [1, 1, 1, 1] and cache._ledger().read_bytes().split() == [str(cache.usage().total).encode()]
