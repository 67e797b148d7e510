"""`watch` rebuilds on every saved spec or document, says so in one line, and keeps every invariant of a
run: a failed rebuild leaves the tree as it was and the watch goes on."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import filetree
from tests.build.conftest import RUN_TIMEOUT, cold, write_spec
from tests.conftest import SOURCES


class Watching:
    """A `replicate-codegen watch` process and the lines it prints."""

    def __init__(self, work: Path) -> None:
        args = [sys.executable, "-m", "generator", "watch", "--sources", "docs", "--specs", "specs",
                "--shared", "none", "--out", "out", "--debounce", "20"]  # fmt: skip
        self.process = subprocess.Popen(
            args, cwd=work, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, text: str) -> list[str]:
        """Every line printed up to the first that holds `text` (failing after RUN_TIMEOUT)."""
        seen = []
        while True:
            try:
                line = self.lines.get(timeout=RUN_TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"no line with {text!r} within {RUN_TIMEOUT} s; saw {seen}") from None
            seen.append(line)
            if text in line:
                return seen


@pytest.fixture
def watching(work: Path) -> Iterator[Watching]:
    (work / "docs").mkdir()
    watcher = Watching(work)
    try:
        watcher.until("watching")
        yield watcher
    finally:
        watcher.process.send_signal(signal.SIGINT)
        try:
            watcher.process.wait(RUN_TIMEOUT)
        finally:
            watcher.process.kill()


def test_a_saved_spec_is_rebuilt_into_the_tree_a_cold_build_gives(work: Path, watching: Watching) -> None:
    before = filetree.read(work / "out")
    write_spec(work, "one", "Saved while watched.")
    line = watching.until(" rebuilt ")[-1]
    assert "rebuilt out in " in line and "1 changed" not in line.split(":")[0]
    assert "acme/one" in line
    assert filetree.read(work / "out") == cold(work, before)


def test_a_broken_spec_is_one_report_the_tree_stays_and_the_fix_is_rebuilt(work: Path, watching: Watching) -> None:
    before = filetree.read(work / "out")
    spec = work / "specs" / "acme" / "two.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("type: object", "type: objekt", 1), encoding="utf-8")
    failed = watching.until("not rebuilt")
    assert any("two.yaml:" in line for line in failed)
    assert filetree.read(work / "out") == before
    write_spec(work, "two", "Fixed.")
    watching.until(" rebuilt ")
    assert filetree.read(work / "out") == cold(work, before)


def test_a_saved_document_is_imported_and_rebuilt(work: Path, watching: Watching) -> None:
    document = sorted(SOURCES.iterdir())[0]
    shutil.copy(document, work / "docs" / document.name)
    line = watching.until(" rebuilt ")[-1]
    assert "1 model(s) added" in line or "added" in line
    assert len(list((work / "specs").rglob("*.yaml"))) == 4


def test_the_spare_tree_kept_between_rebuilds_is_never_trusted_and_goes_with_the_watch(
    work: Path, watching: Watching
) -> None:
    write_spec(work, "one", "First save.")
    watching.until(" rebuilt ")
    spare = work / ".out.codegen" / "new"
    assert (spare / "python" / "replicate_models" / "types" / "two.py").is_file()  # the old tree, kept
    # Between rebuilds, the spare's link of an unchanged file is replaced and a file is added to it
    kept = spare / "python" / "replicate_models" / "types" / "two.py"
    kept.unlink()
    kept.write_text("# not what the output holds\n", encoding="utf-8")
    (spare / "stray.txt").write_text("not the tool's\n", encoding="utf-8")
    before = filetree.read(work / "out")
    write_spec(work, "three", "Second save.")
    watching.until(" rebuilt ")
    assert filetree.read(work / "out") == cold(work, before)
    watching.process.send_signal(signal.SIGINT)
    watching.process.wait(RUN_TIMEOUT)
    assert not (work / ".out.codegen").exists()


def test_a_watch_stopped_by_sigterm_still_lets_go_of_the_output(work: Path, watching: Watching) -> None:
    write_spec(work, "one", "Saved before the watch is stopped.")
    watching.until(" rebuilt ")
    assert (work / ".out.codegen" / "new").is_dir()
    watching.process.terminate()  # what service managers and Popen.terminate send
    watching.until(" stopped")
    assert watching.process.wait(RUN_TIMEOUT) == 0
    assert not (work / ".out.codegen").exists()
