"""JSON Schema validation of values against schemas that live inside an OpenAPI document.

On jsonschema-rs, which the OpenAPI check loads anyway (`generator.validate.openapi_check`), so
that a rebuild does not load jsonschema as well. Draft 2020-12, as OpenAPI 3.1
has it; `format` is an annotation there, asserted only where asked (the local server). A `$ref` is resolved within the
document only, as `generator.spec.specfile.resolve_ref` resolves it: nothing is fetched.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import jsonschema_rs

__all__ = ["DocumentSchemas", "SchemaUnusable"]

_BASE = "urn:replicate-codegen:spec"


class SchemaUnusable(ValueError):
    """A schema that cannot check a value: a keyword with a value of the wrong kind (an unknown
    type, a pattern that is no regular expression), or a `$ref` that leads nowhere."""


class DocumentSchemas:
    """Validators for schemas addressed by JSON pointer, with the document's `$ref`s resolvable.
    With `formats`, `format` is asserted (`uri`, `date-time`...), as a model checks its inputs."""

    def __init__(self, document: dict[str, Any], *, formats: bool = False) -> None:
        self._document = document
        self._formats = formats
        self._registry: jsonschema_rs.Registry | None = None
        self._validators: dict[str, jsonschema_rs.Draft202012Validator | SchemaUnusable] = {}

    def validator(self, pointer: str) -> jsonschema_rs.Draft202012Validator:
        """The validator of the schema at `pointer`; `SchemaUnusable` when there can be none."""
        if pointer not in self._validators:
            try:
                if self._registry is None:
                    self._registry = jsonschema_rs.Registry([(_BASE, _with_encoded_refs(self._document))])
                reference = f"{_BASE}#{_fragment(pointer)}"
                made: Any = jsonschema_rs.Draft202012Validator(
                    {"$ref": reference}, registry=self._registry, validate_formats=self._formats
                )
            except ValueError as exc:  # jsonschema-rs's ValidationError: the schema's, not a value's
                made = SchemaUnusable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            self._validators[pointer] = made
        found = self._validators[pointer]
        if isinstance(found, SchemaUnusable):  # without the last raise's traceback, which would grow
            raise found.with_traceback(None)
        return found


def _fragment(pointer: str) -> str:
    """A JSON pointer as a URI fragment: a character a URI does not allow (a space, a quote, `中`) is
    percent-encoded, and so is `%`, which a pointer holds as itself."""
    return quote(pointer, safe="/~")


def _with_encoded_refs(node: Any) -> Any:
    """`node` with each local `$ref` a URI jsonschema-rs takes and resolves to where `resolve_ref`
    does (`#/components/schemas/a b` -> `#/components/schemas/a%20b`). Only the containers on the
    way to a changed `$ref` are copied; most documents have none."""
    if isinstance(node, dict):
        changed = {key: new for key, value in node.items() if (new := _encoded(key, value)) is not value}
        return {**node, **changed} if changed else node
    if isinstance(node, list):
        items = [_with_encoded_refs(item) for item in node]
        return items if any(new is not old for new, old in zip(items, node, strict=True)) else node
    return node


def _encoded(key: str, value: Any) -> Any:
    if key == "$ref" and isinstance(value, str) and value.startswith("#"):
        encoded = f"#{_fragment(value[1:])}"
        return value if encoded == value else encoded
    return _with_encoded_refs(value)
