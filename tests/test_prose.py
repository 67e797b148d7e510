from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.prose import infer


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
