"""openapi-spec-validator's OpenAPI 3.1 check, run over plain dicts and lists.

openapi-spec-validator 0.9 checks a document in two parts: the document against the OAS 3.1
schema, then a walk of its paths and component schemas. The walk goes through jsonschema-path,
whose lookups were most of a cold check of a thousand specs (bench/README.md), and it raises where a
hostile spec breaks what it assumes: a parameter that is a string, `responses` that is a list, a
`$ref` cycle, an unclosed `{` in a path template. Here the same two parts run on the data itself:

- the document against the validator's own OAS 3.1 schema file, on jsonschema-rs;
- each schema against its dialect's meta-schema (the OAS 3.1 base dialect, unless `$schema` or
  `jsonSchemaDialect` names another), once per schema object, also on jsonschema-rs;
- under an `allOf`, `required` names that no property defines; parameters repeated (same `name`
  and `in`), operationIds repeated, tag names repeated; path template parameters that no path
  parameter declares, and the reverse.

`$ref`s are followed as the validator follows them; one that leads nowhere, or round a loop of
`$ref`s, is passed over (`generator.validate.rules` reports it). Each finding carries its JSON pointer, where
the validator gives none, or one relative to the schema it checked. Request body
schemas are checked too, which the validator does not walk. Defaults are not checked here:
`generator.validate.rules` checks every `default` and `example` against its schema.

tests/validate/test_openapi_check.py checks that this finds what openapi-spec-validator finds.
"""

from __future__ import annotations

import importlib.util
import json
import string
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import jsonschema_rs

from generator.spec.specfile import pointer_token, resolve_ref

__all__ = ["Finding", "openapi_findings"]

OAS31_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
# the dialects openapi-schema-validator teaches jsonschema; the drafts jsonschema knows itself
_OPENAPI_DIALECTS = (OAS31_DIALECT, "https://spec.openapis.org/oas/3.2/dialect/2025-09-17")
_OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


_NOWHERE: Any = object()  # where a `$ref` that cannot be followed leads


class Finding(NamedTuple):
    pointer: str
    message: str


def openapi_findings(document: Any) -> Iterator[Finding]:
    """Every problem openapi-spec-validator's OpenAPI 3.1 check finds in `document`, with its place."""
    for error in _document_schema().iter_errors(document):
        yield Finding(_pointer_of("", error.instance_path), error.message)
    if isinstance(document, dict):
        yield from _Walk(document).root()


