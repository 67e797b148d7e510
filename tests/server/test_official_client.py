"""The official `replicate` Python client (pinned, test-only), nobody here wrote, against the local
server serving the 20 real Replicate models: every operation a user of it calls works."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
import replicate
from replicate.stream import ServerSentEvent
from starlette.applications import Starlette

from generator.server import ServerConfig, create_app, running
from tests.conftest import TOKEN, Generated

LLAMA = "meta/meta-llama-3-8b-instruct"
FLUX = "black-forest-labs/flux-schnell"


@pytest.fixture(scope="module")
def served(replicate_catalogue: Generated) -> Iterator[tuple[replicate.Client, Starlette]]:
    config = ServerConfig(tokens=(TOKEN,), starting_seconds=0.01, processing_seconds=0.2, page_size=2)
    app = create_app(replicate_catalogue.specs, config)
    with running(app) as url:
        yield replicate.Client(api_token=TOKEN, base_url=url), app


@pytest.mark.timeout(120)
def test_run_returns_files_for_a_file_model_and_text_for_a_language_model(
    served: tuple[replicate.Client, Starlette],
) -> None:
    client, _ = served
    images = client.run(FLUX, input={"prompt": "a fox", "num_outputs": 2, "output_format": "png"})
    # it makes a FileOutput of an https URL only: the local server's are http, and strings
    assert len(images) == 2 and all(isinstance(image, str) and image.endswith(".png") for image in images)
    assert httpx.get(images[0], timeout=10).content[:8] == b"\x89PNG\r\n\x1a\n"
    text = client.run(LLAMA, input={"prompt": "a fox in the snow"})
    assert "a fox in the snow" in "".join(text)


@pytest.mark.timeout(120)
def test_create_wait_cancel_and_list_with_pagination(served: tuple[replicate.Client, Starlette]) -> None:
    client, _ = served
    prediction = client.models.predictions.create(model=FLUX, input={"prompt": "a fox"})
    prediction.wait()
    assert prediction.status == "succeeded" and prediction.output
    running_one = client.models.predictions.create(model=LLAMA, input={"prompt": "x"})
    assert client.predictions.cancel(running_one.id).status == "canceled"
    for _ in range(3):
        client.models.predictions.create(model=FLUX, input={"prompt": "more"})
    seen, page = [], client.predictions.list()
    while True:
        assert len(page.results) <= 2
        seen += [p.id for p in page.results]
        if not page.next:
            break
        page = client.predictions.list(page.next)
    assert {prediction.id, running_one.id} <= set(seen) and len(seen) == len(set(seen)) >= 5


@pytest.mark.timeout(120)
def test_stream_and_prediction_stream_yield_the_tokens(served: tuple[replicate.Client, Starlette]) -> None:
    client, _ = served
    output = ServerSentEvent.EventType.OUTPUT
    events = list(client.stream(LLAMA, input={"prompt": "a fox in the snow"}))
    assert all(event.id for event in events)  # the client drops an event without one
    text = "".join(str(event) for event in events if event.event == output)
    assert "a fox in the snow" in text and len([e for e in events if e.event == output]) > 1
    assert events[-1].event == ServerSentEvent.EventType.DONE
    prediction = client.models.predictions.create(model=LLAMA, input={"prompt": "a hare"}, stream=True)
    streamed = "".join(str(event) for event in prediction.stream() if event.event == output)
    assert "a hare" in streamed


@pytest.mark.timeout(120)
def test_models_get_and_versions(served: tuple[replicate.Client, Starlette]) -> None:
    client, app = served
    model = client.models.get(FLUX)
    assert (model.owner, model.name) == tuple(FLUX.split("/"))
    inputs = model.latest_version.openapi_schema["components"]["schemas"]["Input"]["properties"]
    spec = next(m for m in app.state.catalog.models if m.id == FLUX)
    assert list(inputs) == [field.name for field in spec.fields]
    assert [v.id for v in model.versions.list().results] == [model.latest_version.id]


@pytest.mark.timeout(120)
def test_files_upload_get_list_delete_and_serve_as_an_input(served: tuple[replicate.Client, Starlette]) -> None:
    client, app = served
    uploaded = client.files.create(io.BytesIO(b"\x89PNG fox"), filename="fox.png")
    assert uploaded.size == 8 and uploaded.content_type == "image/png"
    assert client.files.get(uploaded.id).name == "fox.png"
    assert uploaded.id in [f.id for f in client.files.list()]
    assert app.state.files.content_of(uploaded.urls["get"]) == b"\x89PNG fox"
    captioned = client.run("salesforce/blip", input={"image": uploaded.urls["get"]})
    assert isinstance(captioned, str)
    client.files.delete(uploaded.id)
    assert app.state.files.content_of(uploaded.urls["get"]) is None
