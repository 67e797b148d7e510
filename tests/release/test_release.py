"""Regenerating after a change bumps the client's version by semver and prepends a changelog entry;
the same specs and previous tree give the same bytes, and `--check` sees a stale version."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.release import bump, diff
from tests.conftest import cli
from tests.release.test_diff import Spec, _props, _require, base


def _generate(tmp_path: Path, spec: Spec) -> str:
    specs = tmp_path / "specs"
    specs.mkdir(exist_ok=True)
    (specs / "painter.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = cli("generate", "--specs", str(specs), "--shared", str(tmp_path / "none"), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    return result.stdout


def _version(tmp_path: Path) -> str:
    return str(yaml.safe_load((tmp_path / "out/openapi.yaml").read_text(encoding="utf-8"))["info"]["version"])


def _described(spec: Spec) -> None:
    _props(spec)["prompt"]["description"] = "What to paint, in a sentence."


@pytest.mark.parametrize(
    ("edit", "version", "heading"),
    [
        (_require("megapixels", {"type": "integer"}), "0.2.0", "### Breaking"),
        (lambda s: _props(s).update(style={"type": "string"}), "0.2.0", "### Added and changed"),
        (_described, "0.1.1", "### Documentation"),
    ],
    ids=["breaking", "additive", "docs-only"],
)
@pytest.mark.slow
def test_regenerating_bumps_the_version_and_prepends_the_changelog(
    tmp_path: Path, edit: Callable[[Spec], None], version: str, heading: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(tmp_path, base())
    first = (tmp_path / "out/python/CHANGELOG.md").read_text(encoding="utf-8")
    assert _version(tmp_path) == "0.1.0" and "## 0.1.0" in first
    edited = copy.deepcopy(base())
    edit(edited)
    printed = _generate(tmp_path, edited)
    assert f"the client is now version {version}" in printed
    assert _version(tmp_path) == version
    assert f'version = "{version}"' in (tmp_path / "out/python/pyproject.toml").read_text(encoding="utf-8")
    assert f'__version__ = "{version}"' in (tmp_path / "out/python/replicate_models/_version.py").read_text(
        encoding="utf-8"
    )
    changelog = (tmp_path / "out/python/CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index(f"## {version}") < changelog.index(heading) < changelog.index("## 0.1.0")
    assert f"version {version}" in (tmp_path / "out/docs/changelog.html").read_text(encoding="utf-8")
    assert "is up to date" in _generate(tmp_path, edited)  # nothing changed: the stamp stands
    # Without the stamp, a full run over the tree it made: the same version, the same bytes.
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / "no-stamps"))
    again = _generate(tmp_path, edited)
    assert "0 added, 0 changed, 0 removed" in again and _version(tmp_path) == version


@pytest.mark.slow
def test_check_reports_a_stale_version_and_changelog(tmp_path: Path) -> None:
    _generate(tmp_path, base())
    edited = copy.deepcopy(base())
    _described(edited)
    (tmp_path / "specs/painter.yaml").write_text(yaml.safe_dump(edited), encoding="utf-8")
    result = cli(
        "generate",
        "--specs",
        str(tmp_path / "specs"),
        "--shared",
        str(tmp_path / "none"),
        "--out",
        str(tmp_path / "out"),
        "--check",
    )
    assert result.returncode == 1
    for stale in (
        "python/CHANGELOG.md",
        "python/pyproject.toml",
        "python/replicate_models/_version.py",
        "openapi.yaml",
    ):
        assert f"stale: changed  {stale}" in result.stderr


@pytest.mark.parametrize(
    ("version", "level", "expected"),
    [
        ("0.3.2", diff.BREAKING, "0.4.0"),
        ("1.3.2", diff.BREAKING, "2.0.0"),
        ("1.3.2", diff.ADDITIVE, "1.4.0"),
        ("1.3.2", diff.DOCS, "1.3.3"),
        ("1.3.2", None, "1.3.2"),
    ],
)
def test_semver(version: str, level: str | None, expected: str) -> None:
    assert bump(version, level) == expected


def test_the_views_kept_for_each_model_are_what_reading_the_bundle_back_gives(tmp_path: Path) -> None:
    """Each model's view is kept with its rendered files, so the next run need not parse the
    bundle: they must be what parsing it gives, for models with extra schemas, a recursive one, no Output."""
    from generator.build.generate import generated_tree
    from generator.catalog import load_catalog
    from generator.render import model_outputs
    from generator.spec.specfile import dump
    from tests.conftest import model_spec

    specs = tmp_path / "specs"
    specs.mkdir()
    odd = model_spec("acme", "odd", {"type": "object", "properties": {"node": {"$ref": "#/components/schemas/Node"}}})
    node = {"name": {"type": "string"}, "child": {"$ref": "#/components/schemas/Node"}}
    odd["components"]["schemas"]["Node"] = {"type": "object", "properties": node}
    (specs / "odd.yaml").write_text(dump(odd), encoding="utf-8")
    (specs / "painter.yaml").write_text(yaml.safe_dump(base()), encoding="utf-8")
    kept = {output.entry.id: output.view for output in model_outputs(load_catalog(specs).models)}
    assert diff.views_of_bundle(yaml.safe_load(generated_tree(specs)["openapi.yaml"])) == kept


@pytest.mark.slow
def test_the_next_release_reads_the_previous_bundle_from_the_cache_unless_it_was_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.release

    _generate(tmp_path, base())
    parsed: list[Path] = []
    real_read = generator.release._read
    monkeypatch.setattr(
        generator.release, "_read", lambda bundle, data: parsed.append(bundle) or real_read(bundle, data)
    )
    read: list[Path] = []
    real_bytes = generator.release._bytes
    monkeypatch.setattr(generator.release, "_bytes", lambda bundle: read.append(bundle) or real_bytes(bundle))
    edited = copy.deepcopy(base())
    _described(edited)
    assert "the client is now version 0.1.1" in _generate(tmp_path, edited)
    assert parsed == []  # the views of the bundle it wrote were kept
    assert read == []  # and the stamp vouched for its bytes: not even read
    bundle = tmp_path / "out/openapi.yaml"  # by hand: the kept views do not vouch for these bytes
    bundle.write_text(bundle.read_text(encoding="utf-8").replace("version: 0.1.1", "version: 0.3.0"), encoding="utf-8")
    _props(edited)["prompt"]["description"] = "Changed again."
    assert "the client is now version 0.3.1" in _generate(tmp_path, edited)
    assert parsed == [bundle]


@pytest.mark.slow
def test_a_previous_bundle_beyond_the_input_size_limit_is_still_read(tmp_path: Path) -> None:
    """The bundle of a few thousand models outgrows the limit set for documents (8 KB a model): the
    run that follows must still read it, or no catalogue of that size could be regenerated."""
    from generator.spec import reading

    _generate(tmp_path, base())
    bundle = tmp_path / "out/openapi.yaml"
    padding = "# " + "x" * 1022 + "\n"  # a comment: the bytes no longer unchanged for, so the bundle is parsed
    bundle.write_text(bundle.read_text(encoding="utf-8") + padding * (reading.MAX_FILE_BYTES // 1024 + 1))
    assert bundle.stat().st_size > reading.MAX_FILE_BYTES
    edited = copy.deepcopy(base())
    _described(edited)
    assert "the client is now version 0.1.1" in _generate(tmp_path, edited)


@pytest.mark.parametrize("version", ["not-a-version", None])
def test_a_previous_bundle_without_a_version_is_an_error_not_a_first_release(
    project: Path, version: str | None
) -> None:
    """A hand-edited bundle must not restart the version history: the changelog would be lost."""
    bundle = project / "generated" / "openapi.yaml"
    text = bundle.read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    old = document["info"]["version"]
    replaced = f"  version: {version}\n" if version is not None else ""
    bundle.write_text(text.replace(f"  version: {old}\n", replaced, 1), encoding="utf-8")
    changelog = (project / "generated" / "python" / "CHANGELOG.md").read_bytes()
    spec = project / "specs" / "models" / "google" / "imagen-4-ultra.yaml"
    edited = spec.read_text(encoding="utf-8").replace("图像生成的文字提示。", "What to paint.")
    spec.write_text(edited, encoding="utf-8")
    result = cli("generate", cwd=project)
    assert result.returncode == 2
    assert "generated/openapi.yaml: /info/version: info.version" in result.stderr
    assert (project / "generated" / "python" / "CHANGELOG.md").read_bytes() == changelog  # nothing touched
