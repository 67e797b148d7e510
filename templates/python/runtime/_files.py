"""Files: `FileOutput`, a file a prediction produced, and `FileInput`, a file given to an input.

A `FileOutput` is fetched with the client that made the prediction: its retries and timeouts, and
its token, which is sent only to the API's own host, never to a file host elsewhere.

A `FileInput` (a path, bytes or a binary file object) given where the model's schema takes a file
(`format: uri`) is sent as the model expects a file: as a `data:` URI when it is small, else uploaded
through the files API and sent by its URL (the client's `file_encoding` and `data_uri_limit`). A
string is sent as it is: a URL, or a `data:` URI already.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import tempfile
from collections.abc import AsyncIterator, Iterator, MutableMapping, MutableSequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeAlias
from urllib.parse import unquote_to_bytes

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient

__all__ = ["FileEncoding", "FileInput", "FileOutput", "PendingFile", "data_uri", "pending_files", "to_files"]

FileInput: TypeAlias = str | os.PathLike[str] | bytes | IO[bytes]
# How a file given to an input is sent: "auto" (a `data:` URI up to the client's `data_uri_limit`,
# else uploaded), always as a "data-uri", or always "upload"ed to the files API.
FileEncoding: TypeAlias = Literal["auto", "data-uri", "upload"]


@dataclass
class PendingFile:
    """A file given to an input, read, and waiting to be put in its place as a string."""

    place: MutableMapping[str, Any] | MutableSequence[Any]
    key: Any
    data: bytes
    name: str
    content_type: str

    def put(self, sent: str) -> None:
        self.place[self.key] = sent


def pending_files(values: MutableMapping[str, Any], places: Any) -> list[PendingFile]:
    """The files given in `values` where `places` (as `to_files` reads them) says the schema takes
    one, each read; `values` is changed in place as each is `put`."""
    found: list[PendingFile] = []

    def visit(container: Any, key: Any, where: Any) -> None:
        value = container[key]
        if where == "file":
            if (read := _read(value)) is not None:
                found.append(PendingFile(container, key, *read))
        elif isinstance(where, list) and isinstance(value, list):
            for index in range(len(value)):
                visit(value, index, where[0])
        elif isinstance(where, dict) and isinstance(value, dict):
            for name in value:
                if name in where:
                    visit(value, name, where[name])

    for name in list(values):
        if isinstance(places, dict) and name in places:
            visit(values, name, places[name])
    return found


def _read(value: Any) -> tuple[bytes, str, str] | None:
    """(bytes, file name, content type) of a path, bytes or binary file object; None for anything
    else (a string is sent as it is)."""
    if isinstance(value, str):
        return None
    if isinstance(value, os.PathLike):
        path = Path(os.fspath(value))
        return path.read_bytes(), path.name, _content_type(path.name)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value), "file", "application/octet-stream"
    if hasattr(value, "read"):
        data = value.read()
        if not isinstance(data, bytes):
            raise TypeError("a file given to an input must be opened in binary mode ('rb')")
        name = os.path.basename(str(getattr(value, "name", "") or "file"))
        return data, name, _content_type(name)
    return None


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def data_uri(pending: PendingFile) -> str:
    return f"data:{pending.content_type};base64,{base64.b64encode(pending.data).decode('ascii')}"


class FileOutput:
    """`url`, `read()` / `aread()`, `save(path)` / `asave(path)` (streamed to disk, written atomically),
    and iteration over its bytes in chunks."""

    def __init__(self, url: str, client: SyncAPIClient | AsyncAPIClient) -> None:
        self.url = url
        self._client = client

    def __repr__(self) -> str:
        shown = self.url if not self.url.startswith("data:") else self.url[:40] + "..."
        return f"FileOutput({shown!r})"

    def __str__(self) -> str:
        return self.url

    def _inline(self) -> bytes | None:
        """The bytes of a `data:` URI, which need no request."""
        if not self.url.startswith("data:"):
            return None
        meta, _, payload = self.url[5:].partition(",")
        return base64.b64decode(payload) if meta.endswith(";base64") else unquote_to_bytes(payload)

    def _sync(self) -> SyncAPIClient:
        from ._base_client import SyncAPIClient

        if not isinstance(self._client, SyncAPIClient):
            raise TypeError("this output came from an AsyncClient: use aread(), asave() or aiter_bytes()")
        return self._client

    def _async(self) -> AsyncAPIClient:
        from ._base_client import AsyncAPIClient

        if not isinstance(self._client, AsyncAPIClient):
            raise TypeError("this output came from a Client: use read(), save() or iter_bytes()")
        return self._client

    def iter_bytes(self) -> Iterator[bytes]:
        inline = self._inline()
        if inline is not None:
            yield inline
            return
        response = self._sync()._request("GET", self.url, idempotent=True, stream=True)
        try:
            yield from response.iter_bytes()
        finally:
            response.close()

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        inline = self._inline()
        if inline is not None:
            yield inline
            return
        response = await self._async()._request("GET", self.url, idempotent=True, stream=True)
        try:
            async for chunk in response.aiter_bytes():
                yield chunk
        finally:
            await response.aclose()

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    async def aread(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Stream the file to `path` without holding it in memory; `path` appears only when complete."""
        target = Path(path)
        with _Atomic(target) as handle:
            for chunk in self.iter_bytes():
                handle.write(chunk)
        return target

    async def asave(self, path: str | os.PathLike[str]) -> Path:
        target = Path(path)
        with _Atomic(target) as handle:
            async for chunk in self.aiter_bytes():
                handle.write(chunk)
        return target


class _Atomic:
    """A temporary file beside the target, renamed onto it on success and removed on failure."""

    def __init__(self, target: Path) -> None:
        self._target = target

    def __enter__(self) -> Any:
        self._target.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=self._target.parent, prefix=f".{self._target.name}.", suffix=".part")
        self._handle = os.fdopen(fd, "wb")
        return self._handle

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        self._handle.close()
        if exc_type is None:
            os.replace(self._tmp, self._target)
        else:
            Path(self._tmp).unlink(missing_ok=True)


def to_files(value: Any, client: SyncAPIClient | AsyncAPIClient, places: Any) -> Any:
    """`value` with a `FileOutput` for each string where `places` says the schema has a file: "file"
    (this value), `[places]` (each item of a list), `{name: places}` (those properties), or None
    (nowhere). A string the schema does not call a file stays a string, whatever it looks like."""
    if places == "file" and isinstance(value, str):
        return FileOutput(value, client)
    if isinstance(places, list) and isinstance(value, list):
        return [to_files(item, client, places[0]) for item in value]
    if isinstance(places, dict) and isinstance(value, dict):
        return {key: to_files(item, client, places.get(key)) for key, item in value.items()}
    return value
