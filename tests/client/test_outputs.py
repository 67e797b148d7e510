"""What `run()` returns: for each of the 20 real Replicate models, a value of the type `run()` is
annotated with, where a `FileOutput` stands exactly where the Output schema has a `format: uri`
string (an object output is its generated `TypedDict`; a language model's tokens stay strings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.server import ServerConfig, create_app
from tests.conftest import FIXTURES, TOKEN, Generated, run_client
from tests.server.test_outputs_fit import valid_input

DOCUMENTS = sorted((FIXTURES / "replicate-documents").glob("*.json"))

_RUN_ALL = """
import json, sys, typing
from replicate_models import Client, FileOutput
plan = json.loads(open(sys.argv[3], encoding="utf-8").read())
client = Client(api_token=sys.argv[2], base_url=sys.argv[1])

def fits(value, kind):
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is typing.Any:
        return not isinstance(value, FileOutput)  # an open output: nothing is made a file
    if kind is FileOutput or kind in (str, int, bool):
        return isinstance(value, kind)
    if kind is float:
        return isinstance(value, (int, float))
    if origin is list:
        return isinstance(value, list) and all(fits(item, args[0]) for item in value)
    if origin is typing.Literal:
        return value in args
    if typing.is_typeddict(kind):
        hints = typing.get_type_hints(kind)
        return isinstance(value, dict) and kind.__required_keys__ <= value.keys() and all(
            fits(item, hints[key]) for key, item in value.items() if key in hints)
    if origin is dict or kind is dict:
        return isinstance(value, dict)
    raise AssertionError(f"no check for {kind!r}")

for accessor, kwargs in plan:
    resource = getattr(client, accessor)
    returns = typing.get_type_hints(type(resource).run)["return"]
    value = resource.run(**kwargs, timeout=60)
    assert fits(value, returns), (accessor, returns, value)
    print(accessor, returns)
"""


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_every_models_run_returns_a_value_of_its_annotation(replicate_catalogue: Generated, tmp_path: Path) -> None:
    out = replicate_catalogue.out
    config = ServerConfig(tokens=(TOKEN,), starting_seconds=0.01, processing_seconds=0.02)
    app = create_app(replicate_catalogue.specs, config)
    plan = [
        [m.accessor, {f.identifier: v for f in m.fields if (v := valid_input(m).get(f.name)) is not None}]
        for m in app.state.catalog.models
    ]
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    ran = run_client(_RUN_ALL, out / "python", app, str(tmp_path / "plan.json"), timeout=300)
    assert ran.returncode == 0, ran.stderr
    returned = dict(line.split(" ", 1) for line in ran.stdout.splitlines())
    assert len(returned) == len(DOCUMENTS)
    assert "FileOutput" not in returned["meta_llama_3_8b_instruct"]  # tokens, not files
    assert returned["bark"].endswith("BarkOutput'>")  # an object output has its own type
