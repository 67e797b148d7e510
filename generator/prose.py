"""Schema keywords stated in a field's prose description (`默认值:“1:1”`, `Minimum: 1` ...).

Only what the text states is returned, typed to the field; a value that cannot be typed, or a
default that falls outside the stated range, is reported as a warning and dropped, never guessed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Inferred", "infer"]


@dataclass(frozen=True)
class Inferred:
    keyword: str  # default | minimum | maximum
    value: Any
    evidence: str  # the words it was read from, kept in the spec for a reader to check


_OPEN_QUOTE = r"(?:\\?[\"“”'‘「])"
_CLOSE_QUOTE = r"(?:\\?[\"“”'’」])"
_SEP = r"\s*[:：]?\s*"
_NUMBER = r"-?\d+(?:\.\d+)?"
# A value is quoted (anything up to the closing quote) or a bare token up to punctuation or space.
_VALUE = rf"(?:{_OPEN_QUOTE}(?P<quoted>.*?){_CLOSE_QUOTE}|(?P<bare>[^\s，,。；;）)]+))"

_DEFAULT = re.compile(rf"(?:默认值|默认|(?<![A-Za-z])[Dd]efault(?: value)?(?: is)?){_SEP}{_VALUE}")
_MINIMUM = re.compile(rf"(?:最小值|最低|最小|(?<![A-Za-z])[Mm]inimum(?: is)?){_SEP}(?P<value>{_NUMBER})")
_MAXIMUM = re.compile(rf"(?:最大值|最高|最大|(?<![A-Za-z])[Mm]aximum(?: is)?){_SEP}(?P<value>{_NUMBER})")
_RANGE = re.compile(rf"范围(?:为|是)?\s*(?P<low>{_NUMBER})\s*(?:至|到|~|-|－)\s*(?P<high>{_NUMBER})")


def infer(description: str, schema_type: str | None) -> tuple[list[Inferred], list[str]]:
    """Keywords the description states for a field of JSON type `schema_type` (None: untyped)."""
    found: list[Inferred] = []
    warnings: list[str] = []
    numeric = schema_type in ("integer", "number")

    if numeric:
        for keyword, value, evidence in _bounds(description):
            typed = _typed(value, schema_type)
            if typed is _UNTYPED:
                warnings.append(f"{keyword} {value!r} in {evidence!r} is not a valid {schema_type}; ignored")
            else:
                found.append(Inferred(keyword, typed, evidence))

    match = _DEFAULT.search(description)
    if match:
        quoted = match.group("quoted")
        raw = quoted if quoted is not None else match.group("bare").rstrip(".")
        typed = _typed(raw, schema_type, quoted=quoted is not None)
        evidence = match.group(0)
        if typed is _UNTYPED:
            warnings.append(f"default {raw!r} in {evidence!r} contradicts type {schema_type}; ignored")
        elif (reason := _outside(typed, found)) is not None:
            warnings.append(f"default {raw!r} in {evidence!r} is {reason}; ignored")
        else:
            found.append(Inferred("default", typed, evidence))
    return found, warnings


def _bounds(description: str) -> list[tuple[str, str, str]]:
    bounds: dict[str, tuple[str, str]] = {}
    if m := _RANGE.search(description):
        bounds["minimum"] = (m.group("low"), m.group(0))
        bounds["maximum"] = (m.group("high"), m.group(0))
    for keyword, pattern in (("minimum", _MINIMUM), ("maximum", _MAXIMUM)):
        if keyword not in bounds and (m := pattern.search(description)):
            bounds[keyword] = (m.group("value"), m.group(0))
    return [(keyword, value, evidence) for keyword, (value, evidence) in sorted(bounds.items())]


class _Untyped:
    pass


_UNTYPED: Any = _Untyped()


def _typed(raw: str, schema_type: str | None, *, quoted: bool = False) -> Any:
    if schema_type == "string":
        return raw  # "None" stays the string "None": it is a real enum value for some models
    if schema_type == "boolean":
        return {"true": True, "false": False}.get(raw.strip().lower(), _UNTYPED)
    if schema_type == "integer":
        return int(raw) if re.fullmatch(r"-?\d+", raw.strip()) else _UNTYPED
    if schema_type == "number":
        if not re.fullmatch(_NUMBER, raw.strip()):
            return _UNTYPED
        number = float(raw)
        return int(number) if "." not in raw and math.isfinite(number) else number
    if schema_type is None:
        if quoted:
            return raw
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return _UNTYPED  # arrays and objects: prose defaults for them are not understood


def _outside(value: Any, bounds: list[Inferred]) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    for bound in bounds:
        if bound.keyword == "minimum" and value < bound.value:
            return f"below the stated minimum {bound.value}"
        if bound.keyword == "maximum" and value > bound.value:
            return f"above the stated maximum {bound.value}"
    return None
