"""Real image outputs, made with Pillow from what the input asks for."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from typing import Any

from PIL import Image

_FORMATS = {
    "png": ("PNG", "image/png"),
    "jpg": ("JPEG", "image/jpeg"),
    "jpeg": ("JPEG", "image/jpeg"),
    "webp": ("WEBP", "image/webp"),
}
_LONG_SIDE = 64  # small: outputs travel as data: URIs


def image_data_uri(prediction_id: str, model_input: dict[str, Any]) -> str:
    """A data: URI of an image shaped like the request: `aspect_ratio` and `output_format` when given."""
    width, height = _size(str(model_input.get("aspect_ratio") or "1:1"))
    fmt, mime = _FORMATS.get(str(model_input.get("output_format") or "png").lower(), _FORMATS["png"])
    red, green, blue = hashlib.sha256(prediction_id.encode()).digest()[:3]  # reproducible per prediction
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (red, green, blue)).save(buffer, format=fmt)
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode()}"


def _size(aspect_ratio: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[:x*]\s*(\d+)\s*", aspect_ratio)
    if not match or not int(match.group(1)) or not int(match.group(2)):
        return _LONG_SIDE, _LONG_SIDE
    w, h = int(match.group(1)), int(match.group(2))
    return (_LONG_SIDE, max(1, _LONG_SIDE * h // w)) if w >= h else (max(1, _LONG_SIDE * w // h), _LONG_SIDE)
