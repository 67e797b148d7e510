"""Endpoint record (+ the model's Replicate document and the user's overrides) -> one OpenAPI 3.1 spec."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.errors import InputError
from generator.importing.normalize import enrich, kinds, overrides
from generator.importing.normalize.kinds import Kind
from generator.importing.normalize.schema import (
    FROM_EXAMPLE,
    clean_input_schema,
    fitted_example,
    input_from_example,
    output_from_example,
    restore_full_width,
)
from generator.importing.record import Endpoint, Source
from generator.spec import canonical, shared_operations, vocabulary
from generator.spec.vocabulary import inferred

OPENAPI_VERSION = "3.1.0"
_OPEN_OUTPUT = {
    "description": "The document does not state the output type: any JSON value. Image models "
    "usually return a URL or a list of URLs."
}
# `官方文档: https://replicate.com/owner/name`, `official文档:…`, `<https://…>`, a bare link with junk such as
# `?input=http` and prose after it: the link is the model's page, not its description.
_DOCS_LINK = re.compile(
    r"^\s*(?:[^\s:：<]{1,30}(?:\s[^\s:：<]{1,30}){0,2}\s*[:：]\s*)?<?(?P<url>https?://(?:www\.)?replicate\.com/[^\s<>]+?)>?"
    r"(?:\s+(?P<rest>.*))?$",
    re.I,
)


@dataclass
class Extra:
    """What beside the page shapes a model's spec: its Replicate document and the user's overrides."""

    replicate: Endpoint | None = None
    overrides: dict[str, Any] | None = None
    overrides_source: Source | None = None


@dataclass
class NormalizedSpec:
    kind: str
    file: str  # relative to the folder of its kind: `owner/name.yaml`, or `get-prediction.yaml`
    document: dict[str, Any]
    key: str  # the model id, or `shared/<kind>`: two documents with one key describe the same thing
    warnings: list[str] = field(default_factory=list)
    overridden: list[str] = field(default_factory=list)

    @property
    def is_model(self) -> bool:
        return self.kind in (vocabulary.MODEL, vocabulary.MODEL_VERSION)


def operation_id(owner: str, name: str) -> str:
    """Unique per model: owner and name are joined by `__`, so `a-b/c` and `a/b-c` differ."""

    def snake(part: str) -> str:
        return re.sub(r"[^0-9a-zA-Z]+", "_", part).strip("_").lower()

    return f"create_prediction__{snake(owner)}__{snake(name)}"


def normalize(endpoint: Endpoint, kind: Kind | None = None, extra: Extra | None = None) -> NormalizedSpec:
    kind = kind or kinds.classify(endpoint)
    if kind.name == vocabulary.SKIPPED:
        raise ValueError(f"a skipped endpoint has no spec: {kind.reason}")
    if kind.name in vocabulary.SHARED_KINDS:
        return _shared_spec(endpoint, kind)
    return _model_spec(endpoint, kind, extra or Extra())


def _model_spec(endpoint: Endpoint, kind: Kind, extra: Extra) -> NormalizedSpec:
    owner, name, model = kind.owner, kind.model, kind.model_id
    warnings = [*endpoint.warnings, *kind.warnings]
    description, link = _description(endpoint.description)

    raw_input, stale_warnings = _raw_input(endpoint)
    example = _example_input(endpoint)
    if placeholders := _placeholders(endpoint):
        warnings.append(f"the request example's {', '.join(map(repr, placeholders))}: placeholder(s), not inputs")
    trusted = endpoint.schema_is_truth
    input_schema, input_warnings = clean_input_schema(raw_input, model, None if trusted else example, prose=not trusted)
    warnings += stale_warnings + input_warnings
    guessed = [n for n, p in input_schema["properties"].items() if inferred(p).get("type") == FROM_EXAMPLE]
    if guessed and len(guessed) == len(input_schema["properties"]):
        warnings.append(
            f"the page has no input schema: {len(guessed)} field(s) and their types were read off the request "
            "example; check them, or add a specs/replicate or specs/overrides file"
        )
    elif guessed:
        warnings.append(
            f"{', '.join(guessed)}: known only from the request example, their types were read off it; check them"
        )
    warnings += _copied_response_warnings(endpoint, set(input_schema.get("properties", {})), model)
    output_schema = endpoint.output_schema or output_from_example(kinds.response_example_output(endpoint, model))

    if extra.replicate is not None:
        replicate_input, _ = clean_input_schema(_raw_input(extra.replicate)[0], model, prose=False)
        input_schema, merge_warnings = enrich.merge_input(input_schema, replicate_input)
        warnings += [f"{w} (Replicate document {extra.replicate.source.path})" for w in merge_warnings]
        output_schema = extra.replicate.output_schema or output_schema
        description = description or extra.replicate.description
    output_schema = dict(output_schema or _OPEN_OUTPUT)
    overridden = overrides.apply(input_schema, output_schema, extra.overrides) if extra.overrides else []
    if extra.overrides and "example" in extra.overrides:
        example = extra.overrides["example"]
        overridden.append("example removed" if example is None else "example replaced")
    example, example_warnings = fitted_example(example, input_schema)  # against the schema as it ends
    warnings += example_warnings

    path = "/v1/predictions" if kind.name == vocabulary.MODEL_VERSION else f"/v1/models/{owner}/{name}/predictions"
    media: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/PredictionRequest"}}
    if example is not None:
        media["example"] = {"version": kind.version, "input": example} if kind.version else {"input": example}
    operation: dict[str, Any] = {
        "operationId": operation_id(owner, name),
        "summary": f"Create a prediction with {model}",
        "description": description or endpoint.title,
        "tags": [model],
        "parameters": canonical.create_headers(),
        "requestBody": {"required": True, "content": {"application/json": media}},
        "responses": canonical.create_responses(),
    }
    if endpoint.status:
        operation["x-apifox-status"] = endpoint.status
    x_model = {"owner": owner, "name": name, "url": link or f"https://replicate.com/{owner}/{name}"}
    if kind.version:
        x_model["version"] = kind.version
    source = _provenance(endpoint)
    if extra.replicate is not None:
        source["replicate"] = {"file": extra.replicate.source.path, "sha256": extra.replicate.source.sha256}
    if extra.overrides_source is not None:
        source["overrides"] = {"file": extra.overrides_source.path, "sha256": extra.overrides_source.sha256}
    document = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": model,
            "version": "1.0.0",
            "description": f"Predictions of the model {model}, normalized from an Apifox document.",
            "x-model": x_model,
            "x-source": source,
        },
        "servers": canonical.servers(),
        "security": [{"bearerAuth": []}],
        "paths": {path: {"post": operation}},
        "components": {
            "schemas": canonical.component_schemas(input_schema, output_schema, canonical.request_schema(kind.version)),
            "securitySchemes": canonical.security_schemes(),
        },
    }
    return NormalizedSpec(kind.name, f"{owner}/{name}.yaml", document, model, warnings, overridden)


def _shared_spec(endpoint: Endpoint, kind: Kind) -> NormalizedSpec:
    path, method, operation = shared_operations.operation(kind.name, kind.versions)
    if endpoint.status:
        operation["x-apifox-status"] = endpoint.status
    document = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": operation["summary"],
            "version": "1.0.0",
            "description": "One of Replicate's shared prediction operations, recognised in an Apifox document.",
            "x-shared": kind.name,
            "x-source": _provenance(endpoint),
        },
        "servers": canonical.servers(),
        "security": [{"bearerAuth": []}],
        "paths": {path: {method: operation}},
        "components": {"schemas": shared_operations.components(), "securitySchemes": canonical.security_schemes()},
    }
    return NormalizedSpec(
        kind.name, shared_operations.FILES[kind.name], document, f"shared/{kind.name}", list(endpoint.warnings)
    )


def _raw_input(endpoint: Endpoint) -> tuple[dict[str, Any], list[str]]:
    """The page's `input` schema, reconciled with its request example; from the example alone when the
    page lists no fields, which is said. Warnings tell what was dropped."""
    body = endpoint.request_schema or {}
    raw = (body.get("properties") or {}).get("input")
    example = _example_input(endpoint)
    if isinstance(raw, dict) and raw.get("properties"):
        return _reconciled(raw, example) if example and not endpoint.schema_is_truth else (raw, [])
    if example:
        return input_from_example(example), []
    if isinstance(raw, dict):
        return raw, []
    raise InputError(
        endpoint.source.path,
        "request body has no `input` schema and no example; expected `input` with the model's fields",
        pointer=endpoint.source.pointer or "/requestBody",
    )


def _example_input(endpoint: Endpoint) -> dict[str, Any] | None:
    """The request example's `input`, without the keys that stand for "more fields" (`...`, `<name>`)."""
    found = _written_example_input(endpoint)
    if found is None:
        return None
    return {key: value for key, value in found.items() if key not in _placeholders(endpoint)}


