from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import importing
from generator.errors import InputError
from generator.normalize import normalize
from tests.conftest import FIXTURES, SOURCES, SPECS, cli

TABLE = SOURCES / "000_118771e33ff589cc.txt"
GLUED = SOURCES / "002_b2b6f75e0f2555c1.txt"


def one(path: Path) -> importing.Endpoint:
    [endpoint] = importing.load(path)
    return endpoint


def test_both_layouts_are_detected_from_content() -> None:
    assert one(TABLE).source.format == "apifox-page-table"
    assert one(GLUED).source.format == "apifox-page-glued"


def test_table_layout_is_read_into_the_record() -> None:
    endpoint = one(TABLE)
    assert endpoint.title == "创建任务 ideogram-ai/ideogram-v2-turbo"
    assert (endpoint.method, endpoint.path) == (
        "POST",
        "/replicate/v1/models/ideogram-ai/ideogram-v2-turbo/predictions",
    )
    assert endpoint.status == "released"
    assert endpoint.apifox == {"module": "2102810", "folder": "62419371"}
    assert [p.name for p in endpoint.parameters] == ["Authorization"]
    assert endpoint.request_examples[0]["input"]["aspect_ratio"] == "1:1"


def test_glued_layout_gives_the_same_kind_of_record() -> None:
    endpoint = one(GLUED)
    assert endpoint.path == "/replicate/v1/models/google/imagen-4-ultra/predictions"
    assert endpoint.status == "released"
    assert endpoint.request_schema is not None
    assert endpoint.responses[0].code == 200


