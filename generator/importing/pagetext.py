"""Apifox doc-page text, as copied from a published page, in its two known layouts.

Table layout: the overview is a Markdown table and every JSON value sits on one line.
Glued layout: the overview reads `MethodPOST` / `Path/replicate/...` and the JSON is pretty-printed.
Both share the title line, the `METHOD /path` line and the headings below.
"""

from __future__ import annotations

import re
from typing import Any

from generator.errors import InputError
from generator.importing import _apifox
from generator.importing._text import Document, parse_json
from generator.importing.record import Endpoint

TABLE = "apifox-page-table"
GLUED = "apifox-page-glued"

_HEADINGS = ("说明", "概览", "参数", "请求体", "响应", "响应示例")
_OVERVIEW_KEYS = ("Method", "Path", "Type", "Status", "Module", "Folder")
_METHODS = "GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS"
_REQUEST_LINE = re.compile(rf"^({_METHODS})\s+(/\S*)\s*$")
_TABLE_ROW = re.compile(r"^\|\s*(" + "|".join(_OVERVIEW_KEYS) + r")\s*\|\s*(.*?)\s*\|\s*$")
_GLUED_ROW = re.compile(r"^(" + "|".join(_OVERVIEW_KEYS) + r")(\S.*)$")


def layout(text: str) -> str | None:
    """TABLE, GLUED, or None when the text is not a doc page."""
    lines = [line.strip() for line in text.splitlines()]
    if "请求体" not in lines or "概览" not in lines:
        return None
    if any(_TABLE_ROW.match(line) for line in lines):
        return TABLE
    if any(line.startswith("Method") and _GLUED_ROW.match(line) for line in lines):
        return GLUED
    return None


def read(doc: Document) -> list[Endpoint]:
    fmt = layout(doc.text) or TABLE
    lines = doc.text.splitlines()
    file = doc.display
    title_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if title_index is None:
        raise InputError(file, "no title line, expected the page title on the first line")
    sections = _sections(lines)
    overview_row = _TABLE_ROW if fmt == TABLE else _GLUED_ROW
    overview: dict[str, str] = {
        m.group(1): m.group(2) for line in sections.get("概览", (0, []))[1] if (m := overview_row.match(line.strip()))
    }
    request = next((m.groups() for line in lines if (m := _REQUEST_LINE.match(line.strip()))), None)
    if request is None and overview.get("Path", "").startswith("/"):
        request = (overview.get("Method", "POST").upper(), overview["Path"])
    if request is None:
        raise InputError(
            file,
            "no path: neither a `POST /path` line below the title nor a Path row in 概览; expected one of them",
            line=title_index + 2,
        )

    def json_section(heading: str) -> Any:
        if heading not in sections:
            return None
        start, body = sections[heading]
        if not "".join(body).strip():
            return None
        return parse_json("\n".join(body), file, start, f"section {heading}")

    media_type, schema, examples, warnings = _apifox.request_body(json_section("请求体"))
    response_examples, more_warnings = _apifox.response_examples(json_section("响应示例"))
    status = overview.get("Status")
    endpoint = Endpoint(
        source=doc.source(fmt),
        title=lines[title_index].strip(),
        method=request[0],
        path=request[1],
        description="\n".join(sections.get("说明", (0, []))[1]).strip(),
        status=_apifox.APIFOX_STATUS.get(status, status) if status else None,
        apifox={k.lower(): overview[k] for k in ("Module", "Folder") if k in overview},
        parameters=_apifox.parameters(json_section("参数")),
        request_media_type=media_type,
        request_schema=schema,
        request_examples=examples,
        responses=_apifox.responses(json_section("响应")),
        response_examples=response_examples,
        warnings=tuple(warnings + more_warnings),
    )
    return [endpoint]


def _sections(lines: list[str]) -> dict[str, tuple[int, list[str]]]:
    """heading -> (1-based file line where its body starts, body lines). First occurrence wins."""
    starts = [(i, line.strip()) for i, line in enumerate(lines) if line.strip() in _HEADINGS]
    found: dict[str, tuple[int, list[str]]] = {}
    for n, (i, heading) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        found.setdefault(heading, (i + 2, lines[i + 1 : end]))
    return found
