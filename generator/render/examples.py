"""Example values for the docs and the client's README: one source, and every value fits its schema
(a `uri` input gets a URL, a number stays in its range, an enum takes its default or first value), so
each example runs against the local server and passes the client's own checks."""

from __future__ import annotations

import math
from typing import Any

from generator.catalog import Model

_TEXT = "a red fox in the snow"
_BY_FORMAT = {
    "uri": "https://example.com/input.png",
    "uri-reference": "https://example.com/input.png",
    "url": "https://example.com/input.png",
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "12:00:00",
    "email": "user@example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def example_input(model: Model) -> dict[str, Any]:
    """The document's own example (validation made sure it fits), completed with a value for every
    required input it lacks."""
    given = dict((model.request_example or {}).get("input") or {})
    for field in model.fields:
        if field.required and field.name not in given:
            given[field.name] = example_value(field.schema)
    return given


def example_output(model: Model, values: dict[str, Any]) -> Any:
    """An output of the model that fits its Output schema, for an input `values`: files as URLs (of the
    `output_format` asked), a language model's text as the pieces it streams, objects whole. A spec
    that states no Output gets what image models return, a list of URLs."""
    ext = str(values.get("output_format") or "png")
    url = f"https://replicate.delivery/xezq/ufawqhfynnddngldkgtslldrkq/output.{ext}"

    def made(schema: Any) -> Any:
        if not isinstance(schema, dict):
            return None
        kind = schema.get("type")
        if kind == "string" and schema.get("format") in ("uri", "iri"):
            return url
        if kind == "array":
            items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
            text = items.get("type") == "string" and "format" not in items
            if schema.get("x-cog-array-type") == "iterator" and text:
                return ["A red fox ", "in the ", "snow."]
            return [made(items)]
        if kind == "object" and isinstance(schema.get("properties"), dict):
            return {name: made(sub) for name, sub in schema["properties"].items()}
        return example_value(schema)

    schema = model.output_schema
    stated = any(key in schema for key in ("type", "enum", "const", "anyOf", "oneOf", "properties", "$ref"))
    return made(schema) if stated else [url]


def required_input(model: Model) -> dict[str, Any]:
    """Only the required inputs, each with a short made-up value: the shortest call that runs."""
    return {f.name: example_value(f.schema) for f in model.fields if f.required}


def example_value(schema: dict[str, Any]) -> Any:
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    values = [v for v in schema.get("enum") or () if v is not None]
    if values:
        return values[0]
    own = [*schema.get("examples", ()), *([schema["example"]] if "example" in schema else [])]
    if own and own[0] is not None:
        return own[0]  # validation made sure it fits
    for key in ("anyOf", "oneOf", "allOf"):
        branches = [b for b in schema.get(key) or () if isinstance(b, dict) and b.get("type") != "null"]
        if branches:
            return example_value(branches[0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((t for t in kind if t != "null"), "null")
    if kind == "integer":
        value = _in_range(schema, 1)
        whole = math.ceil(value)
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        return whole if not isinstance(high, int | float) or whole <= value or whole < high else math.floor(value)
    if kind == "number":
        return float(_in_range(schema, 1.0))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        items = schema.get("items")
        return [
            example_value(items if isinstance(items, dict) else {}) for _ in range(int(schema.get("minItems") or 0))
        ]
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: example_value(properties.get(name) or {}) for name in schema.get("required") or ()}
    return _text(schema)


def _in_range(schema: dict[str, Any], preferred: float) -> float:
    """`preferred` moved into [minimum, maximum] (exclusive bounds respected), on a `multipleOf` step."""
    low = _number(schema.get("minimum"), schema.get("exclusiveMinimum"), up=True)
    high = _number(schema.get("maximum"), schema.get("exclusiveMaximum"), up=False)
    value = max(preferred, low) if low is not None else preferred
    value = min(value, high) if high is not None else value
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step > 0:
        value = math.ceil(value / step) * step
        if high is not None and value > high:
            value -= step
    return value


def _number(inclusive: Any, exclusive: Any, up: bool) -> float | None:
    bounds: list[float] = []
    if isinstance(inclusive, int | float) and not isinstance(inclusive, bool):
        bounds.append(inclusive)
    if isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
        # An integer just past the bound when the bound is whole, else a small step past it.
        nudge = 1 if float(exclusive).is_integer() else abs(exclusive) * 1e-6 or 1e-6
        bounds.append(exclusive + nudge if up else exclusive - nudge)
    if not bounds:
        return None
    return max(bounds) if up else min(bounds)


def _text(schema: dict[str, Any]) -> str:
    by_format = _BY_FORMAT.get(str(schema.get("format") or ""))
    if by_format is not None:
        return by_format
    text = _TEXT
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    return text
