"""``gisplan submit``: the same intake as the app, stores all sites or nothing, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gisplan.cli import main
from gisplan.store import SYSTEM, Scope, open_store
from tests.intake.conftest import A_BOX, A_CENTRE, B_BOX, B_CENTRE, geojson_bytes, polygon, square_lonlat
from tests.intake.test_form import good_form


@pytest.fixture
def setup(tmp_path: Path, municipalities: gpd.GeoDataFrame) -> tuple[str, Path]:
    """A store with user ``obec_a`` (municipality 500001) and a boundaries file; returns (db url, boundaries)."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = open_store(url)
    store.add_user(SYSTEM, "obec_a", "municipality", scope=Scope.parse(["municipality:500001"]))
    store.close()
    boundaries = tmp_path / "obce.gpkg"
    municipalities.to_file(boundaries, layer="obce")
    return url, boundaries


@pytest.fixture(name="municipalities")
def _municipalities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kod_obce": ["500001", "500002"]}, geometry=[shapely.box(*A_BOX), shapely.box(*B_BOX)], crs="EPSG:5514"
    )


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _args(path: Path, url: str, boundaries: Path, *extra: str) -> list[str]:
    return [
        "submit",
        str(path),
        "--municipality",
        "500001",
        "--as",
        "obec_a",
        "--boundaries",
        str(boundaries),
        "--url",
        url,
        "--no-preview",
        *extra,
    ]


