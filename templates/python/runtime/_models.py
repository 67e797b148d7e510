"""The Prediction, as the API returns it.

Lenient on purpose: unknown fields are kept and an unknown status is kept as a string, so a new
field or status on the server never breaks a client already deployed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ._types import TERMINAL_STATUSES, PredictionStatus

__all__ = ["Prediction", "PredictionUrls"]


class PredictionUrls(BaseModel):
    model_config = ConfigDict(extra="allow")

    get: str | None = None
    cancel: str | None = None
    web: str | None = None
    stream: str | None = None
    """Server-sent events of the output, for streaming models only."""


class Prediction(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    model: str = ""
    """`owner/name`."""
    version: str = ""
    """`hidden` for official models."""
    status: PredictionStatus | str
    input: dict[str, Any] = Field(default_factory=dict)
    output: Any = None
    """`None` until the prediction succeeds, and again once the data is removed."""
    error: Any = None
    logs: str | None = None
    data_removed: bool = False
    created_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    deadline: datetime | None = None
    source: str | None = None
    metrics: dict[str, Any] | None = None
    urls: PredictionUrls = Field(default_factory=PredictionUrls)
    _response: httpx.Response | None = PrivateAttr(default=None)

    @property
    def raw_response(self) -> httpx.Response | None:
        """The HTTP response this prediction was read from (status, headers); None when it was
        built another way, such as from a webhook or a page of `list()`."""
        return self._response

    @property
    def terminal(self) -> bool:
        """Whether the prediction has ended: succeeded, failed, canceled or aborted."""
        return self.status in TERMINAL_STATUSES
