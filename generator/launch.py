"""The `replicate-codegen` entry point.

A command that renders (`generate`, `build`) starts its renderer's standby process
(`parallel.Standby`) here, before the command line's own libraries are loaded. Loading
datamodel-code-generator is the longest single wait of a rebuild after a few specs changed (about
half a second); begun first, it overlaps everything else this process does. Any other command, and
a command run through `generator.cli.main` directly, starts none here.
"""

from __future__ import annotations

import sys

_RENDERING = frozenset({"generate", "build"})
_HELP = frozenset({"-h", "--help"})


def main() -> None:
    args = sys.argv[1:]
    standby = None
    if args and args[0] in _RENDERING and not _HELP.intersection(args):
        from generator import parallel  # no third-party library: the fork stays cheap

        standby = parallel.Standby.start(ready_to_render)
    try:
        from generator.cli import main as cli

        cli(obj=standby)
    finally:
        if standby is not None:  # unused (nothing changed, or a failure first): let go
            standby.close()


def ready_to_render() -> None:
    """What a standby process does first: load the renderer, and datamodel-code-generator's all."""
    from generator.render.inputs import warm_up

    warm_up()