def test_spec_uses_replicate_paths_and_bearer_auth_not_a_header_parameter() -> None:
    document = normalize(one(TABLE)).document
    assert list(document["paths"]) == ["/v1/models/ideogram-ai/ideogram-v2-turbo/predictions"]
    operation = document["paths"]["/v1/models/ideogram-ai/ideogram-v2-turbo/predictions"]["post"]
    assert "Authorization" not in {p["name"] for p in operation["parameters"]}
    assert document["security"] == [{"bearerAuth": []}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_inputs_keep_apifox_order_required_and_inferred_defaults() -> None:
    schema = normalize(one(TABLE)).document["components"]["schemas"]["Input"]
    assert list(schema["properties"]) == [
        "prompt",
        "resolution",
        "style_type",
        "aspect_ratio",
        "magic_prompt_option",
    ]
    assert schema["required"] == ["prompt"]
    assert schema["properties"]["aspect_ratio"]["default"] == "1:1"
    assert schema["properties"]["resolution"]["default"] == "None"
    assert schema["properties"]["aspect_ratio"]["x-inferred"] == {"default": "默认值：“1:1”"}
    assert "default" not in schema["properties"]["prompt"]


def test_responses_are_canonical_and_the_copied_input_is_dropped() -> None:
    spec = normalize(one(GLUED))
    schemas = spec.document["components"]["schemas"]
    assert set(spec.document["paths"]["/v1/models/google/imagen-4-ultra/predictions"]["post"]["responses"]) == {
        "201",
        "202",
        "401",
        "422",
        "429",
    }
    assert "aborted" in schemas["PredictionStatus"]["enum"]
    assert schemas["Prediction"]["properties"]["error"] == {"type": ["string", "null"]}
    assert "input_image" not in json.dumps(spec.document)
    assert any("copied from another model" in w for w in spec.warnings)


def test_provenance_records_the_source_and_its_hash() -> None:
    source = normalize(one(TABLE)).document["info"]["x-source"]
    assert source["file"] == "specs/apifox/000_118771e33ff589cc.txt"
    assert len(source["sha256"]) == 64


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file is empty"),
        (b"   \n", "file is empty"),
        (b"\xff\xfe not utf8", ":1:1: not UTF-8"),
        (b"hello\nworld\n", ":1: not a recognised Apifox document"),
    ],
)
def test_unreadable_documents_are_named_with_their_place(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        importing.load(path)
    assert expected in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_broken_json_is_reported_at_its_line_in_the_file(tmp_path: Path) -> None:
    lines = GLUED.read_text(encoding="utf-8").splitlines()
    index = lines.index('          "aspect_ratio": {')  # inside 请求体
    lines[index] = '          "aspect_ratio": {,'
    path = tmp_path / "broken.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        importing.load(path)
    assert caught.value.line == index + 1
    assert "section 请求体: invalid JSON" in str(caught.value)


def test_import_command_reports_good_and_bad_documents_and_writes_only_the_good(tmp_path: Path) -> None:
    sources = tmp_path / "apifox"
    sources.mkdir()
    (sources / "good.txt").write_bytes(TABLE.read_bytes())
    truncated = GLUED.read_text(encoding="utf-8").splitlines()[:60]  # cut inside the 请求体 JSON
    (sources / "bad.txt").write_text("\n".join(truncated), encoding="utf-8")
    out = tmp_path / "models"
    result = cli("import", str(sources), "--out", str(out), "--report", str(tmp_path / "report.json"))
    assert result.returncode == 2
    assert "bad.txt:60:" in result.stderr and "section 请求体: invalid JSON" in result.stderr
    assert "Traceback" not in result.stderr
    assert "2 document(s), 2 endpoint(s): 1 model spec(s), 0 shared operation(s), 0 skipped, 1 failed" in result.stdout
    assert [p.relative_to(out).as_posix() for p in out.rglob("*.yaml")] == ["ideogram-ai/ideogram-v2-turbo.yaml"]
    report = json.loads((tmp_path / "report.json").read_text())
    assert [r["model"] for r in report["results"]] == [None, "ideogram-ai/ideogram-v2-turbo"]
    assert report["counts"] == {"failed": 1, "model": 1}


def test_import_of_the_seeds_reproduces_the_committed_specs(tmp_path: Path) -> None:
    result = cli("import", "specs/apifox", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    produced = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in tmp_path.rglob("*.yaml")}
    committed = {p.relative_to(SPECS).as_posix(): p.read_bytes() for p in SPECS.rglob("*.yaml")}
    assert produced.keys() == committed.keys()
    for name in committed:
        assert produced[name] == committed[name], f"specs/models/{name} differs: run `make golden`"


def test_a_project_export_gives_one_record_per_endpoint_with_its_pointer() -> None:
    endpoints = importing.load(FIXTURES / "formats" / "project.apifox.json")
    assert len(endpoints) == 10
    query = next(e for e in endpoints if e.title == "查询任务")
    assert query.source.pointer == "/apiCollection/0/items/0/items/4/items/0"
    assert query.parameters[0].name == "任务id"
    assert query.request_schema is None  # `"type": "none"`: the leftover jsonSchema means nothing


def test_references_that_loop_or_lead_nowhere_are_left_open_with_a_warning(tmp_path: Path) -> None:
    node = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}}
    document = {
        "openapi": "3.0.1",
        "paths": {
            "/replicate/v1/models/a/b/predictions": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "input": {
                                            "type": "object",
                                            "properties": {
                                                "tree": {"$ref": "#/components/schemas/Node"},
                                                "lost": {"$ref": "#/components/schemas/Missing"},
                                            },
                                        }
                                    },
                                }
                            }
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"Node": node}},
    }
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(document))
    [endpoint] = importing.load(path)
    properties = endpoint.request_schema["properties"]["input"]["properties"]  # type: ignore[index]
    assert properties["tree"]["properties"]["child"] == {}
    assert properties["lost"] == {}
    assert endpoint.warnings == (
        "/paths/~1replicate~1v1~1models~1a~1b~1predictions/post: reference #/components/schemas/Node refers back "
        "to itself; left open",
        "/paths/~1replicate~1v1~1models~1a~1b~1predictions/post: reference #/components/schemas/Missing points to "
        "nothing in the document; left open",
    )
