"""An export reads one consistent snapshot while others edit, on SQLite and PostGIS; only exporters export."""

from __future__ import annotations

import pytest

from gisplan.errors import NotFoundError, PermissionDeniedError
from gisplan.export import load_snapshot
from gisplan.store import Store
from tests.export.conftest import fill


def test_edits_made_during_an_export_are_all_out_of_it(store: Store) -> None:
    ew = fill(store)
    seen: list[str] = []

    def others_edit(step: str) -> None:
        seen.append(step)
        if step == "sites":  # the sites are read; the notes, links and scores are not yet
            store.add_annotation(ew.world.admin, "t:in", "written during the export")
            link = store.funding_links("t:in")[0]
            store.update_funding_link(ew.world.admin, link.id, expected_version=link.version, verdict="not_eligible")
            site = store.get_site("t:in")
            store.change_status(ew.world.admin, "t:in", "shortlisted", expected_version=site.version)

    snap = load_snapshot(store, ew.world.planner, ew.shortlist, progress=others_edit)
    assert seen == ["sites", "scores", "annotations", "links", "communities"]
    assert "written during the export" not in set(snap.annotations["text"])
    assert list(snap.funding_links["verdict"]) == ["eligible"]
    row = snap.sites.set_index("site_id").loc["t:in"]
    assert (row["status"], row["annotations"], row["funding_eligible"]) == ("screening", 2, "OPST-1")

    later = load_snapshot(store, ew.world.planner, ew.shortlist)
    assert "written during the export" in set(later.annotations["text"])
    assert list(later.funding_links["verdict"]) == ["not_eligible"]
    assert later.sites.set_index("site_id").loc["t:in", "status"] == "shortlisted"


def test_only_exporters_export_and_refusals_are_audited(store: Store) -> None:
    ew = fill(store)
    with pytest.raises(PermissionDeniedError):
        load_snapshot(store, ew.world.municipality, ew.shortlist)
    denied = store.audit_log(target_type="export", outcome="denied")
    assert [d.target_id for d in denied] == [f"shortlist:{ew.shortlist}"]
    with pytest.raises(NotFoundError, match="Ústí 2027"):
        load_snapshot(store, ew.world.planner, "nope")


def test_profile_is_the_shortlists_unless_asked(store: Store) -> None:
    ew = fill(store)
    snap = load_snapshot(store, ew.world.planner, ew.shortlist)
    assert (snap.profile, snap.profile_versions, snap.crs) == ("ground_pv", {"ground_pv": "1"}, "EPSG:5514")
    other = load_snapshot(store, ew.world.planner, ew.shortlist, profile="rooftop_pv")
    # nobody is scored with rooftop_pv: each site keeps the score of the profile that scores it (it used to be
    # exported with an empty score), and says so
    assert other.profile == "rooftop_pv"
    assert other.sites["score"].fillna(-1).tolist() == snap.sites["score"].fillna(-1).tolist()
    scored = other.sites[other.sites["score"].notna()]
    assert set(scored["profile"]) == {"ground_pv"}
    assert all("rooftop_pv does not score this" in note for note in scored["score_note"])
    assert set(snap.sites["site_id"]) == set(other.sites["site_id"])
