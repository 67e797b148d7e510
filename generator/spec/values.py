"""Values that fit a JSON schema, for the docs' examples (`generator.render.examples`) and the local
server's outputs (`generator.server.predictions`), from one source.

`example_value`: the default, a const, an enum's first value or the schema's own example when it
states one, else one made for its type (in range, on a `multipleOf` step, of a length, in a format).
`output_value`: a model's output: text for a string, the tokens of a reply for an iterator (Cog's
`x-cog-array-type: iterator`, streamed as they come), a URL for a `format: uri` string, an object of
its properties."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from generator.spec.subschemas import schema_object

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


def output_value(
    schema: dict[str, Any], model_input: dict[str, Any], url: Callable[[int], str], resolve: Callable[[str], Any]
) -> Any:
    """A value of the Output `schema` (`$ref`s through `resolve`); `url(index)` names the index-th file.
    An open schema (a spec that states none) gives a list of image URLs, as image models return."""
    files = iter(range(1_000_000))
    count = model_input.get("num_outputs")
    count = count if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= 10 else 1

    def made(schema: Any, depth: int) -> Any:
        schema = schema_object(schema)
        if isinstance(schema.get("$ref"), str):
            return made(resolve(schema["$ref"]), depth + 1)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for key in ("allOf", "anyOf", "oneOf"):
            branches = [b for b in schema.get(key) or () if _kind(schema_object(b)) != "null"]
            if branches:
                return made({**{k: v for k, v in schema.items() if k != key}, **schema_object(branches[0])}, depth)
        kind = _kind(schema)
        if kind == "string" and schema.get("format") in ("uri", "iri"):
            return url(next(files))
        if kind == "string" and not schema.get("format"):
            return _reply(schema, model_input)
        if kind == "array":
            items = schema_object(schema.get("items", {}))
            text = _kind(items) == "string" and items.get("format") not in ("uri", "iri")
            if schema.get("x-cog-array-type") == "iterator" and text:
                return tokens(model_input)
            least = schema.get("minItems")
            length = max(count if _kind(items) == "string" else 1, least if isinstance(least, int) else 0)
            return [made(items, depth + 1) for _ in range(length)]
        if kind == "object" or (kind is None and schema.get("properties")):
            properties = schema.get("properties") or {}
            return {name: made(sub, depth + 1) for name, sub in properties.items() if depth < 20}
        if kind is None:
            return [url(next(files)) for _ in range(count)]  # open: what image models return
        return example_value(schema)  # numbers in range, booleans, texts of a format, null

    return made(schema, 0)


def tokens(model_input: dict[str, Any]) -> list[str]:
    """What a language model streams: the words of a reply, each with its trailing space."""
    prompt = " ".join(str(model_input.get("prompt") or "").split()[:20])
    words = f"Here is a reply to: {prompt}".split() if prompt else ["Here", "is", "a", "reply."]
    return [word + " " for word in words[:-1]] + [words[-1]]


def _reply(schema: dict[str, Any], model_input: dict[str, Any]) -> str:
    """A text output: the reply a language model would give, of the length the schema allows."""
    text = "".join(tokens(model_input))
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text += "." * (low - len(text))
    return text[:high] if isinstance(high, int) and high >= 0 else text


def _kind(schema: dict[str, Any]) -> str | None:
    """The schema's JSON type, a non-null one first."""
    declared = schema.get("type")
    if isinstance(declared, list):
        return next((t for t in declared if t != "null"), "null" if declared else None)
    return declared if isinstance(declared, str) else None
