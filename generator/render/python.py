"""The client package `generated/python`: which template makes which file."""

from __future__ import annotations

from generator import vocabulary
from generator.catalog import Catalog, Model
from generator.render._env import environment, render
from generator.render.inputs import HEADER_MARKER, render_inputs

PACKAGE = "replicate_models"
PACKAGE_VERSION = "0.1.0"

# template under templates/python -> file under generated/python; one template per emitted file.
SHARED_FILES = {
    "pyproject.toml.jinja": "pyproject.toml",
    "README.md.jinja": "README.md",
    "package/__init__.py.jinja": f"{PACKAGE}/__init__.py",
    "package/py.typed.jinja": f"{PACKAGE}/py.typed",
    "package/_version.py.jinja": f"{PACKAGE}/_version.py",
    "package/_exceptions.py.jinja": f"{PACKAGE}/_exceptions.py",
    "package/_types.py.jinja": f"{PACKAGE}/_types.py",
    "package/_models.py.jinja": f"{PACKAGE}/_models.py",
    "package/_base_client.py.jinja": f"{PACKAGE}/_base_client.py",
    "package/_predictions.py.jinja": f"{PACKAGE}/_predictions.py",
    "package/_files.py.jinja": f"{PACKAGE}/_files.py",
    "package/webhooks.py.jinja": f"{PACKAGE}/webhooks.py",
    "package/_client.py.jinja": f"{PACKAGE}/_client.py",
    "package/resources/__init__.py.jinja": f"{PACKAGE}/resources/__init__.py",
    "package/types/__init__.py.jinja": f"{PACKAGE}/types/__init__.py",
}
MODEL_RESOURCE = "package/resources/model.py.jinja"


def header(source: str, comment: str = "#") -> str:
    return str(environment().get_template("_header.jinja").module.header(source, comment))  # type: ignore[attr-defined]


def render_python(catalog: Catalog, specs_label: str) -> dict[str, str]:
    context = {
        "catalog": catalog,
        "package": PACKAGE,
        "version": PACKAGE_VERSION,
        "specs": f"the specs in {specs_label}",
        "default_base_url": vocabulary.REPLICATE_BASE_URL,
        "statuses": vocabulary.STATUSES,
        "terminal_statuses": vocabulary.TERMINAL_STATUSES,
        "webhook_events": vocabulary.WEBHOOK_EVENTS,
        "model_versions": _model_versions(catalog),
    }
    files = {out: render(f"python/{template}", **context) for template, out in SHARED_FILES.items()}
    inputs = render_inputs(catalog)
    for model in catalog.models:
        files[f"{PACKAGE}/resources/{model.accessor}.py"] = render(f"python/{MODEL_RESOURCE}", model=model, **context)
        files[f"{PACKAGE}/types/{model.accessor}.py"] = _input_module(inputs[model.accessor], model)
    return files


def _model_versions(catalog: Catalog) -> dict[str, str]:
    """Model -> the version `predictions.create(model=...)` sends: a pinned spec's, else the first the
    documents' version maps give."""
    chosen: dict[str, str] = {}
    for version, model in catalog.versions.items():
        chosen.setdefault(model, version)
    chosen.update({m.id: m.version for m in catalog.models if m.version})
    return dict(sorted(chosen.items()))


def _input_module(source: str, model: Model) -> str:
    return source.replace(HEADER_MARKER, header(model.spec_path).rstrip("\n"), 1)
