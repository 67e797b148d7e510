"""The project's settings: `replicate-codegen.toml` at its root, or the `[tool.replicate-codegen]`
table of its `pyproject.toml`, read once per run.

    [client]
    package = "replicate_models"          # the import name
    distribution = "replicate-models"     # the name on PyPI
    version = "0.1.0"                     # the first release's version
    description = "..."                   # else one made from the models
    license = "MIT"
    authors = [{name = "...", email = "..."}]
    urls = {Homepage = "https://..."}
    base_url = "https://api.replicate.com"  # the client's default base URL

    [docs]
    title = "..."                         # the API reference's title

Every value the generated tree holds comes from here, defaults included. The settings in force
(`active`) are part of what the cache knows this generator by (`cache.fingerprint`): a change of
them renders everything anew, and nothing kept from other settings is reused.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.spec.vocabulary import REPLICATE_BASE_URL

FILE = "replicate-codegen.toml"
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_DISTRIBUTION = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")  # PEP 508


@dataclass(frozen=True)
class Settings:
    package: str = "replicate_models"
    distribution: str = "replicate-models"
    version: str = "0.1.0"
    description: str = ""  # "": one made from the models
    license: str = ""
    authors: tuple[tuple[str, str], ...] = ()  # (name, email), either may be ""
    urls: tuple[tuple[str, str], ...] = ()  # (label, url)
    base_url: str = REPLICATE_BASE_URL
    docs_title: str = "API reference"

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


_active = Settings()


def active() -> Settings:
    return _active


def activate(settings: Settings) -> None:
    """Make `settings` the ones in force for this process (and the workers it sends work to)."""
    global _active
    _active = settings


def load(root: Path) -> Settings:
    """The settings of the project at `root`; the defaults when it sets none. InputError (one line,
    naming the file and the key) for an unknown key or a bad value."""
    own, pyproject = root / FILE, root / "pyproject.toml"
    if own.is_file():
        return _read(own, _toml(own), FILE)
    if pyproject.is_file():
        table = _toml(pyproject).get("tool", {}).get("replicate-codegen")
        if table is not None:
            return _read(pyproject, table, "pyproject.toml [tool.replicate-codegen]")
    return Settings()


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), f"invalid TOML: {exc}") from None


def _read(path: Path, table: Any, where: str) -> Settings:
    shown = str(path)

    def fail(key: str, why: str) -> InputError:
        return InputError(shown, f"{key}: {why}")

    if not isinstance(table, dict):
        raise fail(where, "expected a table")
    unknown = sorted(set(table) - {"client", "docs"})
    if unknown:
        raise fail(unknown[0], "unknown section; expected [client] and [docs]")
    client, docs = table.get("client", {}), table.get("docs", {})
    for name, section, keys in (("client", client, _CLIENT_KEYS), ("docs", docs, ("title",))):
        if not isinstance(section, dict):
            raise fail(name, "expected a table")
        for key in sorted(set(section) - set(keys)):
            raise fail(f"{name}.{key}", f"unknown key; expected one of {', '.join(keys)}")
    found: dict[str, Any] = {}
    for key in ("package", "distribution", "version", "description", "license", "base_url"):
        if key in client:
            if not isinstance(client[key], str) or not client[key].strip():
                raise fail(f"client.{key}", "expected a non-empty string")
            found[key] = client[key]
    if "package" in found and (not found["package"].isidentifier() or keyword.iskeyword(found["package"])):
        raise fail("client.package", f"{found['package']!r} is no Python import name")
    if "distribution" in found and not _DISTRIBUTION.match(found["distribution"]):
        raise fail("client.distribution", f"{found['distribution']!r} is no distribution name (PEP 508)")
    if "version" in found and not _VERSION.match(found["version"]):
        raise fail("client.version", f"{found['version']!r} is no version X.Y.Z")
    if "base_url" in found and not re.match(r"^https?://[^\s/]+(/[^\s]*)?$", found["base_url"]):
        raise fail("client.base_url", f"{found['base_url']!r} is no http(s) URL")
    if "authors" in client:
        found["authors"] = _authors(client["authors"], fail)
    if "urls" in client:
        urls = client["urls"]
        if not isinstance(urls, dict) or not all(isinstance(v, str) and v.startswith("http") for v in urls.values()):
            raise fail("client.urls", "expected a table of labels to http(s) URLs")
        found["urls"] = tuple((str(k), v) for k, v in urls.items())
    if "title" in docs:
        if not isinstance(docs["title"], str) or not docs["title"].strip():
            raise fail("docs.title", "expected a non-empty string")
        found["docs_title"] = docs["title"]
    return Settings(**found)


_CLIENT_KEYS = ("package", "distribution", "version", "description", "license", "authors", "urls", "base_url")


def _authors(value: Any, fail: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise fail("client.authors", "expected a list of {name, email} tables")
    authors = []
    for author in value:
        if not isinstance(author, dict) or set(author) - {"name", "email"} or not author:
            raise fail("client.authors", "expected a list of {name, email} tables")
        if not all(isinstance(v, str) for v in author.values()):
            raise fail("client.authors", "a name and an email are strings")
        authors.append((author.get("name", ""), author.get("email", "")))
    return tuple(authors)
