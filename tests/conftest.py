from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

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


@contextmanager
def receiver(fail_first: int = 0) -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A loopback webhook target that records what it receives, failing its first calls if asked."""
    calls: list[tuple[dict[str, str], bytes]] = []

    async def hook(request: Request) -> Response:
        calls.append((dict(request.headers), await request.body()))
        return Response(status_code=500 if len(calls) <= fail_first else 204)

    with running(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook", calls
