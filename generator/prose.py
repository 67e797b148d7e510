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
    keyword: str  # default | minimum | maximum | enum
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
# `支持1:1，16:9，9:16`, `可选值：a、b、c`, `One of: a, b, c`: the list runs to the end of the clause.
_LIST = re.compile(
    r"(?:支持|可选值|可选项|可选|取值|选项|(?<![A-Za-z])(?:[Aa]llowed values|[Oo]ptions|[Oo]ne of|[Cc]hoices|"
    r"[Ss]upported values|[Vv]alid values|[Ss]upports?))(?:为|是|有|的值)?\s*[:：]?\s*"
    r"(?P<list>(?:[^。；;\n（(.]|\.(?=\d))+)"
)
_ITEM_SEPARATOR = re.compile(r"\s*(?:[，,、/|]|\s或\s?|或|\s(?:or|and)\s|和|与)\s*")
_NOT_A_VALUE = re.compile(r"默认|[Dd]efault|最小|最大|最低|最高|[Mm]inimum|[Mm]aximum|范围")
_OPEN_ENDED = re.compile(r"(?:等|etc\.?|\.\.\.|…)$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_QUOTES = "\"“”'‘’「」`\\"
# A sentence naming each value of a snake_case option: `block_low_and_above 是最严格的，...`
_SNAKE = re.compile(r"(?<![\w-])[a-z0-9]+(?:_[a-z0-9]+)+(?![\w-])")


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

    enum, enum_warnings = _enum(description, schema_type)
    warnings += enum_warnings
    if enum is not None:
        found.append(enum)

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
            if enum is None and (named := _named_values(description, typed)) is not None:
                found.append(named)
    return found, warnings


def _enum(description: str, schema_type: str | None) -> tuple[Inferred | None, list[str]]:
    """Allowed values stated as a list. Two values at least: `支持中文` is a sentence, not a list."""
    if schema_type not in ("string", "integer", "number", None):
        return None, []
    for match in _LIST.finditer(description):
        items: list[str] = []
        for item in _ITEM_SEPARATOR.split(match.group("list").strip()):
            item = item.strip().strip(_QUOTES).strip()
            if _NOT_A_VALUE.search(item):
                break  # `支持a，b，默认值：a`: the list ended where the next statement starts
            if item:
                items.append(item.rstrip(".") if item.endswith(".") and not item[:-1].endswith(".") else item)
        if len(items) < 2:
            continue
        text = match.group(0)
        evidence = text[: text.find(items[-1]) + len(items[-1])]
        if _OPEN_ENDED.search(items[-1]) or len(items) > 50:
            return None, [f"{evidence!r} reads like a list of values but is open-ended; no enum inferred"]
        if any(_CJK.search(item) for item in items):
            continue  # `支持中文和英文提示` says what is supported, not which values are allowed
        typed = [_typed(item, schema_type) for item in items]
        if any(value is _UNTYPED for value in typed) or any(len(item) > 40 for item in items):
            return None, [f"{evidence!r} reads like a list of values that are not all {schema_type}s; no enum inferred"]
        return Inferred("enum", list(dict.fromkeys(typed)), evidence), []
    return None, []


def _named_values(description: str, default: Any) -> Inferred | None:
    """A snake_case default among other snake_case words: the sentence names every allowed value."""
    if not isinstance(default, str) or not _SNAKE.fullmatch(default):
        return None
    words = list(dict.fromkeys(m.group(0) for m in _SNAKE.finditer(description)))
    if default not in words or len(words) < 3:
        return None
    last = max(description.find(word) + len(word) for word in words)
    return Inferred("enum", words, description[:last])


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
    for bound in bounds:
        if bound.keyword == "enum" and value not in bound.value:
            return f"not one of the stated values {bound.value}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    for bound in bounds:
        if bound.keyword == "minimum" and value < bound.value:
            return f"below the stated minimum {bound.value}"
        if bound.keyword == "maximum" and value > bound.value:
            return f"above the stated maximum {bound.value}"
    return None
