"""The cache folder: what spares a rebuild the work an earlier run already did.

- Stamps: what the last `generate` into a folder was made from, so that a rebuild with nothing
  changed reads no spec, renders nothing and writes nothing.
- `Validated`: the specs this generator found valid, by the SHA-256 of their bytes.
- `Parsed`: specs (and bundles) as parsed, by the same hash, as JSON: reading one back is a tenth
  of parsing its YAML with every bound checked.
- `Store`s of the renderers and the release: each model's rendered files, each Python file as
  formatted, the changelog's HTML, what a written bundle says.

Every entry lives under the generator's fingerprint (its own code and templates, and the versions
of the tools whose output it commits), so no other version can vouch for anything, and `prune`
removes the entries of generators no run has used for two weeks. A stamp records that
fingerprint, every input spec and every output file, each by size, mtime and SHA-256. It holds
when all of them are still what it says: sizes and mtimes are compared first and a file is hashed
only when they differ, so an unchanged catalogue of a thousand models is checked in a few tens of
milliseconds. Anything else (a spec edited, added or removed, a generated file touched by hand,
another version of this project) means a new run, which the other entries make redo only what
changed.

The folder is never the output: `$REPLICATE_CODEGEN_CACHE`, else `$XDG_CACHE_HOME/replicate-codegen`,
else `~/.cache/replicate-codegen`. Losing it only costs time. Imported before anything heavy, so the
no-op check itself stays cheap.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__
from generator.filetree import listing

_TOOLS = (
    "datamodel-code-generator",
    "ruff",
    "pydantic",
    "jinja2",
    "openapi-spec-validator",
    "openapi-schema-validator",
    "jsonschema",
    "jsonschema-specifications",
    "jsonschema-rs",
    "pyyaml",
    "pygments",
    "markdown-it-py",
)
_PACKAGE = Path(__file__).resolve().parent
_TEMPLATES = _PACKAGE.parent / "templates"
_FILTERED = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})

Files = dict[str, list[int | str]]  # path -> [size, mtime_ns, sha256]


def cache_root() -> Path:
    if explicit := os.environ.get("REPLICATE_CODEGEN_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "replicate-codegen"


@functools.cache  # a run computes it once, though the stamp, the validation and the parse caches ask
def fingerprint() -> str:
    """This generator: its version, the bytes of its code and templates, and its tools' versions."""
    digest = hashlib.sha256(__version__.encode())
    for root in (_PACKAGE, _TEMPLATES):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not _FILTERED.intersection(p.parts)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    versions = _installed_versions()
    for tool in _TOOLS:
        version = versions.get(_normalized(tool))
        digest.update(f"{tool}=={version}".encode() if version else f"{tool} missing".encode())
    return digest.hexdigest()


def _installed_versions() -> dict[str, str]:
    """Each distribution importable from `sys.path` (its normalized name) -> its version, as the
    first `<name>-<version>.dist-info` (or `.egg-info`) found names them, which is what the import
    system finds first too. The names only: `importlib.metadata.version` parses each METADATA file,
    a fifth of a no-op rebuild's time for the ten tools."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # not a folder (a zip), or gone
            continue
        for name in names:
            stem, dot, extension = name.rpartition(".")
            if dot and extension in ("dist-info", "egg-info") and "-" in stem:
                distribution, _, version = stem.partition("-")
                found.setdefault(_normalized(distribution), version)
    return found


def _normalized(distribution: str) -> str:
    """A distribution's name as PEP 503 compares it (`jsonschema_rs`, `PyYAML` -> `jsonschema-rs`, `pyyaml`)."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def inputs(folders: tuple[Path, ...]) -> list[str]:
    """The spec files generate reads, by absolute path: every visible `*.yaml` below each folder."""
    from generator.paths import visible_files

    found = []
    for folder in (f for f in folders if f.is_dir()):
        found += input_names(folder, visible_files(folder, "*.yaml"))
    return found


def input_names(folder: Path, files: Iterable[Path]) -> list[str]:
    """The names `inputs` gives `files`, found in `folder`. Joined as strings: pathlib's
    `relative_to` and `joinpath` were a tenth of a no-op rebuild at a thousand specs."""
    base, given = str(folder.resolve()), str(folder)
    head = "" if given == "." else given.rstrip("/") + "/"  # what pathlib puts before each file's own path
    return [
        os.path.join(base, name[len(head) :] if name.startswith(head) else str(Path(name).relative_to(folder)))
        for name in map(str, files)
    ]


