"""What changed between two catalogues, said for the generated client's users, breaking changes first.

A change is *breaking* when an existing call of the generated client, or code using its result, can
now fail or mean something else; *additive* when it only adds what a call may use; *docs* when only
words changed. The rules, next to oasdiff's, are the table in README.md ("What `diff` calls breaking").
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.paths import display_path, visible_files
from generator.spec import specfile
from generator.spec.specfile import resolve_ref
from generator.spec.subschemas import NOTHING, schema_object, untitled
from generator.spec.vocabulary import (
    ANY_OUTPUT,
    INFERRED,
    X_MODELS,
    X_SOURCE,
    create_operation,
    model_id,
    pinned_version,
)

BREAKING, ADDITIVE, DOCS = "breaking", "additive", "docs"


@dataclass(frozen=True)
class ModelView:
    """What a client user sees of one model."""

    path: str
    version: str | None
    description: str
    inputs: dict[str, dict[str, Any]]  # wire name -> schema, references resolved
    required: frozenset[str]
    output: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        # not `asdict`: it deep-copies every schema, which at a thousand models is most of a second
        return {
            "path": self.path,
            "version": self.version,
            "description": self.description,
            "inputs": self.inputs,
            "required": sorted(self.required),
            "output": self.output,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ModelView:
        """The view `as_json` gave; KeyError or TypeError when `value` is not one."""
        return cls(
            path=str(value["path"]),
            version=None if value["version"] is None else str(value["version"]),
            description=str(value["description"]),
            inputs=dict(value["inputs"]),
            required=frozenset(value["required"]),
            output=dict(value["output"]),
        )


@dataclass(frozen=True)
class Change:
    model: str
    field: str | None
    kind: str
    level: str  # BREAKING, ADDITIVE or DOCS
    message: str

    @property
    def breaking(self) -> bool:
        return self.level == BREAKING

    def as_json(self) -> dict[str, Any]:
        shown = {k: v for k, v in asdict(self).items() if k != "level"}
        return {**shown, "breaking": self.breaking}


def load(path: Path) -> dict[str, ModelView]:
    """A folder of model specs, or a bundle: model id -> what its client users see."""
    if path.is_dir():
        views = {}
        for file in visible_files(path, "*.yaml"):
            document = specfile.load(file, display_path(file)).document
            mid = model_id(document) if isinstance(document, dict) else None
            if mid is not None:
                views[mid] = view_of_spec(document, display_path(file))
        return views
    if not path.is_file():
        raise InputError(display_path(path), "no such file or folder: expected a folder of model specs or a bundle")
    indexed = views_of_bundle(specfile.load(path, display_path(path), what="bundle").document)
    if indexed is None:
        raise InputError(display_path(path), f"not a bundle made by replicate-codegen: no info.{X_MODELS}")
    return indexed


def views_of_bundle(document: Any) -> dict[str, ModelView] | None:
    """The models of a bundle, or None when it does not index them (`info.x-models`)."""
    models = ((document.get("info") or {}).get(X_MODELS)) if isinstance(document, dict) else None
    if not isinstance(models, dict):
        return None
    return {mid: _view_of_bundle(document, entry) for mid, entry in models.items()}


def view_of_spec(document: dict[str, Any], display: str) -> ModelView:
    found = create_operation(document)
    if found is None:
        raise InputError(display, f"no create operation for {model_id(document)}")
    path, operation = found
    schemas = (document.get("components") or {}).get("schemas") or {}
    output = schemas.get("Output", ANY_OUTPUT)  # as the bundle has it: no change when nothing changed
    return _view(document, path, pinned_version(document), operation, schemas.get("Input"), output)


def _view_of_bundle(document: dict[str, Any], entry: dict[str, Any]) -> ModelView:
    pinned = entry.get("version") is not None  # no operation of its own: the index holds its words
    operation = {"description": entry.get("description")} if pinned else _operation(document, entry["path"])
    input_schema, output_schema = ({"$ref": entry[key]} for key in ("input", "output"))
    return _view(document, entry["path"], entry.get("version"), operation, input_schema, output_schema)


def _operation(document: dict[str, Any], path: str) -> dict[str, Any]:
    return ((document.get("paths") or {}).get(path) or {}).get("post") or {}


def _view(
    document: dict[str, Any], path: str, version: str | None, operation: dict[str, Any], inputs: Any, output: Any
) -> ModelView:
    input_schema = _resolved(document, inputs or {})
    properties = input_schema.get("properties") or {}
    # Titles are labels, which the bundle gives its own schemas: not something a user of the client sees.
    return ModelView(
        path=path,
        version=version,
        description=str(operation.get("description") or ""),
        inputs={name: untitled(_resolved(document, schema)) for name, schema in properties.items()},
        required=frozenset(input_schema.get("required") or ()),
        output=untitled(_resolved(document, output or {})),
    )


def _resolved(document: dict[str, Any], schema: Any, seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    """`schema` with every local `$ref` replaced by what it points to (a recursive one is marked)."""
    schema = schema_object(schema)
    if not isinstance(schema, dict):
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref not in seen:
        try:
            target = resolve_ref(document, ref)
        except LookupError:
            return schema
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        return _resolved(document, {**target, **siblings}, seen | {ref})
    resolved = {k: _deep(document, v, seen) for k, v in schema.items()}
    # A recursive reference names its schema as the spec does (`Node`) or the bundle (`OddNode`):
    # neither is a change a user sees.
    return resolved | {"$ref": _RECURSIVE} if isinstance(ref, str) else resolved


_RECURSIVE = "(recursive)"


def _deep(document: dict[str, Any], value: Any, seen: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return _resolved(document, value, seen)
    if isinstance(value, list):
        return [_deep(document, v, seen) for v in value]
    return value


def compare(old: dict[str, ModelView], new: dict[str, ModelView]) -> list[Change]:
    """Every change from `old` to `new`: breaking first, then by model, input and kind."""
    changes: list[Change] = []
    for mid in sorted(old.keys() - new.keys()):
        changes.append(
            Change(mid, None, "model-removed", BREAKING, f"model {mid} was removed: its client attribute is gone")
        )
    for mid in sorted(new.keys() - old.keys()):
        changes.append(Change(mid, None, "model-added", ADDITIVE, f"model {mid} was added"))
    for mid in sorted(old.keys() & new.keys()):
        changes += _model_changes(mid, old[mid], new[mid])
    order = {BREAKING: 0, ADDITIVE: 1, DOCS: 2}
    return sorted(changes, key=lambda c: (order[c.level], c.model, c.field or "", c.kind))


def _model_changes(mid: str, old: ModelView, new: ModelView) -> list[Change]:
    changes = []
    if old.path != new.path:
        changes.append(Change(mid, None, "path-changed", BREAKING, f"now created at {new.path} (was {old.path})"))
    if old.version != new.version:
        changes.append(
            Change(mid, None, "version-changed", ADDITIVE, f"pinned version now {new.version} (was {old.version})")
        )
    if old.description != new.description:
        changes.append(Change(mid, None, "description-changed", DOCS, "the model's description changed"))
    before = {"properties": old.inputs, "required": old.required}
    after = {"properties": new.inputs, "required": new.required}
    changes += [Change(mid, *found) for found in _properties("", before, after)]
    if _meaning(old.output) != _meaning(new.output):
        changes.append(
            Change(
                mid,
                None,
                "output-changed",
                BREAKING,
                f"output type changed: {_type_text(old.output)} -> {_type_text(new.output)}",
            )
        )
    elif old.output != new.output:
        changes.append(Change(mid, None, "output-description-changed", DOCS, "the output's description changed"))
    return changes


Found = tuple[str, str, str, str]  # (where in the inputs: `options.size`, kind, level, message)


def _properties(path: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Found]:
    """The changes of an object's properties: the model's inputs (at `path` ""), or a nested object's."""
    before, after = old.get("properties") or {}, new.get("properties") or {}
    old_required, new_required = set(old.get("required") or ()), set(new.get("required") or ())
    what = "input" if not path else "property"
    removed, added = before.keys() - after.keys(), after.keys() - before.keys()
    for name in sorted(removed):
        twins = sorted(a for a in added if _meaning(after[a]) == _meaning(before[name]))
        hint = f"; maybe renamed to {twins[0]}" if twins else ""
        where = _join(path, name)
        yield where, "input-removed", BREAKING, f"{what} {where} was removed: calls passing it fail{hint}"
    for name in sorted(added):
        where = _join(path, name)
        if name in new_required:
            yield where, "input-added", BREAKING, f"required {what} {where} was added: calls without it fail"
        else:
            yield where, "input-added", ADDITIVE, f"optional {what} {where} was added"
    for name in sorted(before.keys() & after.keys()):
        where = _join(path, name)
        if name in new_required and name not in old_required:
            yield where, "made-required", BREAKING, f"{what} {where} is now required"
        if name in old_required and name not in new_required:
            yield where, "made-optional", ADDITIVE, f"{what} {where} is now optional"
        yield from _schema_changes(where, _object(before[name]), _object(after[name]))


