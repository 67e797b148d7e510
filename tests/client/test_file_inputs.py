"""Files given to inputs: where the schema takes a file (`format: uri`, in a list or an object too),
`create()` takes a URL, a path, bytes or an open binary file, and the model gets the file's bytes:
inline as a `data:` URI when small, else uploaded to the local server's files API and sent by URL."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.server import ServerConfig, create_app
from tests.conftest import TOKEN, cli, model_spec, run_client

URI = {"type": "string", "format": "uri"}
INPUTS = {
    "type": "object",
    "required": ["image"],
    "properties": {
        "image": URI,
        "images": {"type": "array", "items": URI},
        "settings": {"type": "object", "properties": {"reference": URI, "label": {"type": "string"}}},
        "caption": {"type": "string"},
    },
}

_CALLS = """
import asyncio, io, json, sys
from pathlib import Path
from replicate_models import AsyncClient, Client

url, token, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
small, large = (folder / "small.png"), (folder / "large.bin")
with Client(api_token=token, base_url=url, data_uri_limit=1000) as client:
    client.editor.create(image=small, images=[small.read_bytes(), "https://example.com/x.png"],
                         settings={"reference": open(large, "rb"), "label": "not a file"}, caption="/etc/passwd")
    client.editor.create(image=large)
    client.editor.create(image="https://example.com/a.png")
with Client(api_token=token, base_url=url, file_encoding="upload") as client:
    client.editor.create(image=small)
with Client(api_token=token, base_url=url, file_encoding="data-uri", data_uri_limit=10) as client:
    client.editor.create(image=large)

async def main() -> None:
    async with AsyncClient(api_token=token, base_url=url, data_uri_limit=1000) as client:
        await client.editor.create(image=io.BytesIO(large.read_bytes()))

asyncio.run(main())
"""


def _content(value: str, app: Any) -> tuple[str, bytes | None]:
    """How a file reached the server ("data" or "upload"), and its bytes."""
    if value.startswith("data:"):
        return "data", base64.b64decode(value.split(",", 1)[1])
    found = app.state.files.content_of(value)
    return ("upload", found) if found is not None else ("url", None)


def _editor(tmp_path: Path) -> tuple[Path, Path]:
    """(specs, output) of a catalogue of one model whose inputs take files, generated."""
    specs, out = tmp_path / "specs", tmp_path / "out"
    specs.mkdir()
    (specs / "editor.yaml").write_text(yaml.safe_dump(model_spec("acme", "editor", INPUTS)), encoding="utf-8")
    assert cli("generate", "--specs", str(specs), "--shared", str(tmp_path / "none"), "--out", str(out)).returncode == 0
    return specs, out


@pytest.mark.timeout(300)
def test_paths_bytes_and_open_files_reach_the_model_as_the_files_bytes(tmp_path: Path) -> None:
    specs, out = _editor(tmp_path)
    small, large = b"\x89PNG small", os.urandom(5000)
    (tmp_path / "small.png").write_bytes(small)
    (tmp_path / "large.bin").write_bytes(large)
    app = create_app(specs, ServerConfig(tokens=(TOKEN,)))
    called = run_client(_CALLS, out / "python", app, str(tmp_path))
    assert called.returncode == 0, called.stderr
    sent = [r.body["input"] for r in app.state.store.received if r.method == "POST" and "predictions" in r.path]
    assert len(sent) == 6
    first = sent[0]
    assert _content(first["image"], app) == ("data", small)
    assert first["image"].startswith("data:image/png;base64,")  # the type from the file's name
    assert _content(first["images"][0], app) == ("data", small)
    assert first["images"][1] == "https://example.com/x.png"  # a URL is sent as it is
    assert _content(first["settings"]["reference"], app) == ("upload", large)  # over the limit: uploaded
    assert first["settings"]["label"] == "not a file" and first["caption"] == "/etc/passwd"  # not files
    assert _content(sent[1]["image"], app) == ("upload", large)
    assert sent[2]["image"] == "https://example.com/a.png"
    assert _content(sent[3]["image"], app) == ("upload", small)  # file_encoding="upload"
    assert _content(sent[4]["image"], app) == ("data", large)  # file_encoding="data-uri"
    assert _content(sent[5]["image"], app) == ("upload", large)  # the async client too
    uploads = [r for r in app.state.store.received if r.method == "POST" and r.path.endswith("/v1/files")]
    assert len(uploads) == 4


@pytest.mark.timeout(300)
def test_a_file_input_takes_a_path_bytes_an_open_file_or_a_url_in_its_type(tmp_path: Path) -> None:
    _, out = _editor(tmp_path)
    usage = tmp_path / "usage.py"
    usage.write_text(
        "from pathlib import Path\n"
        "from replicate_models import Client\n"
        "client = Client(api_token='t')\n"
        "client.editor.create(image=Path('a.png'))\n"
        "client.editor.create(image=b'bytes', images=[Path('a'), b'b', 'https://x'])\n"
        "client.editor.create(image=open('a.png', 'rb'))\n"
        "client.editor.create(image='https://example.com/a.png')\n"
        "client.editor.create(image=3)\n",
        encoding="utf-8",
    )
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(usage)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MYPYPATH": str(out / "python")},
    )
    errors = [line for line in mypy.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and errors[0].startswith(f"{usage}:8:"), json.dumps(errors)
