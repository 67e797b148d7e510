"""A catalogue of N models, built the way a user builds it: the CLI in its own process each time.

    .venv/bin/python bench/bench_build.py [N] [--repeat 3]     (default 1000)

Writes N distinct Apifox Markdown exports of Replicate-style models (11 inputs each: enums, ranges
and defaults in Chinese prose, as real pages have them), then times, each `--repeat` times from
scratch:

- cold:            `build` into empty spec and output folders (import + validate + generate);
- no-op:           `generate` again, nothing changed;
- changed spec:    one model spec's description edited, then `generate`;
- changed doc:     one document's description edited, then `build`;
- the cache's size after those, and after ten more one-spec edits (each a `generate`);

with the peak resident memory of each process; and, on the generated package, `import
replicate_models` plus `Client()` and the first model's `create` against a local server, beside
`import httpx, pydantic` and the same create written by hand with httpx and pydantic, each in fresh
processes of a virtual environment that holds only what the package requires. Prints a Markdown
table: median, min and max.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "generator"]

PAGE = """# 创建任务 {owner}/{name}

## OpenAPI Specification

```yaml
openapi: 3.0.1
info:
  title: ''
  description: ''
  version: 1.0.0
paths:
  /replicate/v1/models/{owner}/{name}/predictions:
    post:
      summary: 创建任务 {owner}/{name}
      deprecated: false
      description: 官方文档:https://replicate.com/{owner}/{name} 模型 {index} 生成图片。
      tags:
        - Replicate
      parameters:
        - name: Authorization
          in: header
          description: ''
          required: false
          example: Bearer {{{{YOUR_API_KEY}}}}
          schema:
            type: string
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                input:
                  type: object
                  properties:
                    prompt:
                      type: string
                      description: 生成图像的文本提示 {index}
                    aspect_ratio:
                      type: string
                      description: 图像的宽高比。支持1:1，16:9，9:16，4:3，3:4。默认值:“1:1”
                    num_outputs_{index}:
                      type: integer
                      description: 输出图像数量。范围1到4，默认值:1
                    seed:
                      type: integer
                      description: 随机种子，留空则随机
                    output_format:
                      type: string
                      description: 输出格式。可选值：webp、jpg、png。默认值:“webp”
                    output_quality:
                      type: integer
                      description: 输出质量。最小值0，最大值100。默认值:80
                    guidance:
                      type: number
                      description: 引导强度。范围0到10，默认值:3.5
                    steps:
                      type: integer
                      description: 推理步数。最大值50，默认值:28
                    safety_tolerance:
                      type: integer
                      description: 安全等级。范围1到6，默认值:2
                    image_{index}:
                      type: string
                      description: 输入图像的 URL
                    raw:
                      type: boolean
                      description: 是否生成更自然的图像。默认值:false
                  required:
                    - prompt
                  x-apifox-orders:
                    - prompt
              required:
                - input
            example:
              input:
                prompt: a red fox {index}
                aspect_ratio: '16:9'
      responses:
        '200':
          description: ''
          content:
            application/json:
              schema:
                type: object
                properties: {{}}
      security: []
servers: []
```
"""


def write_documents(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for index in range(count):
        owner, name = f"owner-{index % 37:02d}", f"model-{index:05d}"
        text = PAGE.format(owner=owner, name=name, index=index)
        (folder / f"{owner}__{name}.md").write_text(text, encoding="utf-8")


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of one CLI process (its own rusage, through wait4). Each run has
    a cache folder of its own (stamps), so a cold build is cold. Python caches bytecode as it does
    for an installed tool, even where the shell says not to (PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["REPLICATE_CODEGEN_CACHE"] = str(cwd / "cache")
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    assert os.waitstatus_to_exitcode(status) == 0, f"{args} failed"
    return elapsed, usage.ru_maxrss / 1024  # KB on Linux


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def one_run(count: int, root: Path, round_: int) -> dict[str, tuple[float, float]]:
    work = root / f"run-{round_}"
    write_documents(work / "apifox", count)
    folders = ["--specs", "models", "--shared", "shared", "--out", "generated"]
    build = [*CLI, "build", "--sources", "apifox", *folders]
    generate = [*CLI, "generate", *folders[:4], "--out", "generated"]
    results = {"cold build": timed(build, work), "no-op generate": timed(generate, work)}
    spec = next((work / "models").rglob("model-00007.yaml"))
    edit(spec, "生成图像的文本提示 7", "生成图像的文本提示 7（已修改）")
    results["one spec changed, generate"] = timed(generate, work)
    edit(work / "apifox" / "owner-11__model-00011.md", "模型 11 生成图片", "模型 11 生成图片（新）")
    results["one document changed, build"] = timed(build, work)
    cold_cache = cache_mb(work)
    for index in range(10):  # ten more edits of one spec each: the cache may grow by half, at most
        spec = next((work / "models").rglob(f"model-{index * 13 + 3:05d}.yaml"))
        edit(spec, "生成图像的文本提示", f"生成图像的文本提示（第 {index} 次修改）")
        timed(generate, work)
    results["cache after build, MB"] = (cold_cache, 0.0)
    results["cache after ten more one-spec edits, MB"] = (cache_mb(work), 0.0)
    results["watch: one spec saved -> new tree in place"] = (watched_rebuild(work, folders), 0.0)
    return results


def watched_rebuild(work: Path, folders: list[str]) -> float:
    """Seconds from a spec saved to `watch`'s line saying the new tree is in place (the median of five
    saves), with `watch` up and its first rebuild done. Each save waits for the rebuild before it to
    let the output go (its lock file gone): after its line, a rebuild still stamps the tree and keeps
    what the next run starts from, and a save made meanwhile would time that too."""
    env = {**os.environ, "REPLICATE_CODEGEN_CACHE": str(work / "cache")}
    args = [*CLI, "watch", "--sources", "apifox", *folders, "--debounce", "20"]
    process = subprocess.Popen(args, cwd=work, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        while not process.stdout.readline().startswith("watching"):
            pass
        seconds = []
        for index in range(5):
            spec = next((work / "models").rglob(f"model-{index * 17 + 5:05d}.yaml"))
            text = spec.read_text(encoding="utf-8").replace("文本提示", f"文本提示（监视 {index}）", 1)
            held = work / ".generated.codegen" / "lock"  # removed as the run lets go of the output
            for _ in range(3000):
                if not held.exists():
                    break
                time.sleep(0.01)
            started = time.perf_counter()
            spec.write_text(text, encoding="utf-8")
            while " rebuilt " not in process.stdout.readline():
                pass
            seconds.append(time.perf_counter() - started)
        return statistics.median(seconds)
    finally:
        process.terminate()
        process.wait(timeout=60)


def cache_mb(work: Path) -> float:
    return sum(p.stat().st_size for p in (work / "cache").rglob("*") if p.is_file()) / 1e6


# What a hand-written client does for the same first call: validate the inputs with a pydantic model
# of the same fields, post them with httpx, parse the answer into a model of the Prediction's fields.
BY_HAND = """
from datetime import datetime
from typing import Annotated, Any, Literal
import httpx
from pydantic import BaseModel, Field
class Input(BaseModel):
    prompt: str
    aspect_ratio: Literal["1:1", "16:9", "9:16", "4:3", "3:4"] = "1:1"
    num_outputs_0: Annotated[int, Field(ge=1, le=4)] = 1
    seed: int | None = None
    output_format: Literal["webp", "jpg", "png"] = "webp"
    output_quality: Annotated[int, Field(ge=0, le=100)] = 80
    guidance: Annotated[float, Field(ge=0.0, le=10.0)] = 3.5
    steps: Annotated[int, Field(le=50)] = 28
    safety_tolerance: Annotated[int, Field(ge=1, le=6)] = 2
    image_0: str | None = None
    raw: bool = False
