"""The order of trust: a machine-readable schema over a field listing over an example, and prose only
where it states a fact. Real Replicate model documents (tests/fixtures/replicate-documents, with their
README): the Cog schema is the model's truth; the example, a prediction made long ago, never adds,
removes or reorders an input. Pages written for these tests: placeholders, bullet-list and definition-list listings."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, cli

DOCUMENTS = sorted((FIXTURES / "replicate-documents").glob("*.json"))


def _cog_inputs(document: dict[str, Any]) -> list[str]:
    properties = document["latest_version"]["openapi_schema"]["components"]["schemas"]["Input"]["properties"]
    return sorted(properties, key=lambda name: (properties[name].get("x-order", len(properties)), name))


def _resolved(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """A Cog input with its enum's `allOf: [$ref]` resolved, as a reader sees it."""
    refs = [part["$ref"] for part in schema.get("allOf") or () if "$ref" in part]
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for ref in refs:
        merged = {**components[ref.rsplit("/", 1)[1]], **merged}
    return merged


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("specs")
    result = cli("import", *map(str, DOCUMENTS), "--out", str(out), "--shared", str(out / "shared"))
    assert result.returncode == 0, result.stderr
    return out, result.stdout


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_each_document_gives_exactly_its_cog_inputs_in_order_without_prose_keywords(
    imported: tuple[Path, str], path: Path
) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    out, _ = imported
    spec = yaml.safe_load((out / document["owner"] / f"{document['name']}.yaml").read_text(encoding="utf-8"))
    inputs = spec["components"]["schemas"]["Input"]["properties"]
    assert list(inputs) == _cog_inputs(document)
    components = document["latest_version"]["openapi_schema"]["components"]["schemas"]
    cog = {name: _resolved(schema, components) for name, schema in components["Input"]["properties"].items()}
    for name, schema in inputs.items():
        assert "x-inferred" not in schema, (name, schema)
        for keyword in ("type", "enum", "minimum", "maximum", "format", "default"):
            assert schema.get(keyword) == cog[name].get(keyword), (name, keyword)
    required = spec["components"]["schemas"]["Input"].get("required", [])
    assert sorted(required) == sorted(components["Input"].get("required", []))
    output, cog_output = spec["components"]["schemas"]["Output"], components["Output"]
    if "$ref" in cog_output:  # Cog names an object output's schema (`ModelOutput`)
        cog_output = components[cog_output["$ref"].rsplit("/", 1)[1]]
    for keyword in ("type", "items", "format", "properties", "x-cog-array-type", "x-cog-array-display"):
        assert output.get(keyword) == cog_output.get(keyword), ("Output", keyword)
    example = spec["paths"][next(iter(spec["paths"]))]["post"]["requestBody"]["content"]["application/json"]
    assert set(example.get("example", {}).get("input", {})) <= set(inputs)


def test_every_spec_the_import_writes_validates(imported: tuple[Path, str]) -> None:
    out, _ = imported
    result = cli("validate", "--specs", str(out), "--shared", str(out / "shared"))
    assert result.returncode == 0, result.stderr
    assert f"{len(DOCUMENTS)} model spec(s)" in result.stdout


@pytest.mark.slow
def test_the_generated_clients_create_takes_every_cog_input(imported: tuple[Path, str], tmp_path: Path) -> None:
    import subprocess
    import sys

    out, _ = imported
    result = cli("generate", "--specs", str(out), "--shared", str(out / "shared"), "--out", str(tmp_path / "gen"))
    assert result.returncode == 0, result.stderr
    from generator.spec.naming import field_identifiers

    expected = {}
    for path in DOCUMENTS:  # each input under its Python-safe name (`model_version` -> `model_version_`)
        document = json.loads(path.read_text(encoding="utf-8"))
        identifiers = field_identifiers({name: {} for name in _cog_inputs(document)})
        expected[f"{document['owner']}/{document['name']}"] = list(identifiers.values())
    probe = (
        "import inspect, json, replicate_models as m\n"
        "c = m.Client(api_token='t')\n"
        "found = {}\n"
        "for name in dir(c):\n"
        "    resource = getattr(c, name, None)\n"
        "    model = getattr(inspect.getmodule(type(resource)), 'MODEL', None)\n"
        "    if isinstance(model, str) and hasattr(resource, 'create'):\n"
        "        found[model] = list(inspect.signature(resource.create).parameters)\n"
        "print(json.dumps(found))\n"
    )
    package = tmp_path / "gen" / "python"
    env = {**os.environ, "PYTHONPATH": str(package)}  # this package, not the catalogue's the tests import
    ran = subprocess.run([sys.executable, "-c", probe], cwd=package, capture_output=True, text=True, timeout=120,
                         env=env)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    found = json.loads(ran.stdout)
    assert set(found) == set(expected)
    for model, inputs in expected.items():
        assert set(inputs) <= set(found[model]), (model, sorted(set(inputs) - set(found[model])))


