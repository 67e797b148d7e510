from __future__ import annotations

from generator.naming import field_identifiers, model_accessors, pascal, snake


def test_field_names_are_made_safe_and_unique() -> None:
    names = field_identifiers(["class", "1st", "宽高比", "aspectRatio", "aspect_ratio", "wait", "model_config", "seed"])
    assert names == {
        "class": "class_",
        "1st": "field_1st",
        "宽高比": "field",
        "aspectRatio": "aspect_ratio",
        "aspect_ratio": "aspect_ratio_2",
        "wait": "wait_",  # would clash with create()'s own parameter
        "model_config": "model_config_",  # pydantic's namespace
        "seed": "seed",
    }


def test_accents_are_dropped_not_the_letters() -> None:
    assert snake("café-crème") == "cafe_creme"
    assert pascal("imagen-4-ultra") == "Imagen4Ultra"
    assert pascal("4k-upscaler") == "Model4kUpscaler"


def test_a_name_two_owners_share_is_owner_prefixed_for_both() -> None:
    accessors = model_accessors([("stability-ai", "sdxl"), ("lucataco", "sdxl"), ("google", "imagen-4-ultra")])
    assert accessors == {
        ("google", "imagen-4-ultra"): "imagen_4_ultra",
        ("lucataco", "sdxl"): "lucataco_sdxl",
        ("stability-ai", "sdxl"): "stability_ai_sdxl",
    }


def test_a_model_named_like_a_client_attribute_is_owner_prefixed() -> None:
    assert model_accessors([("acme", "predictions")]) == {("acme", "predictions"): "acme_predictions"}