class Prediction(BaseModel):
    id: str
    model: str = ""
    version: str = ""
    status: str
    input: dict[str, Any] = {{}}
    output: Any = None
    error: Any = None
    logs: str | None = None
    data_removed: bool = False
    created_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    metrics: dict[str, Any] | None = None
    urls: dict[str, str] = {{}}
body = {{"input": Input(prompt="x").model_dump(mode="json", exclude_unset=True)}}
client = httpx.Client(base_url="{url}", headers={{"Authorization": "Bearer test-token"}})
Prediction.model_validate(client.post("/v1/models/{model}/predictions", json=body).raise_for_status().json())
"""


def client_python(venv: Path, package_root: Path) -> str:
    """The Python of a new virtual environment that holds what the generated package requires (at
    this project's pinned versions) and nothing else, as a user's would: this project's own holds
    test tools that httpx's first request would load too (httpcore imports trio where it finds it)."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    project = tomllib.loads((package_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    constraints = Path(__file__).resolve().parent.parent / "constraints.txt"
    install = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", str(constraints)]
    subprocess.run([*install, *project["dependencies"]], check=True)
    return python


def client_import(root: Path, repeat: int) -> dict[str, float]:
    """Medians over `repeat` fresh processes of: `import httpx, pydantic`; a first create by hand with
    httpx and pydantic; our package's import, `Client()` and first create. Both creates are real: they
    go to `replicate-codegen serve` over loopback and parse the prediction it answers.
    The package is byte-compiled first, as `pip install` does (httpx and pydantic are)."""
    package_root = root / "generated" / "python"
    python = client_python(root / "client-venv", package_root)
    subprocess.run([python, "-m", "compileall", "-q", "replicate_models"], cwd=package_root, check=True)
    first = sorted((package_root / "replicate_models" / "resources").glob("*.py"))[1].stem  # [0]: __init__
    server = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--specs", str(root / "models")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" at ")[1].strip()
        model = next((root / "models").rglob(f"{first.replace('_', '-')}.yaml"))
        probes = {
            "import httpx, pydantic": "import httpx, pydantic",
            "by hand: httpx + pydantic, first create": BY_HAND.format(
                url=url, model=f"{model.parent.name}/{model.stem}"
            ),
            "replicate_models: import, Client(), first create": (
                f"import replicate_models as m\nc = m.Client(api_token='test-token', base_url='{url}')\n"
                f"assert c.{first}.create(prompt='x').id"
            ),
        }
        probe = "import time\nt = time.perf_counter()\n{body}\nprint(time.perf_counter() - t)"
        figures: dict[str, list[float]] = {label: [] for label in probes}
        for _ in range(repeat):  # interleaved, so the machine's drift hits each alike
            for label, body in probes.items():
                out = subprocess.run(
                    [python, "-c", probe.format(body=body)],
                    cwd=package_root, check=True, capture_output=True, text=True,
                )  # fmt: skip
                figures[label].append(float(out.stdout.strip()))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {label: statistics.median(values) for label, values in figures.items()}


def table(rows: dict[str, list[tuple[float, float]]]) -> str:
    lines = ["| step | median | min | max | peak RSS |", "|---|---|---|---|---|"]
    for step, values in rows.items():
        seconds = [s for s, _ in values]
        if step.endswith(", MB"):
            lines.append(f"| {step} | {statistics.median(seconds):.1f} | {min(seconds):.1f} | {max(seconds):.1f} | |")
            continue
        lines.append(
            f"| {step} | {statistics.median(seconds):.2f} s | {min(seconds):.2f} s | {max(seconds):.2f} s "
            f"| {max(m for _, m in values):.0f} MB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-client", action="store_true", help="Leave out the client's first call.")
    options = parser.parse_args()
    rows: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        root = Path(tmp)
        for round_ in range(options.repeat):
            for step, figure in one_run(options.count, root, round_).items():
                rows.setdefault(step, []).append(figure)
        imports = {} if options.no_client else client_import(root / "run-0", max(9, options.repeat))
        shutil.rmtree(root, ignore_errors=True)
    print(f"{options.count} models, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(table(rows))
    base = imports.get("import httpx, pydantic", 1.0)
    print()
    for label, seconds in imports.items():
        print(f"{label}: {seconds * 1000:.0f} ms ({seconds / base:.2f}x)")


if __name__ == "__main__":
    main()
