"""Error responses, as Replicate sends them: `application/problem+json`, 422s with `invalid_fields`."""

from __future__ import annotations

from typing import Any

from jsonschema_rs import ValidationError, ValidationErrorKind
from starlette.responses import JSONResponse, Response

from generator.spec.vocabulary import PROBLEM_JSON

_INVALID_FIELD_TYPES = {
    "minimum": "number_gte",
    "maximum": "number_lte",
    "additionalProperties": "additional_property_not_allowed",
}


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body = {"title": title, "detail": detail, "status": status, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def unprocessable(fields: list[dict[str, str]]) -> Response:
    detail = "\n".join(f"- {f['field'] or '(body)'}: {f['description']}" for f in fields)
    return problem(422, "Input validation failed", detail, invalid_fields=fields)


def invalid_field(name: str, description: str) -> Response:
    return unprocessable([{"type": name, "field": name, "description": description}])


def invalid_fields(errors: list[ValidationError]) -> list[dict[str, str]]:
    """JSON Schema errors as Replicate's `invalid_fields`: one entry per field, dotted path."""
    found = []
    for error in errors:
        path = ".".join(str(part) for part in error.instance_path)
        names: list[str] = []
        if isinstance(error.kind, ValidationErrorKind.Required):
            names = [error.kind.property]
        elif isinstance(error.kind, ValidationErrorKind.AdditionalProperties):
            names = sorted(error.kind.unexpected)
        for name in names or [""]:
            field_path = ".".join(p for p in (path, name) if p)
            kind = _INVALID_FIELD_TYPES.get(error.kind.name, error.kind.name)
            found.append({"type": kind, "field": field_path, "description": error.message})
    return found
