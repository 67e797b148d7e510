"""`client.predictions`: create by version, get, cancel, list and wait, whichever model it is."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import anyio
import httpx
from httpx_sse import EventSource, ServerSentEvent
from pydantic import BaseModel, ValidationError

from ._base_client import deadline, seconds, time_left
from ._defaults import MODEL_VERSIONS
from ._exceptions import (
    APIResponseError,
    APITimeoutError,
    InvalidArgumentError,
    InvalidInputError,
    PredictionFailed,
    ReplicateError,
    WaitTimeout,
)
from ._files import to_files
from ._models import Prediction
from ._types import NOT_GIVEN, NotGiven, RequestOptions, Wait, WebhookEvent

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient

__all__ = ["AsyncPredictions", "Predictions", "build_body", "output_of"]

DEFAULT_POLL_INTERVAL = 0.5
MAX_WAIT = 60  # the longest `Prefer: wait` the API honours


def build_body(
    model: str,
    input_model: type[BaseModel],
    values: Mapping[str, object],
    *,
    extra_input: Mapping[str, Any] | None,
    webhook: str | NotGiven,
    webhook_events_filter: Sequence[WebhookEvent] | NotGiven,
    accepts_null: Collection[str] = (),
) -> dict[str, Any]:
    """The create body; the inputs are validated by `input_model` before any request is sent.

    Only the inputs given are sent: the model applies its own defaults to the rest. `None` is "not
    given" for an input whose schema does not take null (`accepts_null` lists those that do), so it
    is never sent as a null the model would refuse.
    `extra_input` carries inputs the documentation does not list, unvalidated.
    """
    given = {
        name: value
        for name, value in values.items()
        if not isinstance(value, NotGiven) and (value is not None or name in accepts_null)
    }
    try:
        checked = input_model.model_validate(given)
    except ValidationError as exc:
        problems = [
            {"loc": e["loc"], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False)
        ]
        raise InvalidInputError(model, problems) from None
    validated = checked.model_dump(mode="json", by_alias=True, exclude_unset=True)
    body: dict[str, Any] = {"input": {**(extra_input or {}), **validated}}
    if not isinstance(webhook, NotGiven):
        body["webhook"] = webhook
    if not isinstance(webhook_events_filter, NotGiven):
        body["webhook_events_filter"] = list(webhook_events_filter)
    return body


def _cancel_after(value: float | str) -> str:
    """`Cancel-After`: a duration as given ("5m"), or seconds written whole (`1036800s`) or in ms."""
    if isinstance(value, str):
        if not value or not all("!" <= c <= "~" for c in value):
            raise InvalidArgumentError(
                'cancel_after: expected a duration such as "5m" or a number of seconds',
                argument="cancel_after",
            )
        return value
    duration = seconds(value, "cancel_after", positive=True)
    return f"{int(duration)}s" if duration.is_integer() else f"{round(duration * 1000)}ms"


def _hold(wait: Wait) -> int:
    """Seconds of `Prefer: wait` to ask for (0: none): what `wait` asks, 1 to 60, and about a second
    short of the deadline the call is made under, so the answer comes before the deadline does."""
    if wait is False:
        return 0
    hold = MAX_WAIT if wait is True else math.ceil(min(MAX_WAIT, seconds(wait, "wait")))
    left = time_left()
    if left is not None:
        hold = min(hold, round(left - 1.0))
    return max(0, hold)


def _create_options(
    wait: Wait,
    cancel_after: float | str | None,
    options: RequestOptions | None,
    timeout: httpx.Timeout,
) -> RequestOptions:
    """`Prefer: wait` holds the response, so the read timeout must outlast it; `Cancel-After` bounds
    the prediction on the server, so it ends (and stops costing) even if this process dies."""
    merged: RequestOptions = {**(options or {})}
    headers = dict(merged.get("extra_headers") or {})
    if cancel_after is not None:
        headers["Cancel-After"] = _cancel_after(cancel_after)
    if hold := _hold(wait):
        headers["Prefer"] = f"wait={hold}"
        base = merged.get("timeout", timeout)
        base = base if isinstance(base, httpx.Timeout) else httpx.Timeout(base)
        merged["timeout"] = httpx.Timeout(
            connect=base.connect,
            read=max(base.read or 0.0, hold + 10.0),
            write=base.write,
            pool=base.pool,
        )
    merged["extra_headers"] = headers
    return merged


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise APIResponseError(
            f"{response.request.method} {response.request.url}: the body is not JSON ({exc})",
            response=response,
        ) from exc


def _prediction(response: httpx.Response) -> Prediction:
    try:
        prediction = Prediction.model_validate(_json(response))
    except ValidationError as exc:
        raise APIResponseError(
            f"{response.request.method} {response.request.url}: the body is not a prediction ({exc.error_count()} "
            "problem(s))",
            response=response,
        ) from exc
    prediction._response = response
    return prediction


def _list_path(created_after: str | None, created_before: str | None) -> str:
    query = {
        k: v for k, v in (("created_after", created_after), ("created_before", created_before)) if v
    }
    return "/v1/predictions" + (f"?{urlencode(query)}" if query else "")


def _path(prediction_id: str) -> str:
    return f"/v1/predictions/{quote(prediction_id, safe='')}"


def output_of(prediction: Prediction, client: SyncAPIClient | AsyncAPIClient, files: Any) -> Any:
    """The output of a prediction that ended, the files its schema places (`files`, see `to_files`)
    as `FileOutput`; `PredictionFailed` unless it succeeded."""
    if prediction.status != "succeeded":
        raise PredictionFailed(prediction)
    return to_files(prediction.output, client, files)


class Predictions:
    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    def _create(
        self,
        path: str,
        body: dict[str, Any],
        *,
        wait: Wait,
        cancel_after: float | str | None,
        options: RequestOptions | None,
    ) -> Prediction:
        merged = _create_options(wait, cancel_after, options, self._client.timeout)
        # Not idempotent: a retried create could start, and bill, a second prediction.
        response = self._client._request("POST", path, json=body, options=merged, idempotent=False)
        return _prediction(response)

    def create(
        self,
        *,
        input: Mapping[str, Any],
        version: str | None = None,
        model: str | None = None,
        wait: Wait = False,
        cancel_after: float | str | None = None,
        webhook: str | NotGiven = NOT_GIVEN,
        webhook_events_filter: Sequence[WebhookEvent] | NotGiven = NOT_GIVEN,
        options: RequestOptions | None = None,
    ) -> Prediction:
        """Create a prediction of any model version: `version` is a version hash, `owner/name:hash`,
        or `owner/name` for an official model; or name the `model` and its version is looked up in
        `MODEL_VERSIONS` (the model name itself is sent when it is not there). `input` is sent as
        given, unvalidated; the per-model methods (`client.<model>.create`) check it first."""
        if (version is None) == (model is None):
            raise InvalidArgumentError(
                "pass exactly one of version= and model=", argument="version"
            )
        reference = version if version is not None else MODEL_VERSIONS.get(str(model), str(model))
        body: dict[str, Any] = {"version": reference, "input": dict(input)}
        if not isinstance(webhook, NotGiven):
            body["webhook"] = webhook
        if not isinstance(webhook_events_filter, NotGiven):
            body["webhook_events_filter"] = list(webhook_events_filter)
        return self._create(
            "/v1/predictions", body, wait=wait, cancel_after=cancel_after, options=options
        )

    def get(self, id: str, *, options: RequestOptions | None = None) -> Prediction:
        """The prediction as it is now."""
        return _prediction(
            self._client._request("GET", _path(id), options=options, idempotent=True)
        )

    def cancel(self, id: str, *, options: RequestOptions | None = None) -> Prediction:
        """Ask the server to cancel; returns the prediction as the server then reports it.
        Canceling twice is harmless, so this is retried like a read."""
        response = self._client._request(
            "POST", _path(id) + "/cancel", options=options, idempotent=True
        )
        return _prediction(response)

    def list(
        self,
        *,
        created_after: str | None = None,
        created_before: str | None = None,
        options: RequestOptions | None = None,
    ) -> Iterator[Prediction]:
        """Every prediction, newest first, fetched a page at a time by following `next`.

        `for prediction in client.predictions.list(): ...`
        """
        url: str | None = _list_path(created_after, created_before)
        while url:
            response = self._client._request("GET", url, options=options, idempotent=True)
            page = _json(response)
            for item in page.get("results") or ():
                yield Prediction.model_validate(item)
            url = page.get("next")

    def stream(
        self, prediction: Prediction | str, *, options: RequestOptions | None = None
    ) -> Iterator[ServerSentEvent]:
        """The prediction's server-sent events (`output`, `logs`, `error`, then `done`) from
        `urls.stream`, as they happen; the iteration ends after `done`.

        `for event in client.predictions.stream(prediction): print(event.event, event.data)`
        """
        current = (
            prediction
            if isinstance(prediction, Prediction)
            else self.get(prediction, options=options)
        )
        if not current.urls.stream:
            raise ReplicateError(
                f"prediction {current.id} has no stream URL: its model does not stream"
            )
        # Events may be minutes apart: no read timeout unless the caller sets one.
        merged: RequestOptions = {"timeout": httpx.Timeout(10.0, read=None), **(options or {})}
        headers = {"Accept": "text/event-stream", **(merged.get("extra_headers") or {})}
        merged["extra_headers"] = headers
        response = self._client._request(
            "GET", current.urls.stream, options=merged, idempotent=True, stream=True
        )
        try:
            for event in EventSource(response).iter_sse():
                yield event
                if event.event == "done":
                    return
        finally:
            response.close()

    def wait(
        self,
        prediction: Prediction | str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        options: RequestOptions | None = None,
    ) -> Prediction:
        """Poll until the prediction ends (any terminal status, `aborted` included).

        Raises `WaitTimeout` when `timeout` seconds pass first, however they are spent (polls that
        are slow, retries, `Retry-After`); the prediction keeps running.
        """
        pause = seconds(poll_interval, "poll_interval", positive=True)
        current = prediction if isinstance(prediction, Prediction) else None
        with deadline(timeout):
            try:
                if current is None:
                    current = self.get(str(prediction), options=options)
                while not current.terminal:
                    left = time_left()
                    if left is not None and left <= 0:
                        raise WaitTimeout(current, timeout or 0.0)
                    time.sleep(pause if left is None else min(pause, left))
                    current = self.get(current.id, options=options)
            except APITimeoutError as exc:
                left = time_left()
                if current is None or left is None or left > 0:  # not the deadline's doing
                    raise
                raise WaitTimeout(current, timeout or 0.0) from exc
        return current


class AsyncPredictions:
    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    async def _create(
        self,
        path: str,
        body: dict[str, Any],
        *,
        wait: Wait,
        cancel_after: float | str | None,
        options: RequestOptions | None,
    ) -> Prediction:
        merged = _create_options(wait, cancel_after, options, self._client.timeout)
        # Not idempotent: a retried create could start, and bill, a second prediction.
        response = await self._client._request(
            "POST", path, json=body, options=merged, idempotent=False
        )
        return _prediction(response)

    async def create(
        self,
        *,
        input: Mapping[str, Any],
        version: str | None = None,
        model: str | None = None,
        wait: Wait = False,
        cancel_after: float | str | None = None,
        webhook: str | NotGiven = NOT_GIVEN,
        webhook_events_filter: Sequence[WebhookEvent] | NotGiven = NOT_GIVEN,
        options: RequestOptions | None = None,
    ) -> Prediction:
        """Create a prediction of any model version: `version` is a version hash, `owner/name:hash`,
        or `owner/name` for an official model; or name the `model` and its version is looked up in
        `MODEL_VERSIONS` (the model name itself is sent when it is not there). `input` is sent as
        given, unvalidated; the per-model methods (`client.<model>.create`) check it first."""
        if (version is None) == (model is None):
            raise InvalidArgumentError(
                "pass exactly one of version= and model=", argument="version"
            )
        reference = version if version is not None else MODEL_VERSIONS.get(str(model), str(model))
        body: dict[str, Any] = {"version": reference, "input": dict(input)}
        if not isinstance(webhook, NotGiven):
            body["webhook"] = webhook
        if not isinstance(webhook_events_filter, NotGiven):
            body["webhook_events_filter"] = list(webhook_events_filter)
        return await self._create(
            "/v1/predictions", body, wait=wait, cancel_after=cancel_after, options=options
        )

    async def get(self, id: str, *, options: RequestOptions | None = None) -> Prediction:
        """The prediction as it is now."""
        return _prediction(
            await self._client._request("GET", _path(id), options=options, idempotent=True)
        )

    async def cancel(self, id: str, *, options: RequestOptions | None = None) -> Prediction:
        """Ask the server to cancel; returns the prediction as the server then reports it.
        Canceling twice is harmless, so this is retried like a read."""
        response = await self._client._request(
            "POST", _path(id) + "/cancel", options=options, idempotent=True
        )
        return _prediction(response)

    async def list(
        self,
        *,
        created_after: str | None = None,
        created_before: str | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[Prediction]:
        """Every prediction, newest first, fetched a page at a time by following `next`.

        `async for prediction in client.predictions.list(): ...`
        """
        url: str | None = _list_path(created_after, created_before)
        while url:
            response = await self._client._request("GET", url, options=options, idempotent=True)
            page = _json(response)
            for item in page.get("results") or ():
                yield Prediction.model_validate(item)
            url = page.get("next")

    async def stream(
        self, prediction: Prediction | str, *, options: RequestOptions | None = None
    ) -> AsyncIterator[ServerSentEvent]:
        """The prediction's server-sent events (`output`, `logs`, `error`, then `done`) from
        `urls.stream`, as they happen; the iteration ends after `done`.

        `async for event in client.predictions.stream(prediction): print(event.event, event.data)`
        """
        current = (
            prediction
            if isinstance(prediction, Prediction)
            else await self.get(prediction, options=options)
        )
        if not current.urls.stream:
            raise ReplicateError(
                f"prediction {current.id} has no stream URL: its model does not stream"
            )
        # Events may be minutes apart: no read timeout unless the caller sets one.
        merged: RequestOptions = {"timeout": httpx.Timeout(10.0, read=None), **(options or {})}
        headers = {"Accept": "text/event-stream", **(merged.get("extra_headers") or {})}
        merged["extra_headers"] = headers
        response = await self._client._request(
            "GET", current.urls.stream, options=merged, idempotent=True, stream=True
        )
        try:
            async for event in EventSource(response).aiter_sse():
                yield event
                if event.event == "done":
                    return
        finally:
            await response.aclose()

    async def wait(
        self,
        prediction: Prediction | str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        options: RequestOptions | None = None,
    ) -> Prediction:
        """Poll until the prediction ends (any terminal status, `aborted` included).

        Raises `WaitTimeout` when `timeout` seconds pass first, however they are spent (polls that
        are slow, retries, `Retry-After`); the prediction keeps running.
        """
        pause = seconds(poll_interval, "poll_interval", positive=True)
        current = prediction if isinstance(prediction, Prediction) else None
        with deadline(timeout):
            try:
                if current is None:
                    current = await self.get(str(prediction), options=options)
                while not current.terminal:
                    left = time_left()
                    if left is not None and left <= 0:
                        raise WaitTimeout(current, timeout or 0.0)
                    await anyio.sleep(pause if left is None else min(pause, left))
                    current = await self.get(current.id, options=options)
            except APITimeoutError as exc:
                left = time_left()
                if current is None or left is None or left > 0:  # not the deadline's doing
                    raise
                raise WaitTimeout(current, timeout or 0.0) from exc
        return current
