"""Faults on demand: `KIND[:ARG][@RATE|#N]`, from `--fault` (every request) or an `X-Fault` header (that one).

429[:S]     Too Many Requests with `Retry-After: S` (default 1)
500, 503    a server error (problem+json)
slow[:S]    answer after S seconds (default 1)
drop        close the connection in the middle of the response
malformed   200 with a body that is not JSON
fail        (create only) the prediction ends `failed`, with an error and logs

@0.25       on a quarter of the requests (seeded: reproducible)
#3          on the third request only
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

KINDS = ("429", "500", "503", "slow", "drop", "malformed", "fail")
_SPEC = re.compile(
    r"^(?P<kind>[a-z0-9]+)(?::(?P<arg>\d+(?:\.\d+)?))?(?:@(?P<rate>0?\.\d+|1(?:\.0+)?)|#(?P<nth>[1-9]\d*))?$"
)


@dataclass(frozen=True)
class Fault:
    kind: str
    argument: float | None = None
    rate: float | None = None  # probability per request
    nth: int | None = None  # fires on this request only (1-based, counted per fault)

    @classmethod
    def parse(cls, text: str) -> Fault:
        match = _SPEC.match(text.strip())
        if match is None or match.group("kind") not in KINDS:
            raise ValueError(f"bad fault {text!r}: expected KIND[:ARG][@RATE|#N] with KIND one of {', '.join(KINDS)}")
        arg, rate, nth = match.group("arg"), match.group("rate"), match.group("nth")
        return cls(
            match.group("kind"),
            float(arg) if arg else None,
            float(rate) if rate else None,
            int(nth) if nth else None,
        )


class FaultPlan:
    """Decides, request by request, which configured fault (if any) fires."""

    def __init__(self, faults: tuple[Fault, ...], seed: int) -> None:
        self._faults = faults
        self._counts = [0] * len(faults)
        self._random = random.Random(seed)

    def next(self, header: str | None) -> Fault | None:
        """The fault for this request: the header's (always fires) or a configured one."""
        chosen = Fault.parse(header) if header else None
        for index, fault in enumerate(self._faults):
            self._counts[index] += 1
            fires = (
                self._counts[index] == fault.nth
                if fault.nth is not None
                else self._random.random() < fault.rate
                if fault.rate is not None
                else True
            )
            if fires and chosen is None:
                chosen = fault
        return chosen
