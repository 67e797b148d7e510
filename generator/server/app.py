"""The ASGI app: Replicate's prediction API for every model in the specs (REFERENCE.md section 1).

Requests are validated against the model's own spec, the same file the client is generated from.
Every route is served with and without the `/replicate` prefix aggregators put in front of it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jsonschema import ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from generator.catalog import Model
from generator.generate import load_catalog
from generator.normalize.canonical import PROBLEM_JSON, WEBHOOK_EVENTS
from generator.schemas import DocumentSchemas
from generator.server import store as lifecycle
from generator.server.config import ServerConfig
from generator.server.faults import Fault, FaultPlan
from generator.server.outputs import image_file, output_value
from generator.server.store import Received, Record, Store, Timing, iso_now
from generator.server.webhooks import Sender, is_loopback

REQUEST_SCHEMA = "/components/schemas/PredictionRequest"
PREFIXES = ("", "/replicate")  # Replicate's own paths, and an aggregator's
FAULT_HEADER = "x-fault"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PREFER_WAIT = re.compile(r"^\s*wait(?:\s*=\s*(\d+))?\s*$")
_INVALID_FIELD_TYPES = {
    "minimum": "number_gte",
    "maximum": "number_lte",
    "additionalProperties": "additional_property_not_allowed",
}

Handler = Callable[[Request, Any, Fault | None], Awaitable[Response]]


class DroppedConnection(Exception):
    """Raised mid-response on purpose: the connection is closed with the body half sent."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


