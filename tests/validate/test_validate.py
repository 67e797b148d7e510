from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import SPECS, CliRun, cli, model_spec

IDEOGRAM = SPECS / "ideogram-ai" / "ideogram-v2-turbo.yaml"


def validate(*args: str) -> CliRun:
    return cli("validate", *args)


def broken_copy(tmp_path: Path) -> Path:
    document = yaml.safe_load(IDEOGRAM.read_text(encoding="utf-8"))
    props = document["components"]["schemas"]["Input"]["properties"]
    props["aspect_ratio"]["enum"] = ["16:9"]  # the default "1:1" no longer fits
    operation = document["paths"]["/v1/models/ideogram-ai/ideogram-v2-turbo/predictions"]["post"]
    operation["requestBody"]["content"]["application/json"]["example"]["input"]["style_type"] = 3
    operation["responses"]["201"]["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/Nope"}
    path = tmp_path / "models" / "ideogram.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_committed_specs_are_valid(in_catalog: None) -> None:
    result = validate()
    assert result.returncode == 0, result.stderr
    count = len(list(SPECS.rglob("*.yaml")))  # whatever models the tree holds
    assert f"{count} model spec(s) and 0 shared spec(s) valid" in result.stdout


def test_every_problem_is_reported_at_once_with_file_line_and_pointer(tmp_path: Path) -> None:
    path = broken_copy(tmp_path)
    result = validate(str(path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    text = path.read_text(encoding="utf-8").splitlines()
    ref_line = next(i for i, line in enumerate(text, 1) if "#/components/schemas/Nope" in line)
    assert (
        f"{path}:{ref_line}: /paths/~1v1~1models~1ideogram-ai~1ideogram-v2-turbo~1predictions/post/responses/201"
        "/content/application~1json/schema/$ref: reference '#/components/schemas/Nope' points to nothing"
        in result.stderr
    )
    assert any(
        "/components/schemas/Input/properties/aspect_ratio/default: value does not fit" in line for line in lines
    )
    assert any(
        '/example: value at /input/style_type does not fit its schema: 3 is not of type "string"' in line
        for line in lines
    )
    assert any("/example: value at /input/aspect_ratio does not fit" in line for line in lines)
    assert lines[-1] == "validation failed: 4 problem(s)"
    assert "Traceback" not in result.stderr


def test_a_model_defined_twice_is_reported(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        shutil.copy(IDEOGRAM, tmp_path / name / "ideogram.yaml")
    result = validate("--specs", str(tmp_path))
    assert result.returncode == 1
    assert "model ideogram-ai/ideogram-v2-turbo is also defined by" in result.stderr
    assert "operationId 'create_prediction__ideogram_ai__ideogram_v2_turbo' is also used in" in result.stderr


def test_invalid_yaml_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("openapi: 3.1.0\ninfo: [unclosed\n", encoding="utf-8")
    result = validate(str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {path}:3:1: invalid YAML")


def test_an_invalid_schema_is_reported_at_its_place_in_the_document(tmp_path: Path) -> None:
    document = yaml.safe_load(IDEOGRAM.read_text(encoding="utf-8"))
    document["components"]["schemas"]["Input"]["properties"]["resolution"]["type"] = "strin"
    path = tmp_path / "ideogram.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = validate(str(path))
    assert result.returncode == 1
    line = next(
        i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.strip() == "type: strin"
    )
    # openapi-spec-validator says `/type`, relative to the schema; the report names the document's place.
    where = "/components/schemas/Input/properties/resolution/type"
    assert f'{path}:{line}: {where}: "strin" is not valid' in result.stderr


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_a_missing_specs_folder_is_an_error_naming_it(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no-such-folder"
    result = CliRunner().invoke(main, [command, "--specs", str(missing)])
    assert result.exit_code == 2
    assert f"{missing}: no such folder" in result.output


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_an_empty_specs_folder_is_an_error_naming_it(tmp_path: Path, command: str) -> None:
    empty = tmp_path / "models"
    (empty / ".hidden").mkdir(parents=True)
    (empty / ".hidden" / "skipped.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    result = cli(command, "--specs", str(empty), *(["--out", str(tmp_path / "out")] if command == "generate" else []))
    assert result.returncode == 2
    assert f"error: {empty}: holds no model spec" in result.stderr
    assert not (tmp_path / "out").exists()


def test_boolean_schemas_anywhere_are_read_and_generate(tmp_path: Path) -> None:
    """`true` and `false` are schemas in JSON Schema 2020-12: as properties, items or nested."""
    inputs = {
        "type": "object",
        "properties": {
            "anything": True,
            "never": False,
            "nested": {"type": "object", "properties": {"open": True}, "additionalProperties": False},
            "listed": {"type": "array", "items": True},
        },
    }
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "bools.yaml").write_text(yaml.safe_dump(model_spec("acme", "bools", inputs)), encoding="utf-8")
    assert validate("--specs", str(specs)).returncode == 0
    out = tmp_path / "out"
    generated = cli("generate", "--specs", str(specs), "--shared", str(tmp_path / "none"), "--out", str(out))
    assert generated.returncode == 0, generated.stderr
    bundle = yaml.safe_load((out / "openapi.yaml").read_text(encoding="utf-8"))
    # the bundle keeps the booleans as the spec wrote them
    assert bundle["components"]["schemas"]["BoolsInput"]["properties"]["never"] is False


@pytest.mark.parametrize(
    ("place", "holder"),
    [
        ("schema", lambda d: d["components"]["schemas"]["Input"]["properties"]["size"]),
        ("parameter", lambda d: d["paths"]["/v1/models/acme/x/predictions"]["post"]["parameters"][0]),
        ("named", lambda d: d["paths"]["/v1/models/acme/x/predictions"]["post"]["parameters"][0]),
    ],
)
def test_every_example_is_checked_against_its_schema(tmp_path: Path, place: str, holder: Any) -> None:
    document = model_spec(
        "acme",
        "x",
        {"type": "object", "properties": {"size": {"type": "integer", "maximum": 10}}},
        parameters=[{"name": "Prefer", "in": "header", "schema": {"type": "string", "pattern": "^wait"}}],
    )
    if place == "named":
        holder(document)["examples"] = {"good": {"value": "wait=5"}, "bad": {"value": "hold"}}
    else:
        holder(document)["example"] = 11 if place == "schema" else "hold"
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = validate(str(path))
    assert result.returncode == 1
    where = {
        "schema": "/components/schemas/Input/properties/size/example: value does not fit its schema: 11 is greater",
        "parameter": "/parameters/0/example: value does not fit its schema",
        "named": "/parameters/0/examples/bad/value: value does not fit its schema",
    }[place]
    assert where in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "validation failed: 1 problem(s)"


def test_models_that_differ_only_in_case_are_reported(tmp_path: Path) -> None:
    for name in ("Foo", "foo"):
        spec = model_spec("acme", name, {"type": "object", "properties": {}}, operationId=f"create_{name}")
        (tmp_path / f"{name}-spec.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = validate("--specs", str(tmp_path))
    assert result.returncode == 1
    assert "model acme/foo differs from acme/Foo" in result.stderr
    assert "would be one on a file system that ignores case" in result.stderr
