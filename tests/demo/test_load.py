"""``gisplan demo load``: the demo region scored into a store, idempotently, with users and calls."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gisplan import settings
from gisplan.cli import main
from gisplan.demo.load import DEMO_USERS, LoadSummary, load_demo, shared_attributes
from gisplan.errors import InputError
from gisplan.funding import load_calls
from gisplan.store import Store, open_store
from gisplan.store.models import Site, SiteScore
from tests.conftest import ROOT
from tests.demo.conftest import Built


@pytest.fixture(scope="module")
def layers_dir(small_build: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalogue folder with the small build's demo.yaml and the project's scoring profiles."""
    folder = tmp_path_factory.mktemp("demo_load_layers")
    shutil.copy(small_build.layers_file, folder / "demo.yaml")
    (folder / "profiles").symlink_to(ROOT / "layers" / "profiles", target_is_directory=True)
    return folder


@pytest.fixture(scope="module")
def loaded(
    small_build: Built, layers_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, LoadSummary, Built]]:
    """The small demo build loaded once into a fresh SQLite store."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo_load') / 'store.sqlite'}"
    with settings.override(data_dir=small_build.data_dir, layers_dir=layers_dir):
        store = open_store(url)
        summary = load_demo(store)
        yield store, summary, small_build
        store.close()


def _scores_by_profile(store: Store) -> dict[str, dict[str, int]]:
    from sqlalchemy import func, select

    stmt = select(SiteScore.profile, Site.kind, func.count()).join(Site).group_by(SiteScore.profile, Site.kind)
    out: dict[str, dict[str, int]] = {}
    for profile, kind, count in store.read(lambda s: s.execute(stmt).all()):
        out.setdefault(profile, {})[kind] = count
    return out


def test_every_profile_scores_its_site_kinds(loaded: tuple[Store, LoadSummary, Built]) -> None:
    store, summary, built = loaded
    counts = built.summary.counts
    roofs, brownfields = counts["buildings"], counts["brownfields"]
    parcels = counts["parcels"]
    by_profile = _scores_by_profile(store)
    assert by_profile["rooftop_pv"] == {"rooftop": roofs}
    assert by_profile["ground_pv"] == {"brownfield": brownfields, "municipal_land": parcels}
    assert by_profile["redevelopment"] == by_profile["ground_pv"]
    assert by_profile["community_energy"] == {"rooftop": roofs, "brownfield": brownfields, "municipal_land": parcels}
    assert summary.profiles_scored["community_energy"] == roofs + brownfields + parcels
    assert store.counts()["sites"] == roofs + brownfields + parcels


def test_sites_carry_region_and_municipality(loaded: tuple[Store, LoadSummary, Built]) -> None:
    store, _, _ = loaded
    sites = store.list_sites(limit=500)
    assert {s.region_code for s in sites} == {"CZ042"}
    municipality_codes = {str(c.code) for c in store.communities("municipality")}
    inside = [s.municipality_code for s in sites if s.municipality_code is not None]
    assert len(inside) > 0.9 * len(sites)
    assert set(inside) <= municipality_codes


def test_communities_calls_and_users(loaded: tuple[Store, LoadSummary, Built]) -> None:
    store, summary, built = loaded
    municipalities = gpd.read_file(built.data_dir / "demo" / "municipalities.gpkg")
    assert len(store.communities("municipality")) == len(municipalities)
    assert {c.code for c in store.funding_calls()} == set(load_calls().calls)
    users = {user.username: (user.role, str(scope)) for user, scope in store.users()}
    biggest = municipalities.sort_values("pocet_obyv", ascending=False)["kod_obce"].iloc[0]
    assert summary.obec_municipality == str(biggest)
    assert users == {
        "admin": ("admin", "-"),
        "animator": ("animator", "region:CZ042"),
        "obec": ("municipality", f"municipality:{biggest}"),
        "planner": ("planner", "region:CZ042"),
    }
    for user in DEMO_USERS:
        assert store.authenticate(user.username, user.password) is not None
        assert store.authenticate(user.username, user.password + "x") is None


def test_a_second_load_changes_nothing(loaded: tuple[Store, LoadSummary, Built], layers_dir: Path) -> None:
    store, _, built = loaded
    revision, counts = store.revision(), store.counts()
    with settings.override(data_dir=built.data_dir, layers_dir=layers_dir):
        again = load_demo(store)
    assert not again.changed
    assert again.profiles_scored == {}
    assert sorted(again.profiles_unchanged) == ["community_energy", "ground_pv", "redevelopment", "rooftop_pv"]
    assert store.revision() == revision  # not even an audit row
    assert store.counts() == counts


def test_a_second_profile_does_not_count_as_a_site_change(loaded: tuple[Store, LoadSummary, Built]) -> None:
    store, _, _ = loaded
    # every site was inserted once and never updated by the other profiles' ingests
    assert {s.version for s in store.list_sites(limit=2000)} == {1}


def test_shared_attributes_take_the_union_first_profile_winning() -> None:
    geometry = [shapely.Point(0, 0), shapely.Point(1, 1)]
    a = gpd.GeoDataFrame(
        {"site_id": ["s1", "s2"], "score": [1.0, 2.0], "dist_m": [10.0, None], "only_a": ["x", "y"]},
        geometry=geometry,
        crs="EPSG:5514",
    )
    b = gpd.GeoDataFrame(
        {"site_id": ["s2"], "score": [5.0], "dist_m": [99.0], "only_b": [3]}, geometry=geometry[1:], crs="EPSG:5514"
    )
    shared = shared_attributes({"b_profile": b, "a_profile": a})
    assert sorted(shared.columns) == ["dist_m", "only_a", "only_b"]
    assert shared.loc["s1", "dist_m"] == 10.0
    assert shared.loc["s2", "dist_m"] == 99.0  # a_profile had none, b_profile's value fills the gap
    assert shared.loc["s2", "only_a"] == "y"
    assert pd.isna(shared.loc["s1", "only_b"])


def test_load_without_a_demo_build_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "layers").mkdir()
    with settings.override(data_dir=tmp_path, layers_dir=tmp_path / "layers"), pytest.raises(InputError) as err:
        load_demo(open_store(f"sqlite:///{tmp_path / 's.sqlite'}"))
    assert "gisplan demo build" in str(err.value)


def test_cli_prints_progress_and_the_demo_logins(
    loaded: tuple[Store, LoadSummary, Built], layers_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, _, built = loaded
    url = store.engine.url.render_as_string(hide_password=False)
    with settings.override(data_dir=built.data_dir, layers_dir=layers_dir):
        code = main(["demo", "load", "--url", url])
    out = capsys.readouterr().out
    assert code == 0
    assert "[demo load] sites: profiles and demo files unchanged" in out
    assert "animator / demo-animator-pass" in out
