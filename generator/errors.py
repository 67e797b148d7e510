"""Errors the tool reports to its user.

Hierarchy::

    CodegenError                 anything the CLI turns into a message and an exit code
     +-- InputError              a document or spec cannot be read (exit 2); names file and place
     |    +-- InputErrors         several cannot: every one of them, at once
     +-- ValidationFailed        specs were read but break rules (exit 1); carries every Problem
     +-- StaleOutput             `generate --check` found generated files that differ (exit 1)
     +-- OutputError             an output cannot or must not be written (exit 2); names the path and why

A `Problem` is one finding, located by file and JSON pointer (and line, when known).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    pointer: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.pointer or '/'}: {self.message}"


class CodegenError(Exception):
    exit_code = 1


class InputError(CodegenError):
    """A document that cannot be read. `str()` is one line: `file:line:column: message`."""

    exit_code = 2

    def __init__(
        self,
        file: str | Path,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        pointer: str | None = None,
    ) -> None:
        self.file = str(file)
        self.line = line
        self.column = column
        self.pointer = pointer
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        if self.pointer is not None:
            place += f": {self.pointer or '/'}"
        return f"{place}: {self.message}"


class InputErrors(InputError):
    """Inputs that cannot be read, and the problems of those that could (`problems`), all told in
    one run; `str()` is a line each."""

    def __init__(self, errors: list[InputError], problems: Sequence[Problem] = ()) -> None:
        self.errors = errors
        self.problems = sorted(problems)
        super().__init__(errors[0].file, f"{len(errors)} input(s) cannot be read")

    def __str__(self) -> str:
        lines = [f"error: {error}" for error in self.errors] + [str(problem) for problem in self.problems]
        found = f"; {len(self.problems)} problem(s) in the others" if self.problems else ""
        return "\n".join([*lines, f"{len(self.errors)} input(s) cannot be read{found}"])


class ValidationFailed(CodegenError):
    exit_code = 1

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) found")


class StaleOutput(CodegenError):
    exit_code = 1

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        super().__init__(f"{len(paths)} generated file(s) are stale; run `replicate-codegen generate`")


class OutputError(CodegenError):
    """An output folder or file that cannot be written (the OS's reason), or that the tool refuses to
    touch (not its own, in use by another run). `str()` is one line: `path: reason`."""

    exit_code = 2

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
