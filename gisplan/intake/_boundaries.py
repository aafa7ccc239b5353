"""Municipal boundaries and the region's bounds for the place check, from the layer catalogue.

Both the app's Submit page and ``gisplan submit`` check that a site lies in the
submitting municipality. The boundaries are the first vector layer with role
``admin`` in the catalogue (``GISPLAN_LAYERS_DIR``); its codes are in
``kod_obce`` when present, else in ``source_id`` (the catalogue's ``source_id``
column mapping).

When the catalogue has no readable admin layer, the region is still known from
the extents of the catalogue's layers (:func:`catalogue_region`): data far
outside it is refused even though no municipal boundary can be checked.
:func:`place_context` gives both, cached on the modification times of the
catalogue files and the data files, so that every write of a submission
geometry (:func:`gisplan.intake.check_site_geometry`) can afford the check.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gisplan import settings
from gisplan.errors import ConfigError, GisplanError

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan.catalogue import Catalogue, Layer

#: Columns that may hold the municipality code (kód obce), first present wins.
CODE_COLUMNS = ("kod_obce", "source_id")

LonLatBounds = tuple[float, float, float, float]


def municipal_boundaries() -> tuple[gpd.GeoDataFrame | None, str]:
    """The catalogue's municipal boundaries (working CRS) and the column with their codes.

    Returns
    -------
    tuple
        The boundaries, or ``None`` when the catalogue has no readable admin layer (the
        place check then falls back to :func:`catalogue_region`), and the code column name.
    """
    from gisplan.catalogue import load_catalogue

    try:
        catalogue = load_catalogue()
    except ConfigError:
        return None, CODE_COLUMNS[0]
    return _admin_frame(catalogue)


def _admin_frame(catalogue: Catalogue) -> tuple[gpd.GeoDataFrame | None, str]:
    from gisplan.sources import read_layer

    for layer in catalogue.by_role("admin"):
        if layer.kind != "vector":
            continue
        try:
            frame: gpd.GeoDataFrame = read_layer(layer)
        except GisplanError:
            continue
        for column in CODE_COLUMNS:
            if column in frame.columns:
                frame[column] = frame[column].astype(str)
                return frame, column
    return None, CODE_COLUMNS[0]


def _layer_path(layer: Layer, data_dir: Path) -> Path | None:
    rel = getattr(layer.source, "path", None) or getattr(layer.source, "file", None)
    return data_dir / rel if rel else None


def _extent_lonlat(layer: Layer, path: Path) -> LonLatBounds | None:
    """Lon/lat bounds of one layer's file from its header, or ``None`` when it cannot be read."""
    import numpy as np

    from gisplan import crs as gcrs

    try:
        if layer.kind == "raster":
            import rasterio

            with rasterio.open(path) as dataset:
                if dataset.crs is None:
                    return None
                west, south, east, north = dataset.bounds
                source: Any = dataset.crs.to_wkt()
        else:
            import pyogrio

            info = pyogrio.read_info(path, layer=getattr(layer.source, "layer", None))
            if info.get("crs") is None or info.get("total_bounds") is None:
                return None
            west, south, east, north = (float(v) for v in info["total_bounds"])
            source = info["crs"]
        with np.errstate(all="ignore"):
            bounds = gcrs.transformer(source, gcrs.WGS84).transform_bounds(west, south, east, north)
    except (OSError, ValueError, GisplanError, RuntimeError):  # an unreadable or odd file tells us nothing
        return None
    if not all(np.isfinite(bounds)) or bounds[0] > bounds[2] or bounds[1] > bounds[3]:
        return None
    return (float(bounds[0]), float(bounds[1]), float(bounds[2]), float(bounds[3]))


def _union(extents: list[LonLatBounds]) -> LonLatBounds | None:
    if not extents:
        return None
    return (
        min(e[0] for e in extents),
        min(e[1] for e in extents),
        max(e[2] for e in extents),
        max(e[3] for e in extents),
    )


@dataclass(frozen=True)
class PlaceContext:
    """What the catalogue knows of the region: municipal boundaries and the region's bounds."""

    #: The municipal boundaries (read-only; shared between calls), or ``None``.
    municipalities: gpd.GeoDataFrame | None
    #: Column of :attr:`municipalities` with the codes.
    code_column: str
    #: Lon/lat bounds of the region: the admin layers' extent, else every layer's [degrees]; or ``None``.
    region_lonlat: LonLatBounds | None
    #: Boundaries already looked up, by municipality code (filled by :func:`gisplan.intake._place`).
    lookups: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _files_key(paths: list[Path]) -> tuple[tuple[str, int], ...]:
    key = []
    for path in paths:
        try:
            key.append((str(path), path.stat().st_mtime_ns))
        except OSError:
            key.append((str(path), -1))
    return tuple(key)


_lock = threading.Lock()
_catalogues: dict[tuple[Any, ...], tuple[Catalogue | None, list[tuple[Layer, Path]]]] = {}
_contexts: dict[tuple[Any, ...], PlaceContext] = {}


def _catalogue_layers(layers_dir: Path, data_dir: Path) -> tuple[Catalogue | None, list[tuple[Layer, Path]]]:
    from gisplan.catalogue import catalogue_files, load_catalogue

    try:
        files = catalogue_files(layers_dir)
    except ConfigError:
        return None, []
    key = (str(layers_dir), str(data_dir), _files_key(files))
    with _lock:
        found = _catalogues.get(key)
    if found is not None:
        return found
    try:
        catalogue: Catalogue | None = load_catalogue(layers_dir)
    except ConfigError:
        catalogue = None
    layers = []
    for layer in catalogue.layers.values() if catalogue is not None else []:
        path = _layer_path(layer, data_dir)
        if path is not None:
            layers.append((layer, path))
    with _lock:
        _catalogues.clear()
        _catalogues[key] = (catalogue, layers)
    return catalogue, layers


def place_context() -> PlaceContext:
    """Municipal boundaries and region bounds of the configured catalogue, cached until a file changes."""
    conf = settings.get()
    catalogue, layers = _catalogue_layers(conf.layers_dir, conf.data_dir)
    key = (str(conf.layers_dir), str(conf.data_dir), _files_key([p for _, p in layers]))
    with _lock:
        found = _contexts.get(key)
    if found is not None:
        return found
    frame, column = _admin_frame(catalogue) if catalogue is not None else (None, CODE_COLUMNS[0])
    present = [(layer, path) for layer, path in layers if path.exists()]
    admin = [_extent_lonlat(layer, path) for layer, path in present if layer.role == "admin"]
    region = _union([e for e in admin if e is not None])
    if region is None:
        region = _union([e for e in (_extent_lonlat(layer, path) for layer, path in present) if e is not None])
    context = PlaceContext(municipalities=frame, code_column=column, region_lonlat=region)
    with _lock:
        _contexts.clear()
        _contexts[key] = context
    return context


def catalogue_region() -> LonLatBounds | None:
    """Lon/lat bounds of the region the catalogue covers, or ``None`` when no layer file can be read.

    The extent of the admin layers when they can be read, else the union of every layer's extent
    (vector files and rasters; OSM queries and files without a CRS do not count). [degrees]
    """
    return place_context().region_lonlat


__all__ = ["CODE_COLUMNS", "PlaceContext", "catalogue_region", "municipal_boundaries", "place_context"]
