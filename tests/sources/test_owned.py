"""Municipal land from the municipality's ownership list, on the real Děčany VFR file (issue 13, part 4)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from gisplan.cli import main
from gisplan.errors import InputError, InvalidDataError
from gisplan.sources._owned import read_municipal_land, read_owned_list

DECANY = "ruian_cz/OB_564729_UKSH_20140331_Decany.xml.gz"

#: 20 real parcels of the file, as a municipality's property list writes them (k. ú. by name or code).
OWNED = [
    ("Semeč", "st. 60/1"),
    ("Solany", "186/9"),
    ("Lukohořany", "309/28"),
    ("Solany", "816/33"),
    ("752321", "100/14"),
    ("Solany", "st. 90"),
    ("Lukohořany", "249/2"),
    ("Solany", "597/3"),
    ("Solany", "449/28"),
    ("624900", "226/2"),
    ("Solany", "523/2"),
    ("Solany", "873/3"),
    ("Děčany", "224/10"),
    ("Lukohořany", "309/14"),
    ("Solany", "653/1"),
    ("Semeč", "331/8"),
    ("Solany", "333/3"),
    ("Semeč", "313"),
    ("lukohorany", "111/20"),
    ("Solany", "638"),
]


@pytest.fixture(scope="module")
def decany(shared_data: Path) -> Path:
    return shared_data / DECANY


def _owned_csv(folder: Path, rows: list[tuple[str, str]], extra: str = "") -> Path:
    path = folder / "owned.csv"
    lines = ["katastralni_uzemi;parcela;poznamka", *(f"{ku};{number};LV 10001" for ku, number in rows)]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def test_twenty_listed_parcels_give_exactly_those_twenty_sites(decany: Path, tmp_path: Path) -> None:
    land = read_municipal_land(decany, owned=_owned_csv(tmp_path, OWNED))
    sites = land.sites
    assert len(sites) == 20
    assert land.read == 3172
    assert land.not_found == []
    assert set(sites["kind"]) == {"municipal_land"}
    assert set(sites["ownership"]) == {"municipal"}
    assert sites["site_id"].str.startswith("ruian:PA.").all()
    got = set(zip(sites["cadastral_area"], sites["parcel_number"], strict=True))
    names = {"752321": "Solany", "624900": "Lukohořany", "lukohorany": "Lukohořany"}
    assert got == {(names.get(ku, ku), number) for ku, number in OWNED}
    # st. 60/1 in Semeč is a building plot; 60/1 would be another parcel
    assert sites.loc[sites["parcel_number"] == "st. 60/1", "land_type_cs"].item() == "zastavěná plocha a nádvoří"


def test_missing_and_ambiguous_numbers_are_reported_not_guessed(decany: Path, tmp_path: Path) -> None:
    rows = [*OWNED[:3], ("Děčany", "9999/1"), ("Praha", "1"), ("", "232")]
    land = read_municipal_land(decany, owned=_owned_csv(tmp_path, rows))
    assert len(land.sites) == 3
    report = "\n".join(land.report())
    assert "kept 3 of 3172 parcels as municipal land of 6 listed" in report
    assert "no parcel 9999/1 in k. ú. Děčany" in report
    assert "k. ú. 'Praha' is not in the file" in report
    assert "232 is in 3 cadastral areas (Děčany, Lukohořany, Solany); add katastralni_uzemi" in report


def test_ids_and_split_columns(decany: Path, tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text(
        "Kmenové číslo,Pododdělení,Druh,KÚ\n60,1,st,624918\n186,9,p,Solany\n313,,,Semeč\n", encoding="utf-8"
    )
    split = read_municipal_land(decany, owned=path).sites
    assert sorted(split["parcel_number"]) == ["186/9", "313", "st. 60/1"]
    path.write_text("parcela_id\nPA.1273608506\n1282496506\n", encoding="utf-8")
    by_id = read_municipal_land(decany, owned=path).sites
    assert sorted(by_id["parcel_number"]) == ["186/9", "st. 60/1"]


def test_bad_lists_are_refused_with_rows(decany: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("katastralni_uzemi,parcela\nSolany,abc\nSolany,12-3\n", encoding="utf-8")
    with pytest.raises(InvalidDataError, match=r"row 2.*'abc'(.|\n)*row 3.*'12-3'"):
        read_owned_list(bad)
    bad.write_text("owner,area\nobec,12\n", encoding="utf-8")
    with pytest.raises(InvalidDataError, match="no parcel column"):
        read_owned_list(bad)
    with pytest.raises(InputError, match="none of the 1 parcels"):
        read_municipal_land(decany, owned=_owned_csv(tmp_path, [("Solany", "99999")]))


def test_cli_owned_list(decany: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "land.gpkg"
    owned = _owned_csv(tmp_path, [*OWNED, ("Děčany", "9999/1")])
    code = main(["read", str(decany), "--format", "ruian", "--layer", "parcely", "--kind", "municipal_land",
                 "--owned", str(owned), "--out", str(out)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "assumed: the parcels listed in owned.csv are owned by the municipality" in printed
    assert "kept 20 of 3172 parcels as municipal land of 21 listed" in printed
    assert "row 22 'Děčany 9999/1' (no parcel 9999/1 in k. ú. Děčany)" in printed
    assert len(gpd.read_file(out, layer="sites")) == 20


def test_cli_without_a_list_says_what_it_assumed(
    decany: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "land.gpkg"
    where = "DruhPozemkuKod IN (13, 14)"
    args = ["read", str(decany), "--layer", "parcely", "--kind", "municipal_land", "--where", where, "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert f"assumed: every parcel matching {where!r} is municipal land; ownership is not recorded" in printed
    assert "kept 891 of 891 parcels" in printed  # 358 zastavěná + 533 ostatní plocha (SOURCES.md)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--layer", "stavebni_objekty"], "use --layer parcely"),
        (["--kind", "rooftop"], "drop --kind rooftop"),
    ],
)
def test_cli_refuses_owned_out_of_place(
    decany: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    owned = _owned_csv(tmp_path, OWNED[:1])
    assert main(["read", str(decany), *extra, "--owned", str(owned), "--out", str(tmp_path / "x.gpkg")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1
