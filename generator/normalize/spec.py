"""Endpoint record -> OpenAPI 3.1 document for one model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.errors import InputError
from generator.importing.record import Endpoint
from generator.normalize import canonical
from generator.normalize.schema import clean_input_schema

OPENAPI_VERSION = "3.1.0"
_MODEL_PATH = re.compile(r"^(?P<prefix>.*?)(?P<path>/v1/models/(?P<owner>[^/{}]+)/(?P<name>[^/{}]+)/predictions)/?$")
_OPEN_OUTPUT = {
    "description": "The document does not state the output type: any JSON value. Image models "
    "usually return a URL or a list of URLs."
}


@dataclass
class NormalizedSpec:
    owner: str
    name: str
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def model_id(self) -> str:
        return f"{self.owner}/{self.name}"


def operation_id(owner: str, name: str) -> str:
    """Unique per model: owner and name are joined by `__`, so `a-b/c` and `a/b-c` differ."""

    def snake(part: str) -> str:
        return re.sub(r"[^0-9a-zA-Z]+", "_", part).strip("_").lower()

    return f"create_prediction__{snake(owner)}__{snake(name)}"


def normalize(endpoint: Endpoint) -> NormalizedSpec:
    file = endpoint.source.path
    match = _MODEL_PATH.match(endpoint.path)
    if endpoint.method != "POST" or match is None:
        raise InputError(
            file,
            f"{endpoint.method} {endpoint.path} is not a create-prediction endpoint; "
            "expected POST .../v1/models/{owner}/{name}/predictions",
        )
    owner, name = match.group("owner"), match.group("name")
    warnings = list(endpoint.warnings)

    body = endpoint.request_schema or {}
    raw_input = (body.get("properties") or {}).get("input")
    if not isinstance(raw_input, dict):
        raise InputError(file, "request body has no `input` object schema", pointer="/requestBody/jsonSchema")
    input_schema, input_warnings = clean_input_schema(raw_input, f"{owner}/{name}")
    warnings += input_warnings
    warnings += _copied_response_warnings(endpoint, set(input_schema.get("properties", {})), f"{owner}/{name}")

    media: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/PredictionRequest"}}
    if endpoint.request_examples:
        media["example"] = endpoint.request_examples[0]

    operation: dict[str, Any] = {
        "operationId": operation_id(owner, name),
        "summary": f"Create a prediction with {owner}/{name}",
        "description": endpoint.description or endpoint.title,
        "tags": [f"{owner}/{name}"],
        "parameters": canonical.create_headers(),
        "requestBody": {"required": True, "content": {"application/json": media}},
        "responses": canonical.create_responses(),
    }
    if endpoint.status:
        operation["x-apifox-status"] = endpoint.status

    source: dict[str, Any] = {
        "file": endpoint.source.path,
        "sha256": endpoint.source.sha256,
        "format": endpoint.source.format,
        "title": endpoint.title,
        "path": endpoint.path,
    }
    if endpoint.apifox:
        source["apifox"] = dict(endpoint.apifox)

    document = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{owner}/{name}",
            "version": "1.0.0",
            "description": f"Predictions of the model {owner}/{name}, normalized from an Apifox document.",
            "x-model": {"owner": owner, "name": name, "url": f"https://replicate.com/{owner}/{name}"},
            "x-source": source,
        },
        "servers": canonical.servers(),
        "security": [{"bearerAuth": []}],
        "paths": {match.group("path"): {"post": operation}},
        "components": {
            "schemas": canonical.component_schemas(input_schema, dict(_OPEN_OUTPUT)),
            "securitySchemes": canonical.security_schemes(),
        },
    }
    return NormalizedSpec(owner=owner, name=name, document=document, warnings=warnings)


def _copied_response_warnings(endpoint: Endpoint, input_fields: set[str], model: str) -> list[str]:
    warnings = []
    for response in endpoint.responses:
        copied = ((response.schema.get("properties") or {}).get("input") or {}).get("properties") or {}
        foreign = sorted(set(copied) - input_fields)
        if foreign:
            warnings.append(
                f"response {response.code} schema lists input fields this model does not take "
                f"({', '.join(foreign)}): copied from another model, discarded"
            )
    for example in endpoint.response_examples:
        if isinstance(example, dict) and example.get("model") not in (None, model):
            warnings.append(f"a response example belongs to {example['model']}, not {model}: ignored")
    return warnings