class _DropResponse(Response):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"id": "', "more_body": True})
        raise DroppedConnection


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body = {"title": title, "detail": detail, "status": status, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _invalid_fields(errors: list[ValidationError]) -> list[dict[str, str]]:
    found = []
    for error in errors:
        path = ".".join(str(part) for part in error.absolute_path)
        names: list[str] = []
        if error.validator == "required":
            names = [n for n in error.validator_value if n not in error.instance]
        elif error.validator == "additionalProperties":
            names = sorted(set(error.instance) - set(error.schema.get("properties") or {}))
        for name in names or [""]:
            field_path = ".".join(p for p in (path, name) if p)
            kind = _INVALID_FIELD_TYPES.get(str(error.validator), str(error.validator))
            found.append({"type": kind, "field": field_path, "description": error.message})
    return found


def _unprocessable(fields: list[dict[str, str]]) -> Response:
    detail = "\n".join(f"- {f['field'] or '(body)'}: {f['description']}" for f in fields)
    return problem(422, "Input validation failed", detail, invalid_fields=fields)


def _duration(text: str) -> float | None:
    match = _DURATION.match(text.strip())
    return float(match.group(1)) * _UNITS[match.group(2)] if match else None


def create_app(
    specs_dir: Path, config: ServerConfig | None = None, *, tokens: tuple[str, ...] | None = None
) -> Starlette:
    config = config or ServerConfig()
    if tokens is not None:
        config = replace(config, tokens=tokens)
    catalog = load_catalog(specs_dir)
    models: dict[str, tuple[Model, DocumentSchemas]] = {m.id: (m, DocumentSchemas(m.document)) for m in catalog.models}
    store = Store(config.max_predictions, config.keep_requests)
    timing = Timing(config.starting_seconds, config.processing_seconds, config.retention_seconds)
    faults = FaultPlan(config.faults, config.fault_seed)
    sender = Sender(config.webhook_secret, config.webhook_retry_delays, config.webhook_timeout_seconds)
    tasks: set[asyncio.Task[None]] = set()

    def authorized(request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token in config.tokens

    def base(request: Request) -> str:
        prefix = request.url.path.split("/v1/", 1)[0]
        return f"{str(request.base_url).rstrip('/')}{prefix}/v1"

    def with_defaults(model_id: str, given: dict[str, Any]) -> dict[str, Any]:
        """What the model runs with: the spec's defaults under what the request gave."""
        model = models[model_id][0]
        return {**{f.name: f.schema["default"] for f in model.fields if f.has_default}, **given}

    def finish(record: Record) -> None:
        model_input = with_defaults(record.data["model"], record.data["input"])

        def url(index: int) -> str:
            return f"{record.files_url}/{index}.{image_file(record.id, model_input, index).ext}"

        record.data["output"] = output_value(models[record.data["model"]][0].output_schema, model_input, url)
        record.data["logs"] += "generated the output\n"

    def refresh(record: Record) -> Record:
        lifecycle.advance(record, timing, store.clock(), finish)
        return record

    def next_change(record: Record) -> float:
        """Seconds until the record's status may change next."""
        marks = [record.created + timing.starting, record.created + timing.starting + timing.processing]
        if record.cancel_at is not None:
            marks.append(record.cancel_at)
        now = store.clock()
        return max(0.0, min((m for m in marks if m > now), default=now) - now)

    async def drive_webhooks(record: Record) -> None:
        """Deliver each event the filter asks for, in order, as the prediction reaches it."""
        while True:
            refresh(record)
            due = ["start"]
            if record.data["status"] != "starting":
                due.append("logs")
            if record.data.get("output") is not None:
                due.append("output")
            if record.ended_status:
                due.append("completed")
            for event in due:
                if event not in record.delivered:
                    record.delivered.add(event)
                    if event in record.events and record.webhook:
                        await sender.send(record.webhook, event, dict(record.data))
            if record.ended_status:
                return
            await asyncio.sleep(min(next_change(record), 0.25) + 0.001)

    def api(handler: Handler, *, auth: bool = True) -> Callable[[Request], Awaitable[Response]]:
        """What every route shares: the size limit, the request log, auth, and injected faults."""

        async def endpoint(request: Request) -> Response:
            declared = request.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > config.max_body_bytes:
                return problem(413, "Request too large", f"the body is over {config.max_body_bytes} bytes")
            raw = await request.body()
            if len(raw) > config.max_body_bytes:
                return problem(413, "Request too large", f"the body is over {config.max_body_bytes} bytes")
            body: Any = None
            if raw:
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError as exc:
                    body = raw.decode("utf-8", "replace")
                    store.received.append(Received(request.method, request.url.path, dict(request.headers), body))
                    return problem(400, "Invalid JSON", f"the request body is not JSON: {exc.msg}")
            store.received.append(Received(request.method, request.url.path, dict(request.headers), body))
            try:
                fault = faults.next(request.headers.get(FAULT_HEADER))
            except ValueError as exc:
                return problem(400, "Bad fault", str(exc))
            if auth and not authorized(request):
                return problem(401, "Unauthenticated", "You did not pass a valid authentication token")
            if fault is not None:
                if fault.kind == "slow":
                    await asyncio.sleep(fault.argument if fault.argument is not None else 1.0)
                elif fault.kind == "429":
                    seconds = fault.argument if fault.argument is not None else 1
                    retry = {"retry-after": str(int(seconds)) if float(seconds).is_integer() else str(seconds)}
                    return problem(429, "Too many requests", "Request was throttled (injected fault).", retry)
                elif fault.kind in ("500", "503"):
                    return problem(int(fault.kind), "Server error", "injected fault")
                elif fault.kind == "drop":
                    return _DropResponse()
                elif fault.kind == "malformed":
                    return Response(b'{"id": "malformed', media_type="application/json")
            if raw and request.method == "POST" and "json" not in request.headers.get("content-type", ""):
                return problem(415, "Unsupported media type", "send the body as application/json")
            return await handler(request, body, fault)

        return endpoint

    async def create_for_model(request: Request, body: Any, fault: Fault | None) -> Response:
        return await start(request, f"{request.path_params['owner']}/{request.path_params['name']}", body, fault)

    def by_version(reference: Any) -> str | None:
        """`<hash>`, `owner/name:<hash>` or `owner/name` -> the model id, through the specs."""
        if not isinstance(reference, str):
            return None
        model_part, _, version = reference.partition(":")
        for model, _ in models.values():
            if reference in (model.version, f"{model.id}:{model.version}") or (not version and model_part == model.id):
                return model.id
        return None

    async def create_for_version(request: Request, body: Any, fault: Fault | None) -> Response:
        reference = body.get("version") if isinstance(body, dict) else None
        model_id = by_version(reference)
        if model_id is None:
            return _unprocessable(
                [{"type": "version", "field": "version", "description": f"unknown version {reference!r}"}]
            )
        if not models[model_id][0].version:  # the spec's body has no `version`: check the rest
            body = {k: v for k, v in body.items() if k != "version"}
        return await start(request, model_id, body, fault)

    async def start(request: Request, model_id: str, body: Any, fault: Fault | None) -> Response:
        if model_id not in models:
            return problem(404, "Not found", f"model {model_id} does not exist here")
        errors = list(models[model_id][1].validator(REQUEST_SCHEMA).iter_errors(body))
        if errors:
            return _unprocessable(_invalid_fields(errors))
        webhook = body.get("webhook")
        if webhook and not config.allow_remote_webhooks and not is_loopback(webhook):
            return _unprocessable(
                [
                    {
                        "type": "webhook",
                        "field": "webhook",
                        "description": "only loopback webhook targets are allowed here",
                    }
                ]
            )
        cancel_after = None
        if header := request.headers.get("cancel-after"):
            cancel_after = _duration(header)
            if cancel_after is None or cancel_after < config.min_cancel_after_seconds:
                return problem(
                    400,
                    "Bad Cancel-After",
                    f"expected a duration of at least {config.min_cancel_after_seconds:g}s, like 30s",
                )
        wait = None
        if prefer := request.headers.get("prefer"):
            match = _PREFER_WAIT.match(prefer)
            if match is None or (match.group(1) and not 1 <= int(match.group(1)) <= config.max_wait_seconds):
                return problem(
                    400, "Bad Prefer", f"expected `wait` or `wait=N` with N from 1 to {config.max_wait_seconds:g}"
                )
            wait = float(match.group(1)) if match.group(1) else config.max_wait_seconds
        prediction_id = secrets.token_hex(13)
        api_base = base(request)
        get_url = f"{api_base}/predictions/{prediction_id}"
        now = store.clock()
        record = store.add(
            {
                "id": prediction_id,
                "model": model_id,
                "version": models[model_id][0].version or "hidden",
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
            cancel_at=now + cancel_after if cancel_after is not None else None,
            files_url=f"{api_base}/files/{prediction_id}",
            webhook=webhook,
            events=frozenset(body.get("webhook_events_filter") or WEBHOOK_EVENTS),
        )
        if webhook:
            task = asyncio.create_task(drive_webhooks(record))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if wait is not None:
            deadline = now + wait
            while not refresh(record).ended_status and store.clock() < deadline:
                await asyncio.sleep(min(next_change(record), deadline - store.clock()) + 0.001)
        refresh(record)
        return JSONResponse(record.data, status_code=201 if record.ended_status else 202)

    def existing(request: Request) -> Record | Response:
        record = store.get(request.path_params["id"])
        return problem(404, "Not found", "no such prediction") if record is None else refresh(record)

    async def get(request: Request, body: Any, fault: Fault | None) -> Response:
        record = existing(request)
        return record if isinstance(record, Response) else JSONResponse(record.data)

    async def cancel(request: Request, body: Any, fault: Fault | None) -> Response:
        record = existing(request)
        if isinstance(record, Response):
            return record
        lifecycle.cancel(record, timing, store.clock())
        return JSONResponse(record.data)

    async def stream(request: Request, body: Any, fault: Fault | None) -> Response:
        """Server-sent events as the prediction runs: `logs` lines, each `output` item, an `error`
        if it failed, then `done` (with the reason when it did not succeed)."""
        record = existing(request)
        if isinstance(record, Response):
            return record

        async def events() -> AsyncIterator[str]:
            sent_logs = 0
            while True:
                data = refresh(record).data
                logs = data.get("logs") or ""
                for line in logs[sent_logs:].splitlines():
                    yield f"event: logs\ndata: {line}\n\n"
                sent_logs = len(logs)
                if record.ended_status:
                    break
                await asyncio.sleep(min(next_change(record), 0.25) + 0.001)
            status = record.data["status"]
            if status == "succeeded":
                outputs = record.data["output"] if isinstance(record.data["output"], list) else [record.data["output"]]
                for item in outputs:
                    yield f"event: output\ndata: {item}\n\n"
            elif status == "failed":
                yield f"event: error\ndata: {json.dumps({'detail': record.data['error']})}\n\n"
            reason = {} if status == "succeeded" else {"reason": status}
            yield f"event: done\ndata: {json.dumps(reason)}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream", headers={"cache-control": "no-store"})

    async def list_predictions(request: Request, body: Any, fault: Fault | None) -> Response:
        query = request.query_params
        before = after = None
        if cursor := query.get("cursor"):
            try:
                direction, seq = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
                before, after = (int(seq), None) if direction == "b" else (None, int(seq))
            except (ValueError, UnicodeDecodeError):
                return problem(400, "Bad cursor", "the cursor is not one this server gave")
        page, older, newer = store.page(
            config.page_size,
            before=before,
            after=after,
            created_after=query.get("created_after"),
            created_before=query.get("created_before"),
        )

        def link(direction: str, seq: int) -> str:
            kept = {k: v for k, v in query.items() if k != "cursor"}
            kept["cursor"] = base64.urlsafe_b64encode(f"{direction}:{seq}".encode()).decode()
            return f"{base(request)}/predictions?{urlencode(kept)}"

        return JSONResponse(
            {
                "next": link("b", page[-1].seq) if page and older else None,
                "previous": link("a", page[0].seq) if page and newer else None,
                "results": [refresh(record).data for record in page],
            }
        )

    async def webhook_secret(request: Request, body: Any, fault: Fault | None) -> Response:
        return JSONResponse({"key": config.webhook_secret})

    async def download(request: Request, body: Any, fault: Fault | None) -> Response:
        record = store.get(request.path_params["id"])
        index, _, ext = request.path_params["name"].partition(".")
        if record is None or refresh(record).data["output"] is None or not index.isdigit():
            return problem(404, "Not found", "no such file, or its data was removed")
        image = image_file(record.id, with_defaults(record.data["model"], record.data["input"]), int(index))
        if ext != image.ext:
            return problem(404, "Not found", "no such file")
        return Response(image.render(), media_type=image.mime)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else None
        return problem(status, detail, f"{request.method} {request.url.path}: {detail}", headers)

    routes = []
    for prefix in PREFIXES:
        routes += [
            Route(f"{prefix}/v1/models/{{owner}}/{{name}}/predictions", api(create_for_model), methods=["POST"]),
            Route(f"{prefix}/v1/predictions", api(create_for_version), methods=["POST"]),
            Route(f"{prefix}/v1/predictions", api(list_predictions), methods=["GET"]),
            Route(f"{prefix}/v1/predictions/{{id}}", api(get), methods=["GET"]),
            Route(f"{prefix}/v1/predictions/{{id}}/cancel", api(cancel), methods=["POST"]),
            Route(f"{prefix}/v1/predictions/{{id}}/stream", api(stream), methods=["GET"]),
            Route(f"{prefix}/v1/webhooks/default/secret", api(webhook_secret), methods=["GET"]),
            Route(f"{prefix}/v1/files/{{id}}/{{name}}", api(download, auth=False), methods=["GET"]),
        ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.store = store
    app.state.catalog = catalog
    app.state.config = config
    app.state.webhooks = sender
    return app