def _written_example_input(endpoint: Endpoint) -> dict[str, Any] | None:
    return next((e["input"] for e in endpoint.request_examples if isinstance((e or {}).get("input"), dict)), None)


def _placeholders(endpoint: Endpoint) -> list[str]:
    """The example's keys that stand for "and so on" or "some name", unless the schema lists them."""
    listed = ((endpoint.request_schema or {}).get("properties") or {}).get("input") or {}
    names = listed.get("properties") or {} if isinstance(listed, dict) else {}
    return [key for key in _written_example_input(endpoint) or {} if _placeholder(key) and key not in names]


_PLACEHOLDER = re.compile(r"\.{2,}|…+|<[^<>]*>|\{[^{}]*\}|string|key|\s*")


def _placeholder(key: str) -> bool:
    return _PLACEHOLDER.fullmatch(key.strip().lower()) is not None


def _reconciled(listed: dict[str, Any], example: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A field list and the request example of the same page. When the example uses fields the list
    lacks, the list is a template copied from another model (a published example was run against this
    one): the example's fields are kept, described and typed by the list where it names them, required
    only where the list says so; the list's other fields are dropped. Both sides are named."""
    properties: dict[str, Any] = listed["properties"]
    unlisted = [name for name in example if name not in properties]
    if not unlisted:
        return listed, []
    guessed = input_from_example(example)["properties"]
    kept: dict[str, Any] = {}
    warnings: list[str] = []
    for name in example:
        prop = properties.get(name)
        if isinstance(prop, dict) and _agrees(prop.get("type"), guessed[name].get("type")):
            kept[name] = prop
        else:
            kept[name] = guessed[name]
    dropped = [name for name in properties if name not in kept]
    warnings.append(
        f"the field list does not match the request example, which uses {', '.join(unlisted)} that the list "
        f"lacks: the list looks copied from another model, so the example's {len(kept)} field(s) are used"
        + (f" and the list's {', '.join(dropped)} dropped" if dropped else "")
    )
    schema = {key: value for key, value in listed.items() if key not in ("properties", "required", "x-apifox-orders")}
    schema["properties"] = kept
    required = [name for name in listed.get("required") or () if name in kept]
    if required:
        schema["required"] = required
    return schema, warnings


def _agrees(listed: Any, seen: Any) -> bool:
    """A listed type the example's JSON value fits (an integer fits `number`)."""
    if not isinstance(listed, str) or not isinstance(seen, str):
        return True
    return listed == seen or (listed == "number" and seen == "integer")


def _description(text: str) -> tuple[str, str | None]:
    """The page's description without the line that only links to the model's page, and that link."""
    link = None
    kept = []
    for line in text.splitlines():
        m = _DOCS_LINK.match(line)
        if m and link is None:
            link = m.group("url").split("?")[0].split("#")[0].rstrip("/.,;")
            line = m.group("rest") or ""
        kept.append(line)
    return restore_full_width("\n".join(kept).strip()), link


def _provenance(endpoint: Endpoint) -> dict[str, Any]:
    source: dict[str, Any] = {
        "file": endpoint.source.path,
        "sha256": endpoint.source.sha256,
        "format": endpoint.source.format,
    }
    if endpoint.source.pointer:
        source["pointer"] = endpoint.source.pointer
    source["title"] = endpoint.title
    source["path"] = endpoint.path
    if endpoint.apifox:
        source["apifox"] = dict(endpoint.apifox)
    if endpoint.version:
        source["version"] = endpoint.version  # the model version a Replicate document described
    return source


def _copied_response_warnings(endpoint: Endpoint, input_fields: set[str], model: str) -> list[str]:
    warnings = []
    for response in endpoint.responses:
        copied = ((response.schema.get("properties") or {}).get("input") or {}).get("properties") or {}
        foreign = sorted(set(copied) - input_fields)
        if foreign:
            warnings.append(
                f"response {response.code} schema lists input fields this model does not take "
                f"({', '.join(foreign)}): copied from another model, discarded"
            )
    for response in endpoint.responses:
        properties = response.schema.get("properties") or {}
        if 200 <= response.code < 300 and properties and not {"id", "status"} & set(properties):
            warnings.append(
                f"response {response.code} schema ({', '.join(list(properties)[:5])}) is not a prediction but "
                "another API's response: ignored, Replicate's Prediction is used"
            )
    for example in endpoint.response_examples:
        if isinstance(example, dict) and example.get("model") not in (None, model):
            warnings.append(f"a response example belongs to {example['model']}, not {model}: ignored")
        elif isinstance(example, dict) and "id" not in example:
            warnings.append("a response example is not a prediction (another API's response?): ignored")
    return warnings
