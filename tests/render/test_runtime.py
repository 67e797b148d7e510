"""The client's fixed runtime (`templates/python/runtime/`) is plain Python, its sync and async
halves written out side by side: they must offer the same calls, with the same parameters."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

RUNTIME = ROOT / "templates" / "python" / "runtime"


def _methods(file: str, class_name: str) -> dict[str, tuple[bool, list[str]]]:
    """Each method of the class: (is async, its parameters in order)."""
    tree = ast.parse((RUNTIME / file).read_text(encoding="utf-8"))
    [found] = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == class_name]
    methods = {}
    for node in found.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
            methods[node.name] = (isinstance(node, ast.AsyncFunctionDef), names)
    return methods


@pytest.mark.parametrize(
    ("file", "sync", "asynchronous"),
    [("_base_client.py", "SyncAPIClient", "AsyncAPIClient"), ("_predictions.py", "Predictions", "AsyncPredictions")],
)
def test_the_sync_and_async_halves_offer_the_same_calls(file: str, sync: str, asynchronous: str) -> None:
    plain, awaited = _methods(file, sync), _methods(file, asynchronous)
    renamed = {"__enter__": "__aenter__", "__exit__": "__aexit__"}
    assert {renamed.get(name, name) for name in plain} == set(awaited)
    for name, (is_async, parameters) in plain.items():
        other_async, other_parameters = awaited[renamed.get(name, name)]
        assert not is_async, f"{sync}.{name} is async"
        assert other_parameters == parameters, name
        assert other_async == (name != "__init__"), f"{asynchronous}.{name}: async where the other is not"


def test_the_runtime_names_no_package() -> None:
    """The runtime is the same for every client package name (`[client] package`): it names its
    package through `__package__`, never as text."""
    for path in RUNTIME.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "replicate_models" not in text, path.name
