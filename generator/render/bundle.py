"""`generated/openapi.yaml`: every model and the shared operations in one valid OpenAPI 3.1 document,
for Swagger UI, Postman and other tools that take one file.

Each model's own schemas are renamed after its class (`Imagen4UltraInput`, `Imagen4UltraRequest`, and
any other a hand-written spec defines, `Imagen4UltraStyle`); a model without an `Output` gets an open
one ("any"), and its `Prediction` is the shared one with that output. The schemas every model shares
(`Problem`, `PredictionUrls` ...) appear once.
A model pinned to a version shares `POST /v1/predictions`, so it appears in that operation's
`x-versions` instead of as a path of its own.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from generator.catalog import Catalog, Entry, Model
from generator.errors import InputError
from generator.render.python import header
from generator.spec import api_operations, canonical, shared_operations, specfile, subschemas
from generator.spec.vocabulary import ANY_OUTPUT, X_MODELS

_PER_MODEL = ("Input", "Output", "PredictionRequest", "Prediction")
_REF = "#/components/schemas/"


# Where each model's fragment texts are in the bundle: entry key -> fragment key -> [start, end], in
# characters of the bundle's text. What the next run starts from keeps these places rather than the
# texts (`generator.build.snapshot`): the bundle on disk holds them already.
Places = dict[str, dict[str, list[int]]]


def render_bundle(catalog: Catalog, entries: list[Entry], specs_label: str, version: str) -> tuple[str, Places]:
    """The bundle, joined from each model's `fragment` (its entry's), and where each fragment's texts are in it."""
    schemas = {**shared_operations.components(), **api_operations.components()}
    _check_unique_schemas(entries, set(schemas))
    paths: dict[str, tuple[str, str | None]] = {  # -> its text, and the key of the model whose it is
        e.fragment["path"]: (e.fragment["path_text"], e.key) for e in entries if e.fragment["path"]
    }
    for shared_path, item in {**_shared_paths(catalog), **api_operations.paths()}.items():
        paths[shared_path] = (_under(("paths",), {shared_path: item}), None)
    info = {  # a title generators can make a package name of (one starting with a digit they cannot)
        "title": "Replicate-style models",
        "version": version,
        "description": f"{len(entries)} models of the specs, and Replicate's shared prediction operations.",
    }
    tags = [{"name": "predictions", "description": "Operations on predictions of any model."}, api_operations.TAG]
    joined = _Joined()
    joined.add(header(f"the specs in {specs_label}") + "\n")
    joined.add(specfile.dump({"openapi": "3.1.0", "info": info}))
    joined.add(f"  {X_MODELS}:\n" if entries else f"  {X_MODELS}: {{}}\n")
    for entry in entries:
        joined.add(entry.fragment["index"], entry.key, "index")
    joined.add(specfile.dump({"servers": canonical.servers(), "security": [{"bearerAuth": []}]}))
    joined.add(specfile.dump({"tags": tags}))
    for entry in entries:
        joined.add(entry.fragment["tag"], entry.key, "tag")
    joined.add("paths:\n")
    for path in sorted(paths):
        text, key = paths[path]
        joined.add(text, key, "path_text")
    joined.add("components:\n" + _under(("components",), {"schemas": schemas}))
    for entry in entries:
        joined.add(entry.fragment["schemas"], entry.key, "schemas")
    joined.add(_under(("components",), {"securitySchemes": canonical.security_schemes()}))
    return "".join(joined.parts), joined.places


