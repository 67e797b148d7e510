"""Each model's own files, kept between runs: a model whose spec, names and place did not change is
not rendered again.

A model's own outputs are its resource module, its `Input` types, its reference pages and its
fragment of the bundle. They depend on that model alone, never on the others: the one
datamodel-code-generator call that makes the types gives a model the same module alone as among a
thousand. So they are kept in the cache folder (`generator.cache.Store`), keyed by everything the
model holds and by the generator's fingerprint, and only the models not found there are rendered,
together: one datamodel-code-generator call for them all, or one per core (`generator.parallel`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator.cache import Store
from generator.catalog import Model
from generator.parallel import chunked_map
from generator.render.bundle import Fragment, fragment
from generator.render.docs import model_docs
from generator.render.inputs import render_inputs
from generator.render.python import model_python


@dataclass(frozen=True)
class ModelOutput:
    files: dict[str, str]  # path under the output root -> text (Python not yet formatted)
    fragment: Fragment


def model_outputs(models: Sequence[Model]) -> list[ModelOutput]:
    """Each model's outputs, in the order given: kept ones read back, the others rendered and kept."""
    store = Store("rendered")
    keys = [_key(model) for model in models]
    outputs = [_entry(store.get(key)) for key in keys]
    missing = [i for i, output in enumerate(outputs) if output is None]
    for i, made in zip(missing, chunked_map(_rendered, [models[i] for i in missing]), strict=True):
        store.put(keys[i], {"files": made.files, "fragment": made.fragment})
        outputs[i] = made
    return [output for output in outputs if output is not None]


def _rendered(models: Sequence[Model]) -> list[ModelOutput]:
    types = render_inputs(models)
    made = []
    for model in models:
        files = {f"python/{path}": text for path, text in model_python(model, types[model.accessor]).items()}
        files |= {f"docs/{path}": text for path, text in model_docs(model).items()}
        made.append(ModelOutput(files, fragment(model)))
    return made


def _key(model: Model) -> str:
    """Everything a model's outputs are made from: its document, its names and where its spec is
    (the headers name it). The rest of a `Model` is derived from these."""
    made_from = [model.owner, model.name, model.spec_path, model.accessor, model.class_name, model.document]
    text = json.dumps(made_from, ensure_ascii=False, default=_not_json)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _not_json(value: Any) -> str:
    """A value YAML gave and JSON has no word for (a date): keyed by its type and repr, so it never
    shares a key with a string that reads the same."""
    return f"\0{type(value).__name__}:{value!r}"


def _entry(value: Any) -> ModelOutput | None:
    if not isinstance(value, dict):
        return None
    files, part = value.get("files"), value.get("fragment")
    if not (isinstance(files, dict) and isinstance(part, dict)):
        return None
    if not all(isinstance(v, str) for v in (*files.values(), *part.values())):
        return None
    return ModelOutput(files, part)
