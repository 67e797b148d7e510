"""The client package `generated/python`: which template makes which file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.catalog import Catalog, Entry, Model
from generator.render._env import environment, render, templates_dir
from generator.render.datamodels import HEADER_MARKER
from generator.spec import settings, vocabulary

if TYPE_CHECKING:
    from generator.release import Release


def package() -> str:
    """The client's import name (`[client] package`, `replicate_models` by default)."""
    return settings.active().package


def shared_files() -> dict[str, str]:
    """template under templates/python -> file under generated/python; one template per emitted file."""
    name = package()
    return {
        "pyproject.toml.jinja": "pyproject.toml",
        "README.md.jinja": "README.md",
        "CHANGELOG.md.jinja": "CHANGELOG.md",
        "package/__init__.py.jinja": f"{name}/__init__.py",
        "package/_version.py.jinja": f"{name}/_version.py",
        "package/_types.py.jinja": f"{name}/_types.py",
        "package/_defaults.py.jinja": f"{name}/_defaults.py",
        "package/_client.py.jinja": f"{name}/_client.py",
        "package/resources/__init__.py.jinja": f"{name}/resources/__init__.py",
        "package/types/__init__.py.jinja": f"{name}/types/__init__.py",
    }


def formatted_as_rendered() -> frozenset[str]:
    """Emitted in ruff's layout already, whatever the specs say: not formatted again. `_version.py`
    changes every release, and formatting it would cost each rebuild two ruff runs."""
    return frozenset({f"{package()}/_version.py"})


MODEL_RESOURCE = "package/resources/model.py.jinja"
# The runtime that does not vary with the specs: plain files, linted where they stand, copied under a header.
RUNTIME = "python/runtime"


def header(source: str, comment: str = "#") -> str:
    return str(environment().get_template("_header.jinja").module.header(source, comment))  # type: ignore[attr-defined]


def render_python(catalog: Catalog, entries: list[Entry], specs_label: str, release: Release) -> dict[str, str]:
    """The files that are not one model's own (see `generator.render.models`), from every model's entry."""
    specs = f"the specs in {specs_label}"
    context = {
        "models": entries,
        "package": package(),
        "settings": settings.active(),
        "version": release.version,
        "release": release,
        "specs": specs,
        "default_base_url": settings.active().base_url,
        "statuses": vocabulary.STATUSES,
        "terminal_statuses": vocabulary.TERMINAL_STATUSES,
        "webhook_events": vocabulary.WEBHOOK_EVENTS,
        "model_versions": _model_versions(catalog),
        "file_model": _file_model(entries),
    }
    files = {out: render(f"python/{template}", **context) for template, out in shared_files().items()}
    for path in sorted((templates_dir() / RUNTIME).iterdir()):
        files[f"{package()}/{path.name}"] = header(specs) + "\n" + path.read_text(encoding="utf-8")
    return files


def model_python(model: Model, types_source: str) -> dict[str, str]:
    """A model's own modules: its resource, and its `Input` types as datamodel-code-generator made them."""
    return {
        f"{package()}/resources/{model.accessor}.py": render(f"python/{MODEL_RESOURCE}", model=model),
        f"{package()}/types/{model.accessor}.py": types_source.replace(
            HEADER_MARKER, header(model.spec_path).rstrip("\n"), 1
        ),
    }


def _model_versions(catalog: Catalog) -> dict[str, str]:
    """Model -> the version `predictions.create(model=...)` sends: a pinned spec's, else the first the
    documents' version maps give."""
    chosen: dict[str, str] = {}
    for version, model in catalog.versions.items():
        chosen.setdefault(model, version)
    chosen.update(catalog.pinned())
    return dict(sorted(chosen.items()))


def _file_model(entries: list[Entry]) -> Entry | None:
    """The model the README shows file outputs with: the first whose `run()` returns one file, or a
    list of them (`[image] = run(...)`)."""
    return next((e for e in entries if e.returns in ("FileOutput", "list[FileOutput]")), None)
