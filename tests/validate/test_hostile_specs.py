"""Specs made to hurt `validate`: each is refused with exit 2, naming the file and line, in bounded
time and memory; nothing is read from a device or a FIFO."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tests.conftest import SPECS, cli, model_spec

_BOMB = "openapi: 3.1.0\nx: &a [a, a, a, a, a, a, a, a, a, a]\n" + "".join(
    f"x{n}: &a{n} [" + ", ".join([f"*a{n - 1}" if n else "*a"] * 10) + "]\n" for n in range(8)
)


def _validate(folder: Path) -> tuple[int, str]:
    run = cli("validate", "--specs", str(folder), "--shared", str(folder / "none"))
    return run.returncode, run.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (_BOMB, "spec.yaml:8: YAML expands to over 2000000 nodes"),
        ("openapi: 3.1.0\nx: " + "[" * 100_000 + "]" * 100_000 + "\n", "spec.yaml:2: YAML nested too deeply"),
        ("openapi: 3.1.0\nx:\n" + "".join("  " * n + "- \n" for n in range(1, 150)), "YAML nested too deeply"),
        ("openapi: 3.1.0\nx: " + "9" * 5000 + "\n", "spec.yaml:2: an integer of 5000 characters"),
        ("openapi: 3.1.0\nx: !!int '" + "1" * 200 + "'\n", "spec.yaml:2: an integer of 200 characters"),
        ("openapi: 3.1.0\n? [a]\n: b\n", "spec.yaml:2: mapping key 'a collection' is not a string"),
        ("openapi: 3.1.0\ntrue: b\n", "spec.yaml:2: mapping key 'true' is not a string; quote it"),
        ('openapi: 3.1.0\nx: "\\ud800"\n', "spec.yaml:2:7: invalid YAML"),
        ("openapi: 3.1.0\nx: .nan\n", "spec.yaml:2: .nan is not a JSON number"),
        ("openapi: 3.1.0\nx: -1.0e+400\n", "spec.yaml:2: -1.0e+400 is not a JSON number"),
        ("openapi: 3.1.0\nx: a\x00\n", "spec.yaml:2:5: invalid YAML: character U+0000 is not allowed in YAML"),
    ],
    ids=[
        "alias-bomb",
        "deep-flow",
        "deep-block",
        "huge-int",
        "tagged-int",
        "collection-key",
        "bool-key",
        "surrogate",
        "nan",
        "1e400",
        "nul",
    ],
)
def test_a_hostile_spec_is_refused_with_its_line(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "spec.yaml").write_text(content, encoding="utf-8")
    code, stderr = _validate(tmp_path)
    assert code == 2
    assert expected in stderr


def test_a_spec_that_is_a_device_or_a_fifo_is_refused_without_reading(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    code, stderr = _validate(tmp_path)
    assert code == 2 and "zero.yaml: cannot read spec: a device, expected a regular file" in stderr
    (tmp_path / "zero.yaml").unlink()
    os.mkfifo(tmp_path / "pipe.yaml")
    code, stderr = _validate(tmp_path)
    assert code == 2 and "pipe.yaml: cannot read spec: a FIFO (named pipe)" in stderr


def test_response_codes_written_as_numbers_are_read_as_the_strings_openapi_means(tmp_path: Path) -> None:
    """`201:` unquoted is how people write responses by hand: accepted, unlike other non-string keys."""
    text = yaml.safe_dump(model_spec("acme", "tiny", {"type": "object", "properties": {}}), sort_keys=False)
    assert "'201':" in text
    (tmp_path / "tiny.yaml").write_text(text.replace("'201':", "201:"), encoding="utf-8")
    code, stderr = _validate(tmp_path)
    assert code == 0, stderr


def test_every_unreadable_spec_is_named_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("openapi: [\n", encoding="utf-8")
    (tmp_path / "b.yaml").symlink_to("/dev/zero")
    (tmp_path / "c.yaml").write_text("x: .nan\n", encoding="utf-8")
    code, stderr = _validate(tmp_path)
    assert code == 2
    lines = stderr.splitlines()
    assert [Path(line.split(": ", 2)[1]).name for line in lines[:3]] == ["a.yaml:2:1", "b.yaml", "c.yaml:1"]
    assert lines[-1] == "3 input(s) cannot be read"


def test_a_spec_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    Path(os.fsdecode(bytes(tmp_path) + b"/\xff.yaml")).write_text("x: [\n", encoding="utf-8")
    code, stderr = _validate(tmp_path)
    assert code == 2 and "\\xff.yaml:2" in stderr


def test_a_spec_whose_structure_breaks_the_openapi_validator_is_reported_with_its_place(tmp_path: Path) -> None:
    """openapi-spec-validator raises on a parameter that is not an object; the check reports it."""
    spec = model_spec("acme", "tiny", {"type": "object", "properties": {}}, parameters=["seed"])
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    code, stderr = _validate(tmp_path)
    assert code == 1, stderr
    assert (
        'tiny.yaml:22: /paths/~1v1~1models~1acme~1tiny~1predictions/post/parameters/0: "seed" is not of type' in stderr
    )


def test_the_problems_of_the_readable_specs_are_told_beside_the_unreadable_ones(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("openapi: [\n", encoding="utf-8")
    broken = yaml.safe_load((SPECS / "google" / "imagen-4-ultra.yaml").read_text(encoding="utf-8"))
    broken["components"]["schemas"]["Input"]["properties"]["prompt"]["type"] = "strin"
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    code, stderr = _validate(tmp_path)
    assert code == 2
    assert "a.yaml:2:1: invalid YAML" in stderr
    assert '/components/schemas/Input/properties/prompt/type: "strin" is not valid' in stderr
    # the invalid type, and the request example, which the broken schema can no longer check
    assert stderr.splitlines()[-1] == "1 input(s) cannot be read; 2 problem(s) in the others"
