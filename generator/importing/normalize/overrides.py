"""`specs/overrides/<owner>/<name>.yaml`: the user's corrections, applied last on every import.

input:                      # per field, a JSON merge patch (RFC 7396) of its schema
  aspect_ratio:
    enum: ["1:1", "16:9"]   # add what the page lacks
    default: "1:1"          # or fix what it got wrong
  seed: {type: integer}     # a field the page does not list
  style_type: null          # a field the model does not take
required: [prompt]          # replaces the list of required inputs
output: {type: string, format: uri}   # the output type, replaced whole
example: {prompt: "a cat"}  # the request example's input, replaced whole; null: no example
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from generator.errors import InputError
from generator.spec import specfile
from generator.spec.vocabulary import INFERRED, inferred, set_inferred

_SHAPE = Draft202012Validator(
    {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "input": {"type": "object", "additionalProperties": {"type": ["object", "null"]}},
            "required": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
            "output": {"type": "object"},
            "example": {"type": ["object", "null"]},
        },
    }
)


def load(path: Path, display: str) -> dict[str, Any]:
    """The override document, or InputError at the line of the first thing wrong with it."""
    spec = specfile.load(path, display, what="override")
    errors = sorted(_SHAPE.iter_errors(spec.document), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        pointer = "".join(f"/{specfile.pointer_token(p)}" for p in error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties":  # name the stray key, at its own line
            stray = sorted(set(error.instance) - set(error.schema.get("properties") or ()))[0]
            pointer, message = f"{pointer}/{specfile.pointer_token(stray)}", f"unknown key {stray!r}"
        raise InputError(
            display,
            f"{message}; expected `input` (field -> schema patch), `required`, `output` and `example`",
            line=spec.line_of(pointer),
            pointer=pointer or "/",
        )
    return spec.document


def apply(input_schema: dict[str, Any], output_schema: dict[str, Any], patch: dict[str, Any]) -> list[str]:
    """Patch the schemas in place; returns what was changed, one entry per field, for the report."""
    changed = []
    properties = input_schema.setdefault("properties", {})
    for name, field_patch in (patch.get("input") or {}).items():
        if field_patch is None:
            properties.pop(name, None)
            input_schema["required"] = [n for n in input_schema.get("required") or () if n != name]
            changed.append(f"input.{name} removed")
            continue
        field = properties.get(name, {})
        evidence = {k: v for k, v in inferred(field).items() if k not in field_patch}
        field = _merge_patch({k: v for k, v in field.items() if k != INFERRED}, field_patch)
        set_inferred(field, evidence)
        changed.append(f"input.{name} {'patched' if name in properties else 'added'}")
        properties[name] = field
    if "required" in patch:
        input_schema["required"] = [n for n in patch["required"] if n in properties]
        changed.append("required replaced")
    if not input_schema.get("required"):
        input_schema.pop("required", None)
    if "output" in patch:
        output_schema.clear()
        output_schema.update(patch["output"])
        changed.append("output replaced")
    return changed


def _merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result
