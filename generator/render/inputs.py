"""The models' `Input` classes, made by datamodel-code-generator in a single call per build.

Every model's Input is named `<module>.<Class>Input` in one OpenAPI document, which makes the
generator emit one module per model (so they load lazily) without one run per model. Every class
and field name is ours (`naming`): each object nested in an Input is hoisted into a class we name,
and every field whose Python name is not its wire name gets an alias, so no wire name is lost to
the generator's own naming (or to Python's NFKC folding of identifiers such as `ﬁle`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any, NamedTuple

from generator.catalog import Model
from generator.render import datamodels, pytypes
from generator.spec import naming
from generator.spec.specfile import resolve_ref
from generator.spec.subschemas import schema_object


class InputSchemas(NamedTuple):
    """What `datamodels.modules` takes for some models' Inputs."""

    schemas: dict[str, Any]  # `<module>.<Class>` -> its schema
    aliases: dict[str, str]  # `<module>.<Class>.<wire name>` -> field name


def render_inputs(models: Sequence[Model]) -> dict[str, str]:
    """module name -> source of `types/<module>.py`, starting with `datamodels.HEADER_MARKER` for the
    caller to fill. A model's module is the same whether it is generated alone or among others."""
    return type_modules(datamodels.modules(*input_schemas(models))) if models else {}


def input_schemas(models: Sequence[Model]) -> InputSchemas:
    """The models' Inputs as one OpenAPI document's component schemas, every nested object hoisted."""
    prepared = InputSchemas({}, {})
    for model in models:
        hoisted = _Hoisted(model)
        hoisted.object_class(model.input_class, model.input_schema, ())
        prepared.schemas.update(hoisted.classes)
        prepared.aliases.update(hoisted.aliases)
    return prepared


def type_modules(made: Any) -> dict[str, str]:
    """module name -> source, from what `datamodels.modules` made of `input_schemas`."""
    if not isinstance(made, dict):  # one module only: the generator returns it bare
        raise RuntimeError("datamodel-code-generator returned a single module for a modular document")
    found = {}
    for parts, source in made.items():
        name = "/".join(parts).removesuffix(".py")
        if name != "__init__":
            found[name] = source
    return found


class _Hoisted:
    """One model's Input as classes for the code generator: local `$ref`s inlined (a recursive one
    is left open), every nested object a class named by `naming`, our `x-` keys dropped."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.classes: dict[str, dict[str, Any]] = {}
        self.aliases: dict[str, str] = {}  # `<module>.<Class>.<wire name>` -> field name
        self.taken: set[str] = {model.input_class}

    def object_class(
        self, name: str, schema: dict[str, Any], trail: tuple[str, ...], refs: frozenset[str] = frozenset()
    ) -> str:
        key = f"{self.model.accessor}.{name}"
        properties = schema.get("properties") or {}
        identifiers = naming.field_identifiers(properties)
        self.aliases |= {f"{key}.{wire}": ident for wire, ident in identifiers.items() if wire != ident}
        cleaned = _cleaned(schema)
        cleaned["properties"] = {wire: self.convert(sub, (*trail, wire), refs) for wire, sub in properties.items()}
        self.classes[key] = cleaned
        return key

    def convert(self, schema: Any, trail: tuple[str, ...], refs: frozenset[str]) -> Any:
        schema = schema_object(schema)
        if not isinstance(schema, dict):
            return schema
        if isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in refs:
                return _cleaned({k: v for k, v in schema.items() if k in _ANNOTATIONS})
            target = schema_object(resolve_ref(self.model.document, ref))
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            return self.convert({**target, **siblings}, trail, refs | {ref})
        if isinstance(schema.get("properties"), dict) and schema["properties"]:
            name = naming.nested_class(self.model.input_class, trail, self.taken)
            self.taken.add(name)
            key = self.object_class(name, schema, trail, refs)
            reference = {
                "$ref": f"#/components/schemas/{key}",
                **_cleaned({k: v for k, v in schema.items() if k in _ANNOTATIONS}),
            }
            types = schema.get("type")
            nullable = isinstance(types, list) and "null" in types
            return {"anyOf": [reference, {"type": "null"}]} if nullable else reference
        converted = _cleaned(schema)
        for key in _WITH_SCHEMA:
            if key in converted:
                converted[key] = self.convert(converted[key], (*trail, "item" if key == "items" else key), refs)
        for key in _WITH_LIST:
            if isinstance(converted.get(key), list):
                converted[key] = [self.convert(s, (*trail, str(i + 1)), refs) for i, s in enumerate(converted[key])]
        if "default" in converted and _holds_class(converted):
            # A JSON object is no instance of the class the field is typed with: the default is the
            # server's to apply (build_body sends only what is given), and the docs show it.
            del converted["default"]
        values = converted["enum"] if isinstance(converted.get("enum"), list) else [converted.get("const")]
        if any(pytypes.too_large_for_literal(value) for value in values):
            _as_bounds(converted, values)
        return converted


def _as_bounds(schema: dict[str, Any], values: list[Any]) -> None:
    """An enum holding an int too large for a `Literal` (and for pydantic's enum and literal checks),
    as the values' types: an int enum checked by its bounds (exactly, when it has one value)."""
    del schema["enum" if "enum" in schema else "const"]
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        schema["type"] = "integer"
        schema["minimum"] = max(min(values), schema.get("minimum", min(values)))
        schema["maximum"] = min(max(values), schema.get("maximum", max(values)))
    else:
        schema["type"] = sorted({_JSON_TYPE.get(type(v), "object") for v in values})


def _holds_class(schema: Any) -> bool:
    """Whether the type of `schema` involves a hoisted class (a `$ref` to one)."""
    if isinstance(schema, dict):
        return "$ref" in schema or any(_holds_class(v) for k, v in schema.items() if k not in _VALUES)
    if isinstance(schema, list):
        return any(_holds_class(v) for v in schema)
    return False


def _cleaned(schema: dict[str, Any]) -> dict[str, Any]:
    """Without our `x-` keys, and without `format`: the generator maps formats to types that change
    the value sent (`AnyUrl` adds a slash, `SecretStr` sends stars, `Decimal` a string) or need a
    package the client does not depend on (`EmailStr`, `ULID`); the server checks formats.
    The description on one line of visible characters, as the generator writes it into an attribute
    docstring (a tab there is mixed indentation; a control character, noise)."""
    cleaned = {k: v for k, v in schema.items() if k not in _DROPPED and not k.startswith("x-")}
    if isinstance(cleaned.get("description"), str):
        # control characters out first (a line break a space): one may stand between two spaces
        visible = "".join(
            (" " if c.isspace() else "") if unicodedata.category(c) in ("Cc", "Cs") else c
            for c in cleaned["description"]
        )
        cleaned["description"] = " ".join(visible.split())
    return cleaned


# The title would rename the class; `$defs` are reached through the `$ref`s we inline.
_DROPPED = frozenset({"title", "$defs", "definitions", "format"})
_ANNOTATIONS = frozenset({"description"})  # kept beside a `$ref` to a class
_JSON_TYPE = {type(None): "null", bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}
_VALUES = frozenset({"default", "enum", "const", "examples", "example"})  # JSON values, not schemas
_WITH_SCHEMA = ("items", "additionalProperties")
_WITH_LIST = ("anyOf", "oneOf", "allOf", "prefixItems")
