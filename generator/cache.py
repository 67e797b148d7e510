"""The cache: what spares a run work an earlier run already did, and nothing more.

One content store (`Store`), one entry per file under `entries/<generator>/`: a generator (its
version, code, templates and tools' versions: `fingerprint`) reads only its own entries, so no other
version can vouch for anything. Kinds of value share it by name:

- `stamp`: what the last `generate` into an output was made from (`generator.build.stamp`).
- `valid`, `parsed`: specs found valid, and as parsed, by the SHA-256 of their bytes.
- The renderers' and the importer's kinds: each model's files, each Python file as formatted, ...

**Only a cache.** Every entry carries the SHA-256 of its content, checked on each read: a damaged,
altered or unreadable entry is a miss, never output. Losing or damaging it costs time, never
correctness. Its size is bounded (`limit`, `$REPLICATE_CODEGEN_CACHE_SIZE`, 1 GiB by default): a run
that added entries trims it once its ledger says it may have outgrown the bound, other generators'
entries first, then the least recently used.

The folder is never the output: `$REPLICATE_CODEGEN_CACHE`, else `$XDG_CACHE_HOME/replicate-codegen`,
else `~/.cache/replicate-codegen`. Imported before anything heavy, so the no-op check stays cheap.
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
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__
from generator.spec import settings

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


def cache_root() -> Path:
    if explicit := os.environ.get("REPLICATE_CODEGEN_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "replicate-codegen"


def fingerprint() -> str:
    """This generator: its code (`_code`) and the project's settings in force, which shape everything
    it renders (`generator.spec.settings`)."""
    return hashlib.sha256(f"{_code()}\0{settings.active().digest()}".encode()).hexdigest()


@functools.cache  # a run computes it once, though the stamp, the validation and the parse caches ask
def _code() -> str:
    """Its version, the bytes of its code and templates, and its tools' versions."""
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
    which a no-op rebuild would do for every tool."""
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
    `relative_to` and `joinpath` were a large part of a no-op rebuild (bench/README.md)."""
    base, given = str(folder.resolve()), str(folder)
    head = "" if given == "." else given.rstrip("/") + "/"  # what pathlib puts before each file's own path
    return [
        os.path.join(base, name[len(head) :] if name.startswith(head) else str(Path(name).relative_to(folder)))
        for name in map(str, files)
    ]


class Validated:
    """Specs this generator found valid, by the SHA-256 of their bytes: an empty entry of the store
    per spec, so no other version of the rules or of the validators can vouch."""

    def __init__(self) -> None:
        self._store = Store("valid")

    def knows(self, sha256: str) -> bool:
        return self._store.get_bytes(sha256) is not None

    def remember(self, sha256: str) -> None:
        self._store.put_bytes(sha256, b"")


class Store:
    """Values of one kind (`name`) by key, in the one content store of this generator (`entries`):
    JSON values through `get`/`put`, bytes through `get_bytes`/`put_bytes`. Each entry carries the
    SHA-256 of its content, checked on every read: an entry that is damaged, altered or cannot be
    read is a miss (and removed), never a value. A value JSON cannot hold is simply not kept."""

    def __init__(self, name: str) -> None:
        self._name = name

    def _entry(self, key: str) -> Path:
        digest = hashlib.sha256(f"{fingerprint()}\0{self._name}\0{key}".encode("utf-8", "surrogatepass")).hexdigest()
        return entries() / digest[:2] / digest

    def get_bytes(self, key: str) -> bytes | None:
        if _bypassed:
            return None
        path = self._entry(key)
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            return None
        checksum, content = data[:_SUM], data[_SUM:]
        if len(checksum) < _SUM or hashlib.sha256(content).digest() != checksum:
            with contextlib.suppress(OSError):  # damaged: a miss now and for every later run
                path.unlink()
            return None
        with contextlib.suppress(OSError):  # used: the last to go when the cache is trimmed
            os.utime(path)
        return content

    def put_bytes(self, key: str, content: bytes) -> None:
        if _bypassed:
            return
        global _written
        path = self._entry(key)
        try:  # an entry replaced (a snapshot, a stamp) makes the cache grow by the difference alone
            replaced = os.stat(path).st_size
        except OSError:
            replaced = 0
        with contextlib.suppress(OSError):  # no room, or no cache: only costs time
            _write_entry(path, hashlib.sha256(content).digest(), content)
            _written += _SUM + len(content) - replaced

    def get(self, key: str) -> Any:
        content = self.get_bytes(key)
        try:
            return None if content is None else json.loads(content)
        except ValueError:
            return None

    def has(self, key: str) -> bool:
        return self.get_bytes(key) is not None

    def put(self, key: str, value: Any) -> None:
        try:
            content = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError):  # not JSON
            return
        self.put_bytes(key, content)


