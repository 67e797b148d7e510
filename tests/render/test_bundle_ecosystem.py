"""The bundle is a good citizen of the OpenAPI ecosystem: tools nobody here wrote take it whole.

openapi-python-client (pinned in the dev extras) generates every operation of it without a warning;
Spectral (`spectral:oas`) and Redocly (`recommended`), at the versions tests/lint pins and `make test`
installs, report no error. Built from real material: the 20 Replicate documents (Cog schemas, whose
every property has a title, and enums as `$ref`s) and the catalogue's two Apifox pages.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, ROOT, SOURCES, cli

LINTERS = ROOT / ".venv" / "lint" / "node_modules" / ".bin"
_NOT_INSTALLED = "not installed (`make test` installs it with npm; this machine has no npm, or the install failed)"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ecosystem")
    sources = root / "apifox"
    sources.mkdir()
    for document in [*(FIXTURES / "replicate-documents").glob("*.json"), *SOURCES.iterdir()]:
        shutil.copy(document, sources)
    models = root / "models"
    imported = cli("import", str(sources), "--out", str(models), "--shared", str(root / "shared"))
    assert imported.returncode == 0, imported.stderr
    out = root / "generated"
    generated = cli("generate", "--specs", str(models), "--shared", str(root / "shared"), "--out", str(out))
    assert generated.returncode == 0, generated.stderr
    return out / "openapi.yaml"


def _operations(bundle: Path) -> set[str]:
    document = yaml.safe_load(bundle.read_text(encoding="utf-8"))
    return {
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_openapi_python_client_generates_every_operation_without_a_warning(bundle: Path, tmp_path: Path) -> None:
    tool = Path(sys.executable).with_name("openapi-python-client")
    made = subprocess.run(
        [str(tool), "generate", "--path", str(bundle), "--meta", "pdm"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={"PATH": f"{tool.parent}:/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    said = made.stdout + made.stderr
    assert made.returncode == 0, said
    assert "WARNING" not in said and "Unable to" not in said, said
    # the project it makes is named after info.title: a package name Python can import
    (project,) = [path for path in tmp_path.iterdir() if (path / "pyproject.toml").is_file()]
    (package,) = [path for path in project.iterdir() if (path / "__init__.py").is_file()]
    assert package.name.isidentifier(), package.name
    written = {path.stem for path in (package / "api").rglob("*.py") if path.stem != "__init__"}
    # it names each operation's module after its operationId, in snake case
    expected = {operation_id.lower().replace("__", "_") for operation_id in _operations(bundle)}
    assert expected <= written, sorted(expected - written)


@pytest.mark.timeout(300)
@pytest.mark.skipif(not (LINTERS / "spectral").exists(), reason=f"Spectral {_NOT_INSTALLED}")
def test_spectral_oas_ruleset_reports_no_error(bundle: Path) -> None:
    linted = subprocess.run(
        [str(LINTERS / "spectral"), "lint", "--ruleset", str(ROOT / "tests" / "lint" / "spectral.yaml"),
         "--format", "json", "--quiet", str(bundle)],
        capture_output=True,
        text=True,
        timeout=240,
    )  # fmt: skip
    findings = json.loads(linted.stdout or "[]")
    errors = [f"{'.'.join(map(str, f['path']))}: {f['code']}: {f['message']}" for f in findings if f["severity"] == 0]
    assert errors == []


@pytest.mark.timeout(300)
@pytest.mark.skipif(not (LINTERS / "redocly").exists(), reason=f"Redocly {_NOT_INSTALLED}")
def test_redocly_recommended_ruleset_reports_no_error(bundle: Path, tmp_path: Path) -> None:
    linted = subprocess.run(
        [str(LINTERS / "redocly"), "lint", "--extends", "recommended", "--format", "json", str(bundle)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,  # no redocly.yaml of anyone's is read
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "REDOCLY_TELEMETRY": "off"},
    )
    report = json.loads(linted.stdout[linted.stdout.index("{") :])
    errors = [p["message"] for p in report["problems"] if p["severity"] == "error"]
    assert report["totals"]["errors"] == 0, errors
