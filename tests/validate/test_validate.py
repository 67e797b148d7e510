from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import SPECS, CliRun, cli

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
