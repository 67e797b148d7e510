"""The generated package, installed in the test environment, against the local server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from replicate_models import (
    AsyncClient,
    AuthenticationError,
    Client,
    FileOutput,
    InvalidInputError,
    NotFoundError,
    PredictionFailed,
    UnprocessableEntityError,
    WaitTimeout,
)
from starlette.applications import Starlette

from generator.validate.schemas import DocumentSchemas
from tests.conftest import GENERATED, ROOT, TOKEN, assert_passes_ruff_and_mypy


@pytest.fixture
def client(base_url: str) -> Client:
    return Client(api_token=TOKEN, base_url=f"{base_url}/replicate")  # an aggregator-style prefix


def test_create_sends_a_request_that_validates_against_the_spec(client: Client, app: Starlette) -> None:
    before = len(app.state.store.received)
    prediction = client.ideogram_v2_turbo.create(prompt="a gold shoe", aspect_ratio="16:9")
    assert prediction.status == "starting"
    assert prediction.model == "ideogram-ai/ideogram-v2-turbo"
    sent = app.state.store.received[before]
    assert sent.path == "/replicate/v1/models/ideogram-ai/ideogram-v2-turbo/predictions"
    assert sent.body == {"input": {"prompt": "a gold shoe", "aspect_ratio": "16:9"}}  # defaults left to the model
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    model = next(m for m in app.state.catalog.models if m.id == "ideogram-ai/ideogram-v2-turbo")
    schemas = DocumentSchemas(model.document)
    assert list(schemas.validator("/components/schemas/PredictionRequest").iter_errors(sent.body)) == []


def test_wait_polls_until_the_prediction_ends(client: Client) -> None:
    prediction = client.imagen_4_ultra.create(prompt="a cat")
    done = client.predictions.wait(prediction, poll_interval=0.01)
    assert done.status == "succeeded"
    assert done.output.endswith("/0.jpg")  # the spec's default output_format
    assert client.predictions.get(done.id).status == "succeeded"


def test_run_returns_the_output(client: Client) -> None:
    output = client.imagen_4_ultra.run(prompt="a cat", output_format="png")
    assert isinstance(output, FileOutput)  # the spec's Output: one `format: uri` string
    assert output.url.endswith("/0.png")
    assert output.read()[:8] == b"\x89PNG\r\n\x1a\n"


def test_canceled_prediction_makes_run_style_waits_end_and_report_it(client: Client) -> None:
    prediction = client.ideogram_v2_turbo.create(prompt="x")
    canceled = client.predictions.cancel(prediction.id)
    assert canceled.status == "canceled"
    assert client.predictions.wait(canceled.id).status == "canceled"
    from replicate_models._predictions import output_of

    with pytest.raises(PredictionFailed, match="ended canceled"):
        output_of(canceled, client, None)


def test_wait_gives_up_at_its_deadline(client: Client) -> None:
    prediction = client.ideogram_v2_turbo.create(prompt="x")
    with pytest.raises(WaitTimeout):
        client.predictions.wait(prediction, timeout=0.0)


def test_inputs_are_validated_before_any_request(client: Client, app: Starlette) -> None:
    before = len(app.state.store.received)
    with pytest.raises(InvalidInputError) as caught:
        client.ideogram_v2_turbo.create(prompt=123)  # type: ignore[arg-type]
    assert len(app.state.store.received) == before
    assert isinstance(caught.value, ValueError) and caught.value.argument == "input"
    assert caught.value.errors == [{"loc": ("prompt",), "msg": "Input should be a valid string", "type": "string_type"}]
    assert str(caught.value) == "ideogram-ai/ideogram-v2-turbo: invalid input: prompt: Input should be a valid string"


def test_server_side_validation_errors_are_typed(client: Client) -> None:
    with pytest.raises(UnprocessableEntityError) as caught:
        client.imagen_4_ultra.create(prompt="x", webhook_events_filter=["nope"])  # type: ignore[list-item]
    assert caught.value.status_code == 422
    assert caught.value.invalid_fields[0]["field"] == "webhook_events_filter.0"


def test_bad_token_and_unknown_prediction(base_url: str, client: Client) -> None:
    with pytest.raises(AuthenticationError) as caught:
        Client(api_token="wrong-secret", base_url=base_url).predictions.get("x")
    assert "wrong-secret" not in str(caught.value)
    with pytest.raises(NotFoundError) as missing:
        client.predictions.get("does-not-exist")
    assert missing.value.prediction_id == "does-not-exist"


def test_token_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", TOKEN)
    monkeypatch.setenv("REPLICATE_BASE_URL", base_url)
    with Client() as env_client:
        assert env_client.imagen_4_ultra.create(prompt="x").status == "starting"
        assert TOKEN not in repr(env_client)


def test_async_client_runs_models_concurrently(base_url: str) -> None:
    async def main() -> list[object]:
        async with AsyncClient(api_token=TOKEN, base_url=base_url) as client:
            return await asyncio.gather(*(client.imagen_4_ultra.run(prompt=f"cat {i}") for i in range(5)))

    outputs = asyncio.run(main())
    assert len(outputs) == 5
    assert all(isinstance(o, FileOutput) and "/v1/files/" in o.url for o in outputs)


def test_importing_the_package_imports_no_model_module() -> None:
    code = (
        "import sys, replicate_models\n"
        "prefixes = ('replicate_models.resources.', 'replicate_models.types.')\n"
        "loaded = [m for m in sys.modules if m.startswith(prefixes)]\n"
        "assert loaded == [], loaded\n"
        "replicate_models.Client(api_token='t').imagen_4_ultra\n"
        "assert 'replicate_models.resources.imagen_4_ultra' in sys.modules\n"
        "assert 'replicate_models.resources.ideogram_v2_turbo' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_generated_package_passes_ruff_and_mypy_strict(tmp_path_factory: pytest.TempPathFactory) -> None:
    assert_passes_ruff_and_mypy(GENERATED / "python", tmp_path_factory.mktemp("mypy"))


@pytest.mark.slow
def test_misspelled_inputs_and_wrong_types_are_type_errors(tmp_path_factory: pytest.TempPathFactory) -> None:
    source = tmp_path_factory.mktemp("typing") / "usage.py"
    source.write_text(
        "from replicate_models import Client\n"
        "client = Client(api_token='t')\n"
        "client.imagen_4_ultra.create(prompt='ok', aspect_ratio='1:1')\n"
        "client.imagen_4_ultra.create(prompt='ok', aspect_ration='1:1')\n"
        "client.imagen_4_ultra.create(prompt=1)\n"
        "client.imagen_4_ultra.create(prompt='ok', safety_filter_level='block_nothing')\n"
        "client.imagen_4_ultra.create(prompt='ok', safety_filter_level='block_only_high')\n"
    )
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert 'usage.py:4: error: Unexpected keyword argument "aspect_ration"' in mypy.stdout
    assert 'usage.py:5: error: Argument "prompt"' in mypy.stdout
    # The enum the prose named (REFERENCE.md's "sentences naming each value") is a Literal.
    assert 'usage.py:6: error: Argument "safety_filter_level"' in mypy.stdout
    assert "usage.py:3:" not in mypy.stdout and "usage.py:7:" not in mypy.stdout


def test_the_package_all_lists_exactly_its_public_names() -> None:
    import types

    import replicate_models
    from replicate_models import _exceptions

    exported = set(replicate_models.__all__)
    public = {
        name
        for name, value in vars(replicate_models).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert exported == public | {"__version__"}
    assert len(replicate_models.__all__) == len(exported), "a name is listed twice"
    # Every error a call can raise can be caught by its exported name.
    errors = {name for name, value in vars(_exceptions).items() if isinstance(value, type) and not name.startswith("_")}
    raised = {name for name in errors if issubclass(getattr(_exceptions, name), Exception)}
    assert raised <= exported, sorted(raised - exported)


def test_the_lowest_versions_tested_are_those_the_client_declares() -> None:
    """`make test-lowest` runs the clients with tests/client/lowest.txt: the lower bounds of the
    dependencies the generated pyproject.toml declares, no more, no less."""
    import re
    import tomllib

    declared = tomllib.loads((GENERATED / "python" / "pyproject.toml").read_text(encoding="utf-8"))
    lowest = {}
    for requirement in declared["project"]["dependencies"]:
        name, low = re.match(r"^([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement).groups()  # type: ignore[union-attr]
        lowest[name] = low
    pinned = dict(
        line.split("==")
        for line in (ROOT / "tests" / "client" / "lowest.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert {name: tuple(map(int, v.split("."))) for name, v in pinned.items()} == {
        name: tuple(map(int, (v + ".0.0").split(".")[:3])) for name, v in lowest.items()
    }
