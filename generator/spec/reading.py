"""Bounded reading of the files users hand us: documents, specs, overrides.

Every file the tool reads goes through here, so no input can take memory or time without bound:

- only regular files are read (a FIFO, a device or a symlink to one is refused without blocking),
  and the size is checked while reading, not taken from `stat` (`/dev/zero` says 0 bytes);
- JSON and YAML are refused when nested deeper than `MAX_DEPTH`, when YAML aliases would expand to
  more than `MAX_NODES` nodes (a "billion laughs"), or when an integer has more than `MAX_INT_DIGITS`
  digits; YAML is checked event by event before anything is built from it;
- a parsed value holds text only: no lone surrogates, and YAML mapping keys are strings.

Every refusal is an `InputError` naming the file and the line or JSON pointer.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from generator.errors import InputError

MAX_FILE_BYTES = 20 * 1024 * 1024  # a real Apifox page is a few KB; a project export a few MB
# What the tool wrote itself (the bundle of every model: about 8 KB a model) is bounded by memory alone
MAX_OUTPUT_BYTES = 4 * 1024 * 1024 * 1024
MAX_DEPTH = 100  # an OpenAPI spec nests a few dozen levels; our walkers recurse about this deep
MAX_NODES = 2_000_000  # YAML nodes after aliases are expanded
MAX_INT_DIGITS = 100  # far beyond any 64-bit value; Python refuses 4300 with a traceback

INTEGER = re.compile(rf"-?\d{{1,{MAX_INT_DIGITS}}}")  # an integer in text that int() takes without a fuss

_CHUNK = 1024 * 1024
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT_TAG = "tag:yaml.org,2002:int"
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"  # `<<: *base`
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NOT_A_NUMBER = re.compile(r"^[-+]?\.(?:inf|nan)$", re.I)
# An anchor (`&name`) where YAML allows one; `a=1&b=2` inside a scalar is none. No anchor, no alias.
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s\[\]{},]", re.M)
_INDENTATION = re.compile(r"^[ \t-]+", re.M)
_SHALLOW = 2_000  # nesting the C composer takes without the least risk to its stack
_TOO_DEEP = f"{{what}} nested too deeply; at most {MAX_DEPTH} levels"
_SURROGATE = "text holds a lone surrogate (\\ud800-\\udfff), which is not a character"


def read_bytes(path: Path, display: str, what: str = "file", limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes."""
    with _open_regular(path, display, what) as handle:
        too_big = (
            f"{what} is {{size}} bytes, over the {limit}-byte limit; expected an Apifox page, export or spec "
            "(split a larger project export by folder)"
        )
        if (size := os.fstat(handle.fileno()).st_size) > limit:  # a regular file's size is known: refuse before reading
            raise InputError(display, too_big.format(size=size))
        chunks, size = [], 0
        try:
            while chunk := handle.read(_CHUNK):  # and counted while reading: a file may grow meanwhile
                size += len(chunk)
                if size > limit:
                    raise InputError(display, too_big.format(size=f"at least {size}"))
                chunks.append(chunk)
        except OSError as exc:
            raise InputError(display, f"cannot read {what}: {exc.strerror or exc}") from None
    return b"".join(chunks)


def read_head(path: Path, display: str, what: str = "file", size: int = 8192) -> bytes:
    """The first `size` bytes of a regular file (the whole of a shorter one)."""
    with _open_regular(path, display, what) as handle:
        try:
            return handle.read(size)
        except OSError as exc:
            raise InputError(display, f"cannot read {what}: {exc.strerror or exc}") from None


def _open_regular(path: Path, display: str, what: str) -> BinaryIO:
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(display, f"cannot read {what}: {exc.strerror or exc}") from None
    handle = os.fdopen(fd, "rb")
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        handle.close()
        raise InputError(display, f"cannot read {what}: {_kind(mode)}, expected a regular file")
    return handle


