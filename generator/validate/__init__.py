"""Every problem of every spec at once: each spec's own (`generator.validate.rules`: OpenAPI 3.1 validity,
then the rules our generator relies on), then the rules across specs: operationIds and model ids
are unique.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from generator.cache import Validated
from generator.errors import Problem
from generator.parallel import chunked_map
from generator.spec.specfile import SpecFile, walk
from generator.spec.vocabulary import X_MODEL


class Located(Protocol):
    """A spec file as a problem names it: its path as shown, and the line of a pointer."""

    @property
    def display(self) -> str: ...

    def line_of(self, pointer: str) -> int | None: ...


@dataclass(frozen=True)
class Identity:
    """What the rules across specs need of one: the model it defines and its operationIds."""

    model: tuple[str, str] | None  # owner, name
    operations: tuple[tuple[str, str], ...]  # (pointer, operationId), in the document's order

    @property
    def model_id(self) -> str | None:
        return "/".join(self.model) if self.model else None


def identity(document: dict[str, Any]) -> Identity:
    declared = (document.get("info") or {}).get(X_MODEL) or {}
    owner, name = declared.get("owner"), declared.get("name")
    operations = tuple(
        (pointer, node)
        for pointer, node in walk(document.get("paths") or {}, "/paths")
        if pointer.endswith("/operationId") and isinstance(node, str)
    )
    return Identity((owner, name) if isinstance(owner, str) and isinstance(name, str) else None, operations)


def validate(specs: list[SpecFile], unread: Sequence[tuple[Located, Identity]] = ()) -> list[Problem]:
    """Every problem of every spec. A spec whose bytes this same validator found valid before is
    not checked again (see `generator.cache.Validated`); the rules across specs always run, over
    `specs` and the `unread` ones too (specs the last run found valid, known by their identity)."""
    problems: list[Problem] = []
    validated = Validated()
    unknown = [spec for spec in specs if not (spec.sha256 and validated.knows(spec.sha256))]
    checked = chunked_map(_problems_of_each, [s.document for s in unknown], "specs checked")
    for spec, found in zip(unknown, checked, strict=True):
        if not found and spec.sha256:
            validated.remember(spec.sha256)
        problems += [_place(spec, pointer, message) for pointer, message in found]
    problems += _uniqueness([*((spec, identity(spec.document)) for spec in specs), *unread])
    return sorted(problems)


def _problems_of_each(documents: Sequence[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    from generator.validate import rules  # slow to import: only when a spec is new

    return [list(rules.problems(document)) for document in documents]


def _place(spec: Located, pointer: str, message: str) -> Problem:
    return Problem(spec.display, pointer, message, spec.line_of(pointer))


def _uniqueness(specs: list[tuple[Located, Identity]]) -> list[Problem]:
    problems = []
    seen_models: dict[str, Located] = {}
    seen_folded: dict[str, tuple[str, Located]] = {}
    seen_operations: dict[str, Located] = {}
    for spec, found in specs:
        mid = found.model_id
        if mid is not None:
            if mid in seen_models:
                problems.append(
                    _place(spec, "/info/x-model", f"model {mid} is also defined by {seen_models[mid].display}")
                )
            elif mid.casefold() in seen_folded:
                other, where = seen_folded[mid.casefold()]
                problems.append(
                    _place(
                        spec,
                        "/info/x-model",
                        f"model {mid} differs from {other} ({where.display}) only in case: the files named after "
                        "them would be one on a file system that ignores case (macOS, Windows)",
                    )
                )
            seen_models.setdefault(mid, spec)
            seen_folded.setdefault(mid.casefold(), (mid, spec))
        for pointer, operation_id in found.operations:
            if operation_id in seen_operations:
                other = seen_operations[operation_id].display
                problems.append(_place(spec, pointer, f"operationId {operation_id!r} is also used in {other}"))
            seen_operations.setdefault(operation_id, spec)
    return problems
