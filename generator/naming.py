"""Every name the generated code uses is made safe here, and only here.

Rules: ASCII only (unicode is decomposed, accents dropped, the rest replaced), no Python keyword,
no leading digit, no clash with names the generated code itself defines, no duplicates.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Iterable

from pydantic import BaseModel

# Parameters every generated `create`/`run` defines beside the model's inputs.
CALL_PARAMETERS = frozenset(
    {
        "self",
        "wait",
        "timeout",
        "webhook",
        "webhook_events_filter",
        "cancel_after",
        "extra_input",
        "extra_headers",
    }
)
# Field names pydantic refuses or that would shadow BaseModel's own attributes.
MODEL_ATTRIBUTES = frozenset(name for name in dir(BaseModel) if not name.startswith("__"))
# Accessors `Client` already has.
CLIENT_ATTRIBUTES = frozenset({"predictions", "close", "base_url", "with_options"})


def words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", ascii_text)
    return [w.lower() for w in re.split(r"[^0-9A-Za-z]+", ascii_text) if w]


def snake(text: str, *, fallback: str = "field") -> str:
    name = "_".join(words(text)) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


def pascal(text: str, *, fallback: str = "Model") -> str:
    name = "".join(w[:1].upper() + w[1:] for w in words(text)) or fallback
    return f"{fallback}{name}" if name[0].isdigit() else name


def field_identifiers(wire_names: Iterable[str]) -> dict[str, str]:
    """wire name -> keyword-argument / attribute name, unique within one model."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    for wire in wire_names:
        name = snake(wire)
        if name in CALL_PARAMETERS or name in MODEL_ATTRIBUTES or name.startswith("model_"):
            name += "_"
        result[wire] = name = _unique(name, taken)
        taken.add(name)
    return result


def model_accessors(models: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(owner, name) -> client attribute and module name: the model name alone, owner-prefixed
    for every model whose name another owner also uses."""
    models = sorted(set(models))
    names = [snake(name, fallback="model") for _, name in models]
    taken: set[str] = set()
    result: dict[tuple[str, str], str] = {}
    for (owner, name), short in zip(models, names, strict=True):
        accessor = short if names.count(short) == 1 else snake(f"{owner}_{name}", fallback="model")
        if accessor in CLIENT_ATTRIBUTES:
            accessor = snake(f"{owner}_{name}", fallback="model")
        result[(owner, name)] = accessor = _unique(accessor, taken)
        taken.add(accessor)
    return result


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate
