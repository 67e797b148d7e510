"""The `replicate-codegen` command line.

Exit codes: 0 ok, 1 validation or check failed, 2 unreadable input or bad usage.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click
from click.decorators import FC
from rich.console import Console

from generator import __version__, paths
from generator.errors import CodegenError, InputError, InputErrors, StaleOutput, ValidationFailed
from generator.spec import vocabulary

if TYPE_CHECKING:
    import socket

    from generator.build import BuildSession as Session
    from generator.catalog import Catalog
    from generator.importing.importer import ImportResult, Layout
    from generator.release import Release
    from generator.release.diff import Change
    from generator.server.faults import Fault

# Each command imports what it uses when it runs: `--help` and `--version` stay instant, and `serve`
# never loads the renderer.

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def _step(description: str) -> Iterator[None]:
    """A long step: on a terminal (stderr), a bar with its counts (`312/1000 models rendered`) as
    the work is shared out, and its time; else one line once it is done."""
    if not err.is_terminal:
        started = time.perf_counter()
        yield
        err.print(f"{description}: {time.perf_counter() - started:.1f} s", markup=False)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from generator import parallel

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    columns.append(TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(description, total=None)

        def report(what: str, done: int, total: int) -> None:
            progress.update(task, description=f"{description}: {what}", completed=done, total=total)

        with parallel.reporting(report):
            yield


def _run(step: Callable[[], int]) -> None:
    """Turn our errors into one line each and an exit code; never a traceback for bad input."""
    try:
        code = step()
    except ValidationFailed as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False)
        err.print(f"validation failed: {len(exc.problems)} problem(s)", markup=False)
        code = exc.exit_code
    except InputErrors as exc:
        err.print(str(exc), markup=False)
        code = exc.exit_code
    except CodegenError as exc:
        err.print(f"error: {exc}", markup=False)
        code = exc.exit_code
    except OSError as exc:  # the machine's answer (disk full, permission denied...), not a bug
        if os.environ.get("REPLICATE_CODEGEN_DEBUG"):
            raise
        place = os.fsdecode(exc.filename) if exc.filename is not None else "replicate-codegen"
        err.print(f"error: {place}: {exc.strerror or exc}", markup=False)
        code = 2
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


_COLLECT_EVERY = 100_000  # new objects between the cycle collector's runs (Python's default: 700)


def entry() -> None:
    """`replicate-codegen`, in a process of its own. A run holds hundreds of thousands of objects
    that live as long as it does (the catalogue's entries, the snapshot, the stamp), and Python's
    cycle collector, run every 700 new objects, rescanned them again and again as they grew; every
    100,000 it still collects what a run leaves in cycles, a few times a run (bench/README.md)."""
    gc.set_threshold(_COLLECT_EVERY)
    main()


def _import(
    sources: tuple[Path, ...],
    layout: Layout,
    fmt: str | None,
    report: Path | None,
    prune: bool = False,
    every: bool = True,
) -> int:
    """`every`: a line for each endpoint; else (as `build` has it) one for each skipped or failed,
    each written anew with warnings, and the other written ones when they are few; the rest counted."""
    from collections import Counter

    from generator.importing.importer import expand, import_files, orphans
    from generator.spec import specfile

    paths.check_writable(layout.models, "--out", folder=True)
    paths.check_writable(layout.shared, "--shared", folder=True)
    if report is not None:
        paths.check_writable(report, "--report", folder=False)
    files = list(expand(list(sources)))
    if not files:
        where = ", ".join(paths.display_path(source) for source in sources)
        raise InputError(
            where,
            "holds no document: put Apifox pages (text or Markdown), OpenAPI or Apifox JSON exports, or "
            "Replicate model documents here",
        )
    with _step(f"importing {len(files)} document(s)"):
        results = import_files(files, layout, fmt)
    # told each time: a failure, a skip; told when written: warnings (an unchanged document's were told then)
    plain = [r for r in results if not every and not (r.error or r.skipped or (r.warnings and r.changed))]
    written = [r for r in plain if r.changed]
    quiet = {id(r) for r in plain if not r.changed or len(written) > _LISTED_FILES}
    for r in results:
        if id(r) not in quiet:
            _print_result(r)
    counts = Counter("failed" if r.error else "skipped" if r.skipped else r.kind or "" for r in results)
    models = counts[vocabulary.MODEL] + counts[vocabulary.MODEL_VERSION]
    shared = sum(counts[k] for k in vocabulary.SHARED_KINDS)
    warnings = sum(len(r.warnings) for r in results)
    summary = (
        f"{len(files)} document(s), {len(results)} endpoint(s): {models} model spec(s), {shared} shared operation(s), "
        f"{counts['skipped']} skipped, {counts['failed']} failed; {warnings} warning(s)"
    )
    if quiet:
        unchanged = sum(1 for r in plain if not r.changed)
        shown = [f"{n} {what}" for n, what in ((len(quiet) - unchanged, "written"), (unchanged, "unchanged")) if n]
        summary += f" ({', '.join(shown)}, not listed: --verbose lists them)"
    out.print(summary, markup=False)
    gone = orphans((layout.models, layout.shared))
    for spec, source in gone:
        if prune:
            spec.unlink()
            out.print(f"removed {paths.display_path(spec)}: its source {source} is gone", markup=False)
        else:
            out.print(
                f"warning: {paths.display_path(spec)}: its source {source} is gone; --prune removes it", markup=False
            )
    if report is not None:
        rows = [{**vars(r), "place": r.place} for r in results]
        orphaned = [{"spec": paths.display_path(spec), "source": source, "removed": prune} for spec, source in gone]
        text = json.dumps(
            {"summary": summary, "counts": dict(sorted(counts.items())), "results": rows, "orphans": orphaned},
            ensure_ascii=False,
            indent=2,
        )
        specfile.write_atomic(report, text + "\n")
    return 2 if counts["failed"] or not results else 0


def _print_result(r: ImportResult) -> None:

    if r.error:
        err.print(f"error: {r.error}", markup=False)
        return
    if r.skipped:
        out.print(f"{r.place}: skipped: {r.skipped}", markup=False)
        return
    state = "written" if r.changed else "unchanged"
    details = [state]
    if r.kind in (vocabulary.MODEL, vocabulary.MODEL_VERSION):
        inferred = f": {', '.join(r.inferred)}" if r.inferred else ""
        details.append(f"{r.fields} fields, {len(r.inferred)} inferred{inferred}")
    if r.overridden:
        details.append(f"overrides: {', '.join(r.overridden)}")
    details.append(f"{len(r.warnings)} warning(s)")
    out.print(f"{r.place}: {r.model} ({r.kind}) -> {r.spec} ({'; '.join(details)})", markup=False)
    for warning in r.warnings:
        out.print(f"  warning: {warning}", markup=False)


def _validate(specs: Path, files: tuple[Path, ...], shared: Path) -> Catalog:
    from generator.catalog import load_catalog

    catalog = load_catalog(specs, list(files), None if files else shared)
    out.print(f"{len(catalog.models)} model spec(s) and {len(catalog.shared)} shared spec(s) valid", markup=False)
    return catalog


def _session(specs: Path, shared: Path, output: Path, protected: Sequence[Path] = (), writing: bool = True) -> Session:
    from generator.build import BuildSession
    from generator.cache import cache_root
    from generator.spec import settings

    # the project's settings, from the current folder: in force for the whole run (and its workers)
    settings.activate(settings.load(Path.cwd()))

    paths.check_writable(output, "--out", folder=True)
    return BuildSession(specs, shared, output, (*protected, cache_root()), writing=writing)


def _hold(session: Session, wait: bool) -> contextlib.AbstractContextManager[Session]:
    return session.hold(wait=wait, waiting=lambda message: err.print(message, markup=False))


# Files a run changed are listed when they are this few, else counted (`--verbose` lists them all).
_LISTED_FILES = 20


def _generate(session: Session, verbose: bool = False) -> int:
    """The generate step in a held session: nothing when the output is proved up to date."""
    shown = paths.display_path(session.output)
    files = session.up_to_date()
    if files is not None:
        out.print(f"{shown} is up to date ({files} files; no spec changed)", markup=False)
        return 0
    with _step("rendering client and docs"):
        outcome = session.generate()
    changes = outcome.changes
    lines = changes.lines()
    if lines and (verbose or len(lines) <= _LISTED_FILES):
        out.print("\n".join(lines), markup=False)  # one print for the whole list (bench/README.md: measured costs)
    models = _models_of(changes)
    if any(models.values()):
        told = ", ".join(f"{len(ids)} {what}" for what, ids in models.items())
        named = [f"{what} {', '.join(ids)}" for what, ids in models.items() if ids and len(ids) <= 5]
        out.print(f"models: {told}" + (f" ({'; '.join(named)})" if named else ""), markup=False)
    hidden = "" if verbose or len(lines) <= _LISTED_FILES else " (--verbose lists them)"
    out.print(
        f"{shown}: {outcome.files} files, {len(changes.added)} added, "
        f"{len(changes.changed)} changed, {len(changes.removed)} removed{hidden}",
        markup=False,
    )
    _print_release(outcome.release)
    return 0


def _models_of(changes: Any) -> dict[str, list[str]]:
    """The models whose page was added, changed or removed: `owner/name` each."""

    def ids(files: list[str]) -> list[str]:
        prefix = "docs/models/"
        return sorted(p[len(prefix) : -len(".md")] for p in files if p.startswith(prefix) and p.endswith(".md"))

    return {"added": ids(changes.added), "changed": ids(changes.changed), "removed": ids(changes.removed)}


def _check(session: Session) -> int:
    with _step("rendering client and docs, to compare"):
        outcome = session.check()
    if outcome.changes:
        err.print("\n".join(f"stale: {line}" for line in outcome.changes.lines()), markup=False)
        changes = outcome.changes
        raise StaleOutput(changes.added + changes.changed + changes.removed)
    out.print(f"{paths.display_path(session.output)} is up to date ({outcome.files} files)", markup=False)
    return 0


def _print_release(release: Release | None) -> None:
    from generator.release import diff

    if release is not None and release.changes:
        _print_changes(release.changes)
        out.print(f"{diff.summary(release.changes)}: the client is now version {release.version}", markup=False)


def _print_changes(changes: Sequence[Change]) -> None:
    if changes:
        lines = (f"{'BREAKING' if c.breaking else c.level:<9} {c.model}: {c.message}" for c in changes)
        out.print("\n".join(lines), markup=False)


def _folder_option(flag: str, dest: str, default: Path, help: str) -> Callable[[FC], FC]:
    return click.option(
        flag, dest, type=click.Path(path_type=Path, file_okay=False), default=default, show_default=True, help=help
    )


_specs_option = _folder_option("--specs", "specs", paths.MODELS, "Folder of normalized specs.")
_shared_option = _folder_option("--shared", "shared", paths.SHARED, "Folder of the shared operations' specs.")
_output_option = _folder_option(
    "--out", "output", paths.GENERATED, "Folder that receives python/ and docs/, replaced as a whole; ours alone."
)
_verbose_option = click.option(
    "-v", "--verbose", is_flag=True, help=f"List every file written (else only when at most {_LISTED_FILES})."
)
_no_wait_option = click.option(
    "--no-wait", is_flag=True, help="Exit 2 at once when another run is writing the output, rather than wait."
)


def _layout_options(specs_flag: str) -> Callable[[FC], FC]:
    """Where `import` writes specs (`import --out`, `build --specs`) and finds the files completing a page."""

    def decorate(function: FC) -> FC:
        for option in reversed(
            (
                _folder_option(specs_flag, "specs", paths.MODELS, "Where model specs go."),
                _folder_option("--shared", "shared", paths.SHARED, "Where specs of the shared operations go."),
                _folder_option(
                    "--replicate", "replicate", paths.REPLICATE, "Replicate model documents, <owner>/<name>.json."
                ),
                _folder_option("--overrides", "overrides", paths.OVERRIDES, "Corrections, <owner>/<name>.yaml."),
            )
        ):
            function = option(function)
        return function

    return decorate


def _layout(specs: Path, shared: Path, replicate: Path, overrides: Path) -> Layout:
    from generator.importing.importer import Layout

    return Layout(specs, shared, replicate, overrides)


def _format_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from generator.importing import FORMATS

    if value is not None and value not in FORMATS:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(FORMATS)}")
    return value


@main.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_layout_options("--out")
@click.option(
    "--format",
    "fmt",
    callback=_format_name,
    metavar="FORMAT",
    help="Force a format instead of detecting: replicate-model, apifox-project, openapi, apifox-markdown, "
    "apifox-page-table, apifox-page-glued, doc-page.",
)
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False), help="Also write the results as JSON.")
@click.option("--prune", is_flag=True, help="Remove specs whose source document is gone.")
def import_command(
    sources: tuple[Path, ...],
    specs: Path,
    shared: Path,
    replicate: Path,
    overrides: Path,
    fmt: str | None,
    report: Path | None,
    prune: bool,
) -> None:
    """Apifox documents (files or folders) -> normalized specs, one per model.

    Formats are detected from content: doc-page text (table or glued layout), Markdown export,
    Apifox project export, OpenAPI export, Replicate model document."""
    _run(lambda: _import(sources, _layout(specs, shared, replicate, overrides), fmt, report, prune))


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_specs_option
@_shared_option
def validate(files: tuple[Path, ...], specs: Path, shared: Path) -> None:
    """Check specs (all of --specs when none given); every problem with its file and JSON pointer."""

    def step() -> int:
        _validate(specs, files, shared)
        return 0

    _run(step)


@main.command()
@_specs_option
@_shared_option
@_output_option
@click.option(
    "--check", is_flag=True, help="Change nothing; render everything anew and exit 1 listing the stale files."
)
@_no_wait_option
@_verbose_option
def generate(specs: Path, shared: Path, output: Path, check: bool, no_wait: bool, verbose: bool) -> None:
    """Specs -> typed Python client and API reference, put in place as a whole."""

    def step() -> int:
        if check:
            return _check(_session(specs, shared, output, writing=False))
        session = _session(specs, shared, output)
        with _hold(session, not no_wait):
            return _generate(session, verbose)

    _run(step)


def _diff(old: Path, new: Path, as_json: bool, fail_on_breaking: bool) -> int:
    from generator.release import diff

    changes = diff.compare(diff.load(old), diff.load(new))
    if as_json:
        document = {"changes": [c.as_json() for c in changes], "breaking": sum(c.breaking for c in changes)}
        out.print(json.dumps(document, ensure_ascii=False, indent=2), markup=False)
    else:
        _print_changes(changes)
        out.print(diff.summary(changes), markup=False)
    return 1 if fail_on_breaking and any(c.breaking for c in changes) else 0


@main.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Write {changes: [...], breaking: N} as JSON.")
@click.option("--fail-on-breaking", is_flag=True, help="Exit 1 when any change is breaking.")
def diff_command(old: Path, new: Path, as_json: bool, fail_on_breaking: bool) -> None:
    """What changed from OLD to NEW (each a folder of model specs or a bundle), breaking first."""
    _run(lambda: _diff(old, new, as_json, fail_on_breaking))


@main.command()
@_folder_option("--sources", "sources", paths.SOURCES, "Folder of Apifox documents.")
@_layout_options("--specs")
@_output_option
@_no_wait_option
@click.option("--prune", is_flag=True, help="Remove specs whose source document is gone, as import --prune does.")
@_verbose_option
def build(
    sources: Path,
    specs: Path,
    shared: Path,
    replicate: Path,
    overrides: Path,
    output: Path,
    no_wait: bool,
    prune: bool,
    verbose: bool,
) -> None:
    """import + validate + generate: what `make build` runs."""

    def step() -> int:
        if not sources.is_dir():
            raise InputError(paths.display_path(sources), "no such folder of Apifox documents")
        session = _session(specs, shared, output, (sources, replicate, overrides))  # before anything is imported
        with _hold(session, not no_wait):
            code = _import((sources,), _layout(specs, shared, replicate, overrides), None, None, prune, verbose)
            # generate validates what it has not seen valid; an unchanged catalogue is not read at all
            return code or _generate(session, verbose)

    _run(step)


@main.command()
@click.argument("models", nargs=-1)
@click.option(
    "--base-url",
    default=vocabulary.REPLICATE_BASE_URL,
    show_default=True,
    help="Replicate's API, or an aggregator's prefix (https://host/replicate).",
)
@_folder_option("--out", "folder", paths.REPLICATE, "Where the model documents go, <owner>/<name>.json.")
@_specs_option
@click.option("--check", is_flag=True, help="Change nothing; exit 1 when any model upstream differs from its file.")
@click.option("--jobs", type=click.IntRange(1, 64), default=8, show_default=True, help="Requests at a time.")
def pull(models: tuple[str, ...], base_url: str, folder: Path, specs: Path, check: bool, jobs: int) -> None:
    """Fetch MODELS' documents (owner/name; by default every model in --out and --specs) from Replicate
    (`GET /v1/models/{owner}/{name}`, token from REPLICATE_API_TOKEN) into --out, for `build`.

    Exit codes: 0 pulled (with --check: nothing behind), 1 with --check: some model is behind,
    2 the token refused, a model missing or unusable, or bad usage."""

    def step() -> int:
        from generator.importing import pull as pulling

        token = os.environ.get("REPLICATE_API_TOKEN", "").strip()
        if not token:
            raise InputError("REPLICATE_API_TOKEN", "not set: the token pull sends (never printed or written)")
        chosen = pulling.targets(models, folder, specs)
        if not chosen:
            raise InputError(paths.display_path(folder), "no model to pull: name some, or have specs of models")
        results = _pulled(chosen, lambda advance: pulling.pull(
            chosen, base_url=base_url, token=token, out=folder, check=check, jobs=jobs, advance=advance
        ))  # fmt: skip
        for result in results:
            if result.outcome not in (pulling.UNCHANGED,):
                detail = f": {result.detail}" if result.detail else ""
                (out if result.ok else err).print(f"{result.outcome:9} {result.model}{detail}", markup=False)
        out.print(pulling.summary(results), markup=False)
        if not all(result.ok for result in results):
            return 2
        return 1 if check and any(result.outcome == pulling.BEHIND for result in results) else 0

    _run(step)


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host:port` and listening; InputError naming the address when it cannot be."""
    import socket

    listening = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host, port))
        listening.listen(2048)
    except OSError as exc:
        listening.close()
        reason = exc.strerror or str(exc)
        raise InputError(f"{host}:{port}", f"cannot listen there: {reason} (--port picks another)") from None
    return listening


