"""The models' `Input` classes, made by datamodel-code-generator in a single call per build.

Every model's Input is named `<module>.<Class>Input` in one OpenAPI document, which makes the
generator emit one module per model (so they load lazily) without one run per model. Every class
and field name is ours (`naming`): each object nested in an Input is hoisted into a class we name,
and every field whose Python name is not its wire name gets an alias, so no wire name is lost to
the generator's own naming (or to Python's NFKC folding of identifiers such as `ﬁle`).
"""

from __future__ import annotations

import json
import unicodedata
import warnings
from collections.abc import Sequence
from typing import Any

from generator import naming
from generator.catalog import Model
from generator.specfile import resolve_ref

HEADER_MARKER = "# <replicate-codegen header>"


def render_inputs(models: Sequence[Model]) -> dict[str, str]:
    """module name -> source of `types/<module>.py`, starting with `HEADER_MARKER` for the caller to
    fill. A model's module is the same whether it is generated alone or among others."""
    if not models:
        return {}
    schemas: dict[str, Any] = {}
    aliases: dict[str, str] = {}
    for model in models:
        hoisted = _Hoisted(model)
        hoisted.object_class(model.input_class, model.input_schema, ())
        schemas |= hoisted.classes
        aliases |= hoisted.aliases
    result = _generated(schemas, aliases)
    if not isinstance(result, dict):  # one module only: the generator returns it bare
        raise RuntimeError("datamodel-code-generator returned a single module for a modular document")
    modules = {}
    for parts, source in result.items():
        name = "/".join(parts).removesuffix(".py")
        if name != "__init__":
            modules[name] = source
    return modules


def warm_up() -> None:
    """Have datamodel-code-generator load all it loads on its first call (about half a second), so
    that the next call is quick: what a process standing by to render does first."""
    _generated({"WarmUpInput": {"type": "object", "properties": {"prompt": {"type": "string"}}}}, {})


def _generated(schemas: dict[str, Any], aliases: dict[str, str]) -> Any:
    """datamodel-code-generator's modules for the `schemas` of one OpenAPI document."""
    # imported here: about half a second, which a run that renders no model does not spend
    from datamodel_code_generator import InputFileType, PythonVersion, generate
    from datamodel_code_generator.enums import DataModelType, OpenAPIScope
    from datamodel_code_generator.parser import LiteralType

    document = {
        "openapi": "3.1.0",
        "info": {"title": "inputs", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # about its own future defaults; ours are explicit
        return generate(
            json.dumps(document, sort_keys=False),
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            openapi_scopes=[OpenAPIScope.Schemas],
            aliases=aliases,
            enum_field_as_literal=LiteralType.All,
            strict_nullable=True,
            field_constraints=True,
            use_annotated=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_schema_description=True,
            use_field_description=True,
            use_double_quotes=True,
            disable_timestamp=True,
            custom_file_header=HEADER_MARKER,
            formatters=[],  # its own pass was a quarter of its time; ruff formats every module after
        )


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
        if not isinstance(schema, dict):
            return schema
        if isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in refs:
                return _cleaned({k: v for k, v in schema.items() if k in _ANNOTATIONS})
            target = resolve_ref(self.model.document, ref)
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
        return converted


def _cleaned(schema: dict[str, Any]) -> dict[str, Any]:
    """Without our `x-` keys; the description on one line of visible characters, as the generator
    writes it into an attribute docstring (a tab there is mixed indentation; a control character, noise)."""
    cleaned = {k: v for k, v in schema.items() if k not in _DROPPED and not k.startswith("x-")}
    if isinstance(cleaned.get("description"), str):
        words = " ".join(cleaned["description"].split())
        cleaned["description"] = "".join(c for c in words if unicodedata.category(c) not in ("Cc", "Cs"))
    return cleaned


# The title would rename the class; `$defs` are reached through the `$ref`s we inline.
_DROPPED = frozenset({"title", "$defs", "definitions"})
_ANNOTATIONS = frozenset({"description", "default"})
_WITH_SCHEMA = ("items", "additionalProperties")
_WITH_LIST = ("anyOf", "oneOf", "allOf", "prefixItems")
