"""The parts of every model spec that come from Replicate's API itself, not from the document.

Documents copy their response schema from other models, so responses are always built from here.
"""

from __future__ import annotations

from typing import Any

from generator.spec.vocabulary import PROBLEM_JSON, REPLICATE_BASE_URL, STATUSES, WEBHOOK_EVENTS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def servers() -> list[dict[str, Any]]:
    return [
        {"url": REPLICATE_BASE_URL, "description": "Replicate"},
        {
            "url": "{aggregator}/replicate",
            "description": "An aggregator that mounts Replicate's API under /replicate",
            "variables": {"aggregator": {"default": "https://api.example.com"}},
        },
    ]


def security_schemes() -> dict[str, Any]:
    return {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: `Authorization: Bearer <token>` (`REPLICATE_API_TOKEN`).",
        }
    }


# Request formats the spec states and the local server enforces, the same regular expressions.
PREFER_WAIT = "^wait(=([1-9]|[1-5][0-9]|60))?$"
# A whole number of ms, s, m or h, at least 5 s: Replicate refuses a shorter Cancel-After.
CANCEL_AFTER = "^(([5-9]|[1-9][0-9]{1,8})s|([5-9][0-9]{3}|[1-9][0-9]{4,8})ms|[1-9][0-9]{0,8}(m|h))$"
# An http(s) URL as RFC 3986 writes one, with a host (a name or an address; an IPv6 one in brackets,
# which the server also checks is one) and no user info.
_PCHAR = "[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2}"
WEBHOOK_URL = (
    "^https?://(?:(?:[A-Za-z0-9\\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?"
    f"(?:/(?:{_PCHAR})*)*(?:\\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?$"
)
PREDICTIONS_CURSOR = "^[ab][0-9]{1,18}$"  # which way, and the sequence number a page starts after
MODELS_CURSOR = "^[0-9]{1,9}$"  # where the page starts, in the models by id


def create_headers() -> list[dict[str, Any]]:
    return [
        {
            "name": "Prefer",
            "in": "header",
            "required": False,
            "description": "`wait` or `wait=N` (1-60 s): hold the request until the prediction ends or N "
            "seconds pass. 201 when it ended in time, else 202 and the caller polls.",
            "schema": {"type": "string", "pattern": PREFER_WAIT},
        },
        {
            "name": "Cancel-After",
            "in": "header",
            "required": False,
            "description": "A whole number of `ms`, `s`, `m` or `h`, at least 5 s (`30s`, `5m`), after which "
            "the prediction is canceled.",
            "schema": {"type": "string", "pattern": CANCEL_AFTER},
        },
    ]


def create_responses() -> dict[str, Any]:
    prediction = {"application/json": {"schema": _ref("Prediction")}}
    return {
        "201": {
            "description": "The prediction ended while the request waited (`Prefer: wait`).",
            "content": prediction,
        },
        "202": {
            "description": "The prediction was created and is still running; poll `urls.get`.",
            "content": prediction,
        },
        "400": _problem("A `Prefer` or `Cancel-After` the server cannot read, or a body that is not JSON.", "Problem"),
        "401": _problem("The API token is missing or invalid.", "Problem"),
        "413": _problem("The body is larger than the server takes.", "Problem"),
        "415": _problem("The body is not `application/json`.", "Problem"),
        "422": _problem("The input failed validation; `invalid_fields` names each field.", "ValidationProblem"),
        "429": {
            **_problem("Too many requests; retry after the time given.", "Problem"),
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before retrying (not always sent).",
                    "schema": {"type": "integer", "minimum": 0},
                }
            },
        },
    }


def _problem(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _ref(schema)}}}


def problem(description: str) -> dict[str, Any]:
    """An error response: `application/problem+json`."""
    return _problem(description, "Problem")


def not_found() -> dict[str, Any]:
    return _problem("No prediction with this id, or not visible with this token.", "Problem")


def request_schema(version: str | None = None) -> dict[str, Any]:
    """The create body; a model reached through `POST /v1/predictions` also sends its pinned version."""
    pinned = {"version": {"type": "string", "const": version, "description": "The pinned model version."}}
    return {
        "type": "object",
        "properties": {
            **(pinned if version else {}),
            "input": _ref("Input"),
            "webhook": {
                "type": "string",
                "format": "uri",
                "pattern": WEBHOOK_URL,
                "description": "An HTTPS URL that receives the prediction as it changes.",
            },
            "webhook_events_filter": {
                "type": "array",
                "items": _ref("WebhookEvent"),
                "uniqueItems": True,
                "description": "Events that trigger a webhook call; all of them when absent.",
            },
            "stream": {
                "type": "boolean",
                "description": "Deprecated, and accepted: a model that streams always gives `urls.stream`.",
            },
        },
        "required": ["version", "input"] if version else ["input"],
        "additionalProperties": False,
    }


def component_schemas(
    input_schema: dict[str, Any], output_schema: dict[str, Any], request: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "Input": input_schema,
        "Output": output_schema,
        "PredictionRequest": request or request_schema(),
        "Prediction": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "model": {"type": "string", "description": "`owner/name`"},
                "version": {"type": "string", "description": "`hidden` for official models"},
                "input": _ref("PredictionInput"),
                "output": _nullable(_ref("Output")),
                "data_removed": {"type": "boolean"},
                "error": {"type": ["string", "null"]},
                "status": _ref("PredictionStatus"),
                "created_at": {"type": "string", "format": "date-time"},
                "started_at": {"type": ["string", "null"], "format": "date-time"},
                "completed_at": {"type": ["string", "null"], "format": "date-time"},
                "deadline": {"type": ["string", "null"], "format": "date-time"},
                "logs": {"type": ["string", "null"]},
                "source": {"type": "string", "enum": ["web", "api"]},
                "metrics": _ref("PredictionMetrics"),
                "urls": _ref("PredictionUrls"),
            },
            "required": [
                "id",
                "model",
                "version",
                "input",
                "output",
                "data_removed",
                "error",
                "status",
                "created_at",
                "urls",
            ],
        },
        # Named rather than inline: a generator makes a class of each object, and every model's
        # Prediction (in the bundle, `allOf` this one) would make another of the same name.
        "PredictionInput": {"type": "object", "description": "The input the prediction was created with."},
        "PredictionMetrics": {
            "type": "object",
            "properties": {"predict_time": {"type": "number"}, "total_time": {"type": "number"}},
        },
        "PredictionStatus": {
            "type": "string",
            "enum": list(STATUSES),
            "description": "`succeeded`, `failed`, `canceled` and `aborted` (ended before it started) are terminal.",
        },
        "PredictionUrls": {
            "type": "object",
            "properties": {
                "get": {"type": "string", "format": "uri"},
                "cancel": {"type": "string", "format": "uri"},
                "web": {"type": "string", "format": "uri"},
                "stream": {"type": "string", "format": "uri", "description": "Only for streaming models."},
            },
            "required": ["get", "cancel"],
        },
        "WebhookEvent": {"type": "string", "enum": list(WEBHOOK_EVENTS)},
        "Problem": {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "detail": {"type": "string"},
                "status": {"type": "integer"},
            },
            "required": ["detail"],
        },
        "ValidationProblem": {
            "allOf": [
                _ref("Problem"),
                {
                    "type": "object",
                    "properties": {
                        "invalid_fields": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "type": {"type": "string", "description": "e.g. `enum`, `required`"},
                                    "field": {"type": "string", "description": "e.g. `input.aspect_ratio`"},
                                    "description": {"type": "string"},
                                },
                                "required": ["type", "field", "description"],
                            },
                        }
                    },
                },
            ]
        },
    }
