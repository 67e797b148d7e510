"""Predictions the server holds: their lifecycle on a clock, bounded storage, and keyset paging.

A prediction's status is a function of time since it was created (`starting`, then `processing`,
then ended), worked out whenever it is read or a webhook is due, so nothing ticks in the background.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from generator.spec.vocabulary import TERMINAL_STATUSES, WEBHOOK_EVENTS


def iso_now() -> str:
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    created_at: datetime  # the wall clock then: the times the API shows are this plus monotonic time
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


class PredictionStore:
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
        now_wall = datetime.now(UTC)
        created_at = now_wall.replace(microsecond=now_wall.microsecond // 1000 * 1000)  # as shown: to the ms
        data["created_at"] = iso(created_at)
        record = Record(self._seq, data, now, created_at, cancel_at=cancel_at, **driving)
        self.predictions[record.id] = record
        while len(self.predictions) > self._max:
            self.predictions.popitem(last=False)
        return record

    def get(self, prediction_id: str) -> Record | None:
        return self.predictions.get(prediction_id)

    def page(
        self,
        size: int,
        *,
        before: int | None,
        after: int | None,
        created_after: datetime | None,
        created_before: datetime | None,
    ) -> tuple[list[Record], bool, bool]:
        """Newest first. `before`/`after` are sequence numbers from a cursor. Returns the page and whether
        older and newer predictions remain beyond it."""
        matching = [
            r
            for r in reversed(self.predictions.values())
            if (created_after is None or r.created_at > created_after)
            and (created_before is None or r.created_at < created_before)
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
        # Each moment is when it happened, not when the record is looked at: a prediction first
        # polled after it ended started, and ended, on time all the same.
        started, finished = record.created + timing.starting, record.created + timing.starting + timing.processing
        if record.cancel_at is not None and now >= record.cancel_at and record.cancel_at < finished:
            if record.cancel_at >= started and data["status"] == "starting":
                data["started_at"] = _at(record, started)
            _end(record, "aborted" if record.cancel_at < started else "canceled", record.cancel_at, timing)
        elif now >= finished:
            if data["status"] == "starting":
                data["started_at"] = _at(record, started)
            _end(record, record.ends_as, finished, timing)
            if record.ends_as == "succeeded":
                finish(record)
            else:
                data["error"] = "The model failed: fault injected by the local server"
                data["logs"] += "Traceback (most recent call last):\nRuntimeError: injected failure\n"
        elif now >= started and data["status"] == "starting":
            data.update(status="processing", started_at=_at(record, started), logs="starting prediction\n")
    if record.ended is not None and now - record.ended >= timing.retention and not data["data_removed"]:
        data.update(output=None, data_removed=True)


def cancel(record: Record, timing: Timing, now: float) -> None:
    """An explicit cancel ends any prediction that has not ended as `canceled`."""
    if not record.has_ended:
        _end(record, "canceled", now, timing)


def _at(record: Record, moment: float) -> str:
    """The wall-clock time of a monotonic `moment` of the record's life."""
    return iso(record.created_at + timedelta(seconds=moment - record.created))


def _end(record: Record, status: str, now: float, timing: Timing) -> None:
    record.ended = now
    record.data["status"] = status
    record.data["completed_at"] = _at(record, now)
    total = now - record.created
    predict = max(0.0, total - timing.starting) if record.data.get("started_at") else 0.0
    record.data["metrics"] = {"predict_time": round(predict, 3), "total_time": round(total, 3)}
