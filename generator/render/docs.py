"""The API reference `generated/docs`: what every page says, decided once, then rendered as
Markdown and as self-contained HTML (one template per emitted file).

Every example shown is built here, and the tests run each of them against the local server.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from generator.cache import Store
from generator.catalog import Catalog, Entry, EntryInput, Field, Model
from generator.render._env import render
from generator.render.examples import example_input, example_output
from generator.render.markup import first_sentence, input_anchor, kept_highlights, markdown_html, pygments_css
from generator.render.python import package
from generator.render.pytypes import literal, output_annotation
from generator.spec import shared_operations, subschemas, vocabulary
from generator.spec.vocabulary import OURS

if TYPE_CHECKING:
    from generator.release import Release

WEBHOOK_EXAMPLE = "http://localhost:9000/webhooks/replicate"
_PREDICTION_ID = "$PREDICTION_ID"
_CURL_AUTH = '-H "Authorization: Bearer $REPLICATE_API_TOKEN"'
_ENV_NOTE = "REPLICATE_API_TOKEN and REPLICATE_BASE_URL from the environment"
_CHANGELOG_STORE = "changelog-html"


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    default: str  # JSON, or "" when the spec states none
    allowed: tuple[str, ...]  # JSON of each allowed value
    minimum: str
    maximum: str
    description: str
    inferred: tuple[str, ...]  # keywords read from the description, not stated by the schema


@dataclass(frozen=True)
class Example:
    language: str  # "sh" | "python"
    title: str
    code: str
    tab: str = ""  # the language tab it is shown under on HTML pages ("curl", "python", …); "" shows it alone


@dataclass(frozen=True)
class Output:
    """What a model returns, as its page shows it."""

    returns: str  # what `run()` is annotated to return
    schema: str  # the Output schema, as JSON
    example: str  # an output that fits it, as JSON


@dataclass(frozen=True)
class Page:
    path: str  # without extension, relative to docs/: `models/google/imagen-4-ultra`
    title: str
    summary: str  # the description's first sentence that says something; may be ""
    description: str
    method: str
    http_path: str
    parameters: tuple[Parameter, ...]
    request_example: str  # JSON, or ""
    examples: tuple[Example, ...]
    response_status: str
    response_example: str
    errors: tuple[tuple[str, str], ...]
    output: Output | None = None  # a model's page only
    model: Model | None = None
    source: str = ""
    link: str = ""  # the model's replicate.com page

    @property
    def root(self) -> str:
        """The way back to docs/ from this page."""
        return "../" * self.path.count("/")


@dataclass(frozen=True)
class Row:
    """A model as the index lists it: what its page says of it, from its entry."""

    path: str
    title: str
    summary: str
    description: str
    source: str
    model: Entry

    @property
    def parameters(self) -> tuple[EntryInput, ...]:
        return self.model.inputs

    @property
    def search(self) -> dict[str, Any]:
        """What assets/catalog.js says of it for the sidebar and the search. Descriptions are cut to
        their first sentence, so the file stays small at a thousand models."""
        entry = self.model
        return {
            "id": entry.id,
            "owner": entry.owner,
            "name": entry.name,
            "path": self.path,
            "summary": self.summary,
            "inputs": [[i.name, input_anchor(i.name), i.summary] for i in entry.inputs],
        }

    @classmethod
    def of(cls, entry: Entry) -> Row:
        return cls(_page_path(entry), entry.id, entry.summary, entry.description, entry.source_file, entry)


def render_docs(catalog: Catalog, entries: list[Entry], specs_label: str, release: Release) -> dict[str, str]:
    """The pages that are not one model's own (see `generator.render.models`), from every model's entry."""
    with kept_highlights(Store("highlighted")):  # the same examples and colours, run after run
        models = [Row.of(e) for e in entries]
        operations = _operation_pages(catalog, entries)
        context: dict[str, Any] = {"package": package(), "specs": specs_label, "models": models}
        context |= {"operations": operations}
        context |= {"release": release, "changelog_html": changelog_html(release.entries)}
        files = {
            "assets/site.css": render("docs/assets/site.css.jinja", specs=specs_label, pygments_css=pygments_css()),
            "assets/site.js": render("docs/assets/site.js.jinja", specs=specs_label),
            "assets/catalog.js": render(
                "docs/assets/catalog.js.jinja",
                specs=specs_label,
                operations=_search_operations(operations),
                models=models,
            ),
        }
        for ext in ("md", "html"):
            files[f"index.{ext}"] = render(f"docs/index.{ext}.jinja", page=None, **context)
            files[f"changelog.{ext}"] = render(f"docs/changelog.{ext}.jinja", page=None, **context)
            for page in operations:
                files[f"{page.path}.{ext}"] = render(f"docs/operation.{ext}.jinja", page=page, **context)
        return files


def changelog_html(entries: str) -> str:
    """The changelog's entries as HTML. Each release's entry is a block of its own (a `## version`
    heading and escaped text, `release._entry`), so the entries after the newest, which the last run
    rendered, are taken from the cache: the changelog grows by an entry every release, and
    rendering all of it each time would grow with it."""
    second = entries.find("\n## ")
    if second < 0:
        return markdown_html(entries)
    newest, earlier = entries[: second + 1], entries[second + 1 :]
    store = Store(_CHANGELOG_STORE)
    earlier_html = store.get(_text_key(earlier))
    if not isinstance(earlier_html, str):
        earlier_html = markdown_html(earlier)
    made = markdown_html(newest) + earlier_html
    store.put(_text_key(entries), made)
    return made


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def summary(model: Model) -> str:
    """What the index and search say of a model: its description's first sentence, passing over
    the page title that importers often copy into it (`创建任务 google/imagen-4-ultra`)."""
    title = str(model.source.get("title") or "")
    return first_sentence(model.description, skip=tuple(t for t in (title, model.id, model.summary) if t))


def _search_operations(operations: list[Page]) -> list[dict[str, str]]:
    """The shared operations as assets/catalog.js lists them for the sidebar and the search."""
    return [{"path": p.path, "title": p.title, "http": f"{p.method} {p.http_path}"} for p in operations]


def model_docs(model: Model) -> dict[str, str]:
    """A model's own reference pages, Markdown and HTML."""
    page = _model_page(model)
    return {
        f"{page.path}.{ext}": render(f"docs/model.{ext}.jinja", page=page, package=package()) for ext in ("md", "html")
    }


