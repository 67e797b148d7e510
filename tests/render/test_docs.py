"""The API reference: every example on every page runs, links resolve, HTML is self-contained and
escapes what documents say, the OpenAPI bundle is valid, and a real browser can use the index."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import pytest
import yaml
from markdown_it import MarkdownIt
from openapi_spec_validator import validate as validate_openapi

from generator import release
from generator.build.generate import generated_tree
from generator.cache import Store
from generator.catalog import load_catalog
from generator.release import diff
from generator.render import highlight, markup
from generator.render.docs import changelog_html
from generator.render.examples import required_input
from generator.render.markup import markdown_html
from generator.server import ServerConfig, create_app, running
from generator.spec import api_operations
from tests.conftest import GENERATED, ROOT, SPECS, TOKEN, Generated, cli, run_example

# The models the committed tree holds, whatever they are: `owner/name` from each spec's path.
MODEL_IDS = sorted(str(path.relative_to(SPECS).with_suffix("")) for path in SPECS.rglob("*.yaml"))

DOCS = GENERATED / "docs"
ARTIFACTS = ROOT / "test-artifacts"
_MD_BLOCK = re.compile(r"```(sh|python)\n(.*?)```", re.DOTALL)
_HTML_BLOCK = re.compile(r'<pre><code class="language-(sh|python) hl">(.*?)</code></pre>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def examples() -> dict[tuple[str, str], list[str]]:
    """(language, code) -> the pages showing it, from the Markdown and the HTML pages alike."""
    found: dict[tuple[str, str], list[str]] = {}
    for page in sorted(DOCS.rglob("*.md")) + sorted(DOCS.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        blocks = _MD_BLOCK.findall(text) if page.suffix == ".md" else _HTML_BLOCK.findall(text)
        for language, code in blocks:
            code = code if page.suffix == ".md" else html.unescape(_TAG.sub("", code))  # Pygments' spans
            found.setdefault((language, code.strip()), []).append(page.relative_to(DOCS).as_posix())
    return found


EXAMPLES = examples()


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with running(create_app(SPECS, ServerConfig(tokens=(TOKEN,)))) as url:
        yield url


def test_every_page_shows_the_same_examples_in_markdown_and_html() -> None:
    for (_, code), pages in EXAMPLES.items():
        formats = {Path(p).suffix for p in pages}
        assert formats == {".md", ".html"}, (pages, code[:80])
    model_pages = list((DOCS / "models").rglob("*.md"))
    assert len([k for k in EXAMPLES if k[0] == "sh"]) >= 2 * len(model_pages) + 4  # curl on every page


@pytest.mark.parametrize(
    ("language", "code"),
    list(EXAMPLES),
    ids=[f"{lang}:{pages[0]}:{n}" for n, ((lang, _), pages) in enumerate(EXAMPLES.items())],
)
def test_the_example_runs_against_the_local_server(
    language: str, code: str, server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = load_catalog(SPECS).models[0]  # get, cancel and list examples need a prediction of any model
    body = {"input": required_input(model), **({"version": model.version} if model.version else {})}
    created = httpx.post(f"{server_url}{model.path}", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert created.is_success, created.text
    env = {"REPLICATE_BASE_URL": server_url, "REPLICATE_API_TOKEN": TOKEN, "PREDICTION_ID": created.json()["id"]}
    if language == "python":
        run_example(code, env, tmp_path, monkeypatch)
        return
    command = ["bash", "-euo", "pipefail", "-c", code]
    result = subprocess.run(
        command, cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"id"' in result.stdout  # curl printed a prediction (or a page of them), not an error


def _links(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    if page.suffix == ".html":
        return [html.unescape(h) for h in re.findall(r'(?:href|src)="([^"]*)"', text)]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    inline = [child for token in tokens for child in token.children or ()]
    return [str(t.attrs.get("href") or t.attrs.get("src")) for t in inline if t.type in ("link_open", "image")]


def test_every_link_resolves() -> None:
    for page in sorted(DOCS.rglob("*.md")) + sorted(DOCS.rglob("*.html")):
        for link in _links(page):
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                assert parts.netloc == "replicate.com", (page, link)  # the model's own page, nothing loaded
                continue
            target = (page.parent / parts.path).resolve() if parts.path else page
            assert target.is_file(), (page, link)
            if parts.fragment:
                assert f'id="{parts.fragment}"' in target.read_text(encoding="utf-8"), (page, link)


def test_html_pages_are_self_contained_and_readable_on_a_phone() -> None:
    """Pages load only the site's own files, by relative paths, so the reference works from
    `file://` and offline; nothing is fetched from elsewhere."""
    assets = {"assets/site.css", "assets/site.js", "assets/catalog.js"}
    assert all((DOCS / asset).is_file() for asset in assets)
    for page in DOCS.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
        loaded = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="([^"]*)"', text)
        root = "../" * len(page.relative_to(DOCS).parent.parts)
        assert sorted(loaded) == sorted(root + asset for asset in assets), (page, loaded)
        assert "@import" not in text and "url(" not in text
    for asset in assets:
        text = (DOCS / asset).read_text(encoding="utf-8")
        assert "url(" not in text and "@import" not in text and "fetch(" not in text and "XMLHttpRequest" not in text


def test_html_escapes_what_documents_say(project: Path) -> None:
    spec = project / "specs" / "models" / "google" / "imagen-4-ultra.yaml"
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    document["paths"]["/v1/models/google/imagen-4-ultra/predictions"]["post"]["description"] = (
        "<script>alert(1)</script>"
    )
    document["components"]["schemas"]["Input"]["properties"]["prompt"]["description"] = 'a "<b>bold</b>" & <img src=x>'
    spec.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    page = generated_tree(project / "specs" / "models")["docs/models/google/imagen-4-ultra.html"].decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    index = generated_tree(project / "specs" / "models")["docs/index.html"].decode()
    assert "<script>alert(1)" not in index


def test_markdown_pages_show_what_documents_say_as_text(project: Path) -> None:
    """Rendered by a Markdown renderer that allows raw HTML (as GitHub's first pass does), a hostile
    document still gives no HTML, no link but to http(s), and a table with every row's cells."""
    spec = project / "specs" / "models" / "google" / "imagen-4-ultra.yaml"
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    operation = document["paths"]["/v1/models/google/imagen-4-ultra/predictions"]["post"]
    operation["description"] = "<script>alert(1)</script> [click](javascript:alert(1)) <javascript:alert(2)>"
    prompt = document["components"]["schemas"]["Input"]["properties"]["prompt"]
    prompt["description"] = "a | pipe, `tick`, <img src=x onerror=alert(3)>\nand a second line"
    document["components"]["schemas"]["Input"]["properties"]["odd`|name"] = {"type": "string", "enum": ["a|b", "``"]}
    spec.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    page = generated_tree(project / "specs" / "models")["docs/models/google/imagen-4-ultra.md"].decode()
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(page)
    assert "<script" not in rendered and "<img" not in rendered and "javascript:" not in _hrefs(rendered)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    rows = [line for line in page.splitlines() if line.startswith("| ")]
    inputs = rows[: len(document["components"]["schemas"]["Input"]["properties"]) + 1]
    assert all(_cells(row) == rows[0].count(" | ") for row in inputs)
    assert "<code>odd`|name</code>" in rendered and "<code>&quot;a|b&quot;</code>" in rendered


def _hrefs(rendered: str) -> str:
    return " ".join(re.findall(r'href="([^"]*)"', rendered))


def _cells(row: str) -> int:
    """Cell separators of a GFM table row: ` | ` not escaped as `\\|`."""
    return len(re.findall(r"(?<!\\) \| ", row))


def test_the_openapi_bundle_is_valid_and_holds_every_model() -> None:
    bundle = yaml.safe_load((GENERATED / "openapi.yaml").read_text(encoding="utf-8"))
    validate_openapi(bundle)
    # Whatever models the committed tree holds: each one's create path, and the shared operations.
    specs = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(SPECS.rglob("*.yaml"))]
    model_paths = {path for spec in specs for path in spec["paths"]}
    shared = {"/v1/predictions", "/v1/predictions/{prediction_id}", "/v1/predictions/{prediction_id}/cancel"}
    api = set(api_operations.paths())  # the models and files APIs, which the local server answers too
    assert set(bundle["paths"]) == model_paths | shared | api
    operation_ids = [op["operationId"] for item in bundle["paths"].values() for op in item.values()]
    pinned = sum(1 for spec in specs if "/v1/predictions" in spec["paths"])  # listed under the shared create
    api_count = sum(len(item) for item in api_operations.paths().values())
    assert len(operation_ids) == len(set(operation_ids)) == len(specs) - pinned + 4 + api_count
    for path in model_paths - shared:
        created = bundle["paths"][path]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
        assert created["$ref"].removeprefix("#/components/schemas/") in bundle["components"]["schemas"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example"])
def test_only_http_links_become_links(tmp_path: Path, url: str) -> None:
    from tests.validate.test_handwritten import MINIMAL

    assert MINIMAL is not None
    document = yaml.safe_load(MINIMAL.group(1))
    document["info"]["x-model"]["url"] = url
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "tiny.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    tree = generated_tree(tmp_path)
    for name in ("docs/models/acme/tiny.html", "docs/models/acme/tiny.md", "openapi.yaml"):
        assert url not in tree[name].decode() and "javascript:" not in tree[name].decode(), name


def test_curl_examples_never_let_the_shell_read_a_model_name(tmp_path: Path) -> None:
    """A model owner may hold `"`, `$(...)`, backticks: the curl examples percent-encode the path, so
    pasting them runs nothing, and the URL still names the model."""
    from tests.validate.test_handwritten import MINIMAL

    assert MINIMAL is not None
    owner = "o\"$(>PWNED)`>PWNED2`!x'"
    document = yaml.safe_load(MINIMAL.group(1))
    document["info"]["x-model"]["owner"] = owner
    document["paths"] = {path.replace("/acme/", f"/{owner}/"): item for path, item in document["paths"].items()}
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "odd.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert cli("validate", "--specs", str(tmp_path / "specs")).returncode == 0
    page = generated_tree(tmp_path / "specs")[f"docs/models/{owner}/tiny.md"].decode()
    blocks = re.findall(r"```sh\n(.*?)```", page, re.DOTALL)
    assert blocks
    script = 'curl() { for a in "$@"; do printf \'%s\\n\' "$a"; done; }\nREPLICATE_BASE_URL=http://h\n' + "\n".join(
        blocks
    )
    shown = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert shown.returncode == 0, shown.stderr
    assert not list(tmp_path.glob("PWNED*"))
    urls = [line for line in shown.stdout.splitlines() if line.startswith("http://h/")]
    assert urls and all(unquote(urlsplit(u).path) == f"/v1/models/{owner}/tiny/predictions" for u in urls)


def test_the_changelog_page_is_the_same_whether_its_earlier_entries_come_from_the_cache_or_not() -> None:
    messages = ["input `[x]: http://evil.example` added", "```\nfenced", "<b>raw</b> * not a list", "## not a heading"]
    entries = ""
    for number, message in enumerate(messages, start=1):
        change = diff.Change(f"acme/model-{number}", "prompt", "description", diff.DOCS, message)
        entries = release._entry(f"0.1.{number}", "1 change(s), 0 breaking", (change,)) + entries
        assert changelog_html(entries) == markdown_html(entries)  # the earlier entries taken from the cache
    assert changelog_html(entries + "\n") == markdown_html(entries + "\n")  # none of them cached
    assert entries.count("<h2>") == 0 and changelog_html(entries).count("<h2>") == len(messages)


def test_highlighted_code_and_colours_kept_for_the_shared_pages_come_back_as_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_CODEGEN_CACHE", str(tmp_path))
    code = 'curl -s "http://h/v1/predictions/$ID" -H "Authorization: Bearer $TOKEN" # <b>'
    with markup.kept_highlights(Store("highlighted")):
        made = markup.code_html(code, "sh"), markup.pygments_css()
    assert "<b>" not in made[0] and "&lt;b&gt;" in made[0] and ".hl .k" in made[1]

    def unused(*args: object) -> str:
        raise AssertionError("highlighted again")

    monkeypatch.setattr(highlight, "spans", unused)
    monkeypatch.setattr(highlight, "css", unused)
    with markup.kept_highlights(Store("highlighted")):
        assert (markup.code_html(code, "sh"), markup.pygments_css()) == made
    with pytest.raises(AssertionError, match="highlighted again"):  # a model's own page: kept whole instead
        markup.code_html(code, "sh")


def test_every_model_page_says_what_run_returns_with_an_output_that_fits_its_schema(
    replicate_catalogue: Generated,
) -> None:
    import re

    import jsonschema_rs

    returned = {}
    for model in load_catalog(replicate_catalogue.specs).models:
        pages = replicate_catalogue.out / "docs" / "models" / model.owner
        assert '<h2 id="output">Output</h2>' in (pages / f"{model.name}.html").read_text(encoding="utf-8")
        markdown = (pages / f"{model.name}.md").read_text(encoding="utf-8")
        section = markdown.split("## Output", 1)[1].split("## Response", 1)[0]
        returned[model.id] = re.findall(r"`run\(\)` returns `([^`]+)`", section)[0]
        schema, example = (json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", section, re.S))
        assert jsonschema_rs.Draft202012Validator(schema).is_valid(example), (model.id, example)
        response = json.loads(re.findall(r"```json\n(.*?)\n```", markdown.split("## Response", 1)[1], re.S)[0])
        assert response["output"] == example, model.id  # the response shows that same output
    assert returned["suno-ai/bark"] == "BarkOutput"  # an object: its TypedDict
    assert returned["meta/meta-llama-3-8b-instruct"] == "list[str]"  # tokens, not files
    assert returned["black-forest-labs/flux-schnell"] == "list[FileOutput]"
