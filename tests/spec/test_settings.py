"""The project's settings (`replicate-codegen.toml`, or `[tool.replicate-codegen]` in pyproject.toml):
each key reaches the generated tree; a change renders anew; a bad key or value is one line."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.server import create_app
from generator.spec import settings
from tests.conftest import cli, run_client

SETTINGS = """
[client]
package = "acme_models"
distribution = "acme-models"
version = "1.0.0"
description = "Acme's models, typed."
license = "MIT"
authors = [{name = "Acme", email = "sdk@acme.example"}]
urls = {Homepage = "https://acme.example", Issues = "https://acme.example/issues"}
base_url = "https://models.acme.example/replicate"

[docs]
title = "Acme models"
"""

_USE = """
import sys
import acme_models
from acme_models import Client
with Client(api_token=sys.argv[2], base_url=sys.argv[1]) as client:
    assert client.imagen_4_ultra.run(prompt="a fox").read()
print(acme_models.__version__)
"""


@pytest.fixture(autouse=True)
def _defaults() -> Iterator[None]:
    yield
    settings.activate(settings.Settings())  # what a run made active is no other test's


@pytest.mark.timeout(300)
def test_every_key_reaches_the_generated_tree_and_the_client_works(project: Path) -> None:
    (project / "replicate-codegen.toml").write_text(SETTINGS, encoding="utf-8")
    result = cli("generate", "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    python = project / "site" / "python"
    assert (python / "acme_models" / "_client.py").is_file() and not (python / "replicate_models").exists()
    metadata = tomllib.loads((python / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["name"] == "acme-models" and metadata["version"] == "1.0.0"
    assert metadata["description"] == "Acme's models, typed." and metadata["license"] == "MIT"
    assert metadata["authors"] == [{"name": "Acme", "email": "sdk@acme.example"}]
    assert metadata["urls"] == {"Homepage": "https://acme.example", "Issues": "https://acme.example/issues"}
    defaults = (python / "acme_models" / "_defaults.py").read_text(encoding="utf-8")
    assert 'DEFAULT_BASE_URL = "https://models.acme.example/replicate"' in defaults
    assert (python / "README.md").read_text(encoding="utf-8").startswith("<!--") and "# acme-models" in (
        python / "README.md"
    ).read_text(encoding="utf-8")
    index = (project / "site" / "docs" / "index.md").read_text(encoding="utf-8")
    assert "# Acme models" in index and "from acme_models import" in (
        project / "site" / "docs" / "models" / "google" / "imagen-4-ultra.md"
    ).read_text(encoding="utf-8")
    assert "<title>Models · Acme models</title>" in (project / "site" / "docs" / "index.html").read_text("utf-8")
    used = run_client(_USE, python, create_app(project / "specs" / "models", tokens=("test-token",)))
    assert used.returncode == 0, used.stderr
    assert used.stdout.strip() == "1.0.0"


def test_a_change_of_settings_renders_anew_and_nothing_is_up_to_date_by_mistake(project: Path) -> None:
    assert cli("generate", cwd=project).returncode == 0
    assert "is up to date" in cli("generate", cwd=project).stdout
    (project / "pyproject.toml").write_text('[tool.replicate-codegen.docs]\ntitle = "Ours"\n', encoding="utf-8")
    changed = cli("generate", "--verbose", cwd=project)
    assert "is up to date" not in changed.stdout and "changed  docs/index.md" in changed.stdout
    assert "# Ours" in (project / "generated" / "docs" / "index.md").read_text(encoding="utf-8")
    (project / "pyproject.toml").unlink()
    back = cli("generate", "--verbose", cwd=project)
    assert "changed  docs/index.md" in back.stdout
    assert cli("generate", "--check", cwd=project).returncode == 0


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[client]\npackage = "class"\n', "client.package: 'class' is no Python import name"),
        ('[client]\npackge = "x"\n', "client.packge: unknown key; expected one of package"),
        ("[clients]\n", "clients: unknown section; expected [client] and [docs]"),
        ('[client]\nversion = "1.0"\n', "client.version: '1.0' is no version X.Y.Z"),
        ('[client]\nbase_url = "ftp://x"\n', "client.base_url: 'ftp://x' is no http(s) URL"),
        ('[client]\nauthors = "me"\n', "client.authors: expected a list of {name, email} tables"),
        ("[docs]\ntitle = 3\n", "docs.title: expected a non-empty string"),
        ("[client\n", "invalid TOML"),
    ],
)
def test_a_bad_key_or_value_is_one_line_naming_it(project: Path, text: str, said: str) -> None:
    (project / "replicate-codegen.toml").write_text(text, encoding="utf-8")
    result = cli("generate", cwd=project)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and said in result.stderr, result.stderr
