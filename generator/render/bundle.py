"""`generated/openapi.yaml`: every model and the shared operations in one valid OpenAPI 3.1 document,
for Swagger UI, Postman and other tools that take one file.

Each model's own schemas are renamed after its class (`Imagen4UltraInput`, `Imagen4UltraRequest`, and
any other a hand-written spec defines, `Imagen4UltraStyle`); a model without an `Output` gets an open
one ("any"), and its `Prediction` is the shared one with that output. The schemas every model shares
(`Problem`, `PredictionUrls` ...) appear once.
A model pinned to a version shares `POST /v1/predictions`, so it appears in that operation's
`x-versions` instead of as a path of its own.
"""

from __future__ import annotations

import copy
from typing import Any

from generator import canonical, shared_operations, specfile
from generator.catalog import Catalog, Model
from generator.render.python import header
from generator.vocabulary import ANY_OUTPUT, X_MODELS

_PER_MODEL = ("Input", "Output", "PredictionRequest", "Prediction")
_REF = "#/components/schemas/"


def render_bundle(catalog: Catalog, specs_label: str, version: str) -> str:
    schemas = shared_operations.components()
    common = set(schemas) - set(_PER_MODEL)
    paths: dict[str, Any] = {}
    index: dict[str, Any] = {}  # what `diff` reads a bundle by
    for model in catalog.models:
        own = dict(model.document["components"]["schemas"])
        own.setdefault("Output", ANY_OUTPUT)
        names = {
            name: f"{model.class_name}{'Request' if name == 'PredictionRequest' else name}"
            for name in [*_PER_MODEL, *own]
            if name not in common
        }
        for name in own:
            if name in names and name != "Prediction":
                schemas[names[name]] = _renamed(own[name], names)
        schemas[names["Prediction"]] = {
            "allOf": [{"$ref": f"{_REF}Prediction"}],
            "properties": {"output": {"anyOf": [{"$ref": f"{_REF}{names['Output']}"}, {"type": "null"}]}},
        }
        # A pinned model has no operation of its own here: its version and description are in the index.
        pinned = {"version": model.version, "description": model.description} if model.version else {}
        index[model.id] = {"path": model.path, **pinned}
        index[model.id] |= {"input": f"{_REF}{names['Input']}", "output": f"{_REF}{names['Output']}"}
        if not model.version:  # a pinned model is in `x-versions` of the shared create
            paths[model.path] = {"post": _renamed(_completed(model.document["paths"][model.path]["post"]), names)}
    for shared in catalog.operations().values():
        paths.setdefault(shared.path, {})[shared.method] = {**shared.operation, "tags": ["predictions"]}
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": f"{len(catalog.models)} Replicate-style models",
            "version": version,
            "description": "Every model of the specs, and Replicate's shared prediction operations.",
            X_MODELS: index,
        },
        "servers": canonical.servers(),
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "predictions", "description": "Operations on predictions of any model."}]
        + [{"name": m.id, "description": _tag_description(m)} for m in catalog.models],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": schemas, "securitySchemes": canonical.security_schemes()},
    }
    return header(f"the specs in {specs_label}") + "\n" + specfile.dump(document)


def _completed(operation: dict[str, Any]) -> dict[str, Any]:
    """The operation with Replicate's responses wherever its spec leaves one out or gives it no body
    (a hand-written spec may say only `201: {description: created}`)."""
    responses = dict(operation.get("responses") or {})
    for status, canonical_response in canonical.create_responses().items():
        if "content" not in (responses.get(status) or {}):
            responses[status] = canonical_response
    return {**operation, "responses": dict(sorted(responses.items()))}


def _tag_description(model: Model) -> str:
    return model.url or model.id


def _renamed(node: Any, names: dict[str, str]) -> Any:
    """A copy of `node` whose references to the model's own schemas use their bundle names."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF) and ref[len(_REF) :] in names:
            return {**{k: _renamed(v, names) for k, v in node.items()}, "$ref": _REF + names[ref[len(_REF) :]]}
        return {k: _renamed(v, names) for k, v in node.items()}
    if isinstance(node, list):
        return [_renamed(item, names) for item in node]
    return copy.deepcopy(node)
