"""Reading and writing normalized spec files: deterministic YAML, atomic writes, places of errors."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from generator import paths
from generator.spec import reading

if TYPE_CHECKING:
    from generator.cache import Parsed
from generator.errors import InputError

# libyaml's emitter, much faster than the pure-Python one at thousands of specs (bench/README.md).
# Both emit the same text for the documents we write.
_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[valid-type,misc]
    """Block style, insertion order, unicode kept: a diff of two specs reads like a diff of prose.

    The nodes of JSON values are built here in one pass, and the tag a plain scalar would resolve
    to is asked once per distinct text: PyYAML's generic representer and resolver were most of the
    time of writing a thousand specs. The text is the same as theirs (a test compares them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._resolved: dict[tuple[str, tuple[bool, bool]], str] = {}

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a spec is read by people: repeat shared parts instead of `&id001` anchors

    def represent_data(self, data: Any) -> yaml.Node:
        kind = type(data)
        if kind is str:
            return yaml.ScalarNode(_TAGS[str], data, style="|" if "\n" in data else None)
        if kind is dict:
            pairs = [(self.represent_data(k), self.represent_data(v)) for k, v in data.items()]
            return yaml.MappingNode(_TAGS[dict], pairs, flow_style=False)
        if kind is list:
            return yaml.SequenceNode(_TAGS[list], [self.represent_data(v) for v in data], flow_style=False)
        if kind is bool:
            return yaml.ScalarNode(_TAGS[bool], "true" if data else "false")
        if data is None:
            return yaml.ScalarNode(_TAGS[None], "null")
        if kind is int:
            return yaml.ScalarNode(_TAGS[int], str(data))
        node: yaml.Node = super().represent_data(data)  # floats, and anything not JSON, as PyYAML writes them
        return node

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        if key not in self._resolved:
            self._resolved[key] = super().resolve(kind, value, implicit)
        return self._resolved[key]


_TAGS: dict[Any, str] = {
    str: "tag:yaml.org,2002:str",
    dict: "tag:yaml.org,2002:map",
    list: "tag:yaml.org,2002:seq",
    bool: "tag:yaml.org,2002:bool",
    None: "tag:yaml.org,2002:null",
    int: "tag:yaml.org,2002:int",
}


def dump(document: Any) -> str:
    text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    # After a text that ends in blank lines (`|+`), the emitter ends the document with `...`; the
    # bundle joins dumped parts, and there that line would end the whole document. Without it, the
    # text reads the same.
    return text.removesuffix("\n...\n") + "\n" if text.endswith("\n...\n") else text


def write_atomic(path: Path, content: str | bytes) -> bool:
    """Write through a temporary file and a rename: readers see the old file or the new, never half.
    Returns False (and touches nothing) when the content is already there."""
    data = content.encode() if isinstance(content, str) else content
    if path.is_file() and path.read_bytes() == data:
        return False
    mode = stat.S_IMODE(path.stat().st_mode) if path.is_file() else 0o666 & ~paths.umask()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            os.fchmod(handle.fileno(), mode)  # mkstemp makes 0600; a spec is as readable as any file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


class SpecFile:
    """A loaded spec: its document, and where each JSON pointer sits in the file."""

    def __init__(
        self, path: Path, display: str, document: dict[str, Any], lines: dict[str, int] | None, sha256: str = ""
    ) -> None:
        self.path = path
        self.display = display
        self.document = document
        self._lines = lines  # None: found when first asked (a spec known from the import that wrote it)
        self.sha256 = sha256  # of the file's bytes: what the validation cache knows it by

    def line_of(self, pointer: str) -> int | None:
        """The line of `pointer`, or of its nearest ancestor present in the file."""
        if self._lines is None:
            self._lines = _lines_of(self.path, self.display)
        while True:
            if pointer in self._lines:
                return self._lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def load(
    path: Path, display: str, what: str = "spec", parsed: Parsed | None = None, data: bytes | None = None
) -> SpecFile:
    """The spec at `path` (whose bytes are `data`, when they were read already); from `parsed` (a
    cache) when these very bytes were parsed before."""
    data = reading.read_bytes(path, display, what) if data is None else data
    sha256 = hashlib.sha256(data).hexdigest()
    if parsed is not None and (known := parsed.get(sha256)) is not None:
        return SpecFile(path, display, known[0], known[1], sha256)
    text = reading.decode(data, display)
    try:  # one parse gives both the document and the line of every node
        node = reading.compose_yaml(text, display)
    except yaml.YAMLError as exc:
        problem, line, column = reading.yaml_problem(exc, text)
        raise InputError(display, f"invalid YAML: {problem}", line=line + 1, column=column) from None
    reading.check_node(node, display)
    document = reading.construct(node)
    if not isinstance(document, dict):
        expected = "an OpenAPI document" if what == "spec" else f"an {what}"
        raise InputError(display, f"expected {expected} (a mapping) at the top level", line=1)
    lines: dict[str, int] = {}
    _index(node, "", lines)
    if parsed is not None:
        parsed.put(sha256, document, lines)
    return SpecFile(path, display, document, lines, sha256)


def remember_written(data: bytes, document: dict[str, Any], parsed: Parsed) -> None:
    """Tell the parse cache what a spec just written as `data` holds, when loading it would give
    `document` back as it is: the build that follows an import then parses none of its specs. Their
    lines are found only if a problem is reported at one."""
    sha256 = hashlib.sha256(data).hexdigest()
    if not parsed.has(sha256) and reading.is_plain(document):
        parsed.put(sha256, document, None)


def _lines_of(path: Path, display: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    # changed or gone since it was loaded: its problems are told without lines
    with contextlib.suppress(InputError, yaml.YAMLError):
        _index(reading.compose_yaml(reading.decode(reading.read_bytes(path, display), display), display), "", lines)
    return lines


def walk(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every value under `node`, itself first, with its JSON pointer (from `pointer`)."""
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{pointer}/{pointer_token(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{pointer}/{index}")


def pointer_token(key: object) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def resolve_ref(root: Any, ref: str) -> Any:
    """What a local `$ref` (`#/components/schemas/a~1b/0`) points to in `root`; LookupError when nothing."""
    if not ref.startswith("#"):
        raise LookupError(f"not a local reference: {ref}")
    node = root
    for token in filter(None, ref[1:].split("/")):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise LookupError(f"{ref} points to nothing")
    return node


def _index(node: yaml.Node | None, pointer: str, lines: dict[str, int]) -> None:
    if node is None:
        return
    lines[pointer] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{pointer}/{pointer_token(key.value)}"
            _index(value, child, lines)
            lines[child] = key.start_mark.line + 1  # the key's line reads better than its value's
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index(item, f"{pointer}/{index}", lines)
