"""The stamp: what the last `generate` into an output was made from, every input spec and output
file by stat and SHA-256, kept in the cache (`generator.cache.Store`, with `marshal`). It decides
"up to date" on content: a stat only spares hashing a file it vouches for, and stats include the
ctime, which no edit can keep."""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.build.filetree import FileStats, listing
from generator.cache import Store, inputs

Files = FileStats  # path -> [size, mtime_ns, ctime_ns, inode, sha256]


# A file's stat speaks for its bytes only when any later write would change it: the kernel stamps
# writes with a clock that ticks every few milliseconds, so a file changed within a tick of being
# looked at may change again with the same stat. Such a file is described without a stat, and hashed
# again next time (git's "racily clean" entries).
_RACY_NS = 20_000_000
UNKNOWN_STAT: list[int | str] = [-1, -1, -1, -1]


def _describe(names: list[str], base: Path | None, known: Files) -> Files | None:
    """Each file (by its path relative to `base`, or absolute) as [size, mtime_ns, ctime_ns, inode,
    sha256], hashing only what `known` does not vouch for by the same stat; None when a file
    vanished meanwhile. A hand edit that keeps size and mtime still changes the ctime."""
    described: Files = {}
    now = time.time_ns()
    prefix = f"{base}{os.sep}" if base is not None else ""  # joined as strings, not by os.path (bench/README.md)
    for name in names:
        path = prefix + name
        try:
            status = os.stat(path)
            stat: list[int | str] = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]
            recorded = known.get(name)
            if recorded is not None and recorded[0] != -1 and recorded[:4] == stat:
                sha256 = str(recorded[4])
            else:
                sha256 = _digest(path)
            trusted = max(status.st_ctime_ns, status.st_mtime_ns) < now - _RACY_NS
            described[name] = [*(stat if trusted else UNKNOWN_STAT), sha256]
        except OSError:
            return None
    return described


def _digest(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _stamp_key(output: Path, folders: tuple[Path, ...]) -> str:
    # kept with `marshal`, whose format is this Python's; faster than JSON for 15,000 files
    return "\0".join([*(str(p.resolve()) for p in (output, *folders)), sys.version])


def _last_stamp(output: Path, folders: tuple[Path, ...]) -> dict[str, Any]:
    """The stamp of the last run into `output` from `folders` by this generator, its `inputs` and
    `outputs` always mappings (empty when there is none, or it is damaged)."""
    kept = Store("stamp").get_bytes(_stamp_key(output, folders))
    try:
        stamp = marshal.loads(kept) if kept is not None else {}
    except (EOFError, ValueError, TypeError):
        stamp = {}
    stamp = stamp if isinstance(stamp, dict) else {}
    for files in ("inputs", "outputs"):
        found = stamp.get(files)
        valid = isinstance(found, dict) and all(isinstance(v, list) and len(v) == 5 for v in found.values())
        stamp[files] = found if valid else {}
    return stamp


@dataclass(frozen=True)
class StampCheck:
    """What the last run's stamp says of an output as it is now."""

    files: int | None  # its number of files when the last run still stands entirely; None: a run is needed
    unchanged: dict[str, str]  # each file still as that run left it -> its SHA-256
    inputs: dict[str, str] = field(default_factory=dict)  # each spec file, by absolute path (`inputs`) -> its SHA-256
    # the stamp's `inputs` and `outputs` as found now, which `record` need not hash again
    described: dict[str, Files] = field(default_factory=dict, repr=False)


def standing(output: Path, folders: tuple[Path, ...]) -> StampCheck:
    """Whether the last run into `output` from `folders`, by this same generator, is still exactly what
    is on disk (decided on content: a stat only spares hashing a file it vouches for), and which of
    its files still are."""
    stamp = _last_stamp(output, folders)
    if not stamp["outputs"]:
        return StampCheck(None, {})
    made = _describe(listing(output), output, stamp["outputs"])
    if made is None:
        return StampCheck(None, {})
    recorded = _hashes(stamp["outputs"])
    unchanged = {path: str(entry[4]) for path, entry in made.items() if recorded.get(path) == entry[4]}
    made_from = _describe(inputs(folders), None, stamp["inputs"])
    holds = made_from is not None and _hashes(made_from) == _hashes(stamp["inputs"]) and _hashes(made) == recorded
    described = {"inputs": made_from or {}, "outputs": made}
    return StampCheck(len(made) if holds else None, unchanged, _hashes(made_from or {}), described)


def record(output: Path, folders: tuple[Path, ...], standing: StampCheck, made: Files) -> None:
    """Stamp `output` as made from `folders` by this generator (after a run that succeeded).

    `standing`: what `standing` found at the start of the run. The specs are stamped as it found
    them, before the run read them: a spec saved while the run went on has another stat now, so the
    next run hashes it and reads it. `made`: each file of the run's tree, as the run knows it:
    [size, mtime_ns, ctime_ns, inode] as it wrote the file (or `standing` found it), and the SHA-256
    of the bytes the run means it to hold. The stamp holds each file to those bytes, never to what
    is on disk now: a file edited (or added, or removed) while the run went on is stamped so that
    the next run finds it. The stat is compared without the ctime, which the run's own links
    change. Waits out the clock's tick first, so that the stats of the files just written speak
    for them."""
    time.sleep(_RACY_NS / 1e9)
    made_from = standing.described.get("inputs") or _describe(inputs(folders), None, {}) or {}
    now = time.time_ns()
    prefix = f"{output}{os.sep}"
    outputs: Files = {}
    for name in sorted(made.keys() | listing(output)):
        expected = made.get(name)
        sha256 = "" if expected is None else str(expected[4])  # a file not the run's: never as it must be
        try:
            status = os.stat(prefix + name)
            stat: list[int | str] = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]
            ours = expected is not None and expected[0] != -1 and [*expected[:2], expected[3]] == [*stat[:2], stat[3]]
            ours = ours or (expected is not None and _digest(prefix + name) == sha256)
        except OSError:  # removed meanwhile: the next run finds it missing
            outputs[name] = [*UNKNOWN_STAT, sha256]
            continue
        trusted = ours and max(status.st_ctime_ns, status.st_mtime_ns) < now - _RACY_NS
        outputs[name] = [*(stat if trusted else UNKNOWN_STAT), sha256]
    Store("stamp").put_bytes(_stamp_key(output, folders), marshal.dumps({"inputs": made_from, "outputs": outputs}))


def _hashes(files: Files) -> dict[str, str]:
    return {path: str(entry[4]) for path, entry in files.items()}
