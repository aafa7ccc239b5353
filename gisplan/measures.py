"""Fill a profile's layer slots and run its measures on the sites.

This is the thin shell around the pure criteria: it finds each context layer
(given explicitly, or through the layer catalogue), reads it into the working
CRS, and calls the matching function of :mod:`gisplan.measurements`.

A slot is filled, in this order, from:

1. ``layers[slot]``: a GeoDataFrame, a raster path or
   :class:`~gisplan.measurements.raster.RasterLayer`, a vector file path, or a
   catalogue layer id;
2. the profile's ``bindings[slot]``: a catalogue layer id;
3. the catalogue layer whose id is the slot name;
4. the one catalogue layer whose id ends in ``_<slot>`` (``demo_ghi``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import geopandas as gpd
import numpy as np
import pandas as pd

from gisplan import settings
from gisplan.catalogue import Catalogue, RasterSource, load_catalogue
from gisplan.crs import parse_crs, to_working
from gisplan.errors import ConfigError, InputError
from gisplan.measure_registry import MeasureConfig, MeasureContext, measure_type, measure_types
from gisplan.measurements.raster import RasterLayer
from gisplan.profiles import AdminMeasure, Profile

#: A profile's measure entry: any registered measure config (:mod:`gisplan.measure_registry`).
Measure = MeasureConfig

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
RASTER_SUFFIXES = (".tif", ".tiff")
#: Key in a vector layer's ``attrs`` holding the (minx, miny, maxx, maxy) of the WHOLE layer [working CRS units]
#: when the frame is only a piece of it (a partition's neighbourhood, :mod:`gisplan.partitioned`).
EXTENT_ATTR = "gisplan_extent"


@dataclass(frozen=True)
class Raster:
    """A raster slot: a path and band, or an in-memory band."""

    source: str | Path | RasterLayer
    band: int = 1


LayerInput = Union[gpd.GeoDataFrame, gpd.GeoSeries, RasterLayer, Raster, str, Path]  # noqa: UP007  (runtime alias)

Resolved = Union[gpd.GeoDataFrame, Raster, None]  # noqa: UP007


def _catalogue_id(slot: str, profile: Profile, catalogue: Catalogue) -> str | None:
    if slot in profile.bindings:
        return profile.bindings[slot]
    if slot in catalogue.layers:
        return slot
    ends = [lid for lid in catalogue.layers if lid.endswith(f"_{slot}")]
    if len(ends) > 1:
        msg = f"layer slot {slot!r} matches several catalogue layers {ends}; choose one in the profile's bindings"
        raise ConfigError(msg)
    return ends[0] if ends else None


def _from_catalogue(layer_id: str, catalogue: Catalogue, crs: object) -> gpd.GeoDataFrame | Raster:
    layer = catalogue[layer_id]
    if isinstance(layer.source, RasterSource):
        return Raster(settings.get().data_dir / layer.source.path, layer.source.band)
    from gisplan.sources import read_layer

    frame: gpd.GeoDataFrame = read_layer(layer, working_crs=crs)
    return frame


def _from_input(value: LayerInput, slot: str, catalogue: Catalogue | None, crs: object) -> gpd.GeoDataFrame | Raster:
    if isinstance(value, (gpd.GeoDataFrame, gpd.GeoSeries)):
        frame = value if isinstance(value, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=value)
        if frame.crs is None:
            msg = f"layer {slot!r} has no CRS; set one (gdf.set_crs) before scoring"
            raise InputError(msg)
        return to_working(frame, parse_crs(crs))
    if isinstance(value, RasterLayer):
        return Raster(value)
    if isinstance(value, Raster):
        return value
    text = str(value)
    if catalogue is not None and text in catalogue.layers:
        return _from_catalogue(text, catalogue, crs)
    path = Path(text)
    if path.suffix.lower() in RASTER_SUFFIXES:
        return Raster(path)
    from gisplan.sources import read

    read_frame: gpd.GeoDataFrame = read(path, working_crs=crs)
    return read_frame


def optional_slots(profile: Profile) -> set[str]:
    """The slots every measure of ``profile`` that uses them marks optional."""
    return {m.layer for m in profile.measures if m.optional} - {m.layer for m in profile.measures if not m.optional}


def missing_slots_message(profile: str, missing: list[str], catalogue: Catalogue | Path | None = None) -> str:
    """Why ``profile`` cannot run and what to do, in words for a command-line user."""
    where = catalogue if isinstance(catalogue, Path) else settings.get().layers_dir
    first = missing[0]
    return (
        f"profile {profile!r} needs layer(s) {missing} that the layer catalogue ({where}) does not fill: "
        f"add a catalogue layer with id {first!r} or one ending in '_{first}' (or name it in the profile's "
        f"bindings); if the region has no such data, declare it in a catalogue file with "
        f"'unavailable: [{', '.join(missing)}]' and the profile runs without it; "
        "'gisplan layers check' lists every profile's filled and unfilled slots"
    )


@dataclass(frozen=True)
class SlotStatus:
    """How the catalogue fills one layer slot of a profile."""

    slot: str
    layer_id: str | None
    """The catalogue layer that fills it, or None."""
    optional: bool
    declared_unavailable: bool
    """The region declares it has no data for this slot (``unavailable:``)."""

    @property
    def state(self) -> str:
        """``filled``, ``unavailable`` (declared), ``optional`` (missing, not needed) or ``missing``."""
        if self.layer_id is not None:
            return "filled"
        if self.declared_unavailable:
            return "unavailable"
        return "optional" if self.optional else "missing"


def slot_statuses(profile: Profile, catalogue: Catalogue) -> list[SlotStatus]:
    """Each slot of ``profile``: which catalogue layer fills it, or whether it is optional or declared unavailable.

    Raises
    ------
    ConfigError
        If a slot matches several catalogue layers (see :func:`resolve_layers`).
    """
    optional = optional_slots(profile)
    declared = catalogue.unavailable_for(profile.name)
    return [
        SlotStatus(slot, _catalogue_id(slot, profile, catalogue), slot in optional, slot in declared)
        for slot in profile.slots()
    ]


def resolve_layers(
    profile: Profile,
    crs: object,
    *,
    layers: Mapping[str, LayerInput] | None = None,
    catalogue: Catalogue | Path | None = None,
) -> dict[str, Resolved]:
    """Fill every slot of ``profile``; ``None`` for a missing optional slot or one the catalogue declares unavailable.

    Raises
    ------
    ConfigError
        Naming every required slot that could not be filled, and how to fill it.
    """
    given = dict(layers or {})
    unknown = sorted(set(given) - set(profile.slots()))
    if unknown:
        msg = f"layers {unknown} are not slots of profile {profile.name!r}; its slots are {profile.slots()}"
        raise InputError(msg)
    cat: Catalogue | None = catalogue if isinstance(catalogue, Catalogue) else None
    need_catalogue = any(slot not in given for slot in profile.slots())
    if cat is None and (need_catalogue or any(isinstance(v, str) for v in given.values())):
        try:
            cat = load_catalogue(catalogue if isinstance(catalogue, Path) else None)
        except ConfigError:
            if isinstance(catalogue, Path):
                raise
            cat = None
    optional = optional_slots(profile)
    declared = cat.unavailable_for(profile.name) if cat is not None else frozenset()
    out: dict[str, Resolved] = {}
    missing = []
    for slot in profile.slots():
        if slot in given:
            out[slot] = _from_input(given[slot], slot, cat, crs)
            continue
        layer_id = _catalogue_id(slot, profile, cat) if cat is not None else None
        if layer_id is not None and cat is not None:
            out[slot] = _from_catalogue(layer_id, cat, crs)
        elif slot in optional or slot in declared:
            why = "declared not available by the region" if slot in declared else "optional and not found"
            log.info("profile %s: layer %r %s; its criteria stay empty", profile.name, slot, why)
            out[slot] = None
        else:
            missing.append(slot)
    if missing:
        raise ConfigError(missing_slots_message(profile.name, missing, catalogue))
    return out


def vector_layer(slot: str, value: object) -> gpd.GeoDataFrame:
    """``value`` if the filled slot is a vector layer.

    Raises
    ------
    InputError
        If it is a raster.
    """
    if not isinstance(value, gpd.GeoDataFrame):
        msg = f"layer {slot!r} must be a vector layer for this measure, not a raster"
        raise InputError(msg)
    return value


def allocated_population(
    buildings: gpd.GeoDataFrame, measure: MeasureConfig, context: MeasureContext
) -> gpd.GeoDataFrame:
    """Buildings with a population column (a demand measure's), allocated from municipalities when they lack one."""
    column = getattr(measure, "population_column", None)
    if column is None or column in buildings.columns:
        return buildings
    admin = next((m for m in context.profile.measures if isinstance(m, AdminMeasure)), None)
    munis = context.resolved.get(admin.layer) if admin is not None else None
    if admin is None or not isinstance(munis, gpd.GeoDataFrame) or not admin.population_column:
        return buildings
    from gisplan.measurements.demand import allocate_population

    out = buildings.copy()
    out[column] = allocate_population(buildings, munis, population_column=admin.population_column).to_numpy()
    return out


def _population(
    buildings: gpd.GeoDataFrame, measure: MeasureConfig, resolved: Mapping[str, Resolved], profile: Profile
) -> gpd.GeoDataFrame:
    """Buildings with a population column, allocated from municipalities when they lack one (a demand measure)."""
    return allocated_population(buildings, measure, MeasureContext(resolved, profile))


def run_measure(
    sites: gpd.GeoDataFrame, measure: Measure, resolved: Mapping[str, Resolved], profile: Profile
) -> pd.DataFrame:
    """The columns of one measure for ``sites`` (NaN columns when an optional layer is missing).

    The measure runs through the run function registered for its type (:mod:`gisplan.measure_registry`).
    """
    value = resolved.get(measure.layer)
    columns = measure.columns()
    if value is None:
        return pd.DataFrame({c: np.full(len(sites), np.nan) for c in columns}, index=sites.index)
    registered = measure_type(measure.key)
    out = registered.run(sites, measure, value, MeasureContext(resolved, profile))
    for column in columns:
        if column not in out.columns:
            out[column] = np.nan
    return out[list(columns)]


#: Least margin around a vector layer's features that still counts as covered by it. [m]
MIN_EXTENT_MARGIN_M = 5000.0
#: Margin around a vector layer's features, as a share of their bounding box's diagonal.
EXTENT_MARGIN_SHARE = 0.05

BoolArray = np.ndarray[tuple[int, ...], np.dtype[np.bool_]]


def _reach_m(measure: Measure) -> float:
    """How far beyond its features a layer still tells something about a site. [m]"""
    radius = getattr(measure, "radius_m", None)
    return float(radius) if radius else 0.0


def layer_covers(sites: gpd.GeoDataFrame, measure: Measure, value: Resolved, values: pd.DataFrame) -> BoolArray:
    """Where ``measure``'s layer reaches each site, so that its value (or its absence) is a fact.

    A missing or empty layer covers nothing. A raster covers the sites it has
    valid cells under (``<name>_covered_share`` > 0). A vector layer covers
    the sites whose bounding-box centre lies within its features' bounding
    box grown by a margin: the measure's radius, at least
    :data:`MIN_EXTENT_MARGIN_M` and at least :data:`EXTENT_MARGIN_SHARE` of
    the box's diagonal (the whole layer's box when the frame is a piece of
    it and carries ``attrs[EXTENT_ATTR]``). Beyond that, "nothing within 20 km" or "outside every
    protected area" would only say that the layer stops there (a Czech
    substations layer says nothing about a site in Doncaster).

    Parameters
    ----------
    sites
        Sites in the working metric CRS.
    measure
        The measure whose layer is checked.
    value
        The resolved layer (``None`` when an optional slot is empty).
    values
        The measure's output columns for ``sites``.
    """
    n = len(sites)
    if value is None:
        return np.zeros(n, dtype=bool)
    if isinstance(value, Raster):
        share = f"{getattr(measure, 'name', measure.layer)}_covered_share"
        if share in values.columns:
            return np.asarray(pd.to_numeric(values[share], errors="coerce").fillna(0.0).to_numpy() > 0, dtype=bool)
        first = values.iloc[:, 0] if len(values.columns) else pd.Series(np.nan, index=sites.index)
        return np.asarray(first.notna().to_numpy(), dtype=bool)
    extent = value.attrs.get(EXTENT_ATTR)
    if extent is None:
        geoms = value.geometry
        if len(geoms) == 0 or bool(geoms.is_empty.all()):
            return np.zeros(n, dtype=bool)
        extent = geoms.total_bounds
    minx, miny, maxx, maxy = (float(v) for v in extent)
    diagonal = float(np.hypot(maxx - minx, maxy - miny))
    margin = max(_reach_m(measure), MIN_EXTENT_MARGIN_M, EXTENT_MARGIN_SHARE * diagonal)
    bounds = sites.geometry.bounds.to_numpy()
    cx = (bounds[:, 0] + bounds[:, 2]) / 2
    cy = (bounds[:, 1] + bounds[:, 3]) / 2
    with np.errstate(invalid="ignore"):
        inside = (cx >= minx - margin) & (cx <= maxx + margin) & (cy >= miny - margin) & (cy <= maxy + margin)
    return np.asarray(inside, dtype=bool)


def coverage(
    sites: gpd.GeoDataFrame, profile: Profile, resolved: Mapping[str, Resolved], values: pd.DataFrame
) -> dict[str, BoolArray]:
    """Per measure column, where its layer covers the site (see :func:`layer_covers`).

    A column computed by several measures is covered where any of them covers it.
    """
    out: dict[str, BoolArray] = {}
    for measure in profile.measures:
        columns = [c for c in measure.columns() if c in values.columns]
        mask = layer_covers(sites, measure, resolved.get(measure.layer), values[columns])
        for column in columns:
            out[column] = out[column] | mask if column in out else mask
    return out


def mask_uncovered(values: pd.DataFrame, covered: Mapping[str, BoolArray]) -> pd.DataFrame:
    """``values`` with every measure value outside its layer's coverage set missing.

    Coverage shares of rasters (``*_covered_share``) stay: they are facts
    about the raster, 0 where it does not reach.
    """
    out = values.copy()
    for column, mask in covered.items():
        if column in out.columns and not column.endswith("_covered_share") and not mask.all():
            out[column] = out[column].where(mask)
    return out


def _cell_size(raster: Raster) -> float:
    """Cell width of a raster slot [its CRS units]; 0 when it cannot be read (an error shows later)."""
    if isinstance(raster.source, RasterLayer):
        return abs(float(getattr(raster.source.transform, "a", 0.0)))
    try:
        import rasterio

        with rasterio.open(raster.source) as dataset:
            return abs(float(dataset.res[0]))
    except OSError:  # rasterio's errors opening a file are OSErrors; zonal_stats reports them properly
        return 0.0


def _expected_cost(measure: Measure, resolved: Mapping[str, Resolved]) -> tuple[int, float]:
    """Sort key, dearest first: rasters with the finest cells, then the vector layers with most vertices."""
    value = resolved.get(measure.layer)
    types = measure_types()
    last = max((t.cost_rank for t in types.values()), default=0) + 1
    rank = types[measure.key].cost_rank if measure.key in types else last
    if value is None:
        return (last, 0.0)
    if isinstance(value, Raster):
        return (rank, _cell_size(value))
    import shapely

    return (rank, -float(shapely.get_num_coordinates(value.geometry.values).sum()))


def _side_by_side(
    sites: gpd.GeoDataFrame,
    profile: Profile,
    resolved: Mapping[str, Resolved],
    progress: Progress | None,
    workers: int,
) -> list[pd.DataFrame]:
    """Run the measures in ``workers`` threads; a raster measure is paired with a vector one when possible."""
    measures = profile.measures
    pending = sorted(range(len(measures)), key=lambda i: _expected_cost(measures[i], resolved))
    frames: dict[int, pd.DataFrame] = {}

    def is_raster(i: int) -> bool:
        return isinstance(resolved.get(measures[i].layer), Raster)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gisplan-measure") as pool:
        running: dict[Future[pd.DataFrame], int] = {}
        try:
            while pending or running:
                while pending and len(running) < workers:
                    busy = {is_raster(i) for i in running.values()}
                    pick = next((i for i in pending if is_raster(i) not in busy), pending[0])
                    pending.remove(pick)
                    running[pool.submit(run_measure, sites, measures[pick], resolved, profile)] = pick
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    i = running.pop(future)
                    frames[i] = future.result()
                    if progress is not None:
                        progress(f"{measures[i].key} {measures[i].layer}", len(frames) - 1, len(measures))
        except BaseException:
            for future in running:
                future.cancel()
            raise
    return [frames[i] for i in range(len(measures))]


def run_measures(
    sites: gpd.GeoDataFrame,
    profile: Profile,
    resolved: Mapping[str, Resolved],
    progress: Progress | None = None,
    *,
    workers: int | None = None,
) -> pd.DataFrame:
    """All measure columns of ``profile`` for ``sites``, in profile order.

    The measures are independent, so they run side by side in ``workers``
    threads (default: one per CPU, at most one per measure), without copying
    the sites into other processes. Nearest distances, overlays and the admin
    measure spend nearly all their time in shapely, scipy and GEOS calls that
    release the GIL; the raster kernel runs many short numpy steps, part of
    them under the GIL, so two rasters side by side barely overlap (1.1× on
    2 cores, against 1.5× for a raster beside a distance). Hence the dearest
    measures start first (rasters, finest cells first; then nearest
    distances, larger layers first; then the rest), and a free thread takes a
    raster when the other runs a vector measure, and the reverse.

    ``progress`` is called from the calling thread only, as each measure
    finishes, with the measure that finished.
    """
    total = len(profile.measures)
    if not total:
        return pd.DataFrame(index=sites.index)
    count = max(1, min(total, workers if workers is not None else (os.cpu_count() or 1)))
    if count == 1:
        frames = []
        for i, measure in enumerate(profile.measures):
            if progress is not None:
                progress(f"{measure.key} {measure.layer}", i, total)
            frames.append(run_measure(sites, measure, resolved, profile))
    else:
        frames = _side_by_side(sites, profile, resolved, progress, count)
    if progress is not None:
        progress("measures done", total, total)
    return pd.concat(frames, axis=1)


__all__ = [
    "EXTENT_ATTR",
    "LayerInput",
    "Raster",
    "SlotStatus",
    "allocated_population",
    "coverage",
    "layer_covers",
    "mask_uncovered",
    "missing_slots_message",
    "optional_slots",
    "resolve_layers",
    "run_measure",
    "run_measures",
    "slot_statuses",
    "vector_layer",
]
