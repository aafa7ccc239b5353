"""The partitioned mode of ``gisplan score``: option checks, the memory rule, per-partition progress lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from gisplan.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan._partition_stream import Prepare
    from gisplan.partitioned import PartitionEvent
    from gisplan.profiles import Profile

#: Engine of partitioned runs when ``--engine`` is not given.
DEFAULT_ENGINE = "dask"


@dataclass(frozen=True)
class PartitionChoice:
    """What the user asked of the partitioned mode (``None``: not asked)."""

    partitioned: bool | None
    out: Path | None
    out_dir: Path | None
    engine: str | None
    scheduler: str | None
    partition_mb: float | None

    @property
    def asked(self) -> bool:
        """``--partitioned``, or any option that only means something in partitioned mode."""
        named = (self.out_dir, self.engine, self.scheduler, self.partition_mb)
        return bool(self.partitioned) or any(v is not None for v in named)


@dataclass(frozen=True)
class Streamed:
    """A sites file gisplan wrote, to be scored streamed in batches (never read whole)."""

    path: Path
    layer: str | None
    prepare: Prepare
    count: int


def check(choice: PartitionChoice) -> None:
    """Raise one :class:`InputError` naming every wrong combination of the score options."""
    from gisplan.partitioned import ENGINES

    problems = []
    if choice.partitioned is False and choice.asked:
        problems.append(
            "--out-dir, --engine, --scheduler and --partition-mb need partitioned mode; drop --no-partitioned"
        )
    if choice.engine is not None and choice.engine not in ENGINES:
        problems.append(f"--engine must be one of {', '.join(ENGINES)}, not {choice.engine!r}")
    if choice.scheduler is not None and choice.engine == "local":
        problems.append("--scheduler is the address of a Dask scheduler; it does not go with --engine local")
    if choice.scheduler is not None and "://" not in choice.scheduler and ":" not in choice.scheduler:
        problems.append(f"--scheduler takes a Dask scheduler address such as tcp://host:8786, not {choice.scheduler!r}")
    if choice.partition_mb is not None and not choice.partition_mb > 0:
        problems.append(f"--partition-mb must be a memory budget in MiB above 0, not {choice.partition_mb:g}")
    if choice.out_dir is not None and choice.out_dir.exists() and not choice.out_dir.is_dir():
        problems.append(f"--out-dir {choice.out_dir} is a file; give a folder for the partition files")
    if choice.out is not None and choice.out.suffix.lower() != ".gpkg":
        problems.append(f"--out {choice.out} must end in .gpkg")
    if choice.out is None and choice.out_dir is None:
        problems.append("give --out FILE.gpkg, or --partitioned --out-dir DIR for partitioned GeoParquet")
    if problems:
        raise InputError("; ".join(problems))


def site_count(sites: str, layer: str | None) -> int | None:
    """Features in the sites file, from its header (None when the format does not say, or it is no file)."""
    path = Path(sites)
    if not path.is_file():
        return None
    import pyogrio

    try:
        count = int(pyogrio.read_info(path, layer=layer)["features"])
    except Exception:  # any reader trouble shows properly when the sites are read
        return None
    return count if count >= 0 else None


def wants_partitions(choice: PartitionChoice, count: int) -> bool:
    """Partitioned when asked, else when :func:`gisplan.partitioned.needs_partitions` says ``count`` sites won't fit."""
    if choice.partitioned is not None or choice.asked:
        return choice.asked
    from gisplan.partitioned import needs_partitions

    return needs_partitions(count)


def run(
    sites: gpd.GeoDataFrame | Streamed,
    prof: Profile,
    choice: PartitionChoice,
    *,
    catalogue: Path | None,
    layers: dict[str, str],
) -> None:
    """Score ``sites`` partition by partition; one progress line per partition on stderr, a summary on stdout."""
    from gisplan.partitioned import DEFAULT_PARTITION_MB, PartitionOptions, score_partitioned

    out_dir = choice.out_dir
    if out_dir is None:
        assert choice.out is not None  # check() asks for one of them
        out_dir = choice.out.with_suffix(".parts")

    def progress(event: PartitionEvent) -> None:
        where = f"partition {event.index + 1}/{event.total}"
        if event.status == "failed":
            typer.echo(f"{where} failed: {event.error}", err=True)
        elif event.status == "skipped":
            typer.echo(f"{where}: {event.rows} sites already scored, kept", err=True)
        else:
            typer.echo(f"{where}: {event.rows} sites scored in {event.seconds:.1f} s", err=True)

    options = PartitionOptions(
        out_dir=out_dir,
        engine=choice.engine or DEFAULT_ENGINE,
        scheduler=choice.scheduler,
        partition_mb=choice.partition_mb or DEFAULT_PARTITION_MB,
        geopackage=choice.out,
        progress=progress,
    )
    if isinstance(sites, Streamed):
        typer.echo(
            f"scoring {sites.count} sites of {sites.path} in partitions on the {options.engine} engine -> {out_dir} "
            "(the file is read in batches: first to plan the partitions, then to write them)",
            err=True,
        )
        result = score_partitioned(
            sites.path,
            prof,
            options=options,
            sites_layer=sites.layer,
            prepare=sites.prepare,
            id_column="site_id",
            catalogue=catalogue,
            layers=layers,
        )
    else:
        typer.echo(f"scoring {len(sites)} sites in partitions on the {options.engine} engine -> {out_dir}", err=True)
        result = score_partitioned(sites, prof, options=options, catalogue=catalogue, layers=layers)
    written = f"{len(result.files)} GeoParquet partitions in {out_dir}"
    if result.geopackage is not None:
        written += f" and {result.geopackage}"
    typer.echo(
        f"scored {result.rows} sites with {prof.name} v{prof.version}: {result.kept} kept, "
        f"{result.rows - result.kept} excluded; {result.capacity_kwp_kept / 1000:.2f} MWp on kept sites "
        f"({len(result.scored)} partitions scored now, {len(result.files) - len(result.scored)} kept "
        f"from an earlier run) -> {written}"
    )
