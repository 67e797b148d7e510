"""A document imported before is not read again while its bytes, the layout, its model's Replicate
document and overrides and the generator are as they were; its results and specs are the same."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import importing
from generator.importing.importer import ImportResult, Layout, import_files
from tests.conftest import FIXTURES

PAGES = ["google__imagen-4-ultra.md", "replicate__query-prediction.md"]
LAYOUT = Layout(models=Path("models"), shared=Path("shared"), replicate=Path("replicate"), overrides=Path("overrides"))


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    Path("docs").mkdir()
    for name in PAGES:
        shutil.copy(FIXTURES / "samples" / name, Path("docs") / name)
    return [Path("docs") / name for name in PAGES]


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents the import parses from now on."""
    seen: list[str] = []
    real = importing.load

    def counting(path: Path, fmt: str | None = None, data: bytes | None = None) -> Any:
        seen.append(path.name)
        return real(path, fmt, data)

    monkeypatch.setattr(importing, "load", counting)
    return seen


def _unchanged(results: list[ImportResult]) -> list[ImportResult]:
    return [dataclasses.replace(result, changed=False) for result in results]


def _specs() -> dict[str, bytes]:
    return {str(p): p.read_bytes() for folder in ("models", "shared") for p in sorted(Path(folder).rglob("*.yaml"))}


def test_documents_imported_before_are_not_read_again(documents: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    first = import_files(documents, LAYOUT)
    assert all(r.changed for r in first if r.spec) and not any(r.error for r in first)
    written = _specs()
    reads = _reads(monkeypatch)
    again = import_files(documents, LAYOUT)
    assert reads == []
    assert _unchanged(again) == _unchanged(first) and not any(r.changed for r in again)
    assert _specs() == written


def test_an_edited_document_alone_is_read_again(documents: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import_files(documents, LAYOUT)
    page = documents[0]
    page.write_text(page.read_text(encoding="utf-8").replace("1:1", "16:9", 1), encoding="utf-8")
    reads = _reads(monkeypatch)
    again = import_files(documents, LAYOUT)
    assert reads == [page.name]
    assert [r.model for r in again if r.changed] == ["google/imagen-4-ultra"]


def test_overrides_or_a_replicate_document_added_for_a_model_make_its_document_read_again(
    documents: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import_files(documents, LAYOUT)
    reads = _reads(monkeypatch)
    patch = Path("overrides/google/imagen-4-ultra.yaml")
    patch.parent.mkdir(parents=True)
    patch.write_text("input:\n  prompt:\n    description: What to draw\n", encoding="utf-8")
    again = import_files(documents, LAYOUT)
    assert reads == [documents[0].name]
    assert [r.model for r in again if r.changed] == ["google/imagen-4-ultra"]
    assert "description: What to draw" in Path("models/google/imagen-4-ultra.yaml").read_text(encoding="utf-8")
    patch.write_text("input:\n  prompt:\n    description: What to paint\n", encoding="utf-8")
    import_files(documents, LAYOUT)
    assert reads == [documents[0].name] * 2
    patch.unlink()
    import_files(documents, LAYOUT)
    assert reads == [documents[0].name] * 3
    assert "What to" not in Path("models/google/imagen-4-ultra.yaml").read_text(encoding="utf-8")


def test_a_spec_removed_by_hand_is_written_again_from_the_kept_import(
    documents: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import_files(documents, LAYOUT)
    written = _specs()
    Path("models/google/imagen-4-ultra.yaml").unlink()
    reads = _reads(monkeypatch)
    again = import_files(documents, LAYOUT)
    assert reads == [] and [r.model for r in again if r.changed] == ["google/imagen-4-ultra"]
    assert _specs() == written


def test_another_layout_reads_the_documents_again(documents: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import_files(documents, LAYOUT)
    reads = _reads(monkeypatch)
    elsewhere = dataclasses.replace(LAYOUT, models=Path("other"))
    again = import_files(documents, elsewhere)
    assert reads == [p.name for p in documents]
    assert Path("other/google/imagen-4-ultra.yaml").is_file()
    assert [r.spec for r in again if r.model == "google/imagen-4-ultra"] == ["other/google/imagen-4-ultra.yaml"]
