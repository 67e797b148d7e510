"""Documents made to hurt: each is refused with its place, fails alone, and writes nothing outside
the output folder; the other documents of the run still import."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from generator.importing import importer
from tests.conftest import FIXTURES, cli
from tests.importing.test_import import run_import

GOOD = FIXTURES / "real" / "anyapi-md__google__imagen-4.txt"


def _replicate_document(owner: str, name: str) -> str:
    schema = {"type": "object", "properties": {"prompt": {"type": "string"}}}
    return json.dumps(
        {
            "owner": owner,
            "name": name,
            "latest_version": {
                "id": "abc",
                "openapi_schema": {"openapi": "3.0.2", "components": {"schemas": {"Input": schema}}},
            },
        }
    )


def _openapi_document(path: str) -> str:
    body = {"type": "object", "properties": {"input": {"type": "object", "properties": {"p": {"type": "string"}}}}}
    operation = {
        "requestBody": {"content": {"application/json": {"schema": body}}},
        "responses": {"201": {"description": "ok"}},
    }
    return json.dumps(
        {"openapi": "3.0.0", "info": {"title": "x", "version": "1"}, "paths": {path: {"post": operation}}}
    )


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_replicate_document("..", "x"), "model owner .. would name a folder, not a model"),
        (_replicate_document("acme", ".."), "model name .. would name a folder, not a model"),
        (_replicate_document("a\\b", "x"), "model owner holds '\\\\'"),
        (_openapi_document("/v1/models/../../predictions"), "would name a folder, not a model"),
        (_openapi_document("/v1/models/a%2F../x/predictions"), "model owner holds '%'"),
        (_replicate_document("acme", "x" * 300), "model name is 300 bytes long in UTF-8: at most 200 fit"),
        (_replicate_document("模" * 70, "x"), "model owner is 210 bytes long in UTF-8"),
    ],
    ids=["owner-dotdot", "name-dotdot", "backslash", "openapi-path-dotdot", "percent", "too-long", "too-long-utf8"],
)
def test_a_model_named_like_a_folder_is_refused_and_nothing_is_written_outside(
    tmp_path: Path, document: str, expected: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    source = work / "doc.json"
    source.write_text(document, encoding="utf-8")
    run = run_import(work, source, GOOD)
    assert run.code == 2
    assert expected in run.result.stderr
    assert "1 model spec(s)" in run.result.stdout  # the good page still imported
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.yaml"))
    assert all(p.startswith("work/models/") for p in written), written


def test_devices_fifos_and_symlinks_to_them_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    run = run_import(tmp_path, "/dev/zero", fifo, link, GOOD)
    assert run.code == 2
    assert "/dev/zero: cannot read document: a device, expected a regular file" in run.result.stderr
    assert "pipe.txt: cannot read document: a FIFO (named pipe), expected a regular file" in run.result.stderr
    assert "zero.json: cannot read document: a device" in run.result.stderr
    assert "1 model spec(s)" in run.result.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"a": ' + "9" * 5000 + "}", ":1: an integer of 5000 characters; at most 100 digits"),
        ('{"a":' + "[" * 100_000 + "]" * 100_000 + "}", ":1: JSON nested too deeply; at most 100 levels"),
        ('{"a":' + "[" * 150 + "]" * 150 + "}", ": /a/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0"),
        ('{"a": NaN}', ":1: NaN is not JSON; expected a number"),
        ('{"a":\n "\\ud800"}', ": /a: text holds a lone surrogate"),
        ("openapi: 3.0.0\ninfo: {title: " + "9" * 5000 + "}\n", ":2: an integer of 5000 characters"),
        (
            "openapi: 3.0.0\nx: &a [a, a, a, a, a, a, a, a, a, a]\n"
            + "".join(f"x{n}: &a{n} [" + ", ".join([f"*a{n - 1}" if n else "*a"] * 10) + "]\n" for n in range(8)),
            ":8: YAML expands to over 2000000 nodes",
        ),
        ("openapi: 3.0.0\nx: " + "[" * 100_000 + "]" * 100_000 + "\n", ":2: YAML nested too deeply"),
        ("openapi: 3.0.0\n? [a, b]\n: c\n", ":2: mapping key 'a collection' is not a string; quote it"),
        (
            "openapi: 3.0.0\n" + "x" * 100 + "\x00\n",
            ":2:101: document: invalid YAML (character U+0000 is not allowed in YAML)",
        ),
    ],
    ids=[
        "huge-int",
        "deep-json",
        "deep-json-150",
        "nan",
        "surrogate",
        "yaml-huge-int",
        "alias-bomb",
        "deep-yaml",
        "collection-key",
        "nul",
    ],
)
def test_parsing_is_bounded_and_each_refusal_names_its_place(tmp_path: Path, content: str, expected: str) -> None:
    source = tmp_path / "doc.txt"
    source.write_text(content, encoding="utf-8", errors="surrogatepass")
    run = run_import(tmp_path, source, GOOD)
    assert run.code == 2
    assert f"doc.txt{expected}" in run.result.stderr
    assert "1 model spec(s)" in run.result.stdout


def test_an_internal_error_fails_its_document_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug met in one document is reported as such, and the run goes on with the others."""
    bad = tmp_path / "a-bad.txt"
    bad.write_text(GOOD.read_text(encoding="utf-8").replace("POST", "POST", 1), encoding="utf-8")
    real = importer.normalize

    def fails_on_the_first(endpoint, kind, extra):  # type: ignore[no-untyped-def]
        if endpoint.source.path.endswith("a-bad.txt"):
            raise KeyError("boom")
        return real(endpoint, kind, extra)

    monkeypatch.setattr(importer, "normalize", fails_on_the_first)
    monkeypatch.delenv("REPLICATE_CODEGEN_DEBUG", raising=False)
    results = importer.import_file(bad, importer.Layout(models=tmp_path / "m", shared=tmp_path / "s"))
    results += importer.import_file(GOOD, importer.Layout(models=tmp_path / "m", shared=tmp_path / "s"))
    assert results[0].error is not None
    assert "internal error (KeyError: 'boom'); this document was not imported" in results[0].error
    assert results[1].error is None and results[1].changed


