"""What an endpoint is, from its method, path, title, description and example."""

from __future__ import annotations

from typing import Any

import pytest

from generator.importing.normalize import kinds
from generator.importing.record import Endpoint, Source

HASH = "7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc"
INPUT_BODY = {"type": "object", "properties": {"input": {"type": "object", "properties": {}}}}


def endpoint(method: str, path: str, title: str = "", description: str = "", **fields: Any) -> Endpoint:
    return Endpoint(Source("page.txt", "0" * 64, "test"), title, method, path, description, **fields)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (endpoint("POST", "/replicate/v1/models/a/b/predictions", request_schema=INPUT_BODY), ("model", "a/b", None)),
        (
            endpoint("POST", "/v1/models/{owner}/{name}/predictions", "创建任务 x/y-1.5", request_schema=INPUT_BODY),
            ("model", "x/y-1.5", None),
        ),
        (
            endpoint(
                "POST",
                "/replicate/v1/predictions",
                "创建任务 stability-ai/sdxl",
                request_examples=({"version": f"stability-ai/sdxl:{HASH}", "input": {}},),
            ),
            ("model-version", "stability-ai/sdxl", HASH),
        ),
        (
            endpoint(
                "POST",
                "/replicate/v1/predictions",
                "创建任务",
                "官方文档: https://replicate.com/a/b",
                request_examples=({"version": HASH, "input": {}},),
            ),
            ("model-version", "a/b", HASH),
        ),
        (
            endpoint(
                "POST", "/replicate/v1/predictions", "创建任务", request_examples=({"version": "c/d", "input": {}},)
            ),
            ("model-version", "c/d", "c/d"),
        ),
        (
            endpoint(
                "POST", "/replicate/v1/predictions", "创建任务", request_examples=({"version": HASH, "input": {}},)
            ),
            ("create-by-version", "/", None),
        ),
        (
            endpoint("GET", "/replicate/v1/predictions/{任务id}", "查询任务", "官方文档: https://replicate.com/a/b"),
            ("get", "/", None),
        ),
        (endpoint("POST", "/v1/predictions/{id}/cancel"), ("cancel", "/", None)),
        (endpoint("GET", "/v1/predictions"), ("list", "/", None)),
    ],
)
def test_kinds(page: Endpoint, expected: tuple[str, str, str | None]) -> None:
    kind = kinds.classify(page)
    assert (kind.name, kind.model_id, kind.version) == expected


def test_the_version_map_of_a_create_by_version_page_is_kept() -> None:
    description = f'version models 支持以下\n"{HASH}":\n"stability-ai/sdxl",\n\n"{"a" * 64}": "x/y"'
    kind = kinds.classify(endpoint("POST", "/replicate/v1/predictions", "通过version", description))
    assert (kind.name, kind.versions) == ("create-by-version", {HASH: "stability-ai/sdxl", "a" * 64: "x/y"})


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (
            endpoint("POST", "/v1/images/generations"),
            "POST /v1/images/generations is not a Replicate prediction endpoint",
        ),
        (
            endpoint("POST", "/v1/models/{owner}/{name}/predictions", "创建任务"),
            "is templated and the page names no one model",
        ),
        (
            endpoint(
                "POST", "/v1/models/a/b/predictions", request_schema={"type": "object", "properties": {"prompt": {}}}
            ),
            "takes a flat body (prompt) without `input`",
        ),
        (endpoint("DELETE", "/v1/predictions/{id}"), "is not a Replicate prediction endpoint"),
    ],
)
def test_what_is_not_replicate_style_is_skipped_with_a_reason(page: Endpoint, reason: str) -> None:
    kind = kinds.classify(page)
    assert kind.name == "skipped"
    assert reason in kind.reason
