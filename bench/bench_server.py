"""The local server: create+get throughput over loopback, and memory held per 10,000 predictions.

    .venv/bin/python bench/bench_server.py [REQUESTS] [PREDICTIONS]    (default 2000, 10000)

Throughput: `replicate-codegen serve` in its own process (so client and server do not share a GIL),
keep-alive httpx clients doing create then get: one, then 20 at once (threads).
Memory: the app in this process, driven through httpx's ASGI transport, traced with tracemalloc
before and after PREDICTIONS creates (the server keeps JSON only; images are rendered on download).
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx

from generator.server import ServerConfig, create_app

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs" / "models"
AUTH = {"Authorization": "Bearer test-token"}
CREATE = "/v1/models/google/imagen-4-ultra/predictions"
BODY = {"input": {"prompt": "a red fox in the snow", "aspect_ratio": "16:9"}}


def throughput(requests: int) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--specs", str(SPECS)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" at ")[1].strip()
        with httpx.Client(base_url=url, headers=AUTH) as client:
            for _ in range(50):  # warm up
                client.get(f"/v1/predictions/{client.post(CREATE, json=BODY).json()['id']}")
            started = time.perf_counter()
            for _ in range(requests):
                client.get(f"/v1/predictions/{client.post(CREATE, json=BODY).json()['id']}")
            sequential = time.perf_counter() - started

        def worker(count: int) -> None:
            with httpx.Client(base_url=url, headers=AUTH) as client:
                for _ in range(count):
                    client.get(f"/v1/predictions/{client.post(CREATE, json=BODY).json()['id']}")

        # Threads, not httpx's AsyncClient: in one process the async client's own overhead, not the
        # server, sets the pace (245 pairs/s measured that way).
        started = time.perf_counter()
        with ThreadPoolExecutor(20) as pool:
            list(pool.map(worker, [requests // 20] * 20))
        parallel = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"create+get, 1 client:   {requests / sequential:,.0f} pairs/s ({sequential / requests * 1000:.2f} ms per pair)"
    )
    print(f"create+get, 20 clients: {requests / parallel:,.0f} pairs/s")


def memory(predictions: int) -> None:
    app = create_app(SPECS, replace(ServerConfig(), max_predictions=predictions))

    async def fill() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=AUTH) as client:
            for _ in range(predictions):
                await client.post(CREATE, json=BODY)

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    asyncio.run(fill())
    app.state.store.received.clear()  # the request log is bounded separately (keep_requests)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(app.state.store.predictions) == predictions
    print(f"memory held: {held / 1e6:.1f} MB per {predictions:,} predictions ({held / predictions / 1000:.2f} KB each)")


if __name__ == "__main__":
    throughput(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
    memory(int(sys.argv[2]) if len(sys.argv) > 2 else 10_000)