class Parsed:
    """Specs as parsed before: `[document, lines]`, by the SHA-256 of the file's bytes. A document
    JSON cannot hold (a YAML date) is not kept."""

    def __init__(self) -> None:
        self._store = Store("parsed")

    def get(self, sha256: str) -> tuple[dict[str, Any], dict[str, int] | None] | None:
        """`[document, lines]`; lines None when the entry came from the import that wrote the spec."""
        content = self._store.get_bytes(sha256)
        try:
            entry = None if content is None else json.loads(content, object_pairs_hook=_shared_strings)
        except ValueError:
            return None
        if not (isinstance(entry, list) and len(entry) == 2):
            return None
        document, lines = entry
        return (document, lines) if isinstance(document, dict) and isinstance(lines, dict | None) else None

    def has(self, sha256: str) -> bool:
        return self._store.has(sha256)

    def put(self, sha256: str, document: dict[str, Any], lines: dict[str, int] | None) -> None:
        self._store.put(sha256, [document, lines])


def _write_entry(path: Path, checksum: bytes, content: bytes) -> None:
    """Through a temporary file and a rename, so a reader finds the old entry or the new one. The
    checksum and the content are written one after the other, not joined first: the snapshot of a
    large catalogue is tens of MB, and a copy of it was the peak of a cold build's memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(checksum)
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _shared_strings(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys and short text values are the same objects in every document: a
    catalogue's specs repeat `type`, `description`, `string`, ... thousands of times, and sharing
    them takes a third off the documents' memory (bench/README.md)."""
    return {sys.intern(k): sys.intern(v) if type(v) is str and len(v) <= _SHORT_TEXT else v for k, v in pairs}


_SHORT_TEXT = 40  # characters: names, types, formats, enum values; not descriptions
_SUM = 32  # bytes of SHA-256 before each entry's content
_bypassed = False
_written = 0  # bytes this process has grown the store by (`trim_if_grown`)


@contextlib.contextmanager
def bypassed() -> Iterator[None]:
    """Within it, the store has nothing and keeps nothing: `generate --check` trusts no cache."""
    global _bypassed
    before, _bypassed = _bypassed, True
    try:
        yield
    finally:
        _bypassed = before


def entries() -> Path:
    """This generator's folder of entries (it may not exist yet). Each generator (version, code,
    templates, tools) has its own, so the entries of one no longer run are the first to go."""
    return cache_root() / "entries" / fingerprint()[:32]


DEFAULT_LIMIT = 1 << 30
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def limit() -> int:
    """The most the cache may hold, in bytes: `$REPLICATE_CODEGEN_CACHE_SIZE` (`500M`, `2G`, bytes),
    else `DEFAULT_LIMIT`. A value that cannot be read is an error: a bound silently ignored is none."""
    text = os.environ.get("REPLICATE_CODEGEN_CACHE_SIZE", "").strip().upper().removesuffix("B").removesuffix("I")
    if not text:
        return DEFAULT_LIMIT
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)", text)
    if found is None:
        from generator.errors import InputError

        given = os.environ["REPLICATE_CODEGEN_CACHE_SIZE"]
        raise InputError("REPLICATE_CODEGEN_CACHE_SIZE", f"{given!r} is not a size such as 500M or 2G")
    return int(float(found[1]) * _UNITS[found[2]])