def _pulled(models: list[str], run: Callable[[Callable[[Any], None]], list[Any]]) -> list[Any]:
    """`run(advance)` with a progress bar of the models pulled on a terminal (on stderr)."""
    if not err.is_terminal:
        return run(lambda pulled: None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("pulling"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("pull", total=len(models))
        return run(lambda pulled: progress.advance(task))


@main.command("watch")
@_folder_option("--sources", "sources", paths.SOURCES, "Folder of Apifox documents.")
@_layout_options("--specs")
@_output_option
@click.option(
    "--debounce", default=100, show_default=True, type=click.IntRange(0), help="Milliseconds of quiet before a rebuild."
)
def watch_command(
    sources: Path, specs: Path, shared: Path, replicate: Path, overrides: Path, output: Path, debounce: int
) -> None:
    """build now, then again on every change to the documents or specs (Ctrl-C stops): one line each."""

    def step() -> int:
        from generator.build.watch import Watched, watch

        session = _session(specs, shared, output, (sources, replicate, overrides))

        def report(line: str) -> None:
            out.print(line, markup=False)
            out.file.flush()

        watch(session, Watched(sources, specs, shared, replicate, overrides, output), report, debounce)
        return 0

    _run(step)


def _size(count: int) -> str:
    from rich.filesize import decimal

    return decimal(count)


@main.group(invoke_without_command=True)
@click.pass_context
def cache(ctx: click.Context) -> None:
    """Where the cache is and what it holds (`cache clean` empties it). Only a cache: losing it costs time."""
    if ctx.invoked_subcommand is not None:
        return

    def step() -> int:
        from generator import cache as store

        found = store.usage()
        out.print(f"{found.root}", markup=False)
        out.print(
            f"{_size(found.total)} in {found.files} file(s) ({_size(found.own)} of this version), "
            f"limit {_size(found.limit)} (REPLICATE_CODEGEN_CACHE_SIZE)",
            markup=False,
        )
        return 0

    _run(step)


@cache.command("clean")
def cache_clean() -> None:
    """Empty the cache: the next run renders everything anew."""

    def step() -> int:
        from generator import cache as store

        removed = store.clean()
        out.print(f"removed {_size(removed)} from {store.cache_root()}", markup=False)
        return 0

    _run(step)


def _fault(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[Fault, ...]:
    from generator.server.faults import Fault

    try:
        return tuple(Fault.parse(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8787, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@_specs_option
@click.option("--token", "tokens", multiple=True, help="An accepted API token (repeatable). [default: test-token]")
@click.option("--starting", default=0.02, show_default=True, type=float, help="Seconds a prediction is `starting`.")
@click.option("--processing", default=0.05, show_default=True, type=float, help="Seconds it is `processing`.")
@click.option("--retention", default=3600.0, show_default=True, type=float, help="Seconds until its data is removed.")
@click.option(
    "--max-predictions", default=10_000, show_default=True, type=click.IntRange(1), help="Oldest evicted beyond."
)
@click.option(
    "--max-body", default=1024 * 1024, show_default=True, type=click.IntRange(1), help="Bytes; larger is 413."
)
@click.option("--fault", "faults", multiple=True, callback=_fault, help="KIND[:ARG][@RATE|#N], e.g. 429:2@0.1, drop#3.")
@click.option("--webhook-secret", help="The whsec_ secret webhooks are signed with. [default: a new one]")
@click.option(
    "--webhook-targets",
    type=click.Choice(["loopback", "any", "none"]),
    default="loopback",
    show_default=True,
    help="Which webhook URLs are called; the others are taken and recorded as not delivered.",
)
@click.option(
    "--public-url", help="Base of the URLs written into predictions, e.g. behind a proxy. [default: the bound address]"
)
def serve(
    host: str,
    port: int,
    specs: Path,
    tokens: tuple[str, ...],
    starting: float,
    processing: float,
    retention: float,
    max_predictions: int,
    max_body: int,
    faults: tuple[Fault, ...],
    webhook_secret: str | None,
    webhook_targets: Literal["loopback", "any", "none"],
    public_url: str | None,
) -> None:
    """A local Replicate-compatible server for every model in --specs (Ctrl-C stops it)."""

    def step() -> int:
        import asyncio
        from dataclasses import replace

        import uvicorn

        from generator.server import ServerConfig, create_app

        config = ServerConfig(
            tokens=tokens or ServerConfig.tokens,
            starting_seconds=starting,
            processing_seconds=processing,
            retention_seconds=retention,
            max_predictions=max_predictions,
            max_body_bytes=max_body,
            faults=faults,
            webhook_targets=webhook_targets,
            public_url=public_url,
        )
        if webhook_secret:
            config = replace(config, webhook_secret=webhook_secret)
        app = create_app(specs, config)
        from generator import parallel

        parallel.shutdown()  # the catalogue is read: its workers would idle, and outlive a server stopped by a signal
        listening = _listening_socket(host, port)  # bound here: a busy port is one line, not uvicorn's trace
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))

        async def announce() -> None:
            while not server.started:
                await asyncio.sleep(0.01)
            bound = server.servers[0].sockets[0].getsockname()[1]
            shown = f"[{host}]" if ":" in host else host
            out.print(f"serving {len(app.state.catalog.models)} model(s) at http://{shown}:{bound}", markup=False)
            out.print(f"token: {', '.join(config.tokens)}", markup=False)
            out.print(f"webhook secret: {config.webhook_secret}", markup=False)
            out.file.flush()

        async def main() -> None:
            task = asyncio.create_task(announce())
            await server.serve(sockets=[listening])
            task.cancel()

        # uvicorn re-raises the Ctrl-C it handled; stopping is what the user asked for.
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(main())
        out.print("stopped", markup=False)
        return 0

    _run(step)
