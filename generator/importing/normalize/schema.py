"""Cleaning one Apifox JSON schema: order, nullability, enum labels, and keywords recovered from prose."""

from __future__ import annotations

import json
import re
from typing import Any

from generator.importing.prose import NO_EXAMPLE, infer
from generator.spec.vocabulary import ENUM_LABELS, inferred, set_inferred

FROM_EXAMPLE = "the request example"  # the evidence of a type read off the request example
# Doc-page text turns the author's full-width `，：；` into ASCII; after a CJK character they are put back,
# so a page and its Markdown twin give the same spec (ASCII after Latin text is left alone).
_FLATTENED = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])([,:;])")
_FULL_WIDTH = {",": "，", ":": "：", ";": "；"}
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}


def clean_input_schema(
    raw: dict[str, Any], model: str, example: dict[str, Any] | None = None, *, prose: bool = True
) -> tuple[dict[str, Any], list[str]]:
    """`example` is the page's request example `input`, which prose rules may consult. Without
    `prose`, descriptions add nothing: the schema is the model's own (a Cog schema states every
    keyword its predictor's signature does; a default it lacks is worked out at run time)."""
    properties = raw.get("properties") or {}
    example = example or {}
    order = [name for name in raw.get("x-apifox-orders") or () if name in properties]
    order += [name for name in properties if name not in order]
    warnings: list[str] = []
    cleaned: dict[str, Any] = {}
    for name in order:
        prop, prop_warnings = clean_property(properties[name], example.get(name, NO_EXAMPLE), prose=prose)
        cleaned[name] = prop
        warnings += [f"input.{name}: {w}" for w in prop_warnings]
    schema: dict[str, Any] = {"type": "object", "title": "Input", "description": f"Inputs of {model}."}
    schema["properties"] = cleaned
    required = [name for name in raw.get("required") or () if name in cleaned]
    if required:
        schema["required"] = required
    return schema, warnings


def input_from_example(example: dict[str, Any]) -> dict[str, Any]:
    """A page with no schema: names and JSON types read off its example, each marked as such.
    The example's values are not defaults, so none is kept."""
    properties = {}
    for name, value in example.items():
        json_type = _JSON_TYPES.get(type(value))
        prop: dict[str, Any] = {"type": json_type} if json_type else {}
        if json_type == "array" and value and (item_type := _JSON_TYPES.get(type(value[0]))):
            prop["items"] = {"type": item_type}
        set_inferred(prop, {"type": FROM_EXAMPLE})
        properties[name] = prop
    return {"type": "object", "properties": properties}


def restore_full_width(text: str) -> str:
    return _FLATTENED.sub(lambda m: _FULL_WIDTH[m.group(1)], text)


def clean_property(raw: Any, example: Any = NO_EXAMPLE, *, prose: bool = True) -> tuple[dict[str, Any], list[str]]:
    if not isinstance(raw, dict):
        return {}, ["schema is not an object; left open"]
    prop = {k: v for k, v in raw.items() if not k.startswith("x-apifox")}
    if isinstance(prop.get("description"), str):
        prop["description"] = restore_full_width(prop["description"])
    warnings: list[str] = []
    labelled = raw.get("x-apifox-enum")
    if isinstance(labelled, list) and labelled and "enum" not in prop:
        values = [item["value"] for item in labelled if isinstance(item, dict) and "value" in item]
        prop["enum"] = values
        labels = [
            {"value": item["value"], "label": str(item.get("name") or item.get("description"))}
            for item in labelled
            if isinstance(item, dict) and "value" in item
        ]
        labels = [label for label in labels if label["label"] not in ("", "None")]
        if labels:
            prop[ENUM_LABELS] = labels
    if prop.get("type") == "null":
        # Apifox writes "null" for whatever was null in its example: the real type is unknown.
        del prop["type"]
    schema_type = _single_type(prop.get("type"))
    settled = frozenset(keyword for keyword in ("default", "enum", "minimum", "maximum") if keyword in prop)
    description = str(prop.get("description") or "")
    read, prose_warnings = infer(description, schema_type, example, settled) if prose else ([], [])
    warnings += prose_warnings
    evidence = inferred(prop)
    for item in read:
        if item.keyword == "type":  # an integer whose stated bounds are fractional
            prop["type"] = _widened(prop["type"], item.value)
            evidence["type"] = item.evidence
        elif item.keyword not in prop:  # what the schema states explicitly wins over prose
            prop[item.keyword] = item.value
            evidence[item.keyword] = item.evidence
    if "default" in evidence:  # a default the schema itself states is for validation to judge
        warnings += drop_default_outside_enum(prop, evidence)
    set_inferred(prop, evidence)
    return prop, warnings


