"""The generated client: overhead per request over plain httpx, and the package's import time.

    .venv/bin/python bench/bench_client.py [REQUESTS]     (default 2000)

Both clients make the same calls (get one prediction, parse it) to `replicate-codegen serve` in its
own process over 127.0.0.1, keep-alive, interleaved in rounds so drift hits both alike. Import time
is the best of 10 fresh interpreters, minus an interpreter that imports nothing.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from replicate_models import Client, Prediction

ROOT = Path(__file__).resolve().parent.parent
AUTH = {"Authorization": "Bearer test-token"}


def per_request(requests: int) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" at ")[1].strip()
        with httpx.Client(base_url=url, headers=AUTH) as plain, Client(api_token="test-token", base_url=url) as ours:
            prediction_id = ours.imagen_4_ultra.create(prompt="a red fox", wait=True).id
            path = f"/v1/predictions/{prediction_id}"
            plain_times: list[float] = []
            our_times: list[float] = []
            for _ in range(10):  # rounds
                started = time.perf_counter()
                for _ in range(requests // 10):
                    Prediction.model_validate(plain.get(path).json())
                plain_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                for _ in range(requests // 10):
                    ours.predictions.get(prediction_id)
                our_times.append(time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(timeout=10)
    per = requests // 10
    plain_ms = statistics.median(plain_times) / per * 1000
    our_ms = statistics.median(our_times) / per * 1000
    print(f"get + parse, plain httpx:        {plain_ms:.3f} ms per request")
    print(f"get + parse, replicate_models:   {our_ms:.3f} ms per request")
    print(f"overhead:                        {our_ms - plain_ms:+.3f} ms ({(our_ms / plain_ms - 1) * 100:+.1f} %)")


def import_time() -> None:
    def best(code: str) -> float:
        runs = []
        for _ in range(10):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            runs.append(time.perf_counter() - started)
        return min(runs)

    baseline = best("pass")
    package = best("import replicate_models") - baseline
    with_model = best("import replicate_models as r; r.Client(api_token='t').imagen_4_ultra") - baseline
    print(f"import replicate_models:         {package * 1000:.0f} ms")
    print(f"  + Client and one model:        {with_model * 1000:.0f} ms")


if __name__ == "__main__":
    per_request(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
    import_time()
