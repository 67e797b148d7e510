"""Cleaning one Apifox JSON schema: order, nullability, and keywords recovered from prose."""

from __future__ import annotations

from typing import Any

from generator.prose import infer

INFERRED = "x-inferred"  # {keyword: words of the description it was read from}


def clean_input_schema(raw: dict[str, Any], model: str) -> tuple[dict[str, Any], list[str]]:
    properties = raw.get("properties") or {}
    order = [name for name in raw.get("x-apifox-orders") or () if name in properties]
    order += [name for name in properties if name not in order]
    warnings: list[str] = []
    cleaned: dict[str, Any] = {}
    for name in order:
        prop, prop_warnings = clean_property(properties[name])
        cleaned[name] = prop
        warnings += [f"input.{name}: {w}" for w in prop_warnings]
    schema: dict[str, Any] = {"type": "object", "title": "Input", "description": f"Inputs of {model}."}
    schema["properties"] = cleaned
    required = [name for name in raw.get("required") or () if name in cleaned]
    if required:
        schema["required"] = required
    return schema, warnings


def clean_property(raw: Any) -> tuple[dict[str, Any], list[str]]:
    if not isinstance(raw, dict):
        return {}, ["schema is not an object; left open"]
    prop = {k: v for k, v in raw.items() if not k.startswith("x-apifox")}
    if prop.get("type") == "null":
        # Apifox writes "null" for whatever was null in its example: the real type is unknown.
        del prop["type"]
    schema_type = prop.get("type") if isinstance(prop.get("type"), str) else None
    inferred, warnings = infer(str(prop.get("description") or ""), schema_type)
    evidence = {}
    for item in inferred:
        if item.keyword not in prop:  # what the schema states explicitly wins over prose
            prop[item.keyword] = item.value
            evidence[item.keyword] = item.evidence
    if evidence:
        prop[INFERRED] = evidence
    return prop, warnings
