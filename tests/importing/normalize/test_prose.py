from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.importing.prose import infer


def keywords(description: str, schema_type: str | None) -> dict[str, object]:
    found, _ = infer(description, schema_type)
    return {item.keyword: item.value for item in found}


@pytest.mark.parametrize(
    ("description", "schema_type", "expected"),
    [
        ("长宽比。默认值:“1:1”。", "string", {"default": "1:1"}),
        ("长宽比。默认值：“1:1”。", "string", {"default": "1:1"}),
        ('默认值:\\"any\\"', "string", {"default": "any"}),
        ("默认值:“None”。", "string", {"default": "None"}),  # a real value, not null
        ("默认1:1", "string", {"default": "1:1"}),
        ("默认值：2", "integer", {"default": 2}),
        ("默认值：false。", "boolean", {"default": False}),
        ('Default: "832*480"', "string", {"default": "832*480"}),
        ("Default: 81.", "integer", {"default": 81}),
        ("Default: 0.5.", "number", {"default": 0.5}),
        ("最小值：0，最大值：1", "number", {"minimum": 0, "maximum": 1}),
        ("最低：1", "integer", {"minimum": 1}),
        ("范围为 0 至 100", "integer", {"minimum": 0, "maximum": 100}),
        ("Minimum: 1, Maximum: 4", "integer", {"minimum": 1, "maximum": 4}),
        ("图像生成的文字提示。", "string", {}),
        ("生成图像的长宽比。支持1:1，16:9，9:16", "string", {"enum": ["1:1", "16:9", "9:16"]}),
        ("可选值：a、b、c。默认值：“b”", "string", {"enum": ["a", "b", "c"], "default": "b"}),
        (
            'Output format. One of: webp, jpg, png. Default: "webp"',
            "string",
            {"enum": ["webp", "jpg", "png"], "default": "webp"},
        ),
        ("Allowed values: 1, 2, 4", "integer", {"enum": [1, 2, 4]}),
        ("Scale: one of 1.5, 2 or 2.5.", "number", {"enum": [1.5, 2, 2.5]}),
        (
            "速度模式。支持Off，Balanced，Fast。默认值：“Balanced”",
            "string",
            {"enum": ["Off", "Balanced", "Fast"], "default": "Balanced"},
        ),
        ("Resolution. Supports 832*480 and 1280*720.", "string", {"enum": ["832*480", "1280*720"]}),
        ("支持中文和英文提示", "string", {}),  # a sentence about support, not a list of values
        (
            "block_low_and_above 是最严格的，block_medium_and_above 会阻止一些提示，block_only_high 是最宽松的。"
            "默认值：“block_only_high”",
            "string",
            {
                "enum": ["block_low_and_above", "block_medium_and_above", "block_only_high"],
                "default": "block_only_high",
            },
        ),
    ],
)
def test_reads_what_the_prose_states(description: str, schema_type: str, expected: dict[str, object]) -> None:
    assert keywords(description, schema_type) == expected


def test_bounds_are_not_read_on_strings() -> None:
    assert keywords("最大值：100", "string") == {}


def test_a_default_that_contradicts_the_type_is_dropped_with_a_warning() -> None:
    found, warnings = infer("默认值：abc", "integer")
    assert found == []
    assert warnings == ["default 'abc' in '默认值：abc' contradicts type integer; ignored"]


def test_a_default_outside_the_stated_range_is_dropped_with_a_warning() -> None:
    found, warnings = infer("默认值：200，最大值：100", "integer")
    assert {i.keyword for i in found} == {"maximum"}
    assert "above the stated maximum 100" in warnings[0]


def test_evidence_names_the_words_read() -> None:
    (item,), _ = infer("长宽比。默认值:“1:1”。", "string")
    assert item.evidence == "默认值:“1:1”"


@given(st.text(), st.sampled_from(["string", "integer", "number", "boolean", None]))
def test_never_crashes_and_types_every_value(description: str, schema_type: str | None) -> None:
    found, _ = infer(description, schema_type)
    python_type = {"string": str, "integer": int, "number": (int, float), "boolean": bool}
    for item in found:
        values = item.value if item.keyword == "enum" else [item.value]
        if schema_type is not None:
            assert all(isinstance(value, python_type[schema_type]) for value in values)


@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_never_yields_a_default_outside_its_own_range(low: int, high: int, default: int) -> None:
    found = keywords(f"范围为 {low} 至 {high}。默认值：{default}", "integer")
    if "default" in found:
        assert low <= found["default"] <= high  # type: ignore[operator]


def test_an_open_ended_list_gives_no_enum_and_says_so() -> None:
    found, warnings = infer("支持 jpg、png 等", "string")
    assert found == []
    assert warnings == ["'支持 jpg、png 等' reads like a list of values but is open-ended; no enum inferred"]


