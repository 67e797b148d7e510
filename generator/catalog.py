"""The validated catalog: what the renderers need to know about every model, names already made safe.

Built only from specs that passed validation, so lookups here do not re-check the document.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit

from generator import cache
from generator.cache import Parsed
from generator.errors import InputError, InputErrors, ValidationFailed
from generator.paths import display_path, visible_files
from generator.spec import naming, reading, shared_operations, specfile
from generator.spec.specfile import SpecFile, pointer_token, resolve_ref
from generator.spec.subschemas import schema_object
from generator.spec.vocabulary import SHARED_KINDS, X_MODEL, create_operation, inferred, model_id, pinned_version
from generator.validate import Identity, identity, validate


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
        return inferred(self.schema)

    @property
    def accepts_null(self) -> bool:
        """Whether the schema takes `null`: as a type, an enum value, an alternative, or left open."""
        return _accepts_null(self.schema)


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
    sha256: str = ""  # of the spec's bytes; "" for a spec not read from a file

    @property
    def id(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def key(self) -> str:
        """See `model_key`; a spec not read from a file is known by its document."""
        content = (
            self.sha256
            or hashlib.sha256(
                json.dumps(self.document, ensure_ascii=False, default=_not_json).encode("utf-8", "surrogatepass")
            ).hexdigest()
        )
        return model_key(self.owner, self.name, self.spec_path, self.accessor, self.class_name, content)

    @property
    def input_class(self) -> str:
        return f"{self.class_name}Input"

    @property
    def input_schema(self) -> dict[str, Any]:
        return dict(schema_object(self.document["components"]["schemas"]["Input"]))

    @property
    def output_schema(self) -> dict[str, Any]:
        """The Output schema; one that is only a `$ref` (Cog's `ModelOutput`) is the schema it names."""
        schema = schema_object(self.document["components"]["schemas"].get("Output", True))
        if isinstance(schema.get("$ref"), str) and len(schema) <= 2:  # beside a `title` at most
            with contextlib.suppress(LookupError):
                schema = schema_object(resolve_ref(self.document, schema["$ref"]))
        return dict(schema)

    @property
    def streams(self) -> bool:
        """Whether the output is Cog's iterator of text (not of files), which the model streams as it
        makes it."""
        output = self.output_schema
        items = schema_object(output.get("items", True))
        text = items.get("type") == "string" and items.get("format") not in ("uri", "iri")
        return output.get("x-cog-array-type") == "iterator" and text

    @property
    def output_class(self) -> str:
        """The `TypedDict` of an object output, in the model's resource module."""
        return f"{self.class_name}Output"

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


class EntryInput(NamedTuple):  # a tuple: thousands of entries are read back on every rebuild
    name: str
    identifier: str
    required: bool
    summary: str  # the first sentence of its description


@dataclass(frozen=True)
class Entry:
    """A model as the files common to every model see it (the client's attribute table, the package
    README, the reference index and search, the bundle, the changelog): a few facts, decided once
    from the full `Model` when its own files are rendered (`generator.render.models`), and kept
    with them. Plain JSON, and small: a rebuild after one spec changed reads the entries of the
    others from one file (`generator.build.snapshot`) instead of their documents."""

    key: str  # everything the model's entry and own files are made from (`render.models.model_key`)
    owner: str
    name: str
    spec_path: str
    accessor: str
    class_name: str
    version: str | None
    description: str
    summary: str  # the description's first sentence that says something; may be ""
    source_file: str
    returns: str  # the annotation of what `run()` returns
    single_output: bool  # its output schema is one string (a URL), not a list
    inputs: tuple[EntryInput, ...]
    example: dict[str, Any]  # an input that shows every field with a value to show
    required_example: dict[str, Any]  # the required fields only
    fragment: dict[str, str]  # its part of the bundle (`render.bundle.fragment`)
    files: dict[str, str]  # its own files: path under the output root -> SHA-256 of their bytes
    # its lines in the files common to every model, by `<template>:<macro>` (`generator.render.pieces`)
    pieces: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def input_class(self) -> str:
        return f"{self.class_name}Input"

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "inputs": [list(i) for i in self.inputs]}

    @classmethod
    def from_json(cls, value: Any) -> Entry:
        """The entry `as_json` gave; KeyError, TypeError or ValueError when `value` is not one."""
        inputs = tuple(map(EntryInput._make, value["inputs"]))
        if not all(type(n) is str and type(i) is str and type(r) is bool and type(s) is str for n, i, r, s in inputs):
            raise TypeError("not an entry")
        entry = cls(**{**value, "inputs": inputs})
        texts = [entry.key, entry.owner, entry.name, entry.spec_path, entry.accessor, entry.class_name]
        texts += [entry.description, entry.summary, entry.source_file, entry.returns]
        if not all(isinstance(t, str) for t in texts) or not isinstance(entry.version, str | None):
            raise TypeError("not an entry")
        if not isinstance(entry.single_output, bool):
            raise TypeError("not an entry")
        if not all(isinstance(d, dict) for d in (entry.example, entry.required_example, entry.fragment, entry.files)):
            raise TypeError("not an entry")
        if not (isinstance(entry.pieces, dict) and all(isinstance(t, str) for t in entry.pieces.values())):
            raise TypeError("not an entry")
        return entry


