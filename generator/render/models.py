"""Each model's own outputs, kept between runs: a model whose spec, names and place did not change is
not rendered again.

A model's own outputs are its resource module, its `Input` types, its reference pages, its entry
(what the files common to every model say of it, its part of the bundle among them) and the view
its client users have of it (what the changelog compares). They depend on that model alone, never
on the others: the one datamodel-code-generator call that makes the types gives a model the same
module alone as among a thousand. So they are kept in the cache folder (`generator.cache.Store`)
under the model's key, and only the models not found there are rendered, together: one
datamodel-code-generator call for them all, or one per core (`generator.parallel`). A few of them
(a rebuild after some specs changed) have their types made and their pages' code highlighted by a
standby process (`generator.standby`) while this one renders the files common to every model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator import datamodels, diff, highlight
from generator.cache import Store
from generator.catalog import Entry, EntryInput, Model
from generator.parallel import chunked_map, on_workers
from generator.render.bundle import fragment
from generator.render.docs import model_code, model_docs, source_file, summary
from generator.render.examples import example_input, required_input
from generator.render.formatting import format_python
from generator.render.inputs import input_schemas, render_inputs, type_modules
from generator.render.markup import Highlights, first_sentence, highlight_key, kept_highlights
from generator.render.python import model_python
from generator.render.pytypes import output_annotation
from generator.standby import Pending, Standby

_STORE = "rendered"


@dataclass(frozen=True)
class ModelOutput:
    files: dict[str, str]  # path under the output root -> text, as written
    entry: Entry
    view: diff.ModelView


def model_outputs(models: Sequence[Model]) -> list[ModelOutput]:
    """Each model's outputs, in the order given: kept ones read back, the others rendered and kept."""
    return start_outputs(models).finish()


def start_outputs(models: Sequence[Model], standby: Standby | None = None) -> Outputs:
    """`model_outputs`, begun: when `standby` makes the types of the few models the cache lacks,
    this process goes on meanwhile, knowing their entries (but for their files' hashes) and views
    already, and renders the rest of them once the types are made."""
    store = Store(_STORE)
    found = [_output(store.get(model.key)) for model in models]
    missing = [i for i, output in enumerate(found) if output is None]
    if standby is None or not missing or on_workers(len(missing)):
        made = iter(chunked_map(_rendered, [models[i] for i in missing]))
        return Outputs([output if output is not None else next(made) for output in found], [], None)
    # the standby runs datamodel-code-generator and Pygments, and loads none of the renderer
    waiting = [models[i] for i in missing]
    typing = standby.submit(datamodels.modules, *input_schemas(waiting))
    code = [block for model in waiting for block in model_code(model)]
    highlighting = standby.submit(highlight.spans_each, code)
    standing_in = [output or _standing_in(model) for output, model in zip(found, models, strict=True)]
    return Outputs(standing_in, list(zip(missing, waiting, strict=True)), _Ahead(typing, code, highlighting))


def _standing_in(model: Model) -> ModelOutput:
    """What is known of a model's outputs before they are rendered."""
    return ModelOutput({}, _entry(model, fragment(model), {}), diff.view_of_spec(model.document, model.spec_path))


@dataclass(frozen=True)
class _Ahead:
    """What a standby makes of the models waiting: their types, and their pages' code highlighted."""

    typing: Pending[Any]
    code: list[tuple[str, str]]
    highlighting: Pending[list[str]]

    def highlights(self) -> Highlights:
        made = self.highlighting.result()
        return Highlights(zip((highlight_key(*block) for block in self.code), made, strict=True))


class Outputs:
    """Each model's outputs, some perhaps waiting for what a standby process makes of them: those
    stand in with no files, and entries that lack only their files' hashes."""

    def __init__(self, outputs: list[ModelOutput], waiting: list[tuple[int, Model]], ahead: _Ahead | None) -> None:
        self._outputs, self._waiting, self._ahead = outputs, waiting, ahead

    @property
    def entries(self) -> list[Entry]:
        return [output.entry for output in self._outputs]

    @property
    def views(self) -> dict[str, diff.ModelView]:
        return {output.entry.key: output.view for output in self._outputs}

    def finish(self) -> list[ModelOutput]:
        """Every output whole: the waiting models rendered with what the standby made of them."""
        if self._ahead is not None and self._waiting:
            models = [model for _, model in self._waiting]
            with kept_highlights(self._ahead.highlights()):
                made = _rendered(models, type_modules(self._ahead.typing.result()))
            for (i, _), output in zip(self._waiting, made, strict=True):
                self._outputs[i] = output
            self._waiting = []
        return self._outputs


def kept_view(key: str) -> diff.ModelView | None:
    """The view of the model rendered under `key`, when the cache still has it."""
    found = _output(Store(_STORE).get(key))
    return found.view if found is not None else None


def _rendered(models: Sequence[Model], types: dict[str, str] | None = None) -> list[ModelOutput]:
    """The models' outputs, made and kept; `types`: their `types/` modules, when made already."""
    types = render_inputs(models) if types is None else types
    own = []
    for model in models:
        files = {f"python/{path}": text for path, text in model_python(model, types[model.accessor]).items()}
        files |= {f"docs/{path}": text for path, text in model_docs(model).items()}
        own.append(files)
    formatted = format_python({path: text for files in own for path, text in files.items()})
    made = []
    for model, files in zip(models, own, strict=True):
        final = {path: formatted[path] for path in files}
        view = diff.view_of_spec(model.document, model.spec_path)
        made.append(ModelOutput(final, _entry(model, fragment(model), final), view))
    store = Store(_STORE)  # kept by the process that rendered them, while the others render theirs
    for output in made:
        store.put(
            output.entry.key, {"files": output.files, "entry": output.entry.as_json(), "view": output.view.as_json()}
        )
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
        returns=output_annotation(model.output_schema),
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
        return ModelOutput(files, Entry.from_json(value["entry"]), diff.ModelView.from_json(value["view"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
