"""Inlining the references a document's schemas make, so the record holds plain schemas.

Three kinds meet us: OpenAPI `$ref` (`#/components/schemas/X`), Apifox project references
(`#/definitions/<id>` into `schemaCollection`), and Apifox `x-apifox-refs`, which splice the
properties of a shared model into an object at the place `x-apifox-orders` names.
A reference that leads nowhere or back into itself is left as an open schema, with a warning.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from generator.spec.specfile import resolve_ref

Lookup = Callable[[str], Any]  # ref -> target schema, or None


def pointer_lookup(root: Any) -> Lookup:
    """Local JSON pointers (`#/components/schemas/Input`) into `root`."""

    def lookup(ref: str) -> Any:
        try:
            return resolve_ref(root, ref) if ref.startswith("#/") else None
        except LookupError:
            return None

    return lookup


class Inliner:
    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup
        self.warnings: list[str] = []

    def inline(self, node: Any, where: str) -> Any:
        """A deep copy of `node` with every reference replaced by what it points to."""
        return self._inline(node, where, ())

    def _inline(self, node: Any, where: str, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self._inline(item, where, stack) for item in node]
        if not isinstance(node, dict):
            return copy.deepcopy(node)
        if isinstance(node.get("$ref"), str):
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            target = self._target(node["$ref"], where, stack)
            # Keywords beside a $ref (a description, a default) refine the shared schema.
            return {**target, **self._inline(siblings, where, stack)} if isinstance(target, dict) else target
        result = {k: self._inline(v, where, stack) for k, v in node.items() if k != "x-apifox-refs"}
        if isinstance(node.get("x-apifox-refs"), dict):
            self._splice(result, node["x-apifox-refs"], where, stack)
        if isinstance(result.get("allOf"), list) and len(result["allOf"]) == 1 and isinstance(result["allOf"][0], dict):
            # `allOf: [{$ref: Enum}]` is how Cog wraps an enum so the field can add its default.
            only = result.pop("allOf")[0]
            result = {**only, **result}
        return result

    def _target(self, ref: str, where: str, stack: tuple[str, ...]) -> Any:
        if ref in stack:
            self.warnings.append(f"{where}: reference {ref} refers back to itself; left open")
            return {}
        target = self._lookup(ref)
        if target is None:
            self.warnings.append(f"{where}: reference {ref} points to nothing in the document; left open")
            return {}
        return self._inline(target, where, (*stack, ref))

    def _splice(self, result: dict[str, Any], refs: dict[str, Any], where: str, stack: tuple[str, ...]) -> None:
        """Apifox splices a shared model's properties into an object; `x-apifox-overrides` edits them
        (a property overridden with null is hidden)."""
        properties = result.setdefault("properties", {})
        orders: list[str] = list(result.get("x-apifox-orders") or ())
        required: list[str] = list(result.get("required") or ())
        for key, entry in refs.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("$ref"), str):
                continue
            target = self._target(entry["$ref"], where, stack)
            if not isinstance(target, dict):
                continue
            shared = dict(target.get("properties") or {})
            for name, override in (entry.get("x-apifox-overrides") or {}).items():
                if override is None:
                    shared.pop(name, None)
                else:
                    shared[name] = self._inline(override, where, stack)
            for name, schema in shared.items():
                properties.setdefault(name, schema)  # the object's own definition wins
            spliced = [n for n in target.get("x-apifox-orders") or shared if n in shared] + [
                n for n in shared if n not in (target.get("x-apifox-orders") or ())
            ]
            at = orders.index(key) if key in orders else len(orders)
            orders[at : at + 1 if key in orders else at] = [n for n in dict.fromkeys(spliced) if n not in orders]
            required += [n for n in target.get("required") or () if n in shared and n not in required]
        if orders:
            result["x-apifox-orders"] = orders
        if required:
            result["required"] = required
