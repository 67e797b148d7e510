"""The local server over real sockets on 127.0.0.1: every route, every fault, sync and concurrent."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from PIL import Image
from starlette.applications import Starlette

from generator import parallel
from generator.importing.importer import Layout, import_file
from generator.server import Fault, ServerConfig, create_app, running
from tests.conftest import FIXTURES, ROOT, SPECS, TOKEN, eventually, model_spec, receiver

AUTH = {"Authorization": f"Bearer {TOKEN}"}
IMAGEN = "/v1/models/google/imagen-4-ultra/predictions"
FAST = ServerConfig(tokens=(TOKEN,), starting_seconds=0.02, processing_seconds=0.05, min_cancel_after_seconds=0.0)


@contextmanager
def serve(config: ServerConfig = FAST) -> Iterator[tuple[httpx.Client, Starlette]]:
    app = create_app(SPECS, config)
    with running(app) as url, httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
        yield client, app


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[httpx.Client, Starlette]]:
    with serve() as pair:
        yield pair


@pytest.fixture
def http(server: tuple[httpx.Client, Starlette]) -> httpx.Client:
    return server[0]


def create(
    http: httpx.Client, path: str = IMAGEN, headers: dict[str, str] | None = None, **inputs: Any
) -> httpx.Response:
    return http.post(path, json={"input": {"prompt": "a fox", **inputs}}, headers=headers)


def until_ended(http: httpx.Client, prediction_id: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = http.get(f"/v1/predictions/{prediction_id}").json()
        if body["status"] in ("succeeded", "failed", "canceled", "aborted"):
            return body
        time.sleep(0.01)
    raise AssertionError(f"{prediction_id} did not end")


class TestLifecycle:
    def test_a_prediction_starts_processes_and_succeeds_on_the_clock(self, http: httpx.Client) -> None:
        created = create(http)
        assert created.status_code == 202
        assert created.json()["status"] == "starting"
        assert created.json()["urls"]["get"].endswith(f"/v1/predictions/{created.json()['id']}")
        done = until_ended(http, created.json()["id"])
        assert done["status"] == "succeeded"
        assert done["started_at"] and done["completed_at"] and done["metrics"]["total_time"] >= 0.07

    def test_the_aggregator_prefix_serves_the_same_api(self, http: httpx.Client) -> None:
        created = create(http, "/replicate" + IMAGEN)
        assert created.status_code == 202
        assert "/replicate/v1/predictions/" in created.json()["urls"]["get"]
        assert http.get(created.json()["urls"]["get"]).status_code == 200

    def test_prefer_wait_holds_the_request_until_the_prediction_ends(self, http: httpx.Client) -> None:
        created = create(http, headers={"Prefer": "wait"})
        assert created.status_code == 201
        assert created.json()["status"] == "succeeded"

    def test_prefer_wait_n_gives_up_after_n_seconds(self) -> None:
        with serve(replace(FAST, processing_seconds=30)) as (http, _):
            started = time.monotonic()
            created = create(http, headers={"Prefer": "wait=1"})
            assert created.status_code == 202
            assert time.monotonic() - started >= 1.0
            assert created.json()["status"] == "processing"  # answered before the prediction ended
            assert create(http, headers={"Prefer": "wait=61"}).status_code == 400

    def test_cancel_ends_a_running_prediction_and_leaves_an_ended_one(self) -> None:
        with serve(replace(FAST, starting_seconds=0, processing_seconds=30)) as (http, _):
            prediction = create(http).json()
            canceled = http.post(f"/v1/predictions/{prediction['id']}/cancel")
            assert canceled.status_code == 200
            assert canceled.json()["status"] == "canceled"
            assert (
                http.post(f"/v1/predictions/{prediction['id']}/cancel").json()["completed_at"]
                == canceled.json()["completed_at"]
            )

    def test_cancel_after_ends_it_canceled_or_aborted_before_it_started(self) -> None:
        with serve(replace(FAST, starting_seconds=0.5, processing_seconds=30)) as (http, _):
            before_start = create(http, headers={"Cancel-After": "100ms"}).json()
            assert until_ended(http, before_start["id"])["status"] == "aborted"
            while_running = create(http, headers={"Cancel-After": "700ms"}).json()
            assert until_ended(http, while_running["id"])["status"] == "canceled"

    def test_cancel_after_below_the_minimum_is_refused(self) -> None:
        with serve(replace(FAST, min_cancel_after_seconds=5)) as (http, _):
            refused = create(http, headers={"Cancel-After": "2s"})
            assert refused.status_code == 400
            assert "at least 5s" in refused.json()["detail"]
            assert create(http, headers={"Cancel-After": "5m"}).status_code == 202

    def test_after_the_retention_the_data_is_removed(self) -> None:
        with serve(replace(FAST, retention_seconds=0.2)) as (http, _):
            done = create(http, headers={"Prefer": "wait"}).json()
            url = done["output"]
            assert http.get(url).status_code == 200
            time.sleep(0.25)
            removed = http.get(f"/v1/predictions/{done['id']}").json()
            assert (removed["output"], removed["data_removed"]) == (None, True)
            assert http.get(url).status_code == 404

    def test_at_most_max_predictions_are_kept_oldest_evicted(self) -> None:
        with serve(replace(FAST, max_predictions=3)) as (http, _):
            ids = [create(http).json()["id"] for _ in range(5)]
            assert [http.get(f"/v1/predictions/{i}").status_code for i in ids] == [404, 404, 200, 200, 200]


class TestOutputs:
    def image(self, http: httpx.Client, **inputs: Any) -> Image.Image:
        done = create(http, headers={"Prefer": "wait"}, **inputs).json()
        assert done["status"] == "succeeded"
        download = http.get(done["output"], headers={"Authorization": ""})  # files need no token
        assert download.status_code == 200
        return Image.open(io.BytesIO(download.content))

    def test_the_size_follows_the_aspect_ratio_and_the_format_the_spec_default(self, http: httpx.Client) -> None:
        image = self.image(http, aspect_ratio="16:9")
        assert (image.format, image.size) == ("JPEG", (1024, 576))  # imagen's default output_format is jpg

    def test_output_format_is_honoured(self, http: httpx.Client) -> None:
        assert self.image(http, output_format="png", aspect_ratio="9:16").format == "PNG"

    def test_a_seed_makes_the_output_reproducible(self, http: httpx.Client) -> None:
        seeded = [self.image(http, seed=42, output_format="png").getpixel((0, 0)) for _ in range(2)]
        unseeded = [self.image(http, output_format="png").getpixel((0, 0)) for _ in range(2)]
        assert seeded[0] == seeded[1]
        assert unseeded[0] != unseeded[1]

    def test_ideogram_resolution_sets_the_size(self, http: httpx.Client) -> None:
        done = create(
            http,
            "/v1/models/ideogram-ai/ideogram-v2-turbo/predictions",
            headers={"Prefer": "wait"},
            resolution="1280x768",
        ).json()
        image = Image.open(io.BytesIO(http.get(done["output"]).content))
        assert image.size == (1280, 768)


class TestRefusals:
    def test_invalid_input_is_422_with_invalid_fields(self, http: httpx.Client) -> None:
        refused = http.post(IMAGEN, json={"input": {"safety_filter_level": "none"}, "stream": True, "extra": 1})
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        fields = {(f["type"], f["field"]) for f in refused.json()["invalid_fields"]}
        assert fields == {  # `stream` is Replicate's own field, which official clients send
            ("required", "input.prompt"),
            ("enum", "input.safety_filter_level"),
            ("additional_property_not_allowed", "extra"),
        }

    def test_missing_or_wrong_token_is_401(self, http: httpx.Client) -> None:
        assert http.get("/v1/predictions", headers={"Authorization": ""}).status_code == 401
        assert create(http, headers={"Authorization": "Bearer nope"}).status_code == 401

    def test_unknown_model_route_or_prediction_is_404(self, http: httpx.Client) -> None:
        assert create(http, "/v1/models/nobody/nothing/predictions").status_code == 404
        assert http.get("/v1/predictions/doesnotexist").status_code == 404
        missing = http.get("/v1/nowhere")
        assert (missing.status_code, missing.headers["content-type"]) == (404, "application/problem+json")

    def test_wrong_method_is_405_and_wrong_content_type_is_415(self, http: httpx.Client) -> None:
        assert http.delete("/v1/predictions/x").status_code == 405
        refused = http.post(IMAGEN, content=b'{"input": {"prompt": "x"}}', headers={"Content-Type": "text/plain"})
        assert refused.status_code == 415

    def test_a_body_over_the_limit_is_413(self) -> None:
        with serve(replace(FAST, max_body_bytes=200)) as (http, _):
            assert create(http, prompt="x" * 300).status_code == 413

    def test_broken_json_is_400(self, http: httpx.Client) -> None:
        refused = http.post(IMAGEN, content=b'{"input":', headers={"Content-Type": "application/json"})
        assert refused.status_code == 400


class TestCreateByVersion:
    def test_an_official_model_is_named_by_owner_and_name(self, http: httpx.Client) -> None:
        created = http.post("/v1/predictions", json={"version": "google/imagen-4-ultra", "input": {"prompt": "x"}})
        assert created.status_code == 202
        assert created.json()["model"] == "google/imagen-4-ultra"

    def test_an_unknown_version_is_404_as_the_bundle_documents(self, http: httpx.Client) -> None:
        refused = http.post("/v1/predictions", json={"version": "f" * 64, "input": {"prompt": "x"}})
        assert refused.status_code == 404
        assert "f" * 64 in refused.json()["detail"]


class TestList:
    def test_pages_newest_first_with_next_and_previous_urls(self) -> None:
        with serve(replace(FAST, page_size=2)) as (http, _):
            ids = [create(http).json()["id"] for _ in range(5)]
            first = http.get("/v1/predictions").json()
            assert [p["id"] for p in first["results"]] == ids[::-1][:2]
            assert first["previous"] is None and first["next"].startswith(str(http.base_url))
            second = http.get(first["next"]).json()
            third = http.get(second["next"]).json()
            assert [p["id"] for p in second["results"] + third["results"]] == ids[::-1][2:]
            assert third["next"] is None
            back = http.get(third["previous"]).json()
            assert [p["id"] for p in back["results"]] == ids[::-1][2:4]

    def test_created_after_and_before_filter(self) -> None:
        with serve(FAST) as (http, _):
            old = create(http).json()
            time.sleep(0.01)
            new = create(http).json()
            after = http.get("/v1/predictions", params={"created_after": old["created_at"]}).json()
            before = http.get("/v1/predictions", params={"created_before": new["created_at"]}).json()
            assert [p["id"] for p in after["results"]] == [new["id"]]
            assert [p["id"] for p in before["results"]] == [old["id"]]
            assert http.get("/v1/predictions", params={"cursor": "!!"}).status_code == 400


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, s.partition(",")[2]) for s in headers["webhook-signature"].split())


class TestWebhooks:
    def test_events_in_the_filter_are_delivered_in_order_and_signed(
        self, server: tuple[httpx.Client, Starlette]
    ) -> None:
        http, app = server
        secret = http.get("/v1/webhooks/default/secret").json()["key"]
        assert secret == app.state.config.webhook_secret and secret.startswith("whsec_")
        with receiver() as (url, calls):
            body = {"input": {"prompt": "x"}, "webhook": url, "webhook_events_filter": ["start", "completed"]}
            prediction = http.post(IMAGEN, json=body).json()
            until_ended(http, prediction["id"])
            eventually(lambda: len(calls) == 2)
        statuses = [json.loads(payload)["status"] for _, payload in calls]
        assert statuses == ["starting", "succeeded"]
        assert all(verify(secret, headers, payload) for headers, payload in calls)
        assert not verify("whsec_" + base64.b64encode(b"another secret").decode(), *calls[0])

    def test_start_carries_the_prediction_as_created_however_late_it_is_sent(self) -> None:
        """A busy server may first run the sender after a poll moved the prediction on (here it starts
        at once): `start` still says `starting`, as Replicate's does."""
        with serve(replace(FAST, starting_seconds=0, processing_seconds=0.5)) as (http, _), receiver() as (url, calls):
            body = {"input": {"prompt": "x"}, "webhook": url, "webhook_events_filter": ["start"]}
            prediction = http.post(IMAGEN, json=body).json()
            assert http.get(f"/v1/predictions/{prediction['id']}").json()["status"] == "processing"
            eventually(lambda: len(calls) == 1)
        assert json.loads(calls[0][1])["status"] == "starting"

    def test_completed_is_sent_when_the_prediction_ends_while_start_is_in_flight(
        self, server: tuple[httpx.Client, Starlette]
    ) -> None:
        """In this order, whatever the timings: `start` reaches the receiver and is held there, the
        prediction ends, then `start` is answered; `completed` must still follow."""
        http, _ = server
        release = threading.Event()
        with receiver(hold_first=release) as (url, calls):
            body = {"input": {"prompt": "x"}, "webhook": url, "webhook_events_filter": ["start", "completed"]}
            prediction = http.post(IMAGEN, json=body).json()
            eventually(lambda: len(calls) == 1)
            until_ended(http, prediction["id"])
            assert len(calls) == 1  # `start` is still in flight
            release.set()
            eventually(lambda: len(calls) == 2)
        assert [json.loads(payload)["status"] for _, payload in calls] == ["starting", "succeeded"]

    def test_a_failed_delivery_is_retried_with_backoff(self) -> None:
        with (
            serve(replace(FAST, webhook_retry_delays=(0.05, 0.1))) as (http, app),
            receiver(fail_first=1) as (url, calls),
        ):
            body = {"input": {"prompt": "x"}, "webhook": url, "webhook_events_filter": ["completed"]}
            until_ended(http, http.post(IMAGEN, json=body).json()["id"])
            # The server records a delivery once its answer is back, after the receiver saw the call:
            # wait for the record, not for the call.
            eventually(lambda: len(app.state.webhooks.deliveries) == 2)
            attempts = [(d.event, d.status, d.attempt) for d in app.state.webhooks.deliveries]
        assert attempts == [("completed", 500, 1), ("completed", 204, 2)]
        assert calls[0][0]["webhook-id"] == calls[1][0]["webhook-id"]  # the same message, retried

    def test_a_target_beyond_loopback_is_taken_and_recorded_as_not_delivered(self) -> None:
        """Replicate takes any https URL: so does the server, which calls only loopback targets unless
        `webhook_targets` says otherwise."""
        with serve() as (http, app):
            taken = http.post(IMAGEN, json={"input": {"prompt": "x"}, "webhook": "https://example.com/hook"})
            assert taken.status_code == 202
            eventually(lambda: any(d.event == "completed" for d in app.state.webhooks.deliveries))
            deliveries = list(app.state.webhooks.deliveries)
            assert all(d.attempt == 0 and d.skipped == "webhook targets: loopback" for d in deliveries)