def test_a_file_where_a_folder_must_be_fails_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    for args, option in (
        (("--out", str(blocker / "models")), "--out"),
        (("--out", str(tmp_path / "m"), "--report", str(blocker / "r.json")), "--report"),
        (("--out", str(tmp_path / "m"), "--shared", str(blocker / "shared")), "--shared"),
    ):
        run = cli("import", str(GOOD), *args)
        assert run.returncode == 2
        assert f"blocker: is a file, so {option}" in run.stderr
    run = cli("generate", "--out", str(blocker / "generated"))
    assert run.returncode == 2 and "blocker: is a file, so --out" in run.stderr
    assert not (tmp_path / "m").exists()


def test_specs_take_the_modes_the_umask_gives(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        run = run_import(tmp_path, GOOD)
        [spec] = (tmp_path / "models").rglob("*.yaml")
        assert stat.S_IMODE(spec.stat().st_mode) == 0o644
        assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o644
        spec.chmod(0o640)  # a mode the user chose is kept when the spec is rewritten
        spec.write_text("changed", encoding="utf-8")
        run_import(tmp_path, GOOD)
        assert stat.S_IMODE(spec.stat().st_mode) == 0o640
    finally:
        os.umask(previous)
    assert run.code == 0


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    source = Path(os.fsdecode(bytes(tmp_path) + b"/\xff-page.txt"))
    source.write_bytes(GOOD.read_bytes())
    run = run_import(tmp_path, source)
    assert run.code == 0, run.result.stderr
    [spec] = (tmp_path / "models").rglob("*.yaml")
    assert "\\xff-page.txt" in spec.read_text(encoding="utf-8")


@pytest.mark.parametrize(("first", "second"), [("Foo", "foo"), ("foo-bar", "foo_bar"), ("a.b", "A-B")])
def test_models_whose_names_differ_only_in_case_or_punctuation_are_one_error_naming_both(
    tmp_path: Path, first: str, second: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for index, name in enumerate((first, second)):
        (work / f"doc{index}.json").write_text(_replicate_document("acme", name), encoding="utf-8")
    run = run_import(work, work / "doc0.json", work / "doc1.json", GOOD)
    assert run.code == 2
    errors = [line for line in run.result.stderr.splitlines() if "differ only in case or punctuation" in line]
    assert len(errors) == 2, run.result.stderr  # one for each document, each naming both
    assert all(f"acme/{first} (" in line and f"acme/{second} (" in line for line in errors)
    assert not (work / "models" / "acme").exists()
    assert cli("validate", "--specs", str(work / "models")).returncode == 0  # what was written still builds
