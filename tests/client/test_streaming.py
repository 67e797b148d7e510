"""Streaming: a language model's `stream()` (sync and async) yields its text as the local server
makes it, in Replicate's server-sent events (`id:`, `event:`, `data:`); a failed run raises."""

from __future__ import annotations

import httpx
import pytest

from generator.server import ServerConfig, create_app, running
from tests.conftest import TOKEN, Generated, run_client

_STREAM = """
import asyncio, sys
from replicate_models import AsyncClient, Client, PredictionFailed

url, token = sys.argv[1], sys.argv[2]
with Client(api_token=token, base_url=url) as client:
    pieces = list(client.meta_llama_3_8b_instruct.stream(prompt="a fox in the snow"))
    whole = client.meta_llama_3_8b_instruct.run(prompt="a fox in the snow")
    assert len(pieces) > 1 and "".join(pieces) == "".join(whole), (pieces, whole)
    try:
        list(client.meta_llama_3_8b_instruct.stream(prompt="x", options={"extra_headers": {"x-fault": "fail"}}))
    except PredictionFailed as exc:
        assert exc.prediction.status == "failed"
    else:
        raise AssertionError("a failed prediction's stream ended quietly")

async def main() -> list[str]:
    async with AsyncClient(api_token=token, base_url=url) as client:
        return [piece async for piece in client.meta_llama_3_8b_instruct.stream(prompt="a fox in the snow")]

assert "".join(asyncio.run(main())) == "".join(pieces)
print("".join(pieces))
"""


@pytest.mark.timeout(300)
def test_a_language_models_stream_yields_its_text_as_it_comes(replicate_catalogue: Generated) -> None:
    config = ServerConfig(tokens=(TOKEN,), starting_seconds=0.01, processing_seconds=0.3)
    streamed = run_client(_STREAM, replicate_catalogue.out / "python", create_app(replicate_catalogue.specs, config))
    assert streamed.returncode == 0, streamed.stderr
    assert "a fox in the snow" in streamed.stdout


@pytest.mark.timeout(120)
def test_every_event_carries_an_id_and_the_last_is_done(replicate_catalogue: Generated) -> None:
    config = ServerConfig(tokens=(TOKEN,), starting_seconds=0.01, processing_seconds=0.05)
    with running(create_app(replicate_catalogue.specs, config)) as url, httpx.Client(base_url=url, timeout=30) as http:
        http.headers["Authorization"] = f"Bearer {TOKEN}"
        created = http.post(
            "/v1/models/meta/meta-llama-3-8b-instruct/predictions", json={"input": {"prompt": "hi"}, "stream": True}
        )
        assert created.status_code == 202, created.text
        text = http.get(created.json()["urls"]["stream"], headers={"Accept": "text/event-stream"}).text
    events = [block.split("\n") for block in text.strip().split("\n\n")]
    assert all(lines[0].startswith("id: ") and lines[1].startswith("event: ") for lines in events)
    assert len({lines[0] for lines in events}) == len(events)  # each id once
    assert [lines[1] for lines in events][-1] == "event: done"
    assert "event: output" in [lines[1] for lines in events]