def _schema_changes(path: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Found]:
    """Each way one input's schema changed, its nested schemas (properties, items, alternatives) too."""
    what = f"input {path}"
    found: list[tuple[str, str, str]] = []
    old_types, new_types = _types(old), _types(new)
    if old_types != new_types:
        level = ADDITIVE if _widens(old_types, new_types) else BREAKING
        found.append(("type-changed", level, f"{what}: type {_type_text(old)} -> {_type_text(new)}"))
    if "null" in old_types and "null" not in new_types and old_types - {"null"} == new_types:
        found[-1] = ("nullability-changed", BREAKING, f"{what} no longer accepts null")
    if "null" not in old_types and "null" in new_types and new_types - {"null"} == old_types:
        found[-1] = ("nullability-changed", ADDITIVE, f"{what} now accepts null")
    if old.get("format") != new.get("format"):
        level = ADDITIVE if new.get("format") is None else BREAKING
        found.append(("format-changed", level, f"{what}: format {old.get('format')} -> {new.get('format')}"))
    found += _enum_changes(what, _allowed(old), _allowed(new))
    if old.get("default") != new.get("default"):
        shown = [json.dumps(old.get("default"), ensure_ascii=False), json.dumps(new.get("default"), ensure_ascii=False)]
        found.append(("default-changed", ADDITIVE, f"{what}: default {shown[0]} -> {shown[1]} when not given"))
    for key, inward in _BOUNDS:
        before, after = old.get(key), new.get(key)
        if before != after:
            numbers = all(isinstance(v, int | float) for v in (before, after))
            narrowed = after is not None and (before is None or not numbers or (after - before) * inward > 0)
            found.append((f"{key}-changed", BREAKING if narrowed else ADDITIVE, f"{what}: {key} {before} -> {after}"))
    for key in ("pattern", "multipleOf"):
        if old.get(key) != new.get(key):
            level = ADDITIVE if new.get(key) is None else BREAKING
            found.append((f"{key}-changed", level, f"{what}: {key} {old.get(key)} -> {new.get(key)}"))
    if _closed(old) != _closed(new):
        level, said = (BREAKING, "no longer takes") if _closed(new) else (ADDITIVE, "now takes")
        found.append(("additional-properties-changed", level, f"{what} {said} properties it does not list"))
    if old.get("description") != new.get("description"):
        found.append(("description-changed", DOCS, f"{what}: description changed"))
    yield from ((path, *change) for change in found)
    if "properties" in old or "properties" in new:
        yield from _properties(path, old, new)
    for key, step in (("items", "[]"), ("additionalProperties", ".*")):
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            yield from _schema_changes(path + step, old[key], new[key])
        elif key == "items" and _meaning(old.get(key)) != _meaning(new.get(key)):
            narrowed = new.get(key) is not None and new.get(key) != {}
            yield path, "items-changed", BREAKING if narrowed else ADDITIVE, f"{what}: the items' schema changed"
    if old_types == new_types:  # a change of what the alternatives accept shows in their types first
        yield from _alternatives(path, old, new)


