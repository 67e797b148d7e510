"""The ASGI app: Replicate's prediction routes for every model in the specs.

Requests are validated against the model's own spec (the same file the client was generated
from); predictions move `starting -> processing -> succeeded`, one step per read, so a client's
polling is exercised without waiting on a clock.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jsonschema import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from generator.catalog import Model
from generator.generate import load_catalog
from generator.normalize.canonical import PROBLEM_JSON, TERMINAL_STATUSES
from generator.schemas import DocumentSchemas
from generator.server.outputs import image_data_uri

REQUEST_SCHEMA = "/components/schemas/PredictionRequest"
PREFIXES = ("", "/replicate")  # Replicate's own paths, and an aggregator's

_INVALID_FIELD_TYPES = {
    "minimum": "number_gte",
    "maximum": "number_lte",
    "additionalProperties": "additional_property_not_allowed",
}


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Store:
    predictions: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"title": title, "detail": detail, "status": status, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


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


def create_app(specs_dir: Path, *, tokens: tuple[str, ...] = ("test-token",)) -> Starlette:
    catalog = load_catalog(specs_dir)
    models: dict[str, tuple[Model, DocumentSchemas]] = {m.id: (m, DocumentSchemas(m.document)) for m in catalog.models}
    store = Store()

    def authorized(request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token in tokens

    def urls(request: Request, prediction_id: str) -> dict[str, str]:
        prefix = request.url.path.split("/v1/", 1)[0]
        base = f"{str(request.base_url).rstrip('/')}{prefix}/v1/predictions/{prediction_id}"
        return {"get": base, "cancel": f"{base}/cancel", "web": f"{base}/web"}

    def with_defaults(model_id: str, given: dict[str, Any]) -> dict[str, Any]:
        """What the model runs with: the spec's defaults under what the request gave."""
        model = models[model_id][0]
        return {**{f.name: f.schema["default"] for f in model.fields if f.has_default}, **given}

    def advance(prediction: dict[str, Any]) -> None:
        if prediction["status"] == "starting":
            prediction.update(status="processing", started_at=_now())
        elif prediction["status"] == "processing":
            prediction.update(
                status="succeeded",
                completed_at=_now(),
                output=[image_data_uri(prediction["id"], with_defaults(prediction["model"], prediction["input"]))],
                logs="generated 1 image\n",
            )

    def by_version(reference: Any) -> str | None:
        """`<hash>`, `owner/name:<hash>` or `owner/name` -> the model id, through the specs."""
        if not isinstance(reference, str):
            return None
        model_part, _, version = reference.partition(":")
        for model, _ in models.values():
            if reference in (model.version, f"{model.id}:{model.version}") or (not version and model_part == model.id):
                return model.id
        return None

    async def read_body(request: Request) -> Any:
        raw = await request.body()
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError as exc:
            return _problem(400, "Invalid JSON", f"the request body is not JSON: {exc.msg}")
        store.received.append(Received(request.method, request.url.path, dict(request.headers), body))
        if not authorized(request):
            return _problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        return body

    async def create_for_model(request: Request) -> Response:
        body = await read_body(request)
        if isinstance(body, Response):
            return body
        return start(request, f"{request.path_params['owner']}/{request.path_params['name']}", body)

    async def create_for_version(request: Request) -> Response:
        body = await read_body(request)
        if isinstance(body, Response):
            return body
        reference = body.get("version") if isinstance(body, dict) else None
        model_id = by_version(reference)
        if model_id is None:
            fields = [{"type": "required", "field": "version", "description": f"unknown version {reference!r}"}]
            return _problem(
                422, "Input validation failed", f"- version: unknown version {reference!r}", invalid_fields=fields
            )
        if not models[model_id][0].version:  # the spec's body has no `version`: check the rest
            body = {k: v for k, v in body.items() if k != "version"}
        return start(request, model_id, body)

    def start(request: Request, model_id: str, body: Any) -> Response:
        if model_id not in models:
            return _problem(404, "Not found", f"model {model_id} does not exist here")
        errors = list(models[model_id][1].validator(REQUEST_SCHEMA).iter_errors(body))
        if errors:
            fields = _invalid_fields(errors)
            detail = "\n".join(f"- {f['field'] or '(body)'}: {f['description']}" for f in fields)
            return _problem(422, "Input validation failed", detail, invalid_fields=fields)
        prediction_id = secrets.token_hex(13)
        prediction: dict[str, Any] = {
            "id": prediction_id,
            "model": model_id,
            "version": models[model_id][0].version or "hidden",
            "input": body["input"],
            "logs": "",
            "output": None,
            "data_removed": False,
            "error": None,
            "status": "starting",
            "created_at": _now(),
            "source": "api",
            "urls": urls(request, prediction_id),
        }
        store.predictions[prediction_id] = prediction
        if request.headers.get("prefer", "").startswith("wait"):
            while prediction["status"] not in TERMINAL_STATUSES:
                advance(prediction)
        return JSONResponse(prediction, status_code=201 if prediction["status"] in TERMINAL_STATUSES else 202)

    def existing(request: Request) -> dict[str, Any] | Response:
        """The prediction a get or cancel names, or the error response to send instead."""
        store.received.append(Received(request.method, request.url.path, dict(request.headers), None))
        if not authorized(request):
            return _problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        prediction = store.predictions.get(request.path_params["id"])
        return _problem(404, "Not found", "no such prediction") if prediction is None else prediction

    async def get(request: Request) -> Response:
        prediction = existing(request)
        if isinstance(prediction, Response):
            return prediction
        advance(prediction)
        return JSONResponse(prediction)

    async def cancel(request: Request) -> Response:
        prediction = existing(request)
        if isinstance(prediction, Response):
            return prediction
        if prediction["status"] not in TERMINAL_STATUSES:
            prediction.update(status="canceled", completed_at=_now())
        return JSONResponse(prediction)

    routes = []
    for prefix in PREFIXES:
        routes += [
            Route(f"{prefix}/v1/models/{{owner}}/{{name}}/predictions", create_for_model, methods=["POST"]),
            Route(f"{prefix}/v1/predictions", create_for_version, methods=["POST"]),
            Route(f"{prefix}/v1/predictions/{{id}}", get, methods=["GET"]),
            Route(f"{prefix}/v1/predictions/{{id}}/cancel", cancel, methods=["POST"]),
        ]
    app = Starlette(routes=routes)
    app.state.store = store
    app.state.catalog = catalog
    return app