def test_submit_stores_the_sites(tmp_path: Path, setup: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    url, boundaries = setup
    upload = tmp_path / "plochy.geojson"
    upload.write_bytes(geojson_bytes(polygon(square_lonlat(*A_CENTRE)), props=[{"name": "Sklad"}]))
    form = tmp_path / "form.json"
    form.write_text(json.dumps(good_form()), encoding="utf-8")
    code, out, err = _run(_args(upload, url, boundaries, "--form", str(form)), capsys)
    assert code == 0, err
    assert "checked: 1 site(s) from geojson, EPSG:4326 -> EPSG:5514, total area 40,0" in out
    assert "stored: 1 submission(s) 1 for 500001" in out
    store = open_store(url)
    (sub,) = store.submissions()
    assert sub.name == "Bývalý cukrovar"
    assert sub.attributes["form"]["ownership"] == "municipal"
    store.close()


def test_dry_run_stores_nothing(tmp_path: Path, setup: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    url, boundaries = setup
    upload = tmp_path / "plochy.geojson"
    upload.write_bytes(geojson_bytes(polygon(square_lonlat(*A_CENTRE))))
    code, out, err = _run(_args(upload, url, boundaries, "--dry-run"), capsys)
    assert code == 0, err
    assert "dry run: nothing stored" in out
    store = open_store(url)
    assert store.submissions() == []
    store.close()


@pytest.mark.parametrize(
    ("name", "data", "phrase"),
    [
        ("other.geojson", geojson_bytes(polygon(square_lonlat(*B_CENTRE))), "outside the municipality"),
        ("vrt.geojson", b"<OGRVRTDataSource><OGRVRTLayer name='x'/></OGRVRTDataSource>", "VRT"),
    ],
)
def test_refusals_are_one_line_and_store_nothing(
    tmp_path: Path, setup: tuple[str, Path], capsys: pytest.CaptureFixture[str], name: str, data: bytes, phrase: str
) -> None:
    url, boundaries = setup
    upload = tmp_path / name
    upload.write_bytes(data)
    code, _, err = _run(_args(upload, url, boundaries), capsys)
    assert code == 1
    assert err.startswith("error: ")
    assert phrase in err
    assert "Traceback" not in err
    store = open_store(url)
    assert store.submissions() == []
    store.close()


def test_invalid_form_lists_every_field(
    tmp_path: Path, setup: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, boundaries = setup
    upload = tmp_path / "plochy.geojson"
    upload.write_bytes(geojson_bytes(polygon(square_lonlat(*A_CENTRE))))
    form = tmp_path / "form.yaml"
    form.write_text("name: Pila\nkind: brownfield\n", encoding="utf-8")
    code, _, err = _run(_args(upload, url, boundaries, "--form", str(form)), capsys)
    assert code == 1
    for field in ("location", "previous_use", "ownership", "contamination", "consent_to_publish", "contact"):
        assert f": {field}: required" in err


def _decany_user(url: str) -> None:
    store = open_store(url)
    store.add_user(SYSTEM, "decany", "municipality", scope=Scope.parse(["municipality:564729"]))
    store.close()


def _square_geojson(path: Path, centre: tuple[float, float], *, swap: bool = False) -> Path:
    ring = square_lonlat(*centre)
    if swap:
        ring = [[lat, lon] for lon, lat in ring]
    path.write_bytes(geojson_bytes(polygon(ring)))
    return path


@pytest.fixture
def demo_layers(tmp_path: Path, demo_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo region as the configured catalogue (with the project's scoring profiles)."""
    import shutil

    from tests.conftest import ROOT

    layers = tmp_path / "layers"
    shutil.copytree(demo_data_dir / "layers", layers)
    shutil.copytree(ROOT / "layers" / "profiles", layers / "profiles")
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(demo_data_dir))
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(layers))
    return layers


def test_site_outside_the_rasters_is_previewed_and_stored(
    tmp_path: Path, demo_layers: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 11, point 1: a square in Děčany (RÚIAN 564729), south of the demo rasters, default flags
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    _decany_user(url)
    upload = _square_geojson(tmp_path / "decany.geojson", (-772_000.0, -1_000_600.0))
    code, out, err = _run(["submit", str(upload), "--municipality", "564729", "--as", "decany", "--url", url], capsys)
    assert code == 0, err
    assert "Traceback" not in err
    assert "preview: site 1 ground_pv: score" in out
    assert "stored: 1 submission(s)" in out
    store = open_store(url)
    (sub,) = store.submissions()
    ground = next(p for p in sub.attributes["preview"] if p["profile"] == "ground_pv")
    assert ground["score"] is not None
    store.close()


@pytest.mark.parametrize(
    ("centre", "swap", "phrase"),
    [
        # a square in the Sahara: lon/lat of a point 1,000s of km away
        ((2_500_000.0, 2_000_000.0), False, "lie outside the region (no boundary is known for municipality 564729"),
        # the Děčany square with lon and lat swapped: it lands in Somalia
        ((-772_000.0, -1_000_600.0), True, "x and y (lon/lat) seem swapped"),
    ],
)
def test_no_boundary_still_refuses_shapes_far_from_the_region(
    tmp_path: Path,
    setup: tuple[str, Path],
    capsys: pytest.CaptureFixture[str],
    centre: tuple[float, float],
    swap: bool,
    phrase: str,
) -> None:
    # issue 11, point 2: the boundaries file has no 564729, but its bounds are the region
    url, boundaries = setup
    _decany_user(url)
    upload = _square_geojson(tmp_path / "far.geojson", centre, swap=swap)
    argv = ["submit", str(upload), "--municipality", "564729", "--as", "decany", "--boundaries", str(boundaries)]
    code, _, err = _run([*argv, "--url", url, "--no-preview"], capsys)
    assert code == 1
    assert err.startswith("error: ")
    assert phrase in err
    assert "Swapped lat/lon?" in err
    store = open_store(url)
    assert store.submissions() == []
    store.close()


def test_no_boundary_layer_uses_the_catalogue_region(
    tmp_path: Path,
    municipalities: gpd.GeoDataFrame,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # issue 11, point 2: no admin layer at all, only a raster; its extent is the region
    from tests.intake.conftest import A_BOX, write_catalogue

    data = write_catalogue(tmp_path / "cat", None, raster_box=A_BOX)
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(data))
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(tmp_path / "cat" / "layers"))
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    _decany_user(url)
    argv = ["--municipality", "564729", "--as", "decany", "--url", url, "--no-preview"]
    far = _square_geojson(tmp_path / "far.geojson", (2_500_000.0, 2_000_000.0))
    code, _, err = _run(["submit", str(far), *argv], capsys)
    assert code == 1
    assert "outside the region" in err
    near = _square_geojson(tmp_path / "near.geojson", (-772_000.0, -1_000_600.0))
    code, out, err = _run(["submit", str(near), *argv], capsys)
    assert code == 0, err
    assert "warning: no boundary is known for municipality 564729" in out
