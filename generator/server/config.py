"""Everything about the local server a user or a test may want to change, in one place."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Literal

from generator.server.faults import Fault


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@dataclass(frozen=True)
class ServerConfig:
    tokens: tuple[str, ...] = ("test-token",)
    # Lifecycle: a prediction is `starting` for this long, then `processing` for this long.
    starting_seconds: float = 0.02
    processing_seconds: float = 0.05
    retention_seconds: float = 3600.0  # then `output` is removed and `data_removed` is true
    min_cancel_after_seconds: float = 5.0  # Replicate refuses shorter `Cancel-After` durations
    max_wait_seconds: float = 60.0  # the longest `Prefer: wait` honoured
    max_predictions: int = 10_000  # the oldest are forgotten beyond this
    max_body_bytes: int = 1024 * 1024
    # Uploaded files (`POST /v1/files`): Replicate's limit per file, and what the server keeps in all
    # (the oldest are forgotten beyond it, or beyond `max_files`).
    max_file_bytes: int = 100 * 1024 * 1024
    max_stored_file_bytes: int = 512 * 1024 * 1024
    max_files: int = 1_000
    # The base of the URLs in predictions (`urls`, output files), e.g. `https://models.example.com`;
    # None: the address the server listens on. Never taken from a request's Host header.
    public_url: str | None = None
    page_size: int = 100
    keep_requests: int = 1_000  # the last requests, for tests to inspect
    webhook_secret: str = field(default_factory=new_webhook_secret)
    # Which webhook URLs are called: a request names any URL Replicate takes, and the others are
    # recorded as not delivered, so a local server never calls out to the internet unless asked to.
    webhook_targets: Literal["loopback", "any", "none"] = "loopback"
    webhook_retry_delays: tuple[float, ...] = (0.1, 0.5, 2.0)  # between attempts, after the first
    webhook_timeout_seconds: float = 5.0
    faults: tuple[Fault, ...] = ()
    fault_seed: int = 0  # rate-based faults are reproducible
