"""A rebuild with nothing changed reads no spec and writes nothing; any change, to a spec, to the
generated tree or to the generator, makes a full run whose tree is what a cold build gives."""

from __future__ import annotations

import shutil
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from generator import cache
from generator.build import filetree
from generator.spec import settings
from tests.build.conftest import spec_text
from tests.conftest import FIXTURES, cli


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / "cache"))
    (tmp_path / "specs" / "acme").mkdir(parents=True)
    for name in ("one", "two", "four"):
        (tmp_path / "specs" / "acme" / f"{name}.yaml").write_text(spec_text(name), encoding="utf-8")
    return tmp_path


def _generate(work: Path, *extra: str) -> str:
    run = cli("generate", "--specs", "specs", "--shared", "none", "--out", "out", *extra, cwd=work)
    assert run.returncode == 0, run.stderr
    return run.stdout


def _cold(work: Path) -> filetree.FileTree:
    """What a build from scratch makes of the specs as they are now."""
    scratch = work / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    shutil.copytree(work / "specs", scratch / "specs")
    shutil.copytree(work / "out", scratch / "out")  # the release (version, changelog) follows the tree
    run = cli("generate", "--specs", "specs", "--shared", "none", "--out", "out", cwd=scratch,
              env={"REPLICATE_CODEGEN_CACHE": str(scratch / "cache")})  # fmt: skip
    assert run.returncode == 0, run.stderr
    return filetree.read(scratch / "out")