def _describe(names: list[str], base: Path | None, known: Files) -> Files | None:
    """Each file (by its path relative to `base`, or absolute) as [size, mtime_ns, sha256], hashing
    only what `known` cannot vouch for; None when a file vanished meanwhile."""
    described: Files = {}
    for name in names:
        path = os.path.join(base, name) if base is not None else name
        try:
            status = os.stat(path)
            recorded = known.get(name)
            if recorded is not None and recorded[:2] == [status.st_size, status.st_mtime_ns]:
                described[name] = recorded
            else:
                with open(path, "rb") as file:
                    described[name] = [
                        status.st_size,
                        status.st_mtime_ns,
                        hashlib.file_digest(file, "sha256").hexdigest(),
                    ]
        except OSError:
            return None
    return described


def _location(output: Path, folders: tuple[Path, ...]) -> Path:
    key = "\0".join(str(p.resolve()) for p in (output, *folders))
    return cache_root() / "stamps" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"


def _last_stamp(output: Path, folders: tuple[Path, ...]) -> dict[str, Any]:
    """The stamp of the last run into `output` from `folders`, its `inputs` and `outputs` always
    mappings (empty when there is none, or it cannot be read)."""
    try:
        stamp = json.loads(_location(output, folders).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamp = {}
    stamp = stamp if isinstance(stamp, dict) else {}
    for files in ("inputs", "outputs"):
        stamp[files] = stamp.get(files) if isinstance(stamp.get(files), dict) else {}
    return stamp


@dataclass(frozen=True)
class Standing:
    """What the last run's stamp says of an output as it is now."""

    files: int | None  # its number of files when the last run still stands entirely; None: a run is needed
    vouched: dict[str, str]  # each file still as that run left it -> its SHA-256
    inputs: dict[str, str] = field(default_factory=dict)  # each spec file, by absolute path (`inputs`) -> its SHA-256
    # the stamp's `inputs` and `outputs` as found now, which `record` need not hash again
    described: dict[str, Files] = field(default_factory=dict, repr=False)


def standing(output: Path, folders: tuple[Path, ...]) -> Standing:
    """Whether the last run into `output` from `folders`, by this same generator, is still exactly what
    is on disk, and which of its files still are."""
    stamp = _last_stamp(output, folders)
    if stamp.get("fingerprint") != fingerprint():
        return Standing(None, {})
    made = _describe(listing(output), output, stamp["outputs"])
    if made is None:
        return Standing(None, {})
    recorded = _hashes(stamp["outputs"])
    vouched = {path: str(entry[2]) for path, entry in made.items() if recorded.get(path) == entry[2]}
    made_from = _describe(inputs(folders), None, stamp["inputs"])
    holds = made_from is not None and _hashes(made_from) == _hashes(stamp["inputs"]) and _hashes(made) == recorded
    described = {"inputs": made_from or {}, "outputs": made}
    return Standing(len(made) if holds else None, vouched, _hashes(made_from or {}), described)


def record(
    output: Path, folders: tuple[Path, ...], standing: Standing | None = None, written: Iterable[str] | None = None
) -> None:
    """Stamp `output` as made from `folders` by this generator (after a run that succeeded).

    `standing`: what `standing` found at the start of the run. The specs are stamped as it found
    them, which is what the run read: a spec saved while the run went on is then not vouched for,
    and the next run reads it. `written`: the output files the run wrote; the others are as it
    found them too (kept files are moved into the new tree as links), so only these are looked at
    again. Without `standing`, everything is looked at now and the last stamp says what need not
    be hashed."""
    from generator.specfile import write_atomic

    before = standing.described if standing is not None else {}
    last = before or _last_stamp(output, folders)
    made_from = before.get("inputs") or _describe(inputs(folders), None, last["inputs"])
    names = listing(output)
    if before and written is not None:
        fresh = set(written).union(n for n in names if n not in before["outputs"])
        made = {n: before["outputs"][n] for n in names if n not in fresh}
        made |= _describe([n for n in names if n in fresh], output, {}) or {}
    else:
        made = _describe(names, output, last["outputs"]) or {}
    stamp = {"fingerprint": fingerprint(), "inputs": made_from, "outputs": made}
    with contextlib.suppress(OSError):  # a cache that cannot be written costs a full run next time
        write_atomic(_location(output, folders), json.dumps(stamp, sort_keys=True))


class Validated:
    """Specs this generator found valid, by the SHA-256 of their bytes: a content-addressed cache
    under `cache_root()/valid/<fingerprint>`, one empty file per spec, its name the hash of the spec and of the
    generator's fingerprint, so no other version of the rules or of the validators can vouch."""

    def __init__(self) -> None:
        self._folder = folder("valid")
        self._fingerprint = fingerprint()

    def _marker(self, sha256: str) -> Path:
        key = hashlib.sha256(f"{self._fingerprint}:{sha256}".encode()).hexdigest()
        return self._folder / key[:2] / key

    def knows(self, sha256: str) -> bool:
        return self._marker(sha256).is_file()

    def remember(self, sha256: str) -> None:
        marker = self._marker(sha256)
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()


class Store:
    """JSON values under `cache_root()/<name>/<fingerprint>`, each in its own file named by the hash
    of its key and of the generator's fingerprint. A value JSON cannot hold is simply not kept; an
    entry that cannot be read is a miss."""

    def __init__(self, name: str) -> None:
        self._folder = folder(name)
        self._fingerprint = fingerprint()

    def _entry(self, key: str) -> Path:
        digest = hashlib.sha256(f"{self._fingerprint}:{key}".encode()).hexdigest()
        return self._folder / digest[:2] / f"{digest}.json"

    def has(self, key: str) -> bool:
        return self._entry(key).is_file()

    def get(self, key: str) -> Any:
        try:
            return json.loads(self._entry(key).read_bytes())
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: Any) -> None:
        from generator.specfile import write_atomic

        with contextlib.suppress(OSError, TypeError, ValueError):  # not JSON, or no room: not kept
            write_atomic(self._entry(key), json.dumps(value, ensure_ascii=False))


