"""Apifox's per-page Markdown export (`api-<id>.md`): `# title`, then a fenced YAML OpenAPI document.

Machine-translated copies hold invalid YAML (plain scalars with `: ` inside); such a block is read
once more with those scalars quoted, and the lines repaired are named in one warning.
Markdown pages whose fences hold something else (field lists, curl) are doc pages, not exports.
"""

from __future__ import annotations

import dataclasses
import re

from generator.errors import InputError
from generator.importing import openapi
from generator.importing._text import Document, parse_yaml
from generator.importing._yamlfix import quote_plain_scalars
from generator.importing.record import Endpoint

FORMAT = "apifox-markdown"
_FENCE = re.compile(r"^(```|~~~)\s*(ya?ml|json)?\s*$")
_OPENAPI_START = re.compile(r"""^\s*(?:['"]?(?:openapi|swagger)['"]?\s*:|\{\s*"(?:openapi|swagger)")""")


def detect(doc: Document) -> bool:
    lines = doc.text.lstrip().splitlines()
    return bool(lines) and lines[0].startswith("# ") and _openapi_fence(lines) is not None


def _openapi_fence(lines: list[str]) -> int | None:
    """The index of the fence whose block starts with `openapi:`, if any."""
    for index, line in enumerate(lines):
        if _FENCE.match(line.strip()):
            first = next((later for later in lines[index + 1 :] if later.strip()), "")
            if _OPENAPI_START.match(first):
                return index
    return None


def read(doc: Document) -> list[Endpoint]:
    lines = doc.text.splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), "")
    opening = _openapi_fence(lines)
    if opening is None:
        raise InputError(doc.display, "no fenced OpenAPI block; expected ```yaml after `## OpenAPI Specification`")
    fence = _FENCE.match(lines[opening].strip()).group(1)  # type: ignore[union-attr]
    closing = next((i for i in range(opening + 1, len(lines)) if lines[i].strip() == fence), None)
    if closing is None:
        raise InputError(
            doc.display,
            f"the {fence} block opened here is never closed; the page looks cut off, expected a closing {fence}",
            line=opening + 1,
        )
    data, warnings = _parse(doc, "\n".join(lines[opening + 1 : closing]), opening + 2)
    if not isinstance(data, dict) or "paths" not in data:
        raise InputError(
            doc.display,
            "the fenced block is not an OpenAPI document; expected `openapi:` and `paths:`",
            line=opening + 2,
        )
    found = openapi.endpoints(data, doc, FORMAT, title)
    return [dataclasses.replace(e, warnings=(*warnings, *e.warnings)) for e in found] if warnings else found


def _parse(doc: Document, block: str, first_line: int) -> tuple[object, list[str]]:
    """The block's value; when it is invalid YAML, the value after quoting plain scalars holding `: `,
    with a warning naming the lines. A block the repair does not mend is reported as it was."""
    try:
        return parse_yaml(block, doc.display, first_line, "OpenAPI block"), []
    except InputError as original:
        repaired, changed = quote_plain_scalars(block)
        try:
            data = parse_yaml(repaired, doc.display, first_line, "OpenAPI block") if changed else None
        except InputError:
            data = None
        if data is None:
            raise original from None
    places = ", ".join(str(first_line - 1 + n) for n in changed)
    return data, [f"invalid YAML repaired: a plain value holding ': ' was quoted on line(s) {places}"]
