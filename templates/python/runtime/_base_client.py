"""HTTP machinery shared by `Client` and `AsyncClient`: configuration, requests, retries, errors.

Every request made inside `deadline(seconds)` (as `run` and `wait` do) holds that deadline too: its
timeouts shrink to the time left, no retry sleeps past it, and none starts after it.

Retries, with exponential backoff and jitter, honouring `Retry-After` up to a cap:

- every call: `429` (the server refused before doing anything) and connections that never opened;
- only calls that are safe to repeat (get, cancel, list, downloads): `5xx`, timeouts and connections
  that broke mid-response. A create is never retried on those: the server may have started a
  prediction, and a second create would start, and bill, another one.
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Self

import anyio
import httpx

from ._defaults import DEFAULT_BASE_URL
from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    InvalidArgumentError,
    ReplicateError,
    make_status_error,
    retry_after,
)
from ._files import FileEncoding, PendingFile, data_uri
from ._types import RequestOptions
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "AsyncAPIClient",
    "SyncAPIClient",
    "deadline",
    "seconds",
    "time_left",
]

log = logging.getLogger(__package__)

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_DATA_URI_LIMIT = (
    256 * 1024
)  # a file given to an input, up to this size, goes inline as a data: URI
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0  # a longer `Retry-After` is not waited out: the error is raised instead
_RETRY_ON_ANY_CALL = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_REDACTED = "[redacted]"
# A contextvar: each thread and each async task (asyncio or trio) sees the deadline of the call it is inside.
_DEADLINE: ContextVar[float | None] = ContextVar(f"{__package__}_deadline", default=None)


def seconds(value: object, argument: str, *, positive: bool = False) -> float:
    """A finite number of seconds (>= 0, or > 0): `nan` would never time out, `inf` never end."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidArgumentError(
            f"{argument}: expected a finite number of seconds, got {value!r}", argument=argument
        )
    if value < 0 or (positive and value == 0):
        least = "above" if positive else "from"
        raise InvalidArgumentError(
            f"{argument}: expected a number of seconds {least} 0, got {value!r}", argument=argument
        )
    return float(value)


@contextmanager
def deadline(timeout: float | None, argument: str = "timeout") -> Iterator[None]:
    """Every request made inside ends by `timeout` seconds from now, or by an enclosing deadline
    if that is sooner; None adds no deadline of its own."""
    if timeout is None:
        yield
        return
    at = time.monotonic() + seconds(timeout, argument)
    enclosing = _DEADLINE.get()
    token = _DEADLINE.set(at if enclosing is None else min(enclosing, at))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def time_left() -> float | None:
    """Seconds until the current deadline (<= 0 once passed), or None outside any deadline."""
    at = _DEADLINE.get()
    return None if at is None else at - time.monotonic()


def _checked_token(token: str) -> str:
    """The token as sent in `Authorization`: surrounding whitespace (a file's last newline) dropped,
    and anything that could not be sent in a header refused by position, the token never shown."""
    token = token.strip()
    bad = next((i for i, c in enumerate(token) if not "!" <= c <= "~"), None)
    if bad is not None:
        raise InvalidArgumentError(
            "api_token holds a character that cannot be sent in an HTTP header (a space, control or "
            f"non-ASCII character at position {bad + 1} of {len(token)}); check where the token was read from",
            argument="api_token",
        )
    return token


def _timeout(value: float | httpx.Timeout | None, default: httpx.Timeout) -> httpx.Timeout:
    if value is None:
        return default
    return (
        value
        if isinstance(value, httpx.Timeout)
        else httpx.Timeout(value, connect=min(value, 10.0))
    )


def _within(timeout: httpx.Timeout, left: float | None) -> httpx.Timeout:
    """Each phase's timeout, cut to the time left before the deadline."""
    if left is None:
        return timeout

    def cut(value: float | None) -> float:
        return max(0.001, left if value is None else min(value, left))

    return httpx.Timeout(
        connect=cut(timeout.connect),
        read=cut(timeout.read),
        write=cut(timeout.write),
        pool=cut(timeout.pool),
    )


def _backoff(attempt: int, response: httpx.Response | None) -> float | None:
    """Seconds before retry number `attempt` (1-based); None when `Retry-After` asks for too long."""
    asked = retry_after(response) if response is not None else None
    if asked is not None:
        return asked if asked <= MAX_RETRY_AFTER else None
    delay = min(MAX_RETRY_DELAY, INITIAL_RETRY_DELAY * 2.0 ** (attempt - 1))
    return delay * (1 - 0.25 * random.random())  # jitter: many clients do not retry in step


def _redacted(headers: httpx.Headers) -> dict[str, str]:
    return {k: _REDACTED if k.lower() == "authorization" else v for k, v in headers.items()}