class Parsed:
    """Specs as parsed before: `[document, lines]`, by the SHA-256 of the file's bytes. A document
    JSON cannot hold (a YAML date) is not kept."""

    def __init__(self) -> None:
        self._store = Store("parsed")

    def get(self, sha256: str) -> tuple[dict[str, Any], dict[str, int] | None] | None:
        """`[document, lines]`; lines None when the entry came from the import that wrote the spec."""
        entry = self._store.get(sha256)
        if not (isinstance(entry, list) and len(entry) == 2):
            return None
        document, lines = entry
        return (document, lines) if isinstance(document, dict) and isinstance(lines, dict | None) else None

    def has(self, sha256: str) -> bool:
        return self._store.has(sha256)

    def put(self, sha256: str, document: dict[str, Any], lines: dict[str, int] | None) -> None:
        self._store.put(sha256, [document, lines])


# The entries a generator makes live in a folder of its fingerprint, so those of generators no
# longer run can go as a whole; each run marks its folders used.
_USED = ".used"
KEEP_UNUSED_DAYS = 14


def folder(name: str) -> Path:
    """This generator's folder of the kind `name` in the cache (it may not exist yet)."""
    return cache_root() / name / fingerprint()[:32]


def prune(now: float | None = None) -> list[Path]:
    """Remove the entries of every other generator (another version, or the same one edited) that no
    run has used for `KEEP_UNUSED_DAYS`, and mark this generator's folders used. Returns what it removed."""
    now = time.time() if now is None else now
    removed = []
    with contextlib.suppress(OSError):  # a cache that cannot be tidied only takes room
        for kind in (p for p in cache_root().iterdir() if p.is_dir() and p.name != "stamps"):
            for entries in (p for p in kind.iterdir() if p.is_dir()):
                if entries == folder(kind.name):
                    entries.joinpath(_USED).touch()
                elif now - _last_used(entries) > KEEP_UNUSED_DAYS * 86400:
                    shutil.rmtree(entries, ignore_errors=True)
                    removed.append(entries)
    return removed


def _last_used(folder: Path) -> float:
    try:
        return (folder / _USED).stat().st_mtime
    except OSError:
        return folder.stat().st_mtime


def _hashes(files: Files) -> dict[str, str]:
    return {path: str(entry[2]) for path, entry in files.items()}
