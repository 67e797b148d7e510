from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from generator.cli import main
from generator.server import create_app, running

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The catalogue the tests are written against: a project of the tests' own (two real Apifox pages,
# their specs and the tree generated from them; `make golden` regenerates it), so that the models a
# user bundles in specs/ change no test. Its client package is the `replicate_models` tests import.
CATALOG = FIXTURES / "catalog"
SOURCES = CATALOG / "specs" / "apifox"
SPECS = CATALOG / "specs" / "models"
GENERATED = CATALOG / "generated"
sys.path.insert(0, str(GENERATED / "python"))
for _variable in ("PYTHONPATH", "MYPYPATH"):  # and in the Pythons and type checks tests start
    os.environ[_variable] = os.pathsep.join(filter(None, [str(GENERATED / "python"), os.environ.get(_variable)]))
TOKEN = "test-token"
CompletedClient = subprocess.CompletedProcess[str]
# The Python the generated clients run in (`run_client`): this one, or, to test them against the lowest
# versions of their dependencies they declare, one that has only those (`make test-lowest`).
CLIENT_PYTHON = os.environ.get("REPLICATE_CODEGEN_CLIENT_PYTHON") or sys.executable


def model_spec(
    owner: str, name: str, input_schema: dict[str, Any], output: Any = None, **operation: Any
) -> dict[str, Any]:
    """A hand-written model spec as the README describes it: `x-model`, the create operation (its
    body a `$ref` to `Request`, whose `input` is `Input`), and `Output` when given."""
    schemas: dict[str, Any] = {
        "Request": {
            "type": "object",
            "required": ["input"],
            "properties": {"input": {"$ref": "#/components/schemas/Input"}},
        },
        "Input": input_schema,
    }
    if output is not None:
        schemas["Output"] = output
    create = {
        "operationId": f"create_{owner}_{name}",
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Request"}}},
        },
        "responses": {"201": {"description": "created"}},
        **operation,
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{owner}/{name}", "version": "1", "x-model": {"owner": owner, "name": name}},
        "paths": {f"/v1/models/{owner}/{name}/predictions": {"post": create}},
        "components": {"schemas": schemas},
    }


@pytest.fixture(autouse=True, scope="session")
def _stamp_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The cache (generator/cache.py) is a folder of this run, not the user's."""
    os.environ["REPLICATE_CODEGEN_CACHE"] = str(tmp_path_factory.mktemp("stamps"))


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    stderr: str


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> CliRun:
    """`replicate-codegen ARGS` run in this process (a subprocess costs a second of imports), from `cwd`
    (by default the current folder: the project's root, or the catalogue's under `in_catalog`).
    A crash is re-raised with its traceback rather than turned into an exit code."""
    with contextlib.chdir(Path.cwd() if cwd is None else cwd):
        result = CliRunner().invoke(main, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "internal error" not in result.stderr, result.stderr
    return CliRun(result.exit_code, result.stdout, result.stderr)


def assert_passes_ruff_and_mypy(package: Path, mypy_cache: Path) -> None:
    """The generated package in `package` (its `replicate_models`) passes ruff and mypy --strict, as
    its users' CI would run them."""
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ruff.returncode == 0, ruff.stdout
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(mypy_cache), "replicate_models"],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert mypy.returncode == 0, mypy.stdout


def run_client(script: str, package: Path, app: Starlette, *args: str, timeout: float = 120) -> CompletedClient:
    """`script` in a fresh Python that imports the generated client of `package` (an output's
    `python/`), `app` served on 127.0.0.1 meanwhile; its `sys.argv[1:]` are the server's URL, the
    token, then `args`."""
    with running(app) as url:
        return subprocess.run(
            [CLIENT_PYTHON, "-c", script, url, TOKEN, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONPATH": str(package)},
        )


def run_example(code: str, env: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A Python example of the docs run as written, as `__main__`, in this interpreter (where the
    generated package is installed) with `env` set and `cwd` current; what it printed."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    printed = io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(printed):
        exec(compile(code, "<example>", "exec"), {"__name__": "__main__"})
    return printed.getvalue()


@pytest.fixture(autouse=True)
def _in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Spec provenance and file headers are recorded relative to the working directory.
    monkeypatch.chdir(ROOT)


@pytest.fixture
def in_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the tests' catalogue (`CATALOG`), as its own project: paths in specs and headers are
    recorded relative to it."""
    monkeypatch.chdir(CATALOG)


@pytest.fixture(scope="session")
def app() -> Starlette:
    return create_app(SPECS, tokens=(TOKEN,))


@pytest.fixture(scope="session")
def base_url(app: Starlette) -> Iterator[str]:
    with running(app) as url:
        yield url


@dataclass(frozen=True)
class Generated:
    specs: Path
    shared: Path
    out: Path


@pytest.fixture(scope="session")
def replicate_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """The 20 real Replicate documents (tests/fixtures/replicate-documents), imported and generated:
    language models, captioners, audio, objects and images. Its client is imported in a subprocess
    (`PYTHONPATH=<out>/python`), not beside the catalogue's."""
    root = tmp_path_factory.mktemp("replicate-catalogue")
    made = Generated(root / "models", root / "shared", root / "out")
    documents = sorted((FIXTURES / "replicate-documents").glob("*.json"))
    imported = cli("import", *map(str, documents), "--out", str(made.specs), "--shared", str(made.shared))
    assert imported.returncode == 0, imported.stderr
    generated = cli("generate", "--specs", str(made.specs), "--shared", str(made.shared), "--out", str(made.out))
    assert generated.returncode == 0, generated.stderr
    return made


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the tests' catalogue (inputs and outputs) to change freely."""
    for name in ("specs", "generated"):
        shutil.copytree(CATALOG / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def eventually(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for `condition`, which the code under test makes true: a bound on a wait, not a timing."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {condition.__doc__ or condition}")
        time.sleep(0.005)


@contextmanager
def receiver(
    fail_first: int = 0, hold_first: threading.Event | None = None
) -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A loopback webhook target that records what it receives, failing its first calls if asked, or
    answering the first one only once `hold_first` is set (the sender waits meanwhile)."""
    calls: list[tuple[dict[str, str], bytes]] = []

    async def hook(request: Request) -> Response:
        calls.append((dict(request.headers), await request.body()))
        if len(calls) == 1 and hold_first is not None:
            await asyncio.to_thread(hold_first.wait, 30)
        return Response(status_code=500 if len(calls) <= fail_first else 204)

    with running(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook", calls