def test_a_list_of_values_that_contradict_the_type_gives_no_enum() -> None:
    found, warnings = infer("可选值：1，2，auto", "integer")
    assert found == []
    assert "not all integers" in warnings[0]


def test_a_default_outside_the_stated_values_is_dropped_with_a_warning() -> None:
    assert keywords("支持1:1，16:9。默认值：“4:3”", "string") == {"enum": ["1:1", "16:9"]}
    _, warnings = infer("支持1:1，16:9。默认值：“4:3”", "string")
    assert "not one of the stated values" in warnings[0]


_VALUE = st.text(alphabet="abcxyz019:_*", min_size=1, max_size=6)
_SEPARATOR = st.sampled_from(["，", ",", "、", " or ", "/", ", "])
_PHRASE = st.sampled_from(["支持", "可选值：", "One of: ", "Allowed values: ", "选项:"])
_DEFAULT = st.sampled_from(["默认值：“{}”", "默认值:{}", 'Default: "{}"', "默认{}", "Default: {}."])


@given(st.lists(_VALUE, min_size=1, max_size=6), _VALUE, _SEPARATOR, _PHRASE, _DEFAULT, st.booleans())
def test_never_yields_a_default_outside_its_own_enum(
    values: list[str], default: str, separator: str, phrase: str, default_phrase: str, default_first: bool
) -> None:
    listed = phrase + separator.join(values)
    stated = default_phrase.format(default)
    found = keywords(f"{stated}。{listed}。" if default_first else f"{listed}。{stated}", "string")
    if "default" in found and "enum" in found:
        assert found["default"] in found["enum"]  # type: ignore[operator]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_keywords_are_marked_with_words_from_the_description(description: str) -> None:
    found, _ = infer(description, None)
    for item in found:
        assert item.evidence and item.evidence in description


@pytest.mark.parametrize(
    ("description", "schema_type", "expected"),
    [
        # An explicit bound beats a suggested range; the range fills the bound not stated.
        ("步数。建议范围为 28-50。最小值：1，最大值：100", "integer", {"minimum": 1, "maximum": 100}),
        ("步数。建议范围为 28-50。最大值：60", "integer", {"minimum": 28, "maximum": 60}),
        ("Steps. Minimum value: 4, maximum value: 50.", "integer", {"minimum": 4, "maximum": 50}),
        ("0 = Random, maximum value: 2147483647.", "integer", {"maximum": 2147483647}),
        ("数量，最大值为 4", "integer", {"maximum": 4}),
        # "N is the maximum allowed", unless a maximum is stated outright.
        ("安全容差。2 是目前允许的最大值。默认值：2", "integer", {"maximum": 2, "default": 2}),
        ("Tolerance. 2 is the maximum allowed when using input images.", "integer", {"maximum": 2}),
        (
            "2 是目前使用输入图像时允许的最大值。默认值：2。最小值：0，最大值：6。",
            "integer",
            {"minimum": 0, "maximum": 6, "default": 2},
        ),
        ("Aspect ratio. Defaults to 1:1.", "string", {"default": "1:1"}),
        ('默认值："None"', "string", {"default": "None"}),
    ],
)
def test_rules_a_careful_reader_uses(description: str, schema_type: str, expected: dict[str, object]) -> None:
    assert keywords(description, schema_type) == expected


def test_a_fractional_bound_on_an_integer_widens_it_to_number_with_a_warning() -> None:
    found, warnings = infer("默认值：60。最小值：1.5，最大值：100。", "integer")
    assert {item.keyword: item.value for item in found} == {
        "type": "number",
        "minimum": 1.5,
        "maximum": 100,
        "default": 60,
    }
    assert warnings == ["type integer widened to number: '最小值：1.5' states a fractional minimum"]


@pytest.mark.parametrize(
    ("description", "example"),
    [
        ("长宽比。支持 1:1，16:9。使用“match_input_image”来匹配输入图像。默认值：“match_input_image”", "1:1"),
        ('Aspect ratio. One of: 1:1, 16:9. Default: "match_input_image"', "match_input_image"),
    ],
)
def test_a_default_missing_from_the_list_joins_it_when_named_as_a_choice_or_used(
    description: str, example: str
) -> None:
    found, warnings = infer(description, "string", example)
    values = {item.keyword: item.value for item in found}
    assert values == {"enum": ["1:1", "16:9", "match_input_image"], "default": "match_input_image"}
    assert warnings == []


def test_a_default_missing_from_the_list_is_still_dropped_when_nothing_names_it() -> None:
    found, warnings = infer('One of: 1:1, 16:9. Default: "match_input_image"', "string", "1:1")
    assert {item.keyword: item.value for item in found} == {"enum": ["1:1", "16:9"]}
    assert "not one of the stated values" in warnings[0]


def test_a_template_placeholder_in_the_example_does_not_count_as_use() -> None:
    found, _ = infer('One of: a, b. Default: "string"', "string", "string")
    assert "default" not in {item.keyword for item in found}
