"""The `replicate-codegen` entry point.

A command that renders (`generate`, `build`) starts its standby process
(`standby.Standby`) here, before the command line's own libraries are loaded. Loading
datamodel-code-generator is the longest single wait of a rebuild after a few specs changed (about
half a second); begun first, it overlaps everything else this process does. Any other command, and
a command run through `generator.cli.main` directly, starts none here.

Once the command has ended, the process ends without the interpreter's teardown: freeing, one by
one, every object a build of a thousand models holds took a tenth of a second, a tenth of a whole
rebuild after one spec changed. What teardown does that anyone can see still happens: the exit
functions run and the standard streams are flushed.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

ExitCode = str | int | None  # what `SystemExit` carries

_RENDERING = frozenset({"generate", "build"})
_HELP = frozenset({"-h", "--help"})


def main() -> NoReturn:
    """The console script and `python -m generator`."""
    _exit(run(sys.argv[1:]))


def run(args: Sequence[str]) -> ExitCode:
    """The command `args` name, run to its end: what its `SystemExit` carried (click always ends so)."""
    standby = None
    if args and args[0] in _RENDERING and not _HELP.intersection(args):
        from generator.standby import Standby  # the standard library's smallest parts: the fork comes soon

        standby = Standby.start(ready_to_render)
    try:
        from generator.cli import main as cli

        cli(list(args), obj=standby)
    except SystemExit as ended:
        return ended.code
    finally:
        if standby is not None:  # unused (nothing changed, or a failure first): let go
            standby.close()
    return 0


def ready_to_render() -> None:
    """What a standby process does first: load datamodel-code-generator, all it loads on a first call."""
    from generator.datamodels import warm_up

    warm_up()


def _exit(code: ExitCode) -> NoReturn:
    """End the process as `sys.exit(code)` would, without freeing what it holds."""
    if threading.active_count() > 1:  # a thread still running is waited for by a normal exit only
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # as Python shows a message it exits with
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: as Python's own exit reports it
            status = status or 120
    os._exit(status & 0xFF)
