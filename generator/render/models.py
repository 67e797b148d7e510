"""Each model's own outputs, kept between runs: a model whose spec, names and place did not change is
not rendered again.

A model's own outputs are its resource module, its `Input` types, its reference pages, its entry
(what the files common to every model say of it, its part of the bundle among them) and the view
its client users have of it (what the changelog compares). They depend on that model alone, never
on the others: the one datamodel-code-generator call that makes the types gives a model the same
module alone as among a thousand. So they are kept in the cache folder (`generator.cache.Store`)
under the model's key, and only the models not found there are rendered, together: one
datamodel-code-generator call for them all, or one per core (`generator.parallel`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from generator.cache import Store
from generator.catalog import Entry, EntryInput, Model
from generator.parallel import chunked_map
from generator.release import diff
from generator.render.bundle import fragment
from generator.render.docs import model_docs, source_file, summary
from generator.render.examples import example_input, required_input
from generator.render.formatting import format_python
from generator.render.inputs import render_inputs
from generator.render.markup import first_sentence
from generator.render.pieces import model_pieces
from generator.render.python import model_python
from generator.render.pytypes import output_annotation

_STORE = "rendered"


@dataclass(frozen=True)
class ModelOutput:
    # path under the output root -> the file's bytes: UTF-8 from the start, since a text with one CJK
    # character takes two or four bytes a character in memory, and a catalogue holds thousands of files
    files: dict[str, bytes]
    entry: Entry
    view: diff.ModelView


def model_outputs(models: Sequence[Model]) -> list[ModelOutput]:
    """Each model's outputs, in the order given: kept ones read back, the others rendered (on every
    core when there are many: `generator.parallel`) and kept."""
    store = Store(_STORE)
    found = [_output(store.get(model.key)) for model in models]
    missing = [model for model, output in zip(models, found, strict=True) if output is None]
    made = iter(chunked_map(_rendered, missing, "models rendered"))
    return [output if output is not None else next(made) for output in found]


def kept_view(key: str) -> diff.ModelView | None:
    """The view of the model rendered under `key`, when the cache still has it."""
    found = _output(Store(_STORE).get(key))
    return found.view if found is not None else None


def _rendered(models: Sequence[Model]) -> list[ModelOutput]:
    """The models' outputs, made and kept."""
    types = render_inputs(models)
    own = []
    for model in models:
        files = {f"python/{path}": text for path, text in model_python(model, types[model.accessor]).items()}
        files |= {f"docs/{path}": text for path, text in model_docs(model).items()}
        own.append(files)
    formatted = format_python({path: text for files in own for path, text in files.items()})
    made = []
    store = Store(_STORE)  # kept by the process that rendered them, while the others render theirs
    for model, files in zip(models, own, strict=True):
        final = {path: formatted[path] for path in files}
        view = diff.view_of_spec(model.document, model.spec_path)
        entry = _entry(model, fragment(model), final)
        entry = replace(entry, pieces=model_pieces(entry))
        store.put(entry.key, {"files": final, "entry": entry.as_json(), "view": view.as_json()})
        made.append(ModelOutput({path: text.encode() for path, text in final.items()}, entry, view))
    return made


def _entry(model: Model, part: dict[str, str], files: dict[str, str]) -> Entry:
    return Entry(
        key=model.key,
        owner=model.owner,
        name=model.name,
        spec_path=model.spec_path,
        accessor=model.accessor,
        class_name=model.class_name,
        version=model.version,
        description=model.description,
        summary=summary(model),
        source_file=source_file(model),
        returns=output_annotation(model.output_schema, model.output_class),
        single_output=model.output_schema.get("type") == "string",
        inputs=tuple(EntryInput(f.name, f.identifier, f.required, first_sentence(f.description)) for f in model.fields),
        example=example_input(model),
        required_example=required_input(model),
        fragment=part,
        files={path: hashlib.sha256(text.encode()).hexdigest() for path, text in files.items()},
    )


def _output(value: Any) -> ModelOutput | None:
    """A stored output, or None when `value` is not one (another shape, or damaged)."""
    try:
        files = value["files"]
        if not (isinstance(files, dict) and all(isinstance(v, str) for v in files.values())):
            return None
        encoded = {path: text.encode() for path, text in files.items()}
        return ModelOutput(encoded, Entry.from_json(value["entry"]), diff.ModelView.from_json(value["view"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