@dataclass(frozen=True)
class SharedOperation:
    path: str
    method: str
    operation: dict[str, Any]


@dataclass(frozen=True)
class Catalog:
    models: tuple[Model, ...]  # the models read in full, sorted by model id
    shared: tuple[SpecFile, ...] = ()  # specs of the shared operations (get, cancel, list, create by version)
    known: tuple[Entry, ...] = ()  # the models not read: their specs are as the last generate left them
    identities: Mapping[str, Identity] = field(default_factory=dict)  # each model spec's, by its SHA-256

    @property
    def versions(self) -> dict[str, str]:
        """Version -> model, from create-by-version pages (`x-versions`) and models pinned to a version."""
        found: dict[str, str] = {}
        for spec in self.shared:
            create = (spec.document.get("paths") or {}).get("/v1/predictions", {}).get("post", {})
            found.update(create.get("x-versions") or {})
        found.update({version: mid for mid, version in self.pinned()})
        return dict(sorted(found.items(), key=lambda item: (item[1], item[0])))

    def pinned(self) -> list[tuple[str, str]]:
        """(model id, version) of each model pinned to a version, by model id."""
        pinned = [(m.id, m.version) for m in self.models if m.version]
        return sorted(pinned + [(e.id, e.version) for e in self.known if e.version])

    def operations(self) -> dict[str, SharedOperation]:
        """Replicate's shared operations by kind (create by version, list, get, cancel), each a fresh
        copy, the create knowing every version the catalogue does."""
        versions = self.versions
        return {kind: SharedOperation(*shared_operations.operation(kind, versions)) for kind in SHARED_KINDS}


class LastRun(Protocol):
    """What the last generate into the output left (`generator.build.snapshot.Snapshot`)."""

    def identity(self, sha256: str) -> Identity | None:
        """A model spec of these bytes, as the last run read it; None for any other."""

    def entry(self, key: str) -> Entry | None:
        """The entry of a model made from exactly this (`model_key`), its files on disk as the run left them."""

    def sha256(self, name: str) -> str | None:
        """The SHA-256 of a spec file (named as `cache.inputs` names it) whose size and mtime are
        still what the last run recorded; None for any other."""


@dataclass(frozen=True)
class UnchangedSpec:
    """A model spec not read: its bytes are those of one the last run found valid (`LastRun`)."""

    path: Path
    display: str
    sha256: str
    identity: Identity

    def line_of(self, pointer: str) -> int | None:
        """Found in the file only when a problem is placed there (the document itself is not needed)."""
        return SpecFile(self.path, self.display, {}, None, self.sha256).line_of(pointer)


def load_catalog(
    specs_dir: Path, files: list[Path] | None = None, shared_dir: Path | None = None, last_run: LastRun | None = None
) -> Catalog:
    """Model specs (`files`, or all of `specs_dir`) and the shared operations' specs, validated together.
    A missing or empty `specs_dir` is an error, not an empty catalogue: a mistyped folder must not pass.
    `last_run`: a model spec the last run read, of the same bytes, is not read again (nor opened, when
    the stamp vouches for its size and mtime); its model is given by its entry (`Catalog.known`)
    when its names and place are the same too."""
    if not files and not specs_dir.is_dir():
        raise InputError(display_path(specs_dir), "no such folder; expected a folder of model specs (--specs)")
    found = list(files) if files else list(visible_files(specs_dir, "*.yaml"))
    if not found:
        raise InputError(display_path(specs_dir), "holds no model spec (*.yaml): nothing to validate or generate")
    names: list[str | None] = [None] * len(found) if files else [*cache.input_names(specs_dir, found)]
    if shared_dir is not None and shared_dir.is_dir():
        shared = list(visible_files(shared_dir, "*.yaml"))
        found += shared
        names += cache.input_names(shared_dir, shared)
    specs: list[SpecFile] = []
    unread: list[UnchangedSpec] = []
    errors, parsed = [], Parsed()
    for path, name in zip(found, names, strict=True):  # every unreadable spec is told at once, not one per run
        display = display_path(path)
        # a spec the stamp vouches for, of bytes the last run read, is not even read
        unchanged = last_run.sha256(name) if last_run is not None and name is not None else None
        last = last_run.identity(unchanged) if last_run is not None and unchanged is not None else None
        if unchanged is not None and last is not None:
            unread.append(UnchangedSpec(path, display, unchanged, last))
            continue
        try:
            data = reading.read_bytes(path, display, "spec")
            sha256 = hashlib.sha256(data).hexdigest()
            last = last_run.identity(sha256) if last_run is not None else None
            if last is not None:
                unread.append(UnchangedSpec(path, display, sha256, last))
            else:
                specs.append(specfile.load(path, display, parsed=parsed, data=data))
        except InputError as exc:
            errors.append(exc)
    if errors:  # told with the problems of the specs that could be read: every one in one run
        raise InputErrors(errors, validate(specs, [(spec, spec.identity) for spec in unread]))
    return from_specs(specs, unread, last_run)


