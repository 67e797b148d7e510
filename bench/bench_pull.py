"""`pull` of N models from the local server, the way a user runs it: the CLI in its own process.

    .venv/bin/python bench/bench_pull.py [N] [--jobs 8] [--repeat 3]     (default 1000)

Serves N distinct model specs (copies of the tests' catalogue's imagen spec under N names) on the
local server (in this process, on 127.0.0.1), then times, each `--repeat` times:

- cold:      `pull` of every model into an empty folder;
- unchanged: `pull` again (each model asked with its ETag: 304s);
- check:     `pull --check`;

and counts the requests the server received for each. Prints a Markdown table: median, min, max.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "generator"]
TOKEN = "bench-token"


def _specs(folder: Path, count: int) -> None:
    source = ROOT / "tests" / "fixtures" / "catalog" / "specs" / "models" / "google" / "imagen-4-ultra.yaml"
    template = yaml.safe_load(source.read_text(encoding="utf-8"))
    for index in range(count):
        name = f"model-{index:05d}"
        document = copy.deepcopy(template)
        document["info"]["x-model"] = {"owner": "bench", "name": name}
        path = f"/v1/models/bench/{name}/predictions"
        document["paths"] = {path: next(iter(template["paths"].values()))}
        document["paths"][path]["post"]["operationId"] = f"create_{index}"
        target = folder / "bench" / f"{name}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        specs = root / "specs"
        _specs(specs, options.count)
        sys.path.insert(0, str(ROOT))
        from generator.server import ServerConfig, create_app, running

        app = create_app(specs, ServerConfig(tokens=(TOKEN,), keep_requests=10 * options.count))
        with running(app) as url:
            names = [f"bench/model-{i:05d}" for i in range(options.count)]
            rows: dict[str, list[float]] = {"cold": [], "unchanged": [], "check": []}
            requests: dict[str, int] = {}
            env = {**os.environ, "REPLICATE_API_TOKEN": TOKEN}
            for _ in range(options.repeat):
                out = root / "replicate"
                shutil.rmtree(out, ignore_errors=True)
                for kind, extra in (("cold", []), ("unchanged", []), ("check", ["--check"])):
                    before = len(app.state.store.received)
                    started = time.perf_counter()
                    command = [*CLI, "pull", *names, "--base-url", url, "--out", str(out), "--jobs", str(options.jobs)]
                    done = subprocess.run(
                        [*command, *extra],
                        capture_output=True,
                        text=True,
                        env=env,
                        cwd=root,
                        timeout=3600,
                    )
                    rows[kind].append(time.perf_counter() - started)
                    requests[kind] = len(app.state.store.received) - before
                    assert done.returncode == 0, done.stderr[-2000:]
        print(f"| {options.count} models, --jobs {options.jobs} | median | min | max | requests |")
        print("|---|---|---|---|---|")
        for kind, times in rows.items():
            median, low, high = statistics.median(times), min(times), max(times)
            print(f"| {kind} | {median:.2f} s | {low:.2f} s | {high:.2f} s | {requests[kind]} |")


if __name__ == "__main__":
    main()
