"""The import step: every format read into the record, every kind of endpoint normalized, enrichment,
overrides, the command and its report."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import importing
from generator.errors import InputError
from generator.importing.normalize import normalize
from generator.spec.vocabulary import inferred
from tests.conftest import FIXTURES, SOURCES, SPECS, CliRun, cli

FORMATS = FIXTURES / "formats"
SAMPLES = FIXTURES / "samples"
PROJECT = FORMATS / "project.apifox.json"
TABLE = SOURCES / "000_118771e33ff589cc.txt"
GLUED = SOURCES / "002_b2b6f75e0f2555c1.txt"


@dataclass
class Run:
    result: CliRun
    root: Path

    @property
    def code(self) -> int:
        return self.result.returncode

    def spec(self, relative: str) -> dict[str, Any]:
        document: dict[str, Any] = yaml.safe_load((self.root / relative).read_text(encoding="utf-8"))
        return document

    def written(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.yaml"))

    def report(self) -> dict[str, Any]:
        report: dict[str, Any] = json.loads((self.root / "report.json").read_text(encoding="utf-8"))
        return report


def run_import(tmp_path: Path, *sources: Path | str, extra: tuple[str, ...] = ()) -> Run:
    """`replicate-codegen import` into a fresh layout under tmp_path, with a JSON report."""
    layout = (
        ("--out", "models"),
        ("--shared", "shared"),
        ("--replicate", "replicate"),
        ("--overrides", "overrides"),
    )
    args = [arg for flag, folder in layout for arg in (flag, str(tmp_path / folder))]
    result = cli("import", *map(str, sources), *args, "--report", str(tmp_path / "report.json"), *extra)
    return Run(result, tmp_path)


def input_of(document: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"]["Input"]
    return schema


def without_provenance(document: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    del copy["info"]["x-source"]
    return copy


def test_the_markdown_twin_of_a_page_gives_the_same_spec_apart_from_provenance(tmp_path: Path) -> None:
    page = run_import(tmp_path / "page", SOURCES / "002_b2b6f75e0f2555c1.txt")
    twin = run_import(tmp_path / "twin", SAMPLES / "google__imagen-4-ultra.md")
    assert page.code == twin.code == 0
    spec = "models/google/imagen-4-ultra.yaml"
    assert without_provenance(page.spec(spec)) == without_provenance(twin.spec(spec))
    assert page.spec(spec)["info"]["x-source"]["format"] == "apifox-page-glued"
    assert twin.spec(spec)["info"]["x-source"]["format"] == "apifox-markdown"


def test_the_query_and_create_by_version_samples_map_to_shared_operations(tmp_path: Path) -> None:
    run = run_import(tmp_path, SAMPLES / "replicate__query-prediction.md", SAMPLES / "replicate__create-by-version.md")
    assert run.code == 0, run.result.stderr
    assert run.written() == ["shared/create-by-version.yaml", "shared/get-prediction.yaml"]
    create = run.spec("shared/create-by-version.yaml")["paths"]["/v1/predictions"]["post"]
    assert len(create["x-versions"]) == 10
    assert (
        create["x-versions"]["7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc"] == "stability-ai/sdxl"
    )
    get = run.spec("shared/get-prediction.yaml")
    assert list(get["paths"]) == ["/v1/predictions/{prediction_id}"]
    # The query page links flux-kontext-max, but a query is not a model's create: no model spec.
    assert [r["kind"] for r in run.report()["results"]] == ["get", "create-by-version"]


@pytest.fixture(scope="module")
def project_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_import(tmp_path_factory.mktemp("project"), PROJECT)


class TestProjectExport:
    @pytest.fixture
    def run(self, project_run: Run) -> Run:
        return project_run

    def test_every_endpoint_of_every_folder_gets_a_result(self, run: Run) -> None:
        results = {r["pointer"]: r for r in run.report()["results"]}
        kinds = {pointer: r["kind"] or "failed" for pointer, r in results.items()}
        assert kinds == {
            "/apiCollection/0/items/0/items/0": "model",
            "/apiCollection/0/items/0/items/1": "model-version",
            "/apiCollection/0/items/0/items/2": "model",
            "/apiCollection/0/items/0/items/3": "model",
            "/apiCollection/0/items/0/items/4/items/0": "get",
            "/apiCollection/0/items/0/items/4/items/1": "cancel",
            "/apiCollection/0/items/0/items/4/items/2": "list",
            "/apiCollection/0/items/1/items/0": "skipped",
            "/apiCollection/0/items/1/items/1": "skipped",
            "/apiCollection/0/items/1/items/2": "failed",
        }
        assert run.report()["counts"] == {
            "cancel": 1,
            "failed": 1,
            "get": 1,
            "list": 1,
            "model": 3,
            "model-version": 1,
            "skipped": 2,
        }

    def test_one_bad_endpoint_fails_alone_with_its_place(self, run: Run) -> None:
        assert run.code == 2
        assert (
            "error: tests/fixtures/formats/project.apifox.json: /apiCollection/0/items/1/items/2: "
            "endpoint has no path; expected `METHOD /path`"
        ) in run.result.stderr
        assert "models/black-forest-labs/flux-schnell.yaml" in run.written()

    def test_pages_that_are_not_replicate_style_are_skipped_in_one_line_and_write_nothing(self, run: Run) -> None:
        out = run.result.stdout
        assert "items/1/items/0: skipped: POST /v1/images/generations is not a Replicate prediction endpoint" in out
        assert "takes a flat body (model_name, prompt) without `input`: not Replicate-style" in out
        assert not any("kling" in name or "images" in name for name in run.written())

    def test_shared_models_are_spliced_where_x_apifox_orders_puts_them(self, run: Run) -> None:
        schema = input_of(run.spec("models/black-forest-labs/flux-schnell.yaml"))
        # negative_prompt is hidden by x-apifox-overrides; the shared model's required list is kept.
        assert list(schema["properties"]) == ["prompt", "aspect_ratio", "num_outputs", "go_fast"]
        assert schema["required"] == ["prompt"]
        assert schema["properties"]["aspect_ratio"]["enum"] == ["1:1", "16:9", "9:16"]
        assert schema["properties"]["num_outputs"] == {
            "type": "integer",
            "description": "要生成的图像数量。默认值：1。最小值：1，最大值：4。",
            "maximum": 4,
            "minimum": 1,
            "default": 1,
            "x-inferred": [
                {"keyword": "maximum", "from": "最大值：4"},
                {"keyword": "minimum", "from": "最小值：1"},
                {"keyword": "default", "from": "默认值：1"},
            ],
        }

    def test_folders_status_and_docs_link_are_kept(self, run: Run) -> None:
        info = run.spec("models/black-forest-labs/flux-schnell.yaml")["info"]
        assert info["x-source"]["apifox"] == {"folder": "根目录/Replicate 聚合平台", "id": "101"}
        assert info["x-source"]["pointer"] == "/apiCollection/0/items/0/items/0"
        assert info["x-model"]["url"] == "https://replicate.com/black-forest-labs/flux-schnell"

    def test_output_type_comes_from_this_models_own_response_example(self, run: Run) -> None:
        output = run.spec("models/black-forest-labs/flux-schnell.yaml")["components"]["schemas"]["Output"]
        assert output == {
            "type": "array",
            "items": {"type": "string", "format": "uri"},
            "x-inferred": [{"keyword": "type", "from": "a response example of this model"}],
        }

    def test_a_version_page_pins_the_version_of_the_model_its_title_names(self, run: Run) -> None:
        spec = run.spec("models/stability-ai/sdxl.yaml")
        version = "7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc"
        assert spec["info"]["x-model"]["version"] == version
        operation = spec["paths"]["/v1/predictions"]["post"]
        assert operation["requestBody"]["content"]["application/json"]["example"]["version"] == version
        request = spec["components"]["schemas"]["PredictionRequest"]
        assert request["properties"]["version"]["const"] == version
        assert request["required"] == ["version", "input"]
        refine = input_of(spec)["properties"]["refine"]
        assert refine["enum"] == ["no_refiner", "expert_ensemble_refiner", "base_image_refiner"]
        assert refine["default"] == "no_refiner"  # from `默认值:\"no_refiner\"`, escaped quotes and all

    def test_a_templated_path_takes_the_model_from_the_title(self, run: Run) -> None:
        schema = input_of(run.spec("models/bytedance/seedream-3.yaml"))
        assert schema["properties"]["size"]["enum"] == ["small", "regular", "big"]
        assert schema["properties"]["guidance_scale"].items() >= {"minimum": 1, "maximum": 10, "default": 2.5}.items()

    def test_a_page_with_only_an_example_gets_fields_marked_inferred_and_a_warning(self, run: Run) -> None:
        schema = input_of(run.spec("models/minimax/video-01.yaml"))
        from_example = [{"keyword": "type", "from": "the request example"}]
        assert schema["properties"] == {
            "prompt": {"type": "string", "x-inferred": from_example},
            "prompt_optimizer": {"type": "boolean", "x-inferred": from_example},
            "duration": {"type": "integer", "x-inferred": from_example},
        }
        result = next(r for r in run.report()["results"] if r["model"] == "minimax/video-01")
        assert any("no input schema: 3 field(s)" in w for w in result["warnings"])

    def test_the_copied_response_schema_is_reported(self, run: Run) -> None:
        result = next(r for r in run.report()["results"] if r["model"] == "black-forest-labs/flux-schnell")
        assert result["warnings"] == [
            "response 200 schema lists input fields this model does not take (input_image): "
            "copied from another model, discarded"
        ]

    def test_every_spec_written_is_valid(self, run: Run) -> None:
        result = cli("validate", "--specs", str(run.root / "models"), "--shared", str(run.root / "shared"))
        assert result.returncode == 0, result.stderr
        assert "4 model spec(s) and 3 shared spec(s) valid" in result.stdout


def test_openapi_export_with_apifox_extensions(tmp_path: Path) -> None:
    run = run_import(tmp_path, FORMATS / "openapi-export.json")
    assert run.code == 0, run.result.stderr
    spec = run.spec("models/recraft-ai/recraft-v3.yaml")
    properties = input_of(spec)["properties"]
    assert list(properties) == ["prompt", "size", "style", "seed"]  # x-apifox-orders, not `properties`
    assert properties["size"]["enum"] == ["1024x1024", "1365x1024", "1024x1365"]
    assert properties["size"]["x-enum-labels"] == [
        {"value": "1024x1024", "label": "square"},
        {"value": "1365x1024", "label": "landscape"},
        {"value": "1024x1365", "label": "portrait"},
    ]
    assert properties["style"]["enum"] == ["any", "realistic_image", "digital_illustration"]  # through $ref
    assert properties["style"]["default"] == "any"
    assert properties["seed"]["maximum"] == 2147483647  # read for `[integer, "null"]` too
    assert spec["info"]["x-source"]["apifox"] == {"folder": "Replicate 聚合平台/Recraft"}


def test_openapi_yaml_export_with_anchors_and_folded_scalars(tmp_path: Path) -> None:
    document = tmp_path / "export.yml"  # with a document marker, as some exporters write
    document.write_text("---\n" + (FORMATS / "openapi-export.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    run = run_import(tmp_path, document)
    assert run.code == 0, run.result.stderr
    spec = run.spec("models/wan-video/wan-2.1-t2v-480p.yaml")
    properties = input_of(spec)["properties"]
    assert properties["frame_num"]["default"] == 81
    assert properties["size"]["default"] == "832*480"
    assert properties["sample_steps"].items() >= {"default": 30, "minimum": 1, "maximum": 40}.items()
    assert properties["fast_mode"]["enum"] == ["Off", "Balanced", "Fast"]
    assert spec["components"]["schemas"]["Output"]["format"] == "uri"


def test_replicate_model_document_is_a_format_of_its_own(tmp_path: Path) -> None:
    document = FIXTURES / "replicate" / "black-forest-labs" / "flux-schnell.json"
    run = run_import(tmp_path, document)
    assert run.code == 0, run.result.stderr
    spec = run.spec("models/black-forest-labs/flux-schnell.yaml")
    properties = input_of(spec)["properties"]
    assert list(properties) == ["prompt", "aspect_ratio", "num_outputs", "output_format", "seed", "go_fast"]  # x-order
    assert properties["output_format"] == {
        "type": "string",
        "enum": ["webp", "jpg", "png"],
        "default": "webp",
        "description": "Format of the output images",
    }
    assert spec["components"]["schemas"]["Output"] == {"type": "array", "items": {"type": "string", "format": "uri"}}
    # Created by model name, so no version is pinned; the one described is kept as provenance.
    assert "version" not in spec["info"]["x-model"]
    assert spec["info"]["x-source"]["version"].startswith("c846a699")
    assert spec["paths"].keys() == {"/v1/models/black-forest-labs/flux-schnell/predictions"}


def test_a_bare_openapi_schema_must_say_which_model_it_is(tmp_path: Path) -> None:
    model = json.loads((FIXTURES / "replicate" / "black-forest-labs" / "flux-schnell.json").read_text())
    bare = tmp_path / "schema.json"
    bare.write_text(json.dumps(model["latest_version"]["openapi_schema"]))
    run = run_import(tmp_path, bare)
    assert run.code == 2
    assert "a bare openapi_schema does not name its model" in run.result.stderr


def test_replicate_document_and_overrides_complete_the_page(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "replicate", tmp_path / "replicate")
    shutil.copytree(FIXTURES / "overrides", tmp_path / "overrides")
    run = run_import(tmp_path, PROJECT)
    spec = run.spec("models/black-forest-labs/flux-schnell.yaml")
    properties = input_of(spec)["properties"]
    # Union of fields, Replicate's order; go_fast removed and megapixels added by the overrides.
    assert list(properties) == ["prompt", "aspect_ratio", "num_outputs", "output_format", "seed", "megapixels"]
    assert properties["prompt"]["description"] == "图像生成的文字提示。"  # the page's words are kept
    assert len(properties["aspect_ratio"]["enum"]) == 11  # Replicate's enum wins over the prose one
    assert "x-inferred" not in properties["aspect_ratio"]
    assert properties["megapixels"]["default"] == "1"
    assert spec["components"]["schemas"]["Output"] == {"type": "array", "items": {"type": "string", "format": "uri"}}
    source = spec["info"]["x-source"]
    assert source["replicate"]["file"].endswith("replicate/black-forest-labs/flux-schnell.json")
    assert source["overrides"]["file"].endswith("overrides/black-forest-labs/flux-schnell.yaml")
    result = next(r for r in run.report()["results"] if r["model"] == "black-forest-labs/flux-schnell")
    assert result["overridden"] == ["input.megapixels added", "input.go_fast removed", "required replaced"]
    assert any(
        w.startswith("input.aspect_ratio: the page reads from its prose enum ['1:1', '16:9', '9:16'], Replicate says")
        for w in result["warnings"]
    )


def test_a_broken_overrides_file_fails_that_model_at_its_line(tmp_path: Path) -> None:
    target = tmp_path / "overrides" / "google" / "imagen-4-ultra.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("input:\n  aspect_ratio:\n    enum: [a, b]\nouput: {type: string}\n")
    run = run_import(tmp_path, SOURCES / "002_b2b6f75e0f2555c1.txt")
    assert run.code == 2
    assert "imagen-4-ultra.yaml:4: /ouput: unknown key 'ouput'; expected `input`" in run.result.stderr
    assert run.written() == ["overrides/google/imagen-4-ultra.yaml"]


def test_two_documents_for_one_model_are_both_told(tmp_path: Path) -> None:
    run = run_import(tmp_path, SOURCES / "002_b2b6f75e0f2555c1.txt", SAMPLES / "google__imagen-4-ultra.md")
    assert run.code == 0
    warnings = [w for r in run.report()["results"] for w in r["warnings"] if "several documents" in w]
    assert len(warnings) == 2


def test_format_is_detected_from_content_and_can_be_forced(tmp_path: Path) -> None:
    disguised = tmp_path / "export.txt"
    disguised.write_bytes(PROJECT.read_bytes())
    run = run_import(tmp_path / "detected", disguised)
    assert {r["kind"] for r in run.report()["results"]} >= {"model", "get"}
    forced = run_import(tmp_path / "forced", disguised, extra=("--format", "apifox-page-table"))
    assert forced.code == 2
    assert "no path" in forced.result.stderr


def _truncated_json() -> bytes:
    return PROJECT.read_bytes()[:2000]


def _invalid_yaml_markdown() -> bytes:
    lines = (SAMPLES / "google__imagen-4-ultra.md").read_text(encoding="utf-8").splitlines()
    lines[11] = "      summary: [unclosed"  # line 12 of the file, inside the fenced block
    return "\n".join(lines).encode()


def _page_without_path() -> bytes:
    text = (SOURCES / "000_118771e33ff589cc.txt").read_text(encoding="utf-8")
    text = text.replace("POST /replicate/v1/models/ideogram-ai/ideogram-v2-turbo/predictions\n", "")
    return text.replace("| Path | /replicate/v1/models/ideogram-ai/ideogram-v2-turbo/predictions |\n", "").encode()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            _truncated_json,
            ":60:19: document: invalid JSON (Expecting property name enclosed in double quotes); the file ends early",
            id="truncated-json",
        ),
        pytest.param(
            _invalid_yaml_markdown,
            ":13:9: OpenAPI block: invalid YAML (while parsing a flow sequence did not find expected ',' or ']')",
            id="invalid-yaml",
        ),
        pytest.param(
            _page_without_path,
            ":2: no path: neither a `POST /path` line below the title nor a Path row in 概览; expected one of them",
            id="page-without-path",
        ),
        pytest.param(lambda: b'{"apifoxProject": "1.0.0", \xff}', ":1:28: not UTF-8 (byte 0xff)", id="not-utf8"),
        pytest.param(lambda: b"", ": file is empty, expected an Apifox document", id="empty"),
        pytest.param(
            lambda: b"# notes\n\nnothing here\n", ":1: not a recognised Apifox document; expected", id="unknown"
        ),
    ],
)
def test_bad_documents_fail_alone_with_their_place(tmp_path: Path, content: Any, expected: str) -> None:
    folder = tmp_path / "apifox"
    folder.mkdir()
    (folder / "a-good.txt").write_bytes((SOURCES / "000_118771e33ff589cc.txt").read_bytes())
    (folder / "b-bad.doc").write_bytes(content())
    run = run_import(tmp_path, folder)
    assert run.code == 2
    assert f"error: {folder / 'b-bad.doc'}{expected}" in run.result.stderr, run.result.stderr
    assert (
        "2 document(s), 2 endpoint(s): 1 model spec(s), 0 shared operation(s), 0 skipped, 1 failed" in run.result.stdout
    )
    assert run.written() == ["models/ideogram-ai/ideogram-v2-turbo.yaml"]
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_50_mb_file_is_refused_without_being_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.apifox.json"
    with huge.open("wb") as handle:  # sparse: the size is real, the disk is not used
        handle.truncate(50 * 1024 * 1024)
    run = run_import(tmp_path, huge)
    assert run.code == 2
    assert "huge.apifox.json: document is 52428800 bytes, over the 20971520-byte limit" in run.result.stderr


def test_a_failed_reimport_leaves_the_previous_spec_untouched(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes((SOURCES / "000_118771e33ff589cc.txt").read_bytes())
    assert run_import(tmp_path, page).code == 0
    before = (tmp_path / "models/ideogram-ai/ideogram-v2-turbo.yaml").read_bytes()
    page.write_bytes(page.read_bytes()[:1500])  # cut inside the JSON of 请求体
    assert run_import(tmp_path, page).code == 2
    assert (tmp_path / "models/ideogram-ai/ideogram-v2-turbo.yaml").read_bytes() == before


def test_specs_whose_source_is_gone_are_reported_and_pruned_on_request(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    # Its own pages, whatever specs/apifox holds.
    for page in (
        FIXTURES / "samples" / "google__imagen-4-ultra.md",
        FIXTURES / "real" / "anyapi-md__google__imagen-4.txt",
    ):
        shutil.copy(page, pages / page.name)
    assert run_import(tmp_path, pages).code == 0
    hand_written = tmp_path / "models" / "me" / "mine.yaml"
    hand_written.parent.mkdir()
    hand_written.write_text("openapi: 3.1.0\n")  # no import header: never reported
    (pages / "anyapi-md__google__imagen-4.txt").unlink()
    kept = run_import(tmp_path, pages)
    assert "models/google/imagen-4.yaml: its source" in kept.result.stdout
    assert "is gone; --prune removes it" in kept.result.stdout
    assert [o["removed"] for o in kept.report()["orphans"]] == [False]
    pruned = run_import(tmp_path, pages, extra=("--prune",))
    assert pruned.code == 0
    assert "removed " in pruned.result.stdout
    assert pruned.written() == ["models/google/imagen-4-ultra.yaml", "models/me/mine.yaml"]


# -- the seed pages read into the record and normalized


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
    assert inferred(schema["properties"]["aspect_ratio"]) == {"default": "默认值：“1:1”"}
    assert "default" not in schema["properties"]["prompt"]


def test_responses_are_canonical_and_the_copied_input_is_dropped() -> None:
    spec = normalize(one(GLUED))
    schemas = spec.document["components"]["schemas"]
    assert set(spec.document["paths"]["/v1/models/google/imagen-4-ultra/predictions"]["post"]["responses"]) == {
        "201",
        "202",
        "400",
        "401",
        "413",
        "415",
        "422",
        "429",
    }
    assert "aborted" in schemas["PredictionStatus"]["enum"]
    assert schemas["Prediction"]["properties"]["error"] == {"type": ["string", "null"]}
    assert "input_image" not in json.dumps(spec.document)
    assert any("copied from another model" in w for w in spec.warnings)


def test_provenance_records_the_source_and_its_hash(in_catalog: None) -> None:
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


def test_import_of_the_seeds_reproduces_the_committed_specs(tmp_path: Path, in_catalog: None) -> None:
    result = cli("import", "specs/apifox", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    produced = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in tmp_path.rglob("*.yaml")}
    committed = {  # the specs imported from specs/apifox; hand-written ones have no such header
        p.relative_to(SPECS).as_posix(): p.read_bytes()
        for p in SPECS.rglob("*.yaml")
        if p.read_text(encoding="utf-8").startswith("# Normalized by replicate-codegen from specs/apifox/")
    }
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