class TestFaults:
    def test_429_carries_retry_after(self, http: httpx.Client) -> None:
        throttled = create(http, headers={"X-Fault": "429:2"})
        assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "2")

    @pytest.mark.parametrize("status", [500, 503])
    def test_server_errors(self, http: httpx.Client, status: int) -> None:
        assert http.get("/v1/predictions", headers={"X-Fault": str(status)}).status_code == status

    def test_slow_responses(self, http: httpx.Client) -> None:
        started = time.monotonic()
        assert http.get("/v1/predictions", headers={"X-Fault": "slow:0.3"}).status_code == 200
        assert time.monotonic() - started >= 0.3

    def test_a_dropped_connection(self, http: httpx.Client) -> None:
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/v1/predictions", headers={"X-Fault": "drop"})
        assert http.get("/v1/predictions").status_code == 200  # the server itself carries on

    def test_a_malformed_body(self, http: httpx.Client) -> None:
        response = http.get("/v1/predictions", headers={"X-Fault": "malformed"})
        assert response.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            response.json()

    def test_a_prediction_that_fails_with_an_error_and_logs(self, http: httpx.Client) -> None:
        failed = until_ended(http, create(http, headers={"X-Fault": "fail"}).json()["id"])
        assert failed["status"] == "failed"
        assert failed["error"] and "Traceback" in failed["logs"] and failed["output"] is None

    def test_a_flag_fault_on_the_nth_call_only(self) -> None:
        with serve(replace(FAST, faults=(Fault.parse("503#2"),))) as (http, app):
            statuses = [http.get("/v1/predictions").status_code for _ in range(4)]
            assert statuses == [200, 503, 200, 200]
            assert len(app.state.store.received) == 4  # every attempt is seen server-side

    def test_a_flag_fault_at_a_rate_is_reproducible(self) -> None:
        def statuses() -> list[int]:
            with serve(replace(FAST, faults=(Fault.parse("429@0.5"),), fault_seed=7)) as (http, _):
                return [http.get("/v1/predictions").status_code for _ in range(20)]

        first = statuses()
        assert first == statuses()
        assert 3 <= first.count(429) <= 17

    def test_a_bad_fault_is_400(self, http: httpx.Client) -> None:
        assert http.get("/v1/predictions", headers={"X-Fault": "explode"}).status_code == 400


