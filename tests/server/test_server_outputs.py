"""Output images: size, format and shape follow the input and the model's Output schema."""

from __future__ import annotations

from typing import Any

import pytest

from generator.server.outputs import output_file
from generator.spec.values import output_value


@pytest.mark.parametrize(
    ("model_input", "size"),
    [
        ({}, (1024, 1024)),
        ({"aspect_ratio": "16:9"}, (1024, 576)),
        ({"aspect_ratio": "9:16"}, (576, 1024)),
        ({"aspect_ratio": "None"}, (1024, 1024)),
        ({"resolution": "1280x768"}, (1280, 768)),
        ({"resolution": "832*480"}, (832, 480)),
        ({"resolution": "2K", "aspect_ratio": "3:2"}, (2048, 1365)),
        ({"width": 512, "height": 640, "aspect_ratio": "16:9"}, (512, 640)),
        ({"width": 100000, "height": 10}, (4096, 10)),
    ],
)
def test_the_size_follows_the_input(model_input: dict[str, Any], size: tuple[int, int]) -> None:
    assert (output_file("p", model_input, 0).width, output_file("p", model_input, 0).height) == size


def test_the_format_follows_output_format_and_renders_a_real_file() -> None:
    image = output_file("p", {"output_format": "webp", "width": 64, "height": 32}, 0)
    assert (image.ext, image.mime) == ("webp", "image/webp")
    assert image.render()[8:12] == b"WEBP"


def test_one_url_or_a_list_as_the_output_schema_says() -> None:
    def url(index: int) -> str:
        return f"u{index}"

    def nothing(ref: str) -> None:
        raise AssertionError(ref)

    uris = {"type": "array", "items": {"type": "string", "format": "uri"}}
    assert output_value({"type": "string", "format": "uri"}, {}, url, nothing) == "u0"
    assert output_value(uris, {"num_outputs": 3}, url, nothing) == ["u0", "u1", "u2"]
    assert output_value({}, {"num_outputs": 0}, url, nothing) == ["u0"]  # an open Output: a list, as image models do
