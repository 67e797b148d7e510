"""Webhook delivery, signed the Standard Webhooks way, retried with backoff.

Signature: `webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`,
keyed with the base64-decoded part of the `whsec_` secret (https://www.standardwebhooks.com).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger("replicate_codegen.server.webhooks")


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def is_loopback(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Delivery:
    url: str
    event: str
    status: int | None  # None: the connection failed, or it was not sent
    attempt: int  # 0: not sent, the server does not call this target
    skipped: str | None = None  # why it was not sent


@dataclass
class Sender:
    secret: str
    retry_delays: tuple[float, ...]
    timeout: float
    targets: str = "loopback"  # which URLs are called: "loopback", "any" or "none"
    # every attempt, for tests and logs; the oldest forgotten beyond its length, as predictions are
    deliveries: deque[Delivery] = field(default_factory=lambda: deque(maxlen=10_000))
    _client: httpx.AsyncClient | None = None

    def _called(self, url: str) -> bool:
        return self.targets == "any" or (self.targets == "loopback" and is_loopback(url))

    async def send(self, url: str, event: str, prediction: dict[str, Any]) -> None:
        """Deliver one event; retried after each delay on a non-2xx answer or a failed connection.
        A target the server does not call is recorded, not sent."""
        if not self._called(url):
            self.deliveries.append(Delivery(url, event, None, 0, f"webhook targets: {self.targets}"))
            return
        body = json.dumps(prediction).encode()
        message_id = f"msg_{secrets.token_hex(12)}"
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        for attempt, delay in enumerate((0.0, *self.retry_delays), start=1):
            await asyncio.sleep(delay)
            timestamp = int(time.time())
            headers = {
                "content-type": "application/json",
                "webhook-id": message_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(self.secret, message_id, timestamp, body),
            }
            try:
                response = await self._client.post(url, content=body, headers=headers)
                status: int | None = response.status_code
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # a port no socket takes, say
                log.info("webhook %s to %s failed: %s", event, url, exc)
                status = None
            self.deliveries.append(Delivery(url, event, status, attempt))
            if status is not None and 200 <= status < 300:
                return
        log.warning("webhook %s to %s given up after %d attempts", event, url, len(self.retry_delays) + 1)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