def test_many_concurrent_clients(server: tuple[httpx.Client, Starlette]) -> None:
    base = str(server[0].base_url)

    async def one(client: httpx.AsyncClient, n: int) -> str:
        created = await client.post(IMAGEN, json={"input": {"prompt": f"fox {n}"}}, headers={"Prefer": "wait"})
        assert created.status_code == 201
        return str(created.json()["id"])

    async def main() -> list[str]:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=30, limits=limits) as client:
            return await asyncio.gather(*(one(client, n) for n in range(100)))

    ids = asyncio.run(main())
    assert len(set(ids)) == 100


def test_serve_prints_its_url_first_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    # Its own catalog of one model, whatever specs/ holds.
    layout = Layout(models=tmp_path / "models", shared=tmp_path / "shared")
    [imported] = import_file(FIXTURES / "samples" / "google__imagen-4-ultra.md", layout)
    assert imported.spec is not None
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "serve",
            "--port",
            "0",
            "--token",
            "t1",
            "--token",
            "t2",
            "--specs",
            str(layout.models),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # the server prints it at once or exits, so this returns
        assert first.startswith("serving 1 model(s) at http://127.0.0.1:"), first
        url = first.split(" at ")[1].strip()
        assert process.stdout.readline().strip() == "token: t1, t2"
        assert httpx.get(f"{url}/v1/predictions", headers={"Authorization": "Bearer t2"}, timeout=5).status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()
    finally:
        process.kill()


