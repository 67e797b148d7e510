"""Where things are: the default folders, how a path is shown, which files a folder holds.

Imported by the command line before anything else, so it imports nothing heavier than pathlib.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

SOURCES = Path("specs/apifox")  # the user's Apifox documents
MODELS = Path("specs/models")  # one normalized spec per model
SHARED = Path("specs/shared")  # the shared operations' specs
REPLICATE = Path("specs/replicate")  # <owner>/<name>.json: a model's Replicate document
OVERRIDES = Path("specs/overrides")  # <owner>/<name>.yaml: the user's corrections
GENERATED = Path("generated")


def display_path(path: Path) -> str:
    """The path as recorded in specs and messages: relative to the working directory when inside it,
    so that specs built on any machine are identical."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def visible_files(root: Path, pattern: str = "*") -> Iterator[Path]:
    """Files under `root` matching `pattern`, sorted so runs repeat, skipping anything under a hidden
    folder or hidden itself (`.git`, editor swap files, `.DS_Store`) below `root`."""
    yield from sorted(
        path
        for path in root.rglob(pattern)
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )
