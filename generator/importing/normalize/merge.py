"""Several documents of one model, merged into one spec: each fact from the most trusted source that
has it.

The most trusted document's spec is the base (`importer.most_trusted`). A less trusted one adds to
it only what it lacks, and never against the base's own kind of truth:

- to a model's own schema (a Cog `openapi_schema`), descriptions only: its keywords are the
  predictor's signature, and a default it lacks is worked out at run time;
- to a field listing, the keywords a field lacks, and the fields another listing has;
- an example alone adds nothing.

A keyword is added only where the field still accepts its own default afterwards; every place where
the sources disagree is said. Each field records under `x-source` which document gave which of its
keywords (`[{document, keywords}]`, the base first).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from generator.importing.normalize.schema import fits
from generator.spec.vocabulary import X_SOURCE

SCHEMA, LISTING, EXAMPLE = 2, 1, 0  # the kinds of source, most trusted first (`ImportResult.trust`)
_KEYWORDS = ("description", "default", "enum", "minimum", "maximum", "format")


@dataclass
class Merged:
    document: dict[str, Any]
    added: dict[str, list[str]] = field(default_factory=dict)  # place -> `field.keyword` or `field` it gave
    disagreements: list[str] = field(default_factory=list)


def merge(base: dict[str, Any], base_place: str, base_kind: int, others: list[tuple[str, int, Any]]) -> Merged:
    """`base`, a model spec, completed by `others` (place, kind of source, spec), most trusted first."""
    merged = Merged(copy.deepcopy(base))
    inputs = merged.document["components"]["schemas"]["Input"]
    properties: dict[str, Any] = inputs.setdefault("properties", {})
    for place, kind, document in others:
        theirs = _inputs(document)
        if kind == EXAMPLE or theirs is None:
            continue
        given = merged.added.setdefault(place, [])
        keywords = ("description",) if base_kind == SCHEMA else _KEYWORDS
        for name, prop in properties.items():
            other = theirs.get(name)
            if not isinstance(other, dict) or not isinstance(prop, dict):
                continue
            for keyword in keywords:
                if keyword not in other:
                    continue
                if keyword not in prop:
                    if _accepts(prop, keyword, other[keyword]):
                        prop[keyword] = other[keyword]
                        given.append(f"{name}.{keyword}")
                    else:
                        merged.disagreements.append(f"{name}.{keyword} {other[keyword]!r} ({place}) does not fit")
                elif keyword != "description" and prop[keyword] != other[keyword]:
                    merged.disagreements.append(
                        f"{name}.{keyword}: {prop[keyword]!r} ({base_place}), {other[keyword]!r} ({place})"
                    )
        if base_kind == LISTING and kind == LISTING:
            for name, other in theirs.items():
                if name not in properties and isinstance(other, dict):
                    properties[name] = copy.deepcopy(other)
                    given.append(name)
    merged.added = {place: given for place, given in merged.added.items() if given}
    _record_sources(properties, base_place, merged.added)
    return merged


def _record_sources(properties: dict[str, Any], base_place: str, added: dict[str, list[str]]) -> None:
    for name, prop in properties.items():
        if not isinstance(prop, dict):
            continue
        gave: dict[str, list[str]] = {}
        for place, given in added.items():
            if name in given:  # the whole field
                gave[place] = _keywords(prop)
            elif keywords := [item.split(".", 1)[1] for item in given if item.startswith(f"{name}.")]:
                gave[place] = keywords
        if name not in added.get(next(iter(gave), ""), ()):  # a field of the base's own
            others = {keyword for keywords in gave.values() for keyword in keywords}
            gave = {base_place: [k for k in _keywords(prop) if k not in others], **gave}
        prop[X_SOURCE] = [{"document": place, "keywords": keywords} for place, keywords in gave.items()]


def _keywords(prop: dict[str, Any]) -> list[str]:
    return [keyword for keyword in prop if not keyword.startswith("x-")]


def _inputs(document: Any) -> dict[str, Any] | None:
    try:
        found = document["components"]["schemas"]["Input"]["properties"]
    except (KeyError, TypeError):
        return None
    return found if isinstance(found, dict) else None


def _accepts(prop: dict[str, Any], keyword: str, value: Any) -> bool:
    """Whether `prop` with `keyword: value` added still accepts its default (and, for a default, the
    value is one it accepts)."""
    trial = {**prop, keyword: value}
    default = trial.get("default")
    if default is None and "default" not in trial:
        return True
    return fits(default, {k: v for k, v in trial.items() if k != "default"})
