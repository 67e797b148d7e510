"""The generated client's retries, timeouts, per-call options and listing, against the local server.

Faults are injected by the server (`--fault` rules counted per request), and every attempt is
counted on the server side, so a retry is seen where it happens, not inferred from the client.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from PIL import Image
from replicate_models import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    AsyncClient,
    Client,
    FileOutput,
    InternalServerError,
    NotFoundError,
    Prediction,
    RateLimitError,
    WebhookVerificationError,
)
from replicate_models.webhooks import verify
from starlette.applications import Starlette

from generator.server import Fault, ServerConfig, create_app, running
from tests.conftest import SPECS, TOKEN, eventually, receiver

FAST = ServerConfig(tokens=(TOKEN,), starting_seconds=0.01, processing_seconds=0.02, min_cancel_after_seconds=0)


@contextmanager
def served(*faults: str, **settings: Any) -> Iterator[tuple[Client, Starlette]]:
    app = create_app(SPECS, replace(FAST, faults=tuple(Fault.parse(f) for f in faults), **settings))
    with running(app) as url, Client(api_token=TOKEN, base_url=url) as client:
        yield client, app


def attempts(app: Starlette, method: str, fragment: str) -> int:
    return sum(1 for r in app.state.store.received if r.method == method and fragment in r.path)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The backoff schedule is the package's; tests only shorten it."""
    monkeypatch.setattr("replicate_models._base_client.INITIAL_RETRY_DELAY", 0.01)


