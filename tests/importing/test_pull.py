"""`pull` against the local server on 127.0.0.1: documents kept as stable files, a model changed
upstream found by `--check` and rewritten alone by `pull`, its change shown by `build`; faults
survived with no partial file; a refused token and a missing model said in one line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from generator.server import Fault, ServerConfig, create_app, running
from tests.conftest import TOKEN, CliRun, cli

IMAGEN, IDEOGRAM = "google/imagen-4-ultra", "ideogram-ai/ideogram-v2-turbo"


@contextmanager
def upstream(specs: Path, *faults: str) -> Iterator[tuple[str, object]]:
    config = ServerConfig(tokens=(TOKEN,), faults=tuple(Fault.parse(f) for f in faults))
    app = create_app(specs, config)
    with running(app) as url:
        yield url, app


def pull(url: str, *args: str, token: str = TOKEN) -> CliRun:
    return cli("pull", "--base-url", url, *args, env={"REPLICATE_API_TOKEN": token})


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    found = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in found}


@pytest.mark.timeout(300)
def test_the_loop_pull_check_pull_build(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    served = tmp_path / "upstream"
    shutil.copytree(project / "specs" / "models", served)
    models = len(list(served.rglob("*.yaml")))
    with upstream(served) as (url, app):
        first = pull(url)  # every model the project's specs describe
        assert first.returncode == 0, first.stderr
        assert first.stdout.strip().splitlines()[-1] == f"{models} added"
        written = project / "specs" / "replicate" / f"{IMAGEN}.json"
        document = json.loads(written.read_text(encoding="utf-8"))
        assert list(document) == sorted(document) and "run_count" not in document
        before = _snapshot(project / "specs" / "replicate")
        again = pull(url)
        assert again.stdout.strip() == f"{models} unchanged" and _snapshot(project / "specs" / "replicate") == before
        asked = [r for r in app.state.store.received if r.path.startswith("/v1/models/")]  # type: ignore[attr-defined]
        assert all("if-none-match" in r.headers for r in asked[-models:])  # the second pull asked with the ETag
    assert cli("build").returncode == 0

    spec = served / f"{IMAGEN}.yaml"  # upstream, imagen gains an input
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    document["components"]["schemas"]["Input"]["properties"]["seed"] = {"type": "integer", "description": "Seed."}
    spec.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with upstream(served) as (url, _):  # the server restarted with its new specs
        checked = pull(url, "--check")
        assert checked.returncode == 1
        assert f"behind    {IMAGEN}" in checked.stdout and IDEOGRAM not in checked.stdout
        assert _snapshot(project / "specs" / "replicate") == before  # --check changes nothing
        pulled = pull(url)
        assert pulled.returncode == 0
        assert pulled.stdout.strip().splitlines() == [f"changed   {IMAGEN}", f"1 changed, {models - 1} unchanged"]
    after = _snapshot(project / "specs" / "replicate")
    assert after[f"{IDEOGRAM}.json"] == before[f"{IDEOGRAM}.json"]  # only the changed model's file
    assert after[f"{IMAGEN}.json"] != before[f"{IMAGEN}.json"]
    built = cli("build")
    assert built.returncode == 0, built.stderr
    assert "optional input seed was added" in built.stdout


@pytest.mark.timeout(300)
@pytest.mark.parametrize("fault", ["429:0.2#1", "500#2", "503@0.3", "drop#1", "slow:0.3#2"])
def test_faults_are_survived_and_no_file_is_partial(project: Path, tmp_path: Path, fault: str) -> None:
    out = tmp_path / "replicate"
    with upstream(project / "specs" / "models", fault) as (url, _):
        result = pull(url, IMAGEN, IDEOGRAM, "--out", str(out), "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [f"{IMAGEN}.json", f"{IDEOGRAM}.json"]  # and no temporary file left
    for path in out.rglob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["latest_version"]["openapi_schema"]


@pytest.mark.timeout(120)
def test_a_refused_token_is_one_line_and_nothing_is_written(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "replicate"
    with upstream(project / "specs" / "models") as (url, _):
        result = pull(url, IMAGEN, IDEOGRAM, "--out", str(out), token="wrong")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "refused the token (401)" in result.stderr
    assert "wrong" not in result.stderr + result.stdout  # the token is never printed
    assert not out.exists() or not any(out.rglob("*"))


@pytest.mark.timeout(120)
def test_a_missing_model_is_reported_and_the_others_are_written(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "replicate"
    with upstream(project / "specs" / "models") as (url, _):
        result = pull(url, IMAGEN, "acme/nothing", "--out", str(out))
    assert result.returncode == 2
    assert "not found acme/nothing: no such model" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1 added, 1 not found"
    assert (out / f"{IMAGEN}.json").is_file() and not (out / "acme").exists()


def test_without_a_token_pull_says_so_and_asks_nothing(tmp_path: Path) -> None:
    result = cli("pull", IMAGEN, "--out", str(tmp_path / "r"), env={"REPLICATE_API_TOKEN": ""})
    assert result.returncode == 2 and "REPLICATE_API_TOKEN: not set" in result.stderr
