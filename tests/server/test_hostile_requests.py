"""Requests made to hurt the local server: each is answered 4xx problem+json, nothing bad is stored,
and the server keeps answering everyone else."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from starlette.applications import Starlette

from generator.server import ServerConfig, create_app, running
from tests.conftest import TOKEN, model_spec

AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
CREATE = "/v1/models/acme/painter/predictions"
CONFIG = ServerConfig(tokens=(TOKEN,), starting_seconds=0.01, processing_seconds=0.01)
INPUT = {
    "type": "object",
    "properties": {
        "prompt": {"type": "string"},
        "resolution": {"type": "string"},
        "aspect_ratio": {"type": "string"},
        "extra": {},
    },
}
OUTPUT = {"type": "array", "items": {"type": "string", "format": "uri"}}


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("specs")
    (folder / "acme").mkdir()
    spec = model_spec("acme", "painter", INPUT, OUTPUT)
    (folder / "acme" / "painter.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def served(specs: Path) -> Iterator[tuple[httpx.Client, Starlette, str]]:
    app = create_app(specs, CONFIG)
    with running(app) as url, httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
        yield client, app, url


@pytest.fixture
def http(served: tuple[httpx.Client, Starlette, str]) -> httpx.Client:
    return served[0]


def _refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"input": {"prompt": "\xff"}}', "not UTF-8"),
        (b'{"input": {"extra": ' + b"[" * 1000 + b"]" * 1000 + b"}}", "nested too deeply"),
        (b'{"input": {"extra": ' + b"[" * 150 + b"]" * 150 + b"}}", "nested too deeply"),
        (b'{"input": {"extra": ' + b"9" * 5000 + b"}}", "an integer of 5000 characters"),
        (b'{"input": {"extra": NaN}}', "NaN is not JSON"),
        (b'{"input": {"extra": -Infinity}}', "-Infinity is not JSON"),
        (b'{"input": {"extra": -1e400}}', "-1e400 is too large for a number"),
        (b'{"input": {"prompt": "\\ud800"}}', "at /input/prompt: text holds a lone surrogate"),
    ],
    ids=["not-utf8", "deep-1000", "deep-150", "huge-int", "nan", "infinity", "1e400", "surrogate"],
)
def test_a_body_that_cannot_be_stored_as_json_is_400_and_nothing_is_stored(
    http: httpx.Client, body: bytes, detail: str
) -> None:
    before = http.get("/v1/predictions").json()["results"]
    assert detail in _refused(http.post(CREATE, content=body), 400)["detail"]
    listed = http.get("/v1/predictions")
    assert listed.status_code == 200 and listed.json()["results"] == before


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Prefer": "wait=" + "9" * 5000}, 400),
        ({"Prefer": "wait=99999999999"}, 400),
        ({"Cancel-After": "9" * 5000 + "s"}, 400),
        ({"Content-Type": "application/jsonx"}, 415),
        ({"Content-Type": "text/plain; x=application/json"}, 415),
    ],
    ids=["prefer-5000-digits", "prefer-huge", "cancel-after-5000-digits", "jsonx", "json-in-parameter"],
)
def test_hostile_headers_are_4xx(http: httpx.Client, headers: dict[str, str], status: int) -> None:
    _refused(http.post(CREATE, json={"input": {"prompt": "x"}}, headers=headers), status)


@pytest.mark.parametrize("webhook", ["http://[::1", "http://127.0.0.1:notaport/x", "file:///etc/passwd", "//x"])
def test_a_webhook_that_is_not_an_http_url_is_422(http: httpx.Client, webhook: str) -> None:
    refused = _refused(http.post(CREATE, json={"input": {"prompt": "x"}, "webhook": webhook}), 422)
    assert refused["invalid_fields"][0]["field"] == "webhook"


def test_file_names_and_numbers_past_any_size_are_answered(http: httpx.Client) -> None:
    huge = "1" * 800
    for inputs in ({"resolution": f"{huge}x{huge}"}, {"aspect_ratio": f"{huge}:{huge}"}, {"resolution": huge}):
        done = http.post(CREATE, json={"input": {"prompt": "x", **inputs}}, headers={"Prefer": "wait"})
        assert done.status_code == 201, done.text
        assert http.get(done.json()["output"][0]).status_code == 200
    files = done.json()["output"][0].rsplit("/", 1)[0]
    for name in ("².png", "0" * 5000 + ".png", "-1.png"):
        _refused(http.get(f"{files}/{name}"), 404)


def test_urls_come_from_the_configuration_never_from_the_host_header(
    served: tuple[httpx.Client, Starlette, str], specs: Path
) -> None:
    http, _, url = served
    created = http.post(CREATE, json={"input": {"prompt": "x"}}, headers={"Host": "evil.example"})
    assert created.json()["urls"]["get"].startswith(f"{url}/v1/predictions/")
    listed = http.get("/v1/predictions", headers={"Host": "evil.example"}).json()
    assert all(p["urls"]["get"].startswith(url) for p in listed["results"])
    app = create_app(specs, replace(CONFIG, public_url="https://models.example.com/"))
    with running(app) as base, httpx.Client(base_url=base, headers=AUTH, timeout=10) as client:
        made = client.post("/replicate" + CREATE, json={"input": {"prompt": "x"}}, headers={"Prefer": "wait"}).json()
    assert made["urls"]["get"] == f"https://models.example.com/replicate/v1/predictions/{made['id']}"
    assert made["output"][0].startswith(f"https://models.example.com/replicate/v1/files/{made['id']}/")


def test_a_chunked_body_is_cut_off_at_the_limit_not_read_whole(specs: Path) -> None:
    """Over ASGI directly, so the number of chunks the server pulls is known exactly."""
    app = create_app(specs, replace(CONFIG, max_body_bytes=1024 * 1024))
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b" " * (256 * 1024), "more_body": True}  # 256 KiB, forever

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": CREATE,
        "raw_path": CREATE.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"authorization", f"Bearer {TOKEN}".encode()), (b"transfer-encoding", b"chunked")],
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=10))
    assert sent[0]["status"] == 413
    assert pulled == 5  # 4 chunks reach the limit; the 5th passes it, and nothing more is read
    assert json.loads(sent[1]["body"])["status"] == 413
