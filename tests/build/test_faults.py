"""Faults of real machines, each ending in the old tree or the tree a cold build gives (compared file by
file), or in a one-line error with the old tree intact."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from generator import cache
from generator.build import filetree
from tests.build.conftest import RUN_TIMEOUT, beside, cold, command, generate, run, write_spec


def test_a_run_killed_at_any_point_leaves_a_whole_tree_and_the_next_run_completes_it(work: Path) -> None:
    for attempt, delay in enumerate((0.3, 0.6, 0.9, 1.2, 1.6)):
        before = filetree.read(work / "out")
        write_spec(work, "one", f"Edit {attempt}.")
        process = subprocess.Popen(command(), cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait(RUN_TIMEOUT)
        after = filetree.read(work / "out")
        if after != before:  # killed once the new tree was in place
            assert after == cold(work, before)
        result = generate(work)
        assert result.returncode == 0, result.stderr
        assert filetree.read(work / "out") == cold(work, before)
        assert beside(work) == ["out", "specs"]


def test_two_runs_at_once_both_succeed_and_leave_the_tree_a_cold_build_gives(work: Path) -> None:
    for attempt in range(2):
        before = filetree.read(work / "out")
        write_spec(work, "two", f"Concurrent edit {attempt}.")
        first, second = (
            subprocess.Popen(command(), cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        )
        try:
            results = [process.communicate(timeout=RUN_TIMEOUT) for process in (first, second)]
        finally:
            for process in (first, second):
                process.kill()
                process.wait(RUN_TIMEOUT)
        assert first.returncode == second.returncode == 0, results
        assert filetree.read(work / "out") == cold(work, before)
        assert "up to date" in generate(work).stdout
        assert generate(work, "--check").returncode == 0
        assert beside(work) == ["out", "specs"]


def test_no_wait_refuses_while_another_run_writes(work: Path) -> None:
    from generator.build.workspace import Workspace

    before = filetree.read(work / "out")
    write_spec(work, "one", "Edited while held.")
    with Workspace((work / "out").resolve()):
        result = generate(work, "--no-wait")
    assert result.returncode == 2 and "another run (pid" in result.stderr
    assert filetree.read(work / "out") == before


def _same_size_edit(path: Path, old: str, new: str) -> None:
    """Rewrite `path` with `old` replaced by `new` (as long), its mtime put back: only its bytes and
    its ctime tell."""
    assert len(old) == len(new)
    status = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size


def test_a_spec_rewritten_while_the_run_reads_it_keeping_size_and_mtime_is_read_by_the_next_run(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.catalog

    spec = work / "specs" / "acme" / "one.yaml"
    write_spec(work, "one", "Version AAA.")
    real = generator.catalog.load_catalog

    def rewritten_meanwhile(*args: Any, **kwargs: Any) -> Any:
        catalog = real(*args, **kwargs)
        _same_size_edit(spec, "Version AAA.", "Version BBB.")  # saved again, within the run
        return catalog

    monkeypatch.setattr(generator.catalog, "load_catalog", rewritten_meanwhile)
    monkeypatch.setattr("generator.build.generate.load_catalog", rewritten_meanwhile)
    assert generate(work).returncode == 0
    monkeypatch.undo()
    assert "Version AAA." in (work / "out" / "python" / "replicate_models" / "types" / "one.py").read_text()
    before = filetree.read(work / "out")
    result = generate(work)
    assert "up to date" not in result.stdout
    assert "Version BBB." in (work / "out" / "python" / "replicate_models" / "types" / "one.py").read_text()
    assert filetree.read(work / "out") == cold(work, before)


def test_a_hand_edit_keeping_size_and_mtime_is_stale_under_check_and_undone_by_generate(work: Path) -> None:
    index = work / "out" / "docs" / "index.md"
    clean = filetree.read(work / "out")
    text = index.read_text(encoding="utf-8")
    _same_size_edit(index, text[-2], "X" if text[-2] != "X" else "Y")
    check = generate(work, "--check")
    assert check.returncode == 1 and "stale: changed  docs/index.md" in check.stderr
    assert "up to date" not in generate(work).stdout
    assert filetree.read(work / "out") == clean


@pytest.mark.parametrize("damage", ["truncated", "garbage", "altered"])
def test_a_damaged_cache_costs_time_never_correctness(work: Path, damage: str) -> None:
    before = filetree.read(work / "out")
    entries = [p for p in (work / "cache").rglob("*") if p.is_file()]
    assert entries
    for entry in entries:
        data = entry.read_bytes()
        if damage == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            entry.write_bytes(os.urandom(len(data)))
        else:  # well-formed still: another model's name, another version's text
            entry.write_bytes(data.replace(b"acme", b"acmf").replace(b"0.1.0", b"9.9.9").replace(b"two", b"owt"))
    write_spec(work, "three", "Edited after the damage.")
    result = generate(work)
    assert result.returncode == 0, result.stderr
    assert filetree.read(work / "out") == cold(work, before)
    assert "up to date" in generate(work).stdout


def test_a_file_too_large_to_write_is_one_line_and_the_old_tree_stays(work: Path) -> None:
    before = filetree.read(work / "out")
    write_spec(work, "one", "x" * 50_000)  # makes files larger than the limit below
    limit = 40_000

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = run(work, preexec_fn=limited)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: /") and lines[0].endswith(": File too large"), lines
    assert filetree.read(work / "out") == before
    assert beside(work) == ["out", "specs"]
    assert generate(work).returncode == 0  # and once there is room, the run goes through


def test_the_cache_stays_within_its_bound_other_generators_entries_going_first(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = work / "cache" / "entries" / "another-generator" / "ab"
    other.mkdir(parents=True)
    (other / "entry").write_bytes(b"x" * 10_000)
    mine = work / "cache" / "notes.txt"  # the user's, in the cache folder: never counted, never removed
    mine.write_bytes(b"y" * 50_000)
    used = cache.usage().total
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE_SIZE", str(used - 5_000))
    write_spec(work, "two", "Grows the cache.")
    assert generate(work).returncode == 0
    assert not (other / "entry").exists()
    assert cache.usage().total <= used - 5_000
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE_SIZE", "20K")
    write_spec(work, "two", "Grows it again.")
    assert generate(work).returncode == 0
    assert cache.usage().total <= 20 * 1024
    assert mine.read_bytes() == b"y" * 50_000


def test_the_cache_command_shows_the_cache_and_clean_empties_it(work: Path) -> None:
    from tests.conftest import cli

    shown = cli("cache", cwd=work)
    assert shown.returncode == 0 and str(work / "cache") in shown.stdout and "limit 1.1 GB" in shown.stdout
    (work / "cache" / "notes.txt").write_text("not the cache's own\n", encoding="utf-8")
    cleaned = cli("cache", "clean", cwd=work)
    assert cleaned.returncode == 0 and "removed" in cleaned.stdout
    assert sorted(p.name for p in (work / "cache").iterdir()) == ["notes.txt"]
    assert "up to date" not in generate(work).stdout  # the stamp went with it: the output is proved again
    bad = cli("cache", cwd=work, env={"REPLICATE_CODEGEN_CACHE_SIZE": "lots"})
    assert bad.returncode == 2 and "REPLICATE_CODEGEN_CACHE_SIZE: 'lots' is not a size" in bad.stderr


def test_a_disk_that_fills_while_the_tree_is_written_is_one_line_naming_the_file(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    before = filetree.read(work / "out")
    real = filetree.fill

    def full(root: Path, staging: Path, tree: filetree.FileTree, *args: Any) -> None:
        real(root, staging, dict(list(tree.items())[:2]), frozenset())
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(staging / "python" / "big.py"))

    monkeypatch.setattr(filetree, "fill", full)
    write_spec(work, "one", "Needs room.")
    result = generate(work)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: out/python/big.py: cannot be written: No space left on device; the output is as it was"
    )
    assert filetree.read(work / "out") == before
    assert beside(work) == ["out", "specs"]
