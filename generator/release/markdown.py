"""Text written into Markdown as it reads: the changelog's entries, and every page's text (the
renderers' `markdown` filter)."""

from __future__ import annotations

import re
from typing import Any

# `<` opens a tag and `&name;` is read as a character; a lone `&` or `>` shows as itself.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_NON_HTTP_LINK = re.compile(r"\]\((?!\s*https?://)")


def markdown_text(text: Any) -> str:
    """Text shown as written by a Markdown renderer: no raw HTML, no entity, no link but to http(s)."""
    escaped = _ENTITY.sub("&amp;", str(text)).replace("<", "&lt;")
    return _NON_HTTP_LINK.sub(r"]\\(", escaped)
