"""Import at scale: one Apifox project export with N model endpoints -> N specs.

    .venv/bin/python bench/bench_import.py [N]      (default 2000)

Builds the export from the project fixture's flux-schnell page (renamed per endpoint), then times
reading + classifying + normalizing + writing every spec, and reports peak memory (tracemalloc).
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from generator.importing.importer import Layout, import_file

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "formats" / "project.apifox.json"


def synthetic_export(count: int) -> dict[str, object]:
    project = json.loads(FIXTURE.read_text(encoding="utf-8"))
    folder = project["apiCollection"][0]["items"][0]
    page = folder["items"][0]
    items = []
    for index in range(count):
        item = copy.deepcopy(page)
        item["name"] = f"创建任务 bench-owner/model-{index:05d}"
        item["api"]["path"] = f"/replicate/v1/models/bench-owner/model-{index:05d}/predictions"
        items.append(item)
    folder["items"] = items
    project["apiCollection"][0]["items"] = [folder]
    return project


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = root / "export.apifox.json"
        source.write_text(json.dumps(synthetic_export(count), ensure_ascii=False), encoding="utf-8")

        def run(out: str) -> float:
            layout = Layout(root / out / "models", root / out / "shared", root / "replicate", root / "overrides")
            started = time.perf_counter()
            results = import_file(source, layout)
            elapsed = time.perf_counter() - started
            assert len(results) == count and not any(r.error for r in results), results[:1]
            return elapsed

        elapsed = run("timed")  # tracemalloc slows Python down several times: memory is a second run
        tracemalloc.start()
        run("traced")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = source.stat().st_size
    print(f"endpoints: {count}  export: {size / 1e6:.1f} MB")
    print(f"import: {elapsed:.2f} s  ({elapsed / count * 1000:.2f} ms per endpoint)")
    print(f"peak traced memory: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
