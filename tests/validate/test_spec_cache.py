"""A spec is parsed and checked once per content and generator: its bytes parsed or found valid by
this same generator are not parsed or checked again; anything else is, problems are reported every
time, and what comes back from the cache is what the parse gave."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator import cache, validate
from generator.spec import reading, specfile
from generator.validate import rules
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
    real = rules.openapi_findings

    def counting(document: dict[str, object]):  # type: ignore[no-untyped-def]
        seen.append(str(document["info"]["x-model"]["name"]))  # type: ignore[index]
        return real(document)  # type: ignore[arg-type]

    monkeypatch.setattr(rules, "openapi_findings", counting)
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
    monkeypatch.setattr(cache, "fingerprint", lambda: "other rules, other validators")
    _validate(specs)
    assert sorted(checked) == ["one", "one", "two", "two"]


def test_a_spec_parsed_before_comes_back_the_same_without_parsing(specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = specs / "one.yaml"
    first = specfile.load(path, "one.yaml", parsed=cache.Parsed())

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(reading, "compose_yaml", no_parse)
    again = specfile.load(path, "one.yaml", parsed=cache.Parsed())
    assert (again.document, again.sha256) == (first.document, first.sha256)
    assert again.line_of("/components/schemas/Input/properties/steps") == first.line_of(
        "/components/schemas/Input/properties/steps"
    )


def test_what_json_cannot_hold_or_a_broken_entry_is_parsed_again(specs: Path) -> None:
    dated = specs / "dated.yaml"
    dated.write_text("openapi: 3.1.0\nreleased: 2024-01-02\n", encoding="utf-8")
    for _ in range(2):  # a YAML date is not JSON: never kept, read right each time
        assert str(specfile.load(dated, "dated.yaml", parsed=cache.Parsed()).document["released"]) == "2024-01-02"
    path = specs / "one.yaml"
    specfile.load(path, "one.yaml", parsed=cache.Parsed())
    for entry in (cache.cache_root() / "parsed").rglob("*.json"):
        entry.write_text("[{", encoding="utf-8")
    assert specfile.load(path, "one.yaml", parsed=cache.Parsed()).document["info"]["x-model"]["name"] == "one"


def test_specs_an_import_just_wrote_are_not_parsed_again(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import FIXTURES

    out = tmp_path / "imported"
    source = FIXTURES / "samples" / "google__imagen-4-ultra.md"
    assert cli("import", str(source), "--out", str(out), "--shared", str(tmp_path / "shared")).returncode == 0
    written = next(out.rglob("*.yaml"))

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a spec the import wrote was parsed again")

    monkeypatch.setattr(reading, "compose_yaml", no_parse)
    loaded = specfile.load(written, "w.yaml", parsed=cache.Parsed())
    monkeypatch.undo()
    assert loaded.document == specfile.load(written, "w.yaml").document  # what a parse gives


def test_a_problem_in_a_spec_known_from_its_import_still_has_its_line(specs: Path) -> None:
    spec = model_spec("acme", "bad", {"type": "object", "properties": {"steps": {"type": "integer", "default": "x"}}})
    data = ("# a header line\n" + specfile.dump(spec)).encode()
    (specs / "bad.yaml").write_bytes(data)
    specfile.remember_written(data, spec, cache.Parsed())
    problems = validate.validate([specfile.load(specs / "bad.yaml", "bad.yaml", parsed=cache.Parsed())])
    line = next(n for n, text in enumerate(data.decode().splitlines(), 1) if "default: x" in text)
    assert [(p.pointer.endswith("/steps/default"), p.line) for p in problems] == [(True, line)]


@pytest.mark.parametrize(
    "value",
    [{1: "int key"}, {"x": float("nan")}, {"x": 10**200}, {"x": "\ud800"}, {"\udfff": 1}, {"x": (1, 2)}],
    ids=["int-key", "nan", "huge-int", "surrogate", "surrogate-key", "tuple"],
)
def test_only_documents_a_load_gives_back_as_they_are_are_handed_over(value: object, specs: Path) -> None:
    assert not reading.is_plain(value)
    nested: object = "leaf"
    for _ in range(reading.MAX_DEPTH + 1):
        nested = [nested]
    assert not reading.is_plain({"deep": nested})
    assert reading.is_plain(model_spec("acme", "fine", INPUT) | {"x": [1.5, None, True, "ü"]})
