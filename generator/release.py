"""The generated package's next release: what changed since the tree already generated, the version
that follows by semver, and the changelog with a new entry on top.

Deterministic: the same specs and the same previous tree give the same release, so a second
`generate` (or `generate --check` on an up-to-date tree) changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import diff, reading, specfile
from generator.cache import Parsed, Store
from generator.catalog import Catalog
from generator.errors import InputError
from generator.paths import display_path
from generator.render._env import markdown_text

FIRST_VERSION = "0.1.0"
BUNDLE = "openapi.yaml"
CHANGELOG = "python/CHANGELOG.md"
_HEADINGS = {diff.BREAKING: "Breaking", diff.ADDITIVE: "Added and changed", diff.DOCS: "Documentation"}
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True)
class Release:
    version: str
    changes: tuple[diff.Change, ...]  # since the previous tree; empty for the first
    entries: str  # the changelog's entries, newest first, as Markdown
    views: dict[str, diff.ModelView]  # what the catalogue's users see of each model


def next_release(catalog: Catalog, previous: Path | None) -> Release:
    """The release `catalog` makes after the tree generated into `previous` (None or empty: the first)."""
    new = {m.id: diff.view_of_spec(m.document, m.spec_path) for m in catalog.models}
    bundle = previous / BUNDLE if previous is not None else None
    if bundle is None or not bundle.is_file():
        return Release(FIRST_VERSION, (), _first(FIRST_VERSION, len(new)), new)
    old_version, old = _previous(bundle)
    changes = tuple(diff.compare(old, new)) if old is not None else ()  # a bundle from before `x-models`
    old_entries = _entries_of(bundle.parent / CHANGELOG)
    version = bump(old_version, diff.level(changes))
    if version == old_version:
        return Release(version, changes, old_entries or _first(version, len(new)), new)
    return Release(version, changes, _entry(version, diff.summary(changes), changes) + old_entries, new)


def remember(bundle: bytes, release: Release) -> None:
    """Keep what the bundle just rendered for `release` says (its version, each model's view), so
    the next run reads it back instead of parsing megabytes of YAML. The views are the specs' own:
    the bundle says the same of each model (a test holds them equal)."""
    views = {mid: view.as_json() for mid, view in release.views.items()}
    Store("bundle-views").put(hashlib.sha256(bundle).hexdigest(), {"version": release.version, "views": views})


def _previous(bundle: Path) -> tuple[str, dict[str, diff.ModelView] | None]:
    """The version of the bundle already generated and each model's view, None for the views of a
    bundle from before `x-models`: from the cache when this generator wrote these very bytes."""
    display = display_path(bundle)
    kept = Store("bundle-views").get(hashlib.sha256(reading.read_bytes(bundle, display, "previous bundle")).hexdigest())
    with contextlib.suppress(KeyError, TypeError, AttributeError):
        if isinstance(kept, dict):
            views = {str(mid): diff.ModelView.from_json(view) for mid, view in kept["views"].items()}
            return _version_of(kept["version"]), views
    document = _read(bundle)
    return _version_of((document.get("info") or {}).get("version")), diff.views_of_bundle(document)


def _version_of(value: Any) -> str:
    return str(value) if _VERSION.match(str(value or "")) else FIRST_VERSION


def bump(version: str, level: str | None) -> str:
    """Semver: breaking -> next major (next minor while below 1.0); additive -> minor; docs -> patch."""
    found = _VERSION.match(version)
    major, minor, patch = (int(p) for p in found.groups()) if found else (0, 1, 0)
    if level == diff.BREAKING:
        return f"{major + 1}.0.0" if major >= 1 else f"0.{minor + 1}.0"
    if level == diff.ADDITIVE:
        return f"{major}.{minor + 1}.0"
    if level == diff.DOCS:
        return f"{major}.{minor}.{patch + 1}"
    return version


def _first(version: str, models: int) -> str:
    return _entry(version, f"First release: {models} model(s).", ())


def _entry(version: str, headline: str, changes: tuple[diff.Change, ...]) -> str:
    lines = [f"## {version}", "", f"{headline}"]
    for level, heading in _HEADINGS.items():
        chosen = [c for c in changes if c.level == level]
        if chosen:
            lines += ["", f"### {heading}", ""] + [
                f"- {markdown_text(c.model)}: {markdown_text(c.message)}" for c in chosen
            ]
    return "\n".join(lines) + "\n\n"


def _read(bundle: Path) -> dict[str, Any]:
    document = specfile.load(bundle, display_path(bundle), what="previous bundle", parsed=Parsed()).document
    if not isinstance(document, dict):
        raise InputError(display_path(bundle), "the previous bundle is not an OpenAPI document")
    return document


def _entries_of(changelog: Path) -> str:
    """The entries of a changelog we wrote: everything from its first `## ` heading on."""
    try:
        text = changelog.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    start = text.find("\n## ")
    return text[start + 1 :] if start >= 0 else ""
