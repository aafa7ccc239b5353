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