def _alternatives(path: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Found]:
    """`anyOf`/`oneOf`/`allOf` branches: as many as before, each compared with its own; else the
    branches gone (fewer values fit; for `allOf`, more) and added."""
    what = f"input {path}"
    for key in ("anyOf", "oneOf", "allOf"):
        before = [_meaning(b) for b in old.get(key) or ()]
        after = [_meaning(b) for b in new.get(key) or ()]
        if len(before) == len(after):
            for old_branch, new_branch in zip(old.get(key) or (), new.get(key) or (), strict=True):
                yield from _schema_changes(path, _object(old_branch), _object(new_branch))
            continue
        gone, came = [b for b in before if b not in after], [b for b in after if b not in before]
        narrowing = {"allOf": bool(came)}.get(key, bool(gone))
        if gone or came:
            level = BREAKING if narrowing else ADDITIVE
            counts = ((gone, "removed"), (came, "added"))
            told = ", ".join(f"{len(branches)} {said}" for branches, said in counts if branches)
            yield path, f"{key}-changed", level, f"{what}: its {key} alternatives changed ({told})"


_BOUNDS = (
    ("minimum", 1), ("exclusiveMinimum", 1), ("minLength", 1), ("minItems", 1), ("minProperties", 1),
    ("maximum", -1), ("exclusiveMaximum", -1), ("maxLength", -1), ("maxItems", -1), ("maxProperties", -1),
)  # fmt: skip  # a bound moved inward (+1: up, -1: down) refuses values it took


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _object(schema: Any) -> dict[str, Any]:
    return schema_object(schema) if isinstance(schema, bool) else schema if isinstance(schema, dict) else {}


