"""Where a JSON Schema (2020-12, as OpenAPI 3.1 uses it) holds other schemas, and boolean schemas.

A schema may be a boolean: `true` accepts anything, `false` nothing. What reads a schema's keywords
reads it through `schema_object`, which writes each boolean as the mapping that means the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from generator.spec.specfile import pointer_token

WITH_SUBSCHEMAS = ("properties", "patternProperties", "$defs", "dependentSchemas")  # name -> schema
WITH_SCHEMA = (
    "items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties",
)  # fmt: skip
WITH_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")

ANYTHING: dict[str, Any] = {}
NOTHING: dict[str, Any] = {"not": {}}


def children(schema: dict[str, Any], pointer: str = "") -> Iterator[tuple[str, Any]]:
    """The schemas `schema` holds directly, with their JSON pointers (under `pointer`)."""
    for key in WITH_SUBSCHEMAS:
        if isinstance(schema.get(key), dict):
            for name, sub in schema[key].items():
                yield f"{pointer}/{key}/{pointer_token(name)}", sub
    for key in WITH_SCHEMA:
        if key in schema:
            yield f"{pointer}/{key}", schema[key]
    for key in WITH_LIST:
        if isinstance(schema.get(key), list):
            for index, sub in enumerate(schema[key]):
                yield f"{pointer}/{key}/{index}", sub


def map_children(schema: dict[str, Any], change: Callable[[Any], Any]) -> dict[str, Any]:
    """A copy of `schema` whose direct subschemas are what `change` makes of them."""
    changed = dict(schema)
    for key in WITH_SUBSCHEMAS:
        if isinstance(schema.get(key), dict):
            changed[key] = {name: change(sub) for name, sub in schema[key].items()}
    for key in WITH_SCHEMA:
        if key in schema:
            changed[key] = change(schema[key])
    for key in WITH_LIST:
        if isinstance(schema.get(key), list):
            changed[key] = [change(sub) for sub in schema[key]]
    return changed


def without(schema: Any, keys: frozenset[str]) -> Any:
    """`schema` without `keys` in it or in any schema it holds (properties of those names stay)."""
    if not isinstance(schema, dict):
        return schema
    return map_children({k: v for k, v in schema.items() if k not in keys}, lambda sub: without(sub, keys))


def untitled(schema: Any) -> Any:
    """`schema` without the `title` of any schema in it (a property named `title` stays)."""
    if not isinstance(schema, dict):
        return schema
    return map_children({k: v for k, v in schema.items() if k != "title"}, untitled)


def schema_object(schema: Any) -> Any:
    """`schema` with every boolean schema in it written as a mapping: `true` as `{}`, `false` as
    `{"not": {}}`. What holds no boolean is returned as it is, not copied."""
    if isinstance(schema, bool):
        return dict(ANYTHING if schema else NOTHING)
    if not isinstance(schema, dict):
        return schema
    changed: dict[str, Any] = {}
    for key in WITH_SUBSCHEMAS:
        if isinstance(schema.get(key), dict):
            subs = {name: schema_object(sub) for name, sub in schema[key].items()}
            if any(subs[name] is not sub for name, sub in schema[key].items()):
                changed[key] = subs
    for key in WITH_SCHEMA:
        if key in schema and (sub := schema_object(schema[key])) is not schema[key]:
            changed[key] = sub
    for key in WITH_LIST:
        if isinstance(schema.get(key), list):
            items = [schema_object(sub) for sub in schema[key]]
            if any(new is not old for new, old in zip(items, schema[key], strict=True)):
                changed[key] = items
    return {**schema, **changed} if changed else schema