def decode(data: bytes, display: str) -> str:
    """UTF-8 text (a BOM dropped), or an error at the line and column of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        raise InputError(
            display,
            f"not UTF-8 (byte 0x{data[exc.start]:02x}), expected UTF-8 text",
            line=before.count(b"\n") + 1,
            column=exc.start - (before.rfind(b"\n") + 1) + 1,
        ) from None


class OutOfBounds(ValueError):
    """A JSON text passes a bound: `where` is its offset in the text, or the JSON pointer."""

    def __init__(self, message: str, where: int | str) -> None:
        super().__init__(message)
        self.msg = message  # as json.JSONDecodeError names it
        self.where = where


def parse_json(text: str) -> Any:
    """The value of a JSON text: json.JSONDecodeError when it is not JSON, OutOfBounds when it passes
    a bound (both ValueError, for callers that only skip what they cannot read)."""

    def bounded_int(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_INT_DIGITS:
            raise OutOfBounds(_too_many_digits(digits), max(text.find(digits), 0))
        return int(digits)

    def no_constant(name: str) -> Any:
        raise OutOfBounds(f"{name} is not JSON; expected a number", max(text.find(name), 0))

    def finite_float(digits: str) -> float:
        if not math.isfinite(number := float(digits)):
            raise OutOfBounds(f"{digits} is too large for a number", max(text.find(digits), 0))
        return number

    try:
        value = json.loads(text, parse_int=bounded_int, parse_float=finite_float, parse_constant=no_constant)
    except RecursionError:
        raise OutOfBounds(_TOO_DEEP.format(what="JSON"), 0) from None
    _check_value(value)
    return value


def load_json(text: str, display: str, *, first_line: int = 1) -> Any:
    """`parse_json`, its bounds reported as InputError at their line or pointer in the file whose
    line `first_line` the text starts at. json.JSONDecodeError is left to the caller, which knows
    what the text was meant to be."""
    try:
        return parse_json(text)
    except OutOfBounds as exc:
        if isinstance(exc.where, str):
            raise InputError(display, exc.msg, pointer=exc.where) from None
        raise InputError(display, exc.msg, line=first_line + text.count("\n", 0, exc.where)) from None


def compose_yaml(text: str, display: str, *, first_line: int = 1) -> yaml.Node | None:
    """The YAML node tree of `text`; `check_node` then checks the rest of the bounds on it.
    yaml.YAMLError is left to the caller; bounds are InputError.

    Aliases and nesting are checked first, on libyaml's events, when the text could hold an alias
    bomb or nest deep enough to overflow the C composer. A text with no anchor and fewer brackets
    and columns of indentation than `_SHALLOW` cannot (each level of nesting takes a bracket or a
    column), so it skips that pass, which costs as much as the parse: every spec we write is such."""
    if _ANCHOR.search(text) or _nesting_bound(text) > _SHALLOW:
        _check_events(text, display, first_line)
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _nesting_bound(text: str) -> int:
    """An upper bound of the nesting of a YAML text: its flow brackets plus its deepest indentation."""
    indentation = max((len(m.group()) for m in _INDENTATION.finditer(text)), default=0)
    return text.count("[") + text.count("{") + indentation


def yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[str, int, int | None]:
    """What a YAML error says, and where: (problem, 0-based line, 1-based column or None), for a
    parse error and for a character the reader refuses (NUL, other controls) alike."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(filter(None, (exc.context, exc.problem))) or "cannot be parsed"
        return problem, mark.line if mark else 0, mark.column + 1 if mark else None
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return (
            f"character U+{code:04X} is not allowed in YAML",
            before.count("\n"),
            exc.position - (before.rfind("\n") + 1) + 1,
        )
    return str(exc).replace("\n", " "), 0, None


def construct(node: yaml.Node | None) -> Any:
    """The Python value of a node tree from `compose_yaml`."""
    if node is None:
        return None
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_yaml(text: str, display: str, *, first_line: int = 1) -> Any:
    node = compose_yaml(text, display, first_line=first_line)
    check_node(node, display, first_line=first_line)
    return construct(node)


def check_node(node: yaml.Node | None, display: str, *, first_line: int = 1) -> None:
    """Nesting, integer size, keys that are strings, text that is text and numbers that are finite,
    checked on the nodes so that each error has its line."""
    for item, is_key, depth in _nodes(node):
        line = first_line + item.start_mark.line
        if depth > MAX_DEPTH:
            raise InputError(display, _TOO_DEEP.format(what="YAML"), line=line)
        if isinstance(item, yaml.ScalarNode) and item.tag == _INT_TAG and len(item.value) > MAX_INT_DIGITS:
            raise InputError(display, _too_many_digits(item.value), line=line)
        if is_key and isinstance(item, yaml.ScalarNode) and item.tag == _INT_TAG:
            item.tag = _STR_TAG  # `200:` in responses, as people write it: the text as written
        elif is_key and not (isinstance(item, yaml.ScalarNode) and item.tag in (_STR_TAG, _MERGE_TAG)):
            shown = item.value if isinstance(item, yaml.ScalarNode) else "a collection"
            raise InputError(display, f"mapping key {shown!r} is not a string; quote it", line=line)
        if isinstance(item, yaml.ScalarNode) and _has_surrogate(item.value):
            raise InputError(display, _SURROGATE, line=line)
        if isinstance(item, yaml.ScalarNode) and item.tag == _FLOAT_TAG and not _finite(item.value):
            raise InputError(display, f"{item.value} is not a JSON number; a spec holds JSON values", line=line)