def from_specs(specs: list[SpecFile], unread: Sequence[UnchangedSpec] = (), last_run: LastRun | None = None) -> Catalog:
    """Validate, then describe. Raises ValidationFailed with every problem of every spec."""
    problems = validate(specs, [(spec, spec.identity) for spec in unread])
    if problems:
        raise ValidationFailed(problems)
    ids: dict[tuple[str, str], SpecFile | UnchangedSpec] = {
        (spec.document["info"][X_MODEL]["owner"], spec.document["info"][X_MODEL]["name"]): spec
        for spec in specs
        if model_id(spec.document)
    }
    ids |= {spec.identity.model: spec for spec in unread if spec.identity.model}
    names = naming.model_names(ids)
    models, entries = [], []
    for (owner, name), spec in sorted(ids.items()):
        accessor, class_name = names[(owner, name)].accessor, names[(owner, name)].class_name
        if isinstance(spec, UnchangedSpec):
            key = model_key(owner, name, spec.display, accessor, class_name, spec.sha256)
            entry = last_run.entry(key) if last_run is not None else None
            if entry is not None:
                entries.append(entry)
                continue
            spec = specfile.load(spec.path, spec.display, parsed=Parsed())  # named or placed anew: read after all
        models.append(_model(spec, owner, name, accessor, class_name))
    shared = tuple(spec for spec in specs if not model_id(spec.document))
    identities = {spec.sha256: identity(spec.document) for spec in specs if spec.sha256 and model_id(spec.document)}
    identities |= {spec.sha256: spec.identity for spec in unread}
    return Catalog(models=tuple(models), shared=shared, known=tuple(entries), identities=identities)


def _model(spec: SpecFile, owner: str, name: str, accessor: str, class_name: str) -> Model:
    found = create_operation(spec.document)
    if found is None:  # validate() reports this; kept for the type checker
        raise InputError(spec.display, f"no create operation for {model_id(spec.document)}")
    path, operation = found
    input_schema = schema_object(spec.document["components"]["schemas"]["Input"])
    properties = input_schema.get("properties") or {}
    required = set(input_schema.get("required") or ())
    identifiers = naming.field_identifiers(properties)
    return Model(
        owner=owner,
        name=name,
        spec_path=spec.display,
        document=spec.document,
        accessor=accessor,
        class_name=class_name,
        path=path,
        version=pinned_version(spec.document),
        operation_id=str(operation.get("operationId") or ""),
        summary=str(operation.get("summary") or ""),
        description=str(operation.get("description") or ""),
        fields=tuple(
            Field(wire, identifiers[wire], dict(schema), wire in required) for wire, schema in properties.items()
        ),
        sha256=spec.sha256,
    )


def _accepts_null(schema: Any) -> bool:
    schema = schema_object(schema)
    declared = schema.get("type")
    if declared == "null" or (isinstance(declared, list) and "null" in declared):
        return True
    if None in (schema.get("enum") or ()) or ("const" in schema and schema["const"] is None):
        return True
    if any(_accepts_null(branch) for key in ("anyOf", "oneOf") for branch in schema.get(key) or ()):
        return True
    return declared is None and not any(key in schema for key in ("enum", "const", "anyOf", "oneOf", "$ref", "not"))


def model_key(owner: str, name: str, spec_path: str, accessor: str, class_name: str, content: str) -> str:
    """Everything a model's entry and own files are made from: its spec (`content`: the SHA-256 of
    its bytes), its names and where its spec is (the headers name it)."""
    text = json.dumps([owner, name, spec_path, accessor, class_name, content], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _not_json(value: Any) -> str:
    """A value YAML gave and JSON has no word for (a date): keyed by its type and repr, so it never
    shares a key with a string that reads the same."""
    return f"\0{type(value).__name__}:{value!r}"
