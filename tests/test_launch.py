"""The entry point: a command that renders gets a standby started before anything else is loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator import cli, launch
from generator.standby import Standby
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

    def command_line(args: list[str], obj: Any) -> None:
        given.append(obj)
        raise SystemExit(3)  # as click's standalone main ends

    monkeypatch.setattr(Standby, "start", start)
    monkeypatch.setattr(cli, "main", command_line)
    assert launch.run(args) == 3
    assert given == (started if renders else [None])
    assert all(standby.closed for standby in started)


def test_generate_renders_with_the_standby_it_is_given_which_also_prepares_and_clears_the_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    out = tmp_path / "out"
    args = ["generate", "--specs", str(specs), "--shared", str(tmp_path / "none"), "--out", str(out)]

    def second(ready: Any) -> None:
        raise AssertionError("a second standby was started")

    monkeypatch.setattr(Standby, "start", second)
    answered = []
    for prompt in ("prompt", "caption"):
        spec = model_spec("acme", "painter", {"type": "object", "properties": {prompt: {"type": "string"}}})
        (specs / "painter.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
        standby = Standby(launch.ready_to_render)
        try:
            result = CliRunner().invoke(cli.main, args, obj=standby)
            assert result.exit_code == 0, result.output
            answered.append(standby.answered)
        finally:
            standby.close()
    # first the model's types and highlighted code alone; then also the old tree's files linked beside
    # the new one, and the old tree removed
    assert answered == [2, 4]
    assert "caption: str | None" in (out / "python" / "replicate_models" / "types" / "painter.py").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "specs"]


def test_the_standby_makes_types_and_highlights_code_with_none_of_the_renderer_loaded(tmp_path: Path) -> None:
    # in a fresh interpreter: a standby forked from this one would inherit what the tests loaded
    done = _script(
        tmp_path,
        "import sys\n"
        "from generator import highlight, launch\n"
        "from generator.standby import Standby\n"
        "def loaded():\n"
        "    names = ('datamodel_code_generator', 'pygments', 'generator.render', 'jinja2', 'markdown_it', 'yaml')\n"
        "    return [name for name in names if name in sys.modules]\n"
        "standby = Standby(launch.ready_to_render)\n"
        "try:\n"
        "    print(standby.run(loaded))\n"
        "    print(standby.run(highlight.spans_each, [('x = 1', 'python')]))\n"
        "    print(standby.run(loaded))\n"
        "finally:\n"
        "    standby.close()\n",
    )
    assert done.returncode == 0, done.stderr
    ready, made, after = done.stdout.splitlines()
    assert ready == "['datamodel_code_generator']"
    assert made.startswith('[\'<span class="n">x</span>')
    assert after == "['datamodel_code_generator', 'pygments']"


def _script(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    """`code` run in a fresh interpreter, as the console script runs `launch.main`."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False
    )


@pytest.mark.parametrize(
    ("args", "status", "out", "err"),
    [
        (["--version"], 0, "replicate-codegen, version", ""),
        (["generate", "--specs", "nowhere", "--out", "out"], 2, "", "nowhere"),
        (["no-such-command"], 2, "", "No such command"),
    ],
)
def test_the_script_ends_with_the_commands_status_its_output_flushed_and_exit_functions_run(
    tmp_path: Path, args: list[str], status: int, out: str, err: str
) -> None:
    done = _script(
        tmp_path,
        "import atexit, sys\n"
        "from generator import launch\n"
        "atexit.register(lambda: print('exit functions ran'))\n"
        f"sys.argv = ['replicate-codegen', *{args!r}]\n"
        "launch.main()\n",
    )
    assert done.returncode == status, done.stderr
    assert out in done.stdout and done.stdout.rstrip().endswith("exit functions ran")
    assert err in done.stderr


def test_the_script_ends_as_sys_exit_would_with_a_message_or_a_thread_still_running(tmp_path: Path) -> None:
    message = _script(tmp_path, "from generator import launch\nlaunch._exit('could not go on')\n")
    assert (message.returncode, message.stderr) == (1, "could not go on\n")
    waited = _script(
        tmp_path,
        "import threading, time\n"
        "from generator import launch\n"
        "threading.Thread(target=lambda: (time.sleep(0.2), print('thread finished'))).start()\n"
        "launch._exit(4)\n",
    )
    assert (waited.returncode, waited.stdout) == (4, "thread finished\n")
