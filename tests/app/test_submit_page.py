"""The Submit page in AppTest: draw -> check -> preview -> form -> stored; refusals store nothing."""

from __future__ import annotations

import json

import pytest

from gisplan.app.submitform import form_values, problem_lines
from gisplan.errors import UploadRejectedError
from gisplan.intake import reason_text, validate_form
from gisplan.workflows import moderation as mod
from tests.app.conftest import X0, Y0
from tests.app.submitworld import (
    INSIDE_DOLNI,
    INSIDE_HORNI,
    SubmitWorld,
    app,
    button,
    drawing,
    errors,
    fill_form,
    square_feature,
    submit_world_fixture,  # noqa: F401 - the submit_world fixture
    texts,
)

PAGE = "gisplan.app.pages.submit_page"


def test_form_values_leave_out_unanswered_fields_so_every_problem_is_reported() -> None:
    raw = {"name": "  ", "parcel_numbers": "1/2; st. 3", "utilities.water": "yes", "consent_to_publish": None}
    values = form_values(raw, kind="brownfield")
    assert values["parcel_numbers"] == ["1/2", "st. 3"]
    assert values["utilities"]["water"] == "yes"
    assert values["utilities"]["gas"] == "unknown"
    assert "name" not in values
    assert "consent_to_publish" not in values
    with pytest.raises(UploadRejectedError) as caught:
        validate_form(values)
    lines = problem_lines(caught.value.problems, "cs")
    missing = {line.split(":")[0] for line in lines}
    assert {"Název lokality", "Původní využití", "Vlastnictví", "Kontaminace", "Souhlas se zveřejněním"} <= missing
    assert "Kontaktní osoba: Jméno: povinné, vyplňte" in lines
    assert all(
        line.endswith("povinné, vyplňte") for line in lines if line.split(":")[0] in missing - {"Kontaktní osoba"}
    )


def test_the_form_checks_speak_czech() -> None:
    raw = {
        "name": "Pila",
        "location": "U nádraží",
        "parcel_numbers": "123/4, abc",
        "contact.name": "Jana",
        "contact.email": "jana-at-obec",
    }
    values = form_values(raw, kind="brownfield")
    with pytest.raises(UploadRejectedError) as caught:
        validate_form(values)
    lines = problem_lines(caught.value.problems, "cs")
    text = "\n".join(lines)
    assert "to není e-mailová adresa (jmeno@example.cz)" in text
    assert "'abc' nejsou čísla parcel (např. 123, 123/4, st. 45)" in text
    assert "not an e-mail" not in text
    english = "\n".join(problem_lines(caught.value.problems, "en"))
    assert "not an e-mail address (name@example.cz)" in english


def test_a_drawn_polygon_is_checked_previewed_and_submitted(submit_world: SubmitWorld) -> None:
    world = submit_world
    at = app(PAGE, world.users["obec"])
    with drawing(square_feature(*INSIDE_HORNI)):
        at.run()
        assert not at.exception
        assert "Nakreslené tvary: 1" in texts(at)
        button(at, "Zkontrolovat nakreslené").click().run()
        assert not at.exception
        shown = texts(at)
        assert "Náhled" in shown
        assert "Lokality: 1, celková výměra 40\u00a0000\u00a0m²" in shown
        assert "Hodnocení podle profilů" in shown
        scores = at.dataframe[1].value.set_index("Profil")
        assert scores.loc["Blízko vedení", "Skóre"] > 50  # 40 000 m² some 500 m from the power line
        assert scores.loc["Blízko vedení", "Výkon [kWp]"] > 0
        assert scores.loc["Komunitní energetika", "Poznámka"].startswith("not scored")  # its layers are missing
        fill_form(at)
        button(at, "Odeslat podání").click().run()
        assert not at.exception
    assert "Odesláno: 1 lokalit" in texts(at)
    subs = world.store.submissions()
    assert len(subs) == 1
    sub = subs[0]
    assert (sub.municipality_code, sub.kind, sub.name, sub.state) == (
        "567001",
        "brownfield",
        "Bývalá pila",
        "submitted",
    )
    assert sub.geom is not None
    assert sub.geom.area == pytest.approx(40_000.0, rel=1e-3)
    assert sub.attributes["form"]["parcel_numbers"] == ["123/4", "st. 45"]
    assert sub.attributes["form"]["contact"]["email"] == "starostka@hornives.cz"
    assert sub.attributes["intake"]["source_format"] == "drawing"
    assert [n.kind for n in mod.notices(world.store, world.users["animator"])] == ["submission.submitted"]
    assert mod.notices(world.store, world.users["animator_far"]) == []


def test_an_incomplete_form_lists_every_problem_and_stores_nothing(submit_world: SubmitWorld) -> None:
    at = app(PAGE, submit_world.users["obec"], lang="en")
    with drawing(square_feature(*INSIDE_HORNI)):
        at.run()
        button(at, "Check the drawing").click().run()
        at.text_input(key="subf_name").input("Old sawmill")
        button(at, "Submit").click().run()
    assert not at.exception
    error = errors(at)
    assert "The form needs attention" in error
    for field in ("Address or description of the location", "Previous use", "Ownership", "Consent to publish"):
        assert f"{field}: required; fill it in" in error
    assert "Site name" not in error
    assert submit_world.store.submissions() == []


