"""Score a region and load it into the store in one step (``gisplan region load``).

Every scoring profile scores the catalogue's candidate layers of its site kinds
(all such layers together) and the results are ingested into the store. A
profile runs when the catalogue fills each of its required layer slots or the
region declares them not available (``unavailable:``); otherwise it is reported
with the slots that are missing (:class:`ProfilePlan`).

The load is idempotent: the sites keep their ids (``source:source_id``), so a
second run updates scores in place, adds nothing twice and leaves notes,
statuses and links alone (:func:`gisplan.workflows.ingest.ingest`). Every profile's
file carries the same site attributes (:func:`gisplan.demo.load.shared_attributes`),
so ingesting a second profile does not count as a change of the site.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gisplan.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from gisplan.catalogue import Catalogue, Layer
    from gisplan.measures import SlotStatus
    from gisplan.profiles import Profile
    from gisplan.store import Store
    from gisplan.workflows.ingest import IngestReport

#: Called with a stage text, the steps done and the steps in all.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ProfilePlan:
    """What one profile would do with the region's catalogue."""

    profile: str
    candidates: tuple[str, ...]
    """Ids of the candidate layers of the profile's site kinds."""
    slots: tuple[SlotStatus, ...]

    @property
    def missing(self) -> list[str]:
        """Required slots that nothing fills and the region does not declare unavailable."""
        return [s.slot for s in self.slots if s.state == "missing"]

    @property
    def runnable(self) -> bool:
        """True if the profile has candidates and every required slot is filled or declared unavailable."""
        return bool(self.candidates) and not self.missing

    def why_not(self, kinds: list[str]) -> str:
        """Why the profile is skipped, for a command-line user."""
        if not self.candidates:
            return f"no candidate layer of kind {' or '.join(kinds)} in the catalogue"
        return (
            f"no layer for slot(s) {', '.join(self.missing)}: add catalogue layers with those ids (or ids ending "
            f"in _<slot>), or declare them with 'unavailable: [{', '.join(self.missing)}]' in a catalogue file"
        )


@dataclass
class RegionLoad:
    """What a region load did."""

    scored: dict[str, int] = field(default_factory=dict)
    """Sites scored per profile."""
    kept: dict[str, int] = field(default_factory=dict)
    """Sites not excluded per profile."""
    capacity_mwp: dict[str, float] = field(default_factory=dict)
    """Installable capacity on kept sites per profile. [MWp]"""
    ingested: dict[str, IngestReport] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    """Profiles not run, with the reason."""
    unavailable: dict[str, list[str]] = field(default_factory=dict)
    """Slots each run profile went without because the region declares them not available."""
    notes: dict[str, list[str]] = field(default_factory=dict)
    """What reading a candidate layer assumed and kept, by layer id (municipal land: ``owned:``)."""
    seconds: float = 0.0


def plan(profiles: dict[str, Profile], catalogue: Catalogue) -> dict[str, ProfilePlan]:
    """How the catalogue serves each profile: its candidate layers and the state of each slot."""
    from gisplan.measures import slot_statuses

    out: dict[str, ProfilePlan] = {}
    for name, profile in sorted(profiles.items()):
        candidates = tuple(
            layer.id
            for layer in catalogue.by_role("candidate")
            if layer.site_kind in profile.site_kinds and layer.kind == "vector"
        )
        out[name] = ProfilePlan(name, candidates, tuple(slot_statuses(profile, catalogue)))
    return out


#: How a slot's state reads in ``gisplan layers check`` and ``gisplan layers scaffold``.
_STATE_WORDS = {"unavailable": "declared not available", "optional": "optional, none", "missing": "UNFILLED"}


def plan_lines(profiles: dict[str, Profile], catalogue: Catalogue) -> list[str]:
    """One line per profile: whether it runs, its candidate layers, and each slot's layer or state.

    An unfilled required slot reads ``<slot> (UNFILLED)``, and the verdict says how to fill it
    or declare it not available (:meth:`ProfilePlan.why_not`).
    """
    lines = []
    for name, item in plan(profiles, catalogue).items():
        slots = ", ".join(
            f"{s.slot}={s.layer_id}" if s.layer_id else f"{s.slot} ({_STATE_WORDS[s.state]})" for s in item.slots
        )
        verdict = "runs" if item.runnable else f"cannot run: {item.why_not(list(profiles[name].site_kinds))}"
        lines.append(f"{name}: {verdict}; candidates: {', '.join(item.candidates) or 'none'}; slots: {slots}")
    return lines


def _with_shared(frame: gpd.GeoDataFrame, shared: pd.DataFrame) -> gpd.GeoDataFrame:
    """The candidate frame with the attributes all profiles share (as :mod:`gisplan.demo.load` does it)."""
    from gisplan.demo.load import _with_shared as with_shared

    return with_shared(frame, shared)


