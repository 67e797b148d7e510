"""The one layout of every emitted Python file: `ruff` import sorting and formatting, pinned, so
templates and datamodel-code-generator agree and the output is identical everywhere."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator.cache import Store

_OPTIONS = ("--quiet", "--isolated", "--line-length", "100", "--target-version", "py311")


def format_python(files: dict[str, str], store: Store | None = None) -> dict[str, str]:
    """`files` with each Python file formatted: one ruff run over them all. With `store`, a file
    formatted before (same path, same text, same generator) is taken from it, and each new one kept."""
    keys = {p: hashlib.sha256(f"{p}\0{text}".encode("utf-8", "surrogatepass")).hexdigest() for p, text in files.items()}
    kept = {p: store.get(keys[p]) if store is not None else None for p in files if p.endswith(".py")}
    todo = [p for p, text in kept.items() if not isinstance(text, str)]
    if todo:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for path in todo:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                try:
                    (root / path).write_text(files[path], encoding="utf-8")
                except OSError as exc:  # a write error names no file: this one is in the temporary folder
                    raise OSError(exc.errno, exc.strerror, str(root / path)) from None
            for command in (["check", "--fix", "--select", "I"], ["format"]):
                subprocess.run([find_ruff_bin(), *command, *_OPTIONS, "."], cwd=root, check=True, capture_output=True)
            for path in todo:
                kept[path] = (root / path).read_text(encoding="utf-8")
                if store is not None:
                    store.put(keys[path], kept[path])
    return files | {path: str(text) for path, text in kept.items()}
