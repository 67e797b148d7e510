"""Every Python example of the generated README runs, as written, against the local server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.server import ServerConfig, create_app, running
from tests.conftest import GENERATED, SPECS, TOKEN, run_example

README = GENERATED / "python" / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with running(create_app(SPECS, ServerConfig(tokens=(TOKEN,)))) as url:
        yield url


def test_the_readme_has_an_example_for_every_model_and_every_part() -> None:
    types = GENERATED / "python" / "replicate_models" / "types"
    for accessor in sorted(p.stem for p in types.glob("*.py") if p.stem != "__init__"):
        assert any(f"client.{accessor}.create(" in e and f"client.{accessor}.run(" in e for e in EXAMPLES)
    text = "\n".join(EXAMPLES)
    for call in (
        "predictions.create(",
        "predictions.get(",
        "predictions.cancel(",
        "predictions.list(",
        "predictions.wait(",
        ".save(",
        ".read()",
        "verify(",
        "AsyncClient()",
        "raw_response",
    ):
        assert call in text, call


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{n}" for n in range(len(EXAMPLES))])
def test_the_example_runs(example: str, server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_example(example, {"REPLICATE_BASE_URL": server_url, "REPLICATE_API_TOKEN": TOKEN}, tmp_path, monkeypatch)
