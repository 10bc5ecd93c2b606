"""Inline pictures for reports: a PNG becomes a small WebP data URI, never wider than asked."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from worldloom.infrastructure.cartography.preview import markdown_image, preview_data_uri


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def _decoded(uri: str) -> Image.Image:
    head, _, data = uri.partition(",")
    assert head == "data:image/webp;base64"
    return Image.open(io.BytesIO(base64.b64decode(data)))


@pytest.mark.parametrize(
    ("size", "shown"),
    [((1600, 1000), (1000, 625)), ((400, 300), (400, 300)), ((3001, 1), (1000, 1))],
)
def test_a_picture_is_scaled_down_to_the_width_and_kept_in_proportion(
    size: tuple[int, int], shown: tuple[int, int]
) -> None:
    image = _decoded(preview_data_uri(_png(*size)))

    assert image.format == "WEBP"
    assert image.size == shown


def test_markdown_shows_it_inline() -> None:
    text = markdown_image("Map of w1", _png(20, 10))

    assert text.startswith("![Map of w1](data:image/webp;base64,")
    assert text.endswith(")")


def test_bytes_that_are_no_picture_are_refused() -> None:
    with pytest.raises(ValueError, match="not a readable image"):
        preview_data_uri(b"\x89PNG\r\n\x1a\n not really")