@dataclass(frozen=True)
class Usage:
    root: Path
    total: int  # bytes
    files: int
    own: int  # bytes of this generator's entries
    limit: int


def _files() -> list[tuple[bool, int, int, str]]:
    """Every file of the cache's own folders (`_KINDS`: nothing else the cache folder may hold) as
    (is this generator's, mtime_ns, size, path), but the ledger."""
    own, ledger = str(entries()), str(_ledger())
    found: list[tuple[bool, int, int, str]] = []
    folders = [str(cache_root() / kind) for kind in _KINDS]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing_:
                for entry in listing_:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.path != ledger:
                        with contextlib.suppress(OSError):
                            status = entry.stat(follow_symlinks=False)
                            found.append((entry.path.startswith(own), status.st_mtime_ns, status.st_size, entry.path))
        except OSError:  # not there
            continue
    return found


def usage() -> Usage:
    found = _files()
    return Usage(
        cache_root(),
        sum(size for _, _, size, _ in found),
        len(found),
        sum(size for own, _, size, _ in found if own),
        limit(),
    )


def _trim(found: list[tuple[bool, int, int, str]], bound: int) -> int:
    """Remove entries of the `found` files until at most `bound` bytes are left: those of other
    generators first, then the least recently used. Returns the bytes left."""
    total = sum(size for _, _, size, _ in found)
    for _, _, size, path in sorted(found):  # not ours first (False < True), then oldest first
        if total <= bound:
            break
        with contextlib.suppress(OSError):
            os.remove(path)
            total -= size
    return total


# Walking the cache to measure it grows with the catalogue (bench/README.md), so a run that wrote
# entries adds to a ledger what they grew the cache by (less, or negative, when it replaced entries):
# the bytes the last walk left, then each run's since. The cache is walked and trimmed (to nine
# tenths of its bound, so that the next runs need not walk again) only once the ledger's sum passes
# the bound, or the ledger is missing, damaged or long: its sum only overstates (an entry removed as
# damaged is not subtracted), but for the lines of runs that raced a walk.
_LEDGER_LINES = 256


def trim_if_grown() -> None:
    """Trim the cache to its bound (`limit`) when this process changed the store's size and the
    cache may have outgrown it."""
    if not _written:
        return
    with contextlib.suppress(OSError):
        bound = limit()
        counted = _count_in_ledger(_written)
        if counted is None or counted > bound:
            _write_ledger(_trim(_files(), bound * 9 // 10))


def _ledger() -> Path:
    return cache_root() / "entries" / "ledger"


def _count_in_ledger(written: int) -> int | None:
    """The ledger's sum once `written` is added to it; None when a walk is due."""
    try:
        with open(_ledger(), "rb") as file:
            counts = [int(line) for line in file.read().split()]
    except (OSError, ValueError):
        return None
    # long, or not one this tool wrote: a walk's count is never negative, nor is the sum of what follows
    if not counts or len(counts) >= _LEDGER_LINES or counts[0] < 0 or sum(counts) < 0:
        return None
    counted = sum(counts)
    fd = os.open(_ledger(), os.O_WRONLY | os.O_APPEND)  # one small write: whole, among other runs'
    try:
        os.write(fd, b"%d\n" % written)
    finally:
        os.close(fd)
    return counted + written


def _write_ledger(total: int) -> None:
    from generator.spec.specfile import write_atomic

    with contextlib.suppress(OSError):
        write_atomic(_ledger(), b"%d\n" % total)


def clean() -> int:
    """Empty the cache; returns the bytes removed. Only the cache's own folders are removed, never
    anything else `$REPLICATE_CODEGEN_CACHE` may hold."""
    removed = sum(size for _, _, size, _ in _files())
    for kind in _KINDS:
        shutil.rmtree(cache_root() / kind, ignore_errors=True)
    return removed


# the folders of the cache's layout before `entries`: cleaned too
_LEGACY = (
    "stamps",
    "valid",
    "parsed",
    "snapshots",
    "bundle-models",
    "imported",
    "formatted",
    "rendered",
    "changelog-html",
    "highlighted",
    "templates",
)
_KINDS = ("entries", *_LEGACY)
