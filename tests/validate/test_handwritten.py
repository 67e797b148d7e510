"""A spec written by hand, as small as the README shows, validates, generates a client that passes
mypy --strict, and that client's calls reach the local server with every input on the wire."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate as validate_openapi

from generator.server import create_app, running
from tests.conftest import ROOT, TOKEN, cli

MINIMAL = re.search(r"```yaml\n(openapi: 3\.1\.0\n.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)


@pytest.mark.slow
def test_the_readme_minimal_spec_generates_a_working_client(tmp_path: Path) -> None:
    assert MINIMAL is not None, "README.md lost its minimal spec"
    specs, out = tmp_path / "models", tmp_path / "out"
    (specs / "acme").mkdir(parents=True)
    (specs / "acme" / "tiny.yaml").write_text(MINIMAL.group(1), encoding="utf-8")
    assert cli("validate", "--specs", str(specs)).returncode == 0
    generated = cli("generate", "--specs", str(specs), "--shared", str(tmp_path / "none"), "--out", str(out))
    assert generated.returncode == 0, generated.stderr
    bundle = yaml.safe_load((out / "openapi.yaml").read_text(encoding="utf-8"))
    validate_openapi(bundle)
    created = bundle["paths"]["/v1/models/acme/tiny/predictions"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TinyPrediction"}
    assert bundle["components"]["schemas"]["TinyOutput"]["description"]  # no Output: any, and said so
    code = (
        "import sys\n"
        "from replicate_models import Client\n"
        f"client = Client(api_token={TOKEN!r}, base_url=sys.argv[1])\n"
        "p = client.tiny.create(prompt='a fox', image='https://example.com/a.png', steps=5, wait=True)\n"
        "print(p.status)\n"
        "print(client.tiny.run(prompt='a fox') is not None)\n"
    )
    app = create_app(specs, tokens=(TOKEN,))
    env = {**os.environ, "PYTHONPATH": str(out / "python")}
    with running(app) as url:
        result = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["succeeded", "True"]
    first = app.state.store.received[0]
    assert first.path == "/v1/models/acme/tiny/predictions"
    assert first.body == {"input": {"prompt": "a fox", "image": "https://example.com/a.png", "steps": 5}}
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "replicate_models"],
        cwd=out / "python",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert mypy.returncode == 0, mypy.stdout
