"""`generated/openapi.yaml` is joined from one fragment per model: the join must read exactly as the
whole document dumped at once would, whatever the models hold, so a rebuild that keeps the fragments
of unchanged models writes the bytes of a cold build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate as validate_openapi

from generator.catalog import load_catalog
from generator.errors import InputError
from generator.render import model_outputs
from generator.render.bundle import render_bundle
from generator.spec import specfile
from tests.conftest import model_spec

LONG = "一段很长的描述，" * 30 + " and a long English sentence that the emitter has to fold somewhere " * 4


def _bundle(tmp_path: Path, specs: list[dict[str, Any]], version: str) -> str:
    folder = tmp_path / "models"
    for spec in specs:
        owner, name = spec["info"]["x-model"]["owner"], spec["info"]["x-model"]["name"]
        (folder / owner).mkdir(parents=True, exist_ok=True)
        (folder / owner / f"{name}.yaml").write_text(specfile.dump(spec), encoding="utf-8")
    catalog = load_catalog(folder)
    return render_bundle(catalog, [output.entry for output in model_outputs(catalog.models)], "models", version)[0]


def _pinned(owner: str, name: str, version: str) -> dict[str, Any]:
    spec = model_spec(owner, name, {"type": "object", "properties": {"prompt": {"type": "string"}}})
    spec["paths"] = {"/v1/predictions": spec["paths"].pop(f"/v1/models/{owner}/{name}/predictions")}
    spec["info"]["x-model"]["version"] = version
    return spec


def test_the_joined_bundle_is_the_whole_document_dumped_at_once(tmp_path: Path) -> None:
    prompt = {"type": "string", "description": LONG + "\nsecond line: with a colon", "default": "1:1"}
    specs = [
        model_spec("acme", "zeta", {"type": "object", "properties": {"prompt": prompt}}, description=LONG),
        model_spec("acme", "alpha", {"type": "object", "properties": {"n": {"type": "integer", "enum": [1, 2]}}}),
        model_spec("ünïcode", "模型", {"type": "object", "properties": {"x": {"type": "string"}}}, {"type": "string"}),
        _pinned("stability-ai", "sdxl", "a" * 64),
    ]
    text = _bundle(tmp_path, specs, "1.2.3")
    *header, body = text.split("\n", 2)
    assert all(line.startswith("# ") for line in header)
    document = yaml.safe_load(text)
    assert body == specfile.dump(document)
    validate_openapi(document)
    assert list(document["info"]["x-models"]) == ["acme/alpha", "acme/zeta", "stability-ai/sdxl", "ünïcode/模型"]
    assert "/v1/models/stability-ai/sdxl/predictions" not in document["paths"]  # pinned: in the shared create
    assert list(document["paths"]) == sorted(document["paths"])
    assert document["components"]["schemas"]["ZetaInput"]["properties"]["prompt"]["description"].endswith("colon")


def test_two_models_whose_schemas_would_share_a_bundle_name_are_both_named(tmp_path: Path) -> None:
    own = model_spec("acme", "foo", {"type": "object", "properties": {"x": {"type": "string"}}})
    own["components"]["schemas"]["BarInput"] = {"type": "string"}
    other = model_spec("acme", "foo-bar", {"type": "object", "properties": {"y": {"type": "string"}}})
    with pytest.raises(InputError) as raised:
        _bundle(tmp_path, [own, other], "0.1.0")
    assert "FooBarInput" in str(raised.value)
    assert "foo.yaml" in str(raised.value) and "foo-bar.yaml" in str(raised.value)
