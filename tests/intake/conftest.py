"""Shared pieces of the intake tests: two tiny municipalities and helpers to build uploads in code.

Municipality ``500001`` is a 10 km square in S-JTSK (EPSG:5514) north-west of Litoměřice;
``500002`` is the square east of it.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

from gisplan.crs import transformer

A_BOX = (-780_000.0, -1_000_000.0, -770_000.0, -990_000.0)
B_BOX = (-770_000.0, -1_000_000.0, -760_000.0, -990_000.0)
A_CENTRE = (-775_000.0, -995_000.0)
B_CENTRE = (-765_000.0, -995_000.0)


@pytest.fixture(scope="session")
def municipalities() -> gpd.GeoDataFrame:
    """Two neighbouring square municipalities in EPSG:5514."""
    return gpd.GeoDataFrame(
        {"kod_obce": ["500001", "500002"], "nazev_obce": ["Áčko", "Béčko"]},
        geometry=[shapely.box(*A_BOX), shapely.box(*B_BOX)],
        crs="EPSG:5514",
    )


def lonlat(x: float, y: float) -> tuple[float, float]:
    """S-JTSK (x, y) [m] -> (lon, lat) [degrees]."""
    lon, lat = transformer("EPSG:5514", "EPSG:4326").transform(x, y)
    return float(lon), float(lat)


def square_lonlat(x: float, y: float, half: float = 100.0) -> list[list[float]]:
    """A closed ring of a square of side ``2 * half`` [m] around S-JTSK (x, y), in lon/lat."""
    corners = [(x - half, y - half), (x + half, y - half), (x + half, y + half), (x - half, y + half)]
    ring = [list(lonlat(cx, cy)) for cx, cy in corners]
    return [*ring, ring[0]]


def feature_collection(*geometries: dict[str, Any], props: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the geometries."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": (props or [{}] * len(geometries))[i], "geometry": g}
            for i, g in enumerate(geometries)
        ],
    }


def geojson_bytes(*geometries: dict[str, Any], props: list[dict[str, Any]] | None = None) -> bytes:
    """A FeatureCollection as UTF-8 bytes."""
    return json.dumps(feature_collection(*geometries, props=props)).encode("utf-8")


def polygon(ring: list[list[float]]) -> dict[str, Any]:
    """A GeoJSON polygon geometry."""
    return {"type": "Polygon", "coordinates": [ring]}


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A deflated zip archive with these members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def shapefile_members(tmp_path: Path, frame: gpd.GeoDataFrame, *, prj: bool = True) -> dict[str, bytes]:
    """The files of a shapefile written from ``frame`` (without ``.prj`` when asked)."""
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    frame.to_file(folder / "plochy.shp")
    members = {p.name: p.read_bytes() for p in folder.iterdir()}
    if not prj:
        members.pop("plochy.prj")
    return members


def write_catalogue(root: Path, municipalities: gpd.GeoDataFrame | None, *, raster_box: tuple[float, ...] = ()) -> Path:
    """A tiny layer catalogue in ``root``: ``layers/`` with an admin layer and/or a 100 m slope raster.

    Returns the data dir; the layers dir is ``root / "layers"``. Point GISPLAN_DATA_DIR and
    GISPLAN_LAYERS_DIR at them.
    """
    import numpy as np
    import rasterio
    from affine import Affine

    data, layers = root / "data", root / "layers"
    data.mkdir(parents=True, exist_ok=True)
    layers.mkdir(parents=True, exist_ok=True)
    entries = []
    if municipalities is not None:
        municipalities.to_file(data / "obce.gpkg", layer="obce")
        entries.append(
            "- id: t_obce\n  title: {cs: Obce, en: Municipalities}\n  kind: vector\n  role: admin\n"
            "  source: {type: file, path: obce.gpkg, layer: obce}\n  licence: test data\n"
        )
    if raster_box:
        x0, y0, x1, y1 = raster_box
        width, height = int((x1 - x0) // 100), int((y1 - y0) // 100)
        values = np.full((height, width), 3.0, dtype="float32")
        values[0, 0] = -1.0  # one nodata cell in the north-west corner
        with rasterio.open(
            data / "slope.tif",
            "w",
            driver="GTiff",
            width=width,
            height=height,
            count=1,
            dtype="float32",
            crs="EPSG:5514",
            transform=Affine(100, 0, x0, 0, -100, y1),
            nodata=-1.0,
        ) as dst:
            dst.write(values, 1)
        entries.append(
            "- id: t_slope\n  title: {cs: Sklon, en: Slope}\n  kind: raster\n  role: criterion\n"
            "  source: {type: raster, path: slope.tif, band: 1, unit: degrees}\n  licence: test data\n"
        )
    (layers / "tiny.yaml").write_text("layers:\n" + "".join(entries), encoding="utf-8")
    return data
