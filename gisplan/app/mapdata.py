"""Loading the catalogue layers that the map shows.

Plain Python without Streamlit: :func:`load_map_data` reads every vector layer of
the catalogue through :func:`gisplan.sources.read_layer`, and gathers the
candidate sites into one frame in the working metric CRS. Missing files and
unreadable layers are collected, not raised, so the app can show what it has and
say what is missing. :func:`data_revision` gives the cache key (paths, sizes and
modification times), because ``st.cache_data`` cannot hash a GeoDataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from gisplan import settings
from gisplan.catalogue import CANONICAL_COLUMNS, Catalogue, Layer, catalogue_files, validate_files
from gisplan.errors import GisplanError, Problem

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Roles drawn as context behind the candidate sites, in drawing order.
CONTEXT_ROLES = ("admin", "context", "exclusion", "criterion")
#: Name of the column that :func:`attach_municipality` adds.
MUNICIPALITY = "municipality"


@dataclass(frozen=True)
class MapLayer:
    """One context layer: its catalogue entry and features in the working CRS."""

    layer: Layer
    frame: gpd.GeoDataFrame


@dataclass(frozen=True)
class MapData:
    """Everything the map page needs, read from the catalogue and the data dir.

    ``sites`` holds every candidate site in the working metric CRS, with the
    canonical columns (site_id, kind, name, source, source_id, area_m2 [m²]),
    ``municipality`` and the source attributes.
    """

    sites: gpd.GeoDataFrame
    context: tuple[MapLayer, ...] = ()
    missing_files: tuple[Problem, ...] = ()
    failed: tuple[Problem, ...] = ()
    catalogue_problems: tuple[Problem, ...] = ()
    layers: tuple[Layer, ...] = field(default=())

    @property
    def has_sites(self) -> bool:
        """True if at least one candidate site was read."""
        return not self.sites.empty


def _source_files(layer: Layer, data_dir: Path) -> list[Path]:
    src = layer.source
    names = [getattr(src, "path", None), getattr(src, "file", None), getattr(src, "polygon", None)]
    return [data_dir / name for name in names if name]


def data_revision(layers_dir: Path | None = None, data_dir: Path | None = None) -> tuple[tuple[str, int, int], ...]:
    """A key that changes whenever a catalogue file or a layer's data file changes.

    Returns
    -------
    tuple
        ``(path, size [bytes], modification time [ns])`` for every catalogue file and
        every source file it names; ``(-1, -1)`` for files that do not exist.
    """
    current = settings.get()
    layers_dir = layers_dir or current.layers_dir
    data_dir = data_dir or current.data_dir
    try:
        files = catalogue_files(layers_dir)
    except GisplanError:
        return ()
    catalogue, _ = validate_files(files)
    paths = [*files]
    for layer in catalogue.layers.values():
        paths.extend(_source_files(layer, data_dir))
    out = []
    for path in paths:
        try:
            stat = path.stat()
            out.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            out.append((str(path), -1, -1))
    return tuple(out)


def empty_sites(crs: object = "EPSG:5514") -> gpd.GeoDataFrame:
    """A frame of no sites with the canonical columns and ``municipality``."""
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in (*CANONICAL_COLUMNS, MUNICIPALITY)})
    frame["area_m2"] = frame["area_m2"].astype(float)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _with_none(values: pd.Series[Any]) -> pd.Series[Any]:
    """``values`` as objects, with ``None`` for every missing value (not NaN)."""
    as_object = values.astype(object)
    return as_object.where(as_object.notna(), None)


def attach_municipality(sites: gpd.GeoDataFrame, admin: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Add ``municipality``: the name of the admin polygon holding each site.

    A site belongs to the polygon that contains its representative point (a
    point inside the site). Values already present in a ``municipality`` column
    are kept; sites outside every polygon get ``None``.

    Parameters
    ----------
    sites
        Candidate sites in the working CRS.
    admin
        Municipality polygons with a ``name`` column, in any CRS; ``None`` when
        the catalogue has no admin layer.
    """
    out = sites.copy()
    existing = out[MUNICIPALITY] if MUNICIPALITY in out.columns else pd.Series(None, index=out.index, dtype=object)
    if admin is None or admin.empty or "name" not in admin.columns or out.empty:
        out[MUNICIPALITY] = _with_none(existing)
        return out
    polygons = admin[["name", admin.geometry.name]].to_crs(out.crs)
    points = gpd.GeoDataFrame(geometry=out.geometry.representative_point(), crs=out.crs)
    joined = gpd.sjoin(points, polygons, how="left", predicate="within")
    first = joined[~joined.index.duplicated(keep="first")]["name"].reindex(out.index)
    out[MUNICIPALITY] = _with_none(existing.where(existing.notna(), first))
    return out


