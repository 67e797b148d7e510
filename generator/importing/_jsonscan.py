"""JSON values found in page text, wherever they stand, with the defects real pages have.

A value starts at a `{` that opens a line (or a curl `--data-raw '{`) and is followed by a key or `}`.
Its end is found by counting brackets outside strings; a string never spans lines in JSON, so a line
break ends a string that lost its closing quote and the count stays in step. A value that the file
ends inside means the page was cut off. A value that does not parse is tried once more with the
quotes inside its string values escaped (`"the words "FLUX" in it"`), else it is skipped and said.
The scan is linear in the length of the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from generator.spec import reading

_START = re.compile(r"^[ \t]*\{(?=\s*(?:\"|\}))", re.M)
_CURL_DATA = re.compile(r"(?:--data-raw|--data-binary|--data|-d)\s+'(?=\s*\{)")
# `"key": "value"` or a lone `"value"` item whose value holds unescaped quotes.
_STRING_LINE = re.compile(r'^(?P<head>\s*(?:"(?:[^"\\]|\\.)*"\s*:\s*)?")(?P<body>.*)(?P<tail>"\s*,?\s*)$')
_UNESCAPED_QUOTE = re.compile(r'(?<!\\)"')
_SHELL_QUOTE = "'\\''"  # how a `'` is written inside a single-quoted shell argument


@dataclass
class Found:
    line: int  # 1-based line of the text where the value starts
    end_line: int
    value: Any = None
    parsed: bool = False
    truncated: bool = False
    in_curl: bool = False
    warnings: list[str] = field(default_factory=list)


def scan(text: str) -> list[Found]:
    """Every JSON value of the page, in order; overlapping candidates are skipped."""
    starts = [(m.start() + m.group(0).index("{"), False) for m in _START.finditer(text)]
    starts += [(text.index("{", m.end()), True) for m in _CURL_DATA.finditer(text)]
    found: list[Found] = []
    covered = -1
    for start, in_curl in sorted(starts):
        if start <= covered:
            continue
        end = _end_of_value(text, start)
        line = text.count("\n", 0, start) + 1
        if end is None:
            found.append(Found(line, text.count("\n") + 1, truncated=True, in_curl=in_curl))
            break  # the file ends inside it: nothing follows
        covered = end
        found.append(_parse(text[start:end], line, in_curl))
    return found


def closes(text: str) -> bool:
    """Whether the JSON value the text starts with is closed before the text ends."""
    start = next((i for i, char in enumerate(text) if char in "{["), None)
    return start is None or _end_of_value(text, start) is not None


def _end_of_value(text: str, start: int) -> int | None:
    """The offset just past the bracket closing the one at `start`, or None when the text ends first."""
    depth = 0
    in_string = False
    index = start
    length = len(text)
    while index < length:
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"' or char == "\n":
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return None


def _parse(raw: str, line: int, in_curl: bool) -> Found:
    found = Found(line, line + raw.count("\n"), in_curl=in_curl)
    if in_curl:
        raw = raw.replace(_SHELL_QUOTE, "'")
    try:
        found.value = _unshell(reading.parse_json(raw), found)
        found.parsed = True
        return found
    except reading.OutOfBounds as exc:
        found.warnings.append(f"the JSON example at line {line} was skipped: {exc.msg}")
        return found
    except json.JSONDecodeError as exc:
        error = exc
    repaired, lines = _escape_inner_quotes(raw)
    if lines:
        try:
            found.value = _unshell(reading.parse_json(repaired), found)
            found.parsed = True
            places = ", ".join(str(line + n) for n in lines)
            found.warnings.append(
                f"the JSON example at line {line} had unescaped quotes inside a string on line(s) {places}; repaired"
            )
            return found
        except ValueError:  # still not JSON, or out of bounds: the first error is the one to tell
            pass
    found.warnings.append(
        f"the JSON example at line {line} is not valid JSON ({error.msg} at line {line + error.lineno - 1}); skipped"
    )
    return found


def _unshell(value: Any, found: Found) -> Any:
    """`\\'` in a string is a shell's escaped apostrophe copied into the JSON (`world\\'s`): an apostrophe."""
    text = json.dumps(value, ensure_ascii=False)
    if "\\\\'" not in text:
        return value
    found.warnings.append(f"the JSON example at line {found.line} held shell-escaped apostrophes (\\'); unescaped")
    return json.loads(text.replace("\\\\'", "'"))


def _escape_inner_quotes(raw: str) -> tuple[str, list[int]]:
    lines = raw.split("\n")
    changed = []
    for index, text in enumerate(lines):
        match = _STRING_LINE.match(text)
        if match and _UNESCAPED_QUOTE.search(match.group("body")):
            body = _UNESCAPED_QUOTE.sub('\\\\"', match.group("body"))
            lines[index] = match.group("head") + body + match.group("tail")
            changed.append(index)
    return "\n".join(lines), changed
