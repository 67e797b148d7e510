"""Unusual but valid input schemas: the generated package imports with its declared dependencies only,
passes mypy --strict, checks inputs as the schema says, and sends every value exactly as given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalog import load_catalog
from generator.server import create_app
from tests.conftest import TOKEN, assert_passes_ruff_and_mypy, cli, model_spec, run_client

HUGE = 123456789012345678901234567890
FORMATS = {  # format -> a value of it that a type of its own would send otherwise
    "email": "Someone@Example.com",
    "idn-email": "用户@例子.广告",
    "uri": "https://Example.com",
    "iri": "https://例子.广告",
    "uri-reference": "../a%20b",
    "date-time": "2024-01-01T00:00:00+00:00",
    "date": "2024-01-01",
    "time": "10:00:00+00:00",
    "duration": "P1D",
    "uuid": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
    "ulid": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "ipv6": "0:0:0:0:0:0:0:1",
    "hostname": "Example.com",
    "password": "secret",
    "byte": "aGk=",
    "binary": "raw",
    "path": "a//b",
}


def _nested(depth: int) -> tuple[dict[str, Any], Any]:
    schema: dict[str, Any] = {"type": "object", "required": ["leaf"], "properties": {"leaf": {"type": "string"}}}
    value: Any = {"leaf": "x"}
    for _ in range(depth):
        schema = {"type": "object", "required": ["child"], "properties": {"child": schema, "n": {"type": "integer"}}}
        value = {"child": value}
    return schema, value


DEEP, DEEP_VALUE = _nested(20)
MODELS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {  # name -> (input properties, values to send)
    "formats": (
        {
            **{name.replace("-", "_"): {"type": "string", "format": name} for name in FORMATS},
            "amount": {"type": "number", "format": "decimal", "description": "a space, then a control character \x7f"},
        },
        {**{name.replace("-", "_"): value for name, value in FORMATS.items()}, "amount": 1.10},
    ),
    "defaults": (
        {
            "options": {"type": "object", "properties": {"a": {"type": "integer"}}, "default": {"a": 1}},
            "items": {
                "type": "array",
                "items": {"type": "object", "properties": {"b": {"type": "string"}}},
                "default": [{"b": "x"}],
            },
            "either": {
                "anyOf": [{"type": "object", "properties": {"c": {"type": "integer"}}}, {"type": "string"}],
                "default": {"c": 2},
            },
            "mapping": {"type": "object", "default": {"k": [1, {"v": None}]}},
        },
        {"options": {"a": 5}, "items": [{"b": "y"}], "either": "text", "mapping": {"k": []}},
    ),
    "huge": (
        {
            "big": {"type": "integer", "enum": [HUGE, 2], "default": HUGE},
            "fixed": {"type": "integer", "const": -HUGE},
            "mixed": {"enum": [HUGE, "a", None]},
            "number": {"type": "integer", "default": HUGE, "maximum": HUGE},
        },
        {"big": HUGE, "fixed": -HUGE, "mixed": "a", "number": HUGE - 1},
    ),
    "deep": ({"top": DEEP}, {"top": DEEP_VALUE}),
    # `None` for an input whose schema does not take null is "not given"; for one that does, null
    "nulls": (
        {"prompt": {"type": "string"}, "seed": {"type": "integer"}, "note": {"type": ["string", "null"]}},
        {"prompt": "x", "note": None},
    ),
}

_CALLS = """
import json, sys
from replicate_models import Client, InvalidInputError
plan = json.loads(open(sys.argv[3], encoding="utf-8").read())
client = Client(api_token=sys.argv[2], base_url=sys.argv[1])
for accessor, kwargs in plan["send"]:
    getattr(client, accessor).create(**kwargs)
refused = []
for accessor, kwargs in plan["refuse"]:
    try:
        getattr(client, accessor).create(**kwargs)
    except InvalidInputError as exc:
        refused.append([accessor, [list(problem["loc"]) for problem in exc.errors]])
print(json.dumps(refused))
"""


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("shapes")
    specs, out = root / "specs", root / "out"
    specs.mkdir()
    for name, (properties, _) in MODELS.items():
        inputs = {"type": "object", "properties": properties, "required": list(properties)[:1]}
        spec = model_spec("acme", name, inputs)
        (specs / f"{name}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    generated = cli("generate", "--specs", str(specs), "--shared", str(root / "none"), "--out", str(out))
    assert generated.returncode == 0, generated.stderr
    yield specs, out


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_package_passes_mypy_strict_and_ruff(shapes: tuple[Path, Path], tmp_path: Path) -> None:
    assert_passes_ruff_and_mypy(shapes[1] / "python", tmp_path)
    usage = tmp_path / "usage.py"
    usage.write_text(
        "from replicate_models import Client\n"
        "client = Client(api_token='t')\n"
        "client.nulls.create(prompt='x', note=None)\n"
        "client.nulls.create(prompt='x', seed=None)\n",
        encoding="utf-8",
    )
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), str(usage)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MYPYPATH": str(shapes[1] / "python")},
    )
    assert 'usage.py:4: error: Argument "seed"' in mypy.stdout, mypy.stdout  # the type refuses None
    assert "usage.py:3:" not in mypy.stdout, mypy.stdout  # where null is allowed, None is too


@pytest.mark.timeout(300)
def test_every_value_is_sent_as_given_and_the_schema_is_checked_before_sending(
    shapes: tuple[Path, Path], tmp_path: Path
) -> None:
    specs, out = shapes
    identifiers = {m.name: {f.name: f.identifier for f in m.fields} for m in load_catalog(specs).models}
    send = [[name, {identifiers[name][k]: v for k, v in values.items()}] for name, (_, values) in MODELS.items()]
    send.append(["nulls", {"prompt": "x", "seed": None, "note": None}])  # seed=None: not sent
    missing_leaf = json.loads(json.dumps(DEEP_VALUE).replace('{"leaf": "x"}', "{}"))
    refuse = [["huge", {"big": HUGE + 1}], ["deep", {"top": missing_leaf}]]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"send": send, "refuse": refuse}), encoding="utf-8")
    app = create_app(specs, tokens=(TOKEN,))
    called = run_client(_CALLS, out / "python", app, str(plan))
    assert called.returncode == 0, called.stderr  # an ImportError of an undeclared dependency ends here
    received = {r.path.rsplit("/", 2)[-2]: r.body["input"] for r in app.state.store.received if r.method == "POST"}
    for name, (_, values) in MODELS.items():
        assert received[name] == values, name  # the last `nulls` call too: seed=None was not sent
    refused = dict((accessor, locs) for accessor, locs in json.loads(called.stdout))
    assert set(refused) == {"huge", "deep"}
    assert refused["huge"][0][0] == "big"
    assert refused["deep"][0] == ["top"] + ["child"] * 20 + ["leaf"]
    assert len(received) == len(MODELS), "a refused input reached the server"