def _json_type(schema: dict[str, Any]) -> str:
    """The JSON type as an API reader expects it: `string (uri)`, `array of integer`, `number | null`."""
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return " | ".join(dict.fromkeys(_json_type(sub) for sub in schema[key]))
    declared = schema.get("type")
    if isinstance(declared, list):
        return " | ".join(_json_type({**schema, "type": t}) for t in declared)
    if declared == "array":
        items = schema.get("items")
        return f"array of {_json_type(items)}" if isinstance(items, dict) else "array"
    if declared is None:
        return "any"
    return f"{declared} ({schema['format']})" if schema.get("format") and declared == "string" else str(declared)


def _parameter(field: Field) -> Parameter:
    schema = field.schema
    values = schema.get("enum") or ([schema["const"]] if "const" in schema else [])
    return Parameter(
        name=field.name,
        type=_json_type(schema),
        required=field.required,
        default=json.dumps(schema["default"], ensure_ascii=False) if "default" in schema else "",
        allowed=tuple(json.dumps(v, ensure_ascii=False) for v in values),
        minimum=str(schema.get("minimum", schema.get("exclusiveMinimum", ""))),
        maximum=str(schema.get("maximum", schema.get("exclusiveMaximum", ""))),
        description=field.description,
        inferred=tuple(sorted(field.inferred)),
    )


def _curl(method: str, path: str, body: dict[str, Any] | None = None, headers: tuple[str, ...] = ()) -> str:
    lines = [f'curl -sS --fail-with-body -X {method} "$REPLICATE_BASE_URL{_shell_url_path(path)}"', _CURL_AUTH]
    if body is not None:
        lines.append('-H "Content-Type: application/json"')
    lines += [f'-H "{header}"' for header in headers]
    if body is not None:
        lines.append(f"-d {shlex.quote(json.dumps(body, ensure_ascii=False))}")
    return " \\\n  ".join(lines)


