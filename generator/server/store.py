"""Predictions the server holds: their lifecycle on a clock, bounded storage, and keyset paging.

A prediction's status is a function of time since it was created (`starting`, then `processing`,
then ended), worked out whenever it is read or a webhook is due, so nothing ticks in the background.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from generator.vocabulary import TERMINAL_STATUSES, WEBHOOK_EVENTS


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Record:
    """One prediction: `data` is what the API shows; the rest is how the server drives it."""

    seq: int
    data: dict[str, Any]
    created: float  # monotonic
    ends_as: str = "succeeded"  # or "failed", when a fault asked for it
    cancel_at: float | None = None  # monotonic, from Cancel-After
    ended: float | None = None  # monotonic
    files_url: str = ""  # where this prediction's output files are served
    webhook: str | None = None
    events: frozenset[str] = frozenset(WEBHOOK_EVENTS)
    delivered: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def has_ended(self) -> bool:
        return self.data["status"] in TERMINAL_STATUSES


@dataclass(frozen=True)
class Timing:
    starting: float
    processing: float
    retention: float


class Store:
    def __init__(self, max_predictions: int, keep_requests: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.predictions: OrderedDict[str, Record] = OrderedDict()  # oldest first
        self.received: deque[Received] = deque(maxlen=keep_requests)
        self._max = max_predictions
        self._seq = 0
        self.clock = clock

    def add(self, data: dict[str, Any], *, cancel_after: float | None = None, **driving: Any) -> Record:
        """Keep a new prediction; `cancel_after` seconds from now, it is canceled (or aborted)."""
        self._seq += 1
        now = self.clock()
        cancel_at = now + cancel_after if cancel_after is not None else None
        record = Record(self._seq, data, now, cancel_at=cancel_at, **driving)
        self.predictions[record.id] = record
        while len(self.predictions) > self._max:
            self.predictions.popitem(last=False)
        return record

    def get(self, prediction_id: str) -> Record | None:
        return self.predictions.get(prediction_id)

    def page(
        self, size: int, *, before: int | None, after: int | None, created_after: str | None, created_before: str | None
    ) -> tuple[list[Record], bool, bool]:
        """Newest first. `before`/`after` are sequence numbers from a cursor. Returns the page and whether
        older and newer predictions remain beyond it."""
        matching = [
            r
            for r in reversed(self.predictions.values())
            if (created_after is None or r.data["created_at"] > created_after)
            and (created_before is None or r.data["created_at"] < created_before)
        ]
        if after is not None:
            newer = [r for r in matching if r.seq > after]
            page = newer[-size:]
            start = len(newer) - len(page)
        else:
            start = next((i for i, r in enumerate(matching) if r.seq < before), len(matching)) if before else 0
            page = matching[start : start + size]
        return page, start + len(page) < len(matching), start > 0


def advance(record: Record, timing: Timing, now: float, finish: Callable[[Record], None]) -> None:
    """Bring `record` up to date with the clock; `finish` fills in the output of a success."""
    data = record.data
    if not record.has_ended:
        elapsed = now - record.created
        if record.cancel_at is not None and now >= record.cancel_at:
            _end(record, "aborted" if elapsed < timing.starting else "canceled", now, timing)
        elif elapsed >= timing.starting + timing.processing:
            if data["status"] == "starting":
                data["started_at"] = iso_now()
            _end(record, record.ends_as, now, timing)
            if record.ends_as == "succeeded":
                finish(record)
            else:
                data["error"] = "The model failed: fault injected by the local server"
                data["logs"] += "Traceback (most recent call last):\nRuntimeError: injected failure\n"
        elif elapsed >= timing.starting and data["status"] == "starting":
            data.update(status="processing", started_at=iso_now(), logs="starting prediction\n")
    if record.ended is not None and now - record.ended >= timing.retention and not data["data_removed"]:
        data.update(output=None, data_removed=True)


def cancel(record: Record, timing: Timing, now: float) -> None:
    """An explicit cancel ends any prediction that has not ended as `canceled`."""
    if not record.has_ended:
        _end(record, "canceled", now, timing)


def _end(record: Record, status: str, now: float, timing: Timing) -> None:
    record.ended = now
    record.data["status"] = status
    record.data["completed_at"] = iso_now()
    total = now - record.created
    predict = max(0.0, total - timing.starting) if record.data.get("started_at") else 0.0
    record.data["metrics"] = {"predict_time": round(predict, 3), "total_time": round(total, 3)}