def is_plain(value: Any) -> bool:
    """Whether loading `value`, dumped as YAML, gives it back as it is: JSON types only, string keys,
    finite numbers, integers within `MAX_INT_DIGITS`, no lone surrogate, nested within `MAX_DEPTH`."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(item, str):
            if _has_surrogate(item):
                return False
        elif isinstance(item, dict):
            if not all(isinstance(key, str) and not _has_surrogate(key) for key in item):
                return False
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if len(str(abs(item))) > MAX_INT_DIGITS:
                return False
        elif not (isinstance(item, float) and math.isfinite(item)):
            return False
    return True


def _check_value(value: Any) -> None:
    """A parsed JSON value nests at most `MAX_DEPTH` deep and holds no lone surrogate."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, pointer, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise OutOfBounds(_TOO_DEEP.format(what="JSON"), pointer)
        if isinstance(item, str):
            if _has_surrogate(item):
                raise OutOfBounds(_SURROGATE, pointer)
        elif isinstance(item, dict):
            for key, child in item.items():
                token = str(key).replace("~", "~0").replace("/", "~1")
                stack.append((key, f"{pointer}/{token}", depth))
                stack.append((child, f"{pointer}/{token}", depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{pointer}/{index}", depth + 1) for index, child in enumerate(item))


def _check_events(text: str, display: str, first_line: int) -> None:
    """Depth, aliases and integer size, from libyaml's events: a stream that builds nothing, so a
    hostile document is refused before the composer (which recurses in C) or aliases can hurt."""
    resolver = _Loader("")
    sizes: dict[str, int] = {}  # anchor -> the number of nodes it stands for
    open_: list[tuple[str | None, int]] = []  # collections being read: (anchor, node count at start)
    total = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.ScalarEvent):
                total += 1
                _check_scalar(resolver, event, display, first_line)
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                total += sizes.get(event.anchor or "", 1)
            elif isinstance(event, yaml.CollectionStartEvent):
                total += 1
                open_.append((event.anchor, total - 1))
                if len(open_) > MAX_DEPTH:
                    raise InputError(
                        display,
                        _TOO_DEEP.format(what="YAML"),
                        line=_line(event, first_line),
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, start = open_.pop()
                if anchor:
                    sizes[anchor] = total - start
            if total > MAX_NODES:
                raise InputError(
                    display,
                    f"YAML expands to over {MAX_NODES} nodes (its aliases repeat what their anchors name); "
                    "expected a spec without alias bombs",
                    line=_line(event, first_line),
                )
    finally:
        resolver.dispose()


def _check_scalar(resolver: yaml.SafeLoader, event: yaml.ScalarEvent, display: str, first_line: int) -> None:
    if len(event.value) <= MAX_INT_DIGITS:
        return
    tag = event.tag
    if tag is None or tag == "!":
        tag = resolver.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
    if tag == _INT_TAG:
        raise InputError(display, _too_many_digits(event.value), line=_line(event, first_line))


def _line(event: yaml.Event, first_line: int) -> int:
    return first_line + (event.start_mark.line if event.start_mark else 0)


def _nodes(node: yaml.Node | None) -> Iterator[tuple[yaml.Node, bool, int]]:
    """Every node once (an alias's target is not walked again), with whether it is a mapping key
    and how deep it sits (collections inside collections)."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, bool, int]] = [(node, False, 0)] if node is not None else []
    while stack:
        item, is_key, depth = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item, is_key, depth
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                stack.append((value, False, depth + 1))
                stack.append((key, True, depth + 1))
        elif isinstance(item, yaml.SequenceNode):
            stack.extend((child, False, depth + 1) for child in item.value)


def _finite(text: str) -> bool:
    if _NOT_A_NUMBER.match(text):
        return False
    try:
        return math.isfinite(float(text.replace("_", "")))
    except ValueError:
        return True  # sexagesimal (`1:30.5`), which YAML 1.1 reads as a finite number


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _too_many_digits(digits: str) -> str:
    return f"an integer of {len(digits)} characters; at most {MAX_INT_DIGITS} digits are accepted"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
