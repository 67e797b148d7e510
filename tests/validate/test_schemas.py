"""Values checked against schemas inside a document: `$ref`s resolve where the generator resolves them."""

from __future__ import annotations

import traceback
from typing import Any

import pytest

from generator.spec.specfile import pointer_token, resolve_ref
from generator.validate.schemas import DocumentSchemas, SchemaUnusable

ODD_NAMES = ["a b", "a%20b", 'it\'s "quoted"', "中文", "a/b~c", "50%", "x?y#z"]


def _messages(schemas: DocumentSchemas, pointer: str, value: Any) -> list[str]:
    return [error.message for error in schemas.validator(pointer).iter_errors(value)]


def test_a_ref_to_a_component_of_any_name_resolves_where_the_generator_resolves_it() -> None:
    # each component a different type, so a ref resolved to a neighbour's name would be caught
    types = ["string", "integer", "boolean", "array", "object", "null", "number"]
    components = {name: {"type": kind} for name, kind in zip(ODD_NAMES, types, strict=True)}
    refs = {name: {"$ref": f"#/components/schemas/{pointer_token(name)}"} for name in ODD_NAMES}
    document = {"components": {"schemas": {**components, "Input": {"type": "object", "properties": refs}}}}
    schemas = DocumentSchemas(document)
    samples = {"string": "s", "integer": 1, "boolean": True, "array": [], "object": {}, "null": None, "number": 1.5}
    for name, kind in zip(ODD_NAMES, types, strict=True):
        assert resolve_ref(document, refs[name]["$ref"]) == {"type": kind}
        pointer = f"/components/schemas/Input/properties/{pointer_token(name)}"
        assert _messages(schemas, pointer, samples[kind]) == [], name
        wrong = "s" if kind != "string" else 1
        assert _messages(schemas, pointer, wrong) == [f'{wrong!r} is not of type "{kind}"'.replace("'", '"')], name
    assert document["components"]["schemas"]["Input"]["properties"]["a b"] == {"$ref": "#/components/schemas/a b"}


def test_a_schema_under_a_path_of_any_characters_is_addressed_by_its_pointer() -> None:
    path = "/v1/models/1.z!01@@/!'0é+中'a_\"% #?/predictions"
    document = {"paths": {path: {"post": {"schema": {"type": "string", "maxLength": 2}}}}}
    pointer = f"/paths/{pointer_token(path)}/post/schema"
    schemas = DocumentSchemas(document)
    assert _messages(schemas, pointer, "ok") == []
    assert _messages(schemas, pointer, "long") == ['"long" is longer than 2 characters']


@pytest.mark.parametrize(
    ("schema", "said"),
    [
        ({"type": "strnig"}, ""),
        ({"type": "string", "pattern": "(unclosed"}, "regex"),
        ({"$ref": "#/components/schemas/Nope"}, "/components/schemas/Nope"),
        ({"$ref": "https://example.invalid/schema.json"}, "https://example.invalid/schema.json"),
    ],
    ids=["unknown-type", "bad-pattern", "ref-to-nothing", "remote-ref-not-fetched"],
)
def test_a_schema_that_cannot_check_is_unusable_every_time_it_is_asked_for(schema: Any, said: str) -> None:
    schemas = DocumentSchemas({"components": {"schemas": {"S": schema}}})
    depths = []
    for _ in range(3):  # a server asks on every request: what it raises must not grow each time
        with pytest.raises(SchemaUnusable) as caught:
            schemas.validator("/components/schemas/S")
        assert said in str(caught.value)
        depths.append(len(traceback.extract_tb(caught.value.__traceback__)))
    assert depths[0] == depths[1] == depths[2]


def test_format_is_an_annotation_as_draft_2020_12_has_it() -> None:
    schemas = DocumentSchemas({"components": {"schemas": {"U": {"type": "string", "format": "uri"}}}})
    assert _messages(schemas, "/components/schemas/U", "not a uri") == []
