"""``gisplan terrain``: slope and aspect rasters [deg] from a DEM GeoTIFF, ready for the catalogue."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from gisplan import settings
from gisplan.cli import app
from gisplan.errors import InputError

if TYPE_CHECKING:
    from gisplan.terrain import Method

_PREFIX_RE = re.compile(r"^[a-z][a-z0-9_]{1,50}$")


def catalogue_text(slope: Path, aspect: Path, *, data_dir: Path, prefix: str) -> str:
    """A catalogue file with the two rasters as layers ``<prefix>_slope`` and ``<prefix>_aspect``.

    Paths are relative to ``data_dir``, as the catalogue wants them.
    """
    entries = []
    for path, slot, title_cs, title_en in (
        (slope, "slope", "Sklon terénu", "Terrain slope"),
        (aspect, "aspect", "Orientace svahu", "Terrain aspect"),
    ):
        relative = path.resolve().relative_to(data_dir.resolve()).as_posix()
        entries.append(
            f"- id: {prefix}_{slot}\n"
            f"  title: {{cs: {title_cs}, en: {title_en}}}\n"
            "  kind: raster\n"
            "  role: criterion\n"
            f"  source: {{type: raster, path: {relative}, unit: deg}}\n"
            "  licence: derived from the DEM; give the DEM's licence and attribution here\n"
            f"  description: {slot} [deg] computed by gisplan terrain from the DEM\n"
        )
    return "# written by `gisplan terrain`\nlayers:\n" + "".join(entries)


@app.command("terrain")
def terrain_command(
    dem: Annotated[Path, typer.Argument(help="DEM GeoTIFF [m], projected or geographic (EPSG:4326), north-up")],
    *,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="existing folder for slope_deg.tif and aspect_deg.tif")],
    method: Annotated[str, typer.Option(help="horn (as gdaldem) | zevenbergen_thorne")] = "horn",
    block_rows: Annotated[int, typer.Option("--block-rows", help="DEM rows computed per window")] = 256,
    catalogue: Annotated[
        Path | None,
        typer.Option(
            "--catalogue",
            help="also write a catalogue YAML naming both rasters (slots slope and aspect); "
            "--out-dir must then lie inside GISPLAN_DATA_DIR",
        ),
    ] = None,
    layer_prefix: Annotated[str, typer.Option("--layer-prefix", help="catalogue layer ids <prefix>_slope/_aspect")] = (
        "terrain"
    ),
) -> None:
    """Compute slope and aspect [deg] of DEM into --out-dir (windowed; nodata kept; metric cell sizes)."""
    from gisplan.catalogue import validate_files
    from gisplan.terrain import METHODS, slope_aspect

    if method not in METHODS:
        msg = f"--method {method!r} is not one of {', '.join(METHODS)}"
        raise InputError(msg)
    if block_rows < 1:
        msg = f"--block-rows must be at least 1, not {block_rows}"
        raise InputError(msg)
    if not _PREFIX_RE.match(layer_prefix):
        msg = f"--layer-prefix {layer_prefix!r}: use 2-51 lower-case letters, digits and _, starting with a letter"
        raise InputError(msg)
    data_dir = settings.get().data_dir
    if catalogue is not None:
        if catalogue.suffix.lower() not in {".yaml", ".yml"}:
            msg = f"--catalogue {catalogue} must end in .yaml"
            raise InputError(msg)
        if not catalogue.parent.is_dir():
            msg = f"--catalogue {catalogue}: folder {catalogue.parent} does not exist; create it first"
            raise InputError(msg)
        if not out_dir.resolve().is_relative_to(data_dir.resolve()):
            msg = f"--out-dir {out_dir} is not inside the data folder {data_dir} (GISPLAN_DATA_DIR)"
            msg += "; the catalogue names rasters by their path there"
            raise InputError(msg)
    result = slope_aspect(dem, out_dir, method=cast("Method", method), block_rows=block_rows)
    width, height = result.cell_size_m
    typer.echo(
        f"{result.cells} cells ({width:.1f} m × {height:.1f} m), {result.nodata_cells} nodata, "
        f"{result.flat_cells} flat (aspect nodata); slope up to {result.slope_max_deg:.1f}°"
    )
    typer.echo(f"-> {result.slope_path}\n-> {result.aspect_path}")
    if catalogue is not None:
        catalogue.write_text(
            catalogue_text(result.slope_path, result.aspect_path, data_dir=data_dir, prefix=layer_prefix),
            encoding="utf-8",
        )
        _, problems = validate_files([catalogue], data_dir=data_dir)
        if problems:
            msg = f"{catalogue}: the written catalogue is not valid: " + "; ".join(str(p) for p in problems)
            raise InputError(msg)
        typer.echo(f"-> {catalogue} (layers {layer_prefix}_slope, {layer_prefix}_aspect)")
