"""`generator.validate.openapi_check` finds what openapi-spec-validator finds, with each problem's place, and
reports the specs that make openapi-spec-validator raise instead of crashing on them."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator

from generator.spec.specfile import walk
from generator.validate.openapi_check import Finding, openapi_findings
from generator.validate.rules import _schemas, problems
from tests.conftest import ROOT, model_spec


def _imported(path: Path) -> list[dict[str, Any]]:
    """The specs a golden import record holds."""
    endpoints = yaml.safe_load(path.read_text(encoding="utf-8"))["endpoints"]
    return [endpoint["spec"] for endpoint in endpoints if "spec" in endpoint]


IMPORTED = {
    path.stem[:40]: specs
    for path in sorted((ROOT / "tests" / "golden" / "real").glob("*.yaml"))
    if (specs := _imported(path))
}
PATH = "/v1/models/acme/tiny/predictions"
AT = "/paths/~1v1~1models~1acme~1tiny~1predictions/post"


def _spec(**operation: Any) -> dict[str, Any]:
    return model_spec("acme", "tiny", {"type": "object", "properties": {"prompt": {"type": "string"}}}, **operation)


def _oracle(document: dict[str, Any]) -> list[tuple[list[Any], str]]:
    """What openapi-spec-validator finds: its path (relative to the schema it checked, for a
    meta-schema error) and its message's first line. Defaults are taken out, as `generator.validate.rules`
    checks them itself."""
    document = copy.deepcopy(document)
    for _, schema in list(_schemas(document)):
        schema.pop("default", None)
    return [(list(e.absolute_path), e.message.split("\n")[0]) for e in OpenAPIV31SpecValidator(document).iter_errors()]


def _ours(document: dict[str, Any]) -> list[Finding]:
    return list(openapi_findings(document))


@pytest.mark.parametrize("name", sorted(IMPORTED))
def test_the_specs_imported_from_real_pages_are_valid_to_both(name: str) -> None:
    for document in IMPORTED[name]:
        assert _oracle(document) == []
        assert _ours(document) == []


def _duplicate_operation_id() -> dict[str, Any]:
    document = _spec()
    document["paths"]["/v1/other"] = {"post": copy.deepcopy(document["paths"][PATH]["post"])}
    return document


def _required_beyond_all_of() -> dict[str, Any]:
    document = _spec()
    document["components"]["schemas"]["Both"] = {
        "allOf": [{"properties": {"a": {"type": "string"}}}],
        "properties": {"b": {}},
        "required": ["a", "b", "c"],
    }
    return document


def _with_tags() -> dict[str, Any]:
    return {**_spec(), "tags": [{"name": "models"}, {"name": "models"}]}


def _input_property(schema: Any) -> dict[str, Any]:
    return model_spec("acme", "tiny", {"type": "object", "properties": {"steps": schema}})


QUERY = {"name": "seed", "in": "query", "schema": {"type": "integer"}}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
WALK_CASES: dict[str, tuple[dict[str, Any], Finding]] = {
    "duplicate-operation-id": (
        _duplicate_operation_id(),
        Finding(
            "/paths/~1v1~1other/post/operationId",
            "Operation ID 'create_acme_tiny' for 'post' in '/v1/other' is not unique",
        ),
    ),
    "duplicate-parameter": (
        _spec(parameters=[QUERY, QUERY]),
        Finding(f"{AT}/parameters/1", "Duplicate parameter 'seed'"),
    ),
    "path-parameter-not-in-url": (
        _spec(parameters=[ID]),
        Finding(AT, f"Path parameter 'id' for 'post' operation in '{PATH}' was not resolved"),
    ),
    "required-beyond-all-of": (
        _required_beyond_all_of(),
        Finding("/components/schemas/Both/required", "Required list has not defined properties: ['c']"),
    ),
    "duplicate-tag": (_with_tags(), Finding("/tags/1/name", "Duplicate tag name 'models'")),
}


@pytest.mark.parametrize("case", sorted(WALK_CASES))
def test_each_check_of_the_walk_reports_what_the_validator_reports_at_its_place(case: str) -> None:
    document, expected = WALK_CASES[case]
    assert _ours(document) == [expected]
    assert [message for _, message in _oracle(document)] == [expected.message]


def test_a_path_template_parameter_nothing_declares_is_reported_at_its_operation() -> None:
    document = _spec()
    document["paths"] = {"/v1/models/{owner}/tiny/predictions": document["paths"][PATH]}
    message = "Path parameter 'owner' for 'post' operation in '/v1/models/{owner}/tiny/predictions' was not resolved"
    assert _ours(document) == [Finding("/paths/~1v1~1models~1{owner}~1tiny~1predictions/post", message)]
    assert [m for _, m in _oracle(document)] == [message]


def test_a_schema_of_an_unknown_dialect_is_reported() -> None:
    document = _spec()
    document["components"]["schemas"]["Odd"] = {"$schema": "https://example.com/mine", "type": "string"}
    message = "Unknown JSON Schema dialect: 'https://example.com/mine'"
    assert _ours(document) == [Finding("/components/schemas/Odd", message)]
    assert [m for _, m in _oracle(document)] == [message]


@pytest.mark.parametrize(
    ("draft", "valid", "invalid", "keyword"),
    [
        # where exclusiveMinimum is a boolean
        ("http://json-schema.org/draft-04/schema#", {"minimum": 1, "exclusiveMinimum": True}, 1, "exclusiveMinimum"),
        # where `required` is a boolean; a draft jsonschema-rs lacks
        ("http://json-schema.org/draft-03/schema#", {"type": "string", "required": True}, 5, "type"),
    ],
)
def test_a_schema_written_in_another_draft_is_checked_against_that_draft(
    draft: str, valid: dict[str, object], invalid: object, keyword: str
) -> None:
    document = _spec()
    document["components"]["schemas"]["Old"] = {"$schema": draft, **valid}
    assert _ours(document) == [] and _oracle(document) == []
    document["components"]["schemas"]["Old"][keyword] = invalid
    assert [f.pointer for f in _ours(document)] == [f"/components/schemas/Old/{keyword}"]
    assert [path for path, _ in _oracle(document)] == [[keyword]]


def test_a_dialect_that_is_not_a_uri_is_unknown() -> None:
    document = _spec()
    document["components"]["schemas"]["Odd"] = {"$schema": "http://[oops"}
    assert _ours(document) == [Finding("/components/schemas/Odd", "Unknown JSON Schema dialect: 'http://[oops'")]


def test_a_meta_schema_error_is_placed_in_the_document_where_the_validator_places_it_in_its_schema() -> None:
    document = _input_property({"type": "integer", "minimum": "one"})
    found = _ours(document)
    assert found == [Finding("/components/schemas/Input/properties/steps/minimum", '"one" is not of type "number"')]
    assert _oracle(document) == [(["properties", "steps", "minimum"], "'one' is not of type 'number'")]


def test_a_document_schema_error_is_the_validators_own() -> None:
    document = _spec(responses={})
    found = _ours(document)
    assert Finding(f"{AT}/responses", "{} has less than 1 property") in found
    assert sorted((f.pointer, f.message) for f in found) == sorted(
        ("".join(f"/{p.replace('/', '~1')}" for p in path), message) for path, message in _oracle(document)
    )


def _raises(document: dict[str, Any]) -> bool:
    try:
        _oracle(document)
    except Exception:
        return True
    return False


HOSTILE: dict[str, tuple[dict[str, Any], Finding]] = {
    "parameter-a-string": (_spec(parameters=["seed"]), Finding(f"{AT}/parameters/0", '"seed" is not of type "object"')),
    "parameter-without-name": (
        _spec(parameters=[{"in": "query"}]),
        Finding(f"{AT}/parameters/0", '"name" is a required property'),
    ),
    "responses-a-list": (_spec(responses=[201]), Finding(f"{AT}/responses", '[201] is not of type "object"')),
    "content-a-string": (
        _spec(responses={"201": {"description": "created", "content": "json"}}),
        Finding(f"{AT}/responses/201/content", '"json" is not of type "object"'),
    ),
    "tag-without-name": (
        {**_spec(), "tags": [{"description": "x"}]},
        Finding("/tags/0", '"name" is a required property'),
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_spec_that_makes_the_validator_raise_is_reported_instead(case: str) -> None:
    document, expected = HOSTILE[case]
    assert _raises(document)
    assert expected in _ours(document)


def test_an_unclosed_path_template_is_reported_not_raised() -> None:
    document = _spec()
    document["paths"] = {"/v1/models/{owner/tiny/predictions": document["paths"][PATH]}
    assert _raises(document)
    assert Finding(
        "/paths/~1v1~1models~1{owner~1tiny~1predictions/post",
        "path template '/v1/models/{owner/tiny/predictions' cannot be read: expected '}' before end of string",
    ) in _ours(document)


def test_references_that_go_round_are_reported_at_each_ref_and_nothing_raises() -> None:
    document = _spec()
    schemas = document["components"]["schemas"]
    schemas["A"] = {"$ref": "#/components/schemas/B"}
    schemas["B"] = {"$ref": "#/components/schemas/A"}
    schemas["Input"]["properties"]["loop"] = {"$ref": "#/components/schemas/A"}
    assert _raises(document)
    found = dict(problems(document))
    assert found["/components/schemas/A/$ref"] == (
        "references go round without reaching a schema: #/components/schemas/B -> #/components/schemas/A "
        "-> #/components/schemas/B"
    )
    assert "/components/schemas/B/$ref" in found and "/components/schemas/Input/properties/loop/$ref" in found


def test_a_request_body_schema_is_checked_though_the_validator_does_not_walk_it() -> None:
    document = _spec()
    body = document["paths"][PATH]["post"]["requestBody"]["content"]["application/json"]
    body["schema"] = {"type": "object", "required": "input"}
    assert _oracle(document) == []
    assert _ours(document) == [
        Finding(f"{AT}/requestBody/content/application~1json/schema/required", '"input" is not of type "array"')
    ]


_VALUES: list[Any] = [
    None, True, 0, 1.5, "x", "", [], [1], {}, {"type": 5}, {"$schema": "nope"}, {"minimum": "x"}, {"items": [1]},
    {"allOf": [{"properties": {"a": {}}}], "required": ["a", "b"]}, {"properties": {"a": 5}},
    {"name": "p", "in": "path", "required": True, "schema": {"type": "string"}}, {"$ref": "#/components/schemas/Input"},
]  # fmt: skip
_KEYS = ["type", "items", "properties", "allOf", "anyOf", "not", "required", "$schema", "parameters", "operationId"]


def _mutated(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """`document` with one to three values put in at random places, and sometimes its operation
    repeated under a templated path."""
    document = copy.deepcopy(document)
    for _ in range(rng.randint(1, 3)):
        node = rng.choice([n for _, n in walk(document) if isinstance(n, (dict, list))])
        value = copy.deepcopy(rng.choice(_VALUES))
        if isinstance(node, list):
            node.append(value)
        else:
            node[rng.choice([*node, *_KEYS]) if node else rng.choice(_KEYS)] = value
    if rng.random() < 0.2 and isinstance(document.get("paths"), dict):
        document["paths"]["/v1/copy/{id}"] = copy.deepcopy(next(iter(document["paths"].values())))
    return document


@pytest.mark.timeout(120)
def test_on_random_damage_both_say_the_same_spec_is_invalid() -> None:
    """Where the validator does not raise, it finds a problem exactly when this check does; the one
    exception is a request body schema, which only this check walks."""
    bases = [document for name in sorted(IMPORTED)[:4] for document in IMPORTED[name]] + [_spec()]
    rng, compared = random.Random(14), 0
    for _ in range(150):
        document = _mutated(rng.choice(bases), rng)
        found = _ours(document)
        try:
            oracle = _oracle(document)
        except Exception:  # the validator crashed on it: nothing to compare (see the hostile cases above)
            continue
        compared += 1
        if not oracle:
            assert all("/requestBody/" in f.pointer for f in found), found
        else:
            assert found, oracle
    assert compared > 100
