"""The checks of one spec: OpenAPI 3.1 validity, then the rules our generator relies on.

- every `$ref` leads to something in the document, and not round in a loop of `$ref`s;
- `info.x-model` names the model, and its one create operation is `POST /v1/models/{owner}/{name}/predictions`
  (or `POST /v1/predictions` when `x-model.version` pins a version) with `components.schemas.Input` as the
  body's `input`; a spec of a shared operation says which in `info.x-shared` instead;
- every `default`, `example` and `examples` value satisfies the schema it illustrates: in a schema,
  a media type, a parameter or a header.

Imported only when a spec is checked: the validators and their schema files are slow to load.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.spec.specfile import pointer_token, resolve_ref, walk
from generator.spec.subschemas import children
from generator.spec.vocabulary import X_MODEL, create_operation, create_path, model_id, segment_problem
from generator.validate.openapi_check import openapi_findings
from generator.validate.schemas import DocumentSchemas, SchemaUnusable


def problems(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every problem of one spec, as (JSON pointer, message)."""
    broken = dict(_broken_refs(document))
    yield from broken.items()
    # The rest is checked on a copy where each broken ref is an open schema, so pointers stay the same.
    checked = _neutralised(document, {p.removesuffix("/$ref") for p in broken}) if broken else document
    yield from openapi_findings(checked)
    yield from _structure(checked)
    yield from _values_fit_schemas(checked)


def _neutralised(document: dict[str, Any], pointers: set[str]) -> Any:
    """`document` where each value at `pointers` is an open schema. Only the containers on the way
    to them are copied: the rest is shared with `document`."""
    root: Any = dict(document)
    copied, last = {id(root)}, None
    # by tokens, so a pointer under one already neutralised comes right after it, and is passed over
    for tokens in sorted(_tokens(pointer) for pointer in pointers):
        if last is not None and tokens[: len(last)] == last:
            continue
        if not tokens:
            return {}
        last, node = tokens, root
        for token in tokens[:-1]:
            key = int(token) if isinstance(node, list) else token
            if id(node[key]) not in copied:
                node[key] = list(node[key]) if isinstance(node[key], list) else dict(node[key])
                copied.add(id(node[key]))
            node = node[key]
        node[int(tokens[-1]) if isinstance(node, list) else tokens[-1]] = {}
    return root


def _tokens(pointer: str) -> list[str]:
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def _pointer(parts: Any) -> str:
    return "".join(f"/{pointer_token(part)}" for part in parts)


def _broken_refs(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Each `$ref` that points to nothing in the document, or through other `$ref`s back to itself."""
    for pointer, node in walk(document):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            continue
        chain = [node["$ref"]]
        while True:
            try:
                node = resolve_ref(document, chain[-1])
            except LookupError:
                yield f"{pointer}/$ref", f"reference {chain[-1]!r} points to nothing in this document"
                break
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                break
            if node["$ref"] in chain:
                loop = " -> ".join([*chain, node["$ref"]])
                yield f"{pointer}/$ref", f"references go round without reaching a schema: {loop}"
                break
            chain.append(node["$ref"])


def _structure(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    mid = model_id(document)
    if mid is None:
        if (document.get("info") or {}).get("x-shared") is None:
            yield "/info", "missing `x-model: {owner, name}`: the generator cannot name this model"
        return
    for key in ("owner", "name"):
        if problem := segment_problem(document["info"][X_MODEL][key]):
            yield f"/info/{X_MODEL}/{key}", f"model {key} {problem}"
    found = create_operation(document)
    if found is None:
        yield "/paths", f"no `POST {create_path(document)}` operation for the model x-model names"
    else:
        path, operation = found
        body = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
        if not isinstance(body.get("schema"), dict):
            yield (
                f"/paths/{pointer_token(path)}/post",
                "no JSON request body schema: expected requestBody.content.application/json.schema "
                "(an object whose `input` is `$ref: '#/components/schemas/Input'`)",
            )
    input_schema = ((document.get("components") or {}).get("schemas") or {}).get("Input")
    if not isinstance(input_schema, dict) or input_schema.get("type") != "object":
        yield "/components/schemas/Input", "missing or not an object schema: the model's inputs"


def _values_fit_schemas(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    # `default`, `example` and `examples` are annotations: checking a value against the schema that
    # holds them, by reference into the whole document, is not disturbed by them.
    schemas = DocumentSchemas(document)
    checks: list[tuple[str, Any, str]] = []
    for pointer, schema in _schemas(document):
        for key in ("default", "example"):
            if key in schema:
                checks.append((pointer, schema[key], f"{pointer}/{key}"))
        if isinstance(schema.get("examples"), list):
            checks += [(pointer, v, f"{pointer}/examples/{i}") for i, v in enumerate(schema["examples"])]
    for pointer, holder in _illustrated(document):
        if "example" in holder:
            checks.append((f"{pointer}/schema", holder["example"], f"{pointer}/example"))
        for name, named in (holder.get("examples") or {}).items() if isinstance(holder.get("examples"), dict) else ():
            if isinstance(named, dict) and "value" in named:
                where = f"{pointer}/examples/{pointer_token(name)}/value"
                checks.append((f"{pointer}/schema", named["value"], where))
    for schema_pointer, value, where in checks:
        try:
            errors = list(schemas.validator(schema_pointer).iter_errors(value))
        except SchemaUnusable as exc:
            yield where, f"cannot be checked: its schema is invalid ({exc})"
            continue
        for error in sorted(errors, key=lambda e: list(map(str, e.instance_path))):
            inner = _pointer(error.instance_path)
            yield where, f"value{' at ' + inner if inner else ''} does not fit its schema: {error.message}"


def _schemas(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object of the document, with its pointer."""
    roots: list[tuple[str, Any]] = [
        (f"/components/schemas/{pointer_token(k)}", v)
        for k, v in ((document.get("components") or {}).get("schemas") or {}).items()
    ]
    roots += [(f"{pointer}/schema", holder["schema"]) for pointer, holder in _illustrated(document)]
    stack = list(reversed(roots))
    while stack:
        pointer, schema = stack.pop()
        if not isinstance(schema, dict):
            continue
        yield pointer, schema
        stack.extend(reversed(list(children(schema, pointer))))


def _illustrated(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every media type, parameter and header object (of the paths and the components) that has a
    schema its `example` or `examples` illustrate. Schemas, examples and extensions are not entered:
    what they hold is not OpenAPI structure."""
    stack: list[tuple[str, Any]] = [(f"/{root}", document.get(root)) for root in ("components", "paths")]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, list):
            stack.extend((f"{pointer}/{index}", item) for index, item in enumerate(node))
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("schema"), dict):
            yield pointer, node
        for key, value in node.items():
            if key not in ("schema", "schemas", "example", "examples") and not str(key).startswith("x-"):
                stack.append((f"{pointer}/{pointer_token(key)}", value))
