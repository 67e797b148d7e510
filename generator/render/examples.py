"""Example values for the docs and the client's README: one source, and every value fits its schema
(a `uri` input gets a URL, a number stays in its range, an enum takes its default or first value), so
each example runs against the local server and passes the client's own checks."""

from __future__ import annotations

import functools
from typing import Any

from generator.catalog import Model
from generator.spec.specfile import resolve_ref
from generator.spec.values import example_value, output_value


def example_input(model: Model) -> dict[str, Any]:
    """The document's own example (validation made sure it fits), completed with a value for every
    required input it lacks."""
    given = dict((model.request_example or {}).get("input") or {})
    for field in model.fields:
        if field.required and field.name not in given:
            given[field.name] = example_value(field.schema)
    return given


def example_output(model: Model, values: dict[str, Any]) -> Any:
    """An output of the model that fits its Output schema, for an input `values`, as the local server
    makes one: files as URLs (of the `output_format` asked), a language model's text as the pieces it
    streams, objects whole; a spec that states no Output gets what image models return, a list of URLs."""
    ext = str(values.get("output_format") or "png")

    def url(index: int) -> str:
        return f"https://replicate.delivery/xezq/ufawqhfynnddngldkgtslldrkq/output{index or ''}.{ext}"

    return output_value(model.output_schema, values, url, functools.partial(resolve_ref, model.document))


def required_input(model: Model) -> dict[str, Any]:
    """Only the required inputs, each with a short made-up value: the shortest call that runs."""
    return {f.name: example_value(f.schema) for f in model.fields if f.required}
