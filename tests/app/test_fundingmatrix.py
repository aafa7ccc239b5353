"""Funding for a whole shortlist on the Funding calls page: the sites × calls table, chart and saved links."""

from __future__ import annotations

from gisplan import funding, settings
from gisplan.app import fundingmatrix
from gisplan.app.i18n import t
from gisplan.store import SYSTEM
from gisplan.store.models import SiteFundingLink
from gisplan.workflows import shortlists as sl
from tests.app import test_communities_page
from tests.app.test_communities_page import World, frame, run_page, texts

world = test_communities_page.world  # the store world fixture
PAGE = "gisplan.app.pages.funding_page"
SHIPPED = settings.PROJECT_ROOT / "data" / "funding_calls.yaml"
CALL = "opst_22_2023_karlovarsky"
#: Two sites in Brehice (CZ042) and one in Ostrava (CZ080, outside the animator's scope).
MEMBERS = ["t:s1", "t:s2", "t:s5"]


def _shortlist(world: World) -> None:
    funding.sync_calls(world.store, SYSTEM, funding.load_calls(SHIPPED))
    sl.create_shortlist(world.store, SYSTEM, "Výzvy 2026", profile="ground_pv", site_ids=MEMBERS)


def test_matrix_has_a_row_per_site_best_first_and_a_column_per_call(world: World) -> None:
    _shortlist(world)
    results = fundingmatrix.match_shortlist(world.store, "Výzvy 2026")
    assert [r.site_id for r in results] == ["t:s2", "t:s5", "t:s1"]  # ground_pv scores 65, then unscored by id
    calls = funding.table_calls(results)
    assert calls and not any(c.is_programme for c in calls)
    table = fundingmatrix.matrix_frame(results, calls, "cs")
    assert table["Pořadí"].tolist() == [1, 2, 3]
    assert table["Název"].tolist() == ["Site s2", "Site s5", "Site s1"]
    words = {t(f"verdict.{v}", "cs") for v in fundingmatrix.VERDICT_COLORS}
    cells = set(table[[c.id for c in calls]].to_numpy().ravel())
    assert cells <= words | {""} and len(cells & words) >= 2
    for i, result in enumerate(results):
        eligible = sum(v == "eligible" for v in result.verdicts().values())
        assert table.loc[i, t("verdict.eligible", "cs")] == eligible
    long = fundingmatrix.matrix_long(results, calls, "en")
    assert len(long) == sum(len([c for c in calls if c.id in r.verdicts()]) for r in results)
    assert set(long["word"]) <= {t(f"verdict.{v}", "en") for v in fundingmatrix.VERDICT_COLORS}


def test_planner_reads_the_table_without_saving(world: World) -> None:
    _shortlist(world)
    at = run_page(PAGE, world.users["planner"], lang="en", fund_pick=CALL, fund_matrix_pick="Výzvy 2026")
    assert not at.exception
    table = frame(at, "Rank")
    assert table["Name"].tolist() == ["Site s2", "Site s5", "Site s1"]
    assert "3 sites ×" in texts(at)
    assert t("fmatrix.save", "en") not in [b.label for b in at.button]


def test_municipality_user_sees_no_shortlists(world: World) -> None:
    _shortlist(world)
    at = run_page(PAGE, world.users["obec"], fund_pick=CALL)
    assert not at.exception
    assert t("fmatrix.heading", "cs") not in texts(at)
    assert "Výzvy 2026" not in texts(at)


def test_animator_saves_links_under_their_name_and_is_refused_outside_scope(world: World) -> None:
    _shortlist(world)
    before = world.store.read(lambda s: s.query(SiteFundingLink).count())
    at = run_page(PAGE, world.users["animator"], fund_pick=CALL, fund_matrix_pick="Výzvy 2026")
    save = next(b for b in at.button if b.label == t("fmatrix.save", "cs"))
    at = save.click().run()
    assert not at.exception
    links = world.store.read(lambda s: [(x.site_id, x.created_by) for x in s.query(SiteFundingLink).all()])
    new = [link for link in links if link[1] == world.users["animator"]]
    assert new and {site for site, _ in new} <= {"t:s1", "t:s2"}
    assert not any(site == "t:s5" and who == world.users["animator"] for site, who in links)
    assert len(links) > before
    assert any("Site s5" in str(w.value) for w in at.warning)  # the Ostrava site is named as refused
    assert any(f"{len(new)}" in str(s.value) or "Uloženo" in str(s.value) for s in at.success)
