"""The generated package's next release: what changed since the tree already generated, the version
that follows by semver, and the changelog with a new entry on top.

Deterministic: the same specs and the same previous tree give the same release, so a second
`generate` (or `generate --check` on an up-to-date tree) changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.cache import Store
from generator.errors import InputError
from generator.paths import display_path
from generator.release import diff
from generator.release.markdown import markdown_text
from generator.spec import reading, settings, specfile

BUNDLE = "openapi.yaml"
CHANGELOG = "python/CHANGELOG.md"
_HEADINGS = {diff.BREAKING: "Breaking", diff.ADDITIVE: "Added and changed", diff.DOCS: "Documentation"}
_MADE_FROM = "bundle-models"  # the store of what each bundle written was made from
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True)
class Release:
    version: str
    changes: tuple[diff.Change, ...]  # since the previous tree; empty for the first
    entries: str  # the changelog's entries, newest first, as Markdown
    models: dict[str, str]  # each model's id -> its key (`catalog.model_key`): what it was made from


Views = Callable[[str], "diff.ModelView | None"]  # a model's key -> what its client users see; None: not known


def next_release(
    models: dict[str, str], views: Views, previous: Path | None, bundle_sha256: str | None = None
) -> Release:
    """The release of `models` (id -> key) after the tree generated into `previous` (None or empty:
    the first). Only the models whose key changed are compared, so `views` is asked for those alone
    when the cache knows what the previous bundle was made from. `bundle_sha256`: the previous
    bundle's, when the stamp vouches for it; the bundle is then not even read, unless the cache does
    not know it. LookupError when a view it needs is not known."""
    bundle = previous / BUNDLE if previous is not None else None
    if bundle is None or not bundle.is_file():
        first = settings.active().version  # `[client] version`
        return Release(first, (), _first(first, len(models)), models)
    old_version, old_keys, old_views = _previous(bundle, bundle_sha256)
    compared = models
    if old_keys is not None:
        differ = sorted(mid for mid in old_keys.keys() | models.keys() if old_keys.get(mid) != models.get(mid))
        try:
            old_views = {mid: _view(views, old_keys[mid]) for mid in differ if mid in old_keys}
            compared = {mid: models[mid] for mid in differ if mid in models}
        except LookupError:  # no longer cached: what the bundle says instead, of every model
            old_views = diff.views_of_bundle(_read(bundle, _bytes(bundle)))
    new_views = {mid: _view(views, key) for mid, key in compared.items()} if old_views is not None else {}
    changes = tuple(diff.compare(old_views, new_views)) if old_views is not None else ()  # None: from before `x-models`
    old_entries = _entries_of(bundle.parent / CHANGELOG)
    version = bump(old_version, diff.level(changes))
    if version == old_version:
        return Release(version, changes, old_entries or _first(version, len(models)), models)
    return Release(version, changes, _entry(version, diff.summary(changes), changes) + old_entries, models)


def remember(bundle_sha256: str, release: Release) -> None:
    """Keep what the bundle just rendered for `release` (by the SHA-256 of its bytes) was made from
    (its version, each model's key), so the next run compares only the models whose key changed,
    without parsing megabytes of YAML."""
    made_from = {"version": release.version, "models": release.models}
    Store(_MADE_FROM).put(bundle_sha256, made_from)


def _view(views: Views, key: str) -> diff.ModelView:
    found = views(key)
    if found is None:
        raise LookupError(key)
    return found


def _previous(bundle: Path, sha256: str | None) -> tuple[str, dict[str, str] | None, dict[str, diff.ModelView] | None]:
    """The version of the bundle already generated (of that `sha256`, when known), and either what
    each model was made from (from the cache, when this generator wrote these very bytes) or each
    model's view (from the bundle; None for a bundle from before `x-models`)."""
    display = display_path(bundle)
    data = None
    if sha256 is None:
        data = _bytes(bundle)
        sha256 = hashlib.sha256(data).hexdigest()
    kept = Store(_MADE_FROM).get(sha256)
    with contextlib.suppress(KeyError, TypeError, AttributeError):
        if isinstance(kept, dict) and isinstance(kept["models"], dict) and _VERSION.match(str(kept["version"])):
            models = {str(mid): str(key) for mid, key in kept["models"].items()}
            return str(kept["version"]), models, None
    document = _read(bundle, data if data is not None else _bytes(bundle))
    version = (document.get("info") or {}).get("version")
    if not _VERSION.match(str(version or "")):
        # never a silent first release: the changelog and the breaking-change report would be lost
        raise InputError(
            display,
            f"info.version {version!r} is no version X.Y.Z, so the next release cannot follow it: restore the "
            "file, or remove the output for a first release",
            pointer="/info/version",
        )
    return str(version), None, diff.views_of_bundle(document)


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


def _bytes(bundle: Path) -> bytes:
    return reading.read_bytes(bundle, display_path(bundle), "previous bundle", limit=reading.MAX_OUTPUT_BYTES)


def _read(bundle: Path, data: bytes) -> dict[str, Any]:
    # Not kept in the cache as parsed: tens of MB at thousands of models, for bytes the run replaces
    document = specfile.load(bundle, display_path(bundle), "previous bundle", None, data).document
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
