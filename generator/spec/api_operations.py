"""Replicate's models and files APIs, as the bundle documents them and the local server answers them
(`generator/server/models.py`, `generator/server/files.py`): `GET /v1/models`, a model, its
versions; uploading, listing, getting, deleting and downloading files."""

from __future__ import annotations

from typing import Any

from generator.spec import canonical

_JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": _ref(schema)}}}


def _errors(*extra: str) -> dict[str, Any]:
    known = {
        "400": canonical.problem("A cursor the server did not give."),
        "404": canonical.problem("Nothing here by this name or id."),
        "413": canonical.problem("The file is larger than the server takes (100 MiB)."),
    }
    responses = canonical.create_responses()
    return {**{code: known[code] for code in extra}, "401": responses["401"], "429": responses["429"]}


def _path(name: str, description: str, pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    if pattern:
        schema["pattern"] = pattern
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


_OWNER = _path("owner", "The model's owner.", "^[^/]+$")
_NAME = _path("name", "The model's name.", "^[^/]+$")
_FILE = _path("file_id", "The file's id.", "^[^/]+$")
_TAGS = ["models and files"]


def paths() -> dict[str, dict[str, Any]]:
    """path -> {method: operation}."""
    found = _paths()
    for item in found.values():
        for operation in item.values():
            operation["tags"] = list(_TAGS)
    return found


def _paths() -> dict[str, dict[str, Any]]:
    page = {
        "name": "cursor",
        "in": "query",
        "required": False,
        "description": "Where the page starts: take it from a page's `next` or `previous`.",
        "schema": {"type": "string", "pattern": canonical.MODELS_CURSOR},
    }
    return {
        "/v1/models": {
            "get": {
                "operationId": "list_models",
                "summary": "List the models",
                "parameters": [page],
                "responses": {"200": _ok("One page of models, by id.", "ModelPage"), **_errors("400")},
            }
        },
        "/v1/models/{owner}/{name}": {
            "get": {
                "operationId": "get_model",
                "summary": "Get a model",
                "description": "Its `latest_version.openapi_schema` is the Cog schema of its inputs and output.",
                "parameters": [_OWNER, _NAME],
                "responses": {
                    "200": {
                        **_ok("The model.", "Model"),
                        "headers": {"ETag": {"description": "Names this document.", "schema": {"type": "string"}}},
                    },
                    "304": {"description": "Not modified: `If-None-Match` names the document as it is."},
                    **_errors("404"),
                },
            }
        },
        "/v1/models/{owner}/{name}/versions": {
            "get": {
                "operationId": "list_model_versions",
                "summary": "List a model's versions",
                "parameters": [_OWNER, _NAME],
                "responses": {"200": _ok("Its versions, newest first.", "ModelVersionPage"), **_errors("404")},
            }
        },
        "/v1/models/{owner}/{name}/versions/{version_id}": {
            "get": {
                "operationId": "get_model_version",
                "summary": "Get a model's version",
                "parameters": [_OWNER, _NAME, _path("version_id", "The version's id.", "^[^/]+$")],
                "responses": {"200": _ok("The version.", "ModelVersion"), **_errors("404")},
            }
        },
        "/v1/files": {
            "post": {
                "operationId": "create_file",
                "summary": "Upload a file",
                "description": "Its `urls.get` can be given to a model's file input (`format: uri`).",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["content"],
                                "description": "A `metadata` field may hold a JSON object, kept with the file.",
                                "properties": {"content": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {"201": _ok("The file.", "File"), **_errors("400", "413")},
            },
            "get": {
                "operationId": "list_files",
                "summary": "List the files, newest first",
                "responses": {"200": _ok("The files.", "FilePage"), **_errors()},
            },
        },
        "/v1/files/{file_id}": {
            "get": {
                "operationId": "get_file",
                "summary": "Get a file",
                "parameters": [_FILE],
                "responses": {"200": _ok("The file.", "File"), **_errors("404")},
            },
            "delete": {
                "operationId": "delete_file",
                "summary": "Delete a file",
                "parameters": [_FILE],
                "responses": {"204": {"description": "Deleted."}, **_errors("404")},
            },
        },
        "/v1/files/{file_id}/download": {
            "get": {
                "operationId": "download_file",
                "summary": "Download a file",
                "parameters": [_FILE],
                "responses": {
                    "200": {
                        "description": "The file's bytes (its type is the file's `content_type`).",
                        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    **_errors("404"),
                },
            }
        },
    }


def components() -> dict[str, Any]:
    def page(item: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": ["string", "null"], "format": "uri"},
                "previous": {"type": ["string", "null"], "format": "uri"},
                "results": {"type": "array", "items": _ref(item)},
            },
        }

    nullable_text = {"type": ["string", "null"]}
    return {
        "Model": {
            "type": "object",
            "required": ["url", "owner", "name", "visibility", "latest_version"],
            "properties": {
                "url": {"type": "string", "format": "uri"},
                "owner": {"type": "string"},
                "name": {"type": "string"},
                "description": nullable_text,
                "visibility": {"type": "string", "enum": ["public", "private"]},
                "github_url": nullable_text,
                "paper_url": nullable_text,
                "license_url": nullable_text,
                "run_count": {"type": "integer", "minimum": 0},
                "cover_image_url": nullable_text,
                "default_example": {"type": ["object", "null"]},
                "latest_version": {"anyOf": [_ref("ModelVersion"), {"type": "null"}]},
            },
        },
        "ModelVersion": {
            "type": "object",
            "required": ["id", "created_at", "openapi_schema"],
            "properties": {
                "id": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "cog_version": nullable_text,
                "openapi_schema": {"type": "object", "description": "The Cog schema: `components.schemas.Input`."},
            },
        },
        "ModelPage": page("Model"),
        "ModelVersionPage": page("ModelVersion"),
        "File": {
            "type": "object",
            "required": ["id", "name", "content_type", "size", "created_at", "urls"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "content_type": {"type": "string"},
                "size": {"type": "integer", "minimum": 0},
                "etag": {"type": "string"},
                "checksums": {"type": "object", "additionalProperties": {"type": "string"}},
                "metadata": {"type": "object"},
                "created_at": {"type": "string", "format": "date-time"},
                "expires_at": {"type": ["string", "null"], "format": "date-time"},
                "urls": {
                    "type": "object",
                    "required": ["get"],
                    "properties": {"get": {"type": "string", "format": "uri"}},
                },
            },
        },
        "FilePage": page("File"),
    }


TAG = {"name": _TAGS[0], "description": "Replicate's models and files APIs."}
