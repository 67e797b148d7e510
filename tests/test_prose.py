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
        if schema_type is not None:
            assert isinstance(item.value, python_type[schema_type])


@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_never_yields_a_default_outside_its_own_range(low: int, high: int, default: int) -> None:
    found = keywords(f"范围为 {low} 至 {high}。默认值：{default}", "integer")
    if "default" in found:
        assert low <= found["default"] <= high  # type: ignore[operator]
