"""Pictures for a page: a PNG (the map, a chart) as a small inline image a markdown report can
show, with no file or server behind it (Prefect's UI renders `![..](data:...)` in markdown)."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from typing import Final

from PIL import Image

PREVIEW_WIDTH: Final = 1000
"""Pixels across, at most: wide enough to read a region's name in the UI."""

_WEBP_QUALITY: Final = 85
"""Lossy WebP at this quality keeps a 1600x1000 map legible in ~50 kB (its PNG is ~300 kB):
every export adds a version of the artifact to the Prefect server's database."""


@lru_cache(maxsize=8)
def preview_data_uri(png: bytes, *, max_width: int = PREVIEW_WIDTH) -> str:
    """A `data:image/webp;base64,...` URI of the image, scaled down to `max_width` if wider.

    Remembered for the last few images: a generation shows its map twice (the map's report
    and the overview), and scaling and encoding it cost ~0.1 s each time.

    Raises:
        ValueError: `png` is not an image Pillow reads.
    """
    try:
        image: Image.Image = Image.open(io.BytesIO(png))
        image.load()
    except (OSError, Image.DecompressionBombError) as error:
        raise ValueError(f"not a readable image: {error}") from error
    if image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "WEBP", quality=_WEBP_QUALITY)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def markdown_image(alt: str, png: bytes) -> str:
    """A markdown image of `png` inline (`alt` must already be markdown-safe)."""
    return f"![{alt}]({preview_data_uri(png)})"
