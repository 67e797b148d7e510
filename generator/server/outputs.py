"""The files behind the URLs of outputs (`generator.spec.values.output_value` makes the outputs).

A URL names a file worked out again from the prediction's input when it is downloaded: an image in
the `output_format` asked for, with its size from the input, or a WAV for `wav`. So the server keeps
no file bytes: 10,000 predictions cost their JSON only.
"""

from __future__ import annotations

import hashlib
import io
import re
import wave
from dataclasses import dataclass
from typing import Any

from PIL import Image

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
