"""`diff`: one spec edit per row, the kind of change it is and whether it breaks a client user's code;
a bundle reads the same as the spec folder it was made from."""

# ruff: noqa: E501  (one row per line: the table reads as one)
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.release import diff
from tests.conftest import cli, model_spec

Spec = dict[str, Any]


def base(name: str = "painter") -> Spec:
    inputs = {
        "type": "object",
        "required": ["prompt"],
        "properties": {
            "prompt": {"type": "string", "description": "What to paint."},
            "num_outputs": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1},
            "seed": {"type": "integer"},
            "output_format": {"type": "string", "enum": ["png", "jpg", "webp"], "default": "png"},
            "guidance": {"type": ["number", "null"]},
            "image": {"type": "string"},
            "options": {
                "type": "object",
                "required": ["size"],
                "properties": {"size": {"type": "number"}, "mode": {"type": "string", "enum": ["a", "b"]}},
            },
            "tags": {"type": "array", "items": {"type": "number"}},
            "look": {"$ref": "#/components/schemas/Style"},
            "either": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "integer"}]},
        },
    }
    output = {"type": "array", "items": {"type": "string", "format": "uri"}}
    spec = model_spec("acme", name, inputs, output, description="Paints.")
    spec["components"]["schemas"]["Style"] = {"type": "string"}
    return spec


def _edit(change: Callable[[Spec], None]) -> Callable[[Spec], Spec]:
    def apply(spec: Spec) -> Spec:
        edited = copy.deepcopy(spec)
        change(edited)
        return edited

    return apply


def _props(spec: Spec) -> dict[str, Any]:
    return spec["components"]["schemas"]["Input"]["properties"]  # type: ignore[no-any-return]


def _rename(spec: Spec) -> None:
    _props(spec)["num_images"] = _props(spec).pop("num_outputs")


def _require(name: str, schema: dict[str, Any] | None = None) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        if schema is not None:
            _props(spec)[name] = schema
        spec["components"]["schemas"]["Input"]["required"].append(name)

    return change


def _to_const(spec: Spec) -> None:
    del _props(spec)["output_format"]["enum"]
    _props(spec)["output_format"]["const"] = "png"


def _nested_required(spec: Spec) -> None:
    _props(spec)["options"]["properties"]["extra"] = {"type": "string"}
    _props(spec)["options"]["required"].append("extra")


ROWS: list[tuple[str, Callable[[Spec], None], set[tuple[str | None, str, bool]]]] = [
    (
        "renamed input",
        _rename,
        {("num_outputs", "input-removed", True), ("num_images", "input-added", False)},
    ),
    ("dropped input", lambda s: _props(s).pop("seed"), {("seed", "input-removed", True)}),
    ("new required input", _require("megapixels", {"type": "integer"}), {("megapixels", "input-added", True)}),
    ("new optional input", lambda s: _props(s).update(style={"type": "string"}), {("style", "input-added", False)}),
    ("made required", _require("seed"), {("seed", "made-required", True)}),
    ("made optional", lambda s: s["components"]["schemas"]["Input"]["required"].clear(), {("prompt", "made-optional", False)}),
    ("enum value removed", lambda s: _props(s)["output_format"]["enum"].remove("webp"), {("output_format", "enum-values-removed", True)}),
    ("enum value added", lambda s: _props(s)["output_format"]["enum"].append("gif"), {("output_format", "enum-values-added", False)}),
    ("enum added", lambda s: _props(s)["image"].update(enum=["a"]), {("image", "enum-changed", True)}),
    ("default changed", lambda s: _props(s)["output_format"].update(default="jpg"), {("output_format", "default-changed", False)}),
    ("minimum raised", lambda s: _props(s)["num_outputs"].update(minimum=2), {("num_outputs", "minimum-changed", True)}),
    ("maximum raised", lambda s: _props(s)["num_outputs"].update(maximum=8), {("num_outputs", "maximum-changed", False)}),
    ("type narrowed", lambda s: _props(s)["seed"].update(type="boolean"), {("seed", "type-changed", True)}),
    ("type widened", lambda s: _props(s)["seed"].update(type="number"), {("seed", "type-changed", False)}),
    ("format added", lambda s: _props(s)["image"].update(format="uri"), {("image", "format-changed", True)}),
    ("null refused", lambda s: _props(s)["guidance"].update(type="number"), {("guidance", "nullability-changed", True)}),
    ("null allowed", lambda s: _props(s)["seed"].update(type=["integer", "null"]), {("seed", "nullability-changed", False)}),
    (
        "output type changed",
        lambda s: s["components"]["schemas"].update(Output={"type": "string"}),
        {(None, "output-changed", True)},
    ),
    ("enum narrowed to a const", _to_const, {("output_format", "enum-values-removed", True)}),
    ("nested property removed", lambda s: _props(s)["options"]["properties"].pop("mode"), {("options.mode", "input-removed", True)}),
    ("nested required property added", _nested_required, {("options.extra", "input-added", True)}),
    ("nested property made optional", lambda s: _props(s)["options"]["required"].clear(), {("options.size", "made-optional", False)}),
    ("nested type narrowed", lambda s: _props(s)["options"]["properties"]["size"].update(type="integer"), {("options.size", "type-changed", True)}),
    ("nested enum value removed", lambda s: _props(s)["options"]["properties"]["mode"]["enum"].pop(), {("options.mode", "enum-values-removed", True)}),
    ("array item type narrowed", lambda s: _props(s)["tags"]["items"].update(type="integer"), {("tags[]", "type-changed", True)}),
    ("array item type widened", lambda s: _props(s)["tags"].update(items={}), {("tags[]", "type-changed", False)}),
    ("referenced component's type changed", lambda s: s["components"]["schemas"]["Style"].update(type="integer"), {("look", "type-changed", True)}),
    ("alternative narrowed", lambda s: _props(s)["either"]["anyOf"][0].update(maxLength=3), {("either", "maxLength-changed", True)}),
    ("alternative added", lambda s: _props(s)["either"]["anyOf"].append({"type": "integer", "minimum": 100}), {("either", "anyOf-changed", False)}),
    ("extra properties refused", lambda s: _props(s)["options"].update(additionalProperties=False), {("options", "additional-properties-changed", True)}),
    ("pattern added", lambda s: _props(s)["prompt"].update(pattern="^[a-z]+$"), {("prompt", "pattern-changed", True)}),
    ("alternative widened", lambda s: _props(s)["either"]["anyOf"][0].update(maxLength=9), {("either", "maxLength-changed", False)}),
    ("alternative split", lambda s: _props(s)["either"].update(anyOf=[{"type": "string", "maxLength": 5}, {"type": "integer", "minimum": 0}, {"type": "integer", "maximum": -5}]), {("either", "anyOf-changed", True)}),
    ("description only", lambda s: _props(s)["prompt"].update(description="What to paint, in words."), {("prompt", "description-changed", False)}),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "expected"), [(row[1], row[2]) for row in ROWS], ids=[row[0] for row in ROWS])
