"""The client as a user publishes it: `make dist`'s wheel and sdist, their metadata as PyPI checks it,
and the wheel installed on its own and used against the local server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.server import create_app, running
from tests.conftest import GENERATED, SPECS, TOKEN

_USE = """
import sys
import replicate_models
from replicate_models import Client
assert replicate_models.__file__.startswith(sys.argv[3]), replicate_models.__file__  # the wheel's, not another
with Client(api_token=sys.argv[2], base_url=sys.argv[1]) as client:
    image = client.imagen_4_ultra.run(prompt="a fox", output_format="png")
    assert image.read()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
print(replicate_models.__version__)
"""


def _run(*command: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_wheel_and_sdist_build_pass_twine_check_and_the_wheel_works_installed(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(GENERATED / "python", source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    dist = tmp_path / "dist"
    # no network: the build backend of this environment, as `make dist` does
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source))
    wheel, sdist = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheel) == len(sdist) == 1
    twine = Path(sys.executable).with_name("twine")
    assert "PASSED" in _run(str(twine), "check", "--strict", str(wheel[0]), str(sdist[0]))
    names = zipfile.ZipFile(wheel[0]).namelist()
    assert "replicate_models/py.typed" in names and "replicate_models/resources/imagen_4_ultra.py" in names
    site = tmp_path / "site"
    # installed on its own (its dependencies are this environment's): no network
    _run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(site), str(wheel[0]))
    with running(create_app(SPECS, tokens=(TOKEN,))) as url:
        env = {**os.environ, "PYTHONPATH": str(site)}
        version = _run(sys.executable, "-c", _USE, url, TOKEN, str(site), env=env, cwd=tmp_path)
    assert version.strip() == wheel[0].name.split("-")[1]
