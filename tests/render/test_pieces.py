"""The files that list every model (README, the client's attribute table, the index, the search data)
join each model's pieces, rendered with its own files and kept in its entry: a rebuild renders the
pieces of the models that changed alone, and writes what a cold build writes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import filetree
from generator.render import _env, pieces
from tests.conftest import cli, model_spec

_USED = re.compile(r"""\|\s*pieces\(\s*(?:"(\w+)"(?:\s+if\s+\w+\s+else\s+"(\w+)")?)""")


def test_every_piece_a_file_joins_is_a_per_model_macro_of_its_pieces_template_and_every_one_is_joined() -> None:
    root = _env.templates_dir()
    for template in pieces._templates():
        emitted = template.replace(".parts.", ".")
        used = {name for found in _USED.findall((root / emitted).read_text(encoding="utf-8")) for name in found if name}
        assert used == set(_env.piece_macros(template)), template


def _write(work: Path, name: str, description: str) -> None:
    schema = {"type": "object", "properties": {"prompt": {"type": "string", "description": description}}}
    spec = model_spec("acme", name, schema, description=f"The {name} model. It makes pictures.")
    (work / "specs" / "acme" / f"{name}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")


def _generate(work: Path, cache: str = "cache") -> None:
    run = cli("generate", "--specs", "specs", "--shared", "none", "--out", "out", cwd=work,
              env={"REPLICATE_CODEGEN_CACHE": str(work / cache), "REPLICATE_CODEGEN_JOBS": "1"})  # fmt: skip
    assert run.returncode == 0, run.stderr


def test_a_rebuild_renders_the_pieces_of_the_changed_model_alone_and_joins_what_a_cold_build_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "specs" / "acme").mkdir(parents=True)
    for name in ("one", "two", "three"):
        _write(tmp_path, name, "A prompt.")
    _generate(tmp_path)
    rendered: list[str] = []
    real = _env.piece_macros

    def watched(template: str) -> dict[str, Any]:
        def recorded(macro: Any) -> Any:
            return lambda item: rendered.append(getattr(item, "model", item).id) or macro(item)

        return {name: recorded(macro) for name, macro in real(template).items()}

    monkeypatch.setattr(_env, "piece_macros", watched)
    monkeypatch.setattr(pieces, "piece_macros", watched)
    _write(tmp_path, "two", "A longer prompt: </script> | `code` 一段描述.")
    _generate(tmp_path)
    assert rendered and set(rendered) == {"acme/two"}
    monkeypatch.undo()
    cold = tmp_path / "cold"  # with a cache of its own; the release follows the tree it is made over
    shutil.copytree(tmp_path / "specs", cold / "specs")
    shutil.copytree(tmp_path / "out", cold / "out")
    _generate(cold)
    assert filetree.read(tmp_path / "out") == filetree.read(cold / "out")
