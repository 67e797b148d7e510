"""Names made safe in one place: the rules, and a test tying `generator.spec.naming`'s reserved sets to
what the templates actually emit (if a template binds or reads a new name, this fails until
`naming` knows it)."""

from __future__ import annotations

import ast
import builtins
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.build.generate import generated_tree
from generator.catalog import load_catalog
from generator.spec import naming
from generator.spec.naming import field_identifiers, model_names, pascal, snake
from tests.conftest import model_spec


def test_field_names_are_made_safe_and_unique() -> None:
    names = field_identifiers(["class", "1st", "宽高比", "aspectRatio", "aspect_ratio", "wait", "model_config", "seed"])
    assert names == {
        "class": "class_",
        "1st": "field_1st",
        "宽高比": "field",
        "aspectRatio": "aspect_ratio_2",  # `aspect_ratio` is already a safe name, so it keeps it
        "aspect_ratio": "aspect_ratio",
        "wait": "wait_",  # would clash with create()'s own parameter
        "model_config": "model_config_",  # pydantic's namespace
        "seed": "seed",
    }


@pytest.mark.parametrize(
    "wire",
    ["options", "build_body", "output_of", "cast", "body", "prediction", "ended", "self", "str", "list", "match"],
)
def test_a_field_never_shadows_a_name_the_generated_code_uses(wire: str) -> None:
    made = field_identifiers([wire])[wire]
    assert made not in naming.FIELD_RESERVED
    assert made != wire


def test_names_python_would_fold_get_an_ascii_name_of_their_own() -> None:
    # Python folds identifiers by NFKC: `ﬁle` *is* `file`; both must survive, each under its alias.
    names = field_identifiers(["file", "ﬁle", "ｆｕｌｌ"])
    assert names == {"file": "file", "ﬁle": "file_2", "ｆｕｌｌ": "full"}


def test_accents_are_dropped_not_the_letters() -> None:
    assert snake("café-crème") == "cafe_creme"
    assert pascal("imagen-4-ultra") == "Imagen4Ultra"
    assert pascal("4k-upscaler") == "Model4kUpscaler"


def test_a_name_two_owners_share_is_owner_prefixed_for_both() -> None:
    names = model_names([("stability-ai", "sdxl"), ("lucataco", "sdxl"), ("google", "imagen-4-ultra")])
    assert {k: v.accessor for k, v in names.items()} == {
        ("google", "imagen-4-ultra"): "imagen_4_ultra",
        ("lucataco", "sdxl"): "lucataco_sdxl",
        ("stability-ai", "sdxl"): "stability_ai_sdxl",
    }


@pytest.mark.parametrize("name", ["predictions", "timeout", "max-retries", "close", "base-url", "cached-property"])
def test_a_model_named_like_a_client_attribute_is_owner_prefixed(name: str) -> None:
    accessor = model_names([("acme", name)])[("acme", name)].accessor
    assert accessor == snake(f"acme_{name}")


def test_class_names_are_unique_and_never_a_keyword_or_an_imported_name() -> None:
    models = [("acme", n) for n in ("none", "true", "prediction", "foo-bar2", "foo-bar-2", "foo", "async-foo", "types")]
    names = {model: made.class_name for model, made in model_names(models).items()}
    assert names[("acme", "none")] == "NoneModel"
    assert names[("acme", "true")] == "TrueModel"
    assert names[("acme", "prediction")] == "PredictionModel"
    every = [c for n in names.values() for c in (n, f"Async{n}", f"{n}Input")]
    assert len(every) == len(set(every)), names
    assert {names[("acme", "foo-bar2")], names[("acme", "foo-bar-2")]} == {"FooBar2", "FooBar22"}


def test_made_names_do_not_depend_on_the_order_they_come_in() -> None:
    models = [("acme", "foo-bar"), ("acme", "foo_bar"), ("b", "x")]
    assert model_names(models) == model_names(list(reversed(models)))


def _bound(tree: ast.Module) -> set[str]:
    """Names a module binds at its top level (imports, assignments, defs), TYPE_CHECKING blocks included."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


def _loaded_builtins(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in dir(builtins)}


@pytest.mark.slow
def test_the_reserved_names_are_the_names_the_templates_emit(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    properties = {
        "prompt": {"type": "string"},
        "ratio": {"type": "string", "enum": ["1:1", "16:9"], "default": "1:1"},
        "nested": {"type": "object", "properties": {"depth": {"type": "integer"}}},
    }
    files = {"type": "array", "items": {"type": "string", "format": "uri"}}
    for owner, name, output in (("acme", "pics", files), ("acme", "words", {"type": "string"})):
        (specs / f"{name}.yaml").write_text(
            yaml.safe_dump(
                model_spec(owner, name, {"type": "object", "required": ["prompt"], "properties": properties}, output)
            ),
            encoding="utf-8",
        )
    catalog = load_catalog(specs)
    tree = generated_tree(specs)
    modules = {path: ast.parse(text) for path, text in tree.items() if path.endswith(".py")}
    package = "python/replicate_models"
    for model in catalog.models:
        identifiers = {f.identifier for f in model.fields}
        resource = modules[f"{package}/resources/{model.accessor}.py"]
        ours = {model.class_name, f"Async{model.class_name}", model.input_class, "__all__"}
        assert _bound(resource) - ours <= naming.RESOURCE_GLOBALS
        calls = (n for n in ast.walk(resource) if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef))
        for function in (f for f in calls if f.name in ("create", "run")):
            arguments = {a.arg for a in function.args.args + function.args.kwonlyargs}
            assert arguments - identifiers <= naming.CALL_PARAMETERS, function.name
            stored = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            assert stored <= naming.CALL_LOCALS, function.name
        inputs = modules[f"{package}/types/{model.accessor}.py"]
        classes = {n.name for n in inputs.body if isinstance(n, ast.ClassDef)}
        assert _bound(inputs) - classes <= naming.INPUT_MODULE_GLOBALS
        assert all(c == model.input_class or c.startswith(model.input_class) for c in classes), classes
        assert _loaded_builtins(resource) | _loaded_builtins(inputs) <= naming.BUILTINS_READ | {"None", "True", "False"}
    client_module = modules[f"{package}/_client.py"]
    model_classes = {c for m in catalog.models for c in (m.class_name, f"Async{m.class_name}")}
    assert _bound(client_module) - model_classes - {"__all__"} <= naming.CLIENT_GLOBALS

    out = tmp_path / "out"
    for path, data in tree.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    attributes = subprocess.run(
        [sys.executable, "-c", "import json, replicate_models as r; print(json.dumps(dir(r.Client(api_token='t'))))"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(out / "python")},
        check=True,
    )
    public = {a for a in json.loads(attributes.stdout) if not a.startswith("_")}
    assert public - {m.accessor for m in catalog.models} == naming.CLIENT_ATTRIBUTES


def test_the_base_model_attributes_written_out_are_those_of_the_pinned_pydantic() -> None:
    """A field may not be named like one of them; a pydantic upgrade that adds one must add it here."""
    from pydantic import BaseModel

    assert {name for name in dir(BaseModel) if not name.startswith("__")} == naming.BASE_MODEL_ATTRIBUTES
