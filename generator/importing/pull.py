"""`pull`: Replicate's model documents (`GET /v1/models/{owner}/{name}`), fetched and kept as stable
files, `<out>/<owner>/<name>.json`, the layout `build` reads.

A file is its document with keys sorted and what changes without the model changing left out (run
counts, cover images' signed URLs, the example prediction's own record), so an unchanged model writes
no diff. Requests run a few at a time, each with a timeout; 429 and 5xx answers and failed
connections are tried again with backoff, after `Retry-After` when the server gives one. A model that
is missing or whose document is unusable is reported and the others go on; a refused token stops
everything at once. The server's `ETag` is kept (in the cache) to ask again with `If-None-Match`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from generator import paths
from generator.cache import Store
from generator.errors import CodegenError
from generator.spec import specfile
from generator.spec.vocabulary import model_id, segment_problem

ADDED, CHANGED, UNCHANGED, BEHIND, NOT_FOUND, FAILED = "added", "changed", "unchanged", "behind", "not found", "failed"
DEFAULT_JOBS = 8
_ATTEMPTS = 5
_LONGEST_RETRY_AFTER = 60.0
_VOLATILE = ("run_count", "cover_image_url")  # change every day, with nothing of the model changing
_STORE = "pulled"


class Unauthorized(CodegenError):
    """The server refused the token: nothing more is asked, nothing is written."""

    exit_code = 2


@dataclass(frozen=True)
class Pulled:
    model: str
    outcome: str  # ADDED, CHANGED, UNCHANGED, BEHIND (--check), NOT_FOUND, FAILED
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome not in (NOT_FOUND, FAILED)


def targets(names: Iterable[str], out: Path, specs: Path) -> list[str]:
    """`owner/name` of each model to pull: the names given, else every model already in `out` and every
    model a spec in `specs` describes. A name that cannot be one is an error naming it."""
    chosen = list(names)
    if not chosen:
        if out.is_dir():
            chosen += [f"{p.parent.name}/{p.stem}" for p in paths.visible_files(out, "*.json")]
        if specs.is_dir():
            for spec in paths.visible_files(specs, "*.yaml"):
                document = specfile.load(spec, paths.display_path(spec)).document
                if isinstance(document, dict) and (found := model_id(document)):
                    chosen.append(found)
    for name in chosen:
        owner, _, model = name.partition("/")
        problem = "expected owner/name" if not model or "/" in model else None
        problem = problem or segment_problem(owner) or segment_problem(model)
        if problem:
            raise CodegenError(f"{name!r}: {problem}")
    return sorted(set(chosen))


def stable(document: dict[str, Any]) -> bytes:
    """The file a model document is kept as: keys sorted, volatile fields left out."""
    kept = {k: v for k, v in document.items() if k not in _VOLATILE}
    example = kept.get("default_example")
    if isinstance(example, dict):  # a prediction made long ago: its input illustrates, the rest is its own
        kept["default_example"] = {"input": example.get("input")}
    return (json.dumps(kept, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")


def pull(
    models: list[str],
    *,
    base_url: str,
    token: str,
    out: Path,
    check: bool,
    jobs: int = DEFAULT_JOBS,
    timeout: float = 30.0,
    advance: Callable[[Pulled], None] = lambda pulled: None,
) -> list[Pulled]:
    """Each model's outcome, in the order of `models`; `advance` is told of each as it ends."""
    return asyncio.run(_pull_all(models, base_url, token, out, check, jobs, timeout, advance))


async def _pull_all(
    models: list[str],
    base_url: str,
    token: str,
    out: Path,
    check: bool,
    jobs: int,
    timeout: float,
    advance: Callable[[Pulled], None],
) -> list[Pulled]:
    gate = asyncio.Semaphore(max(1, jobs))
    store = Store(_STORE)
    headers = {"Authorization": f"Bearer {token}", "User-Agent": "replicate-codegen pull"}
    limits = httpx.Limits(max_connections=max(1, jobs))
    async with httpx.AsyncClient(headers=headers, timeout=timeout, limits=limits) as http:

        async def one(model: str) -> Pulled:
            async with gate:
                pulled = await _pull_one(http, store, base_url.rstrip("/"), model, out, check)
            advance(pulled)
            return pulled

        tasks = [asyncio.create_task(one(model)) for model in models]
        try:
            return list(await asyncio.gather(*tasks))
        except Unauthorized:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise


async def _pull_one(http: httpx.AsyncClient, store: Store, base: str, model: str, out: Path, check: bool) -> Pulled:
    target = out / f"{model}.json"
    url = f"{base}/v1/models/{model}"
    known = store.get(url)
    present = target.read_bytes() if target.is_file() else None
    conditional = {}
    if isinstance(known, dict) and present is not None and known.get("data") == _digest(present):
        conditional = {k: v for k, v in (("If-None-Match", known.get("etag")),) if isinstance(v, str)}
    try:
        response = await _get(http, url, conditional)
    except httpx.HTTPError as exc:
        return Pulled(model, FAILED, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    if response.status_code == 304 and present is not None:
        return Pulled(model, UNCHANGED)
    if response.status_code in (401, 403):
        raise Unauthorized(f"{url}: the server refused the token ({response.status_code}); nothing was written")
    if response.status_code == 404:
        return Pulled(model, NOT_FOUND, "no such model")
    if response.status_code != 200:
        return Pulled(model, FAILED, f"the server answered {response.status_code}")
    try:
        document = response.json()
        if not isinstance(document, dict) or not isinstance(document.get("latest_version"), dict):
            raise ValueError("no `latest_version`")
    except ValueError as exc:
        return Pulled(model, FAILED, f"not a model document: {exc}")
    data = stable(document)
    etag = response.headers.get("etag")
    if present == data:
        outcome = UNCHANGED
    elif check:
        outcome = BEHIND
    else:
        specfile.write_atomic(target, data)
        outcome = ADDED if present is None else CHANGED
    if not check or outcome == UNCHANGED:
        store.put(url, {"etag": etag, "data": _digest(data)})
    return Pulled(model, outcome)


async def _get(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
    """GET, tried again on 429, 5xx and failed connections, after `Retry-After` or a backoff."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            response = await http.get(url, headers=headers)
        except httpx.TransportError:
            if attempt == _ATTEMPTS:
                raise
            await asyncio.sleep(_backoff(attempt, None))
            continue
        if (response.status_code != 429 and response.status_code < 500) or attempt == _ATTEMPTS:
            return response
        await asyncio.sleep(_backoff(attempt, response.headers.get("retry-after")))
    raise AssertionError("unreachable")


def _backoff(attempt: int, retry_after: str | None) -> float:
    if retry_after is not None:
        try:
            return min(_LONGEST_RETRY_AFTER, max(0.0, float(retry_after)))
        except ValueError:
            try:
                moment = parsedate_to_datetime(retry_after)
                return min(_LONGEST_RETRY_AFTER, max(0.0, (moment - datetime.now(UTC)).total_seconds()))
            except (TypeError, ValueError):
                pass
    return float(min(8.0, 0.25 * 2 ** (attempt - 1)) * (0.5 + random.random() / 2))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def summary(results: list[Pulled]) -> str:
    order = (ADDED, CHANGED, BEHIND, UNCHANGED, NOT_FOUND, FAILED)
    counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in order}
    return ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n) or "nothing to pull"
