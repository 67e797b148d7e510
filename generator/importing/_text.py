"""Decoding and parsing that keep the place of every failure in the original file."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from generator.errors import InputError
from generator.importing._jsonscan import closes
from generator.importing.record import Source
from generator.spec import reading

_YAML_TOP_KEY = re.compile(r"^['\"]?(openapi|swagger|info|paths|components|owner|name)['\"]?\s*:")


@dataclass(frozen=True)
class Document:
    """One file as read: its text, and its structured value when it is JSON or YAML."""

    display: str  # the path as shown in messages and recorded in specs
    text: str
    sha256: str

    def source(self, fmt: str, pointer: str = "") -> Source:
        return Source(path=self.display, sha256=self.sha256, format=fmt, pointer=pointer)

    @property
    def is_json(self) -> bool:
        return self.text.lstrip().startswith(("{", "["))

    @property
    def is_yaml(self) -> bool:
        """A YAML OpenAPI export: its first line that is not a comment is a top-level key we know.
        (A Markdown export starts with `# title` too, but its next line is prose or a fence.)"""
        lines = (line for line in self.text.splitlines() if line.strip() not in ("", "---"))
        first = next((line for line in lines if not line.startswith("#")), "")
        return not self.is_json and _YAML_TOP_KEY.match(first) is not None

    @cached_property
    def data(self) -> Any:
        """The parsed value; a file that looks like JSON or YAML but does not parse is an error here,
        before any format is guessed, so the user hears about the broken bracket, not the format."""
        if self.is_json:
            return parse_json(self.text, self.display, 1, "document")
        if self.is_yaml:
            return parse_yaml(self.text, self.display, 1, "document")
        return None


def read_document(path: Path, display: str, data: bytes | None = None) -> Document:
    """Read a UTF-8 document (`data`: its bytes, when they were read already), or raise InputError
    naming the place."""
    if data is None:
        data = reading.read_bytes(path, display, "document")
    if not data.strip():
        raise InputError(display, "file is empty, expected an Apifox document")
    text = reading.decode(data, display)
    return Document(display, text.replace("\r\n", "\n"), hashlib.sha256(data).hexdigest())


def parse_json(text: str, display: str, first_line: int, what: str) -> Any:
    """Parse `text`, which starts at line `first_line` of the file, reporting errors in file lines."""
    try:
        return reading.load_json(text, display, first_line=first_line)
    except json.JSONDecodeError as exc:
        line = first_line + exc.lineno - 1
        cut = exc.pos >= len(text.rstrip()) or not closes(text)
        expected = "; the file ends early (a truncated page?), expected the rest of the JSON" if cut else ""
        raise InputError(display, f"{what}: invalid JSON ({exc.msg}){expected}", line=line, column=exc.colno) from None


def parse_yaml(text: str, display: str, first_line: int, what: str) -> Any:
    try:
        return reading.load_yaml(text, display, first_line=first_line)
    except yaml.YAMLError as exc:
        problem, line, column = reading.yaml_problem(exc, text)
        raise InputError(
            display,
            f"{what}: invalid YAML ({problem}); expected a YAML mapping",
            line=first_line + line,
            column=column,
        ) from None
