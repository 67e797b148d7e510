"""An output is the tool's own folder: anything else is refused in one line, and left as it was."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from generator.build import filetree
from generator.paths import OUTPUT_MARKER
from tests.build.conftest import beside, generate
from tests.conftest import cli


def _everything(work: Path) -> filetree.FileTree:
    return {p: c for p, c in filetree.read(work).items() if not p.startswith("cache/")}


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        (".", "is the current folder"),
        ("..", "is the current folder or one above it"),
        ("specs", "is the input folder specs"),
        ("specs/acme/generated", "lies inside the input folder specs"),
        ("site", "holds files replicate-codegen did not write"),
        ("repo", "is a version-control root (.git)"),
    ],
)
def test_an_output_that_is_not_ours_is_refused_and_nothing_is_touched(work: Path, out: str, reason: str) -> None:
    (work / "site").mkdir()
    (work / "site" / "notes.txt").write_text("mine\n", encoding="utf-8")
    (work / "repo" / ".git").mkdir(parents=True)
    (work / "repo" / "README").write_text("mine\n", encoding="utf-8")
    before = _everything(work)
    result = cli("generate", "--specs", "specs", "--shared", "none", "--out", out, cwd=work)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and reason in result.stderr, result.stderr
    assert _everything(work) == before
    assert beside(work) == ["out", "repo", "site", "specs"]


def test_build_refuses_an_output_inside_its_sources_before_importing_anything(work: Path) -> None:
    (work / "docs").mkdir()
    before = _everything(work)
    result = cli("build", "--sources", "docs", "--specs", "specs", "--shared", "none", "--out", "docs/out", cwd=work)
    assert result.returncode == 2 and "lies inside the input folder docs" in result.stderr
    assert _everything(work) == before


def test_a_read_only_output_is_refused_up_front_with_that_reason(work: Path) -> None:
    before = filetree.read(work / "out")
    (work / "out").chmod(0o555)
    try:
        result = generate(work)
    finally:
        (work / "out").chmod(0o755)
    assert result.returncode == 2 and "out: is read-only (mode 0555)" in result.stderr
    assert filetree.read(work / "out") == before


def test_a_new_or_empty_folder_becomes_ours_and_keeps_its_mode(work: Path) -> None:
    (work / "empty").mkdir(mode=0o750)
    (work / "empty").chmod(0o750)  # whatever the umask
    for out in ("empty", "new/deeper"):
        result = cli("generate", "--specs", "specs", "--shared", "none", "--out", out, cwd=work)
        assert result.returncode == 0, result.stderr
        assert (work / out / OUTPUT_MARKER).is_file()
        assert filetree.read(work / out) == filetree.read(work / "out")
    assert stat.S_IMODE((work / "empty").stat().st_mode) == 0o750


def test_check_needs_no_write_access(work: Path) -> None:
    (work / "out").chmod(0o555)
    try:
        result = generate(work, "--check")
    finally:
        (work / "out").chmod(0o755)
    assert result.returncode == 0, result.stderr