def _shell_url_path(path: str) -> str:
    """A URL path inside a double-quoted shell word: percent-encoded, so nothing a model name holds
    (`"`, `$`, a backtick, `!`) is read by the shell; only our `$PREDICTION_ID` expands."""
    return _PREDICTION_ID.join(quote(part, safe="/:@*'()+,;=-._~") for part in path.split(_PREDICTION_ID))


def _kwargs(model: Model, values: dict[str, Any], indent: str) -> str:
    names = {f.name: f.identifier for f in model.fields}
    return "".join(f"{indent}{names[k]}={literal(v)},\n" for k, v in values.items() if k in names)


def _model_page(model: Model) -> Page:
    values = example_input(model)
    body: dict[str, Any] = {"input": values}
    if model.version:
        body = {"version": model.version, **body}
    sync = (
        f"from {package()} import Client\n\n"
        f"with Client() as client:  # {_ENV_NOTE}\n"
        f"    output = client.{model.accessor}.run(\n{_kwargs(model, values, ' ' * 8)}    )\n"
        "    print(output)\n"
    )
    asynchronous = (
        f"import asyncio\n\nfrom {package()} import AsyncClient\n\n\n"
        "async def main() -> None:\n"
        f"    async with AsyncClient() as client:  # {_ENV_NOTE}\n"
        f"        prediction = await client.{model.accessor}.create(\n{_kwargs(model, values, ' ' * 12)}        )\n"
        "        prediction = await client.predictions.wait(prediction)\n"
        "        print(prediction.status, prediction.output)\n\n\n"
        "asyncio.run(main())\n"
    )
    webhook = {**body, "webhook": WEBHOOK_EXAMPLE, "webhook_events_filter": ["completed"]}
    examples = (
        Example("sh", "curl: create and wait up to 60 s", _curl("POST", model.path, body, ("Prefer: wait",)), "curl"),
        Example("python", "Python", sync, "python"),
        Example("python", "Python, async", asynchronous, "python-async"),
        Example("sh", "curl: with a webhook called when it completes", _curl("POST", model.path, webhook)),
    )
    operation = model.document["paths"][model.path]["post"]
    return Page(
        path=_page_path(model),
        title=model.id,
        summary=summary(model),
        description=model.description,
        method="POST",
        http_path=model.path,
        parameters=tuple(_parameter(f) for f in model.fields),
        request_example=json.dumps(body, ensure_ascii=False, indent=2),
        examples=examples,
        response_status="201",
        response_example=json.dumps(_response(model, values), ensure_ascii=False, indent=2),
        errors=_errors(operation["responses"]),
        output=Output(
            returns=output_annotation(model.output_schema, model.output_class),
            schema=json.dumps(subschemas.without(model.output_schema, OURS), ensure_ascii=False, indent=2),
            example=json.dumps(example_output(model, values), ensure_ascii=False, indent=2),
        ),
        model=model,
        source=source_file(model),
        link=model.url or "",
    )


def _page_path(model: Model | Entry) -> str:
    return f"models/{model.owner}/{model.name}"


def source_file(model: Model) -> str:
    return str(model.source.get("file") or "")


def _response(model: Model | Entry | None, values: dict[str, Any]) -> dict[str, Any]:
    """A prediction as the API returns it once it succeeded."""
    pid = "ufawqhfynnddngldkgtslldrkq"
    ext = str(values.get("output_format") or "png")
    url = f"https://replicate.delivery/xezq/{pid}/output.{ext}"
    if isinstance(model, Model):
        output: Any = example_output(model, values)
    else:
        output = url if model is not None and model.single_output else [url]
    api = f"{vocabulary.REPLICATE_BASE_URL}/v1/predictions/{pid}"
    return {
        "id": pid,
        "model": model.id if model else "owner/name",
        "version": (model.version if model else None) or "hidden",
        "input": values,
        "logs": "",
        "output": output,
        "data_removed": False,
        "error": None,
        "status": "succeeded",
        "created_at": "2026-01-01T12:00:00.000Z",
        "started_at": "2026-01-01T12:00:00.842Z",
        "completed_at": "2026-01-01T12:00:05.119Z",
        "metrics": {"predict_time": 4.277, "total_time": 5.119},
        "urls": {
            "get": api,
            "cancel": f"{api}/cancel",
            "stream": f"{api}/stream",
            "web": f"https://replicate.com/p/{pid}",
        },
    }


