"""The validated catalog: what the renderers need to know about every model, names already made safe.

Built only from specs that passed validation, so lookups here do not re-check the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator import naming, shared_operations, specfile
from generator.cache import Parsed
from generator.errors import InputError, InputErrors, ValidationFailed
from generator.paths import display_path, visible_files
from generator.specfile import SpecFile, pointer_token
from generator.validate import validate
from generator.vocabulary import INFERRED, SHARED_KINDS, X_MODEL, create_operation, model_id, pinned_version


@dataclass(frozen=True)
class Field:
    name: str  # as sent on the wire
    identifier: str  # Python keyword argument and attribute
    schema: dict[str, Any]
    required: bool

    @property
    def description(self) -> str:
        return str(self.schema.get("description") or "")

    @property
    def has_default(self) -> bool:
        return "default" in self.schema

    @property
    def inferred(self) -> dict[str, str]:
        return dict(self.schema.get(INFERRED) or {})


@dataclass(frozen=True)
class Model:
    owner: str
    name: str
    spec_path: str  # as shown in headers: relative to the working directory
    document: dict[str, Any]
    accessor: str  # client attribute and module name
    class_name: str
    path: str
    version: str | None  # pinned: created through `POST /v1/predictions` with this `version`
    operation_id: str
    summary: str
    description: str
    fields: tuple[Field, ...]

    @property
    def id(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def input_class(self) -> str:
        return f"{self.class_name}Input"

    @property
    def input_schema(self) -> dict[str, Any]:
        return dict(self.document["components"]["schemas"]["Input"])

    @property
    def output_schema(self) -> dict[str, Any]:
        return dict(self.document["components"]["schemas"].get("Output") or {})

    @property
    def request_pointer(self) -> str:
        """Where the create operation's request body schema is: inline, or a `$ref` of any name."""
        return f"/paths/{pointer_token(self.path)}/post/requestBody/content/application~1json/schema"

    @property
    def request_example(self) -> dict[str, Any] | None:
        _, operation = create_operation(self.document) or ("", {})
        media = operation["requestBody"]["content"]["application/json"]
        example = media.get("example")
        return example if isinstance(example, dict) else None

    @property
    def url(self) -> str | None:
        """The model's own page (`x-model.url`), when it is an http(s) link: nothing else becomes a link."""
        url = self.document["info"][X_MODEL].get("url")
        return url if isinstance(url, str) and urlsplit(url).scheme in ("http", "https") else None

    @property
    def source(self) -> dict[str, Any]:
        return dict(self.document["info"].get("x-source") or {})


@dataclass(frozen=True)
class SharedOperation:
    path: str
    method: str
    operation: dict[str, Any]


@dataclass(frozen=True)
class Catalog:
    models: tuple[Model, ...]  # sorted by model id
    shared: tuple[SpecFile, ...] = ()  # specs of the shared operations (get, cancel, list, create by version)

    @property
    def versions(self) -> dict[str, str]:
        """Version -> model, from create-by-version pages (`x-versions`) and models pinned to a version."""
        found: dict[str, str] = {}
        for spec in self.shared:
            create = (spec.document.get("paths") or {}).get("/v1/predictions", {}).get("post", {})
            found.update(create.get("x-versions") or {})
        found.update({m.version: m.id for m in self.models if m.version})
        return dict(sorted(found.items(), key=lambda item: (item[1], item[0])))

    def operations(self) -> dict[str, SharedOperation]:
        """Replicate's shared operations by kind (create by version, list, get, cancel), each a fresh
        copy, the create knowing every version the catalogue does."""
        versions = self.versions
        return {kind: SharedOperation(*shared_operations.operation(kind, versions)) for kind in SHARED_KINDS}


def load_catalog(specs_dir: Path, files: list[Path] | None = None, shared_dir: Path | None = None) -> Catalog:
    """Model specs (`files`, or all of `specs_dir`) and the shared operations' specs, validated together.
    A missing or empty `specs_dir` is an error, not an empty catalogue: a mistyped folder must not pass."""
    if not files and not specs_dir.is_dir():
        raise InputError(display_path(specs_dir), "no such folder; expected a folder of model specs (--specs)")
    found = list(files) if files else list(visible_files(specs_dir, "*.yaml"))
    if not found:
        raise InputError(display_path(specs_dir), "holds no model spec (*.yaml): nothing to validate or generate")
    if shared_dir is not None and shared_dir.is_dir():
        found += visible_files(shared_dir, "*.yaml")
    specs, errors, parsed = [], [], Parsed()
    for path in found:  # every unreadable spec is told at once, not one per run
        try:
            specs.append(specfile.load(path, display_path(path), parsed=parsed))
        except InputError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
    return build(specs)


def build(specs: list[SpecFile]) -> Catalog:
    """Validate, then describe. Raises ValidationFailed with every problem of every spec."""
    problems = validate(specs)
    if problems:
        raise ValidationFailed(problems)
    ids = {
        (spec.document["info"][X_MODEL]["owner"], spec.document["info"][X_MODEL]["name"]): spec
        for spec in specs
        if model_id(spec.document)
    }
    names = naming.model_names(ids)
    models = []
    for (owner, name), spec in sorted(ids.items()):
        found = create_operation(spec.document)
        if found is None:  # validate() reports this; kept for the type checker
            raise InputError(spec.display, f"no create operation for {model_id(spec.document)}")
        path, operation = found
        input_schema = spec.document["components"]["schemas"]["Input"]
        properties = input_schema.get("properties") or {}
        required = set(input_schema.get("required") or ())
        identifiers = naming.field_identifiers(properties)
        models.append(
            Model(
                owner=owner,
                name=name,
                spec_path=spec.display,
                document=spec.document,
                accessor=names[(owner, name)].accessor,
                class_name=names[(owner, name)].class_name,
                path=path,
                version=pinned_version(spec.document),
                operation_id=str(operation.get("operationId") or ""),
                summary=str(operation.get("summary") or ""),
                description=str(operation.get("description") or ""),
                fields=tuple(
                    Field(wire, identifiers[wire], dict(schema), wire in required)
                    for wire, schema in properties.items()
                ),
            )
        )
    return Catalog(models=tuple(models), shared=tuple(spec for spec in specs if not model_id(spec.document)))
