"""Field listings of doc pages, in the shapes resellers render them:

- pipe tables, with or without the leading `|`, children marked `└ name`;
- token runs, one token a line (```text blocks and their HTML text): name / type / 必需|Required /
  `示例:` value / `默认值:` value / description lines, or `name type` on one line;
- glued parameter tables (`NameInDescriptionRequired`, rows like `AuthorizationheaderNo`);
- bullet and numbered lists: `- `guidance` (number, optional): text`, `1. **seed** (integer) – text`,
  `- prompt: string — text`, and such lines without a bullet (`prompt: string — text`);
- definition lists: the name on its line, then `: number, optional. text` (Markdown's `<dl>`);
- a dotted `input.prompt` names the input `prompt`.

Each field keeps where it was listed (header, path, query or body parameters), its depth (children of
an object are one deeper, when the listing says so) and its line, so the reader can nest and report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_JSON_TYPES = {
    "string": "string", "str": "string", "text": "string", "file": "string",
    "integer": "integer", "int": "integer", "int32": "integer", "int64": "integer",
    "number": "number", "float": "number", "double": "number",
    "boolean": "boolean", "bool": "boolean",
    "object": "object", "array": "array", "null": "null",
}  # fmt: skip
_TYPE = re.compile(r"^(?P<type>[A-Za-z]+\d*)(?:\[\]|\[\w*\]|<\w*>)?(?:\s*\|\s*null)?$")
_NAME = re.compile(r"^(?P<marks>[└├─│\s]*)(?P<name>[A-Za-z_$][\w.$-]*)$")
_NAME_AND_TYPE = re.compile(r"^(?P<marks>[└├─│\s]*)(?P<name>[A-Za-z_$][\w.$-]*)\s+(?P<type>[A-Za-z]+\d*(?:\[\w*\])?)$")
_REQUIRED = dict.fromkeys(("必需", "必填", "必选", "required", "yes", "true", "是"), True) | dict.fromkeys(
    ("可选", "选填", "非必需", "optional", "no", "false", "否"), False
)
_LABEL = re.compile(
    r"^(?P<label>示例值|示例|例子|Example(?: Value)?|默认值|默认|Default(?: Value)?)\s*[:：]\s*(?P<value>.*)$", re.I
)
# A line, or an item of a bulleted or numbered list, that names a field and its type, in parentheses
# or after a colon (where only a known type word, then a dash, a colon or the end, may follow).
_ITEM = re.compile(
    r"^(?:(?:[-*•+]|\d{1,3}[.)])\s++)?(?P<q>[`*'\"]*+)(?P<name>[A-Za-z_][\w.$-]{0,99}?)(?P=q)\s*+"
    r"(?:[(（](?P<meta>[^()（）]{1,80})[)）]|[:：]\s*+(?P<type>[A-Za-z]+\d*(?:\[\w*\])?)(?=\s*+(?:[—–-]|[:：]|$)))"
    r"\s*+(?:[:：—–-]+\s*+)?(?P<text>.*)$"
)
_META_SEPARATOR = re.compile(r"[,，/;；]")
# A definition list: a term line holding only the name, then its definition, `: meta. text`.
_TERM = re.compile(r"^(?P<q>[`*'\"]*+)(?P<name>[A-Za-z_][\w.$-]{0,99}?)(?P=q)$")
_DEFINITION = re.compile(r"^[:：]\s*+(?P<meta>[^.。:：]{1,80}?)\s*+(?:[.。:：—–]\s*+(?P<text>.*))?$")
_CODE_LABEL = re.compile(r"^(?:text|json|bash|shell|sh|yaml|yml|http)$")
_END = re.compile(r"^(?:示例|Example|Examples|请求示例|Request Example|示例代码)$", re.I)
_SECTION = re.compile(r"^(?:#+\s*)?(?P<where>Path|Query|Header|Cookie|Body)\s*(?:参数|Parameters?|Params)", re.I)
_BODY_HEADING = re.compile(r"^(?:#+\s*)?(?:请求体|Request Body|Body)\b", re.I)
_GLUED_HEADER = re.compile(r"^NameIn(?:Type)?(?:Description)?Required$")
_GLUED_ROW = re.compile(
    # The name is bounded: a lazy name before a lazy rest is otherwise quadratic in the line's length.
    r"^(?P<name>[A-Za-z_][\w.-]{0,99}?)(?P<where>header|query|path|cookie|body)(?P<rest>.*?)(?P<req>Yes|No)$"
)
_HEADER_CELLS = {
    "name": re.compile(r"^(?:参数名?|名称|字段名?|Parameter|Name|Field|Key|Property)$", re.I),
    "type": re.compile(r"^(?:类型|Type|数据类型)$", re.I),
    "required": re.compile(r"^(?:必需|必填|必选|是否必[需填选须]|Required)$", re.I),
    "description": re.compile(r"^(?:说明|描述|备注|Description|Desc)$", re.I),
    "example": re.compile(r"^(?:示例值?|Example)$", re.I),
    "default": re.compile(r"^(?:默认值|Default)$", re.I),
}


@dataclass
class Field:
    name: str
    location: str  # body | header | path | query | cookie
    line: int  # 1-based
    type: str | None = None  # a JSON type, or None when the listing names none we know
    required: bool | None = None
    depth: int = 0
    description: str = ""
    default: str | None = None
    example: str | None = None


def json_type(word: str) -> str | None:
    match = _TYPE.match(word.strip())
    return _JSON_TYPES.get(match.group("type").lower()) if match else None


def fields(lines: list[str | None]) -> list[Field]:
    """Every field listed in `lines` (None stands for a line that belongs to something else, e.g. JSON)."""
    found: list[Field] = []
    location = "body"
    index = 0
    while index < len(lines):
        line = (lines[index] or "").strip()
        if section := _SECTION.match(line):
            location = section.group("where").lower()
        elif _BODY_HEADING.match(line):
            location = "body"
        if _is_table_header(line):
            index = _table(lines, index, location, found)
            continue
        if _GLUED_HEADER.match(line):
            index = _glued(lines, index + 1, found)
            continue
        if (item := _item(line, index + 1, location)) is not None:
            found.append(item)
            index += 1
            continue
        if (term := _definition(line, _text(lines, index + 1), index + 1, location)) is not None:
            found.append(term)
            index += 2
            continue
        header = _field_header(lines, index)
        if header is not None:
            field, index = _token_run(lines, index, header, location)
            found.append(field)
            continue
        index += 1
    return found


def _text(lines: list[str | None], index: int) -> str:
    return (lines[index] or "").strip() if 0 <= index < len(lines) else ""


def _field_header(lines: list[str | None], index: int) -> tuple[str, str, str, int] | None:
    """(marks, name, type word, lines used) when a field starts at `index`."""
    line = _text(lines, index)
    if (one := _NAME_AND_TYPE.match(line)) and json_type(one.group("type")):
        return one.group("marks"), one.group("name"), one.group("type"), 1
    name = _NAME.match(line)
    following = _text(lines, index + 1)
    if name is not None and json_type(following):
        return name.group("marks"), name.group("name"), following, 2
    return None


def _token_run(lines: list[str | None], index: int, header: tuple[str, str, str, int], where: str) -> tuple[Field, int]:
    marks, name, type_word, used = header
    field = Field(name, where, index + 1, json_type(type_word), depth=marks.count("└") + marks.count("├"))
    index += used
    description: list[str] = []
    while index < len(lines) and lines[index] is not None:
        line = _text(lines, index)
        if _field_header(lines, index) or _END.match(line) or _SECTION.match(line) or _is_table_header(line):
            break
        if line.lower() in _REQUIRED and field.required is None:
            field.required = _REQUIRED[line.lower()]
        elif label := _LABEL.match(line):
            value = label.group("value").strip()
            if not value and index + 1 < len(lines) and lines[index + 1] is not None:
                index += 1
                value = _text(lines, index)
            if label.group("label").lower().startswith(("默认", "default")):
                field.default = value
            else:
                field.example = value
        elif line and not _CODE_LABEL.match(line):
            description.append(line)
        index += 1
    field.description = " ".join(description)
    return field, index


def _item(line: str, number: int, where: str) -> Field | None:
    """A line or list item that names a field with a type we know; None for any other line."""
    item = _ITEM.match(line)
    if item is None:
        return None
    meta = item.group("meta")
    return _described(item.group("name"), [item.group("type")] if meta is None else _META_SEPARATOR.split(meta),
                      item.group("text"), number, where)  # fmt: skip


def _definition(term: str, definition: str, number: int, where: str) -> Field | None:
    """A definition list's term (the name) and definition (`: number, optional. text`), or None."""
    named, defined = _TERM.match(term), _DEFINITION.match(definition)
    if named is None or defined is None:
        return None
    return _described(named.group("name"), _META_SEPARATOR.split(defined.group("meta")),
                      defined.group("text") or "", number, where)  # fmt: skip