def test_nothing_changed_reads_no_spec_and_writes_nothing(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _generate(work)
    before = {p: p.stat().st_mtime_ns for p in (work / "out").rglob("*")}

    def no_spec_is_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("a spec was loaded")

    monkeypatch.setattr("generator.spec.specfile.load", no_spec_is_read)
    assert "out is up to date (" in _generate(work)
    monkeypatch.undo()
    assert "out is up to date (" in _generate(work, "--check")  # which trusts no stamp: it reads and renders
    assert {p: p.stat().st_mtime_ns for p in (work / "out").rglob("*")} == before


def test_a_series_of_edits_each_gives_what_a_cold_build_gives(work: Path) -> None:
    _generate(work)
    spec = work / "specs" / "acme" / "one.yaml"
    edits = [
        lambda: spec.write_text(spec_text("one", "A longer prompt."), encoding="utf-8"),  # a description
        lambda: (work / "specs" / "acme" / "three.yaml").write_text(spec_text("three"), encoding="utf-8"),  # added
        lambda: (work / "specs" / "acme" / "two.yaml").unlink(),  # removed
        lambda: spec.touch(),  # touched, not changed
        lambda: (work / "out" / "docs" / "index.md").write_text("edited by hand", encoding="utf-8"),
        lambda: (work / "out" / "python" / "stray.py").write_text("x = 1\n", encoding="utf-8"),
        # a model's own files, which a rebuild otherwise keeps without reading them
        lambda: (work / "out" / "python" / "replicate_models" / "resources" / "four.py").write_text("# edited\n"),
        lambda: (work / "out" / "docs" / "models" / "acme" / "four.md").unlink(),
        # another owner's `one`: acme/one, unchanged, is now named `acme_one`
        lambda: (work / "specs" / "other.yaml").write_text(spec_text("one", owner="zeta"), encoding="utf-8"),
        # the same bytes in another file: the headers name it
        lambda: (work / "specs" / "acme" / "four.yaml").rename(work / "specs" / "acme" / "renamed.yaml"),
    ]
    for edit in edits:
        edit()
        _generate(work)
        assert filetree.read(work / "out") == _cold(work)


def test_one_changed_spec_renders_and_writes_only_what_it_changes(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.render.models
    import generator.spec.specfile

    _generate(work)
    before = {p: p.stat().st_mtime_ns for p in (work / "out").rglob("*") if p.is_file()}
    monkeypatch.setenv("REPLICATE_CODEGEN_JOBS", "1")  # rendered in this process, where it is watched
    rendered: list[str] = []
    real = generator.render.models.render_inputs
    monkeypatch.setattr(
        generator.render.models, "render_inputs", lambda models: rendered.extend(m.id for m in models) or real(models)
    )
    read: list[str] = []
    real_load = generator.spec.specfile.load
    monkeypatch.setattr(
        generator.spec.specfile, "load", lambda path, *a, **k: read.append(path.name) or real_load(path, *a, **k)
    )
    (work / "specs" / "acme" / "one.yaml").write_text(spec_text("one", "A longer prompt."), encoding="utf-8")
    printed = _generate(work)
    assert read == ["one.yaml"]  # the others are known by what the last run left (generator.build.snapshot)
    assert rendered == ["acme/one"]  # acme/two's outputs were kept
    moved = sorted(p.relative_to(work / "out").as_posix() for p, ns in before.items() if p.stat().st_mtime_ns != ns)
    changed = sorted(line.split()[1] for line in printed.splitlines() if line.startswith("changed "))
    assert moved == changed and "python/replicate_models/types/one.py" in changed
    assert not any("two" in path for path in changed)
    assert filetree.read(work / "out") == _cold(work)


def test_after_a_rebuild_the_next_run_proves_the_output_by_stat_alone(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    _generate(work)
    (work / "specs" / "acme" / "one.yaml").write_text(spec_text("one", "A longer prompt."), encoding="utf-8")
    _generate(work)  # a rebuild: most files linked from the old tree, which is then removed
    hashed: list[str] = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda file, *a: hashed.append(file.name) or real(file, *a))
    assert "out is up to date (" in _generate(work)
    # no output file's stat changed since the rebuild stamped it: none is read again
    assert [name for name in hashed if name.startswith("out/")] == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_spec_saved_or_a_kept_file_edited_while_a_run_goes_on_is_seen_by_the_next_run(
    work: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    import generator.build.generate

    monkeypatch.setenv("REPLICATE_CODEGEN_JOBS", jobs)
    _generate(work)
    real = generator.build.generate.generate

    def saved_meanwhile(*args: Any, **kwargs: Any) -> Any:
        built = real(*args, **kwargs)  # the specs are read: the user saves one again before the run ends
        (work / "specs" / "acme" / "two.yaml").write_text(spec_text("two", "Saved meanwhile."), encoding="utf-8")
        with (work / "out" / "python" / "replicate_models" / "types" / "four.py").open("a") as kept:
            kept.write("# and a kept file edited by hand\n")
        return built

    monkeypatch.setattr(generator.build.generate, "generate", saved_meanwhile)
    (work / "specs" / "acme" / "one.yaml").write_text(spec_text("one", "A longer prompt."), encoding="utf-8")
    _generate(work)
    monkeypatch.setattr(generator.build.generate, "generate", real)
    assert "up to date" not in _generate(work)
    assert "Saved meanwhile." in (work / "out" / "python" / "replicate_models" / "types" / "two.py").read_text()
    assert filetree.read(work / "out") == _cold(work)
    assert "up to date" in _generate(work)


@pytest.mark.parametrize("edited", ["four", "one"])
def test_an_output_file_edited_while_a_run_goes_on_is_never_stamped_as_the_runs(
    work: Path, monkeypatch: pytest.MonkeyPatch, edited: str
) -> None:
    """Edited as the run links it from the old tree (acme/four, unchanged) or once it is written
    (acme/one, changed), before the stamp: the next run must find the edit, not call it up to date."""
    from generator.build import stamp

    _generate(work)
    real = stamp.record

    def edited_meanwhile(output: Path, *args: Any, **kwargs: Any) -> None:
        with (output / "python" / "replicate_models" / "types" / f"{edited}.py").open("a") as file:
            file.write("# edited by hand\n")
        real(output, *args, **kwargs)

    monkeypatch.setattr(stamp, "record", edited_meanwhile)
    (work / "specs" / "acme" / "one.yaml").write_text(spec_text("one", "A longer prompt."), encoding="utf-8")
    _generate(work)
    monkeypatch.setattr(stamp, "record", real)
    assert "up to date" not in _generate(work)
    assert filetree.read(work / "out") == _cold(work)
    assert "up to date" in _generate(work)


def test_another_generator_is_a_full_run(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _generate(work)
    monkeypatch.setattr(cache, "fingerprint", lambda: "another version of replicate-codegen")
    assert "up to date" not in _generate(work)


def test_the_fingerprint_covers_code_templates_tools_and_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.jinja").write_text("one", encoding="utf-8")
    monkeypatch.setattr(cache, "_TEMPLATES", templates)

    def fresh() -> str:
        cache._code.cache_clear()
        return cache.fingerprint()

    try:
        first = fresh()
        assert fresh() == first
        (templates / "page.jinja").write_text("two", encoding="utf-8")  # a template edited
        second = fresh()
        assert second != first
        site = tmp_path / "site"
        (site / "ruff-0.0.1.dist-info").mkdir(parents=True)  # another version of a tool, found first
        monkeypatch.setattr(sys, "path", [str(site), *sys.path])
        third = fresh()
        assert third not in (first, second)
        (site / "ruff-0.0.1.dist-info").rename(site / "ruff-0.0.2-py3.11.egg-info")  # installed the old way
        fourth = fresh()
        assert fourth not in (first, second, third)
        settings.activate(settings.Settings(docs_title="Another title"))  # the project's settings
        assert fresh() not in (first, second, third, fourth)
        settings.activate(settings.Settings())
        assert fresh() == fourth
    finally:
        monkeypatch.undo()
        settings.activate(settings.Settings())
        cache._code.cache_clear()


def test_the_tools_versions_are_those_the_import_system_finds() -> None:
    found = cache._installed_versions()
    assert {tool: found.get(cache._normalized(tool)) for tool in cache._TOOLS} == {
        tool: metadata.version(tool) for tool in cache._TOOLS
    }


def test_a_build_after_one_document_changed_reads_only_itsspec_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`build` is import then generate: the unchanged document is not parsed again, and its spec is
    neither rewritten nor read (nor even opened: the stamp vouches for its bytes)."""
    import generator.importing
    import generator.spec.reading
    import generator.spec.specfile

    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / "cache"))
    page = (FIXTURES / "samples" / "google__imagen-4-ultra.md").read_text(encoding="utf-8")
    (tmp_path / "apifox").mkdir()
    for name in ("imagen-4-ultra", "imagen-4-other"):
        (tmp_path / "apifox" / f"google__{name}.md").write_text(page.replace("imagen-4-ultra", name), encoding="utf-8")
    folders = ("--sources", "apifox", "--specs", "models", "--shared", "shared", "--out", "out")
    assert cli("build", *folders, cwd=tmp_path).returncode == 0
    edited = tmp_path / "apifox" / "google__imagen-4-other.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("图像生成的文字提示。", "图像的文字提示。"), encoding="utf-8"
    )
    read: list[str] = []
    real_load = generator.spec.specfile.load
    monkeypatch.setattr(
        generator.spec.specfile, "load", lambda path, *a, **k: read.append(path.name) or real_load(path, *a, **k)
    )
    opened: list[str] = []
    real_bytes = generator.spec.reading.read_bytes
    monkeypatch.setattr(
        generator.spec.reading,
        "read_bytes",
        lambda path, *a, **k: opened.append(path.name) or real_bytes(path, *a, **k),
    )
    parsed: list[str] = []
    real_parse = generator.importing.load
    monkeypatch.setattr(generator.importing, "load", lambda path, *a: parsed.append(path.name) or real_parse(path, *a))
    run = cli("build", *folders, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert read == ["imagen-4-other.yaml"]
    assert parsed == ["google__imagen-4-other.md"]
    assert [name for name in opened if name.startswith("imagen")] == ["imagen-4-other.yaml"]
    assert "input prompt: description changed" in run.stdout
    assert "changed  docs/models/google/imagen-4-other.md" in run.stdout
    assert "imagen-4-ultra" not in "".join(line for line in run.stdout.splitlines() if line.startswith("changed "))
