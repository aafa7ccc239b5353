"""``gisplan read``: read a data file into canonical sites and write them as a GeoPackage."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gisplan.cli import app
from gisplan.errors import GisplanError, InputError, UnreadableSourceError
from gisplan.formats import format_names

if TYPE_CHECKING:
    import geopandas as gpd

SITES_LAYER = "sites"


def _writable(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Text columns holding mixed values (OSM tags, GML codes) become plain text for the GeoPackage."""
    out = gdf.copy()
    for column in out.columns:
        if column != out.geometry.name and out[column].dtype == object:
            out[column] = [
                None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in out[column]
            ]
    return out


def check_out(out: Path) -> None:
    """Refuse an output path that is not a ``.gpkg`` in an existing folder."""
    if out.suffix.lower() != ".gpkg":
        msg = f"--out {out} must end in .gpkg (the output is a GeoPackage)"
        raise InputError(msg)
    if not out.parent.exists():
        msg = f"--out {out}: folder {out.parent} does not exist; create it first"
        raise InputError(msg)


def write_sites(gdf: gpd.GeoDataFrame, out: Path) -> None:
    """Write canonical sites to layer ``sites`` of a GeoPackage (other layers in it are kept)."""
    import pyogrio

    check_out(out)
    pyogrio.write_dataframe(_writable(gdf), out, layer=SITES_LAYER, driver="GPKG")


def _municipal_land(source: str, *, format: str, layer: str | None, kind: str | None, owned: Path | None) -> bool:
    """True when the command selects municipal land from RÚIAN parcels (and says what it assumed)."""
    from gisplan.sources import check_path, sniff_format

    parcels = (layer or "").lower() in {"parcely", "parcels"}
    if owned is None:
        if kind != "municipal_land" or not parcels or format not in {"auto", "ruian"}:
            return False
        return sniff_format(check_path(source)) == "ruian"
    if kind not in {None, "municipal_land"}:
        msg = f"--owned selects municipal land; drop --kind {kind} or use --kind municipal_land"
        raise InputError(msg)
    if layer is not None and not parcels:
        msg = f"--owned selects RÚIAN parcels; use --layer parcely, not --layer {layer}"
        raise InputError(msg)
    if format not in {"auto", "ruian"} or sniff_format(check_path(source)) != "ruian":
        msg = f"--owned works on RÚIAN parcels (a VFR .xml.gz file); {source} is not one (filter others with --where)"
        raise InputError(msg)
    return True


def _read_land(
    source: str, *, owned: Path | None, where: str | None, crs: str | None, working_crs: str | None
) -> gpd.GeoDataFrame:
    from gisplan.sources import read_municipal_land

    if crs is not None:
        msg = "--crs is only for vector files and CSV; RÚIAN data are in EPSG:5514"
        raise InputError(msg)
    land = read_municipal_land(source, owned=owned, where=where, working_crs=working_crs)
    for line in land.report():
        typer.echo(line)
    return land.sites


def _read_mapped(
    source: str, mapping: Path, *, format: str, kind: str | None, owned: Path | None, working_crs: str | None
) -> gpd.GeoDataFrame:
    from gisplan.sources import check_kind, load_mapping, read_mapped

    if owned is not None:
        msg = "--mapping and --owned do not go together: --owned selects RÚIAN parcels"
        raise InputError(msg)
    if format not in {"auto", "vector"}:
        msg = f"--mapping reads a CSV list in its own layout; drop --format {format}"
        raise InputError(msg)
    spec = load_mapping(mapping)
    if kind is not None:
        spec = spec.model_copy(update={"kind": check_kind(kind)})
    sites = read_mapped(source, spec, working_crs=working_crs)
    located = int((sites.geometry.notna() & ~sites.geometry.is_empty).sum())
    typer.echo(f"mapping {spec.name}: {len(sites)} rows, {located} with a location")
    return sites


@app.command("read")
def read_command(
    source: Annotated[
        str, typer.Argument(help="data file: GPKG, GeoJSON, SHP/ZIP, KML, FGB, Parquet, CSV, .osm(.pbf), RÚIAN .xml.gz")
    ],
    *,
    out: Annotated[Path, typer.Option("--out", help="GeoPackage to write; the layer is 'sites'")],
    format: Annotated[str, typer.Option("--format", help=" | ".join(format_names()))] = "auto",
    layer: Annotated[
        str | None,
        typer.Option(
            help="vector layer; RÚIAN obce|parcely|stavebni_objekty; OSM buildings|brownfields|substations|power_lines"
        ),
    ] = None,
    kind: Annotated[str | None, typer.Option(help="brownfield | rooftop | municipal_land")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of data that declare none, e.g. EPSG:5514")] = None,
    working_crs: Annotated[str | None, typer.Option("--working-crs", help="metric CRS of the output")] = None,
    where: Annotated[str | None, typer.Option(help="OGR SQL filter (vector and RÚIAN)")] = None,
    owned: Annotated[
        Path | None,
        typer.Option(
            "--owned",
            help="the municipality's ownership list (CSV: katastralni_uzemi, parcela 'st. 56' or '153/36', "
            "or parcela_id): only these RÚIAN parcels become municipal land",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="column-mapping YAML for a list in its own layout (examples in layers/mappings/)",
        ),
    ] = None,
) -> None:
    """Read SOURCE into canonical sites in the working CRS and write them to --out."""
    from gisplan.sources import read

    check_out(out)
    try:
        land = _municipal_land(source, format=format, layer=layer, kind=kind, owned=owned)
        if mapping is not None:
            sites = _read_mapped(source, mapping, format=format, kind=kind, owned=owned, working_crs=working_crs)
        elif land:
            sites = _read_land(source, owned=owned, where=where, crs=crs, working_crs=working_crs)
        else:
            sites = read(source, format=format, layer=layer, where=where, kind=kind, crs=crs, working_crs=working_crs)
    except GisplanError:
        raise
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        # GDAL, osmnx and pandas report broken input with these; the user needs one line, not a traceback.
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        msg = f"{source}: cannot be read ({detail}); check the file, or choose --format / --layer"
        raise UnreadableSourceError(msg) from exc
    write_sites(sites, out)
    kinds = sites["kind"].fillna("none").value_counts().to_dict() if len(sites) else {}
    by_kind = ", ".join(f"{k} {v}" for k, v in kinds.items()) or "no sites"
    crs_name = sites.crs.to_string() if sites.crs is not None else "no CRS"
    noun = "feature" if len(sites) == 1 else "features"
    typer.echo(f"{len(sites)} {noun} ({by_kind}) in {crs_name} -> {out} (layer {SITES_LAYER})")
