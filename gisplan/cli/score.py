"""``gisplan score`` and ``gisplan profiles``: score sites into a GeoPackage, check the profiles."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Annotated

import typer

from gisplan.cli import app
from gisplan.errors import InputError

#: Runs with at least this many sites show a progress bar.
PROGRESS_FROM_SITES = 5_000


def _parse_layers(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    bad = [v for v in values if "=" not in v or not v.split("=", 1)[0] or not v.split("=", 1)[1]]
    if bad:
        msg = f"--layer takes slot=SOURCE (a catalogue layer id or a file), not {bad}"
        raise InputError(msg)
    for value in values:
        slot, source = value.split("=", 1)
        out[slot.strip()] = source.strip()
    return out


def _read_sites(source: str, layer: str | None, fmt: str, kind: str | None, layers_dir: Path | None) -> object:
    path = Path(source)
    if not path.exists():
        from gisplan.catalogue import load_catalogue
        from gisplan.sources import read_layer

        catalogue = load_catalogue(layers_dir)
        if source in catalogue.layers:
            return read_layer(catalogue[source])
        msg = f"--sites {source!r} is neither a file nor a catalogue layer id; check it, or run 'gisplan layers list'"
        raise InputError(msg)
    from gisplan.sources import read

    return read(path, format=fmt, layer=layer, kind=kind)


@app.command("score")
def score_command(  # noqa: PLR0917  (typer maps each parameter to an option)
    profile: Annotated[
        str, typer.Option("--profile", "-p", help="profile name (layers/profiles/NAME.yaml) or YAML path")
    ],
    sites: Annotated[str, typer.Option("--sites", "-s", help="sites file, or a candidate layer id of the catalogue")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="GeoPackage to write (layer 'sites')")] = None,
    sites_layer: Annotated[str | None, typer.Option("--sites-layer", help="layer of a multi-layer sites file")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="sites format: auto, ruian, uk-blr, cz-brownfields, us-epa, osm, vector")
    ] = "auto",
    kind: Annotated[
        str | None, typer.Option("--kind", help="site kind of every site: rooftop, brownfield, municipal_land")
    ] = None,
    layer: Annotated[
        list[str] | None,
        typer.Option("--layer", "-l", help="fill a layer slot: slot=catalogue_id or slot=path (repeat)"),
    ] = None,
    layers_dir: Annotated[
        Path | None, typer.Option("--catalogue", help="catalogue folder; default GISPLAN_LAYERS_DIR")
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help=f"progress bar; default on from {PROGRESS_FROM_SITES} sites"),
    ] = None,
    partitioned: Annotated[
        bool | None,
        typer.Option(
            "--partitioned/--no-partitioned",
            help="score in spatial partitions to GeoParquet; default: when the sites would not fit in memory",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out-dir", help="folder of the partitioned GeoParquet; default <out>.parts")
    ] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="partitioned engine: dask (default) or local")] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address; default a local cluster")
    ] = None,
    partition_mb: Annotated[
        float | None, typer.Option("--partition-mb", help="memory budget of one partition [MiB]; default 256")
    ] = None,
) -> None:
    """Score sites with a profile and write them, with criteria, breakdown and energy, to a GeoPackage.

    With --partitioned (or any partitioned option, or by itself when the sites
    would need more than half the available memory: about 3.9 kB per site),
    the sites are scored in spatial partitions written as GeoParquet, on Dask.
    """
    import geopandas as gpd

    from gisplan.cli import _partitioned

    choice = _partitioned.PartitionChoice(partitioned, out, out_dir, engine, scheduler, partition_mb)
    _partitioned.check(choice)

    from gisplan.profiles import load_profile
    from gisplan.scoring import score, write_scored

    prof = load_profile(profile)
    count = _partitioned.site_count(sites, sites_layer)
    if count is not None and fmt in ("auto", "vector") and _partitioned.wants_partitions(choice, count):
        from gisplan.sources import sites_batch_reader

        prepare = sites_batch_reader(sites, layer=sites_layer, kind=kind)
        if prepare is not None:  # a sites file gisplan wrote: streamed in batches, never read whole
            streamed = _partitioned.Streamed(Path(sites), sites_layer, prepare, count)
            _partitioned.run(streamed, prof, choice, catalogue=layers_dir, layers=_parse_layers(layer or []))
            return
    frame = _read_sites(sites, sites_layer, fmt, kind, layers_dir)
    if not isinstance(frame, gpd.GeoDataFrame):  # pragma: no cover - readers return GeoDataFrames
        msg = f"could not read sites from {sites}"
        raise InputError(msg)
    if kind is not None:
        frame["kind"] = kind
    if _partitioned.wants_partitions(choice, count if count is not None else len(frame)):
        _partitioned.run(frame, prof, choice, catalogue=layers_dir, layers=_parse_layers(layer or []))
        return
    assert out is not None  # _partitioned.check asks for --out outside partitioned mode
    show = progress if progress is not None else len(frame) >= PROGRESS_FROM_SITES
    with typer.progressbar(
        length=len(prof.measures) + 5, label="scoring", file=sys.stderr if show else io.StringIO()
    ) as bar:
        seen = {"done": 0}

        def step(stage: str, done: int, total: int) -> None:
            bar.label = f"{stage:<28}"
            bar.update(done - seen["done"])
            seen["done"] = done

        scored = score(frame, prof, catalogue=layers_dir, layers=_parse_layers(layer or []), progress=step)
        bar.label = "writing GeoPackage".ljust(28)
        written = write_scored(scored, out)
        bar.update(1)
    kept = scored[~scored["excluded"]]
    typer.echo(
        f"scored {len(scored)} sites with {prof.name} v{prof.version}: {len(kept)} kept, "
        f"{len(scored) - len(kept)} excluded; median score {kept['score'].median() if len(kept) else 0:.1f}; "
        f"{scored['capacity_kwp'].where(~scored['excluded'], 0).sum() / 1000:.2f} MWp on kept sites -> {written}"
    )
    measured = scored["completeness"].median() if len(scored) else float("nan")
    typer.echo(f"median share of the criteria weight measured: {measured:.0%} (the rest assumed or not available)")
    if "yield_source" in scored.columns:
        missing = int((scored["yield_source"] == "not_available").sum())
        if missing:
            typer.echo(f"warning: {missing} site(s) have no yield estimate: {scored['yield_note'].dropna().iloc[0]}")


@app.command("profiles")
def profiles_command(
    layers_dir: Annotated[
        Path | None, typer.Option("--dir", help="profiles folder; default <layers dir>/profiles")
    ] = None,
) -> None:
    """List and validate the scoring profiles; list every problem by file and field."""
    from gisplan.profiles import profile_files, validate_file

    problems = []
    files = profile_files(layers_dir)
    for path in files:
        profile, found = validate_file(path)
        problems += found
        if profile is not None:
            kinds = ",".join(profile.site_kinds)
            slots = ", ".join(profile.slots())
            typer.echo(f"{profile.name:<20} v{profile.version:<4} {kinds:<35} {profile.title.en}  slots: {slots}")
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {len(files)} profile file(s)", err=True)
        raise typer.Exit(code=1)
