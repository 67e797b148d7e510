"""The client's files that are not one model's own."""

from __future__ import annotations

import pytest

from generator.render._env import render
from generator.render.formatting import format_python
from generator.render.python import formatted_as_rendered, package, shared_files

_LONG = "the specs in " + "a very long folder/" * 12 + "名前 'x' \"y\""


@pytest.mark.parametrize("specs", ["the specs in models", _LONG])
@pytest.mark.parametrize("version", ["0.1.0", "12.345.6789"])
def test_the_files_left_as_rendered_are_already_as_ruff_formats_them(specs: str, version: str) -> None:
    templates = {out: template for template, out in shared_files().items()}
    for path in formatted_as_rendered():
        text = render(f"python/{templates[path]}", specs=specs, version=version, package=package())
        assert format_python({path: text}) == {path: text}
