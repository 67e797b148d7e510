"""Every deadline of the generated client holds however the time is spent, arguments are checked
before any request, and the token is checked when the client is made, never shown."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from replicate_models import (
    APITimeoutError,
    Client,
    InvalidArgumentError,
    RateLimitError,
    ReplicateError,
    WaitTimeout,
)

from tests.client.test_client_behaviour import served
from tests.conftest import TOKEN

# What a deadline not held would wait for: a prediction, a poll and a Retry-After that each outlast
# every deadline below by a minute or more.
SLOW = {"processing_seconds": 600.0}
SLOW_POLL = {"X-Fault": "slow:90"}
LONG_RETRY_AFTER = {"X-Fault": "429:600"}
# Beyond a deadline, what a busy machine may take to end the call; far less than what a deadline not
# held waits for, so that the verdict does not depend on how busy the machine is.
BUSY = 30.0


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """The block ends within `seconds` (a deadline) and `BUSY`: well before what it would wait for
    if the deadline were not held."""
    started = time.monotonic()
    yield
    assert time.monotonic() - started < seconds + BUSY


def test_run_holds_its_timeout_across_the_create_and_the_polls() -> None:
    with served(**SLOW) as (client, app), within(2.0), pytest.raises(WaitTimeout):
        client.imagen_4_ultra.run(prompt="x", timeout=2.0)
    [create] = [r for r in app.state.store.received if r.method == "POST"]
    assert create.headers["prefer"] == "wait=1"  # a second short of the deadline, not 60


def test_a_run_shorter_than_a_second_asks_the_server_not_to_hold_it() -> None:
    with served(**SLOW) as (client, app), within(0.5), pytest.raises(WaitTimeout):
        client.imagen_4_ultra.run(prompt="x", timeout=0.5)
    [create] = [r for r in app.state.store.received if r.method == "POST"]
    assert "prefer" not in create.headers


@pytest.mark.parametrize("by_id", [False, True], ids=["prediction", "id"])
def test_wait_holds_its_timeout_when_polls_are_slow(by_id: bool) -> None:
    with served(**SLOW) as (client, _):
        prediction = client.imagen_4_ultra.create(prompt="x")
        slow = {"extra_headers": SLOW_POLL}  # every poll answers after 90 s
        with within(1.5), pytest.raises((WaitTimeout, APITimeoutError)) as caught:
            client.predictions.wait(prediction.id if by_id else prediction, timeout=1.5, options=slow)
    # With a prediction in hand the timeout is a WaitTimeout; an id whose first look timed out has none.
    assert isinstance(caught.value, APITimeoutError if by_id else WaitTimeout)


def test_a_retry_after_longer_than_the_time_left_is_raised_at_once() -> None:
    with served(**SLOW) as (client, _):
        prediction = client.imagen_4_ultra.create(prompt="x")
        throttled = {"extra_headers": LONG_RETRY_AFTER}
        with within(0), pytest.raises(RateLimitError):
            client.predictions.wait(prediction, timeout=3, poll_interval=0.05, options=throttled)


def test_the_async_client_holds_the_deadline_too() -> None:
    import asyncio

    from replicate_models import AsyncClient

    async def main(url: str) -> None:
        async with AsyncClient(api_token=TOKEN, base_url=url) as client:
            with within(1.5), pytest.raises(WaitTimeout):
                await client.imagen_4_ultra.run(prompt="x", timeout=1.5)

    with served(**SLOW) as (client, _):
        asyncio.run(main(client.base_url))


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.imagen_4_ultra.run(prompt="x", timeout=math.nan), "timeout"),
        (lambda c: c.imagen_4_ultra.run(prompt="x", timeout=-1), "timeout"),
        (lambda c: c.imagen_4_ultra.create(prompt="x", wait=math.inf), "wait"),
        (lambda c: c.imagen_4_ultra.create(prompt="x", wait=math.nan), "wait"),
        (lambda c: c.imagen_4_ultra.create(prompt="x", cancel_after=math.inf), "cancel_after"),
        (lambda c: c.imagen_4_ultra.create(prompt="x", cancel_after=0), "cancel_after"),
        (lambda c: c.imagen_4_ultra.create(prompt="x", cancel_after="5m\r\nX-Evil: 1"), "cancel_after"),
        (lambda c: c.predictions.wait("p", poll_interval=0), "poll_interval"),
        (lambda c: c.predictions.create(input={}), "version"),
    ],
    ids=[
        "timeout-nan",
        "timeout-negative",
        "wait-inf",
        "wait-nan",
        "cancel-inf",
        "cancel-zero",
        "cancel-crlf",
        "poll-zero",
        "version-or-model",
    ],
)
def test_bad_arguments_are_the_librarys_own_errors_before_any_request(call, argument: str) -> None:  # type: ignore[no-untyped-def]
    with served() as (client, app):
        with pytest.raises(InvalidArgumentError) as caught:
            call(client)
        assert caught.value.argument == argument
        assert isinstance(caught.value, ReplicateError) and isinstance(caught.value, ValueError)
        assert not app.state.store.received


def test_cancel_after_is_sent_in_whole_seconds_however_large() -> None:
    with served(**SLOW) as (client, app):
        client.imagen_4_ultra.create(prompt="x", cancel_after=1_036_800)
        [create] = [r for r in app.state.store.received if r.method == "POST"]
    assert create.headers["cancel-after"] == "1036800s"


def test_a_token_read_from_a_file_with_its_newline_works() -> None:
    with served() as (client, _), Client(api_token=f"  {TOKEN}\n", base_url=client.base_url) as padded:
        assert padded.imagen_4_ultra.create(prompt="x").id


@pytest.mark.parametrize(
    "token", ["abc\r\nX-Injected: 1", "abc\x00def", "abcé", "ab cd"], ids=["crlf", "nul", "non-ascii", "space"]
)
def test_a_token_that_cannot_be_a_header_is_refused_unseen(token: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(InvalidArgumentError) as caught:
        Client(api_token=token, base_url="http://127.0.0.1:9")
    assert caught.value.argument == "api_token"
    message = str(caught.value)
    assert "position 4" in message or "position 3" in message
    for part in ("abc", "def", "cd", "X-Injected"):
        assert part not in message and part not in caplog.text
