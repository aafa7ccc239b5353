"""Strategies and a tiny region for the fuzz tests of the intake's two doors (issue 11, acceptance).

Hypothesis generates shapes and files: positions inside and far outside the region,
degenerate shapes (empty, zero-area, self-intersecting, huge, NaN and infinite
coordinates), random attributes, and random bytes with a hopeful file name.
:func:`fuzz_region` is a catalogue of two municipalities and a slope raster over
half of the first, with a one-raster scoring profile, and a SQLite store with
user ``obec``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import strategies as st

from gisplan.store import SYSTEM, Scope, open_store
from tests.intake.conftest import A_BOX, A_CENTRE, B_BOX, lonlat, write_catalogue

CODE = "500001"

PROFILE = """\
name: fuzz
version: "1"
title: {cs: Fuzz, en: Fuzz}
site_kinds: [brownfield]
measures:
  - {type: raster, layer: slope, name: slope, unit: deg, stats: [mean, min, max], percentile: 90}
exclusions: []
handicaps: []
criteria:
  - {column: area_m2, weight: 1, ramp: {bad: 0, good: 40000}}
  - {column: slope_mean_deg, weight: 1, ramp: {bad: 20, good: 0}}
"""


@pytest.fixture(scope="module")
def fuzz_region(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A catalogue of two municipalities and a slope raster over half of the first; a store with user obec."""
    root = tmp_path_factory.mktemp("fuzz")
    obce = gpd.GeoDataFrame(
        {"kod_obce": [CODE, "500002"]}, geometry=[shapely.box(*A_BOX), shapely.box(*B_BOX)], crs="EPSG:5514"
    )
    x0, y0, x1, y1 = A_BOX
    data = write_catalogue(root, obce, raster_box=(x0, (y0 + y1) / 2, x1, y1))
    (root / "layers" / "profiles").mkdir()
    (root / "layers" / "profiles" / "fuzz.yaml").write_text(PROFILE, encoding="utf-8")
    url = f"sqlite:///{root / 'store.sqlite'}"
    store = open_store(url)
    store.add_user(SYSTEM, "obec", "municipality", scope=Scope.parse([f"municipality:{CODE}"]))
    store.close()
    mp = pytest.MonkeyPatch()
    mp.setenv("GISPLAN_DATA_DIR", str(data))
    mp.setenv("GISPLAN_LAYERS_DIR", str(root / "layers"))
    yield root, Path(url.removeprefix("sqlite:///"))
    mp.undo()


# ----------------------------------------------------------------------------- strategies
FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
ODD = st.sampled_from([math.nan, math.inf, -math.inf, 1e300, -1e300, 0.0, 1e-300])
#: Offsets from the centre of municipality A [m]: inside it, next door, in the region, far away.
OFFSET = st.one_of(
    st.floats(-4_000, 4_000),
    st.floats(-30_000, 30_000),
    st.floats(-3_000_000, 3_000_000),
    FINITE,
    ODD,
)
SIZE = st.one_of(st.floats(0.0, 500.0), st.sampled_from([0.0, 1e-9, 5e5, 1e7]), ODD)


@st.composite
def shapes_5514(draw: st.DrawFn) -> Any:
    """A shape in EPSG:5514 around municipality A: good, degenerate or hostile."""
    x = A_CENTRE[0] + draw(OFFSET)
    y = A_CENTRE[1] + draw(OFFSET)
    half = draw(SIZE)
    kind = draw(
        st.sampled_from(["box", "point", "bowtie", "line", "empty", "zero_area", "spike", "multi", "none", "ring"])
    )
    try:
        return _shape(kind, x, y, half, draw)
    except shapely.errors.GEOSException:  # coordinates so odd that GEOS cannot even build the ring
        return None


def _shape(kind: str, x: float, y: float, half: float, draw: st.DrawFn) -> Any:
    with np.errstate(all="ignore"):
        if kind == "box":
            return shapely.box(x - half, y - half, x + half, y + half)
        if kind == "point":
            return shapely.Point(x, y)
        if kind == "bowtie":
            return shapely.Polygon([(x, y), (x + half, y + half), (x + half, y), (x, y + half), (x, y)])
        if kind == "line":
            return shapely.LineString([(x, y), (x + half, y)])
        if kind == "empty":
            return draw(st.sampled_from([shapely.Polygon(), shapely.Point(), shapely.MultiPolygon()]))
        if kind == "zero_area":
            return shapely.Polygon([(x, y), (x + half, y), (x + 2 * half, y), (x, y)])
        if kind == "spike":
            return shapely.Polygon([(x, y), (x + half, y), (x + half, y + half), (x + half, y + 1e7), (x, y)])
        if kind == "multi":
            return shapely.MultiPolygon(
                [shapely.box(x, y, x + half + 1, y + half + 1), shapely.box(x, y, x + 2, y + 2)]
            )
        if kind == "ring":
            outer = shapely.box(x - 2 * half - 1, y - 2 * half - 1, x + 2 * half + 1, y + 2 * half + 1)
            return shapely.difference(outer, shapely.box(x - half, y - half, x + half, y + half))
        return None


ATTRIBUTE = st.one_of(st.text(max_size=30), st.integers(), FINITE, st.booleans(), st.none())
PROPS = st.dictionaries(st.text(min_size=1, max_size=12), ATTRIBUTE, max_size=4)


def _geojson_geometry(geom: Any, *, swap: bool) -> Any:
    """``geom`` (EPSG:5514) as a GeoJSON geometry in lon/lat; coordinates JSON cannot hold become null."""
    if geom is None:
        return None
    with np.errstate(all="ignore"):
        moved = shapely.transform(geom, lambda xy: _to_lonlat(xy, swap=swap))
    return json.loads(json.dumps(shapely.geometry.mapping(moved), allow_nan=True).replace("NaN", "null"))


def _to_lonlat(xy: Any, *, swap: bool) -> Any:
    out = np.array([lonlat(float(x), float(y)) for x, y in xy]) if len(xy) else xy
    return out[:, ::-1] if swap and len(out) else out


@st.composite
def uploads(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file a user might upload: GeoJSON of fuzzed shapes, a CSV, or bytes with a hopeful name."""
    form = draw(st.sampled_from(["geojson", "geojson", "geojson", "csv", "bytes"]))
    if form == "bytes":
        name = draw(st.sampled_from(["x.geojson", "x.csv", "x.kml", "x.json", "x.gpkg", "x.zip", "x.txt"]))
        return name, draw(st.binary(max_size=300))
    shapes = draw(st.lists(shapes_5514(), min_size=1, max_size=3))
    if form == "csv":
        rows = ["name,lat,lon"]
        for geom in shapes:
            point = shapely.get_point(shapely.get_exterior_ring(geom), 0) if geom is not None else None
            if point is None or geom.geom_type != "Polygon":
                rows.append("a,,")
                continue
            with np.errstate(all="ignore"):
                lon, lat = lonlat(point.x, point.y) if math.isfinite(point.x + point.y) else (point.x, point.y)
            rows.append(f"{draw(st.text(alphabet='abc ;', max_size=5))},{lat},{lon}")
        return "sites.csv", "\n".join(rows).encode()
    swap = draw(st.booleans())
    features = [
        {"type": "Feature", "properties": draw(PROPS), "geometry": _geojson_geometry(g, swap=swap)} for g in shapes
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, allow_nan=True)
    return "sites.geojson", text.encode()
