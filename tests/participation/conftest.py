"""The store fixtures of ``tests/store`` (SQLite and PostGIS), and a resident's form."""

from __future__ import annotations

import io

import pytest

from gisplan.intake._boundaries import PlaceContext
from tests.store.conftest import pg_schema, sqlite_template, store, store_url, world  # noqa: F401 - fixtures

#: A point in Prague [lon, lat].
PRAGUE = (14.42, 50.08)


@pytest.fixture
def no_place() -> PlaceContext:
    """A place context without boundaries or region: only the shape itself is checked."""
    return PlaceContext(municipalities=None, code_column="kod_obce", region_lonlat=None)


def point(lon: float = PRAGUE[0], lat: float = PRAGUE[1]) -> dict[str, object]:
    """A GeoJSON point feature as the draw map returns it."""
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def jpeg_with_exif(size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG carrying EXIF with a GPS tag and a camera model."""
    from PIL import Image

    img = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "SecretCam 3000"  # Model
    exif[0x8825] = {1: "N", 2: (50.0, 5.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()
