"""The real published pages in tests/fixtures/real/ (verbatim, every rendering found in the wild).

Each complete page imports to the record kept in tests/golden/real/<page>.yaml, and each real
Replicate model document to tests/golden/replicate/<document>.yaml: its kind, model, warnings and
the whole spec written (fields, types, prose facts), which a reviewer checked by hand;
skipped pages keep their reason. Each page cut off when it was saved (`__TRUNCATED`) is refused at
its line with exit 2, and nothing is written. `UPDATE_GOLDEN=1 pytest tests/importing/test_real_pages.py`
rewrites the records after an intended change; the diff is then the review.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.importing.importer import Layout, import_file
from generator.spec import specfile
from generator.validate import validate
from tests.conftest import FIXTURES, ROOT

PAGES = FIXTURES / "real"
GOLDEN = ROOT / "tests" / "golden"
TRUNCATED = sorted(p for p in PAGES.glob("*.txt") if "__TRUNCATED" in p.name)
# The real pages, and the real Replicate model documents (`GET /v1/models/{owner}/{name}`)
COMPLETE = sorted(p for p in PAGES.glob("*.txt") if "__TRUNCATED" not in p.name) + sorted(
    (FIXTURES / "replicate-documents").glob("*.json")
)


def _record_of(document: Path) -> Path:
    return GOLDEN / ("real" if document.parent == PAGES else "replicate") / f"{document.stem}.yaml"


def _name(document: Path) -> str:
    parts = document.stem.split("__")
    return f"{parts[0]}/{parts[2]}" if document.parent == PAGES else f"replicate/{'/'.join(parts)}"


def imported(page: Path, out: Path) -> dict[str, Any]:
    """What importing the page gives: per endpoint, its kind and warnings and the spec written."""
    layout = Layout(models=out / "models", shared=out / "shared", replicate=out / "none", overrides=out / "none")
    record: dict[str, Any] = {"endpoints": []}
    for result in import_file(page.relative_to(ROOT), layout):
        entry: dict[str, Any] = {"kind": result.kind, "model": result.model}
        if result.skipped:
            entry["skipped"] = result.skipped
        if result.error:
            entry["error"] = result.error
        entry["warnings"] = result.warnings
        if result.spec:
            entry["spec"] = yaml.safe_load((ROOT / result.spec).read_text(encoding="utf-8"))
        record["endpoints"].append(entry)
    return record


@pytest.mark.parametrize("page", COMPLETE, ids=_name)
def test_a_complete_page_imports_to_its_reviewed_record(page: Path, tmp_path: Path) -> None:
    out = tmp_path.relative_to(ROOT) if tmp_path.is_relative_to(ROOT) else tmp_path
    record = imported(page, out)
    for entry in record["endpoints"]:
        assert "error" not in entry, entry["error"]
        if "spec" in entry:
            spec = specfile.load(ROOT / out / "models" / f"{entry['model']}.yaml", entry["model"])
            assert validate([spec]) == []
    golden = _record_of(page)
    text = yaml.safe_dump(_portable(record, str(out)), allow_unicode=True, sort_keys=False, width=120)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden record for {page.name}; run with UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8")


def _portable(value: Any, out: str) -> Any:
    """The record without the temporary folder it was written to."""
    if isinstance(value, dict):
        return {k: _portable(v, out) for k, v in value.items()}
    if isinstance(value, list):
        return [_portable(v, out) for v in value]
    return value.replace(out, "<out>") if isinstance(value, str) else value


def test_every_truncated_page_is_refused_at_its_line_and_nothing_is_written(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "models"
    result = runner.invoke(
        main, ["import", *map(str, TRUNCATED), "--out", str(out), "--shared", str(tmp_path / "shared")]
    )
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(TRUNCATED)
    for page in TRUNCATED:
        [error] = [e for e in errors if page.name in e]
        place, _, message = error.removeprefix("error: ").partition(": ")
        assert place.split(":")[1].isdigit(), error  # file:line
        assert any(reason in message for reason in ("truncated", "ends early", "indentation was lost")), error
    assert not out.exists() or not any(out.rglob("*"))
    assert not (tmp_path / "shared").exists() or not any((tmp_path / "shared").rglob("*"))


def input_schema(page: str, tmp_path: Path) -> dict[str, Any]:
    [entry] = imported(PAGES / page, tmp_path)["endpoints"]
    schema: dict[str, Any] = entry["spec"]["components"]["schemas"]["Input"]
    return schema


def test_one_document_in_two_renderings_gives_the_same_input_schema(tmp_path: Path) -> None:
    # aiapi-doc's second rendering (R1b) and v98store's (R2) of Apifox document 326398523.
    r1b = input_schema("aiapi-doc-v2__stability-ai__stable-diffusion__example-only__openai-response.txt", tmp_path)
    r2 = input_schema("v98store__stability-ai__stable-diffusion__example-only__openai-response.txt", tmp_path)
    assert r1b == r2


def test_the_markdown_export_of_that_document_names_the_same_fields_and_types(tmp_path: Path) -> None:
    examples = input_schema("v98store__stability-ai__stable-diffusion__example-only__openai-response.txt", tmp_path)
    export = input_schema("anyapi-md__stability-ai__stable-diffusion__version-path.txt", tmp_path)
    assert {n: p["type"] for n, p in examples["properties"].items()} == {
        n: p["type"] for n, p in export["properties"].items()
    }