class _BaseClient:
    def __init__(
        self,
        *,
        api_token: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        default_headers: Mapping[str, str] | None,
        max_retries: int,
        file_encoding: FileEncoding,
        data_uri_limit: int,
    ) -> None:
        token = api_token if api_token is not None else os.environ.get("REPLICATE_API_TOKEN")
        if not token or not token.strip():
            raise ReplicateError("No API token: pass api_token=... or set REPLICATE_API_TOKEN.")
        self._api_token = _checked_token(token)
        # An aggregator mounts the API under a prefix: https://host/replicate + /v1/...
        self.base_url = (
            base_url or os.environ.get("REPLICATE_BASE_URL") or DEFAULT_BASE_URL
        ).rstrip("/")
        self.timeout = _timeout(timeout, DEFAULT_TIMEOUT)
        self.max_retries = max_retries
        self._default_headers = dict(default_headers or {})
        if file_encoding not in ("auto", "data-uri", "upload"):
            raise InvalidArgumentError(
                "file_encoding: expected 'auto', 'data-uri' or 'upload'", argument="file_encoding"
            )
        self.file_encoding: FileEncoding = file_encoding
        self.data_uri_limit = data_uri_limit

    def _inline(self, pending: PendingFile) -> bool:
        """Whether a file given to an input goes as a `data:` URI rather than uploaded."""
        return self.file_encoding == "data-uri" or (
            self.file_encoding == "auto" and len(pending.data) <= self.data_uri_limit
        )

    def __repr__(self) -> str:  # never the token
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _headers(self, url: str, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {
            "User-Agent": f"{__package__}/{__version__}",
            **self._default_headers,
            **(extra or {}),
        }
        # The token goes to the API's own origin only: never to a file host, never over a downgraded scheme.
        target, api = httpx.URL(url), httpx.URL(self.base_url)
        if (target.scheme, target.netloc) == (api.scheme, api.netloc):
            headers["Authorization"] = f"Bearer {self._api_token}"
        return headers

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def _build(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        json: Any,
        options: RequestOptions,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx.Request:
        timeout = _within(_timeout(options.get("timeout"), self.timeout), time_left())
        url = self._url(path)
        headers = self._headers(url, options.get("extra_headers"))
        return http.build_request(
            method, url, json=json, files=files, headers=headers, timeout=timeout
        )

    def _retry_delay(
        self,
        request: httpx.Request,
        attempt: int,
        retries: int,
        idempotent: bool,
        response: httpx.Response | None,
        error: httpx.TransportError | None,
    ) -> float | None:
        """Seconds to wait before trying again, or None to give up now."""
        if attempt > retries:
            return None
        if response is not None:
            retryable = response.status_code == 429 or (idempotent and response.status_code >= 500)
        else:
            retryable = isinstance(error, _RETRY_ON_ANY_CALL) or idempotent
        delay = _backoff(attempt, response) if retryable else None
        left = time_left()
        if delay is not None and left is not None and delay >= left:
            return (
                None  # the deadline comes first: the error now, not after a wait that cannot help
            )
        if delay is not None:
            why = f"status {response.status_code}" if response is not None else type(error).__name__
            log.info(
                "%s %s: %s; retry %d of %d in %.2f s",
                request.method,
                request.url,
                why,
                attempt,
                retries,
                delay,
            )
        return delay

    @staticmethod
    def _log(request: httpx.Request, response: httpx.Response | None = None) -> None:
        if not log.isEnabledFor(logging.DEBUG):  # on every request: skip the formatting
            return
        if response is None:
            log.debug("%s %s headers=%s", request.method, request.url, _redacted(request.headers))
        else:
            log.debug("%s %s -> %s", request.method, request.url, response.status_code)

    @staticmethod
    def _error(request: httpx.Request, error: httpx.TransportError) -> APIConnectionError:
        if isinstance(error, httpx.TimeoutException):
            return APITimeoutError(f"{request.method} {request.url} timed out", request=request)
        return APIConnectionError(
            f"{request.method} {request.url} failed: {error}", request=request
        )


class SyncAPIClient(_BaseClient):
    def __init__(
        self,
        *,
        api_token: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        file_encoding: FileEncoding = "auto",
        data_uri_limit: int = DEFAULT_DATA_URI_LIMIT,
    ) -> None:
        """Token from `api_token` or `REPLICATE_API_TOKEN`; base URL from `base_url`,
        `REPLICATE_BASE_URL` or `DEFAULT_BASE_URL`. Pass `http_client` to set proxies or limits.
        A file given to an input goes as a `data:` URI up to `data_uri_limit` bytes, else uploaded
        (`file_encoding="auto"`); "data-uri" or "upload" always does one."""
        super().__init__(
            api_token=api_token,
            base_url=base_url,
            timeout=timeout,
            default_headers=default_headers,
            max_retries=max_retries,
            file_encoding=file_encoding,
            data_uri_limit=data_uri_limit,
        )
        self._http = http_client if http_client is not None else httpx.Client(timeout=self.timeout)

    def _encode_file(self, pending: PendingFile, options: RequestOptions | None = None) -> str:
        """What is sent for a file given to an input: a `data:` URI, or the URL of the file uploaded
        through the files API (`POST /v1/files`)."""
        if self._inline(pending):
            return data_uri(pending)
        response = self._request(
            "POST",
            "/v1/files",
            files={"content": (pending.name, pending.data, pending.content_type)},
            options=options,
            idempotent=True,  # a second upload of the same bytes harms nothing
        )
        try:
            return str(response.json()["urls"]["get"])
        except (ValueError, KeyError, TypeError):
            raise ReplicateError(
                f"POST /v1/files answered no file URL: {response.text[:200]!r}"
            ) from None

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        options: RequestOptions | None = None,
        idempotent: bool,
        stream: bool = False,
    ) -> httpx.Response:
        """Send, retrying what is safe to retry (see the module docstring); raise our errors."""
        options = options or {}
        retries = options.get("max_retries", self.max_retries)
        attempt = 0
        while True:
            attempt += 1
            request = self._build(self._http, method, path, json, options, files)
            if (left := time_left()) is not None and left <= 0:
                raise APITimeoutError(
                    f"{method} {request.url}: not sent, the deadline has passed", request=request
                )
            self._log(request)
            response: httpx.Response | None = None
            try:
                response = self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                delay = self._retry_delay(request, attempt, retries, idempotent, None, exc)
                if delay is None:
                    raise self._error(request, exc) from exc
            else:
                self._log(request, response)
                if not response.is_error:
                    return response
                delay = self._retry_delay(request, attempt, retries, idempotent, response, None)
                if delay is None:
                    if stream:
                        response.read()
                    raise make_status_error(response)
                response.close()
            time.sleep(delay)

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAPIClient(_BaseClient):
    def __init__(
        self,
        *,
        api_token: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        file_encoding: FileEncoding = "auto",
        data_uri_limit: int = DEFAULT_DATA_URI_LIMIT,
    ) -> None:
        """Token from `api_token` or `REPLICATE_API_TOKEN`; base URL from `base_url`,
        `REPLICATE_BASE_URL` or `DEFAULT_BASE_URL`. Pass `http_client` to set proxies or limits.
        A file given to an input goes as a `data:` URI up to `data_uri_limit` bytes, else uploaded
        (`file_encoding="auto"`); "data-uri" or "upload" always does one."""
        super().__init__(
            api_token=api_token,
            base_url=base_url,
            timeout=timeout,
            default_headers=default_headers,
            max_retries=max_retries,
            file_encoding=file_encoding,
            data_uri_limit=data_uri_limit,
        )
        self._http = (
            http_client if http_client is not None else httpx.AsyncClient(timeout=self.timeout)
        )

    async def _encode_file(
        self, pending: PendingFile, options: RequestOptions | None = None
    ) -> str:
        """What is sent for a file given to an input: a `data:` URI, or the URL of the file uploaded
        through the files API (`POST /v1/files`)."""
        if self._inline(pending):
            return data_uri(pending)
        response = await self._request(
            "POST",
            "/v1/files",
            files={"content": (pending.name, pending.data, pending.content_type)},
            options=options,
            idempotent=True,  # a second upload of the same bytes harms nothing
        )
        try:
            return str(response.json()["urls"]["get"])
        except (ValueError, KeyError, TypeError):
            raise ReplicateError(
                f"POST /v1/files answered no file URL: {response.text[:200]!r}"
            ) from None

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        options: RequestOptions | None = None,
        idempotent: bool,
        stream: bool = False,
    ) -> httpx.Response:
        """Send, retrying what is safe to retry (see the module docstring); raise our errors."""
        options = options or {}
        retries = options.get("max_retries", self.max_retries)
        attempt = 0
        while True:
            attempt += 1
            request = self._build(self._http, method, path, json, options, files)
            if (left := time_left()) is not None and left <= 0:
                raise APITimeoutError(
                    f"{method} {request.url}: not sent, the deadline has passed", request=request
                )
            self._log(request)
            response: httpx.Response | None = None
            try:
                response = await self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                delay = self._retry_delay(request, attempt, retries, idempotent, None, exc)
                if delay is None:
                    raise self._error(request, exc) from exc
            else:
                self._log(request, response)
                if not response.is_error:
                    return response
                delay = self._retry_delay(request, attempt, retries, idempotent, response, None)
                if delay is None:
                    if stream:
                        await response.aread()
                    raise make_status_error(response)
                await response.aclose()
            await anyio.sleep(delay)

    async def close(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
