"""Readers: one per Apifox document format, each turning a file into an `Endpoint` record.

The format is detected from the content, never from the file name; `fmt` forces one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.errors import InputError
from generator.importing import pagetext
from generator.importing._text import make_source, read_document
from generator.importing.record import Endpoint, Parameter, Response, Source

__all__ = ["FORMATS", "Endpoint", "Parameter", "Response", "Source", "display_path", "load"]

Reader = Callable[[str, Source], Endpoint]

# name -> (detector, reader). Detectors are tried in this order.
FORMATS: dict[str, tuple[Callable[[str], str | None], Reader]] = {
    pagetext.TABLE: (pagetext.detect, pagetext.read),
    pagetext.GLUED: (pagetext.detect, pagetext.read),
}


def display_path(path: Path) -> str:
    """The path as recorded in specs and messages: relative to the working directory when inside it,
    so that specs built on any machine are identical."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def load(path: Path, fmt: str | None = None) -> Endpoint:
    display = display_path(path)
    text, sha256 = read_document(path, display)
    if fmt is None:
        fmt = next((found for detect, _ in FORMATS.values() if (found := detect(text))), None)
        if fmt is None:
            raise InputError(
                display,
                "not a recognised Apifox document; expected a doc page (title, `POST /path`, 概览, 请求体 ...)",
                line=1,
            )
    elif fmt not in FORMATS:
        raise InputError(display, f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return FORMATS[fmt][1](text, make_source(display, sha256, fmt))
