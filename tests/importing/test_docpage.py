"""Doc pages in layouts the samples do not hold: the same rules, read wherever things stand."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from generator import importing
from generator.errors import InputError
from generator.importing.normalize import normalize
from generator.importing.normalize.spec import NormalizedSpec
from generator.spec.vocabulary import inferred
from tests.growth import superlinear

HASH = "a" * 64


def page(tmp_path: Path, text: str, name: str = "page.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def spec_of(path: Path) -> NormalizedSpec:
    [endpoint] = importing.load(path)
    return normalize(endpoint)


def inputs(spec: NormalizedSpec) -> dict[str, Any]:
    properties: dict[str, Any] = spec.document["components"]["schemas"]["Input"]["properties"]
    return properties


PIPE_TABLE = """\
Docs home
## Generate an image with acme/painter
**Endpoint**: `https://api.acme.test/replicate/v1/models/acme/painter/predictions`
**Method**: `POST`

### Body
| Name | Type | Required | Description |
|------|------|----------|-------------|
| input | object | yes | |
| prompt | string | yes | What to paint. |
| steps | integer | no | Denoising steps. Default: 30. Minimum: 1, Maximum: 80. |
| style | string | no | One of: oil, ink, pastel. Default: "ink". |

### Example
```json
{
  "input": {"prompt": "a fox", "steps": 30, "style": "oil"}
}
```
"""


def test_a_pipe_table_with_labels_below_the_title_and_no_child_marks(tmp_path: Path) -> None:
    spec = spec_of(page(tmp_path, PIPE_TABLE))
    assert spec.key == "acme/painter"
    fields = inputs(spec)
    assert list(fields) == ["prompt", "steps", "style"]  # flat listing: the fields after `input` are its own
    assert spec.document["components"]["schemas"]["Input"]["required"] == ["prompt"]
    assert (fields["steps"]["default"], fields["steps"]["minimum"], fields["steps"]["maximum"]) == (30, 1, 80)
    assert fields["style"]["enum"] == ["oil", "ink", "pastel"]
    assert fields["style"]["default"] == "ink"


TOKEN_RUN = """\
Create task acme/upscaler
POST https://x.test/replicate/v1/predictions
Official docs: https://replicate.com/acme/upscaler
Body Parameters application/json
version string
Required
input object
Required
image
string
Required
Example:
https://example.com/a.png
scale
number
Optional
Default Value:
2
Scale factor.
webhook string
Optional
Example
{
  "version": "acme/upscaler:HASH",
  "input": {"image": "https://example.com/a.png", "scale": 4}
}
"""


def test_a_token_run_listing_nests_the_replicate_way_and_keeps_explicit_defaults(tmp_path: Path) -> None:
    spec = spec_of(page(tmp_path, TOKEN_RUN.replace("HASH", HASH)))
    assert spec.kind == "model-version"
    assert spec.document["info"]["x-model"]["version"] == HASH
    fields = inputs(spec)
    assert list(fields) == ["image", "scale"]  # `webhook` is the request's own key, not an input
    assert fields["scale"]["default"] == 2
    assert fields["scale"]["description"] == "Scale factor."
    assert spec.document["components"]["schemas"]["Input"]["required"] == ["image"]


def test_a_glued_parameter_table_gives_header_parameters(tmp_path: Path) -> None:
    text = (
        "Create Task acme/painter\nEndpoint\nPOST http://x.test/replicate/v1/models/acme/painter/predictions\n"
        "Parameters\nNameInDescriptionRequired\nAuthorizationheaderYour tokenYes\nRequest Body\nExample\n"
        '{\n  "input": {"prompt": "a fox"}\n}\n'
    )
    [endpoint] = importing.load(page(tmp_path, text))
    [parameter] = endpoint.parameters
    assert (parameter.name, parameter.location, parameter.required) == ("Authorization", "header", True)


def test_a_page_with_only_a_curl_command_is_read_and_says_what_was_guessed(tmp_path: Path) -> None:
    text = (
        "acme painter\n\ncurl -X POST 'https://x.test/replicate/v1/models/acme/painter/predictions' \\\n"
        '  -H \'Authorization: Bearer $TOKEN\' \\\n  -d \'{"input": {"prompt": "it\'\\\'\'s a fox", "n": 2}}\'\n'
    )
    spec = spec_of(page(tmp_path, text))
    assert spec.key == "acme/painter"
    assert {name: p["type"] for name, p in inputs(spec).items()} == {"prompt": "string", "n": "integer"}
    assert any("read from the curl command (line 3)" in w for w in spec.warnings)
    assert spec.document["paths"]["/v1/models/acme/painter/predictions"]["post"]["requestBody"]["content"][
        "application/json"
    ]["example"] == {"input": {"prompt": "it's a fox", "n": 2}}


def test_a_display_name_in_the_title_is_slugged_with_a_warning(tmp_path: Path) -> None:
    text = (
        "Create Task Recraft AI/Recraft V3\nPOST /replicate/v1/models/{model}/predictions\n"
        '{\n"input": {"prompt": "x"}\n}\n'
    )
    spec = spec_of(page(tmp_path, text))
    assert spec.key == "recraft-ai/recraft-v3"
    assert any("guessed from the display name 'Recraft AI/Recraft V3'" in w for w in spec.warnings)


def test_a_path_parameter_example_names_the_model_of_a_templated_path(tmp_path: Path) -> None:
    text = (
        "使用官方模型创建任务\nPOST\n/replicate/v1/models/{model}/predictions\nPath 参数\nmodel\nstring\n必需\n"
        "示例值:\nacme/painter\nBody 参数application/json\ninput\nobject\n必需\nprompt\nstring\n必需\n示例\n"
        '{\n"input": {"prompt": "x"}\n}\n'
    )
    spec = spec_of(page(tmp_path, text))
    assert spec.key == "acme/painter"
    assert spec.warnings == []


def test_a_broken_example_is_repaired_or_skipped_and_the_rest_imports(tmp_path: Path) -> None:
    text = (
        "Create task acme/painter\nPOST /replicate/v1/models/acme/painter/predictions\nRequest Example\n"
        '{\n  "input": {\n    "prompt": "the words "FOX" in red",\n    "n": 1\n  }\n}\n'
        "Response\n200 OK\n"
        '{\n  "id": "x", "status": "starting", "output": [1, 2,, 3]\n}\n'
    )
    spec = spec_of(page(tmp_path, text))
    example = spec.document["paths"]["/v1/models/acme/painter/predictions"]["post"]["requestBody"]["content"][
        "application/json"
    ]["example"]
    assert example["input"]["prompt"] == 'the words "FOX" in red'
    assert any("unescaped quotes inside a string on line(s) 6; repaired" in w for w in spec.warnings)
    assert any("at line 12 is not valid JSON" in w and "skipped" in w for w in spec.warnings)


def test_a_page_cut_inside_its_example_is_refused_at_the_line_it_starts(tmp_path: Path) -> None:
    text = 'Create task acme/painter\nPOST /replicate/v1/models/acme/painter/predictions\nExample\n{\n  "input": {\n'
    with pytest.raises(InputError) as caught:
        importing.load(page(tmp_path, text))
    assert caught.value.line == 4
    assert "truncated" in caught.value.message


def test_a_page_naming_a_method_a_path_and_an_example_is_never_unrecognised(tmp_path: Path) -> None:
    text = 'whatever site\n\nsomething POST /replicate/v1/models/a/b/predictions\n\n{"input": {"x": 1}}\n'
    [endpoint] = importing.load(page(tmp_path, text))
    assert endpoint.source.format == "doc-page"
    assert (endpoint.method, endpoint.path) == ("POST", "/replicate/v1/models/a/b/predictions")


def test_flattened_openapi_yaml_is_refused_at_its_line(tmp_path: Path) -> None:
    text = "Create task a/b\nyaml\nopenapi: 3.0.1\ninfo:\ntitle: ''\nversion: 1.0.0\npaths:\n"
    with pytest.raises(InputError) as caught:
        importing.load(page(tmp_path, text))
    assert caught.value.line == 3
    assert "indentation was lost" in caught.value.message


MARKDOWN = """\
# Create task acme/painter