def _read_candidates(
    layers: list[Layer], data_dir: Path, cache: dict[str, gpd.GeoDataFrame], notes: dict[str, list[str]]
) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import pandas as pd

    from gisplan.sources import read_layer, read_owned_layer

    for layer in layers:
        if layer.id in cache:
            continue
        if layer.owned is not None:
            land = read_owned_layer(layer, data_dir=data_dir)
            cache[layer.id], notes[layer.id] = land.sites, land.report()
        else:
            cache[layer.id] = read_layer(layer, data_dir=data_dir)
    parts = [cache[layer.id] for layer in layers]
    crs = parts[0].crs
    parts = [p if p.crs == crs else p.to_crs(crs) for p in parts]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=crs)


def _selected(profiles: dict[str, Profile], only: list[str] | None) -> dict[str, Profile]:
    if not only:
        return profiles
    unknown = sorted(set(only) - set(profiles))
    if unknown:
        msg = f"no profile(s) {unknown}; the profiles are {sorted(profiles)} ('gisplan profiles' lists them)"
        raise InputError(msg)
    return {name: p for name, p in profiles.items() if name in only}


def _ingest_all(
    store: Store, scored: dict[str, gpd.GeoDataFrame], tick: Callable[[str, int], None]
) -> dict[str, IngestReport]:
    """Ingest every profile's result, all with the same site attributes."""
    from gisplan.demo.load import shared_attributes
    from gisplan.scoring import write_scored
    from gisplan.workflows.ingest import ingest

    shared = shared_attributes(scored)
    out: dict[str, IngestReport] = {}
    with tempfile.TemporaryDirectory(prefix="gisplan-region-load-") as tmp:
        for i, (name, frame) in enumerate(scored.items()):
            tick(name, i)
            path = write_scored(_with_shared(frame, shared), Path(tmp) / f"{name}.gpkg")
            out[name] = ingest(store, path, name)
    return out


def load_region(
    store: Store,
    *,
    catalogue: Catalogue | None = None,
    profiles: dict[str, Profile] | None = None,
    only: list[str] | None = None,
    data_dir: Path | None = None,
    progress: Progress | None = None,
) -> RegionLoad:
    """Score the region's candidate layers with every applicable profile and ingest the results.

    Parameters
    ----------
    store
        The open store.
    catalogue
        The region's layer catalogue; default that of ``GISPLAN_LAYERS_DIR``.
    profiles
        Scoring profiles by name; default those of ``<layers dir>/profiles``.
    only
        Run only these profiles (names); each must exist.
    data_dir
        Folder the catalogue's paths are relative to; default ``GISPLAN_DATA_DIR``.
    progress
        Called as ``progress(stage, done, total)``; ``total`` counts the steps of every run profile.

    Raises
    ------
    InputError
        If ``only`` names an unknown profile, or no profile can run (every reason given).
    """
    from gisplan import settings
    from gisplan.catalogue import load_catalogue
    from gisplan.profiles import load_profiles
    from gisplan.scoring import score

    start = time.perf_counter()
    cat = catalogue if catalogue is not None else load_catalogue()
    profs = profiles if profiles is not None else load_profiles()
    profs = _selected(profs, only)
    folder = data_dir or settings.get().data_dir
    plans = plan(profs, cat)
    result = RegionLoad()
    for name, item in plans.items():
        if not item.runnable:
            result.skipped[name] = item.why_not(list(profs[name].site_kinds))
    run = [name for name, item in plans.items() if item.runnable]
    if not run:
        reasons = "; ".join(f"{name}: {why}" for name, why in result.skipped.items())
        msg = f"no profile can score this region ({reasons}); 'gisplan layers check' shows every profile's slots"
        raise InputError(msg)
    total = sum(len(profs[name].measures) + 5 for name in run)
    done = 0

    def tick(stage: str, step: int) -> None:
        if progress is not None:
            progress(stage, step, total)

    cache: dict[str, gpd.GeoDataFrame] = {}
    scored: dict[str, gpd.GeoDataFrame] = {}
    for name in run:
        profile = profs[name]
        sites = _read_candidates([cat[i] for i in plans[name].candidates], folder, cache, result.notes)
        base = done

        def step(stage: str, at: int, _total: int, *, name: str = name, base: int = base) -> None:
            tick(f"{name}: {stage}", base + at)

        frame = score(sites, profile, catalogue=cat, progress=step)
        done = base + len(profile.measures) + 4
        scored[name] = frame
        kept = ~frame["excluded"].astype(bool)
        result.scored[name] = len(frame)
        result.kept[name] = int(kept.sum())
        result.capacity_mwp[name] = float(frame["capacity_kwp"].where(kept, 0).sum()) / 1000
        result.unavailable[name] = [s.slot for s in plans[name].slots if s.state == "unavailable"]
    result.ingested = _ingest_all(store, scored, lambda name, i: tick(f"{name}: ingest", done + i))
    tick("done", total)
    result.seconds = time.perf_counter() - start
    return result


__all__ = ["ProfilePlan", "RegionLoad", "load_region", "plan", "plan_lines"]
