"""The import step: documents -> normalized specs on disk, one result per endpoint found."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator import importing, paths
from generator.cache import Parsed, Store
from generator.errors import InputError
from generator.importing import replicate
from generator.importing.normalize import kinds, merge, normalize, overrides
from generator.importing.normalize.schema import FROM_EXAMPLE
from generator.importing.normalize.spec import Extra, operation_id
from generator.importing.record import Endpoint
from generator.parallel import chunked_map
from generator.spec import reading, specfile, vocabulary
from generator.spec.vocabulary import inferred

SPEC_HEADER = (
    "# Normalized by replicate-codegen from {source}.\n# Re-running `replicate-codegen import` rewrites this file.\n"
)
_HEADER_SOURCE = re.compile(r"^# Normalized by replicate-codegen from (?P<file>[^#]+?)(?:#\S*)?\.$")


@dataclass(frozen=True)
class Layout:
    """Where specs go and where the files that complete a page are looked up, per model."""

    models: Path = paths.MODELS
    shared: Path = paths.SHARED
    replicate: Path = paths.REPLICATE
    overrides: Path = paths.OVERRIDES


@dataclass
class ImportResult:
    source: str
    pointer: str = ""
    kind: str | None = None
    model: str | None = None  # the model id, or `shared/<kind>`
    spec: str | None = None
    fields: int = 0
    inferred: list[str] = field(default_factory=list)  # `field.keyword` read from prose or examples
    overridden: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: str | None = None
    error: str | None = None
    changed: bool = False
    # How far its spec can be trusted, compared between documents of one model: the kind of source
    # (2: the model's own machine-readable schema, 1: a field listing or schema, 0: an example
    # alone), then how many facts it states of the inputs.
    trust: list[int] = field(default_factory=lambda: [0, 0])

    @property
    def place(self) -> str:
        return f"{self.source}#{self.pointer}" if self.pointer else self.source


def expand(sources: list[Path]) -> Iterator[Path]:
    """Files as given; folders yield their visible files, sorted, so runs are repeatable."""
    for source in sources:
        if source.is_dir():
            yield from paths.visible_files(source)
        else:
            yield source


@dataclass(frozen=True)
class _Write:
    """A spec an endpoint makes, to be written by the process that writes them all, in order."""

    target: Path
    data: bytes


Imported = list[tuple[ImportResult, _Write | None]]


def import_file(path: Path, layout: Layout, fmt: str | None = None) -> list[ImportResult]:
    """Every endpoint of one document, its spec written; a document that cannot be read at all is one
    failed result. Whatever goes wrong with one document or endpoint is its own result: the others
    still import."""
    return write(_read(path, layout, fmt).imported)


def import_files(files: Sequence[Path], layout: Layout, fmt: str | None = None) -> list[ImportResult]:
    """`import_file` for each, documents read on every core when there are many, specs written here in
    the order of `files`: when two documents make one spec, the later one's is kept, as in one process.

    A document imported before from the same bytes, into the same layout, by this same generator, and
    whose Replicate document and overrides are as they were then, is not read again: its results and
    specs are kept in the cache folder (`generator.cache.Store`)."""
    store = Store(_STORE)
    documents = [_bytes_and_key(path, layout, fmt) for path in files]
    found = [_kept(store.get(key)) if key else None for _, key in documents]
    missing = [i for i, imported in enumerate(found) if imported is None]
    work = [(files[i], *documents[i]) for i in missing]
    for i, imported in zip(
        missing, chunked_map(functools.partial(_read_each, layout=layout, fmt=fmt), work, "documents read"), strict=True
    ):
        found[i] = imported
    return write([pair for imported in found for pair in imported or ()])


_STORE = "imported"


@dataclass(frozen=True)
class _Reading:
    imported: Imported
    # the files that completed its models (Replicate documents, overrides), by path: the SHA-256 of
    # the bytes used, None for one that was not there
    consulted: dict[str, str | None]
    lasting: bool  # the same inputs would give the same: nothing failed for want of a bug fix


def _bytes_and_key(path: Path, layout: Layout, fmt: str | None) -> tuple[bytes | None, str | None]:
    """The document's bytes and its key in the cache; None, None when it cannot be read (its import
    says why)."""
    display = paths.display_path(path)
    try:
        data = reading.read_bytes(path, display, "document")
    except InputError:
        return None, None
    context = [
        os.getcwd(),
        display,
        fmt or "",
        *map(str, (layout.models, layout.shared, layout.replicate, layout.overrides)),
    ]
    return data, hashlib.sha256("\0".join([*context, hashlib.sha256(data).hexdigest()]).encode()).hexdigest()


def _read_each(
    work: Sequence[tuple[Path, bytes | None, str | None]], layout: Layout, fmt: str | None
) -> list[Imported]:
    store, made = Store(_STORE), []
    for path, data, key in work:
        reading = _read(path, layout, fmt, data)
        if key and reading.lasting:  # kept by the process that read it, while the others read theirs
            store.put(key, _as_json(reading))
        made.append(reading.imported)
    return made


def _as_json(reading: _Reading) -> dict[str, Any]:
    return {
        "results": [dataclasses.asdict(result) for result, _ in reading.imported],
        "writes": [made and {"target": str(made.target), "data": made.data.decode()} for _, made in reading.imported],
        "consulted": reading.consulted,
    }


def _kept(value: Any) -> Imported | None:
    """A kept reading, when its Replicate documents and overrides are still as they were; else None
    (and None for what is not a kept reading: another shape, or damaged)."""
    try:
        for path, sha256 in value["consulted"].items():
            if _sha256_of(Path(path)) != sha256:
                return None
        writes = [made and _Write(Path(made["target"]), made["data"].encode()) for made in value["writes"]]
        return list(zip([ImportResult(**result) for result in value["results"]], writes, strict=True))
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


def _sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return "unreadable"


def _read(path: Path, layout: Layout, fmt: str | None = None, data: bytes | None = None) -> _Reading:
    """Every endpoint of one document and the spec it makes, nothing written."""
    display = paths.display_path(path)
    consulted: dict[str, str | None] = {}
    try:
        endpoints = importing.load(path, fmt, data)
    except InputError as exc:
        return _Reading([(ImportResult(source=display, error=str(exc)), None)], consulted, True)
    except Exception as exc:
        return _Reading([(ImportResult(source=display, error=_internal(display, exc)), None)], consulted, False)
    if not endpoints:
        return _Reading([(ImportResult(source=display, skipped="the document describes no endpoint"), None)], {}, True)
    results: Imported = []
    lasting = True
    for endpoint in endpoints:
        result = ImportResult(source=endpoint.source.path, pointer=endpoint.source.pointer)
        made = None
        try:
            made = _import_endpoint(endpoint, layout, result, consulted)
        except InputError as exc:
            result.error = str(exc)
        except Exception as exc:
            result.error, lasting = _internal(result.place, exc), False
        results.append((result, made))
    return _Reading(results, consulted, lasting)


def write(imported: Imported) -> list[ImportResult]:
    """Write each endpoint's spec; an endpoint whose spec cannot be written fails alone. Several
    documents that make one model's spec are merged (`normalize.merge`), the most trusted one's spec
    the base, whatever the order of the files; each of them is told how."""
    groups: dict[Path, list[tuple[ImportResult, _Write]]] = {}
    for result, made in imported:
        if made is not None:
            groups.setdefault(made.target, []).append((result, made))
    for clash in _clashes(groups):
        told = " and ".join(f"{r.model} ({r.place})" for target in clash for r, _ in groups[target])
        for target in clash:
            for result, _ in groups.pop(target):
                result.error = (
                    f"{result.place}: {told} differ only in case or punctuation, so their specs, operationIds "
                    "and client names would collide; neither was written: import one, or rename one in its document"
                )
    for target, group in groups.items():
        winner = most_trusted([result for result, _ in group])
        data = next(made.data for result, made in group if result is winner)
        if len(group) > 1:
            data = _merged(winner, data, [(r, m) for r, m in group if r is not winner])
        try:
            winner.changed = specfile.write_atomic(target, data)
        except OSError as exc:
            winner.error = f"{winner.place}: cannot write {paths.display_path(target)}: {exc.strerror or exc}"
    return [result for result, _ in imported]


def _clashes(groups: dict[Path, list[tuple[ImportResult, _Write]]]) -> list[list[Path]]:
    """Targets of models whose names differ only as file systems without case (`Foo`, `foo`) or the
    generated names (`foo-bar`, `foo_bar`) do not tell apart."""
    folded: dict[tuple[str, str], list[Path]] = {}
    for target, group in groups.items():
        model = group[0][0].model or ""
        if "/" in model:  # a model (a shared operation's key is its kind)
            owner, name = model.split("/", 1)
            folded.setdefault(("id", operation_id(owner, name)), []).append(target)
            folded.setdefault(("file", str(target).casefold()), []).append(target)
    merged: dict[Path, set[Path]] = {}
    for targets in folded.values():
        if len(targets) > 1:
            together = set(targets).union(*(merged.get(t, set()) for t in targets))
            for target in together:
                merged[target] = together
    return [sorted(clash) for clash in {frozenset(c): c for c in merged.values()}.values()]


_SOURCES = {merge.SCHEMA: "the model's own schema", merge.LISTING: "a field listing", merge.EXAMPLE: "an example alone"}


def _merged(winner: ImportResult, data: bytes, others: list[tuple[ImportResult, _Write]]) -> bytes:
    """The winner's spec completed by the others' (a model's), and one warning to each of them."""
    ordered = sorted(others, key=lambda pair: ([-rank for rank in pair[0].trust], pair[0].place))
    names = ", ".join(sorted(r.place for r in (winner, *(r for r, _ in others))))
    told = f"{winner.model} is described by several documents ({names}); the spec is {winner.place}'s"
    if winner.kind in (vocabulary.MODEL, vocabulary.MODEL_VERSION):
        told += f" ({_SOURCES[winner.trust[0]]}, {winner.trust[1]} fact(s) of its inputs)"
        document = yaml.safe_load(data)
        merged = merge.merge(
            document, winner.place, winner.trust[0], [(r.place, r.trust[0], yaml.safe_load(m.data)) for r, m in ordered]
        )
        if merged.added:
            told += ", completed by " + "; ".join(f"{place}: {', '.join(got)}" for place, got in merged.added.items())
            data = (SPEC_HEADER.format(source=winner.place) + specfile.dump(merged.document)).encode()
        if merged.disagreements:
            told += "; they disagree on " + "; ".join(merged.disagreements)
    for result in (winner, *(r for r, _ in others)):
        result.warnings.append(told)
    return data


def most_trusted(results: Sequence[ImportResult]) -> ImportResult:
    """The result whose spec is kept: the most trusted, and of equally trusted ones the first by
    place, so the same one whatever the order of the files."""
    return min(results, key=lambda result: ([-rank for rank in result.trust], result.place))


def _internal(place: str, exc: Exception) -> str:
    if os.environ.get("REPLICATE_CODEGEN_DEBUG"):
        raise exc
    return (
        f"{place}: internal error ({type(exc).__name__}: {exc}); this document was not imported. "
        "This is a bug in replicate-codegen: please report it with the document"
    )


def _import_endpoint(
    endpoint: Endpoint, layout: Layout, result: ImportResult, consulted: dict[str, str | None]
) -> _Write | None:
    try:
        kind = kinds.classify(endpoint)
        result.kind = kind.name
        if kind.name == vocabulary.SKIPPED:
            result.skipped = kind.reason
            return None
        spec = normalize(endpoint, kind, _extra(kind, layout, consulted))
    except RecursionError:  # a schema whose `$ref`s nest deeper than any real one
        raise InputError(result.place, "the schema nests too deeply (through its $refs)") from None
    folder = layout.models if spec.is_model else layout.shared
    target = folder / spec.file
    if not target.resolve().is_relative_to(folder.resolve()):  # kinds refuses such names; this is the last word
        raise InputError(result.place, f"the spec would be written outside {paths.display_path(folder)}")
    result.model = spec.key
    result.spec = paths.display_path(target)
    result.warnings = spec.warnings
    result.overridden = spec.overridden
    if spec.is_model:
        input_schema = spec.document["components"]["schemas"]["Input"]
        properties = input_schema["properties"]
        result.fields = len(properties)
        result.inferred = [f"{name}.{kw}" for name, p in properties.items() for kw in inferred(p)]
        result.trust = _trust(endpoint, input_schema)
    data = (SPEC_HEADER.format(source=endpoint.source.place) + specfile.dump(spec.document)).encode()
    specfile.remember_written(data, spec.document, Parsed())  # here: on every core, and not sent back
    return _Write(target, data)


_FACTS = ("type", "description", "default", "enum", "minimum", "maximum", "format", "items")


def _trust(endpoint: Endpoint, input_schema: dict[str, Any]) -> list[int]:
    properties = input_schema.get("properties") or {}
    from_example = all(inferred(p).get("type") == FROM_EXAMPLE for p in properties.values())
    source = 2 if endpoint.schema_is_truth else 0 if from_example else 1
    facts = sum(1 for p in properties.values() for key in _FACTS if key in p)
    return [source, facts + len(input_schema.get("required") or ())]


def _extra(kind: kinds.Kind, layout: Layout, consulted: dict[str, str | None]) -> Extra:
    """The model's Replicate document and the user's overrides, when they exist (each file looked
    for is put in `consulted`). Either being broken fails this model's import: half-applied
    corrections would be worse than none."""
    extra = Extra()
    if kind.name not in (vocabulary.MODEL, vocabulary.MODEL_VERSION):
        return extra
    document = layout.replicate / kind.owner / f"{kind.model}.json"
    consulted[str(document)] = None
    if document.is_file():
        doc = importing.read(document)
        consulted[str(document)] = doc.sha256
        extra.replicate = replicate.read_model(doc, kind.owner, kind.model)
    patch = layout.overrides / kind.owner / f"{kind.model}.yaml"
    consulted[str(patch)] = None
    if patch.is_file():
        doc = importing.read(patch)
        consulted[str(patch)] = doc.sha256
        extra.overrides = overrides.load(patch, doc.display)
        extra.overrides_source = doc.source("overrides")
    return extra


def orphans(folders: tuple[Path, ...]) -> list[tuple[Path, str]]:
    """Specs written by `import` whose source document is gone: (spec, source). Only the first line of
    each spec is read, so this stays cheap at thousands of models. Hand-written specs have no such
    line and are never listed."""
    found = []
    for folder in folders:
        for spec in paths.visible_files(folder, "*.yaml") if folder.is_dir() else ():
            try:
                first = reading.read_head(spec, paths.display_path(spec), "spec").split(b"\n", 1)[0]
            except InputError:
                continue  # validate says what is wrong with it
            match = _HEADER_SOURCE.match(first.decode("utf-8", "replace"))
            if match and not Path(match.group("file")).exists():
                found.append((spec, match.group("file")))
    return found
