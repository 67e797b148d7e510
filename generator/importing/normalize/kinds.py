"""What an endpoint is, read from its method, path, title, description and example.

Model pages create predictions of one model; version pages do so through `POST /v1/predictions`
with a pinned version; the rest map to Replicate's shared operations or are not Replicate-style
at all, which is said in one line and writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.errors import InputError
from generator.importing.record import Endpoint
from generator.spec.vocabulary import (
    CANCEL,
    CREATE_BY_VERSION,
    GET,
    LIST,
    MODEL,
    MODEL_VERSION,
    SKIPPED,
    segment_problem,
)

_V1 = re.compile(r"^(?P<prefix>.*?)/v1/(?P<rest>.*?)/?$")
_MODEL_REST = re.compile(r"^models/(?P<owner>[^/]+)/(?P<name>[^/]+)/predictions$")
_PREDICTION_REST = re.compile(r"^predictions/\{[^/{}]+\}(?P<cancel>/cancel)?$")
_TEMPLATED = re.compile(r"^\{.*\}$")
_MODEL_PARAM_REST = re.compile(r"^models/\{(?P<param>[^/{}]+)\}/predictions$")  # `{model}` holds owner/name
_MODEL_NAME = r"[A-Za-z0-9][\w.-]*"
# An id in running text; `创建任务-owner/name` glues it to the text before with a hyphen.
_MODEL_IN_TEXT = re.compile(
    rf"(?:(?<=[^\x00-\x7f]-)|(?<![\w./-]))(?P<owner>{_MODEL_NAME})/(?P<name>{_MODEL_NAME})(?![\w/-])"
)
_MODEL_ID = re.compile(rf"^(?P<owner>{_MODEL_NAME})/(?P<name>{_MODEL_NAME})$")
# "Create Task Black Forest Labs/Flux Kontext Max": a display name, Title Case words around a slash.
_TASK_WORDS = re.compile(r"^\s*(?:创建任务|创建|Create(?: an?)?(?: [Tt]ask| [Pp]rediction)?|Replicate)[\s:：-]*")
_DISPLAY_NAME = re.compile(r"^(?P<owner>[A-Za-z0-9][\w. ]*?)\s*/\s*(?P<name>[A-Za-z0-9][\w. ]*?)\s*$")
_MODEL_LINK = re.compile(rf"replicate\.com/(?P<owner>{_MODEL_NAME})/(?P<name>{_MODEL_NAME})")
_HASH = r"[0-9a-f]{64}"
_VERSION_PAIR = re.compile(rf"[\"“]?(?P<hash>{_HASH})[\"”]?\s*[:：]\s*[\"“](?P<model>{_MODEL_NAME}/{_MODEL_NAME})[\"”]")
_VERSION_REF = re.compile(rf"^(?:(?P<model>{_MODEL_NAME}/{_MODEL_NAME})(?::(?P<hash>{_HASH}))?|(?P<bare>{_HASH}))$")
_NOT_MODEL_OWNERS = {"p", "v1", "replicate", "api", "docs", "collections"}


@dataclass(frozen=True)
class Kind:
    name: str
    owner: str = ""
    model: str = ""  # the model's name within its owner
    version: str | None = None  # what a version page sends as `version`
    versions: dict[str, str] = field(default_factory=dict)  # hash -> owner/name, on create-by-version
    reason: str = ""  # why it was skipped
    warnings: tuple[str, ...] = ()  # what was guessed to tell the model

    @property
    def model_id(self) -> str:
        return f"{self.owner}/{self.model}"


def classify(endpoint: Endpoint) -> Kind:
    """What the endpoint is. A model whose owner or name cannot be one path segment (`..`, `a/b`)
    is refused here, before anything is named or written after it."""
    kind = _classify(endpoint)
    if kind.name in (MODEL, MODEL_VERSION):
        for part, value in (("owner", kind.owner), ("name", kind.model)):
            if problem := segment_problem(value):
                raise InputError(
                    endpoint.source.path,
                    f"model {part} {problem}",
                    pointer=endpoint.source.pointer or None,
                )
    return kind


def _classify(endpoint: Endpoint) -> Kind:
    if not endpoint.path:
        raise InputError(
            endpoint.source.path,
            "endpoint has no path; expected `METHOD /path`",
            pointer=endpoint.source.pointer or None,
        )
    where = f"{endpoint.method} {endpoint.path}"
    match = _V1.match(endpoint.path)
    rest = match.group("rest") if match else ""
    if endpoint.method == "POST" and (m := _MODEL_REST.match(rest)):
        owner, name = m.group("owner"), m.group("name")
        if not (_TEMPLATED.match(owner) or _TEMPLATED.match(name)):
            return _if_replicate_style(endpoint, Kind(MODEL, owner, name))
    if endpoint.method == "POST" and (_MODEL_REST.match(rest) or _MODEL_PARAM_REST.match(rest)):
        named = _named_model(endpoint)
        if named is None:
            return Kind(
                SKIPPED,
                reason=f"{where} is templated and the page names no one model (in its title, docs link, "
                "path parameter example or request example)",
            )
        (owner, name), guessed = named
        return _if_replicate_style(endpoint, Kind(MODEL, owner, name, warnings=guessed))
    if rest == "predictions" and endpoint.method == "POST":
        versions = {m.group("hash"): m.group("model") for m in _VERSION_PAIR.finditer(endpoint.description)}
        if versions:
            return Kind(CREATE_BY_VERSION, versions=versions)
        return _if_replicate_style(endpoint, _version_page(endpoint))
    if rest == "predictions" and endpoint.method == "GET":
        return Kind(LIST)
    if m := _PREDICTION_REST.match(rest):
        if m.group("cancel") and endpoint.method == "POST":
            return Kind(CANCEL)
        if not m.group("cancel") and endpoint.method == "GET":
            return Kind(GET)
    return Kind(SKIPPED, reason=f"{where} is not a Replicate prediction endpoint")


def _named_model(endpoint: Endpoint) -> tuple[tuple[str, str], tuple[str, ...]] | None:
    """The model a page names, and what was guessed to tell it. In order: an id in the title
    (`创建任务 owner/name`), the replicate.com link, a path parameter's example, the request example's
    `version`, and last a Title Case display name in the title (slugged, with a warning)."""
    for m in _MODEL_IN_TEXT.finditer(endpoint.title):
        owner, name = m.group("owner"), m.group("name")
        if owner.lower() not in _NOT_MODEL_OWNERS and f"{owner}/{name}" == f"{owner}/{name}".lower():
            return (owner, name), ()
    for m in _MODEL_LINK.finditer(endpoint.description):
        if m.group("owner").lower() not in _NOT_MODEL_OWNERS:
            return (m.group("owner"), m.group("name")), ()
    examples = [p.example.strip() for p in endpoint.parameters if p.location == "path" and isinstance(p.example, str)]
    if param := next((found for example in examples if (found := _MODEL_ID.match(example))), None):
        return (param.group("owner"), param.group("name")), ()
    stated = _example_version(endpoint)
    if stated and stated.group("model"):
        owner, _, name = stated.group("model").partition("/")
        return (owner, name), ()
    if display := _DISPLAY_NAME.match(_TASK_WORDS.sub("", endpoint.title)):
        owner, name = (re.sub(r"\s+", "-", display.group(part).strip()).lower() for part in ("owner", "name"))
        return (owner, name), (
            f"the model id {owner}/{name} was guessed from the display name {display.group(0).strip()!r} in the "
            "title; check it (a replicate.com link or an `owner/name` in the title would state it)",
        )
    return None


def _version_page(endpoint: Endpoint) -> Kind:
    """A version page pins the example's version when it names this model; a page that names no model
    at all is the generic create-by-version operation."""
    stated = _example_version(endpoint)
    named = _named_model(endpoint)
    if named is None:
        return Kind(CREATE_BY_VERSION)
    (owner, name), guessed = named
    version = f"{owner}/{name}"
    if stated and stated.group("bare"):
        version = stated.group("bare")
    elif stated and stated.group("model") == version and stated.group("hash"):
        version = stated.group("hash")
    return Kind(MODEL_VERSION, owner, name, version=version, warnings=guessed)


def _example_version(endpoint: Endpoint) -> re.Match[str] | None:
    for example in endpoint.request_examples:
        if isinstance(example, dict) and isinstance(example.get("version"), str):
            return _VERSION_REF.match(example["version"].strip())
    return None


def _if_replicate_style(endpoint: Endpoint, kind: Kind) -> Kind:
    """Replicate wraps inputs in `input`; a flat body is another vendor's API on a look-alike path."""
    properties = (endpoint.request_schema or {}).get("properties") or {}
    examples = [e for e in endpoint.request_examples if isinstance(e, dict)]
    if "input" in properties or any("input" in e for e in examples):
        return kind
    if properties or examples:
        fields = ", ".join(sorted(properties or examples[0])[:5])
        return Kind(
            SKIPPED,
            reason=f"{endpoint.method} {endpoint.path} takes a flat body ({fields}) without `input`: "
            "not Replicate-style",
        )
    return kind


def response_example_output(endpoint: Endpoint, model_id: str) -> Any:
    """The output of a response example that belongs to this model (the `model` field says so)."""
    for example in endpoint.response_examples:
        if isinstance(example, dict) and example.get("model") == model_id and example.get("output") is not None:
            return example["output"]
    return None