def drop_default_outside_enum(prop: dict[str, Any], evidence: dict[str, str]) -> list[str]:
    """A default that is not one of the allowed values was misread or mistyped: dropped, with a warning."""
    if "default" not in prop or "enum" not in prop or prop["default"] in prop["enum"]:
        return []
    said = f" ({evidence.pop('default')!r})" if "default" in evidence else ""
    return [f"default {prop.pop('default')!r}{said} is not one of {prop['enum']}; dropped"]


def output_from_example(output: Any) -> dict[str, Any] | None:
    """The output type a model's own response example shows: a string (a URL), or a list of them."""

    def string(value: str) -> dict[str, Any]:
        return (
            {"type": "string", "format": "uri"}
            if value.startswith(("http://", "https://", "data:"))
            else {"type": "string"}
        )

    if isinstance(output, str):
        schema = string(output)
    elif isinstance(output, list) and output and all(isinstance(item, str) for item in output):
        schema = {"type": "array", "items": string(output[0])}
    else:
        return None
    set_inferred(schema, {"type": "a response example of this model"})
    return schema


def _widened(declared: Any, to: str) -> Any:
    """`integer` -> `number`, also inside a nullable `[integer, "null"]`."""
    if isinstance(declared, list):
        return [to if t == "integer" else t for t in declared]
    return to


def _single_type(declared: Any) -> str | None:
    """The type prose values are read as: `[integer, "null"]` is an integer that may be left out."""
    if isinstance(declared, list):
        declared = [t for t in declared if t != "null"]
        return declared[0] if len(declared) == 1 and isinstance(declared[0], str) else None
    return declared if isinstance(declared, str) else None


def fitted_example(
    example: dict[str, Any] | None, input_schema: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[str]]:
    """The request example `input` as the input schema allows it. An example only illustrates the
    schema: an input the schema lacks, or a value it refuses (an example made with an older version),
    is left out, and said; when what is left lacks a required input, the whole example goes."""
    if example is None:
        return None, []
    properties = input_schema.get("properties") or {}
    unknown = [name for name in example if name not in properties]
    refused = [name for name, value in example.items() if name in properties and not fits(value, properties[name])]
    if not unknown and not refused:
        return example, []
    told = []
    if unknown:
        told.append(f"uses {', '.join(unknown)}, which the schema does not have")
    if refused:
        shown = ", ".join(f"{name}={_short(example[name])}" for name in refused)
        told.append(f"gives {shown}, which the schema refuses")
    kept = {name: value for name, value in example.items() if name in properties and name not in refused}
    missing = [name for name in input_schema.get("required") or () if name not in kept]
    if missing:
        return None, [
            f"the request example {' and '.join(told)}; without them it lacks the required "
            f"{', '.join(missing)}, so it is dropped"
        ]
    return kept, [f"the request example {' and '.join(told)}: left out of the example"]


def fits(value: Any, schema: Any) -> bool:
    import jsonschema_rs

    if not isinstance(schema, dict):
        return True
    try:
        return bool(jsonschema_rs.Draft202012Validator(schema).is_valid(value))
    except ValueError:  # a schema that cannot check a value: validation reports it, in its place
        return True


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."
