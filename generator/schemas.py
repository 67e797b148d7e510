"""JSON Schema validation of values against schemas that live inside an OpenAPI document."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

_BASE = "urn:replicate-codegen:spec"


class DocumentSchemas:
    """Validators for schemas addressed by JSON pointer, with the document's `$ref`s resolvable."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._registry: Registry[Any] = Registry().with_resource(_BASE, DRAFT202012.create_resource(document))
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, pointer: str) -> Draft202012Validator:
        if pointer not in self._validators:
            self._validators[pointer] = Draft202012Validator({"$ref": f"{_BASE}#{pointer}"}, registry=self._registry)
        return self._validators[pointer]
