from __future__ import annotations

import io

import pytest

from gisplan.errors import RefusedError
from gisplan.participation._photo import clean_photo, sniff
from tests.participation.conftest import jpeg_with_exif

pytest.importorskip("PIL")


def test_photo_is_reencoded_without_exif() -> None:
    from PIL import Image

    raw = jpeg_with_exif()
    assert b"SecretCam" in raw
    data, media = clean_photo(raw)
    assert media == "image/jpeg"
    assert b"SecretCam" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (64, 48)
        assert not img.getexif()


def test_png_with_alpha_stays_png() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (1, 2, 3, 100)).save(out, format="PNG")
    data, media = clean_photo(out.getvalue())
    assert media == "image/png"
    assert sniff(data) == "PNG"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7 not a photo", "photo_not_image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo_not_image"),
        (b"\xff\xd8\xff" + b"garbage" * 20, "photo_not_image"),
        (b"\xff\xd8\xff" + b"\x00" * (6 * 1024 * 1024), "photo_too_large"),
    ],
)
def test_bad_photos_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(RefusedError) as info:
        clean_photo(data)
    assert info.value.reason == reason


def test_huge_image_in_a_small_file_is_refused() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 Mpx of one colour packs into a few kB
    assert len(out.getvalue()) < 1_000_000
    with pytest.raises(RefusedError) as info:
        clean_photo(out.getvalue())
    assert info.value.reason == "photo_too_large"
