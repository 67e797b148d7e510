"""Apifox project export (`*.apifox.json`): folders of endpoints, shared models in `schemaCollection`.

One file gives many records, each named by its JSON pointer (`/apiCollection/0/items/3`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.importing import _apifox
from generator.importing._refs import Inliner, Lookup
from generator.importing._text import Document
from generator.importing.record import Endpoint

FORMAT = "apifox-project"


def detect(doc: Document) -> bool:
    data = doc.data
    return isinstance(data, dict) and ("apifoxProject" in data or isinstance(data.get("apiCollection"), list))


def read(doc: Document) -> list[Endpoint]:
    data = doc.data
    lookup = _definitions(data.get("schemaCollection"))
    return [
        _endpoint(doc, pointer, folders, item, lookup)
        for pointer, folders, item in _items(data.get("apiCollection"), "/apiCollection", ())
    ]


def _items(nodes: Any, pointer: str, folders: tuple[str, ...]) -> Iterator[tuple[str, tuple[str, ...], dict[str, Any]]]:
    """Endpoints depth first, in the order the project shows them, with the folders above each."""
    for index, node in enumerate(nodes if isinstance(nodes, list) else ()):
        if not isinstance(node, dict):
            continue
        here = f"{pointer}/{index}"
        if isinstance(node.get("api"), dict):
            yield here, folders, node
        if isinstance(node.get("items"), list):
            name = str(node.get("name") or "")
            yield from _items(node["items"], f"{here}/items", (*folders, name) if name else folders)


def _definitions(collection: Any) -> Lookup:
    """`#/definitions/<id>` (and, in older exports, `<name>`) -> the shared model's JSON schema."""
    found: dict[str, Any] = {}

    def walk(nodes: Any) -> None:
        for node in nodes if isinstance(nodes, list) else ():
            if not isinstance(node, dict):
                continue
            schema = node.get("schema")
            schema = schema.get("jsonSchema", schema) if isinstance(schema, dict) else node.get("jsonSchema")
            if isinstance(schema, dict):
                for key in ("id", "name"):
                    if node.get(key) is not None:
                        found.setdefault(str(node[key]), schema)
            walk(node.get("items"))

    walk(collection)

    def lookup(ref: str) -> Any:
        return found.get(ref.rsplit("/", 1)[-1]) if ref.startswith("#/definitions/") else None

    return lookup


def _endpoint(doc: Document, pointer: str, folders: tuple[str, ...], item: dict[str, Any], lookup: Lookup) -> Endpoint:
    inliner = Inliner(lookup)
    api = inliner.inline(item["api"], pointer)
    media_type, schema, examples, warnings = _apifox.request_body(api.get("requestBody"))
    response_examples, more_warnings = _apifox.response_examples(api.get("responseExamples"))
    status = str(api.get("status") or "") or None
    apifox = {"folder": "/".join(folders)} if folders else {}
    if api.get("id") is not None:
        apifox["id"] = str(api["id"])
    return Endpoint(
        source=doc.source(FORMAT, pointer),
        title=str(item.get("name") or api.get("name") or ""),
        method=str(api.get("method") or "").upper(),
        path=str(api.get("path") or ""),
        description=str(api.get("description") or ""),
        status=_apifox.APIFOX_STATUS.get(status, status) if status else None,
        apifox=apifox,
        parameters=_apifox.parameters(api.get("parameters")),
        request_media_type=media_type,
        request_schema=schema,
        request_examples=examples,
        responses=_apifox.responses(api.get("responses")),
        response_examples=response_examples,
        warnings=tuple(inliner.warnings + warnings + more_warnings),
    )
