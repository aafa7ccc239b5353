"""The deterministic generator of the synthetic demo region (``gisplan demo build``).

The demo region is an invented 20 x 20 km rural area of north Bohemia in
EPSG:5514: about two dozen municipalities with one small town, some 23,000
buildings, a brownfield register, municipal parcels, roads, the 110/22 kV grid,
protected areas, a river with its Q100 flood zone, and DEM, slope and GHI
rasters. The same seed always gives the same content.

Example::

    from gisplan.demo import build_demo
    summary = build_demo()          # writes <data dir>/demo and layers/demo.yaml
    print(summary.counts["buildings"])
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from gisplan import settings
from gisplan.demo._catalogue import FILES, catalogue_text
from gisplan.demo._common import CRS, DEFAULT_SEED, EXTENT, ProgressFn
from gisplan.demo._output import (
    folder_size_mb,
    remove_outputs,
    write_preview,
    write_rasters,
    write_readme,
    write_vectors,
)
from gisplan.demo._world import DemoRegion, generate
from gisplan.errors import InputError


@dataclass(frozen=True)
class DemoSummary:
    """What a build wrote."""

    out_dir: Path
    seed: int
    scale: float
    counts: dict[str, int]
    files: dict[str, Path]
    layers_file: Path | None
    size_mb: float
    """Total size of the written files. [MB]"""
    seconds: float
    """Wall-clock time of the build. [s]"""


def default_out_dir() -> Path:
    """``<data dir>/demo``, read from the settings now."""
    return settings.get().data_dir / "demo"


def _check_arguments(seed: int, scale: float) -> None:
    problems = []
    if seed < 0:
        problems.append(f"--seed {seed} is negative; use a whole number >= 0")
    if not 0.0 < scale <= 1.0:
        problems.append(f"--scale {scale} is outside (0, 1]; use e.g. 1 for the full region or 0.1 for a quick one")
    if problems:
        msg = "; ".join(problems)
        raise InputError(msg)


def _catalogue_prefix(out_dir: Path) -> str:
    """``out_dir`` relative to the data dir, as catalogue paths need it."""
    data_dir = settings.get().data_dir.resolve()
    try:
        return out_dir.resolve().relative_to(data_dir).as_posix()
    except ValueError:
        msg = (
            f"the demo folder {out_dir} is not inside the data dir {data_dir}, so catalogue paths cannot point at it; "
            "build into the data dir or set GISPLAN_DATA_DIR to a parent of the folder"
        )
        raise InputError(msg) from None


def build_demo(
    out_dir: Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    force: bool = False,
    layers_out: Path | None = None,
    progress: ProgressFn | None = None,
) -> DemoSummary:
    """Generate the demo region and write it to ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write; default ``<data dir>/demo``. Created if needed.
    seed
        Random seed; the same seed gives the same layers.
    scale
        Share of buildings and parcels to generate (0 < scale <= 1), for quick builds.
    force
        Rebuild even if ``out_dir`` already holds a finished build (its ``README.md``).
    layers_out
        Where to write the catalogue YAML. By default it is written to
        ``<layers dir>/demo.yaml`` only when ``out_dir`` is the default folder.
    progress
        Called with one line of text per step.

    Raises
    ------
    InputError
        For a bad seed or scale, a finished build without ``force``, or a
        catalogue requested for a folder outside the data dir.
    """
    _check_arguments(seed, scale)
    say = progress or (lambda _msg: None)
    start = time.perf_counter()
    target = out_dir if out_dir is not None else default_out_dir()
    if layers_out is None and target.resolve() == default_out_dir().resolve():
        layers_out = settings.get().layers_dir / "demo.yaml"
    prefix = _catalogue_prefix(target) if layers_out is not None else None
    if (target / FILES["readme"]).exists() and not force:
        msg = f"{target} already holds a demo build ({FILES['readme']} exists); pass --force to rebuild it"
        raise InputError(msg)
    target.mkdir(parents=True, exist_ok=True)
    remove_outputs(target)
    say(f"building the demo region (seed {seed}, scale {scale:g}) in {target}")
    region = generate(seed, scale=scale, progress=say)
    counts = write_vectors(region, target)
    write_rasters(region, target)
    write_preview(region, target / FILES["preview"])
    say(f"files written ({time.perf_counter() - start:.1f} s)")
    if layers_out is not None and prefix is not None:
        layers_out.parent.mkdir(parents=True, exist_ok=True)
        layers_out.write_text(catalogue_text(prefix), encoding="utf-8")
        say(f"catalogue written to {layers_out}")
    write_readme(region, target, counts, scale=scale)
    seconds = time.perf_counter() - start
    size = folder_size_mb(target)
    done = f"{counts['buildings']:,} buildings, {counts['brownfields']} brownfields, {size:.1f} MB"
    say(f"done: {done} in {seconds:.1f} s")
    return DemoSummary(
        out_dir=target,
        seed=seed,
        scale=scale,
        counts=counts,
        files={key: target / name for key, name in FILES.items()},
        layers_file=layers_out,
        size_mb=size,
        seconds=seconds,
    )


__all__ = ["CRS", "DEFAULT_SEED", "EXTENT", "DemoRegion", "DemoSummary", "build_demo", "default_out_dir", "generate"]
