"""Writing the demo region to disk: GeoPackages, the register CSV, GeoTIFFs,
the preview PNG and, last of all, ``README.md`` (the completion marker).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyogrio

from gisplan.demo._catalogue import FILES, LAYERS, LICENCE
from gisplan.demo._common import EXTENT
from gisplan.demo._rasters import Preview, write_geotiff
from gisplan.demo._terrain import DEM_CELL_M, GHI_CELL_M
from gisplan.demo._world import DemoRegion


def remove_outputs(out_dir: Path) -> None:
    """Delete the files a previous build wrote (and only those), README first."""
    for name in ("readme", *FILES):
        (out_dir / FILES[name]).unlink(missing_ok=True)
        (out_dir / f"{FILES[name]}.aux.xml").unlink(missing_ok=True)


def write_vectors(region: DemoRegion, out_dir: Path) -> dict[str, int]:
    """Write every vector layer and the register CSV; return feature counts by key."""
    counts: dict[str, int] = {}
    for key, frame in region.vectors().items():
        pyogrio.write_dataframe(
            frame,
            out_dir / FILES[key],
            layer=LAYERS[key],
            driver="GPKG",
            layer_metadata={"gisplan_demo_seed": str(region.seed), "licence": LICENCE},
        )
        counts[key] = len(frame)
    table = region.register()
    with (out_dir / FILES["brownfields"]).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.itertuples(index=False, name=None))
    counts["brownfields"] = len(table)
    return counts


def write_rasters(region: DemoRegion, out_dir: Path) -> None:
    """Write the DEM, slope and GHI GeoTIFFs."""
    write_geotiff(out_dir / FILES["dem"], region.terrain.dem_m, DEM_CELL_M, description="elevation", unit="m")
    write_geotiff(out_dir / FILES["slope"], region.slope_deg, DEM_CELL_M, description="slope", unit="degrees")
    write_geotiff(out_dir / FILES["ghi"], region.ghi_kwh_m2_yr, GHI_CELL_M, description="GHI", unit="kWh/m2/yr")


def write_preview(region: DemoRegion, path: Path, *, bounds: tuple[float, float, float, float] = EXTENT) -> None:
    """Render an overview map (1000 x 1000 px) of the region to a PNG."""
    canvas = Preview(region.terrain.dem_m, DEM_CELL_M, bounds=bounds, size=1000)
    protected = region.protected_areas.geometry
    canvas.paint(protected, (60, 150, 60), alpha=0.25)
    canvas.paint(protected, (40, 120, 40), outline=True)
    canvas.paint(region.flood_zones.geometry, (90, 150, 230), alpha=0.45)
    canvas.paint(region.parcels.geometry, (235, 190, 60), alpha=0.7)
    canvas.paint(region.municipalities.geometry, (110, 110, 110), outline=True)
    canvas.paint(region.brownfields.geometry, (210, 60, 170), alpha=0.6)
    canvas.paint(region.brownfields.geometry, (150, 30, 120), outline=True)
    canvas.paint(region.rivers.geometry.buffer(12.0), (40, 90, 200))
    roads = region.roads
    canvas.paint(roads.geometry[roads["trida"] == "residential"], (160, 160, 160))
    canvas.paint(roads.geometry[roads["trida"] != "residential"].buffer(5.0), (230, 120, 40))
    canvas.paint(region.buildings.geometry, (90, 60, 50))
    lines = region.power_lines
    canvas.paint(lines.geometry[lines["voltage_kv"] == 22], (240, 40, 40), alpha=0.6)
    canvas.paint(lines.geometry[lines["voltage_kv"] == 110].buffer(8.0), (170, 0, 0))
    canvas.paint(region.substations.geometry.buffer(20.0), (0, 0, 0))
    canvas.save(path)


def readme_text(region: DemoRegion, counts: dict[str, int], *, scale: float) -> str:
    """The README of the demo folder: what it is, what each file holds, and counts."""
    b = region.buildings
    m = region.municipalities
    ghi = region.ghi_kwh_m2_yr
    dem = region.terrain.dem_m
    by_type = ", ".join(f"{k} {v:,}" for k, v in b["building_type"].value_counts().sort_index().items())
    voltages = region.power_lines["voltage_kv"].value_counts().sort_index()
    bf_ha = region.brownfields["vymera_m2"] / 10_000.0
    x0, y0, x1, y1 = EXTENT
    rows = [
        (FILES["municipalities"], LAYERS["municipalities"],
         f"{counts['municipalities']} invented municipalities (kod_obce 999xxx, nazev_obce, pocet_obyv; "
         f"{int(m['pocet_obyv'].sum()):,} inhabitants in all)"),
        (FILES["buildings"], LAYERS["buildings"], f"{counts['buildings']:,} building footprints ({by_type})"),
        (FILES["parcels"], LAYERS["parcels"], f"{counts['parcels']:,} parcels owned by the municipalities"),
        (FILES["brownfields"], "-",
         f"{counts['brownfields']} brownfields, {bf_ha.min():.1f}-{bf_ha.max():.1f} ha, in the Czech register schema "
         "(docs/cz_brownfields_schema.md), WKT in EPSG:5514"),
        (FILES["roads"], LAYERS["roads"], f"{counts['roads']:,} road centre lines (trida primary/secondary/tertiary/"
         "residential)"),
        (FILES["power_lines"], LAYERS["power_lines"],
         ", ".join(f"{v} lines of {k} kV" for k, v in voltages.items())),
        (FILES["substations"], LAYERS["substations"], f"{counts['substations']} substations 110/22 kV (polygons)"),
        (FILES["protected_areas"], LAYERS["protected_areas"],
         f"{counts['protected_areas']} protected areas (CHKO part, Natura 2000 EVL/PO, PR, PP)"),
        (FILES["flood_zones"], LAYERS["flood_zones"], f"{counts['flood_zones']} Q100 flood zone polygon(s)"),
        (FILES["rivers"], LAYERS["rivers"], f"{counts['rivers']} river/stream lines"),
        (FILES["dem"], "band 1", f"elevation [m a.s.l.], 50 m cells, {dem.min():.0f}-{dem.max():.0f} m"),
        (FILES["slope"], "band 1", f"slope [degrees], 50 m cells, 0-{region.slope_deg.max():.1f}"),
        (FILES["ghi"], "band 1", f"global horizontal irradiation [kWh/m2/yr], 100 m cells, {ghi.min():.0f}-"
         f"{ghi.max():.0f}"),
        (FILES["preview"], "-", "overview map of all layers"),
    ]  # fmt: skip
    table = "\n".join(f"| `{f}` | {layer} | {what} |" for f, layer, what in rows)
    return f"""# gisplan demo region: SYNTHETIC DATA

