"""``gisplan demo load``: score the demo region and fill the store, so the app has something to show.

Steps, each idempotent (a second run changes nothing):

1. **Sites.** Every scoring profile scores the demo candidate layers of its site
   kinds (``rooftop_pv``: rooftops; ``ground_pv`` and ``redevelopment``:
   brownfields and municipal land; ``community_energy``: all three) with
   :func:`gisplan.score`, and the results are ingested with
   :func:`gisplan.workflows.ingest.ingest`. A fingerprint of the profiles and the
   candidate files is kept in the store (``store_meta``); when it is unchanged
   nothing is scored or written. Every profile's file carries the same site
   attributes (:func:`shared_attributes`), so ingesting a second profile does not
   count as a change of the site.
2. **Communities.** The demo municipalities become communities of kind
   ``municipality`` (:func:`gisplan.communities.add_municipalities`).
3. **Funding calls.** The call catalogue is synced into the store
   (:func:`gisplan.funding.sync_calls`).
4. **Users.** ``admin``, ``animator`` (scope: the whole demo region),
   ``obec`` (a municipality user of the most populous demo municipality) and
   ``planner``, with the passwords in :data:`DEMO_USERS`. They are for the demo
   only: anyone who reads this file knows them. Existing users are left as they are.

All sites get the demo region code (``CZ042``, Ústecký kraj; see
:func:`gisplan.funding.demo_places`), so region-scoped users and the funding
matcher place them.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gisplan import settings
from gisplan.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from gisplan.catalogue import Catalogue, Layer
    from gisplan.profiles import Profile
    from gisplan.store import Store

ProgressFn = Callable[[str], None]

#: Catalogue layers of the demo region start with this (see :mod:`gisplan.demo._catalogue`).
DEMO_PREFIX = "demo_"
#: ``store_meta`` key of the fingerprint of the last site load.
FINGERPRINT_KEY = "demo_load:sites"


@dataclass(frozen=True)
class DemoUser:
    """A demo login: user name, role, password (demo only) and scope (``kind:code`` items)."""

    username: str
    role: str
    password: str
    scope: tuple[str, ...] = ()


#: The demo users. ``{region}`` and ``{municipality}`` are filled in by :func:`load_demo`.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "admin", "demo-admin-pass"),
    DemoUser("animator", "animator", "demo-animator-pass", ("region:{region}",)),
    DemoUser("obec", "municipality", "demo-obec-pass", ("municipality:{municipality}",)),
    DemoUser("planner", "planner", "demo-planner-pass", ("region:{region}",)),
)


@dataclass
class LoadSummary:
    """What a load did."""

    profiles_scored: dict[str, int] = field(default_factory=dict)
    """Sites scored and ingested per profile (empty when the sites were unchanged)."""
    profiles_unchanged: list[str] = field(default_factory=list)
    municipalities_added: int = 0
    calls_added: int = 0
    calls_updated: int = 0
    users_added: list[str] = field(default_factory=list)
    obec_municipality: str = ""
    """Code of the municipality the ``obec`` user is scoped to."""
    seconds: float = 0.0
    """Wall-clock time of the load. [s]"""

    @property
    def changed(self) -> bool:
        """True if the store was written to."""
        return bool(
            self.profiles_scored
            or self.municipalities_added
            or self.calls_added
            or self.calls_updated
            or self.users_added
        )


def demo_layers(catalogue: Catalogue) -> tuple[dict[str, Layer], Layer]:
    """The demo candidate layers by site kind, and the demo municipality layer.

    Raises
    ------
    InputError
        If the catalogue holds no demo layers (the demo was not built).
    """
    candidates: dict[str, Layer] = {}
    admin: Layer | None = None
    for layer in catalogue.layers.values():
        if not layer.id.startswith(DEMO_PREFIX) or layer.kind != "vector":
            continue
        if layer.role == "candidate" and layer.site_kind is not None:
            candidates[layer.site_kind] = layer
        elif layer.role == "admin":
            admin = layer
    if not candidates or admin is None:
        msg = (
            f"the layer catalogue holds no demo layers (ids starting with {DEMO_PREFIX!r}, candidate sites and "
            "municipalities); build the demo first with `gisplan demo build`"
        )
        raise InputError(msg)
    return candidates, admin


def _source_paths(layer: Layer, data_dir: Path) -> list[Path]:
    source = layer.source
    names = [getattr(source, "path", None), getattr(source, "file", None)]
    return [data_dir / name for name in names if name]


def _check_files(layers: list[Layer], data_dir: Path) -> None:
    missing = [str(p) for layer in layers for p in _source_paths(layer, data_dir) if not p.is_file()]
    if missing:
        msg = f"demo files are missing: {', '.join(missing)}; build the demo first with `gisplan demo build`"
        raise InputError(msg)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(profiles: dict[str, Profile], layers: list[Layer], data_dir: Path, region: str) -> str:
    """A hash of everything the demo scores depend on: profiles, candidate layers and files, region code."""
    from gisplan import __version__

    digest = hashlib.sha256(f"{__version__}|{region}".encode())
    for name in sorted(profiles):
        digest.update(profiles[name].model_dump_json().encode())
    for layer in sorted(layers, key=lambda item: item.id):
        digest.update(layer.model_dump_json().encode())
        for path in _source_paths(layer, data_dir):
            digest.update(_file_digest(path).encode())
    return digest.hexdigest()


def _stored_fingerprint(store: Store) -> str | None:
    from gisplan.store.models import StoreMeta

    row = store.read(lambda s: s.get(StoreMeta, FINGERPRINT_KEY))
    return None if row is None else row.value


def _save_fingerprint(store: Store, value: str) -> None:
    from gisplan.store import SYSTEM
    from gisplan.store.models import StoreMeta

    store.transaction(SYSTEM, lambda tx: tx.session.merge(StoreMeta(key=FINGERPRINT_KEY, value=value)))


def pick_municipality(municipalities: pd.DataFrame) -> str:
    """The code of the most populous demo municipality (the ``obec`` user's municipality)."""
    ordered = municipalities.sort_values(["pocet_obyv", "kod_obce"], ascending=[False, True], kind="stable")
    return str(ordered["kod_obce"].iloc[0])


def _core_columns() -> set[str]:
    from gisplan.site_schema import ENERGY_NUMBERS, JSON_LIST_COLUMNS
    from gisplan.workflows.ingest import REQUIRED

    return {*REQUIRED, "area_m2", "profile", "profile_version", *JSON_LIST_COLUMNS, *ENERGY_NUMBERS}


def shared_attributes(scored: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Every non-score column of every profile's result, one row per site (``site_id`` index).

    The store keeps one set of attributes per site and records a change whenever
    they differ, so every profile's file carries the same attributes: the union of
    the columns, the first profile (by name) winning where two computed the same column.
    """
    import pandas as pd

    core = _core_columns()
    shared: pd.DataFrame | None = None
    for name in sorted(scored):
        frame = scored[name]
        extra = pd.DataFrame(frame.drop(columns=[c for c in frame.columns if c in core or c == frame.geometry.name]))
        extra.index = pd.Index(frame["site_id"].astype(str).to_numpy(), name="site_id")
        shared = extra if shared is None else shared.combine_first(extra)
    return pd.DataFrame() if shared is None else shared


def _with_shared(frame: gpd.GeoDataFrame, shared: pd.DataFrame) -> gpd.GeoDataFrame:
    core = _core_columns()
    keep = [c for c in frame.columns if c in core]
    rows = shared.reindex(frame["site_id"].astype(str).to_numpy())
    out = frame[[*keep, frame.geometry.name]].reset_index(drop=True)
    for column in rows.columns:
        out[column] = rows[column].to_numpy()
    return out


def _score_all(
    profiles: dict[str, Profile],
    candidates: dict[str, Layer],
    catalogue: Catalogue,
    *,
    data_dir: Path,
    region: str,
    say: ProgressFn,
) -> dict[str, gpd.GeoDataFrame]:
    import geopandas as gpd
    import pandas as pd

    from gisplan.scoring import score
    from gisplan.sources import read_layer

    frames: dict[str, gpd.GeoDataFrame] = {}
    scored: dict[str, gpd.GeoDataFrame] = {}
    for name, profile in sorted(profiles.items()):
        layers = [candidates[kind] for kind in profile.site_kinds if kind in candidates]
        if not layers:
            continue
        for layer in layers:
            if layer.id not in frames:
                frames[layer.id] = read_layer(layer, data_dir=data_dir)
        start = time.perf_counter()
        parts = [frames[layer.id] for layer in layers]
        sites = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
        result = score(sites, profile, catalogue=catalogue)
        result["region_code"] = region
        scored[name] = result
        say(f"{name}: scored {len(result):,} sites ({time.perf_counter() - start:.1f} s)")
    return scored


def _load_sites(
    store: Store,
    catalogue: Catalogue,
    *,
    candidates: dict[str, Layer],
    data_dir: Path,
    region: str,
    summary: LoadSummary,
    say: ProgressFn,
) -> None:
    from gisplan.profiles import load_profiles
    from gisplan.scoring import write_scored
    from gisplan.workflows.ingest import ingest

    profiles = load_profiles()
    value = fingerprint(profiles, list(candidates.values()), data_dir, region)
    if _stored_fingerprint(store) == value:
        summary.profiles_unchanged.extend(sorted(profiles))
        say("sites: profiles and demo files unchanged since the last load, skipped")
        return
    scored = _score_all(profiles, candidates, catalogue, data_dir=data_dir, region=region, say=say)
    shared = shared_attributes(scored)
    with tempfile.TemporaryDirectory(prefix="gisplan-demo-load-") as tmp:
        for name, frame in scored.items():
            start = time.perf_counter()
            path = write_scored(_with_shared(frame, shared), Path(tmp) / f"{name}.gpkg")
            report = ingest(store, path, name)
            summary.profiles_scored[name] = len(frame)
            say(f"{name}: {report} ({time.perf_counter() - start:.1f} s)")
    _save_fingerprint(store, value)


def _load_users(store: Store, region: str, municipality: str, summary: LoadSummary, say: ProgressFn) -> None:
    from gisplan.store import SYSTEM, Scope, Tx

    known = {user.username for user, _ in store.users()}
    fresh = [user for user in DEMO_USERS if user.username not in known]

    def work(tx: Tx) -> None:
        for user in fresh:
            scope = Scope.parse([item.format(region=region, municipality=municipality) for item in user.scope])
            tx.add_user(user.username, user.role, scope=scope, password=user.password)

    if fresh:
        store.transaction(SYSTEM, work)
    summary.users_added = [user.username for user in fresh]
    for user in fresh:
        say(f"user {user.username} ({user.role}) added")


def load_demo(store: Store | None = None, *, progress: ProgressFn | None = None) -> LoadSummary:
    """Score the demo region and put sites, municipalities, funding calls and users into the store.

    Parameters
    ----------
    store
        The store to fill; default :func:`gisplan.store.open_store` (``GISPLAN_DATABASE_URL``).
    progress
        Called with one line of text per step.

    Raises
    ------
    InputError
        If the demo region has not been built (no demo layers or files).
    """
    from gisplan.catalogue import load_catalogue
    from gisplan.communities import add_municipalities, municipalities_from_layer
    from gisplan.funding import DEMO_REGION, load_calls, sync_calls
    from gisplan.sources import read_layer
    from gisplan.store import SYSTEM, open_store

    say = progress or (lambda _msg: None)
    start = time.perf_counter()
    data_dir = settings.get().data_dir
    catalogue = load_catalogue()
    candidates, admin = demo_layers(catalogue)
    _check_files([*candidates.values(), admin], data_dir)
    own = store is None
    target = open_store() if store is None else store
    summary = LoadSummary()
    try:
        say(f"loading the demo region into {target.url}")
        _load_sites(
            target, catalogue, candidates=candidates, data_dir=data_dir, region=DEMO_REGION, summary=summary, say=say
        )
        municipalities = read_layer(admin, data_dir=data_dir)
        table = municipalities_from_layer(municipalities, source=f"layer {admin.id}")
        summary.municipalities_added = add_municipalities(target, SYSTEM, table, region_code=DEMO_REGION)
        say(f"municipalities: {summary.municipalities_added} added, {len(table)} in the demo region")
        synced = sync_calls(target, SYSTEM, load_calls())
        summary.calls_added, summary.calls_updated = len(synced.added), len(synced.updated)
        say(f"funding calls: {len(synced.added)} added, {len(synced.updated)} updated, {len(synced.unchanged)} same")
        summary.obec_municipality = pick_municipality(municipalities)
        _load_users(target, DEMO_REGION, summary.obec_municipality, summary, say)
    finally:
        if own:
            target.close()
    summary.seconds = time.perf_counter() - start
    say(f"done in {summary.seconds:.1f} s" + ("" if summary.changed else " (nothing to change)"))
    return summary


__all__ = [
    "DEMO_USERS",
    "DemoUser",
    "LoadSummary",
    "demo_layers",
    "fingerprint",
    "load_demo",
    "pick_municipality",
    "shared_attributes",
]
