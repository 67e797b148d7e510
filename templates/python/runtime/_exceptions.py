"""Every error the client raises.

Hierarchy::

    ReplicateError                          base of everything below
     +-- InvalidArgumentError               an argument refused before any request (also a ValueError)
     |    +-- InvalidInputError             model inputs that do not fit the model's schema: .errors
     +-- APIError                           a call to the API did not succeed
     |    +-- APIConnectionError            no response: refused, reset, DNS
     |    |    +-- APITimeoutError          no response in time
     |    +-- APIStatusError                a 4xx or 5xx response: .status_code, .body, .prediction_id
     |         +-- BadRequestError              400
     |         +-- AuthenticationError          401
     |         +-- PermissionDeniedError        403
     |         +-- NotFoundError                404
     |         +-- ConflictError                409
     |         +-- UnprocessableEntityError     422: .invalid_fields
     |         +-- RateLimitError               429: .retry_after
     |         +-- InternalServerError          5xx
     +-- PredictionError                    a prediction gave no output: .prediction
     |    +-- PredictionFailed              it ended failed, canceled or aborted
     |    +-- WaitTimeout                   it was still running at the deadline
     +-- WebhookVerificationError           a webhook whose signature or timestamp is not right

A model that fails is not an HTTP error: its prediction ends `failed` and `run()` raises
`PredictionFailed`. No message ever contains the API token: a token that could not be sent in a
header is refused when the client is made, by position, never shown.
"""

from __future__ import annotations

import email.utils
import re
import time
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from ._models import Prediction

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "InvalidArgumentError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "PredictionError",
    "PredictionFailed",
    "RateLimitError",
    "ReplicateError",
    "UnprocessableEntityError",
    "WaitTimeout",
    "WebhookVerificationError",
]

_PREDICTION_PATH = re.compile(r"/v1/predictions/([^/]+)")


class ReplicateError(Exception):
    """Base of every error this package raises."""


class InvalidArgumentError(ReplicateError, ValueError):
    """An argument was refused before any request was sent: `.argument` names it."""

    def __init__(self, message: str, *, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


class InvalidInputError(InvalidArgumentError):
    """The inputs do not fit the model's schema; nothing was sent. `.errors` lists each problem as
    pydantic reports it (`loc`, `msg`, `type`)."""

    def __init__(self, model: str, errors: list[dict[str, Any]]) -> None:
        where = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{model}: invalid input: {where}{more}", argument="input")
        self.errors = errors


class APIError(ReplicateError):
    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIConnectionError(APIError):
    """The request got no response."""


class APITimeoutError(APIConnectionError):
    """The request got no response in time."""


class APIResponseError(APIError):
    """The API answered with a success status but a body this client cannot read (not JSON, or not
    the shape the API documents); `.response` holds it."""

    def __init__(self, message: str, *, response: httpx.Response) -> None:
        super().__init__(message, request=response.request)
        self.response = response


class APIStatusError(APIError):
    """The API answered with an error status; `body` is its problem+json document (or text)."""

    def __init__(self, message: str, *, response: httpx.Response, body: Any) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        match = _PREDICTION_PATH.search(response.request.url.path)
        self.prediction_id: str | None = match.group(1) if match else None


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class UnprocessableEntityError(APIStatusError):
    @property
    def invalid_fields(self) -> list[dict[str, Any]]:
        """`[{"type": "enum", "field": "input.aspect_ratio", "description": ...}]` when given."""
        fields = self.body.get("invalid_fields") if isinstance(self.body, dict) else None
        return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked to wait (`Retry-After`, in seconds or as a date), if it said."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, parsed.timestamp() - time.time())


class RateLimitError(APIStatusError):
    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait (`Retry-After`, in seconds or as a date), if it said."""
        return retry_after(self.response)


class InternalServerError(APIStatusError):
    pass


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def make_status_error(response: httpx.Response) -> APIStatusError:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    detail = body.get("detail") or body.get("title") if isinstance(body, dict) else body
    message = f"{response.status_code} {response.reason_phrase}: {detail or 'no details'}"
    default = InternalServerError if response.status_code >= 500 else APIStatusError
    return _BY_STATUS.get(response.status_code, default)(message, response=response, body=body)


class PredictionError(ReplicateError):
    def __init__(self, message: str, prediction: Prediction) -> None:
        super().__init__(message)
        self.prediction = prediction


class PredictionFailed(PredictionError):
    """The prediction ended `failed`, `canceled` or `aborted`; see `.error` and `.logs`."""

    def __init__(self, prediction: Prediction) -> None:
        reason = f": {prediction.error}" if prediction.error else ""
        super().__init__(f"prediction {prediction.id} ended {prediction.status}{reason}", prediction)

    @property
    def id(self) -> str:
        return self.prediction.id

    @property
    def status(self) -> str:
        return self.prediction.status

    @property
    def error(self) -> Any:
        return self.prediction.error

    @property
    def logs(self) -> str | None:
        return self.prediction.logs


class WaitTimeout(PredictionError):
    """The deadline passed before the prediction ended; it may still be running."""

    def __init__(self, prediction: Prediction, timeout: float) -> None:
        super().__init__(
            f"prediction {prediction.id} still {prediction.status} after {timeout:g} s", prediction
        )


class WebhookVerificationError(ReplicateError):
    """The webhook is not from the server holding the secret, or it is too old."""