def _errors(responses: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((code, str(r.get("description") or "")) for code, r in responses.items() if int(code) >= 400)


_OPERATION_CALLS = {
    vocabulary.GET: (
        "import os\n\n",
        '    prediction = client.predictions.get(os.environ["PREDICTION_ID"])\n'
        "    print(prediction.status, prediction.output)\n",
    ),
    vocabulary.CANCEL: (
        "import os\n\n",
        '    prediction = client.predictions.cancel(os.environ["PREDICTION_ID"])\n    print(prediction.status)\n',
    ),
    vocabulary.LIST: (
        "import itertools\n\n",
        "    for prediction in itertools.islice(client.predictions.list(), 20):  # newest first, every page\n"
        "        print(prediction.id, prediction.model, prediction.status)\n",
    ),
}


def _operation_python(kind: str, version: str, values: dict[str, Any]) -> str:
    imports, call = _OPERATION_CALLS.get(kind, ("", ""))
    if kind == vocabulary.CREATE_BY_VERSION:
        call = (
            f"    prediction = client.predictions.create(\n        version={literal(version)},\n"
            f"        input={literal(values)},\n        wait=True,\n    )\n"
            "    print(prediction.status, prediction.output)\n"
        )
    return f"{imports}from {package()} import Client\n\nwith Client() as client:  # {_ENV_NOTE}\n{call}"


def _operation_pages(catalog: Catalog, entries: list[Entry]) -> list[Page]:
    first = entries[0] if entries else None
    values = first.example if first else {"prompt": "a red fox in the snow"}
    version = (first.version or first.id) if first else "owner/name"
    versions = catalog.versions
    operations = catalog.operations()
    pages = []
    for kind in (vocabulary.GET, vocabulary.CANCEL, vocabulary.LIST, vocabulary.CREATE_BY_VERSION):
        shared = operations[kind]
        http_path, method, operation = shared.path, shared.method, shared.operation
        body = {"version": version, "input": values} if kind == vocabulary.CREATE_BY_VERSION else None
        shown = http_path.replace("{prediction_id}", _PREDICTION_ID)
        curl = _curl(method.upper(), shown, body, ("Prefer: wait",) if body else ())
        parameters = tuple(
            Parameter(
                p["name"],
                _json_type(p["schema"]),
                bool(p.get("required")),
                "",
                (),
                "",
                "",
                str(p.get("description") or ""),
                (),
            )
            for p in operation.get("parameters") or ()
            if p["in"] in ("path", "query")
        )
        response: dict[str, Any] = _response(first, values)
        if kind == vocabulary.LIST:
            cursor = f"{vocabulary.REPLICATE_BASE_URL}/v1/predictions?cursor=Yjo0Mg%3D%3D"
            response = {"next": cursor, "previous": None, "results": [response]}
        known = ", ".join(f"`{h}` = {m}" for h, m in versions.items()) if kind == vocabulary.CREATE_BY_VERSION else ""
        pages.append(
            Page(
                path=f"operations/{shared_operations.FILES[kind].removesuffix('.yaml')}",
                title=operation["summary"],
                summary=operation["summary"],
                description=str(operation.get("description") or "") + (f"\n\nKnown versions: {known}" if known else ""),
                method=method.upper(),
                http_path=http_path,
                parameters=parameters,
                request_example=json.dumps(body, ensure_ascii=False, indent=2) if body else "",
                examples=(
                    Example("sh", "curl", curl, "curl"),
                    Example("python", "Python", _operation_python(kind, version, values), "python"),
                ),
                response_status="201" if body else "200",
                response_example=json.dumps(response, ensure_ascii=False, indent=2),
                errors=_errors(operation["responses"]),
            )
        )
    return pages