def test_an_example_made_with_an_older_version_is_trimmed_and_said(imported: tuple[Path, str]) -> None:
    out, printed = imported
    assert 'gives clip_model_name="ViT-L/14", which the schema refuses: left out of the example' in printed
    assert "uses width, height, which the schema does not have: left out of the example" in printed
    flux = yaml.safe_load((out / "black-forest-labs" / "flux-pro.yaml").read_text(encoding="utf-8"))
    assert {"aspect_ratio", "seed"} <= set(flux["components"]["schemas"]["Input"]["properties"])
    assert not {"width", "height"} & set(flux["components"]["schemas"]["Input"]["properties"])


def test_an_example_without_a_required_input_once_trimmed_is_dropped(tmp_path: Path) -> None:
    document = json.loads(DOCUMENTS[0].read_text(encoding="utf-8"))
    schema = document["latest_version"]["openapi_schema"]["components"]["schemas"]["Input"]
    schema["required"] = [_cog_inputs(document)[0]]
    document["default_example"] = {"input": {"not_an_input": 1}}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = cli("import", str(path), "--out", str(tmp_path / "out"), "--shared", str(tmp_path / "shared"))
    assert result.returncode == 0, result.stderr
    assert "it lacks the required" in result.stdout and "so it is dropped" in result.stdout
    spec = next((tmp_path / "out").rglob("*.yaml")).read_text(encoding="utf-8")
    assert "not_an_input" not in spec


@pytest.mark.parametrize(
    ("description", "default"),
    [
        ("Replicate LoRA weights to use. Leave blank to use the default weights.", None),
        ("Set a seed for reproducibility. Random by default.", None),
        ("Strength of the effect. Default: 2.5.", 2.5),
        ("Steps. Defaults to 28.", 28),
        ("步数，默认值：28", 28),
    ],
)
def test_prose_states_a_default_only_in_a_statement(description: str, default: Any) -> None:
    from generator.importing.prose import infer

    found, _ = infer(description, "number" if default == 2.5 else "integer" if default else "string")
    assert next((item.value for item in found if item.keyword == "default"), None) == default


def test_placeholder_keys_of_an_example_are_never_fields(tmp_path: Path) -> None:
    """A page whose only description of the inputs is its example, written as authors write them."""
    example = {"input": {"prompt": "a cat", "...": "...", "…": "", "<option>": 1, "key": "value"}}
    body = {"type": "object", "properties": {"input": {"type": "object"}}}
    page = {
        "openapi": "3.0.1",
        "info": {"title": "acme", "version": "1"},
        "paths": {
            "/replicate/v1/models/acme/painter/predictions": {
                "post": {
                    "summary": "创建任务 acme/painter",
                    "requestBody": {"content": {"application/json": {"schema": body, "example": example}}},
                    "responses": {"201": {"description": "created"}},
                }
            }
        },
    }
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    result = cli("import", str(path), "--out", str(tmp_path / "out"), "--shared", str(tmp_path / "shared"))
    assert result.returncode == 0, result.stderr
    assert "placeholder(s), not inputs" in result.stdout
    spec = yaml.safe_load((tmp_path / "out" / "acme" / "painter.yaml").read_text(encoding="utf-8"))
    assert list(spec["components"]["schemas"]["Input"]["properties"]) == ["prompt"]


