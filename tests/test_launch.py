"""The entry point: a command that renders gets a standby started before anything else is loaded."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator import cli, launch, parallel
from tests.conftest import model_spec


class _Started:
    """Stands in for a standby process: records being let go."""

    closed = False

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("args", "renders"),
    [
        (["generate", "--out", "x"], True),
        (["build"], True),
        (["generate", "--help"], False),
        (["import", "docs"], False),
        (["--version"], False),
        ([], False),
    ],
)
def test_only_a_rendering_command_starts_a_standby_and_it_is_let_go(
    monkeypatch: pytest.MonkeyPatch, args: list[str], renders: bool
) -> None:
    started: list[_Started] = []
    given: list[Any] = []

    def start(ready: Any) -> _Started:
        started.append(_Started())
        return started[-1]

    def command_line(obj: Any) -> None:
        given.append(obj)
        raise SystemExit(0)  # as click's standalone main ends

    monkeypatch.setattr(parallel.Standby, "start", start)
    monkeypatch.setattr(cli, "main", command_line)
    monkeypatch.setattr(sys, "argv", ["replicate-codegen", *args])
    with pytest.raises(SystemExit):
        launch.main()
    assert given == (started if renders else [None])
    assert all(standby.closed for standby in started)


def test_generate_renders_with_the_standby_it_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    spec = model_spec("acme", "painter", {"type": "object", "properties": {"prompt": {"type": "string"}}})
    (specs / "painter.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")

    def second(ready: Any) -> None:
        raise AssertionError("a second standby was started")

    standby = parallel.Standby(launch.ready_to_render)
    try:
        monkeypatch.setattr(parallel.Standby, "start", second)
        args = ["generate", "--specs", str(specs), "--shared", str(tmp_path / "none"), "--out", str(tmp_path / "out")]
        result = CliRunner().invoke(cli.main, args, obj=standby)
        assert result.exit_code == 0, result.output
        assert standby._pid == 0  # it answered: the model was rendered there
    finally:
        standby.close()
    assert (tmp_path / "out" / "python" / "replicate_models" / "types" / "painter.py").is_file()
