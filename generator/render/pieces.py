"""Each model's pieces of the files common to every model.

A file that lists every model (the client's attribute table, the package README, the reference
index, the search data) is made by one template, whose lines for each model come from macros of a
template beside it: `README.md.jinja` lists `{{ models | pieces("section") }}`, whose macro is in
`README.parts.md.jinja` (each such template names its per-model macros in `per_model`). Those macros
see one model and the project's settings, nothing of the run, so they are rendered once with the
model's own files and kept in its entry (`Entry.pieces`): a rebuild after one spec changed renders
that model's pieces alone, and joins the others'.
"""

from __future__ import annotations

from functools import cache

from generator.catalog import Entry
from generator.render._env import piece_macros, templates_dir
from generator.render.docs import Row


def model_pieces(entry: Entry) -> dict[str, str]:
    """The model's piece of each file common to every model, by `<pieces template>:<macro>`."""
    made = {}
    for template in _templates():
        item = Row.of(entry) if template.startswith("docs/") else entry  # what the file's template loops over
        for name, macro in piece_macros(template).items():
            made[f"{template}:{name}"] = str(macro(item))
    return made


@cache
def _templates() -> list[str]:
    root = templates_dir()
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*.parts.*.jinja"))
