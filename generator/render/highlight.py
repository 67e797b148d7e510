"""Code as highlighted HTML spans, with Pygments' classes, made at build time.

Pygments is loaded only when something is highlighted: setting up its lexers compiles a few hundred
patterns, and a rebuild takes most highlighted code from the cache (`markup.kept_highlights`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

__all__ = ["css", "spans"]

_LEXERS = {"sh": "BashLexer", "python": "PythonLexer", "json": "JsonLexer"}  # names in pygments.lexers


def spans(code: str, language: str) -> str:
    """`code` as highlighted, escaped HTML spans, without a wrapper element."""
    from pygments import highlight

    return str(highlight(code, _lexer(language), _formatter())).rstrip("\n")


def css() -> str:
    """The highlighting colours: light by default, dark when the system asks for it."""
    return f"{_token_rules('default')}\n@media (prefers-color-scheme: dark) {{\n{_token_rules('github-dark')}\n}}\n"


@cache  # a formatter builds its style table when made: more time than highlighting a short example
def _formatter() -> HtmlFormatter[str]:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@cache
def _lexer(language: str) -> Lexer:
    from pygments import lexers

    lexer: Lexer = getattr(lexers, _LEXERS[language])()
    return lexer


def _token_rules(style: str) -> str:
    """A Pygments style's token colours under `.hl`, without its background: the page keeps its own."""
    from pygments.formatters import HtmlFormatter

    rules = HtmlFormatter(style=style).get_style_defs(".hl")  # type: ignore[no-untyped-call]  # untyped in the stubs
    return "\n".join(line for line in rules.splitlines() if line.startswith(".hl .") and "background" not in line)
