"""`FileOutput`: a file a prediction produced, behind a URL or inside a `data:` URI.

Fetched with the client that made the prediction: its retries and timeouts, and its token, which is
sent only to the API's own host, never to a file host elsewhere.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient

__all__ = ["FileOutput", "to_files"]


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
