"""A spec is checked once per content and validator: its bytes found valid by this same generator
are not checked again; anything else is, and problems are reported every time."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator import stamp, validate
from tests.conftest import cli, model_spec

INPUT = {"type": "object", "properties": {"steps": {"type": "integer", "default": 4}}}


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "specs"
    folder.mkdir()
    for name in ("one", "two"):
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(model_spec("acme", name, INPUT)), encoding="utf-8")
    return folder


def _checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The model of every spec the OpenAPI check runs on from now on."""
    seen: list[str] = []
    real = validate.openapi_errors

    def counting(document: dict[str, object]):  # type: ignore[no-untyped-def]
        seen.append(str(document["info"]["x-model"]["name"]))  # type: ignore[index]
        return real(document)  # type: ignore[arg-type]

    monkeypatch.setattr(validate, "openapi_errors", counting)
    return seen


def _validate(specs: Path) -> tuple[int, str]:
    run = cli("validate", "--specs", str(specs), "--shared", str(specs / "none"))
    return run.returncode, run.stderr


def test_a_spec_found_valid_is_not_checked_again_until_its_bytes_change(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = _checked(monkeypatch)
    assert _validate(specs)[0] == 0
    assert sorted(checked) == ["one", "two"]
    checked.clear()
    assert _validate(specs)[0] == 0
    assert checked == []
    spec = specs / "one.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\n# a comment changes the bytes\n", encoding="utf-8")
    assert _validate(specs)[0] == 0
    assert checked == ["one"]


def test_problems_are_reported_every_time(specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = model_spec("acme", "one", {**INPUT, "properties": {"steps": {"type": "integer", "default": "x"}}})
    (specs / "one.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    checked = _checked(monkeypatch)
    for _ in range(2):
        code, stderr = _validate(specs)
        assert code == 1 and "/default" in stderr
    assert checked.count("one") == 2


def test_another_generator_checks_everything_again(specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked = _checked(monkeypatch)
    _validate(specs)
    monkeypatch.setattr(stamp, "fingerprint", lambda: "other rules, other validators")
    _validate(specs)
    assert sorted(checked) == ["one", "one", "two", "two"]