class _Walk:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        dialect = document.get("jsonSchemaDialect")
        self.default_dialect = dialect if isinstance(dialect, str) else OAS31_DIALECT
        self.meta_checked: set[int] = set()
        self.visited: set[int] = set()
        self.operation_ids: list[Any] = []
        self.findings: list[Finding] = []

    def root(self) -> Iterator[Finding]:
        document = self.document
        self._tags(document.get("tags"))
        paths, at = self._follow(document.get("paths"), "/paths")
        if isinstance(paths, dict):
            for url, item in paths.items():
                self._path(url, *self._follow(item, f"{at}/{pointer_token(url)}"))
        components, at = self._follow(document.get("components"), "/components")
        if isinstance(components, dict):
            schemas, at = self._follow(components.get("schemas"), f"{at}/schemas")
            if isinstance(schemas, dict):
                for name, schema in schemas.items():
                    self._schema(schema, f"{at}/{pointer_token(name)}")
        return iter(self.findings)

    def _report(self, pointer: str, message: str) -> None:
        self.findings.append(Finding(pointer, message))

    def _follow(self, node: Any, pointer: str) -> tuple[Any, str]:
        """What `node` is once its `$ref`s are followed, and where that is; `_NOWHERE` when one leads
        nowhere or back to itself (`generator.validate.rules` reports both)."""
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                return _NOWHERE, pointer
            seen.add(ref)
            try:
                node = resolve_ref(self.document, ref)
            except LookupError:
                return _NOWHERE, pointer
            pointer = ref[1:]
        return node, pointer

    def _tags(self, tags: Any) -> None:
        if not isinstance(tags, list):
            return
        seen: set[str] = set()
        for index, tag in enumerate(tags):
            name = tag.get("name") if isinstance(tag, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                self._report(f"/tags/{index}/name", f"Duplicate tag name '{name}'")
            seen.add(name)

    def _path(self, url: str, item: Any, pointer: str) -> None:
        if not isinstance(item, dict):
            return
        shared = []
        if "parameters" in item:
            shared = self._parameters(*self._follow(item["parameters"], f"{pointer}/parameters"))
        for name, operation in item.items():
            if name in _OPERATIONS:
                self._operation(url, name, *self._follow(operation, f"{pointer}/{name}"), shared)

    def _operation(self, url: str, name: str, operation: Any, pointer: str, shared: list[str]) -> None:
        names = list(shared)
        if isinstance(operation, dict):
            if "operationId" in operation:
                self._operation_id(operation["operationId"], f"{pointer}/operationId", f"for '{name}' in '{url}'")
            if "requestBody" in operation:
                body, at = self._follow(operation["requestBody"], f"{pointer}/requestBody")
                if isinstance(body, dict) and "content" in body:
                    self._content(*self._follow(body["content"], f"{at}/content"))
            if "responses" in operation:
                responses, at = self._follow(operation["responses"], f"{pointer}/responses")
                for code, response in responses.items() if isinstance(responses, dict) else ():
                    response, where = self._follow(response, f"{at}/{pointer_token(code)}")
                    if isinstance(response, dict) and "content" in response:
                        self._content(*self._follow(response["content"], f"{where}/content"))
            if "parameters" in operation:
                names += self._parameters(*self._follow(operation["parameters"], f"{pointer}/parameters"))
        try:
            in_url = {field for _, field, _, _ in string.Formatter().parse(url) if field}
        except ValueError as exc:
            self._report(pointer, f"path template '{url}' cannot be read: {exc}")
            return
        declared = set(names)
        for parameter in sorted(in_url - declared) + sorted(declared - in_url):
            self._report(pointer, f"Path parameter '{parameter}' for '{name}' operation in '{url}' was not resolved")

    def _operation_id(self, operation_id: Any, pointer: str, where: str) -> None:
        if operation_id is not None and operation_id in self.operation_ids:
            self._report(pointer, f"Operation ID '{operation_id}' {where} is not unique")
        self.operation_ids.append(operation_id)

    def _parameters(self, parameters: Any, pointer: str) -> list[str]:
        """Check a parameter list; the names of its path parameters."""
        if not isinstance(parameters, list):
            return []
        seen: set[tuple[str, str]] = set()
        in_path = []
        for index, parameter in enumerate(parameters):
            parameter, at = self._follow(parameter, f"{pointer}/{index}")
            if not isinstance(parameter, dict):
                continue
            if "schema" in parameter:
                self._schema(parameter["schema"], f"{at}/schema")
            name, where = parameter.get("name"), parameter.get("in")
            if not (isinstance(name, str) and isinstance(where, str)):
                continue
            if (name, where) in seen:
                self._report(at, f"Duplicate parameter '{name}'")
            seen.add((name, where))
            if where == "path":
                in_path.append(name)
        return in_path

    def _content(self, content: Any, pointer: str) -> None:
        for media_type, media in content.items() if isinstance(content, dict) else ():
            media, at = self._follow(media, f"{pointer}/{pointer_token(media_type)}")
            if isinstance(media, dict) and "schema" in media:
                self._schema(media["schema"], f"{at}/schema")

    def _schema(self, schema: Any, pointer: str, top: bool = True) -> None:
        """Check one schema and those under it. `top`: reached from an operation or components, not
        from another schema; only such a one is checked against its meta-schema (which checks the
        schemas it holds), and says when `required` names a property its `allOf` lacks."""
        schema, pointer = self._follow(schema, pointer)
        if schema is _NOWHERE:
            return
        if not isinstance(schema, (dict, bool)):
            self._report(pointer, f"{schema!r} is not of type 'object', 'boolean'")
            return
        if top and id(schema) not in self.meta_checked:
            self.meta_checked.add(id(schema))
            if self._meta_problem(schema, pointer):
                return
        if id(schema) in self.visited or not isinstance(schema, dict):
            return
        self.visited.add(id(schema))
        nested: set[str] = set()
        for keyword in ("allOf", "anyOf", "oneOf"):
            for index, sub in enumerate(_list(schema.get(keyword))):
                self._schema(sub, f"{pointer}/{keyword}/{index}", top=False)
                if keyword == "allOf":
                    nested |= self._properties(sub, f"{pointer}/allOf/{index}", set())
        for keyword in ("not", "items"):
            if keyword in schema:
                self._schema(schema[keyword], f"{pointer}/{keyword}", top=False)
        properties = schema.get("properties")
        for name, sub in properties.items() if isinstance(properties, dict) else ():
            self._schema(sub, f"{pointer}/properties/{pointer_token(name)}", top=False)
        if top and "allOf" in schema:
            own = set(properties) if isinstance(properties, dict) else set()
            missing = {name for name in _list(schema.get("required")) if isinstance(name, str)} - own - nested
            if missing:
                self._report(f"{pointer}/required", f"Required list has not defined properties: {sorted(missing)}")

    def _properties(self, schema: Any, pointer: str, seen: set[int]) -> set[str]:
        """Every property name a schema defines, through `allOf`/`anyOf`/`oneOf`, `items` and `not`."""
        schema, pointer = self._follow(schema, pointer)
        if not isinstance(schema, dict) or id(schema) in seen:
            return set()
        seen.add(id(schema))
        properties = schema.get("properties")
        names = set(properties) if isinstance(properties, dict) else set()
        for keyword in ("allOf", "anyOf", "oneOf"):
            for index, sub in enumerate(_list(schema.get(keyword))):
                names |= self._properties(sub, f"{pointer}/{keyword}/{index}", seen)
        for keyword in ("items", "not"):
            if keyword in schema:
                names |= self._properties(schema[keyword], f"{pointer}/{keyword}", seen)
        return names

    def _meta_problem(self, schema: dict[str, Any] | bool, pointer: str) -> bool:
        """Report the first way `schema` breaks its dialect's meta-schema; whether there is one."""
        dialect = schema.get("$schema", self.default_dialect) if isinstance(schema, dict) else self.default_dialect
        check = _meta_check(dialect) if isinstance(dialect, str) else None
        if check is None:
            self._report(pointer, f"Unknown JSON Schema dialect: {dialect!r}")
            return True
        for path, message in check(schema):
            self._report(_pointer_of(pointer, path), message)
            return True
        return False


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _pointer_of(base: str, path: Any) -> str:
    return base + "".join(f"/{pointer_token(part)}" for part in path)


def _package_file(package: str, relative: str) -> Path:
    """A data file of an installed package, found without importing the package (openapi-schema-
    validator's import is slow)."""
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed")
    return Path(next(iter(found.submodule_search_locations)), relative)


@cache
def _document_schema() -> Any:
    schema = json.loads(_package_file("openapi_spec_validator", "resources/schemas/v3.1/schema.json").read_bytes())
    return jsonschema_rs.validator_for(schema)


@cache
def _meta_check(dialect: str) -> Callable[[Any], Iterator[tuple[Sequence[Any], str]]] | None:
    """What checks a schema written in `dialect` (the path and message of each way it breaks the
    dialect's meta-schema), or None when it is not a dialect jsonschema or openapi-schema-validator knows."""
    try:
        contents = _openapi_dialects().get(urlsplit(dialect).geturl())
    except ValueError:  # not a URI
        return None
    if contents is None:  # seldom: jsonschema (slow to load) names the drafts it knows
        from jsonschema.validators import validator_for

        known = validator_for({"$schema": dialect}, default=None)
        if known is None:
            return None
        contents = known.META_SCHEMA
    try:
        fast = jsonschema_rs.validator_for(contents, registry=_registry())
    except ValueError:  # a draft jsonschema-rs does not implement (draft 3): jsonschema's own check
        from jsonschema.validators import validator_for

        slow = validator_for(contents)(contents)
        return lambda schema: ((error.path, error.message) for error in slow.iter_errors(schema))
    return lambda schema: ((error.instance_path, error.message) for error in fast.iter_errors(schema))


@cache
def _openapi_files() -> dict[str, Any]:
    """The meta-schemas and vocabularies openapi-schema-validator ships, by their `$id`."""
    found = {}
    for path in sorted(_package_file("openapi_schema_validator", "schemas").rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            contents = json.loads(path.read_bytes())
            found[contents["$id"]] = contents
    return found


def _openapi_dialects() -> dict[str, Any]:
    return {urlsplit(uri).geturl(): _openapi_files()[uri] for uri in _OPENAPI_DIALECTS}


@cache
def _registry() -> jsonschema_rs.Registry:
    """openapi-schema-validator's files; jsonschema-rs knows the drafts' own meta-schemas."""
    return jsonschema_rs.Registry(list(_openapi_files().items()))
