from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from generator.server import create_app, running

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "specs" / "apifox"
SPECS = ROOT / "specs" / "models"
GENERATED = ROOT / "generated"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOKEN = "test-token"


@pytest.fixture(autouse=True)
def _in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Spec provenance and file headers are recorded relative to the working directory.
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def app() -> Starlette:
    return create_app(SPECS, tokens=(TOKEN,))


@pytest.fixture(scope="session")
def base_url(app: Starlette) -> Iterator[str]:
    with running(app) as url:
        yield url


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's inputs and outputs to change freely."""
    for name in ("specs", "generated"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path
