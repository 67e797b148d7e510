"""Replicate's own description of a model: the JSON of `GET /v1/models/{owner}/{name}`, or a bare
Cog `openapi_schema`. Its `Input` and `Output` are the model's truth; enums sit in sibling schemas
behind `allOf: [$ref]`, and `x-order` gives the field order.
"""

from __future__ import annotations

from typing import Any

from generator.errors import InputError
from generator.importing._refs import Inliner, pointer_lookup
from generator.importing._text import Document
from generator.importing.record import Endpoint

FORMAT = "replicate-model"


def detect(doc: Document) -> bool:
    data = doc.data
    return isinstance(data, dict) and (_is_model(data) or _is_openapi_schema(data))


def read(doc: Document) -> list[Endpoint]:
    return [read_model(doc)]


def read_model(doc: Document, owner: str | None = None, name: str | None = None) -> Endpoint:
    """`owner`/`name` name a bare schema (known from where the file sits); a model document names itself."""
    data = doc.data
    if _is_model(data):
        owner, name = str(data["owner"]), str(data["name"])
        version = data.get("latest_version") or {}
        schema, pointer = version.get("openapi_schema"), "/latest_version/openapi_schema"
        version_id = version.get("id")
        description = str(data.get("description") or "")
        example = (data.get("default_example") or {}).get("input")
    elif _is_openapi_schema(data):
        schema, pointer, version_id, description, example = data, "", None, "", None
    else:
        raise InputError(doc.display, "not a Replicate model document; expected `owner`, `name`, `latest_version`")
    if owner is None or name is None:
        raise InputError(
            doc.display,
            "a bare openapi_schema does not name its model; expected the model document of "
            "GET /v1/models/{owner}/{name}, or this file at specs/replicate/<owner>/<name>.json",
        )
    if not isinstance(schema, dict) or not _is_openapi_schema(schema):
        raise InputError(doc.display, "no Input schema; expected components.schemas.Input", pointer=pointer)
    inliner = Inliner(pointer_lookup(schema))
    schemas = schema["components"]["schemas"]
    input_schema = _ordered(inliner.inline(schemas["Input"], f"{pointer}/components/schemas/Input"))
    output = schemas.get("Output")
    output_schema = inliner.inline(output, f"{pointer}/components/schemas/Output") if isinstance(output, dict) else None
    return Endpoint(
        source=doc.source(FORMAT),
        title=f"{owner}/{name}",
        method="POST",
        path=f"/v1/models/{owner}/{name}/predictions",
        description=description,
        request_media_type="application/json",
        request_schema={"type": "object", "properties": {"input": input_schema}, "required": ["input"]},
        request_examples=({"input": example},) if isinstance(example, dict) else (),
        output_schema=_without_titles(output_schema) if output_schema is not None else None,
        version=str(version_id) if version_id else None,
        schema_is_truth=True,
        warnings=tuple(inliner.warnings),
    )


def _is_model(data: Any) -> bool:
    return isinstance(data, dict) and {"owner", "name", "latest_version"} <= set(data)


def _is_openapi_schema(data: Any) -> bool:
    schemas = ((data or {}).get("components") or {}).get("schemas") if isinstance(data, dict) else None
    return isinstance(schemas, dict) and isinstance(schemas.get("Input"), dict) and "openapi" in data


def _ordered(schema: dict[str, Any]) -> dict[str, Any]:
    """Properties sorted by `x-order`; Cog's generated titles ("Aspect Ratio") dropped: they only
    restate the name, and would name generated classes."""
    properties = schema.get("properties") or {}
    order = sorted(properties, key=lambda n: (properties[n].get("x-order", len(properties)), n))
    result = {k: v for k, v in schema.items() if k not in ("properties", "title")}
    result["properties"] = {
        n: _without_titles({k: v for k, v in properties[n].items() if k != "x-order"}) for n in order
    }
    return result


def _without_titles(schema: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in schema.items() if k != "title"}
    if cleaned.get("description") == "An enumeration.":  # Cog's text for every enum: says nothing
        del cleaned["description"]
    if isinstance(cleaned.get("items"), dict):
        cleaned["items"] = _without_titles(cleaned["items"])
    return cleaned