class _Joined:
    """Texts to join once (tens of MB at thousands of models), and where each model's are."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.places: Places = {}
        self._length = 0

    def add(self, text: str, key: str | None = None, name: str = "") -> None:
        if key is not None:
            self.places.setdefault(key, {})[name] = [self._length, self._length + len(text)]
        self.parts.append(text)
        self._length += len(text)


# One model's part of the bundle, as YAML text at the place it takes there: `index` (its
# `info.x-models` entry), `tag`, `path` and `path_text` (its create operation; none when pinned)
# and `schemas`. Dumped at the same depth as in the whole document, the text is exactly what
# dumping the whole document would give, so fragments kept from an earlier run join into the same
# bytes as a cold build, and a change to one model dumps only that model again.
Fragment = dict[str, str]


def fragment(model: Model) -> Fragment:
    common = _common()
    own = dict(model.document["components"]["schemas"])
    own.setdefault("Output", ANY_OUTPUT)
    names = {
        name: f"{model.class_name}{'Request' if name == 'PredictionRequest' else name}"
        for name in [*_PER_MODEL, *own]
        if name not in common
    }
    schemas = {names[name]: _titled(_renamed(own[name], names), names[name]) for name in own if name in names}
    schemas[names["Prediction"]] = {
        "title": names["Prediction"],
        "allOf": [{"$ref": f"{_REF}Prediction"}],
        "properties": {"output": {"anyOf": [{"$ref": f"{_REF}{names['Output']}"}, {"type": "null"}]}},
    }
    # A pinned model has no operation of its own here: its version and description are in the index.
    pinned = {"version": model.version, "description": model.description} if model.version else {}
    entry = {"path": model.path, **pinned, "input": f"{_REF}{names['Input']}", "output": f"{_REF}{names['Output']}"}
    create = None if model.version else _completed(model.document["paths"][model.path]["post"])
    operation = None if create is None else {"post": _renamed(create, names)}
    return {
        "index": _under(("info", X_MODELS), {model.id: entry}),
        "tag": _under(("tags",), [{"name": model.id, "description": _tag_description(model)}]),
        "path": "" if operation is None else model.path,
        "path_text": "" if operation is None else _under(("paths",), {model.path: operation}),
        "schemas": _under(("components", "schemas"), schemas),
        "schema_names": "\n".join(schemas),
    }


@functools.cache
def _common() -> frozenset[str]:
    """The schemas every model shares, which keep their names in the bundle."""
    return frozenset({**shared_operations.components(), **api_operations.components()}) - set(_PER_MODEL)


def _under(keys: tuple[str, ...], value: Any) -> str:
    """`value` dumped as it reads under `keys` in the whole document, without the keys' own lines."""
    for key in reversed(keys):
        value = {key: value}
    return specfile.dump(value).split("\n", len(keys))[len(keys)]


def _shared_paths(catalog: Catalog) -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    for shared in catalog.operations().values():
        paths.setdefault(shared.path, {})[shared.method] = {**shared.operation, "tags": ["predictions"]}
    return paths


def _check_unique_schemas(entries: list[Entry], taken: set[str]) -> None:
    """Two models whose schemas would take one name in the bundle (`Foo` with `BarInput` beside
    `FooBar`'s `Input`) cannot both be there: told, naming both specs, rather than one lost."""
    owner: dict[str, Entry] = {}
    for model in entries:
        for name in model.fragment["schema_names"].split("\n"):
            if name in taken or name in owner:
                other = f" and {owner[name].spec_path}" if name in owner else ""
                raise InputError(model.spec_path, f"its schema {name!r} takes a name the bundle already gives{other}")
            owner[name] = model


def _completed(operation: dict[str, Any]) -> dict[str, Any]:
    """The operation with Replicate's responses wherever its spec leaves one out or gives it no body
    (a hand-written spec may say only `201: {description: created}`)."""
    responses = dict(operation.get("responses") or {})
    for status, canonical_response in canonical.create_responses().items():
        if "content" not in (responses.get(status) or {}):
            responses[status] = canonical_response
    return {**operation, "responses": dict(sorted(responses.items()))}


def _tag_description(model: Model) -> str:
    return model.url or model.id


def _titled(schema: Any, name: str) -> Any:
    """`schema` titled with its bundle name, and no schema inside it titled: generators name classes
    after titles, and every model's `Input` (or Cog's `Seed`) would take one name."""
    if not isinstance(schema, dict):
        return schema
    return {"title": name, **subschemas.untitled(schema)}


def _renamed(node: Any, names: dict[str, str]) -> Any:
    """A copy of `node` whose references to the model's own schemas use their bundle names."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF) and ref[len(_REF) :] in names:
            return {**{k: _renamed(v, names) for k, v in node.items()}, "$ref": _REF + names[ref[len(_REF) :]]}
        return {k: _renamed(v, names) for k, v in node.items()}
    if isinstance(node, list):
        return [_renamed(item, names) for item in node]
    return copy.deepcopy(node)
