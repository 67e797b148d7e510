"""The prediction API the server serves: create (by model or by version), get, cancel, list, stream,
the webhook secret and output downloads, all driven by the models' specs."""

from __future__ import annotations

import asyncio
import html
import ipaddress
import json
import re
import secrets
from collections import deque
from collections.abc import AsyncIterator
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from generator.catalog import Catalog
from generator.server import store as lifecycle
from generator.server.config import ServerConfig
from generator.server.faults import Fault
from generator.server.outputs import output_file
from generator.server.problems import invalid_field, invalid_fields, problem, unprocessable
from generator.server.store import PredictionStore, Record, Timing, iso_now
from generator.server.urls import api_base
from generator.server.webhooks import Sender
from generator.spec import canonical
from generator.spec.specfile import resolve_ref
from generator.spec.values import output_value, tokens
from generator.spec.vocabulary import WEBHOOK_EVENTS
from generator.validate.schemas import DocumentSchemas

# The grammar of Cancel-After: at the default minimum of 5 s, exactly what `canonical.CANCEL_AFTER` says.
_DURATION = re.compile(r"^(0|[1-9][0-9]{0,8})(ms|s|m|h)$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PREFER_WAIT = re.compile(canonical.PREFER_WAIT)
_WEBHOOK_URL = re.compile(canonical.WEBHOOK_URL)
_FILE_INDEX = re.compile(r"[0-9]{1,6}")
_POLL_CAP = 0.25  # waits and streams look again at least this often, whatever the lifecycle says


def _duration(text: str) -> float | None:
    match = _DURATION.match(text)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else None


_CURSOR = re.compile(canonical.PREDICTIONS_CURSOR)
_DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


def _webhook_url(value: Any) -> bool:
    """What the spec's webhook schema takes (`canonical.WEBHOOK_URL`), its IPv6 host an address."""
    if not isinstance(value, str) or not _WEBHOOK_URL.match(value):
        return False
    host = value.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1 : host.index("]")])
        except ValueError:
            return False
    return True


def _moment(text: str) -> datetime | None:
    """An RFC 3339 date-time (with its offset), or None for anything else."""
    if not _DATE_TIME.match(text):
        return None
    fraction = re.search(r"\.([0-9]+)", text)
    if fraction is not None and len(fraction.group(1)) > 6:  # Python holds microseconds
        text = text.replace(fraction.group(0), "." + fraction.group(1)[:6])
    try:
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:  # February 30th
        return None


def _event(number: int, name: str, data: str) -> str:
    """One server-sent event; a `data:` line for each line of `data`, as the format has it."""
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"id: {number}\nevent: {name}\n{lines}\n"