class TestRetries:
    def test_a_get_is_retried_through_server_errors(self) -> None:
        with served("503#2", "500#3") as (client, app):  # request 1 is the create
            prediction = client.imagen_4_ultra.create(prompt="x")
            assert client.predictions.get(prediction.id).id == prediction.id
            assert attempts(app, "GET", prediction.id) == 3

    def test_a_create_is_never_retried_on_a_server_error(self) -> None:
        with served("503#1") as (client, app):
            with pytest.raises(InternalServerError) as caught:
                client.imagen_4_ultra.create(prompt="x")
            assert caught.value.status_code == 503
            assert attempts(app, "POST", "/predictions") == 1

    def test_a_create_is_retried_on_429_after_retry_after(self) -> None:
        with served("429:1#1") as (client, app):
            started = time.monotonic()
            client.imagen_4_ultra.create(prompt="x")
            assert time.monotonic() - started >= 1.0
            assert attempts(app, "POST", "/predictions") == 2

    def test_a_retry_after_over_the_cap_is_raised_not_waited(self) -> None:
        with served("429:120#1") as (client, app):
            with pytest.raises(RateLimitError) as caught:
                client.predictions.get("anything")
            assert caught.value.retry_after == 120
            assert attempts(app, "GET", "anything") == 1

    def test_max_retries_per_call_and_per_client(self) -> None:
        with served("503@1.0") as (client, app):
            with pytest.raises(InternalServerError):
                client.predictions.get("a", options={"max_retries": 0})
            assert attempts(app, "GET", "/a") == 1
            with pytest.raises(InternalServerError):
                client.predictions.get("b")
            assert attempts(app, "GET", "/b") == 3  # the default: 2 retries
            patient = Client(api_token=TOKEN, base_url=str(client.base_url), max_retries=4)
            with patient, pytest.raises(InternalServerError):
                patient.predictions.get("c")
            assert attempts(app, "GET", "/c") == 5

    def test_a_dropped_connection_is_retried_for_a_get_not_for_a_create(self) -> None:
        with served("drop#2") as (client, app):
            prediction = client.imagen_4_ultra.create(prompt="x")
            assert client.predictions.get(prediction.id).id == prediction.id
            assert attempts(app, "GET", prediction.id) == 2
        with served("drop#1") as (client, app):
            with pytest.raises(APIConnectionError):
                client.imagen_4_ultra.create(prompt="x")
            assert attempts(app, "POST", "/predictions") == 1

    def test_a_connection_that_never_opened_is_retried_even_for_a_create(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with running(Starlette()) as url:
            closed = url  # the port is free again once the server has stopped
        caplog.set_level(logging.INFO, logger="replicate_models")
        with Client(api_token=TOKEN, base_url=closed, max_retries=2) as client, pytest.raises(APIConnectionError):
            client.imagen_4_ultra.create(prompt="x")
        assert [
            r.getMessage().split(": ", 1)[1].split(";")[0] for r in caplog.records if "retry" in r.getMessage()
        ] == [
            "ConnectError",
            "ConnectError",
        ]

    def test_a_timeout_is_retried_for_a_get_and_raised(self) -> None:
        with served() as (client, app):
            options = {"timeout": 0.2, "max_retries": 1, "extra_headers": {"X-Fault": "slow:1"}}
            with pytest.raises(APITimeoutError):
                client.predictions.get("slowpoke", options=options)  # type: ignore[arg-type]
            assert attempts(app, "GET", "slowpoke") == 2


def test_a_malformed_body_is_an_api_response_error_not_a_decode_error() -> None:
    with served() as (client, _):
        with pytest.raises(APIResponseError, match="not JSON") as caught:
            client.predictions.get("x", options={"extra_headers": {"X-Fault": "malformed"}})
        assert caught.value.response.status_code == 200


class TestOptions:
    def test_wait_stretches_the_read_timeout(self) -> None:
        with (
            served(processing_seconds=1.5) as (client, _),
            Client(api_token=TOKEN, base_url=str(client.base_url), timeout=0.5) as hasty,
        ):
            prediction = hasty.imagen_4_ultra.create(prompt="x", wait=10)
        assert prediction.status == "succeeded"
        assert prediction.raw_response is not None and prediction.raw_response.status_code == 201

    def test_cancel_after_ends_the_prediction_on_the_server(self) -> None:
        with served(processing_seconds=30) as (client, app):
            prediction = client.imagen_4_ultra.create(prompt="x", cancel_after=0.2)
            assert client.predictions.wait(prediction, poll_interval=0.05, timeout=5).status == "canceled"
            [create] = [r for r in app.state.store.received if r.method == "POST"]
            assert create.headers["cancel-after"] == "200ms"

    def test_extra_headers_and_raw_response(self) -> None:
        with served() as (client, app):
            prediction = client.imagen_4_ultra.create(prompt="x", options={"extra_headers": {"X-Team": "red"}})
            assert app.state.store.received[-1].headers["x-team"] == "red"
            assert prediction.raw_response is not None
            assert prediction.raw_response.status_code == 202
            assert prediction.raw_response.headers["content-type"] == "application/json"

    def test_extra_input_passes_fields_the_documents_do_not_list(self) -> None:
        with served() as (client, app):
            client.imagen_4_ultra.create(prompt="x", extra_input={"seed": 7})
            assert app.state.store.received[-1].body["input"] == {"seed": 7, "prompt": "x"}


class TestPredictions:
    def test_create_by_version(self) -> None:
        with served() as (client, app):
            prediction = client.predictions.create(version="google/imagen-4-ultra", input={"prompt": "x"}, wait=True)
            assert (prediction.model, prediction.status) == ("google/imagen-4-ultra", "succeeded")
            assert app.state.store.received[-1].path == "/v1/predictions"

    def test_list_follows_next_across_pages_sync_and_async(self) -> None:
        with served(page_size=2) as (client, _):
            created = [client.imagen_4_ultra.create(prompt=str(n)).id for n in range(5)]
            assert [p.id for p in client.predictions.list()] == created[::-1]

            async def collect() -> list[str]:
                async with AsyncClient(api_token=TOKEN, base_url=str(client.base_url)) as aclient:
                    return [p.id async for p in aclient.predictions.list()]

            assert asyncio.run(collect()) == created[::-1]

    def test_unknown_fields_and_statuses_do_not_break_the_model(self) -> None:
        prediction = Prediction.model_validate({"id": "p", "status": "paused", "gpu": "a100", "urls": {"x": "y"}})
        assert prediction.status == "paused"
        assert not prediction.terminal
        assert prediction.model_extra == {"gpu": "a100"}


class TestSecrets:
    def test_the_token_appears_in_no_repr_log_or_error(self, caplog: pytest.LogCaptureFixture) -> None:
        secret = "r8_very_secret_token_value"
        caplog.set_level(logging.DEBUG, logger="replicate_models")
        with served() as (client, _), Client(api_token=secret, base_url=str(client.base_url)) as leaky:
            assert secret not in repr(leaky)
            with pytest.raises(Exception) as caught:
                leaky.predictions.get("x")
        assert secret not in str(caught.value) and secret not in repr(caught.value)
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert "'authorization': '[redacted]'" in logged
        assert secret not in logged


def test_a_hundred_concurrent_runs_with_the_async_client() -> None:
    app = create_app(SPECS, FAST)

    async def main(url: str) -> list[Any]:
        limits = httpx.Limits(max_connections=100)
        async with AsyncClient(api_token=TOKEN, base_url=url, http_client=httpx.AsyncClient(limits=limits)) as client:
            return await asyncio.gather(*(client.imagen_4_ultra.run(prompt=f"fox {n}") for n in range(100)))

    with running(app) as url:
        outputs = asyncio.run(main(url))
    assert len(outputs) == 100 and all(o.url.endswith(".jpg") for o in outputs)
    assert len({o.url for o in outputs}) == 100


def test_the_async_client_sleeps_on_whatever_loop_it_runs_on() -> None:
    """A retry's wait and a poll's pause go through anyio, so the async client works under trio
    as httpx does, not only under asyncio."""
    app = create_app(SPECS, replace(FAST, faults=(Fault.parse("429:1#1"),)))

    async def main(url: str) -> tuple[Prediction, Prediction]:
        async with AsyncClient(api_token=TOKEN, base_url=url) as client:
            created = await client.imagen_4_ultra.create(prompt="a fox")  # 429 first: retried after 1 s
            return created, await client.predictions.wait(created, poll_interval=0.01)

    with running(app) as url:
        started = time.monotonic()
        created, ended = trio.run(main, url)
    assert time.monotonic() - started >= 1.0
    assert attempts(app, "POST", "/predictions") == 2
    assert not created.terminal and ended.status == "succeeded"


class TestFileOutput:
    def test_read_save_and_iterate_with_the_clients_auth(self, tmp_path: Path) -> None:
        with served() as (client, app):
            image = client.imagen_4_ultra.run(prompt="x", output_format="png", aspect_ratio="16:9")
            data = image.read()
            assert Image.open(io.BytesIO(data)).size == (1024, 576)
            saved = image.save(tmp_path / "out" / "fox.png")
            assert saved.read_bytes() == data
            assert b"".join(image.iter_bytes()) == data
            download = app.state.store.received[-1]
            assert download.headers["authorization"] == f"Bearer {TOKEN}"  # the API's own host
            assert not list((tmp_path / "out").glob(".*.part"))

    def test_a_failed_download_leaves_no_file(self, tmp_path: Path) -> None:
        with served(retention_seconds=0.3) as (client, _):
            image = client.imagen_4_ultra.run(prompt="x")
            time.sleep(0.35)  # the data is removed: the file URL answers 404
            with pytest.raises(NotFoundError):
                image.save(tmp_path / "gone.jpg")
        assert list(tmp_path.iterdir()) == []

    def test_the_token_is_not_sent_to_another_host(self) -> None:
        with served() as (client, app), running(app) as other_host:
            other = FileOutput(f"{other_host.replace('127.0.0.1', 'localhost')}/v1/files/x/0.png", client)
            with pytest.raises(NotFoundError):
                other.read()
            assert "authorization" not in app.state.store.received[-1].headers

    def test_the_token_is_not_sent_over_another_scheme(self) -> None:
        with Client(api_token=TOKEN, base_url="https://api.example.test/replicate") as client:
            assert "Authorization" in client._headers("https://api.example.test/v1/files/x/0.png", None)
            assert "Authorization" not in client._headers("http://api.example.test/v1/files/x/0.png", None)
            assert "Authorization" not in client._headers("https://replicate.delivery/x/0.png", None)

    def test_data_uris_are_read_without_a_request(self) -> None:
        with served() as (client, app):
            before = len(app.state.store.received)
            inline = FileOutput("data:text/plain;base64,aGVsbG8=", client)
            assert inline.read() == b"hello"
            assert len(app.state.store.received) == before

    def test_async_outputs_are_read_with_aread_and_asave(self, tmp_path: Path) -> None:
        async def main(url: str) -> tuple[bytes, bytes]:
            async with AsyncClient(api_token=TOKEN, base_url=url) as aclient:
                image = await aclient.imagen_4_ultra.run(prompt="x")
                saved = await image.asave(tmp_path / "a.jpg")
                with pytest.raises(TypeError, match="aread"):
                    image.read()
                return await image.aread(), saved.read_bytes()

        with running(create_app(SPECS, FAST)) as url:
            read, saved = asyncio.run(main(url))
        assert read == saved and read[:2] == b"\xff\xd8"  # a JPEG


class TestWebhooks:
    SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123").decode()

    def signed(self, body: bytes, timestamp: int, secret: str | None = None) -> dict[str, str]:
        key = base64.b64decode((secret or self.SECRET).removeprefix("whsec_"))
        digest = hmac.new(key, f"msg_1.{timestamp}.".encode() + body, hashlib.sha256).digest()
        return {
            "Webhook-Id": "msg_1",
            "Webhook-Timestamp": str(timestamp),
            "Webhook-Signature": "v1,bm90IGl0 v1," + base64.b64encode(digest).decode(),
        }

    def test_a_genuine_webhook_gives_its_prediction(self) -> None:
        body = json.dumps({"id": "p1", "status": "succeeded", "output": ["u"]}).encode()
        prediction = verify(body, self.signed(body, int(time.time())), self.SECRET)
        assert (prediction.id, prediction.status) == ("p1", "succeeded")

    @pytest.mark.parametrize(
        ("tamper", "message"),
        [
            ("body", "no signature matches"),
            ("secret", "no signature matches"),
            ("old", "outside the tolerance"),
            ("missing", "missing header webhook-signature"),
        ],
    )
    def test_anything_else_is_refused(self, tamper: str, message: str) -> None:
        body = b'{"id": "p1", "status": "succeeded"}'
        stamp = int(time.time()) - (3600 if tamper == "old" else 0)
        other = "whsec_" + base64.b64encode(b"another key").decode()
        headers = self.signed(body, stamp, other if tamper == "secret" else None)
        if tamper == "missing":
            del headers["Webhook-Signature"]
        with pytest.raises(WebhookVerificationError, match=message):
            verify(body + (b" " if tamper == "body" else b""), headers, self.SECRET)

    def test_webhooks_from_the_local_server_verify(self) -> None:
        with served() as (client, _), receiver() as (url, calls):
            secret = httpx.get(
                f"{client.base_url}/v1/webhooks/default/secret", headers={"Authorization": f"Bearer {TOKEN}"}
            ).json()["key"]
            client.imagen_4_ultra.create(prompt="x", webhook=url, webhook_events_filter=["completed"])
            eventually(lambda: bool(calls))
        headers, body = calls[0]
        assert verify(body, headers, secret).status == "succeeded"


class TestStreaming:
    def test_events_arrive_as_the_prediction_runs_and_end_with_done(self) -> None:
        with served(processing_seconds=0.3) as (client, _):
            prediction = client.imagen_4_ultra.create(prompt="x")
            events = [(e.event, e.data) for e in client.predictions.stream(prediction)]
        assert events[0] == ("logs", "starting prediction")
        assert [name for name, _ in events][-2:] == ["output", "done"]
        assert events[-2][1].endswith("/0.jpg") and events[-1][1] == "{}"

    def test_a_failed_prediction_streams_its_error(self) -> None:
        with served() as (client, _):
            prediction = client.imagen_4_ultra.create(prompt="x", options={"extra_headers": {"X-Fault": "fail"}})

            async def collect() -> list[str]:
                async with AsyncClient(api_token=TOKEN, base_url=str(client.base_url)) as aclient:
                    return [e.event async for e in aclient.predictions.stream(prediction.id)]

            assert asyncio.run(collect())[-2:] == ["error", "done"]


def test_every_predictions_method_of_the_async_client() -> None:
    async def main(url: str) -> list[str]:
        async with AsyncClient(api_token=TOKEN, base_url=url) as client:
            created = await client.predictions.create(version="google/imagen-4-ultra", input={"prompt": "x"})
            fetched = await client.predictions.get(created.id)
            done = await client.predictions.wait(fetched, poll_interval=0.01, timeout=5)
            other = await client.imagen_4_ultra.create(prompt="y", cancel_after=30)
            canceled = await client.predictions.cancel(other.id)
            listed = [p.id async for p in client.predictions.list()]
            assert listed == [other.id, created.id]
            return [fetched.id == created.id and "same", done.status, canceled.status]

    with running(create_app(SPECS, replace(FAST, processing_seconds=0.5))) as url:
        assert asyncio.run(main(url)) == ["same", "succeeded", "canceled"]
