"""Schema keywords stated in a field's prose description (`默认值:“1:1”`, `Minimum: 1` ...).

Only what the text states is returned, typed to the field; a value that cannot be typed, or a
default that falls outside the stated range, is reported as a warning and dropped, never guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from generator.spec import reading

__all__ = ["NO_EXAMPLE", "Inferred", "infer", "is_placeholder"]


@dataclass(frozen=True)
class Inferred:
    keyword: str  # default | minimum | maximum | enum
    value: Any
    evidence: str  # the words it was read from, kept in the spec for a reader to check


_OPEN_QUOTE = r"(?:\\?[\"“”'‘「])"
_CLOSE_QUOTE = r"(?:\\?[\"“”'’」])"
_SEP = r"\s*+(?:[:：]\s*+)?"
_NUMBER = r"(?<![\d.])-?\d++(?:\.\d++)?"  # possessive, and from a run's start: linear on digit runs
# A value is quoted (anything up to the closing quote) or a bare token up to punctuation or space.
_VALUE = rf"(?:{_OPEN_QUOTE}(?P<quoted>.*?){_CLOSE_QUOTE}|(?P<bare>[^\s，,。；;）)]+))"

# Only a statement: `默认值:…`, `Default: 2.5`, `defaults to 1`, `default is "x"`, `default value 3`, not a
# word after "default" in a sentence ("use the default weights", "leave blank for default.").
_DEFAULT = re.compile(
    rf"(?:(?:默认值|默认){_SEP}|(?<![A-Za-z])[Dd]efault(?:s to\s++| value(?: is)?{_SEP}| is\s++|\s*+[:：=]\s*+))"
    rf"{_VALUE}"
)
_MINIMUM = re.compile(
    rf"(?:(?:最小值|最低|最小)(?:为|是)?|(?<![A-Za-z])[Mm]in(?:imum)?(?: value)?(?: is)?){_SEP}(?P<value>{_NUMBER})"
)
_MAXIMUM = re.compile(
    rf"(?:(?:最大值|最高|最大)(?:为|是)?|(?<![A-Za-z])[Mm]ax(?:imum)?(?: value)?(?: is)?){_SEP}(?P<value>{_NUMBER})"
)
# "2 是目前允许的最大值", "2 is the maximum allowed": a maximum, unless one is stated outright.
_MAX_ALLOWED = re.compile(
    rf"(?P<value>{_NUMBER})\s*(?:是|为)[^。；;，,\n]{{0,30}}?允许的?最大值|"
    rf"(?P<value2>{_NUMBER}) is the (?:maximum|max|largest value|highest value)(?: value)? allowed"
)
# `使用“match_input_image”来…`, `use "match_input_image" to…`: the text names a value as a choice.
_CHOICE = r"(?:使用|选择|设为|设置为|(?<![A-Za-z])(?:[Uu]se|[Ss]et (?:it )?to|[Cc]hoose|[Ss]elect))\s*"
_RANGE = re.compile(
    rf"(?:范围(?:为|是)?|(?<![A-Za-z])[Rr]ange(?: is)?\s*+[:：]?)\s*+(?P<low>{_NUMBER})\s*+"
    rf"(?:至|到|~|-|－|–|—|(?<=\s)to(?=\s))\s*+(?P<high>{_NUMBER})"
)
# `支持1:1，16:9，9:16`, `可选值：a、b、c`, `One of: a, b, c`: the list runs to the end of the clause.
_LIST = re.compile(
    r"(?:支持|可选值|可选项|可选|取值|选项|(?<![A-Za-z])(?:[Aa]llowed values|[Oo]ptions|[Oo]ne of|[Cc]hoices|"
    r"[Ss]upported values|[Vv]alid values|[Ss]upports?))(?:为|是|有|的值)?\s*+(?:[:：]\s*+)?"
    r"(?P<list>(?:[^。；;\n（(.]|\.(?=\d))+)"
)
# Tried only where a whitespace run starts, and possessively: linear however long the run.
_ITEM_SEPARATOR = re.compile(r"(?<!\s)\s*+(?:[，,、/|]|或|(?<=\s)(?:or|and)(?=\s)|和|与)\s*+")
_NOT_A_VALUE = re.compile(r"默认|[Dd]efault|最小|最大|最低|最高|[Mm]inimum|[Mm]aximum|范围")
_OPEN_ENDED = re.compile(r"(?:等|etc\.?|\.\.\.|…)$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_QUOTES = "\"“”'‘’「」`\\"
# A sentence naming each value of a snake_case option: `block_low_and_above 是最严格的，...`
_SNAKE = re.compile(r"(?<![\w-])[a-z0-9]+(?:_[a-z0-9]+)+(?![\w-])")


NO_EXAMPLE: Any = object()  # the field is not in the request example (None is a value it can hold)


def infer(
    description: str, schema_type: str | None, example: Any = NO_EXAMPLE, settled: frozenset[str] = frozenset()
) -> tuple[list[Inferred], list[str]]:
    """Keywords the description states for a field of JSON type `schema_type` (None: untyped).
    `example` is the field's value in the page's request example, when it has one: a default the
    example uses joins a stated list of values that lacks it. `settled`: the keywords the schema
    states itself, which prose neither gives nor warns about.
    A fractional bound on an integer field widens it: `type` is then inferred as `number`."""
    found: list[Inferred] = []
    warnings: list[str] = []
    numeric = schema_type in ("integer", "number")

    if numeric:
        bounds = [bound for bound in _bounds(description) if bound[0] not in settled]
        fractional = next((b for b in bounds if "." in b[1]), None)
        if schema_type == "integer" and fractional is not None:
            keyword, value, evidence = fractional
            found.append(Inferred("type", "number", evidence))
            warnings.append(f"type integer widened to number: {evidence!r} states a fractional {keyword}")
            schema_type = "number"
        for keyword, value, evidence in bounds:
            typed = _typed(value, schema_type)
            if typed is _UNTYPED:
                warnings.append(f"{keyword} {value!r} in {evidence!r} is not a valid {schema_type}; ignored")
            else:
                found.append(Inferred(keyword, typed, evidence))

    enum, enum_warnings = _enum(description, schema_type) if "enum" not in settled else (None, [])
    warnings += enum_warnings
    if enum is not None:
        found.append(enum)

    match = _DEFAULT.search(description) if "default" not in settled else None
    if match:
        quoted = match.group("quoted")
        raw = quoted if quoted is not None else match.group("bare").rstrip(".")
        typed = _typed(raw, schema_type, quoted=quoted is not None)
        evidence = match.group(0)
        if typed is _UNTYPED:
            warnings.append(f"default {raw!r} in {evidence!r} contradicts type {schema_type}; ignored")
        elif enum is not None and typed not in enum.value and (chosen := _chosen(description, raw, typed, example)):
            found[found.index(enum)] = Inferred("enum", [*enum.value, typed], f"{enum.evidence} + {chosen}")
            found.append(Inferred("default", typed, evidence))
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


def _chosen(description: str, raw: str, value: Any, example: Any) -> str | None:
    """Why a default missing from the stated values is one of them after all: the text names it as a
    choice, or the request example uses it (a template's placeholder does not count)."""
    if m := re.search(rf"{_CHOICE}{_OPEN_QUOTE}?{re.escape(raw)}{_CLOSE_QUOTE}?", description):
        return m.group(0)
    if example is not NO_EXAMPLE and example == value and not is_placeholder(example):
        return "the request example"
    return None


def is_placeholder(value: Any) -> bool:
    """A value a template example holds in place of a real one: `"string"`, `0`, `true`, `""`."""
    if isinstance(value, str):
        return value.strip().lower() in ("", "string", "str", "text")
    return (type(value) is int and value == 0) or value is True


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
    """Stated bounds; an explicit `最小值`/`Maximum` beats a (suggested) range, which beats
    "N is the maximum allowed"."""
    bounds: dict[str, tuple[str, str]] = {}
    for keyword, pattern in (("minimum", _MINIMUM), ("maximum", _MAXIMUM)):
        if m := pattern.search(description):
            bounds[keyword] = (m.group("value"), m.group(0))
    if m := _RANGE.search(description):
        bounds.setdefault("minimum", (m.group("low"), m.group(0)))
        bounds.setdefault("maximum", (m.group("high"), m.group(0)))
    if "maximum" not in bounds and (m := _MAX_ALLOWED.search(description)):
        bounds["maximum"] = (m.group("value") or m.group("value2"), m.group(0))
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
        return int(raw) if reading.INTEGER.fullmatch(raw.strip()) else _UNTYPED
    if schema_type == "number":
        if not re.fullmatch(_NUMBER, raw.strip()):
            return _UNTYPED
        number = float(raw)
        return int(number) if "." not in raw and math.isfinite(number) else number
    if schema_type is None:
        if quoted:
            return raw
        try:
            return reading.parse_json(raw)
        except ValueError:  # not JSON, or out of bounds: the words as written
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