class Predictions:
    def __init__(self, catalog: Catalog, config: ServerConfig, store: PredictionStore) -> None:
        self.models = {m.id: m for m in catalog.models}
        # formats asserted: Replicate's models check theirs (a `uri` input takes no bare word)
        self._schemas = {m.id: DocumentSchemas(m.document, formats=True) for m in catalog.models}
        self._streaming = {m.id for m in catalog.models if m.streams}
        self.config = config
        self.store = store
        self.timing = Timing(config.starting_seconds, config.processing_seconds, config.retention_seconds)
        self.webhooks = Sender(
            config.webhook_secret,
            config.webhook_retry_delays,
            config.webhook_timeout_seconds,
            config.webhook_targets,
            deque(maxlen=config.max_predictions),
        )
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the lifecycle, worked out from the clock when a prediction is looked at

    def _with_defaults(self, model_id: str, given: dict[str, Any]) -> dict[str, Any]:
        """What the model runs with: the spec's defaults under what the request gave."""
        model = self.models[model_id]
        return {**{f.name: f.schema["default"] for f in model.fields if f.has_default}, **given}

    def _finish(self, record: Record) -> None:
        model = self.models[record.data["model"]]
        model_input = self._with_defaults(model.id, record.data["input"])

        def url(index: int) -> str:
            return f"{record.files_url}/{index}.{output_file(record.id, model_input, index).ext}"

        resolve = partial(resolve_ref, model.document)
        record.data["output"] = output_value(model.output_schema, model_input, url, resolve)
        record.data["logs"] += "generated the output\n"

    def refresh(self, record: Record) -> Record:
        now = self.store.clock()
        lifecycle.advance(record, self.timing, now, self._finish)
        if record.data["status"] == "processing" and record.data["model"] in self._streaming:
            # a language model's tokens come as it runs: the share of its time gone, of its words
            words = tokens(self._with_defaults(record.data["model"], record.data["input"]))
            gone = (now - record.created - self.timing.starting) / max(self.timing.processing, 1e-9)
            record.data["output"] = words[: int(len(words) * min(1.0, max(0.0, gone)))]
        return record

    def _next_change(self, record: Record) -> float:
        """Seconds until the record's status may change next (capped, so cancels are seen soon)."""
        starting, processing = self.timing.starting, self.timing.processing
        marks = [record.created + starting, record.created + starting + processing]
        if record.cancel_at is not None:
            marks.append(record.cancel_at)
        now = self.store.clock()
        return min(_POLL_CAP, max(0.0, min((m for m in marks if m > now), default=now) - now)) + 0.001

    async def _drive_webhooks(self, record: Record, created: dict[str, Any]) -> None:
        """Deliver each event the filter asks for, in order, as the prediction reaches it. `start`
        carries the prediction as it was created (`created`), however late this task first runs: a
        poll may have moved the record on meanwhile."""
        while True:
            self.refresh(record)
            due = ["start"]
            if record.data["status"] != "starting":
                due.append("logs")
            if record.data.get("output") is not None:
                due.append("output")
            if record.has_ended:
                due.append("completed")
            for event in due:
                if event not in record.delivered:
                    record.delivered.add(event)
                    if event in record.events and record.webhook:
                        payload = created if event == "start" else dict(record.data)
                        await self.webhooks.send(record.webhook, event, payload)
            # Not `has_ended`: the prediction may have ended while an earlier event was in flight,
            # after `due` was worked out, and `completed` must still go out.
            if "completed" in record.delivered:
                return
            if not record.has_ended:
                await asyncio.sleep(self._next_change(record))

    # -- routes

    async def create_for_model(self, request: Request, body: Any, fault: Fault | None) -> Response:
        model_id = f"{request.path_params['owner']}/{request.path_params['name']}"
        return await self._create(request, model_id, body, fault)

    def _by_version(self, reference: Any) -> str | None:
        """`<hash>`, `owner/name:<hash>` or `owner/name` -> the model id, through the specs."""
        if not isinstance(reference, str):
            return None
        model_part, _, version = reference.partition(":")
        for model in self.models.values():
            if reference in (model.version, f"{model.id}:{model.version}") or (not version and model_part == model.id):
                return model.id
        return None

    async def create_for_version(self, request: Request, body: Any, fault: Fault | None) -> Response:
        reference = body.get("version") if isinstance(body, dict) else None
        model_id = self._by_version(reference)
        if model_id is None:
            return problem(404, "Not found", f"no model here has the version {reference!r}")
        if not self.models[model_id].version:  # the spec's body has no `version`: check the rest
            body = {k: v for k, v in body.items() if k != "version"}
        return await self._create(request, model_id, body, fault)

    async def _create(self, request: Request, model_id: str, body: Any, fault: Fault | None) -> Response:
        if model_id not in self.models:
            return problem(404, "Not found", f"model {model_id} does not exist here")
        model = self.models[model_id]
        if isinstance(body, dict) and "stream" in body:
            # Replicate's own (deprecated) field, which every official client sends to stream: taken
            # whatever the spec's request schema says, which a hand-written spec may leave out
            if not isinstance(body["stream"], bool):
                return invalid_field("stream", "expected a boolean")
            body = {k: v for k, v in body.items() if k != "stream"}
        errors = list(self._schemas[model_id].validator(model.request_pointer).iter_errors(body))
        if errors:
            return unprocessable(invalid_fields(errors))
        webhook = body.get("webhook")
        if webhook is not None and not _webhook_url(webhook):
            return invalid_field("webhook", "expected an http(s) URL with a host")
        cancel_after = None
        if "cancel-after" in request.headers:
            cancel_after = _duration(request.headers["cancel-after"])
            if cancel_after is None or cancel_after < self.config.min_cancel_after_seconds:
                minimum = f"{self.config.min_cancel_after_seconds:g}s"
                return problem(400, "Bad Cancel-After", f"expected a whole number of ms, s, m or h, at least {minimum}")
        wait = None
        if "prefer" in request.headers:
            match = _PREFER_WAIT.match(request.headers["prefer"])
            if match is None:
                return problem(400, "Bad Prefer", "expected `wait` or `wait=N` with N from 1 to 60")
            wait = min(float(match.group(2) or 60), self.config.max_wait_seconds)
        record = self._add(request, model_id, body, fault, cancel_after)
        if wait is not None:
            deadline = record.created + wait
            while not self.refresh(record).has_ended and self.store.clock() < deadline:
                await asyncio.sleep(min(self._next_change(record), max(0.0, deadline - self.store.clock()) + 0.001))
        self.refresh(record)
        return JSONResponse(record.data, status_code=201 if record.has_ended else 202)

    def _add(
        self, request: Request, model_id: str, body: Any, fault: Fault | None, cancel_after: float | None
    ) -> Record:
        prediction_id = secrets.token_hex(13)
        api = api_base(request, self.config.public_url)
        get_url = f"{api}/predictions/{prediction_id}"
        webhook = body.get("webhook")
        record = self.store.add(
            {
                "id": prediction_id,
                "model": model_id,
                "version": self.models[model_id].version or "hidden",
                "input": body["input"],
                "logs": "",
                "output": None,
                "data_removed": False,
                "error": None,
                "status": "starting",
                "created_at": iso_now(),
                "source": "api",
                "urls": {
                    "get": get_url,
                    "cancel": f"{get_url}/cancel",
                    "stream": f"{get_url}/stream",
                    "web": f"{get_url}/web",
                },
            },
            ends_as="failed" if fault is not None and fault.kind == "fail" else "succeeded",
            cancel_after=cancel_after,
            files_url=f"{api}/files/{prediction_id}",
            webhook=webhook,
            events=frozenset(body.get("webhook_events_filter") or WEBHOOK_EVENTS),
        )
        if webhook:
            task = asyncio.create_task(self._drive_webhooks(record, dict(record.data)))
            self._tasks.add(task)  # held until done: the loop keeps only weak references to tasks
            task.add_done_callback(self._tasks.discard)
        return record

    def _existing(self, request: Request) -> Record | Response:
        record = self.store.get(request.path_params["id"])
        return problem(404, "Not found", "no such prediction") if record is None else self.refresh(record)

    async def get(self, request: Request, body: Any, fault: Fault | None) -> Response:
        record = self._existing(request)
        return record if isinstance(record, Response) else JSONResponse(record.data)

    async def cancel(self, request: Request, body: Any, fault: Fault | None) -> Response:
        record = self._existing(request)
        if isinstance(record, Response):
            return record
        lifecycle.cancel(record, self.timing, self.store.clock())
        return JSONResponse(record.data)

    async def stream(self, request: Request, body: Any, fault: Fault | None) -> Response:
        """Server-sent events as the prediction runs: `logs` lines, each `output` item, an `error`
        if it failed, then `done` (with the reason when it did not succeed)."""
        record = self._existing(request)
        if isinstance(record, Response):
            return record
        return StreamingResponse(
            self._events(record), media_type="text/event-stream", headers={"cache-control": "no-store"}
        )

    async def _events(self, record: Record) -> AsyncIterator[str]:
        """Replicate's events, each with an `id:`: `logs` lines as they are written, the output (a
        language model's tokens as it makes them; any other output once it ends), then an `error` if
        it failed, and `done` (with the reason when it did not succeed)."""
        ids = iter(range(1_000_000_000))
        sent_logs = sent_tokens = 0
        streaming = record.data["model"] in self._streaming
        while True:
            data = self.refresh(record).data
            if streaming and isinstance(data.get("output"), list):  # the words before the log that they ended
                for token in data["output"][sent_tokens:]:
                    yield _event(next(ids), "output", str(token))
                sent_tokens = len(data["output"])
            logs = data.get("logs") or ""
            for line in logs[sent_logs:].splitlines():
                yield _event(next(ids), "logs", line)
            sent_logs = len(logs)
            if record.has_ended:
                break
            await asyncio.sleep(self._next_change(record))
        status, output = record.data["status"], record.data["output"]
        if status == "succeeded" and not streaming:
            for item in output if isinstance(output, list) else [output]:
                yield _event(next(ids), "output", item if isinstance(item, str) else json.dumps(item))
        elif status == "failed":
            yield _event(next(ids), "error", json.dumps({"detail": record.data["error"]}))
        yield _event(next(ids), "done", json.dumps({} if status == "succeeded" else {"reason": status}))

    async def list(self, request: Request, body: Any, fault: Fault | None) -> Response:
        query = request.query_params
        before = after = None
        if "cursor" in query:
            cursor = query["cursor"]
            if not _CURSOR.match(cursor):
                return problem(400, "Bad cursor", "the cursor is not one this server gave")
            before, after = (int(cursor[1:]), None) if cursor[0] == "b" else (None, int(cursor[1:]))
        bounds: dict[str, datetime | None] = {}
        for name in ("created_after", "created_before"):
            bounds[name] = _moment(query[name]) if name in query else None
            if name in query and bounds[name] is None:
                return problem(400, f"Bad {name}", "expected a date-time with its offset, like 2024-01-01T00:00:00Z")
        page, older, newer = self.store.page(self.config.page_size, before=before, after=after, **bounds)

        def link(direction: str, seq: int) -> str:
            kept = {k: v for k, v in query.items() if k != "cursor"}
            kept["cursor"] = f"{direction}{seq}"
            return f"{api_base(request, self.config.public_url)}/predictions?{urlencode(kept)}"

        return JSONResponse(
            {
                "next": link("b", page[-1].seq) if page and older else None,
                "previous": link("a", page[0].seq) if page and newer else None,
                "results": [self.refresh(record).data for record in page],
            }
        )

    async def page(self, request: Request, body: Any, fault: Fault | None) -> Response:
        """`urls.web`: the prediction as a page a browser shows."""
        record = self._existing(request)
        if isinstance(record, Response):
            return record
        data = record.data
        shown = html.escape(json.dumps(data, ensure_ascii=False, indent=2))
        title = html.escape(f"{data['model']}: {data['status']}")
        return HTMLResponse(
            f"<!doctype html><meta charset=utf-8><title>{title}</title><h1>{title}</h1><pre>{shown}</pre>"
        )

    async def webhook_secret(self, request: Request, body: Any, fault: Fault | None) -> Response:
        return JSONResponse({"key": self.config.webhook_secret})

    async def download(self, request: Request, body: Any, fault: Fault | None) -> Response:
        record = self.store.get(request.path_params["id"])
        index, _, ext = request.path_params["name"].partition(".")
        if record is None or self.refresh(record).data["output"] is None or not _FILE_INDEX.fullmatch(index):
            return problem(404, "Not found", "no such file, or its data was removed")
        image = output_file(record.id, self._with_defaults(record.data["model"], record.data["input"]), int(index))
        if ext != image.ext:
            return problem(404, "Not found", "no such file")
        return Response(image.render(), media_type=image.mime)
