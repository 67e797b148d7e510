"""What every route shares, before its own work: the size limit, the request log, auth, the content
type, and the fault (if any) this request is to suffer."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from generator.server.config import ServerConfig
from generator.server.faults import Fault, FaultPlan
from generator.server.problems import problem
from generator.server.store import PredictionStore, Received
from generator.spec import reading

FAULT_HEADER = "x-fault"

Handler = Callable[[Request, Any, Fault | None], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class DroppedConnection(Exception):
    """Raised mid-response on purpose: the connection is closed with the body half sent."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
log = logging.getLogger("replicate_codegen.server")


class _DropResponse(Response):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"id": "', "more_body": True})
        raise DroppedConnection


_MULTIPART_OVERHEAD = 64 * 1024  # the boundaries, headers and fields around an uploaded file
_LONGEST_SLOW = 120.0  # `slow:S` from any client's header: no request holds a connection for longer


async def _suffer(fault: Fault) -> Response | None:
    """The response an HTTP-level fault replaces the real one with; None lets the request through."""
    if fault.kind == "slow":
        await asyncio.sleep(min(_LONGEST_SLOW, fault.argument if fault.argument is not None else 1.0))
    elif fault.kind == "429":
        seconds = fault.argument if fault.argument is not None else 1.0
        retry = {"retry-after": f"{seconds:g}"}
        return problem(429, "Too many requests", "Request was throttled (injected fault).", retry)
    elif fault.kind in ("500", "503"):
        return problem(int(fault.kind), "Server error", "injected fault")
    elif fault.kind == "drop":
        return _DropResponse()
    elif fault.kind == "malformed":
        return Response(b'{"id": "malformed', media_type="application/json")
    return None


async def _body(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes `limit` bytes: counted as it arrives, so a chunked upload
    with no Content-Length is cut off there, not read whole first."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: bytes) -> tuple[Any, str | None]:
    """(the JSON value, None), or (the text as received, why it is refused). Everything that could
    not be stored or sent back as JSON is refused here: bytes that are not UTF-8, NaN, lone
    surrogates, nesting or integers past the bounds of generator.spec.reading."""
    if not raw:
        return None, None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return raw.decode("utf-8", "replace"), f"the request body is not UTF-8 (byte {exc.start})"
    try:
        return reading.parse_json(text), None
    except json.JSONDecodeError as exc:
        return text, f"the request body is not JSON: {exc.msg}"
    except reading.OutOfBounds as exc:
        where = f" at {exc.where}" if isinstance(exc.where, str) else ""
        return text, f"the request body is refused{where}: {exc.msg}"


def _is_json(content_type: str) -> bool:
    """`application/json` or a `+json` type, parameters aside; not `application/jsonx`."""
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


@dataclass
class Guard:
    config: ServerConfig
    store: PredictionStore
    faults: FaultPlan

    def authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token in self.config.tokens

    def __call__(self, handler: Handler, *, auth: bool = True, upload: bool = False) -> Endpoint:
        """`handler` behind the checks every route shares. An `upload` route takes a multipart body
        up to the size of a file (the handler gets its bytes); any other, JSON up to `max_body_bytes`."""
        limit = self.config.max_file_bytes + _MULTIPART_OVERHEAD if upload else self.config.max_body_bytes

        async def endpoint(request: Request) -> Response:
            try:
                raw = await _body(request, limit)
            except ClientDisconnect:  # nobody to answer: one line, not a traceback
                log.info("%s %s: the client went away before its body ended", request.method, request.url.path)
                return Response(status_code=400)
            if raw is None:
                return problem(413, "Request too large", f"the body is over {limit} bytes")
            body, broken = (raw, None) if upload else _parse(raw)
            logged = {"bytes": len(raw)} if upload else body  # a file's bytes are not kept twice
            self.store.received.append(Received(request.method, request.url.path, dict(request.headers), logged))
            if broken is not None:
                return problem(400, "Invalid JSON", broken)
            try:
                fault = self.faults.next(request.headers.get(FAULT_HEADER))
            except ValueError as exc:
                return problem(400, "Bad fault", str(exc))
            if auth and not self.authorized(request):
                return problem(401, "Unauthenticated", "You did not pass a valid authentication token")
            if fault is not None and (replaced := await _suffer(fault)) is not None:
                return replaced
            json_body = _is_json(request.headers.get("content-type", ""))
            if raw and request.method == "POST" and not upload and not json_body:
                return problem(415, "Unsupported media type", "send the body as application/json")
            return await handler(request, body, fault)

        return endpoint
