"""The command line itself: what it loads before a command runs, its options, its installed script."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from generator import __version__
from generator.cli import main
from generator.importing import FORMATS
from tests.conftest import SPECS, cli

# What only some commands need; `--help`, `--version` and the other commands must not pay for it.
HEAVY = (
    "jinja2",
    "datamodel_code_generator",
    "openapi_spec_validator",
    "uvicorn",
    "starlette",
    "yaml",
    "generator.render",
    "generator.server.app",
    "generator.importing",
)


def test_loading_the_command_line_imports_nothing_heavy() -> None:
    code = f"import sys, generator.cli; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_installed_script_answers_its_version() -> None:
    script = Path(sys.executable).parent / "replicate-codegen"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout.strip()) == (0, f"replicate-codegen, version {__version__}")


def test_every_option_of_every_command_is_declared_once() -> None:
    for name, command in main.commands.items():
        flags = [flag for param in command.params for flag in (*param.opts, *param.secondary_opts)]
        assert len(flags) == len(set(flags)), (name, sorted(f for f in flags if flags.count(f) > 1))


def test_import_help_names_every_format_and_a_wrong_one_is_a_usage_error() -> None:
    help_text = re.sub(r"-\s+", "-", " ".join(cli("import", "--help").stdout.split()))  # click wraps at hyphens
    for name in FORMATS:
        assert name in help_text, name
    wrong = cli("import", "specs", "--format", "nope")
    assert wrong.returncode == 2
    assert "'nope' is not one of" in wrong.stderr


def test_the_server_loads_neither_the_renderers_nor_jinja() -> None:
    """`serve` starts fast and small: the layers above the catalog and the template engine stay unloaded."""
    forbidden = ("generator.render", "generator.importing", "generator.build", "jinja2")
    code = (
        f"import sys, generator.server; print(' '.join(sorted(m for m in sys.modules if m.startswith({forbidden!r}))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_build_on_an_empty_catalogue_says_what_is_empty_and_what_goes_there(tmp_path: Path) -> None:
    (tmp_path / "specs" / "apifox").mkdir(parents=True)
    result = cli("build", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: specs/apifox: holds no document: put Apifox pages (text or Markdown), OpenAPI or Apifox JSON "
        "exports, or Replicate model documents here"
    )


def test_build_prune_removes_the_specs_of_documents_that_are_gone(project: Path) -> None:
    pages = sorted((project / "specs" / "apifox").iterdir())
    gone = pages[0]
    spec = next(
        path for path in (project / "specs" / "models").rglob("*.yaml") if gone.name in path.read_text(encoding="utf-8")
    )
    gone.unlink()
    kept = cli("build", cwd=project)
    assert f"its source specs/apifox/{gone.name} is gone; --prune removes it" in kept.stdout and spec.exists()
    pruned = cli("build", "--prune", cwd=project)
    assert pruned.returncode == 0, pruned.stderr
    assert f"removed {spec.relative_to(project)}" in pruned.stdout and not spec.exists()


def test_serve_on_a_busy_port_is_one_line_and_exit_2() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port), "--specs", str(SPECS))
    assert result.returncode == 2
    reason = "cannot listen there: Address already in use (--port picks another)"
    assert result.stderr.strip().splitlines() == [f"error: 127.0.0.1:{port}: {reason}"]


def test_build_lists_only_what_it_wrote_unless_verbose(project: Path) -> None:
    first = cli("build", cwd=project)
    assert first.returncode == 0, first.stderr
    # without a terminal, each long step is one line once it is done
    assert re.search(r"^importing \d+ document\(s\): \d+\.\d s$", first.stderr, re.M), first.stderr
    assert re.search(r"^rendering client and docs: \d+\.\d s$", first.stderr, re.M), first.stderr
    again = cli("build", cwd=project)
    documents = len(list((project / "specs" / "apifox").iterdir()))
    assert "-> specs/models/" not in again.stdout  # no line per unchanged document
    assert f"({documents} unchanged, not listed: --verbose lists them)" in again.stdout
    verbose = cli("build", "--verbose", cwd=project)
    assert verbose.stdout.count("(unchanged;") == documents
