"""Apifox's own JSON shapes (parameters, request body, responses), shared by every reader that meets them."""

from __future__ import annotations

import json
from typing import Any

from generator.importing.record import Parameter, Response
from generator.spec import reading

APIFOX_STATUS = {"1": "released", "-2": "developing"}
_LOCATIONS = ("path", "query", "header", "cookie")


def parameters(raw: Any) -> tuple[Parameter, ...]:
    """`{"query": [...], "header": [...], ...}`; empty keys may be missing."""
    if not isinstance(raw, dict):
        return ()
    found: list[Parameter] = []
    for location in _LOCATIONS:
        for item in raw.get(location) or ():
            if not isinstance(item, dict) or not item.get("name"):
                continue
            example = next((item[k] for k in ("example", "sampleValue", "value") if k in item), None)
            schema = _object(item.get("schema"))
            if not schema and isinstance(item.get("type"), str):
                schema = {"type": item["type"]}
            found.append(
                Parameter(
                    name=str(item["name"]),
                    location=location,
                    required=bool(item.get("required", location == "path")),
                    description=str(item.get("description") or ""),
                    schema=schema,
                    example=example,
                )
            )
    return tuple(found)


def request_body(raw: Any) -> tuple[str | None, dict[str, Any] | None, tuple[Any, ...], list[str]]:
    """(media type, JSON schema, example values, warnings) of an Apifox `requestBody`."""
    if not isinstance(raw, dict):
        return None, None, (), []
    media_type = raw.get("type")
    if media_type in (None, "", "none"):
        return None, None, (), []  # a leftover jsonSchema beside "none" means nothing
    schema = _object(raw.get("jsonSchema")) or None
    examples, warnings = _examples(raw.get("examples"), "value", "request example")
    return str(media_type), schema, examples, warnings


def responses(raw: Any) -> tuple[Response, ...]:
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        try:
            code = int(item.get("code"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        schema = _object(item.get("jsonSchema"))
        found.append(Response(code=code, name=str(item.get("name") or ""), schema=schema))
    return tuple(found)


def response_examples(raw: Any) -> tuple[tuple[Any, ...], list[str]]:
    return _examples(raw, "data", "response example")


def _examples(raw: Any, key: str, what: str) -> tuple[tuple[Any, ...], list[str]]:
    """Apifox stores examples as JSON text inside JSON; a broken one is skipped, not fatal."""
    values: list[Any] = []
    warnings: list[str] = []
    for index, item in enumerate(raw if isinstance(raw, list) else ()):
        text = item.get(key) if isinstance(item, dict) else None
        if not isinstance(text, str) or not text.strip():
            continue
        try:
            values.append(reading.parse_json(text))
        except (json.JSONDecodeError, reading.OutOfBounds) as exc:
            warnings.append(f"{what} {index + 1} is not valid JSON ({exc.msg}); skipped")
    return tuple(values), warnings


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
