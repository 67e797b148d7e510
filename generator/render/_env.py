"""The Jinja environment all templates share: strict, deterministic, with our filters."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from generator.render.examples import example_input, required_input
from generator.render.pytypes import annotation, literal, output_annotation


def templates_dir() -> Path:
    """`templates/` of the source tree, or the copy packed into an installed wheel."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_templates", package.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("templates/ not found beside the generator package")


def _json(value: Any, indent: int | None = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _cell(text: Any) -> str:
    """One Markdown table cell: no line breaks, no unescaped pipes."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _docstring(text: str) -> str:
    """Text safe inside a triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _comment_text(text: Any, comment: str) -> str:
    """Text that stays inside its comment: one line (a newline would end a `#` comment), and in HTML no
    `--` (which could close `<!-- -->`, e.g. from a spec path whose owner folder is named so)."""
    line = " ".join(str(text).split())
    return line.replace("--", "-\u2010") if comment == "html" else line


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
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
        literal=literal,
        json=_json,
        cell=_cell,
        docstring=_docstring,
        comment_text=_comment_text,
    )
    env.globals.update(example_input=example_input, required_input=required_input)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
