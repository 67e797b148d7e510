"""Text scanning takes time in proportion to the text: no page or description, however made, can
keep the importer (or the server's input checks) busy for minutes.

Two nets: every regular expression of the package is searched in long runs of the characters and
words it is made of (a backtracking regex is quadratic or worse on exactly those), and real pages
of each rendering are imported with 100 KB of such runs put where prose, tables and titles go.
Each is judged by how its CPU time grows with the input (`tests.growth`), never by the wall clock:
a busy machine slows every scan alike.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import generator
from generator.importing import importer, prose
from tests.conftest import FIXTURES
from tests.growth import superlinear

BASE_UNITS = (" ", "a", "A", "1", "_", "-", ".", "/", "|", ":", "：", "\t", "\n", "中", '"', "'", "“", "`", "\\",
              "{", "[", "(", "#", "*", "└", "<", "http://", "1.")  # fmt: skip
LEADS = ("1", "a", " ", "中", ":")  # paired with every unit: `1 1 1`, `a/a/a`, ...


def _patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    seen: set[int] = set()
    for info in pkgutil.walk_packages(generator.__path__, "generator."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in sorted(vars(module).items()):
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str) and id(value) not in seen:
                seen.add(id(value))
                yield f"{info.name}.{name}", value


def _words(pattern: str) -> list[str]:
    """The literal words of a pattern (`默认值`, `Method`, `x`): what its quantifiers wait for."""
    literal = re.sub(r"\\[a-zA-Z]|\(\?P?<?[=!a-zA-Z_]*>?|\{\d*,?\d*\}", " ", pattern)
    return sorted({word[:12] for word in re.split(r"[\\\[\](){}?*+|^$.]+", literal) if word.strip()})


class _TooSlow(Exception):
    pass


@contextmanager
def _cpu_deadline(seconds: float) -> Iterator[None]:
    """Interrupt a runaway regex after `seconds` of this process's CPU time (it holds the GIL in C,
    so only a signal reaches it). A linear scan of 10 KB takes microseconds."""

    def expire(signum: int, frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGVTALRM, expire)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


PATTERNS = dict(_patterns())


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_regex_is_linear_on_runs_of_its_own_characters(name: str) -> None:
    pattern = PATTERNS[name]
    units = list(BASE_UNITS) + _words(pattern.pattern)
    runs = [*units, *(a + b for a, b in itertools.product(LEADS, units) if a != b)]
    slow = []
    for prefix, unit in itertools.product(("", *_words(pattern.pattern)[:1]), runs):

        def scan(size: int, prefix: str = prefix, unit: str = unit) -> None:
            text = prefix + unit * (size // len(unit))
            pattern.search(text)
            for _ in itertools.islice(pattern.finditer(text), 100):
                pass

        try:
            with _cpu_deadline(5.0):
                found = superlinear(scan, 10_000)
        except _TooSlow:
            found = "over 5 s of CPU"
        if found:
            slow.append(f"{prefix!r} + {unit!r} * n: {found}")
    assert not slow, f"{name} backtracks on 10 KB runs:\n" + "\n".join(slow)


HOSTILE_RUNS = ("1", " ", "1 ", "a", "a/", "默认值", "支持", "范围1", "| ", "|", "Method ", "方法", "Path ", "body",
                "\"a\": \"", "{", "[", "`", "1:", "└", "a_b ", "Default: ", "max ", "-d '",
                "replicate.com/a/")  # fmt: skip
PAGES = [
    FIXTURES / "real" / "anyapi-md__google__imagen-4.txt",  # Markdown export
    FIXTURES / "real" / "yutoai-html__black-forest-labs__flux-pro__fieldlist-mismatch.txt",  # doc page text
    FIXTURES / "real" / "kkiai-vitepress-en__google__imagen-4-fast__param-table__TRUNCATED.txt",  # field table
    FIXTURES / "real" / "aimanyi-tbl__lucataco__flux-dev-lora__version-path__TRUNCATED.txt",  # Apifox table page
]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name.split("__")[0])
def test_pages_with_100_kb_of_hostile_text_import_in_linear_time(tmp_path: Path, page: Path) -> None:
    lines = page.read_text(encoding="utf-8").splitlines()
    layout = importer.Layout(models=tmp_path / "m", shared=tmp_path / "s")
    slow = []
    for run in HOSTILE_RUNS:
        for at in (1, len(lines) // 3, len(lines) // 2, len(lines)):  # after the title, in tables, at the end

            def import_with(size: int, run: str = run, at: int = at) -> None:
                source = tmp_path / "page.txt"
                text = run * (size // len(run))
                source.write_text("\n".join([*lines[:at], text, *lines[at:]]), encoding="utf-8")
                importer.import_file(source, layout)

            if found := superlinear(import_with, 100_000):
                slow.append(f"{run!r} * n at line {at + 1}: {found}")
    assert not slow, "\n".join(slow)


def test_100_kb_descriptions_are_read_in_linear_time() -> None:
    slow = []
    for run, json_type in itertools.product(HOSTILE_RUNS, (None, "string", "integer", "number", "boolean")):

        def infer(size: int, run: str = run, json_type: str | None = json_type) -> None:
            prose.infer("默认值: 1. " + run * (size // len(run)), json_type)

        if found := superlinear(infer, 100_000):
            slow.append(f"{run!r} * n as {json_type}: {found}")
    assert not slow, "\n".join(slow)
