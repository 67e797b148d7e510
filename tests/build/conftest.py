"""A small project of the build's own, its runs in this process or in a real one, and a cold build to
compare with: every fault must end in the old tree, or the tree a cold build gives."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.build import filetree
from tests.conftest import ROOT, CliRun, cli, model_spec

_WORK_FOLDERS = ("--specs", "specs", "--shared", "none", "--out", "out")
RUN_TIMEOUT = 120  # seconds a real run may take on a busy machine before the test fails


def spec_text(name: str, description: str = "A prompt.", owner: str = "acme") -> str:
    schema = {"type": "object", "properties": {"prompt": {"type": "string", "description": description}}}
    return yaml.safe_dump(model_spec(owner, name, schema), sort_keys=False)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`specs/acme/{one,two,three}.yaml`, a cache of the test's own, and `out` generated from them."""
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / "cache"))
    (tmp_path / "specs" / "acme").mkdir(parents=True)
    for name in ("one", "two", "three"):
        write_spec(tmp_path, name)
    assert generate(tmp_path).returncode == 0
    return tmp_path


def write_spec(work: Path, name: str, description: str = "A prompt.") -> None:
    (work / "specs" / "acme" / f"{name}.yaml").write_text(spec_text(name, description), encoding="utf-8")


def generate(work: Path, *extra: str) -> CliRun:
    return cli("generate", "--specs", "specs", "--shared", "none", "--out", "out", *extra, cwd=work)


def command(*extra: str) -> list[str]:
    """`replicate-codegen generate` on the work project, as a real process."""
    return [sys.executable, "-m", "generator", "generate", *_WORK_FOLDERS, *extra]


def run(work: Path, *extra: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*extra), cwd=work, env=dict(os.environ), capture_output=True, text=True, timeout=RUN_TIMEOUT,
        **options,  # type: ignore[call-overload]
    )  # fmt: skip


def cold(work: Path, previous: filetree.FileTree) -> filetree.FileTree:
    """What a build from scratch makes of the specs as they are now, after the tree `previous` (the
    release, version and changelog, follows the tree it replaces)."""
    scratch = work / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(work / "specs", scratch / "specs")
    for path, content in previous.items():
        (scratch / "out" / path).parent.mkdir(parents=True, exist_ok=True)
        (scratch / "out" / path).write_bytes(content)
    result = cli("generate", "--specs", "specs", "--shared", "none", "--out", "out", cwd=scratch,
                 env={"REPLICATE_CODEGEN_CACHE": str(scratch / "cache")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    tree = filetree.read(scratch / "out")
    shutil.rmtree(scratch)
    return tree


def beside(work: Path) -> list[str]:
    """What the work folder holds (the output's staging and lock folders would show here)."""
    return sorted(p.name for p in work.iterdir() if p.name != "cache")


__all__ = ["ROOT", "RUN_TIMEOUT", "beside", "cold", "command", "generate", "run", "spec_text", "write_spec"]
