"""The `replicate-codegen` command line.

Exit codes: 0 ok, 1 validation or check failed, 2 unreadable input or bad usage.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from click.decorators import FC
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from generator import __version__, filetree
from generator.errors import CodegenError, InputError, StaleOutput, ValidationFailed
from generator.generate import build_tree, load_catalog
from generator.importer import ImportResult, duplicate_warnings, expand, import_one
from generator.importing import FORMATS, display_path

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

SPECS_DIR = Path("specs/models")
SOURCES_DIR = Path("specs/apifox")
GENERATED_DIR = Path("generated")


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True)


def _run(step: Callable[[], int]) -> None:
    """Turn our errors into one line each and an exit code; never a traceback for bad input."""
    try:
        code = step()
    except ValidationFailed as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False)
        err.print(f"validation failed: {len(exc.problems)} problem(s)", markup=False)
        code = exc.exit_code
    except CodegenError as exc:
        err.print(f"error: {exc}", markup=False)
        code = exc.exit_code
    except Exception as exc:
        if os.environ.get("REPLICATE_CODEGEN_DEBUG"):
            raise
        err.print(f"internal error: {type(exc).__name__}: {exc}", markup=False)
        err.print("This is a bug in replicate-codegen; rerun with REPLICATE_CODEGEN_DEBUG=1 for details.")
        code = 1
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="replicate-codegen")
def main() -> None:
    """Apifox documents -> OpenAPI 3.1 specs -> typed Python client and API docs."""


def _import(sources: tuple[Path, ...], specs: Path, fmt: str | None, report: Path | None) -> int:
    results: list[ImportResult] = []
    files = list(expand(list(sources)))
    with _progress() as progress:
        task = progress.add_task("importing", total=len(files))
        for path in files:
            progress.update(task, description=f"importing {display_path(path)}")
            results.append(import_one(path, specs, fmt))
            progress.advance(task)
    duplicate_warnings(results)
    for r in results:
        if r.error:
            err.print(f"error: {r.error}", markup=False)
            continue
        state = "written" if r.changed else "unchanged"
        out.print(
            f"{r.source}: {r.model} -> {r.spec} ({state}; {r.fields} fields, {r.inferred} inferred "
            f"from prose, {len(r.warnings)} warning(s))",
            markup=False,
        )
        for warning in r.warnings:
            out.print(f"  warning: {warning}", markup=False)
    failed = sum(1 for r in results if r.error)
    out.print(f"imported {len(results) - failed} of {len(results)} document(s), {failed} failed", markup=False)
    if report is not None:
        report.write_text(json.dumps([vars(r) for r in results], ensure_ascii=False, indent=2) + "\n")
    return 2 if failed or not results else 0


def _validate(specs: Path, paths: tuple[Path, ...]) -> int:
    catalog = load_catalog(specs, list(paths))
    out.print(f"{len(catalog.models)} spec(s) valid", markup=False)
    return 0


def _generate(specs: Path, output: Path, check: bool) -> int:
    with _progress() as progress:
        progress.add_task("rendering client and docs")
        tree = build_tree(specs)
    changes = filetree.diff(output, tree)
    if check:
        if changes:
            for line in changes.lines():
                err.print(f"stale: {line}", markup=False)
            raise StaleOutput(changes.added + changes.changed + changes.removed)
        out.print(f"{display_path(output)} is up to date ({len(tree)} files)", markup=False)
        return 0
    if changes:
        filetree.replace(output, tree)
        for line in changes.lines():
            out.print(line, markup=False)
    out.print(
        f"{display_path(output)}: {len(tree)} files, {len(changes.added)} added, "
        f"{len(changes.changed)} changed, {len(changes.removed)} removed",
        markup=False,
    )
    return 0


def _folder_option(flag: str, dest: str, default: Path, help: str) -> Callable[[FC], FC]:
    return click.option(
        flag, dest, type=click.Path(path_type=Path, file_okay=False), default=default, show_default=True, help=help
    )


_specs_option = _folder_option("--specs", "specs", SPECS_DIR, "Folder of normalized specs.")
_output_option = _folder_option("--out", "output", GENERATED_DIR, "Folder that receives python/ and docs/.")


@main.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_folder_option("--out", "specs", SPECS_DIR, "Where the normalized specs go.")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), help="Force a format instead of detecting.")
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False), help="Also write the results as JSON.")
def import_command(sources: tuple[Path, ...], specs: Path, fmt: str | None, report: Path | None) -> None:
    """Apifox documents (files or folders) -> normalized specs, one per model."""
    _run(lambda: _import(sources, specs, fmt, report))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_specs_option
def validate(paths: tuple[Path, ...], specs: Path) -> None:
    """Check specs (all of --specs when none given); every problem with its file and JSON pointer."""
    _run(lambda: _validate(specs, paths))


@main.command()
@_specs_option
@_output_option
@click.option("--check", is_flag=True, help="Change nothing; exit 1 listing the files that are stale.")
def generate(specs: Path, output: Path, check: bool) -> None:
    """Specs -> typed Python client and API reference, written atomically."""
    _run(lambda: _generate(specs, output, check))


@main.command()
@_folder_option("--sources", "sources", SOURCES_DIR, "Folder of Apifox documents.")
@_specs_option
@_output_option
def build(sources: Path, specs: Path, output: Path) -> None:
    """import + validate + generate: what `make build` runs."""

    def step() -> int:
        if not sources.is_dir():
            raise InputError(display_path(sources), "no such folder of Apifox documents")
        code = _import((sources,), specs, None, None)
        if code:
            return code
        _validate(specs, ())
        return _generate(specs, output, check=False)

    _run(step)
