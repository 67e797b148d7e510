"""The generated package's next release: what changed since the tree already generated, the version
that follows by semver, and the changelog with a new entry on top.

Deterministic: the same specs and the same previous tree give the same release, so a second
`generate` (or `generate --check` on an up-to-date tree) changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import diff, specfile
from generator.cache import Parsed
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


def next_release(catalog: Catalog, previous: Path | None) -> Release:
    """The release `catalog` makes after the tree generated into `previous` (None or empty: the first)."""
    new = {m.id: diff.view_of_spec(m.document, m.spec_path) for m in catalog.models}
    bundle = previous / BUNDLE if previous is not None else None
    if bundle is None or not bundle.is_file():
        return Release(FIRST_VERSION, (), _first(FIRST_VERSION, len(new)))
    document = _read(bundle)
    old_version = str((document.get("info") or {}).get("version") or FIRST_VERSION)
    old_version = old_version if _VERSION.match(old_version) else FIRST_VERSION
    old = diff.views_of_bundle(document)
    changes = tuple(diff.compare(old, new)) if old is not None else ()  # a bundle from before `x-models`
    old_entries = _entries_of(bundle.parent / CHANGELOG)
    version = bump(old_version, diff.level(changes))
    if version == old_version:
        return Release(version, changes, old_entries or _first(version, len(new)))
    return Release(version, changes, _entry(version, diff.summary(changes), changes) + old_entries)


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