def _read(layer: Layer, data_dir: Path, working_crs: str | None) -> gpd.GeoDataFrame:
    from gisplan.sources import read_layer

    return read_layer(layer, data_dir=data_dir, working_crs=working_crs)


def _catalogue(layers_dir: Path, data_dir: Path) -> tuple[Catalogue, dict[str, list[Problem]], list[Problem]]:
    """The catalogue, missing source files by layer id, and other catalogue problems."""
    catalogue, problems = validate_files(catalogue_files(layers_dir))
    missing: dict[str, list[Problem]] = {}
    for layer in catalogue.layers.values():
        for path in _source_files(layer, data_dir):
            if not path.exists():
                problem = Problem(catalogue.files.get(layer.id, ""), f"layer {layer.id}", f"{path} does not exist")
                missing.setdefault(layer.id, []).append(problem)
    return catalogue, missing, problems


def _admin_frame(context: Iterable[MapLayer]) -> gpd.GeoDataFrame | None:
    for item in context:
        if item.layer.role == "admin" and "name" in item.frame.columns:
            return item.frame
    return None


def load_map_data(layers_dir: Path | None = None, data_dir: Path | None = None) -> MapData:
    """Read the candidate sites and context layers of the catalogue.

    Parameters
    ----------
    layers_dir, data_dir
        Catalogue and data folders; default from :func:`gisplan.settings.get`.

    Returns
    -------
    MapData
        Sites and context layers in the working metric CRS (EPSG:5514 for
        Czech data), plus every missing file, unreadable layer and catalogue
        problem. Raster layers are not read here.

    Raises
    ------
    ConfigError
        If the catalogue folder does not exist.
    """
    current = settings.get()
    layers_dir = layers_dir or current.layers_dir
    data_dir = data_dir or current.data_dir
    catalogue, missing, problems = _catalogue(layers_dir, data_dir)
    frames: list[gpd.GeoDataFrame] = []
    context: list[MapLayer] = []
    failed: list[Problem] = []
    crs: object = current.working_crs
    vector = [layer for layer in catalogue.layers.values() if layer.kind == "vector" and layer.id not in missing]
    # candidates first, so context layers can follow the sites' working CRS
    ordered = sorted(vector, key=lambda layer: layer.role != "candidate")
    for layer in ordered:
        try:
            frame = _read(layer, data_dir, str(crs) if crs else None)
        except GisplanError as exc:
            failed.append(Problem(catalogue.files.get(layer.id, ""), f"layer {layer.id}", str(exc)))
            continue
        if crs is None and frame.crs is not None:
            crs = frame.crs
        if crs is not None and frame.crs is not None and frame.crs != crs:
            frame = frame.to_crs(crs)
        if layer.role == "candidate":
            frames.append(frame)
        elif layer.role in CONTEXT_ROLES:
            context.append(MapLayer(layer=layer, frame=frame))
    context.sort(key=lambda item: CONTEXT_ROLES.index(item.layer.role))
    if frames:
        sites = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
        sites = attach_municipality(sites, _admin_frame(context))
    else:
        sites = empty_sites(crs or "EPSG:5514")
    return MapData(
        sites=sites,
        context=tuple(context),
        missing_files=tuple(p for found in missing.values() for p in found),
        failed=tuple(failed),
        catalogue_problems=tuple(problems),
        layers=tuple(catalogue.layers.values()),
    )