def test_a_drawing_in_another_municipality_is_refused(submit_world: SubmitWorld) -> None:
    at = app(PAGE, submit_world.users["obec"])
    with drawing(square_feature(*INSIDE_DOLNI)):
        at.run()
        button(at, "Zkontrolovat nakreslené").click().run()
    assert not at.exception
    assert reason_text("outside_municipality", "cs") in errors(at)
    assert "Náhled" not in texts(at)
    assert submit_world.store.submissions() == []


def _csv_without_crs() -> bytes:
    x, y = INSIDE_HORNI
    wkt = f"POLYGON (({x} {y}, {x + 150} {y}, {x + 150} {y + 100}, {x} {y + 100}, {x} {y}))"
    return f'nazev;wkt\n"Stará cihelna";"{wkt}"\n'.encode("cp1250")


def test_an_upload_without_crs_offers_the_choices_and_is_accepted_after_choosing(submit_world: SubmitWorld) -> None:
    at = app(PAGE, submit_world.users["obec"], lang="en")
    at.run()
    at.radio(key="sub_source").set_value("upload").run()
    at.file_uploader(key="sub_upload").set_value(("cihelna.csv", _csv_without_crs(), "text/csv")).run()
    button(at, "Check the file").click().run()
    assert not at.exception
    assert "are not lon/lat degrees" in errors(at)
    assert "Choose one below" in "\n".join(i.value for i in at.info)
    choice = at.selectbox(key="sub_crs")
    assert choice.options[0].startswith("EPSG:5514")
    choice.set_value("EPSG:5514").run()
    button(at, "Check the file").click().run()
    assert not at.exception
    assert not at.error
    shown = texts(at)
    assert "Sites: 1, total area 15,000\u00a0m²" in shown
    assert "1: Stará cihelna" in at.dataframe[0].value["Site"].tolist()


def test_a_disguised_vrt_is_refused_with_its_reason(submit_world: SubmitWorld) -> None:
    vrt = (
        b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
        b"</OGRVRTLayer></OGRVRTDataSource>"
    )
    at = app(PAGE, submit_world.users["obec"])
    at.run()
    at.radio(key="sub_source").set_value("upload").run()
    at.file_uploader(key="sub_upload").set_value(("plochy.geojson", vrt, "application/geo+json")).run()
    button(at, "Zkontrolovat soubor").click().run()
    assert not at.exception
    error = errors(at)
    assert reason_text("vrt", "cs") in error
    assert "nic se neuložilo" in error
    assert submit_world.store.submissions() == []


def test_a_refusal_is_told_in_hungarian(submit_world: SubmitWorld) -> None:
    vrt = b'<OGRVRTDataSource><OGRVRTLayer name="x"></OGRVRTLayer></OGRVRTDataSource>'
    at = app(PAGE, submit_world.users["obec"], lang="hu")
    at.run()
    at.radio(key="sub_source").set_value("upload").run()
    at.file_uploader(key="sub_upload").set_value(("plochy.geojson", vrt, "application/geo+json")).run()
    button(at, "Fájl ellenőrzése").click().run()
    assert not at.exception
    error = errors(at)
    assert reason_text("vrt", "hu") in error
    assert "semmi sem lett mentve" in error
    assert reason_text("vrt", "cs") not in error


def test_a_repaired_bow_tie_must_be_confirmed(submit_world: SubmitWorld) -> None:
    x, y = X0 + 600.0, Y0 + 600.0
    from gisplan.crs import transformer

    to_lonlat = transformer("EPSG:5514", "EPSG:4326")
    ring = [to_lonlat.transform(a, b) for a, b in [(x, y), (x + 200, y + 200), (x + 200, y), (x, y + 200), (x, y)]]
    bow_tie = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    json.dumps(bow_tie)
    at = app(PAGE, submit_world.users["obec"])
    with drawing(bow_tie):
        at.run()
        button(at, "Zkontrolovat nakreslené").click().run()
        assert reason_text("repaired", "cs") in texts(at)
        fill_form(at)
        button(at, "Odeslat podání").click().run()
        assert reason_text("needs_confirmation", "cs") in errors(at)
        assert submit_world.store.submissions() == []
        at.checkbox(key="sub_confirm_repairs").check().run()
        button(at, "Odeslat podání").click().run()
    assert not at.exception
    assert len(submit_world.store.submissions()) == 1


def test_other_roles_are_refused(submit_world: SubmitWorld) -> None:
    at = app(PAGE, submit_world.users["animator"]).run()
    assert not at.exception
    assert at.error
    assert not [b for b in at.button if b.label == "Zkontrolovat nakreslené"]
    nobody = app(PAGE, None).run()
    assert nobody.warning
    assert not nobody.button
