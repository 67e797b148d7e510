"""Repairing the one YAML defect machine-translated Apifox exports have: plain scalars holding `: `.

`description: Width. Default: 512.` is valid prose and invalid YAML (a second mapping inside a plain
scalar). The value is quoted, nothing else changes; a block that still fails is reported as it was.
"""

from __future__ import annotations

import re

# `  key: value` or `  - key: value`; the value starts like a plain scalar (no quote, block or flow
# indicator) and holds `: ` or ends with `:`, which YAML reads as another key.
_PLAIN_VALUE = re.compile(
    r"""^(?P<indent>\s*)(?P<head>(?:-\s+)?(?:[^\s'"#\-?:,\[\]{}&*!|>%@`][^\s:#]*|'[^']*'|"[^"]*")\s*:\s+)"""
    r"""(?P<value>[^\s'"\[{&*!|>%@`#].*)$"""
)
_BLOCK_SCALAR = re.compile(r":\s+[|>][+-]?\d*\s*$")


def quote_plain_scalars(text: str) -> tuple[str, list[int]]:
    """The text with every plain scalar holding `: ` single-quoted, and the 1-based lines changed.
    Lines inside a block scalar (`>-`, `|`) are text, never keys, and are left alone."""
    lines = text.split("\n")
    changed: list[int] = []
    block_indent: int | None = None  # the indentation of the key that opened a block scalar
    for index, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None and (not line.strip() or indent > block_indent):
            continue
        block_indent = indent if _BLOCK_SCALAR.search(line) else None
        match = _PLAIN_VALUE.match(line)
        if match is None:
            continue
        value = match.group("value").rstrip()
        if ": " not in value and not value.endswith(":"):
            continue
        lines[index] = match.group("indent") + match.group("head") + "'" + value.replace("'", "''") + "'"
        changed.append(index + 1)
    return "\n".join(lines), changed
