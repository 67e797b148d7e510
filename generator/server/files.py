"""Replicate's files API: `POST /v1/files` (multipart, the file under `content`), `GET /v1/files`,
`GET /v1/files/{id}`, `DELETE /v1/files/{id}` and `GET /v1/files/{id}/download`.

A file's `urls.get` is what a client sends as a model input; the server reads such an input back as
the file's bytes (`content_of`). Files are kept in memory, bounded in count and bytes, the oldest
forgotten first.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from generator.server.config import ServerConfig
from generator.server.faults import Fault
from generator.server.problems import problem
from generator.server.urls import api_base

_LIFETIME = timedelta(days=1)  # Replicate keeps an uploaded file for a day


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    record: dict[str, Any]  # what the API shows, but its `urls`, which follow the request's base


class Files:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self._files: OrderedDict[str, StoredFile] = OrderedDict()
        self._bytes = 0

    def content_of(self, url: str) -> bytes | None:
        """The bytes of a file this server holds, from its `urls.get` (under any base or prefix)."""
        head, _, file_id = url.rstrip("/").rpartition("/v1/files/")
        found = self._files.get(file_id) if head and "/" not in file_id else None
        return found.data if found is not None else None

    def _shown(self, request: Request, stored: StoredFile) -> dict[str, Any]:
        url = f"{api_base(request, self.config.public_url)}/files/{stored.record['id']}"
        return {**stored.record, "urls": {"get": url}}

    async def create(self, request: Request, body: Any, fault: Fault | None) -> Response:
        if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            return problem(400, "Bad upload", "expected a multipart/form-data body, the file under `content`")

        async def stream() -> Any:
            yield body

        try:
            form = await MultiPartParser(
                Headers(scope=request.scope), stream(), max_files=1, max_fields=8, max_part_size=64 * 1024
            ).parse()
        except (MultiPartException, AssertionError, ValueError, KeyError) as exc:
            return problem(400, "Bad upload", f"expected multipart/form-data, the file under `content`: {exc}")
        content = form.get("content")
        if not isinstance(content, UploadFile):
            return problem(400, "Bad upload", "expected the file under the multipart field `content`")
        data = await content.read()
        await form.close()
        if len(data) > self.config.max_file_bytes:
            return problem(413, "File too large", f"a file holds at most {self.config.max_file_bytes} bytes")
        try:  # a JSON object; anything else is no metadata
            metadata = json.loads(str(form.get("metadata") or "{}"))
        except json.JSONDecodeError:
            metadata = {}
        now = datetime.now(UTC)
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        file_id = secrets.token_hex(13)
        record = {
            "id": file_id,
            "name": content.filename or "file",
            "content_type": content.content_type or "application/octet-stream",
            "size": len(data),
            "etag": md5,  # as S3, which Replicate's is
            "checksums": {"sha256": hashlib.sha256(data).hexdigest(), "md5": md5},
            "metadata": metadata if isinstance(metadata, dict) else {},
            "created_at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "expires_at": (now + _LIFETIME).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        stored = StoredFile(data, record)
        self._files[file_id] = stored
        self._bytes += len(data)
        config = self.config
        while self._files and (len(self._files) > config.max_files or self._bytes > config.max_stored_file_bytes):
            _, forgotten = self._files.popitem(last=False)
            self._bytes -= len(forgotten.data)
        return JSONResponse(self._shown(request, stored), status_code=201)

    def _existing(self, request: Request) -> StoredFile | Response:
        stored = self._files.get(request.path_params["id"])
        return stored if stored is not None else problem(404, "Not found", "no such file, or it was forgotten")

    async def get(self, request: Request, body: Any, fault: Fault | None) -> Response:
        stored = self._existing(request)
        return stored if isinstance(stored, Response) else JSONResponse(self._shown(request, stored))

    async def list(self, request: Request, body: Any, fault: Fault | None) -> Response:
        newest = [self._shown(request, stored) for stored in reversed(self._files.values())]
        return JSONResponse({"next": None, "previous": None, "results": newest[: self.config.page_size]})

    async def delete(self, request: Request, body: Any, fault: Fault | None) -> Response:
        stored = self._existing(request)
        if isinstance(stored, Response):
            return stored
        del self._files[stored.record["id"]]
        self._bytes -= len(stored.data)
        return Response(status_code=204)

    async def download(self, request: Request, body: Any, fault: Fault | None) -> Response:
        stored = self._existing(request)
        if isinstance(stored, Response):
            return stored
        # its bytes as the API documents them; the file's own type is its record's `content_type`
        return Response(stored.data, media_type="application/octet-stream")
