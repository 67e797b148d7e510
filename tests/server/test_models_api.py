"""The models API, from the specs: Replicate's model documents, their versions, and the list of models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import yaml

from generator.catalog import load_catalog
from generator.server import ServerConfig, create_app, running
from tests.conftest import SPECS, TOKEN, cli

AUTH = {"Authorization": f"Bearer {TOKEN}"}
MODELS = sorted(model.id for model in load_catalog(SPECS).models)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    app = create_app(SPECS, replace(ServerConfig(), tokens=(TOKEN,), page_size=1))
    with running(app) as url, httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
        yield client


@pytest.mark.parametrize("prefix", ["", "/replicate"])
@pytest.mark.parametrize("model_id", MODELS)
def test_a_model_is_replicates_model_document_with_the_specs_inputs_in_order(
    http: httpx.Client, model_id: str, prefix: str
) -> None:
    answer = http.get(f"{prefix}/v1/models/{model_id}")
    assert answer.status_code == 200
    document = answer.json()
    assert (document["owner"], document["name"]) == tuple(model_id.split("/"))
    spec = next(m for m in load_catalog(SPECS).models if m.id == model_id)
    inputs = document["latest_version"]["openapi_schema"]["components"]["schemas"]["Input"]["properties"]
    assert list(inputs) == [field.name for field in spec.fields]
    assert [prop["x-order"] for prop in inputs.values()] == list(range(len(inputs)))
    assert "x-inferred" not in json.dumps(document)  # what our specs say of their sources is not Cog's


@pytest.mark.parametrize("model_id", MODELS)
def test_importing_the_served_document_gives_back_the_specs_inputs(
    http: httpx.Client, model_id: str, tmp_path: Path
) -> None:
    served = tmp_path / "served.json"
    served.write_text(http.get(f"/v1/models/{model_id}").text, encoding="utf-8")
    result = cli("import", str(served), "--out", str(tmp_path / "out"), "--shared", str(tmp_path / "shared"))
    assert result.returncode == 0, result.stderr
    spec = yaml.safe_load((tmp_path / "out" / f"{model_id}.yaml").read_text(encoding="utf-8"))
    back = spec["components"]["schemas"]["Input"]
    original = next(m for m in load_catalog(SPECS).models if m.id == model_id)
    assert list(back["properties"]) == [field.name for field in original.fields]
    for field in original.fields:
        for keyword in ("type", "enum", "default", "minimum", "maximum", "format"):
            assert back["properties"][field.name].get(keyword) == field.schema.get(keyword), (field.name, keyword)
    assert sorted(back.get("required", [])) == sorted(f.name for f in original.fields if f.required)


def test_versions_list_and_get_and_unknown_ones_are_404(http: httpx.Client) -> None:
    model_id = MODELS[0]
    versions = http.get(f"/v1/models/{model_id}/versions").json()
    (version,) = versions["results"]
    assert http.get(f"/v1/models/{model_id}/versions/{version['id']}").json() == version
    assert http.get(f"/v1/models/{model_id}").json()["latest_version"] == version
    assert http.get(f"/v1/models/{model_id}/versions/nope").status_code == 404
    assert http.get("/v1/models/nobody/nothing").status_code == 404
    assert http.get("/v1/models/nobody/nothing/versions").status_code == 404


def test_the_list_of_models_pages_through_every_model(http: httpx.Client) -> None:
    seen, url = [], "/v1/models"
    while url:
        page = http.get(url).json()
        assert len(page["results"]) <= 1
        seen += [f"{m['owner']}/{m['name']}" for m in page["results"]]
        url = page["next"]
    assert seen == MODELS
    assert http.get("/v1/models", params={"cursor": "garbage"}).status_code == 400
    assert http.get("/v1/models", headers={"Authorization": ""}).status_code == 401
