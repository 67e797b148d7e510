"""Every model's output fits its Output schema: served from the 20 real Replicate documents (strings,
iterators of tokens, lists of files, objects of files, open outputs), checked against the schema, with
each file URL downloadable as a file of the type it names."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.catalog import Model, load_catalog
from generator.server import ServerConfig, create_app, running
from generator.spec.specfile import resolve_ref
from generator.spec.values import output_value
from generator.validate.schemas import DocumentSchemas
from tests.conftest import FIXTURES, TOKEN, cli

DOCUMENTS = sorted((FIXTURES / "replicate-documents").glob("*.json"))
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("replicate-catalogue")
    result = cli("import", *map(str, DOCUMENTS), "--out", str(out / "models"), "--shared", str(out / "shared"))
    assert result.returncode == 0, result.stderr
    return out / "models"


@pytest.fixture(scope="module")
def served(catalogue: Path) -> Iterator[tuple[httpx.Client, dict[str, Model]]]:
    config = replace(ServerConfig(), tokens=(TOKEN,), starting_seconds=0.01, processing_seconds=0.05)
    app = create_app(catalogue, config)
    with running(app) as url, httpx.Client(base_url=url, headers=AUTH, timeout=30) as client:
        yield client, {m.id: m for m in app.state.catalog.models}


def valid_input(model: Model) -> dict[str, Any]:
    """Inputs that fit the model's schema: each made from its own schema."""

    def url(index: int) -> str:
        return "https://example.com/in.png"

    value = output_value(model.input_schema, {}, url, functools.partial(resolve_ref, model.document))
    return value if isinstance(value, dict) else {}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_the_output_fits_the_output_schema_and_its_files_download(
    served: tuple[httpx.Client, dict[str, Model]], document: Path
) -> None:
    http, models = served
    model = next(m for m in models.values() if document.stem == f"{m.owner}__{m.name}")
    created = http.post(model.path, json={"input": valid_input(model)}, headers={"Prefer": "wait=10"})
    assert created.status_code in (201, 202), created.text
    prediction = created.json()
    deadline = time.monotonic() + 30
    while prediction["status"] != "succeeded" and time.monotonic() < deadline:
        time.sleep(0.02)
        prediction = http.get(f"/v1/predictions/{prediction['id']}").json()
    assert prediction["status"] == "succeeded"
    output = prediction["output"]
    errors = list(DocumentSchemas(model.document).validator("/components/schemas/Output").iter_errors(output))
    assert errors == [], (output, [e.message for e in errors])
    for link in _urls(output):
        file = http.get(link)
        assert file.status_code == 200 and file.content
        assert file.headers["content-type"].split("/")[0] in ("image", "audio")


def _urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith("http") else []
    if isinstance(value, list):
        return [u for item in value for u in _urls(item)]
    if isinstance(value, dict):
        return [u for item in value.values() for u in _urls(item)]
    return []


def test_a_language_models_tokens_come_while_it_runs(catalogue: Path) -> None:
    config = replace(ServerConfig(), tokens=(TOKEN,), starting_seconds=0.01, processing_seconds=3.0)
    app = create_app(catalogue, config)
    model = next(m for m in load_catalog(catalogue).models if m.id == "meta/meta-llama-3-8b-instruct")
    with running(app) as url, httpx.Client(base_url=url, headers=AUTH, timeout=30) as http:
        prediction = http.post(model.path, json={"input": {"prompt": "tell me a story about a fox"}}).json()
        seen = []
        while prediction["status"] != "succeeded":
            if isinstance(prediction["output"], list):
                seen.append(len(prediction["output"]))
            time.sleep(0.02)
            prediction = http.get(f"/v1/predictions/{prediction['id']}").json()
    final = prediction["output"]
    assert all(isinstance(token, str) for token in final) and "fox" in "".join(final)
    assert seen == sorted(seen) and any(0 < count < len(final) for count in seen), seen
