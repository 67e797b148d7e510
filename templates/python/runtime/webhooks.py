"""Verifying webhooks, which Replicate signs the Standard Webhooks way.

    from <package>.webhooks import verify   # the client's package

    prediction = verify(request_body, request_headers, secret)  # secret: GET /v1/webhooks/default/secret

Checks the `webhook-signature` header (HMAC-SHA256 of `<id>.<timestamp>.<body>` keyed with the
`whsec_` secret; several space-separated signatures are allowed, one must match) in constant time,
and refuses a `webhook-timestamp` further than `tolerance` seconds from now, so a captured request
cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping

from ._exceptions import WebhookVerificationError
from ._models import Prediction

__all__ = ["DEFAULT_TOLERANCE", "WebhookVerificationError", "verify"]

DEFAULT_TOLERANCE = 300.0  # seconds


def verify(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Prediction:
    """The prediction a genuine webhook carries; `WebhookVerificationError` for anything else."""
    raw = body.encode() if isinstance(body, str) else body
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        message_id, stamp, signatures = (lowered[f"webhook-{n}"] for n in ("id", "timestamp", "signature"))
    except KeyError as missing:
        raise WebhookVerificationError(f"missing header {missing.args[0]}") from None
    try:
        timestamp = int(stamp)
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (ValueError, binascii.Error):
        raise WebhookVerificationError("malformed webhook-timestamp or secret") from None
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance: a replay, or a clock far off")
    signed = f"{message_id}.{timestamp}.".encode() + raw
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    given = [s.partition(",")[2].encode() for s in signatures.split() if s.startswith("v1,")]
    # Every candidate is compared, so the time taken does not tell which one was close.
    if not any([hmac.compare_digest(expected, candidate) for candidate in given]):
        raise WebhookVerificationError("no signature matches")
    try:
        return Prediction.model_validate(json.loads(raw))
    except ValueError as exc:
        raise WebhookVerificationError(f"the body is not a prediction: {exc}") from None