def _descendants(pid: int) -> set[int]:
    """The processes `pid` started, and theirs (Linux)."""
    try:
        children = {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:  # gone
        return set()
    return children.union(*(_descendants(child) for child in children))


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"  # a zombie is done
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads a process's children from /proc")
def test_a_server_stopped_by_a_signal_leaves_no_process_behind(tmp_path: Path) -> None:
    """A catalogue of hundreds of specs is read by workers; they must not outlive the server."""
    models = tmp_path / "models" / "acme"
    models.mkdir(parents=True)
    schema = {"type": "object", "properties": {"prompt": {"type": "string"}}}
    for number in range(2 * parallel.MIN_PER_WORKER):
        spec = model_spec("acme", f"model-{number}", schema)
        (models / f"model-{number}.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", "REPLICATE_CODEGEN_JOBS": "2"}
    environment["REPLICATE_CODEGEN_CACHE"] = str(tmp_path / "cache")
    command = [sys.executable, "-m", "generator", "serve", "--port", "0", "--specs", str(tmp_path / "models")]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=environment)
    started: set[int] = set()
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith(f"serving {2 * parallel.MIN_PER_WORKER} model(s)"), first
        started = _descendants(process.pid)
        process.terminate()
        process.wait(timeout=10)
        try:
            eventually(lambda: not any(_alive(pid) for pid in started), timeout=5)
        except AssertionError:
            raise AssertionError(f"still running: {sorted(p for p in started if _alive(p))}") from None
    finally:
        process.kill()
        process.wait(timeout=10)
        for pid in started:  # what a failure left behind
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def test_cancel_while_starting(http: httpx.Client) -> None:
    with serve(replace(FAST, starting_seconds=30)) as (slow, _):
        prediction = create(slow).json()
        assert slow.post(f"/v1/predictions/{prediction['id']}/cancel").json()["status"] == "canceled"
