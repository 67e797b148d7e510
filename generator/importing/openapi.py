"""OpenAPI 3.0 / 3.1 documents as Apifox exports them: plain OpenAPI plus `x-apifox-*` extensions.

Every operation becomes one record, named by its JSON pointer in the file. The Markdown export
embeds one of these documents, so it is read here too.
"""

from __future__ import annotations

from typing import Any

from generator.errors import InputError
from generator.importing._refs import Inliner, pointer_lookup
from generator.importing._text import Document
from generator.importing.record import Endpoint, Parameter, Response, Source
from generator.spec.specfile import pointer_token

FORMAT = "openapi"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def detect(doc: Document) -> bool:
    data = doc.data
    return isinstance(data, dict) and ("openapi" in data or "swagger" in data) and isinstance(data.get("paths"), dict)


def read(doc: Document) -> list[Endpoint]:
    return endpoints(doc.data, doc, FORMAT)


def endpoints(data: Any, doc: Document, fmt: str, title: str = "") -> list[Endpoint]:
    if not isinstance(data, dict) or not isinstance(data.get("paths"), dict):
        raise InputError(doc.display, "not an OpenAPI document; expected a mapping with `openapi` and `paths`")
    version = str(data.get("openapi") or data.get("swagger") or "")
    if not version.startswith("3."):
        raise InputError(doc.display, f"OpenAPI version {version!r} is not supported; expected 3.0 or 3.1")
    found = []
    for path, item in data["paths"].items():
        if not isinstance(item, dict):
            continue
        shared_parameters = item.get("parameters") or []
        for method in _METHODS:
            if isinstance(item.get(method), dict):
                pointer = f"/paths/{pointer_token(str(path))}/{method}"
                inliner = Inliner(pointer_lookup(data))
                operation = inliner.inline(item[method], pointer)
                parameters = inliner.inline(shared_parameters, pointer) + list(operation.get("parameters") or [])
                source = doc.source(fmt, pointer)
                found.append(_endpoint(source, str(path), method, operation, parameters, title, inliner.warnings))
    return found


def _endpoint(
    source: Source,
    path: str,
    method: str,
    operation: dict[str, Any],
    parameters: list[Any],
    title: str,
    warnings: list[str],
) -> Endpoint:
    media_type, schema, examples = _body(operation.get("requestBody"))
    responses, response_examples = _responses(operation.get("responses"))
    apifox = {"folder": str(operation["x-apifox-folder"])} if operation.get("x-apifox-folder") else {}
    status = operation.get("x-apifox-status")
    return Endpoint(
        source=source,
        title=str(operation.get("summary") or title or operation.get("operationId") or ""),
        method=method.upper(),
        path=path,
        description=str(operation.get("description") or ""),
        status=str(status) if status else None,
        apifox=apifox,
        parameters=tuple(_parameter(p) for p in parameters if isinstance(p, dict) and p.get("name")),
        request_media_type=media_type,
        request_schema=schema,
        request_examples=examples,
        responses=responses,
        response_examples=response_examples,
        warnings=tuple(warnings),
    )


def _parameter(raw: dict[str, Any]) -> Parameter:
    schema = raw["schema"] if isinstance(raw.get("schema"), dict) else {}
    return Parameter(
        name=str(raw["name"]),
        location=str(raw.get("in") or "query"),
        required=bool(raw.get("required", raw.get("in") == "path")),
        description=str(raw.get("description") or ""),
        schema=dict(schema),
        example=raw.get("example"),
    )


def _json_media(content: Any) -> tuple[str | None, dict[str, Any]]:
    """The JSON media type of a `content` map (Apifox sometimes writes `*/*`)."""
    if not isinstance(content, dict) or not content:
        return None, {}
    media_type = next((m for m in content if "json" in m), next(iter(content)))
    media = content[media_type]
    return media_type, media if isinstance(media, dict) else {}


def _examples(media: dict[str, Any]) -> tuple[Any, ...]:
    if "example" in media:
        return (media["example"],)
    named = media.get("examples")
    if isinstance(named, dict):
        return tuple(e["value"] for e in named.values() if isinstance(e, dict) and "value" in e)
    return ()


def _body(raw: Any) -> tuple[str | None, dict[str, Any] | None, tuple[Any, ...]]:
    if not isinstance(raw, dict):
        return None, None, ()
    media_type, media = _json_media(raw.get("content"))
    schema = media.get("schema")
    return media_type, schema if isinstance(schema, dict) else None, _examples(media)


def _responses(raw: Any) -> tuple[tuple[Response, ...], tuple[Any, ...]]:
    responses: list[Response] = []
    examples: list[Any] = []
    for code, item in (raw or {}).items() if isinstance(raw, dict) else ():
        if not isinstance(item, dict) or not str(code).isdigit():
            continue
        _, media = _json_media(item.get("content"))
        schema = media["schema"] if isinstance(media.get("schema"), dict) else {}
        name = str(item.get("x-apifox-name") or item.get("description") or "")
        responses.append(Response(code=int(code), name=name, schema=schema))
        examples += _examples(media)
    return tuple(responses), tuple(examples)
