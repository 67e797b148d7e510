"""Readers: one per Apifox document format, each turning a file into `Endpoint` records.

The format is detected from the content, never from the file name; `fmt` forces one.
A file describes one endpoint, except a project export or an OpenAPI document with many.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import InputError
from generator.importing import docpage, markdown, openapi, pagetext, project, replicate
from generator.importing._text import Document, read_document
from generator.importing.record import Endpoint, Parameter, Response, Source
from generator.paths import display_path

__all__ = ["FORMATS", "Document", "Endpoint", "Parameter", "Response", "Source", "load", "read"]


@dataclass(frozen=True)
class Format:
    detect: Callable[[Document], bool]
    read: Callable[[Document], list[Endpoint]]
    looks_like: str  # what a document of this format starts with, for the "not recognised" message


# Tried in this order: the structured formats first, the most specific of them first.
FORMATS: dict[str, Format] = {
    replicate.FORMAT: Format(replicate.detect, replicate.read, "a Replicate model document"),
    project.FORMAT: Format(project.detect, project.read, 'an Apifox project export ({"apifoxProject": ...})'),
    openapi.FORMAT: Format(openapi.detect, openapi.read, "an OpenAPI 3 document"),
    markdown.FORMAT: Format(markdown.detect, markdown.read, "a Markdown export (# title, ```yaml block)"),
    pagetext.TABLE: Format(lambda d: pagetext.layout(d.text) == pagetext.TABLE, pagetext.read, "a doc page"),
    pagetext.GLUED: Format(lambda d: pagetext.layout(d.text) == pagetext.GLUED, pagetext.read, "a doc page"),
    # Last: any page text that names a method and a path, whatever its layout.
    docpage.FORMAT: Format(docpage.detect, docpage.read, "a doc page naming a method and a path"),
}


def read(path: Path, data: bytes | None = None) -> Document:
    """The document at `path`; `data`: its bytes, when they were read already."""
    return read_document(path, display_path(path), data)


def load(path: Path, fmt: str | None = None, data: bytes | None = None) -> list[Endpoint]:
    """Every endpoint the file describes (`data`: its bytes, when they were read already);
    InputError when the file as a whole cannot be read."""
    doc = read(path, data)
    if fmt is None:
        doc.data  # noqa: B018 - a broken JSON or YAML file is reported as such, before any guessing
        fmt = next((name for name, candidate in FORMATS.items() if candidate.detect(doc)), None)
        if fmt is None:
            kinds = "; ".join(dict.fromkeys(f.looks_like for f in FORMATS.values()))
            raise InputError(doc.display, f"not a recognised Apifox document; expected {kinds}", line=1)
    elif fmt not in FORMATS:
        raise InputError(doc.display, f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return FORMATS[fmt].read(doc)
