"""Specs of Replicate's shared operations (get, cancel, list, create by version), for the pages that
document them. They do not depend on a model, so they come from here, not from the page; what the
page adds is its provenance and, for create-by-version, the map of version hashes to models."""

from __future__ import annotations

from typing import Any

from generator.spec import canonical, vocabulary

OPEN_INPUT = {"type": "object", "title": "Input", "description": "The inputs of the model the version belongs to."}
OPEN_OUTPUT = {"description": "The output of the model the version belongs to."}
FILES = {
    vocabulary.CREATE_BY_VERSION: "create-by-version.yaml",
    vocabulary.GET: "get-prediction.yaml",
    vocabulary.CANCEL: "cancel-prediction.yaml",
    vocabulary.LIST: "list-predictions.yaml",
}
_ID = {
    "name": "prediction_id",
    "in": "path",
    "required": True,
    "description": "The prediction's id (Apifox pages may call it `任务id`).",
    "schema": {"type": "string"},
}


def _ok(description: str, schema: str = "Prediction") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _errors() -> dict[str, Any]:
    responses = canonical.create_responses()
    return {"401": responses["401"], "404": canonical.not_found(), "429": responses["429"]}


def operation(kind: str, versions: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    """(path, method, operation) of a shared operation."""
    if kind == vocabulary.GET:
        return (
            "/v1/predictions/{prediction_id}",
            "get",
            {
                "operationId": "get_prediction",
                "summary": "Get a prediction",
                "parameters": [_ID],
                "responses": {"200": _ok("The prediction as it is now."), **_errors()},
            },
        )
    if kind == vocabulary.CANCEL:
        return (
            "/v1/predictions/{prediction_id}/cancel",
            "post",
            {
                "operationId": "cancel_prediction",
                "summary": "Cancel a prediction",
                "description": "Ends a prediction that has not ended; an ended one is returned unchanged.",
                "parameters": [_ID],
                "responses": {"200": _ok("The prediction, canceled unless it had already ended."), **_errors()},
            },
        )
    if kind == vocabulary.LIST:
        return (
            "/v1/predictions",
            "get",
            {
                "operationId": "list_predictions",
                "summary": "List predictions, newest first",
                "parameters": [
                    {
                        "name": "cursor",
                        "in": "query",
                        "required": False,
                        "description": "Where the page starts: take it from a page's `next` or `previous`.",
                        "schema": {"type": "string", "pattern": canonical.PREDICTIONS_CURSOR},
                    },
                    {
                        "name": "created_after",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    {
                        "name": "created_before",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "format": "date-time"},
                    },
                ],
                "responses": {
                    "200": _ok("One page of predictions; follow `next` for the rest.", "PredictionPage"),
                    "400": canonical.problem("A cursor or a date-time the server cannot read."),
                    **_errors(),
                },
            },
        )
    create: dict[str, Any] = {
        "operationId": "create_prediction",
        "summary": "Create a prediction of a model version",
        "description": "`version` is a version hash, `owner/name:hash`, or `owner/name` for an official model.",
        "parameters": canonical.create_headers(),
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PredictionRequest"}}},
        },
        "responses": {
            **canonical.create_responses(),
            "404": canonical.problem("No model here has this version."),
        },
    }
    if versions:
        create["x-versions"] = dict(sorted(versions.items(), key=lambda item: (item[1], item[0])))
    return "/v1/predictions", "post", create


def components() -> dict[str, Any]:
    request = canonical.request_schema()
    request["properties"] = {"version": {"type": "string", "minLength": 1}, **request["properties"]}
    request["required"] = ["version", "input"]
    schemas = canonical.component_schemas(dict(OPEN_INPUT), dict(OPEN_OUTPUT), request)
    schemas["PredictionPage"] = {
        "type": "object",
        "properties": {
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Prediction"}},
        },
        "required": ["next", "previous", "results"],
    }
    return schemas