def _listed(page: str, model: str, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Input schema a page of tests/fixtures/formats imports to, and its facts: each field's
    keywords but its description and their evidence."""
    result = cli("import", str(FIXTURES / "formats" / page), "--out", str(tmp_path / "out"), "--shared", str(tmp_path))
    assert result.returncode == 0, result.stderr
    spec = yaml.safe_load((tmp_path / "out" / f"{model}.yaml").read_text(encoding="utf-8"))
    schema: dict[str, Any] = spec["components"]["schemas"]["Input"]
    facts = {
        name: {k: v for k, v in prop.items() if k not in ("description", "x-inferred")}
        for name, prop in schema["properties"].items()
    }
    return schema, facts


def test_a_bullet_list_listing_gives_every_field_and_fact(tmp_path: Path) -> None:
    """A page written for this test: its inputs only in a bulleted list, in three of the shapes seen."""
    schema, facts = _listed("bullet-list.page.txt", "acme/painter", tmp_path)
    assert facts == {
        "prompt": {"type": "string"},
        "guidance": {"type": "number", "default": 2.5, "minimum": 0, "maximum": 10},
        "steps": {"type": "integer", "default": 28, "minimum": 1, "maximum": 50},
        "output_format": {"type": "string", "enum": ["webp", "png", "jpg"], "default": "webp"},
    }
    assert schema["required"] == ["prompt"]


def test_a_definition_list_and_plain_listing_lines_give_every_field_and_fact(tmp_path: Path) -> None:
    """A page written for this test: Markdown definition lists (`: string, required. text` under the
    name) and `name: type - text` lines without a bullet, with dotted `input.` names."""
    schema, facts = _listed("definition-list.page.txt", "acme/sketcher", tmp_path)
    assert facts == {
        "prompt": {"type": "string"},
        "strength": {"type": "number", "default": 0.8, "minimum": 0, "maximum": 1},
        "seed": {"type": "integer"},  # "Leave blank to randomize" states no default
        "width": {"type": "integer", "default": 1024, "minimum": 256},
    }
    assert schema["required"] == ["prompt"]
    assert schema["properties"]["strength"]["description"].startswith("How far from the image to go.")


@pytest.mark.parametrize(
    "example", [None, {"image": "https://example.com/cat.png", "clip_model_name": "ViT-H-14/laion2b_s32b_b79k"}]
)
def test_overrides_remove_or_replace_the_request_example(tmp_path: Path, example: Any) -> None:
    overrides = tmp_path / "overrides" / "pharmapsychotic" / "clip-interrogator.yaml"
    overrides.parent.mkdir(parents=True)
    overrides.write_text(yaml.safe_dump({"example": example}), encoding="utf-8")
    document = FIXTURES / "replicate-documents" / "pharmapsychotic__clip-interrogator.json"
    result = cli("import", str(document), "--out", str(tmp_path / "out"), "--shared", str(tmp_path / "shared"),
                 "--overrides", str(tmp_path / "overrides"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert ("example removed" if example is None else "example replaced") in result.stdout
    assert "ViT-L/14" not in result.stdout  # the stale example is not looked at
    spec = yaml.safe_load((tmp_path / "out" / "pharmapsychotic" / "clip-interrogator.yaml").read_text("utf-8"))
    media = spec["paths"][next(iter(spec["paths"]))]["post"]["requestBody"]["content"]["application/json"]
    assert media.get("example") == (None if example is None else {"input": example})


def test_of_several_documents_of_one_model_the_most_trusted_is_the_spec_whatever_their_order(
    tmp_path: Path,
) -> None:
    """A page with the full field listing, and a digest of it that shows only the example, in both
    orders of their names: the listing is the spec both times, and the import says why."""
    listing = (FIXTURES / "formats" / "bullet-list.page.txt").read_text(encoding="utf-8")
    digest = listing.split("Request body")[0] + 'Example\n\n{"input": {"prompt": "a red fox", "guidance": 3}}\n'
    specs = []
    for first, second in (("a", "b"), ("b", "a")):
        sources = tmp_path / f"sources-{first}"
        sources.mkdir()
        (sources / f"{first}-listing.txt").write_text(listing, encoding="utf-8")
        (sources / f"{second}-digest.txt").write_text(digest, encoding="utf-8")
        out = tmp_path / f"out-{first}"
        result = cli("import", str(sources), "--out", str(out), "--shared", str(tmp_path / "shared"))
        assert result.returncode == 0, result.stderr
        assert f"{first}-listing.txt's (a field listing" in result.stdout
        specs.append(yaml.safe_load((out / "acme" / "painter.yaml").read_text(encoding="utf-8")))
    for spec in specs:
        inputs = spec["components"]["schemas"]["Input"]["properties"]
        assert list(inputs) == ["prompt", "guidance", "steps", "output_format"]
        assert inputs["guidance"]["default"] == 2.5


@pytest.mark.parametrize("folder", ["samples", "formats", "real", "replicate-documents", "catalog/specs/apifox"])
def test_every_spec_an_import_writes_from_the_repositorys_documents_validates(tmp_path: Path, folder: str) -> None:
    out, shared = tmp_path / "models", tmp_path / "shared"
    cli("import", str(FIXTURES / folder), "--out", str(out), "--shared", str(shared))  # some pages are refused
    written = sorted(out.rglob("*.yaml"))
    assert written
    result = cli("validate", "--specs", str(out), "--shared", str(shared))
    assert result.returncode == 0, result.stderr


def test_prose_says_nothing_of_what_the_schema_settles() -> None:
    from generator.importing.prose import infer

    description = "Number of images. Default: many. Range: 0.5 to 4. One of: 1, 2, 4."
    found, warnings = infer(description, "integer")
    assert warnings  # alone, the prose contradicts its integer type
    found, warnings = infer(description, "integer", settled=frozenset({"default", "minimum", "maximum", "enum"}))
    assert (found, warnings) == ([], [])


def test_two_listings_of_one_model_are_merged_fact_by_fact_whatever_their_order(tmp_path: Path) -> None:
    """Two resellers' renderings written for this test: the fuller one is the base; the other adds the
    field and the facts it lacks, and where they disagree the base keeps its value, and it is said."""
    full = (FIXTURES / "formats" / "bullet-list.page.txt").read_text(encoding="utf-8")
    other = (
        full.replace("Default: 2.5. Range: 0–10.", "Default: 4.")
        .replace(
            "- output_format: string — Image format. One of: webp, png, jpg. Default: webp.",
            "- output_format: string — Image format.\n- `negative_prompt` (string, optional): What to avoid.",
        )
        .replace("Defaults to 28. Range: 1 to 50.", "Range: 1 to 50.")
    )
    full = full.replace("What to paint.", "What to paint")  # the fuller page, lacking nothing else
    full = full.replace("- `prompt` (string, required): What to paint", "- `prompt` (string, required):")
    specs = []
    for first, second in (("a", "b"), ("b", "a")):
        sources = tmp_path / f"sources-{first}"
        sources.mkdir()
        (sources / f"{first}-full.txt").write_text(full, encoding="utf-8")
        (sources / f"{second}-other.txt").write_text(other, encoding="utf-8")
        out = tmp_path / f"out-{first}"
        result = cli("import", str(sources), "--out", str(out), "--shared", str(tmp_path / "shared"))
        assert result.returncode == 0, result.stderr
        assert f"the spec is {sources / f'{first}-full.txt'}'s" in result.stdout
        assert f"completed by {sources / f'{second}-other.txt'}: prompt.description, negative_prompt" in result.stdout
        assert "they disagree on guidance.default: 2.5" in result.stdout
        specs.append(yaml.safe_load((out / "acme" / "painter.yaml").read_text(encoding="utf-8")))
        validated = cli("validate", "--specs", str(out), "--shared", str(tmp_path / "shared"))
        assert validated.returncode == 0, validated.stderr
    inputs = [spec["components"]["schemas"]["Input"] for spec in specs]
    sources = [{name: prop.pop("x-source") for name, prop in i["properties"].items()} for i in inputs]
    assert inputs[0] == inputs[1]
    # each field names the documents its facts came from, and which facts
    full_a, other_a = (str(tmp_path / "sources-a" / name) for name in ("a-full.txt", "b-other.txt"))
    assert sources[0]["prompt"] == [
        {"document": full_a, "keywords": ["type"]},
        {"document": other_a, "keywords": ["description"]},
    ]
    assert sources[0]["negative_prompt"] == [{"document": other_a, "keywords": ["type", "description"]}]
    assert sources[0]["steps"][0]["document"] == full_a and "default" in sources[0]["steps"][0]["keywords"]
    properties = inputs[0]["properties"]
    assert list(properties) == ["prompt", "guidance", "steps", "output_format", "negative_prompt"]
    assert properties["prompt"]["description"] == "What to paint."  # from the other page, which has it
    assert properties["guidance"]["default"] == 2.5 and properties["steps"]["default"] == 28
