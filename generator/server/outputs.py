"""Outputs that fit each model's Output schema, and the files behind their URLs.

A value is made from the schema: text for a string, the tokens of a text for an iterator (Cog's
`x-cog-array-type: iterator`, streamed as they come), a URL for a `format: uri` string, an object of
its properties, bounds and enums kept. A URL names a file worked out again from the prediction's input
when it is downloaded (an image in the `output_format` asked for, with its size from the input; a WAV
for `wav`), so the server keeps no file bytes: 10,000 predictions cost their JSON only.
"""

from __future__ import annotations

import hashlib
import io
import re
import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image

from generator.subschemas import schema_object

_FORMATS = {
    "png": ("PNG", "image/png", "png"),
    "jpg": ("JPEG", "image/jpeg", "jpg"),
    "jpeg": ("JPEG", "image/jpeg", "jpg"),
    "webp": ("WEBP", "image/webp", "webp"),
    "gif": ("GIF", "image/gif", "gif"),
    "wav": ("WAV", "audio/wav", "wav"),
}
_LONG_SIDE = 1024
_MAX_SIDE = 4096
_RATIO = re.compile(r"(?<![\s\d.])\s*+(\d++(?:\.\d++)?)\s*+[:x*×]\s*+(\d++(?:\.\d++)?)\s*+")
_SHORTHAND = re.compile(r"(?<!\s)\s*+([1-4])\s*+[kK]\s*+")


@dataclass(frozen=True)
class ImageFile:
    width: int
    height: int
    pillow_format: str
    mime: str
    ext: str
    color: tuple[int, int, int]

    def render(self) -> bytes:
        buffer = io.BytesIO()
        if self.pillow_format == "WAV":  # a tenth of a second of silence
            with wave.open(buffer, "wb") as sound:
                sound.setnchannels(1)
                sound.setsampwidth(2)
                sound.setframerate(16000)
                sound.writeframes(b"\0\0" * 1600)
        else:
            Image.new("RGB", (self.width, self.height), self.color).save(buffer, format=self.pillow_format)
        return buffer.getvalue()


def output_file(prediction_id: str, model_input: dict[str, Any], index: int) -> ImageFile:
    """The `index`-th output file: an image in the format `output_format` names (a WAV for `wav`),
    its size from `width`/`height`, `resolution` or `aspect_ratio`; the same seed gives the same image."""
    pillow_format, mime, ext = _FORMATS.get(str(model_input.get("output_format") or "png").lower(), _FORMATS["png"])
    width, height = _size(model_input)
    seed = model_input.get("seed")
    basis = f"seed:{seed}" if isinstance(seed, int) and not isinstance(seed, bool) else f"id:{prediction_id}"
    red, green, blue = hashlib.sha256(f"{basis}:{index}".encode()).digest()[:3]
    return ImageFile(width, height, pillow_format, mime, ext, (red, green, blue))


def output_value(
    schema: dict[str, Any], model_input: dict[str, Any], url: Callable[[int], str], resolve: Callable[[str], Any]
) -> Any:
    """A value of the Output `schema` (`$ref`s through `resolve`); `url(index)` names the index-th file.
    An open schema (a spec that states none) gives a list of image URLs, as image models return."""
    files = iter(range(1_000_000))
    count = model_input.get("num_outputs")
    count = count if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= 10 else 1

    def made(schema: Any, depth: int) -> Any:
        schema = schema_object(schema)
        if isinstance(schema.get("$ref"), str):
            return made(resolve(schema["$ref"]), depth + 1)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for key in ("allOf", "anyOf", "oneOf"):
            branches = [b for b in schema.get(key) or () if _kind(schema_object(b)) != "null"]
            if branches:
                return made({**{k: v for k, v in schema.items() if k != key}, **schema_object(branches[0])}, depth)
        kind = _kind(schema)
        if kind == "string":
            return url(next(files)) if schema.get("format") in ("uri", "iri") else _text(schema, model_input)
        if kind == "array":
            items = schema_object(schema.get("items", {}))
            text = _kind(items) == "string" and items.get("format") not in ("uri", "iri")
            if schema.get("x-cog-array-type") == "iterator" and text:
                return tokens(model_input)
            least = schema.get("minItems")
            length = max(count if _kind(items) == "string" else 1, least if isinstance(least, int) else 0)
            return [made(items, depth + 1) for _ in range(length)]
        if kind == "object" or (kind is None and schema.get("properties")):
            properties = schema.get("properties") or {}
            return {name: made(sub, depth + 1) for name, sub in properties.items() if depth < 20}
        if kind in ("integer", "number"):
            low, high = schema.get("minimum"), schema.get("maximum")
            value = low if isinstance(low, int | float) else 1 if kind == "integer" else 0.5
            return min(value, high) if isinstance(high, int | float) else value
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return [url(next(files)) for _ in range(count)]  # open: what image models return

    return made(schema, 0)


def tokens(model_input: dict[str, Any]) -> list[str]:
    """What a language model streams: the words of a reply, each with its trailing space."""
    prompt = " ".join(str(model_input.get("prompt") or "").split()[:20])
    words = f"Here is a reply to: {prompt}".split() if prompt else ["Here", "is", "a", "reply."]
    return [word + " " for word in words[:-1]] + [words[-1]]


def _text(schema: dict[str, Any], model_input: dict[str, Any]) -> str:
    text = {
        "date-time": "2024-01-01T00:00:00Z",
        "date": "2024-01-01",
        "time": "00:00:00Z",
        "uuid": "00000000-0000-4000-8000-000000000000",
        "email": "someone@example.com",
    }.get(str(schema.get("format")), "".join(tokens(model_input)))
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text += "." * (low - len(text))
    return text[:high] if isinstance(high, int) and high >= 0 else text


def _kind(schema: dict[str, Any]) -> str | None:
    """The schema's JSON type, a non-null one first."""
    declared = schema.get("type")
    if isinstance(declared, list):
        return next((t for t in declared if t != "null"), "null" if declared else None)
    return declared if isinstance(declared, str) else None


def _size(model_input: dict[str, Any]) -> tuple[int, int]:
    width, height = model_input.get("width"), model_input.get("height")
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        return min(width, _MAX_SIDE), min(height, _MAX_SIDE)
    resolution = str(model_input.get("resolution") or "")
    if pair := _pair(resolution):
        w, h = pair
        if w >= 64 and h >= 64:  # `1024x768` is a size; `16:9` is a ratio
            return min(int(w), _MAX_SIDE), min(int(h), _MAX_SIDE)
        return _fit(w, h, _LONG_SIDE)
    if m := _SHORTHAND.fullmatch(resolution):
        return _fit(*_ratio(model_input), 1024 * int(m.group(1)))
    return _fit(*_ratio(model_input), _LONG_SIDE)


def _ratio(model_input: dict[str, Any]) -> tuple[float, float]:
    return _pair(str(model_input.get("aspect_ratio") or "")) or (1.0, 1.0)


def _pair(text: str) -> tuple[float, float] | None:
    """`16:9`, `1024x768`: two positive numbers, each small enough to compute with (an 800-digit
    number is infinite as a float)."""
    if m := _RATIO.fullmatch(text):
        w, h = float(m.group(1)), float(m.group(2))
        if 0 < w <= _MAX_SIDE * 1000 and 0 < h <= _MAX_SIDE * 1000:
            return w, h
    return None


def _fit(w: float, h: float, long_side: int) -> tuple[int, int]:
    if not w or not h:
        return long_side, long_side
    if w >= h:
        return long_side, max(1, round(long_side * h / w))
    return max(1, round(long_side * w / h)), long_side
