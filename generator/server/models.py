"""Replicate's models API, from the specs: `GET /v1/models`, `GET /v1/models/{owner}/{name}`, and the
model's versions. Each model is Replicate's model document, its `latest_version.openapi_schema` the
Cog schema the spec describes (Input and Output, and the spec's own schemas they refer to), so that
`import` reads back the spec's inputs, and the official clients' `models.get` and `use()` work.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from generator.catalog import Catalog, Model
from generator.server.config import ServerConfig
from generator.server.faults import Fault
from generator.server.problems import problem
from generator.server.urls import api_base
from generator.spec import canonical, subschemas
from generator.spec.vocabulary import OURS

_CURSOR = re.compile(canonical.MODELS_CURSOR)
_CANONICAL = frozenset(canonical.component_schemas({}, {})) - {"Input", "Output"}


def cog_schema(model: Model) -> dict[str, Any]:
    """The model's Cog `openapi_schema`: Input (each property with its `x-order`), Output, and the
    spec's other own schemas."""
    own = {
        name: subschemas.without(schema, OURS)
        for name, schema in model.document["components"]["schemas"].items()
        if name not in _CANONICAL
    }
    inputs = dict(own["Input"])
    inputs["properties"] = {
        name: {**prop, "x-order": order} if isinstance(prop, dict) else prop
        for order, (name, prop) in enumerate((inputs.get("properties") or {}).items())
    }
    own["Input"] = inputs
    own.setdefault("Output", {"title": "Output"})
    info = {"title": "Cog", "version": "0.1.0"}
    return {"openapi": "3.1.0", "info": info, "paths": {}, "components": {"schemas": own}}


class Models:
    def __init__(self, catalog: Catalog, config: ServerConfig) -> None:
        self.config = config
        # the specs carry no date: every version is dated the epoch, the same on every run, so a
        # model whose spec did not change serves the same document (what `pull` compares)
        self.created_at = "1970-01-01T00:00:00.000Z"
        self.documents = {model.id: self._document(model) for model in catalog.models}

    def _document(self, model: Model) -> dict[str, Any]:
        schema = cog_schema(model)
        text = json.dumps(schema, sort_keys=True, ensure_ascii=False, default=str)
        version = {
            # a spec pinned to a version keeps its hash; any other is known by what its schema says
            "id": model.version or hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
            "created_at": self.created_at,
            "cog_version": "0.9.0",
            "openapi_schema": schema,
        }
        return {
            "url": model.url or f"https://replicate.com/{model.id}",
            "owner": model.owner,
            "name": model.name,
            "description": model.description or model.summary or None,
            "visibility": "public",
            "github_url": None,
            "paper_url": None,
            "license_url": None,
            "run_count": 0,
            "cover_image_url": None,
            "default_example": None,
            "latest_version": version,
        }

    def _model(self, request: Request) -> dict[str, Any] | Response:
        model_id = f"{request.path_params['owner']}/{request.path_params['name']}"
        document = self.documents.get(model_id)
        return document if document is not None else problem(404, "Not found", f"model {model_id} does not exist here")

    async def get(self, request: Request, body: Any, fault: Fault | None) -> Response:
        """The model document, with an `ETag`; 304 when `If-None-Match` names it (what `pull` asks)."""
        found = self._model(request)
        if isinstance(found, Response):
            return found
        answer = JSONResponse(found)
        etag = f'"{hashlib.sha256(answer.body).hexdigest()[:32]}"'
        if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers={"etag": etag})
        answer.headers["etag"] = etag
        return answer

    async def versions(self, request: Request, body: Any, fault: Fault | None) -> Response:
        found = self._model(request)
        if isinstance(found, Response):
            return found
        return JSONResponse({"next": None, "previous": None, "results": [found["latest_version"]]})

    async def version(self, request: Request, body: Any, fault: Fault | None) -> Response:
        found = self._model(request)
        if isinstance(found, Response):
            return found
        if request.path_params["id"] != found["latest_version"]["id"]:
            return problem(404, "Not found", "no such version of this model")
        return JSONResponse(found["latest_version"])

    async def list(self, request: Request, body: Any, fault: Fault | None) -> Response:
        """Every model, by id, a page at a time; `cursor` is where the page starts."""
        ids = sorted(self.documents)
        start = 0
        if "cursor" in request.query_params:
            cursor = request.query_params["cursor"]
            if not _CURSOR.match(cursor):
                return problem(400, "Bad cursor", "the cursor is not one this server gave")
            start = min(int(cursor), len(ids))
        end = start + self.config.page_size

        def link(offset: int) -> str:
            kept = {**request.query_params, "cursor": str(offset)}
            return f"{api_base(request, self.config.public_url)}/models?{urlencode(kept)}"

        return JSONResponse(
            {
                "next": link(end) if end < len(ids) else None,
                "previous": link(max(0, start - self.config.page_size)) if start > 0 else None,
                "results": [self.documents[model_id] for model_id in ids[start:end]],
            }
        )