## OpenAPI Specification

```yaml
openapi: 3.0.1
info:
  title: ''
  version: 1.0.0
paths:
  /replicate/v1/models/acme/painter/predictions:
    post:
      summary: Create task acme/painter
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                input:
                  type: object
                  properties:
                    steps:
                      type: integer
                      description: Steps. Default: 30. Minimum: 1.
                    note:
                      type: string
                      description: >-
                        Free text. Example: a: b.
      responses: {}
```
"""


def test_a_markdown_export_with_plain_scalars_holding_colons_is_repaired(tmp_path: Path) -> None:
    spec = spec_of(page(tmp_path, MARKDOWN, "page.md"))
    assert inputs(spec)["steps"]["default"] == 30
    assert inputs(spec)["note"]["description"] == "Free text. Example: a: b."  # a folded block stays as it was
    assert any("quoted on line(s) 25" in w for w in spec.warnings)


def test_a_markdown_page_whose_fences_hold_no_openapi_is_a_doc_page(tmp_path: Path) -> None:
    text = (
        "# Create task acme/painter\n\n**Method**: `POST`\n"
        "**Endpoint**: `/replicate/v1/models/acme/painter/predictions`\n"
        "\n```text\ninput\nobject\nRequired\nprompt\nstring\nRequired\n```\n"
        '\n```json\n{"input": {"prompt": "x"}}\n```\n'
    )
    [endpoint] = importing.load(page(tmp_path, text, "page.md"))
    assert endpoint.source.format == "doc-page"
    assert endpoint.title == "Create task acme/painter"


def test_a_template_example_gives_types_but_its_placeholders_are_no_defaults(tmp_path: Path) -> None:
    text = (
        "Create task acme/painter\nPOST /replicate/v1/models/acme/painter/predictions\n"
        '{\n  "input": {"prompt": "string", "steps": 0, "tiled": true, "scale": 0.5}\n}\n'
    )
    fields = inputs(spec_of(page(tmp_path, text)))
    assert {name: p["type"] for name, p in fields.items()} == {
        "prompt": "string",
        "steps": "integer",
        "tiled": "boolean",
        "scale": "number",
    }
    assert not any("default" in p for p in fields.values())
    assert all(inferred(p) == {"type": "the request example"} for p in fields.values())


_HEAD = "Create task a/b\nPOST /replicate/v1/models/a/b/predictions\n"


@pytest.mark.parametrize(
    ("head", "unit", "count", "tail"),
    [
        (_HEAD, "a ", 50_000, ""),
        (_HEAD, '{"\n', 30_000, ""),
        (_HEAD + "| Name | Type |\n", "| a | string |\n", 7_000, ""),
        (_HEAD, "name\nstring\nRequired\n", 8_000, ""),
        (_HEAD, "curl -X POST 'http://x/replicate/v1/models/a/b/predictions' \\\n", 2_000, ""),
        (_HEAD + '{\n"input": {"p": "', '"', 100_000, '"}\n}\n'),
        ("Create ", "A ", 50_000, "/ B\nPOST /replicate/v1/models/{model}/predictions\n"),
    ],
    ids=["words", "open-braces", "table", "token-runs", "curls", "quotes", "long-title"],
)
def test_a_100_kb_adversarial_page_is_read_in_linear_time(
    tmp_path: Path, head: str, unit: str, count: int, tail: str
) -> None:
    """Not a speed target: a quadratic scan of 100 KB takes minutes, a linear one well under a second.
    Judged by CPU time against the same page with a quarter of the repeats (`tests.growth`)."""

    def load(repeats: int) -> None:
        with contextlib.suppress(InputError):
            importing.load(page(tmp_path, head + unit * repeats + tail))

    assert superlinear(load, count) is None
