"""Apifox's per-page Markdown export (`api-<id>.md`): `# title`, then a fenced YAML OpenAPI document."""

from __future__ import annotations

import re

from generator.errors import InputError
from generator.importing import openapi
from generator.importing._text import Document, parse_yaml
from generator.importing.record import Endpoint

FORMAT = "apifox-markdown"
_FENCE = re.compile(r"^(```|~~~)\s*(ya?ml|json)?\s*$")


def detect(doc: Document) -> bool:
    lines = doc.text.lstrip().splitlines()
    return bool(lines) and lines[0].startswith("# ") and any(_FENCE.match(line.strip()) for line in lines)


def read(doc: Document) -> list[Endpoint]:
    lines = doc.text.splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), "")
    opening = next((i for i, line in enumerate(lines) if _FENCE.match(line.strip())), None)
    if opening is None:
        raise InputError(doc.display, "no fenced OpenAPI block; expected ```yaml after `## OpenAPI Specification`")
    fence = _FENCE.match(lines[opening].strip()).group(1)  # type: ignore[union-attr]
    closing = next((i for i in range(opening + 1, len(lines)) if lines[i].strip() == fence), None)
    if closing is None:
        raise InputError(
            doc.display, f"the {fence} block opened here is never closed; expected a closing {fence}", line=opening + 1
        )
    data = parse_yaml("\n".join(lines[opening + 1 : closing]), doc.display, opening + 2, "OpenAPI block")
    if not isinstance(data, dict) or "paths" not in data:
        raise InputError(
            doc.display,
            "the fenced block is not an OpenAPI document; expected `openapi:` and `paths:`",
            line=opening + 2,
        )
    return openapi.endpoints(data, doc, FORMAT, title)
