"""Doc-page text in any layout: what a careful reader finds on the page, wherever it stands.

Tried after the exact readers. It looks for
- the method and path: a `POST <url>` line, `Method`/`方法` and `Path`/`路径`/`Endpoint` labels, a
  method alone above its URL, or a curl command;
- the title: a Markdown `# title`, else the first line naming a task or a model, else the line above
  the request line;
- the field listings (see `_fieldlist`) before the responses, and the JSON examples (see `_jsonscan`),
  sorted into the request example (it holds `input`) and response examples (after a response heading).
Nesting that a flat listing loses is restored the Replicate way: the fields after `input object`
are its children, apart from the request's own top-level keys.
A page cut off inside a JSON value is refused at the line that value starts.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from generator.errors import InputError
from generator.importing import _fieldlist, _jsonscan
from generator.importing._text import Document
from generator.importing.record import Endpoint, Parameter
from generator.spec import reading

FORMAT = "doc-page"

_METHODS = "GET|POST|PUT|PATCH|DELETE"
_URL = r"(?P<url>https?://[^\s`'\"<>]+|/[^\s`'\"<>]*)"
_REQUEST_LINE = re.compile(rf"^\s*(?:#+\s*)?\**`?(?P<method>{_METHODS})`?\**\s+`?{_URL}`?\s*(?P<rest>.*)$")
# `Method: POST`, `**方法**：POST`: what lies between the label and its value is read possessively.
_METHOD_LABEL = re.compile(rf"(?:方法|Method|请求方[式法])[\s*:：]*+`?(?P<method>{_METHODS})(?![A-Za-z])")
_PATH_LABEL = re.compile(rf"(?:路径|Path|Endpoint|URL|接口地址|请求地址)[\s*:：]*+`?{_URL}")
# `… POST /replicate/v1/… …` inside a sentence: taken only when nothing on the page states it plainly.
_REQUEST_IN_TEXT = re.compile(rf"(?<![A-Za-z])(?P<method>{_METHODS})\s+{_URL}")
_METHOD_ALONE = re.compile(rf"^\s*(?P<method>{_METHODS})\s*$")
_URL_ALONE = re.compile(rf"^\s*{_URL}\s*$")
_CURL_METHOD = re.compile(rf"(?:-X|--request)\s+'?(?P<method>{_METHODS})\b")
_CURL_URL = re.compile(r"""(?:^|\s)['"]?(?P<url>https?://[^\s'"]+|/[^\s'"]*)['"]?""")
_OPENAPI_LINE = re.compile(r"^\s*openapi\s*:\s*['\"]?3\.")
_TITLE_WORDS = re.compile(r"创建|任务|[Cc]reate|[Tt]ask|[Pp]rediction|预测")
_MODEL_ID = re.compile(r"(?<![\w.-])[A-Za-z0-9][\w.-]*+/[A-Za-z0-9]")
_RESPONSE_HEADING = re.compile(
    r"^(?:#+\s*)?(?:(?:返回响应|返回结果|返回示例|返回数据|响应示例|响应参数|响应结构|响应|"
    r"Responses?(?: Examples?| Body| Schema)?)\s*$|🟢|\d{3}\s*[-–]?\s*(?:成功|Success|OK)?\s*$)",
    re.I,
)
# Where the intro (description) ends: the first heading of what follows it.
_INTRO_END = re.compile(
    r"^(?:#+\s*)?(?:请求参数|请求体|请求示例|Request|Parameters|Authorization|认证|Endpoint|cURL|概览|Overview|"
    r"Header|Body|Path|Query)",
    re.I,
)
# The request's own keys; every other field of a flat body listing belongs to `input`.
_TOP_LEVEL = ("version", "input", "webhook", "webhook_events_filter", "stream")


def detect(doc: Document) -> bool:
    lines = doc.text.splitlines()
    return _request(lines) is not None or _openapi_line(lines) is not None


def read(doc: Document) -> list[Endpoint]:
    lines = doc.text.splitlines()
    request = _request(lines)
    if request is None:
        _refuse_flattened_yaml(doc, lines)
        raise InputError(doc.display, "no method and path found; expected `POST <url>`, a Path label or a curl", line=1)
    method, path, request_index, how = request
    found = _jsonscan.scan(doc.text)
    if cut := next((f for f in found if f.truncated), None):
        what = "the curl body" if cut.in_curl else "the JSON example"
        raise InputError(
            doc.display,
            f"{what} starting here is cut off by the end of the file: the page is truncated; "
            "expected the whole page (copy it again to its end)",
            line=cut.line,
        )
    warnings = [w for f in found if not f.parsed for w in f.warnings]  # the used ones' are added below
    if how:
        warnings.append(f"the method and path were read from {how} (line {request_index + 1})")

    response_start = next(
        (i for i in range(request_index + 1, len(lines)) if _RESPONSE_HEADING.match(lines[i].strip())), len(lines)
    )
    masked: list[str | None] = list(lines[:response_start])
    for f in found:
        for index in range(f.line - 1, min(f.end_line, len(masked))):
            masked[index] = None
    listed = _fieldlist.fields(masked)

    request_examples: list[Any] = []
    response_examples: list[Any] = []
    for f in found:
        if not f.parsed or not isinstance(f.value, dict) or not f.value:
            continue
        is_request = "input" in f.value and not {"id", "status"} & set(f.value)
        if is_request and f.value not in request_examples:
            request_examples.append(f.value)
            warnings += f.warnings
        elif not is_request and (f.line - 1 >= response_start or {"id", "status"} <= set(f.value)):
            response_examples.append(f.value)
            warnings += f.warnings

    title_index = _title(lines, request_index)
    title = _clean_title(lines[title_index]) if title_index is not None else f"{method} {path}"
    body, body_warnings = _body_schema([f for f in listed if f.location == "body"])
    warnings += body_warnings
    endpoint = Endpoint(
        source=doc.source(FORMAT),
        title=title,
        method=method,
        path=path,
        description=_intro(lines, title_index, request_index if not how else None),
        parameters=tuple(_parameter(f) for f in listed if f.location != "body"),
        request_media_type="application/json" if body or request_examples else None,
        request_schema=body,
        request_examples=tuple(request_examples),
        response_examples=tuple(response_examples),
        warnings=tuple(warnings),
    )
    return [endpoint]


def _request(lines: list[str]) -> tuple[str, str, int, str] | None:
    """(method, path, line index, how it was found when not stated plainly): the first candidate whose
    path is Replicate-style (`/v1/`, no empty segment) wins, else the first candidate at all."""
    candidates: list[tuple[str, str, int, str]] = []
    curl_end = -1  # the last line of the curl command read last: its lines are not read again
    for index, line in enumerate(lines):
        text = line.strip()
        if index <= curl_end:
            continue
        if m := _REQUEST_LINE.match(text):
            candidates.append((m.group("method"), _path(m.group("url")), index, ""))
        elif (m := _PATH_LABEL.search(text)) and (method := _METHOD_LABEL.search(text) or _nearby_method(lines, index)):
            candidates.append((method.group("method"), _path(m.group("url")), index, ""))
        elif (m := _METHOD_ALONE.match(text)) and (url := _URL_ALONE.match(_next_text(lines, index))):
            candidates.append((m.group("method"), _path(url.group("url")), index, ""))
        elif text.startswith("curl "):
            curl_end, command = _curl(lines, index)
            if command is not None:
                candidates.append((*command, index, "the curl command"))
        elif (m := _REQUEST_IN_TEXT.search(text)) and "/v1/" in m.group("url"):
            candidates.append((m.group("method"), _path(m.group("url")), index, "a sentence"))
    # Stated plainly beats a curl, which beats a sentence; a Replicate-style path beats any other.
    rank = {"": 0, "the curl command": 1, "a sentence": 2}
    good = [c for c in candidates if "/v1/" in c[1] and "//" not in c[1]]
    chosen = sorted(good or candidates, key=lambda c: rank[c[3]])
    return chosen[0] if chosen else None


def _nearby_method(lines: list[str], index: int) -> re.Match[str] | None:
    """`**Method**: POST` one line above or below `**Endpoint**: /path`."""
    for other in (index - 1, index + 1):
        if 0 <= other < len(lines) and (m := _METHOD_LABEL.search(lines[other])):
            return m
    return None


def _next_text(lines: list[str], index: int) -> str:
    return next((line for line in lines[index + 1 :] if line.strip()), "")


def _curl(lines: list[str], index: int) -> tuple[int, tuple[str, str] | None]:
    """(its last line, (method, path)) of the curl command at `index`: it runs while lines end with `\\`."""
    parts = [lines[index]]
    while parts[-1].rstrip().endswith("\\") and index + 1 < len(lines):
        index += 1
        parts.append(lines[index])
    command = " ".join(parts)
    url = next((m.group("url") for m in _CURL_URL.finditer(command[4:]) if m.group("url") != "/"), None)
    if url is None:
        return index, None
    method = _CURL_METHOD.search(command)
    if method:
        return index, (method.group("method"), _path(url))
    return index, (("POST" if re.search(r"\s(?:-d|--data\S*)\s", command) else "GET"), _path(url))


def _path(url: str) -> str:
    return urlsplit(url).path if url.startswith("http") else url.split("?")[0]


def _title(lines: list[str], request_index: int) -> int | None:
    """A Markdown title; else the first line above the request that names a task or a model; else the
    line just above the request line."""
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return index
    above = [i for i in range(request_index) if len(lines[i].strip()) >= 4]
    for index in above:
        if _TITLE_WORDS.search(lines[index]) or _MODEL_ID.search(lines[index]):
            return index
    return above[-1] if above else None


def _clean_title(line: str) -> str:
    return line.strip().lstrip("#").strip()


def _intro(lines: list[str], title_index: int | None, request_index: int | None) -> str:
    """The prose between the title or the request line (whichever is lower) and the first section; a
    docs link that trails the request line (`POST <url> 官方文档: <link>`) comes first. A request read
    from a curl command is no line of the intro."""
    kept: list[str] = []
    if request_index is not None and (m := _REQUEST_LINE.match(lines[request_index].strip())):
        kept.append(m.group("rest").strip())
    start = max(-1 if request_index is None else request_index, -1 if title_index is None else title_index) + 1
    for line in lines[start:]:
        text = line.strip()
        if _INTRO_END.match(text) or text.startswith(("{", "curl ", "```", "|")) or _fieldlist.json_type(text):
            break
        if _REQUEST_LINE.match(text) or _PATH_LABEL.search(text) or _METHOD_LABEL.search(text):
            continue
        kept.append(text.strip("<>") if text.startswith("<http") else text)
    return "\n".join(line for line in kept if line).strip()


def _parameter(field: _fieldlist.Field) -> Parameter:
    return Parameter(
        name=field.name,
        location=field.location,
        required=bool(field.required) if field.required is not None else field.location == "path",
        description=field.description,
        schema={"type": field.type} if field.type else {},
        example=field.example if field.example is not None else field.default,
    )


def _body_schema(listed: list[_fieldlist.Field]) -> tuple[dict[str, Any] | None, list[str]]:
    """The request body as a JSON schema; nested by the listing's `└` marks, else the Replicate way."""
    if not listed:
        return None, []
    if not any(f.name in _TOP_LEVEL for f in listed) and not any(f.depth for f in listed):
        # a listing of the inputs alone (a bullet list, a table of the model's fields): they are `input`'s
        listed = [_fieldlist.Field("input", "body", listed[0].line, "object", True), *listed]
    root: dict[str, Any] = {"type": "object", "properties": {}}
    warnings: list[str] = []
    explicit = any(f.depth for f in listed)
    stack: list[dict[str, Any]] = [root]
    for field in listed:
        if explicit:
            depth = min(field.depth, len(stack) - 1)
        else:
            depth = 1 if len(stack) > 1 and field.name not in _TOP_LEVEL else 0
        del stack[depth + 1 :]
        parent = stack[depth]
        schema, schema_warnings = _field_schema(field)
        warnings += schema_warnings
        parent.setdefault("properties", {})[field.name] = schema
        if field.required:
            parent.setdefault("required", []).append(field.name)
        if field.type == "object" and (explicit or field.name == "input"):
            stack.append(schema)
    return root, warnings


def _field_schema(field: _fieldlist.Field) -> tuple[dict[str, Any], list[str]]:
    schema: dict[str, Any] = {"type": field.type} if field.type else {}
    if field.description:
        schema["description"] = field.description
    warnings: list[str] = []
    if field.default not in (None, ""):
        value = _typed(str(field.default), field.type)
        if value is None:
            warnings.append(
                f"{field.name}: default {field.default!r} (line {field.line}) is not a {field.type}; ignored"
            )
        else:
            schema["default"] = value
    return schema, warnings


def _typed(raw: str, json_type: str | None) -> Any:
    """A default as the listing states it, typed to its field; None when it does not fit."""
    text = raw.strip()
    if json_type in (None, "string"):
        return text.strip("\"'“”")
    if json_type == "boolean":
        return {"true": True, "false": False}.get(text.lower())
    if reading.INTEGER.fullmatch(text) and json_type in ("integer", "number"):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text) and json_type == "number":
        return float(text)
    return None


def _openapi_line(lines: list[str]) -> int | None:
    return next((i for i, line in enumerate(lines) if _OPENAPI_LINE.match(line)), None)


def _refuse_flattened_yaml(doc: Document, lines: list[str]) -> None:
    """An OpenAPI YAML block printed without its indentation (`info:` and `title:` side by side):
    its nesting cannot be recovered, so it is refused at its first line rather than guessed."""
    start = _openapi_line(lines)
    if start is None:
        return
    keys = [line for line in lines[start : start + 12] if line.strip()]
    if len({len(line) - len(line.lstrip()) for line in keys}) == 1:
        raise InputError(
            doc.display,
            "an OpenAPI YAML block whose indentation was lost (every key starts its line), so its nesting "
            "cannot be recovered; expected the page's Markdown export or its OpenAPI JSON/YAML with indentation",
            line=start + 1,
        )