def _allowed(schema: dict[str, Any]) -> list[Any] | None:
    """The values `enum` or `const` allow, or None when neither is there."""
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    return [schema["const"]] if "const" in schema else None


def _closed(schema: dict[str, Any]) -> bool:
    return _object(schema.get("additionalProperties", True)) == NOTHING


def _enum_changes(what: str, old: Any, new: Any) -> list[tuple[str, str, str]]:
    if old == new:
        return []
    if new is None:
        return [("enum-changed", ADDITIVE, f"{what}: any value is now allowed (was one of {len(old)})")]
    if old is None:
        return [("enum-changed", BREAKING, f"{what}: now only one of {_values(new)}")]
    gone = [v for v in old if v not in new]
    came = [v for v in new if v not in old]
    found = []
    if gone:
        found.append(("enum-values-removed", BREAKING, f"{what}: no longer accepts {_values(gone)}"))
    if came:
        found.append(("enum-values-added", ADDITIVE, f"{what}: now also accepts {_values(came)}"))
    return found


def _meaning(schema: Any) -> Any:
    """A schema without its words: what it accepts, to tell a rename or a docs-only change."""
    if isinstance(schema, dict):
        return {k: _meaning(v) for k, v in schema.items() if k not in ("description", INFERRED, X_SOURCE)}
    if isinstance(schema, list):
        return [_meaning(v) for v in schema]
    return schema


def _types(schema: dict[str, Any]) -> frozenset[str]:
    kind = schema.get("type")
    kinds = set(kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else [])
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key) or ():
            if isinstance(branch, dict):
                kinds |= _types(branch)
    return frozenset(kinds)


def _widens(old: frozenset[str], new: frozenset[str]) -> bool:
    """Every value `old` accepted, `new` accepts (an integer is a number; no type accepts anything)."""
    if not new:
        return True
    covered = set(new) | ({"integer"} if "number" in new else set())
    return bool(old) and old <= covered


def _type_text(schema: dict[str, Any]) -> str:
    kinds = sorted(_types(schema))
    text = " | ".join(kinds) if kinds else "any"
    return f"{text} ({schema['format']})" if schema.get("format") else text


def _values(values: list[Any]) -> str:
    return ", ".join(json.dumps(v, ensure_ascii=False) for v in values)


def summary(changes: Sequence[Change]) -> str:
    breaking = sum(c.breaking for c in changes)
    return f"{len(changes)} change(s), {breaking} breaking" if changes else "no changes"


def level(changes: Sequence[Change]) -> str | None:
    """The largest kind of change: what the version bump follows."""
    levels = {c.level for c in changes}
    return next((lv for lv in (BREAKING, ADDITIVE, DOCS) if lv in levels), None)
