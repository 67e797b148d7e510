"""The spec vocabulary every layer shares: the `x-*` keys our specs carry, the kinds of endpoint,
Replicate's statuses and events, and the accessors that read a model spec. The ground floor: it
imports nothing of this project, so the importer, validator, catalog, renderers and server all
read specs the same way without reaching into each other.
"""

from __future__ import annotations

import re
from typing import Any

# Keys of a normalized spec.
X_MODEL = "x-model"  # info: {owner, name, url?, version?}: the model the spec describes
X_SHARED = "x-shared"  # info: the kind of a shared operation's spec
X_SOURCE = "x-source"  # info: {file, format, pointer?}: the document the spec was imported from
X_VERSIONS = "x-versions"  # the create-by-version operation: {version hash: owner/name}
# a property: [{keyword, from: the words of the description (or the example) it was read from}]; a list,
# not a mapping by keyword, which linters would take for a schema (`default`, `enum` beside each other)
INFERRED = "x-inferred"
X_MODELS = "x-models"  # the bundle's info: {owner/name: {path, version?, input, output}}, what `diff` reads
ENUM_LABELS = "x-enum-labels"  # a property: [{value, label}], from Apifox's `x-apifox-enum`

# What our specs say of a schema's sources, beside its keywords: not part of the model's own schema.
OURS = frozenset({INFERRED, ENUM_LABELS, X_SOURCE})


def inferred(schema: Any) -> dict[str, str]:
    """keyword -> the words it was read from, for the keywords of `schema` read rather than stated
    (`INFERRED`; the mapping earlier versions wrote is read too)."""
    raw = schema.get(INFERRED) if isinstance(schema, dict) else None
    if isinstance(raw, dict):
        return {str(keyword): str(words) for keyword, words in raw.items()}
    if isinstance(raw, list):
        return {str(i["keyword"]): str(i.get("from", "")) for i in raw if isinstance(i, dict) and "keyword" in i}
    return {}


def set_inferred(schema: dict[str, Any], evidence: dict[str, str]) -> None:
    """Record `evidence` (keyword -> words) as `schema`'s `INFERRED`, or remove it when empty."""
    if evidence:
        schema[INFERRED] = [{"keyword": keyword, "from": words} for keyword, words in evidence.items()]
    else:
        schema.pop(INFERRED, None)


# The Output of a model whose spec states none, as the bundle writes it and `diff` reads a spec.
ANY_OUTPUT = {"description": "The spec does not say what this model returns."}

# Kinds of endpoint a document describes.
MODEL = "model"  # POST /v1/models/{owner}/{name}/predictions
MODEL_VERSION = "model-version"  # POST /v1/predictions, pinned to one model's version
CREATE_BY_VERSION = "create-by-version"  # POST /v1/predictions for any version
GET = "get"
CANCEL = "cancel"
LIST = "list"
SKIPPED = "skipped"
SHARED_KINDS = (CREATE_BY_VERSION, GET, CANCEL, LIST)

# Replicate's prediction API.
STATUSES = ("starting", "processing", "succeeded", "failed", "canceled", "aborted")
TERMINAL_STATUSES = ("succeeded", "failed", "canceled", "aborted")
WEBHOOK_EVENTS = ("start", "output", "logs", "completed")
REPLICATE_BASE_URL = "https://api.replicate.com"
PROBLEM_JSON = "application/problem+json"
VERSION_PATH = "/v1/predictions"


# An owner or name is one segment of the model's URL path and of the files named after it: a file
# name holds 255 bytes, less what is added around it (`.<name>.yaml.<random>.tmp` while written).
MAX_SEGMENT_BYTES = 200
_UNSAFE_SEGMENT = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff/\\?#%{}]")


def segment_problem(value: object) -> str | None:
    """Why `value` cannot be a model owner or name, or None when it can."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if value in (".", ".."):
        return f"{value} would name a folder, not a model"
    if bad := _UNSAFE_SEGMENT.search(value):
        unsafe = "whitespace, control characters and / \\ ? # % { }"
        return f"holds {bad.group()!r}: {unsafe} cannot be in a URL path segment"
    if (size := len(value.encode("utf-8", "surrogatepass"))) > MAX_SEGMENT_BYTES:
        return f"is {size} bytes long in UTF-8: at most {MAX_SEGMENT_BYTES} fit in the names of the files made from it"
    return None


def model_id(document: dict[str, Any]) -> str | None:
    model = (document.get("info") or {}).get(X_MODEL) or {}
    owner, name = model.get("owner"), model.get("name")
    return f"{owner}/{name}" if isinstance(owner, str) and isinstance(name, str) else None


def pinned_version(document: dict[str, Any]) -> str | None:
    version = ((document.get("info") or {}).get(X_MODEL) or {}).get("version")
    return version if isinstance(version, str) and version else None


def model_path(owner_and_name: str) -> str:
    return f"/v1/models/{owner_and_name}/predictions"


def create_path(document: dict[str, Any]) -> str | None:
    """Where the model's predictions are created: its own path, or the shared one when a version is pinned."""
    mid = model_id(document)
    if mid is None:
        return None
    return VERSION_PATH if pinned_version(document) else model_path(mid)


def create_operation(document: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The model's create operation: (path, operation), when the spec has exactly the expected one."""
    path = create_path(document)
    if path is None:
        return None
    operation = ((document.get("paths") or {}).get(path) or {}).get("post")
    return (path, operation) if isinstance(operation, dict) else None
