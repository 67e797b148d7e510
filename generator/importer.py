"""The import step: documents -> normalized specs on disk, one result per document."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator import importing, specfile
from generator.errors import InputError
from generator.normalize import normalize

SPEC_HEADER = (
    "# Normalized by replicate-codegen from {source}.\n# Re-running `replicate-codegen import` rewrites this file.\n"
)


@dataclass
class ImportResult:
    source: str
    model: str | None = None
    spec: str | None = None
    fields: int = 0
    inferred: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    changed: bool = False


def expand(sources: list[Path]) -> Iterator[Path]:
    """Files as given; folders yield their visible files, sorted, so runs are repeatable."""
    for source in sources:
        if source.is_dir():
            yield from sorted(
                p for p in source.rglob("*") if p.is_file() and not any(s.startswith(".") for s in p.parts)
            )
        else:
            yield source


def import_one(path: Path, out: Path, fmt: str | None = None) -> ImportResult:
    result = ImportResult(source=importing.display_path(path))
    try:
        spec = normalize(importing.load(path, fmt))
    except InputError as exc:
        result.error = str(exc)
        return result
    target = out / spec.owner / f"{spec.name}.yaml"
    properties = spec.document["components"]["schemas"]["Input"]["properties"]
    result.model = spec.model_id
    result.spec = importing.display_path(target)
    result.fields = len(properties)
    result.inferred = sum(len(p.get("x-inferred", {})) for p in properties.values())
    result.warnings = spec.warnings
    text = SPEC_HEADER.format(source=result.source) + specfile.dump(spec.document)
    result.changed = specfile.write_atomic(target, text)
    return result


def duplicate_warnings(results: list[ImportResult]) -> None:
    """Two documents for one model: the later one wins; both are told."""
    by_model: dict[str, list[ImportResult]] = {}
    for result in results:
        if result.model:
            by_model.setdefault(result.model, []).append(result)
    for model, group in by_model.items():
        if len(group) > 1:
            names = ", ".join(r.source for r in group)
            for result in group:
                result.warnings.append(f"{model} is described by several documents ({names}); the last one wins")