def test_each_edit_is_one_kind_of_change(
    edit: Callable[[Spec], None], expected: set[tuple[str | None, str, bool]], tmp_path: Path
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, spec in ((old, base()), (new, _edit(edit)(base()))):
        folder.mkdir()
        (folder / "painter.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = cli("diff", str(old), str(new), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {(c["field"], c["kind"], c["breaking"]) for c in report["changes"]} == expected
    assert report["breaking"] == sum(b for _, _, b in expected)
    assert all(c["model"] == "acme/painter" and c["message"] for c in report["changes"])
    failing = cli("diff", str(old), str(new), "--fail-on-breaking")
    assert failing.returncode == (1 if report["breaking"] else 0)


def test_a_rename_is_reported_as_removed_maybe_renamed_and_breaking_changes_come_first(tmp_path: Path) -> None:
    old, new = {"acme/painter": _view(base())}, {"acme/painter": _view(_edit(_rename)(base()))}
    changes = diff.compare(old, new)
    assert [c.breaking for c in changes] == sorted((c.breaking for c in changes), reverse=True)
    assert "maybe renamed to num_images" in changes[0].message


def test_models_added_and_removed() -> None:
    changes = diff.compare({"acme/a": _view(base("a"))}, {"acme/b": _view(base("b"))})
    assert [(c.model, c.kind, c.breaking) for c in changes] == [
        ("acme/a", "model-removed", True),
        ("acme/b", "model-added", False),
    ]


def pinned(spec: Spec, version: str) -> Spec:
    """The spec of a model pinned to one version: created through `POST /v1/predictions`."""
    spec = copy.deepcopy(spec)
    spec["info"]["x-model"]["version"] = version
    spec["paths"] = {"/v1/predictions": next(iter(spec["paths"].values()))}
    return spec


def test_a_bundle_reads_the_same_as_its_spec_folder(tmp_path: Path) -> None:
    old_specs, new_specs = tmp_path / "old", tmp_path / "new"
    sketch = pinned(base("sketcher"), "a" * 64)
    for folder, spec in ((old_specs, base()), (new_specs, _edit(_rename)(base()))):
        folder.mkdir()
        (folder / "painter.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
        (folder / "sketcher.yaml").write_text(yaml.safe_dump(sketch), encoding="utf-8")
        assert (
            cli(
                "generate",
                "--specs",
                str(folder),
                "--shared",
                str(tmp_path / "none"),
                "--out",
                str(folder.with_suffix(".out")),
            ).returncode
            == 0
        )
    by_folder = cli("diff", str(old_specs), str(new_specs), "--json").stdout
    by_bundle = cli(
        "diff",
        str(old_specs.with_suffix(".out") / "openapi.yaml"),
        str(new_specs.with_suffix(".out") / "openapi.yaml"),
        "--json",
    ).stdout
    mixed = cli("diff", str(old_specs.with_suffix(".out") / "openapi.yaml"), str(new_specs), "--json").stdout
    assert json.loads(by_folder) == json.loads(by_bundle) == json.loads(mixed)
    assert {c["model"] for c in json.loads(by_folder)["changes"]} == {"acme/painter"}  # the pinned one reads the same
    assert json.loads(by_folder)["breaking"] == 1


def test_unreadable_input_is_exit_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("openapi: [", encoding="utf-8")
    missing = cli("diff", str(tmp_path / "nope"), str(tmp_path))
    assert missing.returncode == 2 and "nope" in missing.stderr
    broken = cli("diff", str(tmp_path / "bad.yaml"), str(tmp_path))
    assert broken.returncode == 2 and "bad.yaml" in broken.stderr


def _view(spec: Spec) -> diff.ModelView:
    return diff.view_of_spec(spec, "spec.yaml")
