"""Serve an ASGI app on a free loopback port in a background thread (tests, notebooks)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


@contextmanager
def running(app: ASGIApp, *, host: str = "127.0.0.1", startup_timeout: float = 10.0) -> Iterator[str]:
    """Yield the base URL (`http://127.0.0.1:<port>`) while the app is served."""
    # Requests still open when the block ends (a client gone, a slow fault) are cut after a second
    config = uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="replicate-codegen-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the local server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
