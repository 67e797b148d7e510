"""The Jinja environment all templates share: strict, deterministic, with our filters."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import jinja2.bccache
from markupsafe import Markup

import generator.cache
from generator.catalog import Entry
from generator.release.markdown import markdown_text
from generator.render.markup import code_html, input_anchor, markdown_html
from generator.render.pytypes import (
    annotation,
    class_syntax,
    file_places,
    literal,
    output_annotation,
    output_fields,
)
from generator.spec import settings


def templates_dir() -> Path:
    """`templates/` of the source tree, or the copy packed into an installed wheel."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_templates", package.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("templates/ not found beside the generator package")


def _json(value: Any, indent: int | None = 2) -> str:
    """JSON for a script: `<`, `>` and `&` escaped, so no text in it reads as markup (`</script>`)
    wherever the script is put, as Jinja's own `tojson` does."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _oneline(text: Any) -> str:
    return " ".join(str(text).split())


def _cell(text: Any) -> str:
    """One Markdown table cell of text: one line, no unescaped pipes, no raw HTML."""
    return markdown_text(_oneline(text)).replace("|", "\\|")


def _code_cell(text: Any) -> str:
    """A Markdown code span inside a table cell: fenced by more backticks than the text holds."""
    line = _oneline(text).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", line)), default=0) + 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    return f"{fence}{pad}{line}{pad}{fence}"


def _link_target(url: str) -> str:
    """A Markdown link destination that ends where the URL does, whatever characters it holds."""
    return f"<{quote(url, safe=_URL_SAFE)}>"


_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
# Characters Python source cannot hold as such (NUL, lone surrogates) or that would read as code.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}" if ord(match.group()) < 0x100 else f"\\u{ord(match.group()):04x}"


def _docstring(text: Any) -> str:
    """Text safe inside a triple-quoted docstring: backslashes and invisible characters escaped, and
    every quote that could close it (one before another quote, or the last character) too."""
    text = _INVISIBLE.sub(_escaped, str(text).replace("\\", "\\\\"))
    return re.sub(r'"(?="|$)', r'\\"', text)


def _comment_text(text: Any, comment: str) -> str:
    """Text that stays inside its comment: one line (a newline would end a `#` comment), nothing
    Python source cannot hold, in HTML no `--` (which could close `<!-- -->`, e.g. from a spec
    path whose owner folder is named so), and in CSS no `*/`."""
    line = _INVISIBLE.sub(_escaped, _oneline(text))
    if comment == "/*":  # a CSS comment ends at the first `*/`
        return line.replace("*/", "*\u2215")
    return line.replace("--", "-\u2010") if comment == "html" else line


class _Compiled(jinja2.BytecodeCache):
    """Templates as an earlier run compiled them, in the cache (this generator's, so of these very
    templates, and checked like every entry), so that a run does not compile them all again."""

    def __init__(self) -> None:
        self._store = generator.cache.Store("templates")

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._store.get_bytes(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store.put_bytes(bucket.key, bucket.bytecode_to_string())


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        bytecode_cache=_Compiled(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Python, Markdown and YAML are emitted verbatim; every `*.html.jinja` escapes what it inserts.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.jinja",), default_for_string=False),
    )
    env.filters.update(
        annotation=annotation,
        output_annotation=output_annotation,
        output_fields=output_fields,
        file_places=file_places,
        class_syntax=class_syntax,
        literal=literal,
        json=_json,
        cell=_cell,
        code_cell=_code_cell,
        markdown=markdown_text,
        link_target=_link_target,
        oneline=_oneline,
        docstring=_docstring,
        comment_text=_comment_text,
        # HTML that markup.py made from text, escaping all of it: safe to insert as is.
        markdown_html=lambda text: Markup(markdown_html(str(text))),
        highlight=lambda code, language: Markup(code_html(str(code), language)),
        input_anchor=input_anchor,
        pieces=_pieces,
    )
    return env


def _pieces_template(template: str) -> str:
    """The template of the per-model pieces of the file `template` makes: `README.md.jinja` ->
    `README.parts.md.jinja` (`generator.render.pieces`)."""
    stem, extension, _ = template.rsplit(".", 2)
    return f"{stem}.parts.{extension}.jinja"


@cache
def _pieces_module(template: str, in_force: settings.Settings) -> Any:
    """The macros of a pieces template. They see the project's settings and nothing of the run: any
    other name they use fails (StrictUndefined), so what they make depends on one model alone."""
    context = {"settings": in_force, "docs_title": in_force.docs_title, "package": in_force.package}
    return environment().get_template(template).make_module(context)


def piece_macros(template: str) -> dict[str, Any]:
    """Each per-model macro of a pieces template (named in its `per_model`), by name."""
    module = _pieces_module(template, settings.active())
    return {name: getattr(module, name) for name in module.per_model}


@jinja2.pass_context
def _pieces(context: jinja2.runtime.Context, items: Any, macro: str, separator: str = "") -> str:
    """`{{ models | pieces("row") }}`: each item's piece made by the macro `macro` of the template's
    pieces template, as kept in its entry (made on the spot when it is not), joined. Pieces are
    whole lines: the last newline is left to the template's own line."""
    template = _pieces_template(str(context.name))
    key, made = f"{template}:{macro}", None
    texts = []
    for item in items:
        entry = item if isinstance(item, Entry) else item.model
        text = entry.pieces.get(key)
        if text is None:
            made = made or piece_macros(template)[macro]
            text = str(made(item))
        texts.append(text)
    joined = separator.join(texts)
    joined = joined[:-1] if joined.endswith("\n") else joined
    return Markup(joined) if context.eval_ctx.autoescape else joined


def render(template: str, **context: Any) -> str:
    """`template` rendered with `context`, and the project's settings (`settings`) and the reference's
    title (`docs_title`) unless given."""
    in_force = settings.active()
    context = {"settings": in_force, "docs_title": in_force.docs_title, **context}
    return environment().get_template(template).render(**context)
