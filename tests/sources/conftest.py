"""Tiny in-code fixtures for the reader tests."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box


@pytest.fixture
def czech_sites() -> gpd.GeoDataFrame:
    """Two 100 m x 100 m squares and a point near Děčany, in EPSG:5514 (Krovak East North) [m]."""
    return gpd.GeoDataFrame(
        {
            "kod": ["A1", "B2", "C3"],
            "nazev": ["Cukrovar", "Old <b>gasworks</b>", "Bod"],
            "VymeraM2": [10_000.0, 10_000.0, 0.0],
        },
        geometry=[
            box(-773_500, -999_900, -773_400, -999_800),
            box(-773_300, -999_900, -773_200, -999_800),
            Point(-773_000, -999_500),
        ],
        crs="EPSG:5514",
    )
