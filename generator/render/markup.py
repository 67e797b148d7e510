"""Text as the HTML reference shows it: descriptions read as Markdown, code highlighted, and the one
sentence that sums a model up. All of it happens at build time; the pages load no renderer."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import cache
from typing import Any, Protocol

from markdown_it import MarkdownIt

from generator.render import highlight

__all__ = [
    "code_html",
    "first_sentence",
    "highlight_key",
    "input_anchor",
    "kept_highlights",
    "markdown_html",
    "pygments_css",
]


class Keeps(Protocol):
    """Where highlighted code is found once made: a `generator.cache.Store`."""

    def get(self, key: str) -> Any: ...
    def put(self, key: str, value: Any) -> None: ...


# Where highlighted code is taken from while some pages are rendered (`kept_highlights`).
_KEPT: ContextVar[Keeps | None] = ContextVar("kept_highlights", default=None)
# The site works from file:// and offline: a link may only leave for the web, and nothing is loaded.
_WEB = re.compile(r"https?://", re.IGNORECASE)
# A sentence ends at CJK end punctuation, or at `.!?` followed by a space (so `1.5`, `v2.0` and
# `e.g.x` do not end one). Possessive, so a long run without an end stays linear.
_SENTENCE = re.compile(r"(?:[^。！？!?.]|[.!?](?!\s))*+(?:[。！？]|[.!?](?=\s)|$)")
# Apifox pages lead with a pointer to the upstream page (`官方文档:https://…`), not a sentence.
_TAG = re.compile(r"<[^<>]*+>")  # not `[^>]*`: from each `<` of a run it would scan the whole run
_POINTER = re.compile(r"^\s*(?:官方文档|文档|docs?|official docs?)\s*[:：]\s*\S+\s*", re.IGNORECASE)
_SPACE = re.compile(r"\s")
# A paragraph that is one of `skip` behind a short label (`创建任务 owner/name`) is a title too.
_LABEL = 12


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")  # an image would be fetched from wherever the document says
    md.validateLink = _is_web_link  # type: ignore[method-assign]  # markdown-it's documented hook
    return md


def _is_web_link(url: str) -> bool:
    return _WEB.match(url.strip()) is not None


def markdown_html(text: str) -> str:
    """A description as HTML: Markdown with raw HTML shown as text and links only to http(s)."""
    return str(_markdown().render(text))


@contextlib.contextmanager
def kept_highlights(store: Keeps) -> Iterator[None]:
    """Within it, highlighted code and the highlighting colours come from `store` once made, so that
    a rebuild after one spec changed does not set up Pygments' lexers (their patterns are slow to
    compile): the pages every run renders (the shared operations' pages, the style sheet). A model's
    own pages are kept whole (`generator.render.models`)."""
    token = _KEPT.set(store)
    try:
        yield
    finally:
        _KEPT.reset(token)


def code_html(code: str, language: str) -> str:
    """`code` as highlighted, escaped HTML spans (Pygments classes), without a wrapper element."""
    return _kept(highlight_key(code, language), lambda: highlight.spans(code, language))


def highlight_key(code: str, language: str) -> str:
    """Where `kept_highlights` keeps `code` highlighted as `language`."""
    return f"code\0{language}\0{code}"


def _kept(key: str, make: Callable[[], str]) -> str:
    store = _KEPT.get()
    if store is None:
        return make()
    found = store.get(key)
    if not isinstance(found, str):
        found = make()
        store.put(key, found)
    return found


def pygments_css() -> str:
    """The highlighting colours: light by default, dark when the system asks for it."""
    return _kept("css", highlight.css)


def _plain(markdown: str) -> str:
    """Inline Markdown as the text a reader sees (`**small**` -> `small`), for places that show text."""
    return html.unescape(_TAG.sub("", _markdown().renderInline(markdown))).strip()


def input_anchor(name: str) -> str:
    """The id of an input's row (`input-aspect_ratio`), linked from the row and from search. An id
    may hold any character but whitespace, so only whitespace is spelled out."""
    return "input-" + _SPACE.sub(lambda m: f"~{ord(m.group()):x}~", name)


def first_sentence(text: str, *, skip: tuple[str, ...] = ()) -> str:
    """The first sentence of a description that says something: pointers to the upstream page and
    paragraphs that only repeat `skip` (the page's title, the model id) are passed over."""
    for paragraph in re.split(r"\n\s*\n", text):
        line = " ".join(_POINTER.sub("", paragraph).split())
        if not line or line in skip or any(line.endswith(s) and len(line) - len(s) <= _LABEL for s in skip if s):
            continue
        match = _SENTENCE.match(line)
        sentence = _plain(match.group().strip() if match else line)
        return sentence if len(sentence) <= 200 else sentence[:199].rstrip() + "…"
    return ""
