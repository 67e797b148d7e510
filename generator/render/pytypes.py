"""JSON Schema -> Python type annotation, for the generated signatures.

The same mapping datamodel-code-generator applies to the input models (enums as `Literal`), so a
keyword argument and the model field it fills accept the same values.
"""

from __future__ import annotations

import json
import keyword
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64 = 2**63  # mypy reads a larger int in a Literal as an expression, which it refuses
_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}


def literal(value: Any) -> str:
    """A Python literal for a JSON value. JSON string syntax is valid Python for str, once the lone
    surrogates JSON allows (and UTF-8 source cannot hold) are escaped."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


def too_large_for_literal(value: Any) -> bool:
    """An int mypy refuses in a `Literal`: one it cannot hold in 64 bits."""
    return isinstance(value, int) and not isinstance(value, bool) and not -_INT64 < value < _INT64


def annotation(schema: dict[str, Any]) -> str:
    if "enum" in schema or "const" in schema:
        values = schema["enum"] if "enum" in schema else [schema["const"]]
        if any(too_large_for_literal(v) for v in values):  # the input model checks the value, by its bounds
            return _union([_python_type(v) for v in values])
        # `Literal` holds str, int, bool and None only: a number enum is typed `float` (the server checks it).
        plain = [v for v in values if isinstance(v, str | int) and not isinstance(v, float)]
        parts = [f"Literal[{', '.join(literal(v) for v in plain)}]"] if plain else []
        parts += ["float"] if any(isinstance(v, float) for v in values) else []
        parts += ["None"] if None in values else []
        others = [v for v in values if isinstance(v, list | dict)]
        return _union(parts + (["Any"] if others else []))
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return _union([annotation(sub) for sub in schema[key]])
    types = schema.get("type")
    if types is None:
        return "Any"
    return _union([_one(t, schema) for t in (types if isinstance(types, list) else [types])])


def _python_type(value: Any) -> str:
    if value is None:
        return "None"
    kind = type(value)
    return {bool: "bool", int: "int", float: "float", str: "str"}.get(kind, "Any")


def _one(kind: str, schema: dict[str, Any]) -> str:
    if kind == "string" and schema.get("format") in _FILE_FORMATS:
        return "FileInput"  # a URL string, or a path, bytes or an open file sent as a file
    if kind == "array":
        items = schema.get("items")
        return f"list[{annotation(items) if isinstance(items, dict) else 'Any'}]"
    if kind == "object":
        return "dict[str, Any]"
    return _SCALARS.get(kind, "Any")


def _union(parts: list[str]) -> str:
    unique = list(dict.fromkeys(parts))
    if "Any" in unique or not unique:
        return "Any"
    # `None` last reads best: `str | None`
    return " | ".join([p for p in unique if p != "None"] + (["None"] if "None" in unique else []))


def output_annotation(schema: dict[str, Any], object_type: str = "dict[str, Any]") -> str:
    """What `run()` returns: a `format: uri` string is a `FileOutput` (and only that); an object with
    properties at the top is `object_type` (the model's `TypedDict`); anything else as `annotation` says."""
    kind = schema.get("type")
    if kind == "string" and schema.get("format") in _FILE_FORMATS:
        return "FileOutput"
    items = schema.get("items")
    if kind == "array" and isinstance(items, dict):
        return f"list[{output_annotation(items)}]"
    if kind == "object" and isinstance(schema.get("properties"), dict) and schema["properties"]:
        return object_type
    return annotation(schema) if kind in _SCALARS or kind == "object" else "Any"


def output_fields(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, annotation) of each property of an object Output, as its `TypedDict` has them: those
    the schema requires `Required[...]`, the rest may be missing."""
    required = set(schema.get("required") or ())
    fields = []
    for name, sub in (schema.get("properties") or {}).items():
        kind = output_annotation(sub) if isinstance(sub, dict) else "Any"
        fields.append((name, f"Required[{kind}]" if name in required else kind))
    return fields


def class_syntax(fields: list[tuple[str, str]]) -> bool:
    """Whether a `TypedDict` of these keys is written as a class (ruff's UP013 asks so when it can):
    every key an identifier that is no keyword. Otherwise the call form, which takes any key."""
    return all(name.isidentifier() and not keyword.iskeyword(name) for name, _ in fields)


def file_places(schema: Any) -> Any:
    """Where an output holds files, for the runtime to make each a `FileOutput` (`to_files`): "file",
    `[places]` for each item of a list, `{name: places}` for an object's properties, None for none."""
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if kind == "string" and schema.get("format") in _FILE_FORMATS:
        return "file"
    if kind == "array" and (inner := file_places(schema.get("items"))) is not None:
        return [inner]
    if kind == "object":
        places = {name: found for name, sub in (schema.get("properties") or {}).items() if (found := file_places(sub))}
        return places or None
    return None


_FILE_FORMATS = ("uri", "iri")
