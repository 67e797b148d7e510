"""Decoding and JSON parsing that keep the place of every failure in the original file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.importing.record import Source

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # a real Apifox page is a few KB; a project export a few MB


def read_document(path: Path, display: str, fmt_hint: str = "") -> tuple[str, str]:
    """Return (text, sha256) of a UTF-8 document, or raise InputError naming the place."""
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise InputError(
                display, f"file is {size} bytes, over the {MAX_DOCUMENT_BYTES}-byte limit for one document"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(display, f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError(display, "file is empty, expected an Apifox document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            display,
            f"not UTF-8 (byte 0x{data[exc.start]:02x}), expected UTF-8 text",
            line=line,
            column=column,
        ) from None
    return text.replace("\r\n", "\n"), hashlib.sha256(data).hexdigest()


def make_source(display: str, sha256: str, fmt: str) -> Source:
    return Source(path=display, sha256=sha256, format=fmt)


def parse_json(text: str, display: str, first_line: int, what: str) -> Any:
    """Parse `text`, which starts at line `first_line` of the file, reporting errors in file lines."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        line = first_line + exc.lineno - 1
        raise InputError(display, f"{what}: invalid JSON ({exc.msg})", line=line, column=exc.colno) from None
