"""A Replicate model document filling the gaps of an Apifox page for the same model.

The model's own schema is the truth about types, enums, defaults, bounds, required fields and the
output; the page keeps its descriptions (often the only ones in the user's language) and any field
Replicate does not list. Every disagreement is reported, so a user can tell the page was wrong.
"""

from __future__ import annotations

from typing import Any

from generator.importing.normalize.schema import drop_default_outside_enum
from generator.spec.vocabulary import INFERRED, inferred, set_inferred

_AUTHORITATIVE = ("type", "enum", "default", "minimum", "maximum", "format", "items")


def merge_input(page: dict[str, Any], model: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Union of the page's and the model's Input schemas (both already cleaned)."""
    warnings: list[str] = []
    page_props: dict[str, Any] = page.get("properties") or {}
    model_props: dict[str, Any] = model.get("properties") or {}
    merged: dict[str, Any] = {}
    for name, schema in model_props.items():
        if name not in page_props:
            merged[name] = dict(schema)
            continue
        merged[name], field_warnings = _merge_field(page_props[name], schema)
        warnings += [f"input.{name}: {w}" for w in field_warnings]
    for name, schema in page_props.items():
        if name not in model_props:
            merged[name] = schema
            warnings.append(f"input.{name} is on the page but not in the Replicate schema; kept as the page has it")
    result = {k: v for k, v in page.items() if k not in ("properties", "required")}
    result["properties"] = merged
    page_required = set(page.get("required") or ())
    required = [n for n in model.get("required") or () if n in merged]
    required += [n for n in page.get("required") or () if n in merged and n not in model_props and n not in required]
    differs = sorted((page_required & set(model_props)) ^ (set(required) & set(page_props)))
    if differs:
        warnings.append(
            f"the page and Replicate disagree on which inputs are required ({', '.join(differs)}); Replicate's kept"
        )
    if required:
        result["required"] = required
    return result, warnings


def _merge_field(page: dict[str, Any], model: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    warnings = []
    evidence = inferred(page)
    field = {k: v for k, v in page.items() if k != INFERRED}
    for keyword in _AUTHORITATIVE:
        if keyword in model:
            if keyword in field and field[keyword] != model[keyword]:
                said = "says" if keyword not in evidence else "reads from its prose"
                warnings.append(
                    f"the page {said} {keyword} {field[keyword]!r}, Replicate says {model[keyword]!r}; Replicate's kept"
                )
            field[keyword] = model[keyword]
            evidence.pop(keyword, None)
    for keyword, value in model.items():
        if keyword not in field and keyword != INFERRED:
            field[keyword] = value
    warnings += drop_default_outside_enum(field, evidence)
    set_inferred(field, evidence)
    return field, warnings
