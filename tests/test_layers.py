"""Each module of the package imports only its own layer and the layers below it, in the order the
README's code map gives. Imports made only for the type checker (`if TYPE_CHECKING:`) run nothing
and are free."""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import ROOT

# From the ground up; a layer is a folder or a few modules of the package's top.
LAYERS = (
    ("errors", "paths"),
    ("spec",),
    ("cache", "parallel"),
    ("importing",),
    ("validate",),
    ("catalog",),
    ("release",),
    ("render",),
    ("build",),
    ("server",),
    ("cli", "__main__"),
)
PACKAGE = ROOT / "generator"
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for path in PACKAGE.rglob("*.py")
)


def layer_of(module: str) -> int:
    """The index of the layer `module` (`generator.x.y`) belongs to."""
    top = module.split(".")[1]
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise LookupError(f"{module} is in no layer: add it to LAYERS and to the README's code map")


def imported(module: str) -> set[str]:
    """The package's modules `module` imports when it runs (at any depth of its code)."""
    path = PACKAGE.joinpath(*module.split(".")[1:])
    source = (path / "__init__.py") if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(source.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    package = module if source.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names}
    return {name for name in found if name.startswith("generator.")}


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        if module != "generator":
            layer_of(module)


@pytest.mark.parametrize("module", [m for m in MODULES if m != "generator"])
def test_a_module_imports_only_its_layer_and_those_below(module: str) -> None:
    above = sorted(name for name in imported(module) if layer_of(name) > layer_of(module))
    assert not above, f"{module} (layer {LAYERS[layer_of(module)]}) imports from layers above it: {above}"


def test_the_readme_code_map_lists_the_layers_in_this_order() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code_map = readme[readme.index("## The code") :].split("    templates/")[0]
    columns = re.findall(r"^      (\S+(?:, \S+)*)\s{2,}", code_map, re.M)  # `cache.py, parallel.py   text`
    listed = [name.removesuffix("/").removesuffix(".py") for column in columns for name in column.split(", ")]
    expected = [name for names in LAYERS for name in names if name != "__main__"]
    assert listed == expected
