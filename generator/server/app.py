"""The ASGI app: Replicate's prediction API for every model in the specs (REFERENCE.md section 1).

Requests are validated against the model's own spec, the same file the client is generated from.
Every route is served with and without the `/replicate` prefix aggregators put in front of it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from generator.catalog import load_catalog
from generator.server.config import ServerConfig
from generator.server.faults import FaultPlan
from generator.server.files import Files
from generator.server.guard import Guard
from generator.server.models import Models
from generator.server.predictions import Predictions
from generator.server.problems import problem
from generator.server.store import PredictionStore

PREFIXES = ("", "/replicate")  # Replicate's own paths, and an aggregator's


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 and 405, as problem+json like every other error; a 405's `Allow` names
    every method the path takes (Starlette's names only those of the route that matched)."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 405:
        methods = {
            method
            for route in request.app.routes
            if isinstance(route, Route) and route.path_regex.match(request.url.path)
            for method in route.methods or ()
        }
        headers = {**(headers or {}), "allow": ", ".join(sorted(methods))}
    return problem(exc.status_code, exc.detail, f"{request.method} {request.url.path}: {exc.detail}", headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    """A bug, answered like every other error (problem+json) and logged with its traceback by uvicorn."""
    return problem(500, "Server error", f"{request.method} {request.url.path}: {type(exc).__name__}")


def create_app(
    specs_dir: Path, config: ServerConfig | None = None, *, tokens: tuple[str, ...] | None = None
) -> Starlette:
    config = config or ServerConfig()
    if tokens is not None:
        config = replace(config, tokens=tokens)
    catalog = load_catalog(specs_dir)
    store = PredictionStore(config.max_predictions, config.keep_requests)
    api = Predictions(catalog, config, store)
    models = Models(catalog, config)
    files = Files(config)
    guard = Guard(config, store, FaultPlan(config.faults, config.fault_seed))
    routes = []
    for prefix in PREFIXES:
        v1 = f"{prefix}/v1"
        routes += [
            Route(f"{v1}/models", guard(models.list), methods=["GET"]),
            Route(f"{v1}/models/{{owner}}/{{name}}", guard(models.get), methods=["GET"]),
            Route(f"{v1}/models/{{owner}}/{{name}}/versions", guard(models.versions), methods=["GET"]),
            Route(f"{v1}/models/{{owner}}/{{name}}/versions/{{id}}", guard(models.version), methods=["GET"]),
            Route(f"{v1}/models/{{owner}}/{{name}}/predictions", guard(api.create_for_model), methods=["POST"]),
            Route(f"{v1}/predictions", guard(api.create_for_version), methods=["POST"]),
            Route(f"{v1}/predictions", guard(api.list), methods=["GET"]),
            Route(f"{v1}/predictions/{{id}}", guard(api.get), methods=["GET"]),
            Route(f"{v1}/predictions/{{id}}/cancel", guard(api.cancel), methods=["POST"]),
            Route(f"{v1}/predictions/{{id}}/stream", guard(api.stream), methods=["GET"]),
            Route(f"{v1}/predictions/{{id}}/web", guard(api.page, auth=False), methods=["GET"]),
            Route(f"{v1}/webhooks/default/secret", guard(api.webhook_secret), methods=["GET"]),
            Route(f"{v1}/files", guard(files.create, upload=True), methods=["POST"]),
            Route(f"{v1}/files", guard(files.list), methods=["GET"]),
            Route(f"{v1}/files/{{id}}", guard(files.get), methods=["GET"]),
            Route(f"{v1}/files/{{id}}", guard(files.delete), methods=["DELETE"]),
            Route(f"{v1}/files/{{id}}/download", guard(files.download), methods=["GET"]),
            # a prediction's output files, at `<index>.<ext>`
            Route(f"{v1}/files/{{id}}/{{name}}", guard(api.download, auth=False), methods=["GET"]),
        ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error, Exception: _server_error})
    app.state.store = store
    app.state.catalog = catalog
    app.state.config = config
    app.state.webhooks = api.webhooks
    app.state.files = files
    return app