**Everything in this folder is invented.** It was generated by `gisplan demo build`
(seed {region.seed}, scale {scale:g}). No place, name, code, building, site or number here
describes a real place, even though the region is put in a real-looking spot of
north Bohemia so that maps and coordinate systems behave as they would with real data.
Municipality codes (999xxx) and all other identifiers (`DEMO-…`) are synthetic.

- Extent: x {x0:.0f} to {x1:.0f}, y {y0:.0f} to {y1:.0f} in EPSG:5514 (S-JTSK / Krovak East North),
  a 20 x 20 km box centred near 13.80 E, 50.51 N (Ústecký kraj).
- All vector files are GeoPackages in EPSG:5514; rasters are float32 GeoTIFFs in
  EPSG:5514 with nodata -9999.
- Licence: {LICENCE}.
- Rebuild with `gisplan demo build --force` (same seed gives the same content).
- The layer catalogue `layers/demo.yaml` points at these files.

| file | layer | content |
|---|---|---|
{table}
"""


def write_readme(region: DemoRegion, out_dir: Path, counts: dict[str, int], *, scale: float) -> Path:
    """Write ``README.md``; call this last, it marks a complete build."""
    path = out_dir / FILES["readme"]
    path.write_text(readme_text(region, counts, scale=scale), encoding="utf-8")
    return path


def folder_size_mb(out_dir: Path) -> float:
    """Total size of the files a build writes [MB]."""
    sizes = [(out_dir / name).stat().st_size for name in FILES.values() if (out_dir / name).exists()]
    return float(np.sum(sizes)) / 1e6
