"""Every file `generate` writes in a format parses in that format, whatever text the specs carry."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import cli, model_spec

# Texts YAML, TOML, JSON, Python and JavaScript each give a meaning of their own.
AWKWARD = [
    "ends in blank lines\n\n\n",
    "...",
    "a\n...\nb",
    "---\nkey: value",
    "# not a comment",
    "line\u2028separator",
    '"""triple""" and \'\'\'',
    "</script><!--",
    "{{ braces }} ${x} `tick`",
    "tab\tand trailing space ",
    "\n\nstarts with blank lines",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("formats")
    specs, out = root / "specs", root / "out"
    specs.mkdir()
    for index, text in enumerate(AWKWARD):
        inputs = {
            "type": "object",
            "description": text,
            "properties": {
                "prompt": {"type": "string", "description": text, "default": text, "enum": [text, "b"]},
                "nested": {"type": "object", "description": text, "properties": {"x": {"description": text}}},
            },
        }
        output = {"type": "string", "description": text}
        spec = model_spec("acme", f"m{index}", inputs, output, summary=text, description=text)
        (specs / f"m{index}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    result = cli("generate", "--specs", str(specs), "--shared", str(root / "none"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.timeout(300)
def test_every_yaml_json_toml_and_python_file_parses(generated: Path) -> None:
    counts = {".yaml": 0, ".json": 0, ".toml": 0, ".py": 0}
    for path in sorted(p for p in generated.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".yaml":
            documents = list(yaml.safe_load_all(text))
            assert len(documents) == 1, f"{path}: {len(documents)} YAML documents"
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix == ".py":
            ast.parse(text, filename=str(path))
        else:
            continue
        counts[path.suffix] += 1
    assert counts[".yaml"] >= 1 and counts[".toml"] >= 1 and counts[".py"] > len(AWKWARD)


@pytest.mark.timeout(300)
def test_the_bundle_keeps_every_text_exactly(generated: Path) -> None:
    bundle = yaml.safe_load((generated / "openapi.yaml").read_text(encoding="utf-8"))
    for index, text in enumerate(AWKWARD):
        operation = bundle["paths"][f"/v1/models/acme/m{index}/predictions"]["post"]
        assert operation["description"] == text
        properties = bundle["components"]["schemas"][f"M{index}Input"]["properties"]
        assert properties["prompt"]["default"] == text and properties["prompt"]["enum"] == [text, "b"]


@pytest.mark.timeout(120)
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed: JavaScript is not checked")
def test_every_javascript_file_parses(generated: Path) -> None:
    scripts = sorted(generated.rglob("*.js"))
    assert scripts
    for script in scripts:
        checked = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, f"{script}: {checked.stderr}"
