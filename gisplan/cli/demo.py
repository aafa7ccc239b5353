"""``gisplan demo build``: generate the synthetic demo region."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gisplan.cli import app
from gisplan.demo import DEFAULT_SEED, build_demo

demo_app = typer.Typer(help="The synthetic demo region (data/demo).", no_args_is_help=True)
app.add_typer(demo_app, name="demo")


@demo_app.command("build")
def build(
    out: Annotated[Path | None, typer.Option("--out", help="output folder; default <data dir>/demo")] = None,
    seed: Annotated[int, typer.Option("--seed", help="random seed; the same seed gives the same data")] = DEFAULT_SEED,
    force: Annotated[bool, typer.Option("--force", help="rebuild over a finished build")] = False,
    scale: Annotated[
        float, typer.Option("--scale", help="share of buildings and parcels to generate, 0 < scale <= 1")
    ] = 1.0,
    layers_out: Annotated[
        Path | None,
        typer.Option(
            "--layers-out", help="write the catalogue YAML here; default layers/demo.yaml for the default --out"
        ),
    ] = None,
) -> None:
    """Generate the demo region: GeoPackages, a brownfield register CSV, rasters and a preview."""
    summary = build_demo(
        out,
        seed=seed,
        scale=scale,
        force=force,
        layers_out=layers_out,
        progress=lambda msg: typer.echo(f"[demo] {msg}"),
    )
    typer.echo(f"ok: demo region in {summary.out_dir} ({summary.size_mb:.1f} MB, {summary.seconds:.1f} s)")


@demo_app.command("load")
def load(
    url: Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")] = None,
) -> None:
    """Score the demo region and load sites, municipalities, funding calls and demo users into the store."""
    from gisplan.demo.load import DEMO_USERS, load_demo
    from gisplan.store import open_store

    with open_store(url) as store:
        summary = load_demo(store, progress=lambda msg: typer.echo(f"[demo load] {msg}"))
    sites = sum(summary.profiles_scored.values())
    typer.echo(
        f"ok: {sites:,} site scores loaded, {len(summary.profiles_unchanged)} profile(s) unchanged, "
        f"{len(summary.users_added)} user(s) added ({summary.seconds:.1f} s)"
    )
    typer.echo("demo logins (demo only): " + ", ".join(f"{u.username} / {u.password}" for u in DEMO_USERS))
