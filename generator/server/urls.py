"""The URLs the server puts in what it answers."""

from __future__ import annotations

from starlette.requests import Request


def api_base(request: Request, public_url: str | None) -> str:
    """`http://host:port[/replicate]/v1`: the configured public URL, else the address of the socket
    the request came in on; never its Host header, which any client sets and other clients would
    then follow. The prefix is the one the request's route matched."""
    prefix = request.url.path.split("/v1/", 1)[0]
    if public_url:
        return f"{public_url.rstrip('/')}{prefix}/v1"
    host, port = request.scope.get("server") or ("127.0.0.1", 80)
    host = f"[{host}]" if ":" in host else host
    return f"{request.url.scheme}://{host}:{port}{prefix}/v1"
