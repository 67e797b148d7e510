"""Specs are written as PyYAML's own safe dumper (on libyaml's emitter) writes them (block style,
insertion order, unicode kept, multi-line text as `|` blocks), only faster: the same text for every
kind of JSON value."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from generator.spec import specfile
from tests.conftest import FIXTURES


class _Reference(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]  # the same emitter
    def ignore_aliases(self, data: Any) -> bool:
        return True


_Reference.add_representer(
    str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None)
)

AWKWARD = {
    "numbers": [0, -3, 10**40, 1.5, 1e20, -0.0, float("inf")],
    "look like other types": ["1:1", "true", "null", "~", "0x1F", "2024-01-01", "1e3", "", " lead", "trail "],
    "look like syntax": ["- x", "# c", "a: b", "{x}", "[1]", "&a", "*a", "!tag", "%x", "@x", "`x`", "'q'", '"q"'],
    "lines": ["x\ny", "trailing\n", "\n", "tab\there", "\u00e9\u4e2d\u6587", "x" * 300, "long " * 80],
    "nested": [[1, {"x": [], "y": {}}], {"": None, "true": False}],
}


@pytest.mark.parametrize(
    "document",
    [AWKWARD, *(yaml.safe_load(p.read_text("utf-8")) for p in sorted((FIXTURES / "formats").glob("*.yaml")))],
)
def test_specs_are_written_as_pyyaml_writes_them(document: Any) -> None:
    expected = yaml.dump(document, Dumper=_Reference, sort_keys=False, allow_unicode=True, width=100)
    # but for the document end (`...`) PyYAML writes after a text that ends in blank lines (`"\n"`
    # above): joined with more text, as in the bundle, that line would end the whole document
    if expected.endswith("\n...\n"):
        expected = expected[: -len("...\n")]
    written = specfile.dump(document)
    assert written == expected
    assert yaml.safe_load(written + "after: 1\n") == {**document, "after": 1}