def _described(name: str, words: list[str], text: str, number: int, where: str) -> Field | None:
    """The field `words` (a type, `required`...) describe; None when they name no type we know."""
    words = [word.strip() for word in words]
    json_types = [found for word in words if (found := json_type(word))]
    if not json_types:
        return None
    required = next((_REQUIRED[word.lower()] for word in words if word.lower() in _REQUIRED), None)
    return Field(name.removeprefix("input."), where, number, json_types[0], required, description=text.strip())


def _cells(line: str) -> list[str]:
    cells = [cell.strip() for cell in line.split("|")]
    if line.startswith("|"):
        cells = cells[1:]
    if line.endswith("|"):
        cells = cells[:-1]
    return cells


def _is_table_header(line: str) -> bool:
    if line.count("|") < 2:
        return False
    roles = {role for cell in _cells(line) for role, pattern in _HEADER_CELLS.items() if pattern.match(cell)}
    return {"name", "type"} <= roles


def _table(lines: list[str | None], index: int, where: str, found: list[Field]) -> int:
    columns: dict[int, str] = {}
    for position, cell in enumerate(_cells(_text(lines, index))):
        role = next((r for r, pattern in _HEADER_CELLS.items() if pattern.match(cell)), None)
        if role and role not in columns.values():
            columns[position] = role
    index += 1
    while index < len(lines) and "|" in _text(lines, index):
        line = _text(lines, index)
        cells = _cells(line)
        if all(re.fullmatch(r":?-{2,}:?", cell) for cell in cells if cell):
            index += 1
            continue
        row = {role: cells[position] for position, role in columns.items() if position < len(cells)}
        name = _NAME.match(row.get("name", ""))
        if name is not None:
            required = row.get("required", "").strip().lower()
            found.append(
                Field(
                    name.group("name"),
                    where,
                    index + 1,
                    json_type(row.get("type", "")),
                    _REQUIRED.get(required),
                    name.group("marks").count("└") + name.group("marks").count("├"),
                    row.get("description", ""),
                    row.get("default") or None,
                    row.get("example") or None,
                )
            )
        index += 1
    return index


def _glued(lines: list[str | None], index: int, found: list[Field]) -> int:
    while index < len(lines) and (row := _GLUED_ROW.match(_text(lines, index))):
        found.append(Field(row.group("name"), row.group("where"), index + 1, None, row.group("req") == "Yes",
                           description=row.group("rest")))  # fmt: skip
        index += 1
    return index
