"""The API reference `generated/docs`: an index and one page per model."""

from __future__ import annotations

from generator.catalog import Catalog
from generator.render._env import render
from generator.render.python import PACKAGE


def render_docs(catalog: Catalog, specs_label: str) -> dict[str, str]:
    context = {"catalog": catalog, "package": PACKAGE, "specs": specs_label}
    files = {"index.md": render("docs/index.md.jinja", **context)}
    for model in catalog.models:
        files[f"models/{model.owner}/{model.name}.md"] = render("docs/model.md.jinja", model=model, **context)
    return files
