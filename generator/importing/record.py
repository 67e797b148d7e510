"""The intermediate record every importer produces and the normalizer consumes.

It holds what the document says, nothing more: no defaults filled in, no schema repaired.
Every reader, whatever its layout, ends here, so the normalizer is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    path: str  # as recorded in the spec: relative to the working directory when inside it
    sha256: str
    format: str  # e.g. "apifox-page-table"
    pointer: str = ""  # where the endpoint sits in a file holding many (a JSON pointer), else ""

    @property
    def place(self) -> str:
        return f"{self.path}#{self.pointer}" if self.pointer else self.path


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # query | path | header | cookie
    required: bool
    description: str
    schema: dict[str, Any]
    example: Any = None


@dataclass(frozen=True)
class Response:
    code: int
    name: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class Endpoint:
    source: Source
    title: str
    method: str
    path: str
    description: str = ""
    status: str | None = None  # Apifox release status, e.g. "released"
    apifox: dict[str, Any] = field(default_factory=dict)  # module, folder: kept for provenance
    parameters: tuple[Parameter, ...] = ()
    request_media_type: str | None = None
    request_schema: dict[str, Any] | None = None
    request_examples: tuple[Any, ...] = ()
    responses: tuple[Response, ...] = ()
    response_examples: tuple[Any, ...] = ()
    output_schema: dict[str, Any] | None = None  # only a Replicate model document states it
    version: str | None = None  # the model version a Replicate model document describes
    # The request schema is machine-readable and the model's own (a Cog `openapi_schema`): the truth
    # of its fields, which an example only illustrates and never adds to, removes from or reorders.
    schema_is_truth: bool = False
    warnings: tuple[str, ...] = ()  # what the reader had to skip or guess
