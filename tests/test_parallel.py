"""Work shared out among worker processes gives what the same work gives in one process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from generator import parallel
from generator.build import filetree
from generator.catalog import load_catalog
from generator.errors import ValidationFailed
from tests.conftest import FIXTURES, cli, model_spec


@pytest.fixture(autouse=True)
def _two_workers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two workers for batches of two or more; the workers stopped after each test."""
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 2)
    try:
        yield
    finally:
        parallel.shutdown()


def _specs(folder: Path, count: int, broken: tuple[int, ...] = ()) -> None:
    for index in range(count):
        steps = {"type": "integer", "default": "four" if index in broken else 4, "description": f"Steps {index}."}
        spec = model_spec("acme", f"m{index}", {"type": "object", "properties": {"steps": steps}})
        (folder / f"m{index}.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")


@pytest.mark.slow
def test_a_build_on_two_workers_is_the_build_in_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "specs").mkdir()
    _specs(tmp_path / "specs", 5)
    trees = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("REPLICATE_CODEGEN_JOBS", jobs)
        monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / f"cache-{jobs}"))
        out = tmp_path / f"out-{jobs}"
        run = cli("generate", "--specs", str(tmp_path / "specs"), "--shared", str(tmp_path / "none"), "--out", str(out))
        assert run.returncode == 0, run.stderr
        trees.append(filetree.read(out))
    assert trees[0] == trees[1]
    assert len([p for p in trees[0] if p.startswith("python/replicate_models/types/m")]) == 5


@pytest.mark.slow
def test_problems_found_on_two_workers_are_every_problem_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _specs(tmp_path, 6, broken=(1, 4))
    found = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("REPLICATE_CODEGEN_JOBS", jobs)
        monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / f"cache-{jobs}"))
        with pytest.raises(ValidationFailed) as failed:
            load_catalog(tmp_path)
        found.append([(p.file, p.pointer, p.line) for p in failed.value.problems])
    assert found[0] == found[1]
    assert [Path(file).name for file, _, _ in found[0]] == ["m1.yaml", "m4.yaml"]


@pytest.mark.slow
def test_an_import_on_two_workers_writes_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documents are read on both cores and the specs written in order: where two documents make
    one spec (the same page saved twice, edited), the same one's is kept either way (equally trusted:
    the first by place)."""
    sources = tmp_path / "sources"
    sources.mkdir()
    page = (FIXTURES / "samples" / "google__imagen-4-ultra.md").read_text(encoding="utf-8")
    for index in range(4):
        (sources / f"{index}-page.md").write_text(page.replace("google/imagen-4-ultra", f"google/m{index}"), "utf-8")
    (sources / "5-again.md").write_text(
        page.replace("google/imagen-4-ultra", "google/m0").replace("图像", "图片"), "utf-8"
    )
    # The workers' fork server may have started anywhere (here: in the project root); the chunks
    # still run where the command runs, so relative paths mean the same.
    assert parallel.chunked_map(sorted, ["b", "a", "d", "c"]) == ["a", "b", "c", "d"]
    written = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("REPLICATE_CODEGEN_JOBS", jobs)
        monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / f"cache-{jobs}"))
        out = tmp_path / f"models-{jobs}"
        run = cli("import", "sources", "--out", f"models-{jobs}", "--shared", f"shared-{jobs}", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        written.append(({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.yaml")}, run.stdout))
    assert written[0][0] == written[1][0]
    assert written[0][1].replace("models-1", "models-2").replace("shared-1", "shared-2") == written[1][1]
    assert sorted(written[0][0]) == [f"google/m{index}.yaml" for index in range(4)]
    assert "图片".encode() not in written[0][0]["google/m0.yaml"]  # 0-page.md's, not 5-again.md's


def test_the_worker_libraries_are_loaded_only_for_a_batch_shared_out() -> None:
    probe = (
        "import sys\nfrom generator import parallel\n"
        "print(sorted(m for m in ('multiprocessing', 'concurrent.futures') if m in sys.modules))\n"
        "parallel.MIN_PER_WORKER = 1\nparallel.chunked_map(sorted, ['b', 'a'])\n"
        "print(sorted(m for m in ('multiprocessing', 'concurrent.futures') if m in sys.modules))"
    )
    env = {**os.environ, "REPLICATE_CODEGEN_JOBS": "2"}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["[]", "['concurrent.futures', 'multiprocessing']"]


def _squares(chunk: list[int]) -> list[int]:
    return [n * n for n in chunk]


def _pids(chunk: list[int]) -> list[int]:
    return [os.getpid()] * len(chunk)


def test_a_large_batch_on_one_core_goes_to_one_worker_replaced_after_each_chunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What rendering leaves behind stays in a worker that goes away, not in the run: in one process
    a cold build of 3,000 models peaked at 1 GB."""
    monkeypatch.delenv("REPLICATE_CODEGEN_JOBS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(parallel, "ALONE_FROM", 6)
    monkeypatch.setattr(parallel, "ALONE_CHUNK", 2)
    pids = parallel.chunked_map(_pids, list(range(6)))
    assert os.getpid() not in pids
    assert pids[0] == pids[1] and pids[2] == pids[3] and pids[4] == pids[5] and len(set(pids)) == 3
    assert parallel.chunked_map(_pids, list(range(5))) == [os.getpid()] * 5  # a smaller batch stays here
    monkeypatch.setenv("REPLICATE_CODEGEN_JOBS", "1")  # asked for: one process, whatever the batch
    assert parallel.chunked_map(_pids, list(range(6))) == [os.getpid()] * 6


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_watched_map_tells_how_far_it_is_and_gives_what_an_unwatched_one_gives(
    workers: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a terminal's progress bar shows (`312/1000 models rendered`) comes from here."""
    monkeypatch.setenv("REPLICATE_CODEGEN_JOBS", workers)
    items = list(range(23))
    told: list[tuple[str, int, int]] = []
    with parallel.reporting(lambda what, done, total: told.append((what, done, total))):
        watched = parallel.chunked_map(_squares, items, "squares")
    assert watched == parallel.chunked_map(_squares, items) == [n * n for n in items]
    assert told[0] == ("squares", 0, 23) and told[-1] == ("squares", 23, 23)
    assert [done for _, done, _ in told] == sorted(done for _, done, _ in told) and len(told) > 2
