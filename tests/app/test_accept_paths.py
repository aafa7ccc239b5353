"""One accept path: accepting a submission in the app, from the CLI and through the Python API stores the same site.

Three identical submissions of Horní Ves are accepted one by one, each a different
way: the animator's button on the Moderation page (AppTest), ``gisplan moderation
accept`` and :func:`gisplan.workflows.moderation.accept`. The three sites must agree
in every stored field except their ids and times: kind, name, source, area, region
code, geometry, attributes, the score rows (score, breakdown, energy, provenance)
and the notice the municipality gets.
"""

from __future__ import annotations

from typing import Any

import shapely

from gisplan.cli import main
from gisplan.store.models import Site, SiteScore
from gisplan.workflows import moderation
from gisplan.workflows.submissions import submit_site
from tests.app.submitworld import (
    HORNI,
    INSIDE_HORNI,
    REGION,
    SubmitWorld,
    app,
    button,
    submit_world_fixture,  # noqa: F401 - the submit_world fixture
    texts,
)

MODERATION = "gisplan.app.pages.moderation_page"
_SITE_FIELDS = (
    "kind",
    "name",
    "source",
    "area_m2",
    "area_source",
    "municipality_code",
    "region_code",
    "attributes",
    "minx",
    "miny",
    "maxx",
    "maxy",
    "status",
    "end_date",
)
_SCORE_SKIP = {"site_id", "scored_at"}


def _submit(world: SubmitWorld) -> int:
    x, y = INSIDE_HORNI
    attributes = {"form": {"name": "Bývalá pila", "kind": "brownfield", "previous_use": "industrial"}}
    sub = submit_site(
        world.store,
        world.users["obec"],
        HORNI,
        "brownfield",
        "Bývalá pila",
        shapely.box(x, y, x + 200, y + 200),
        attributes=attributes,
    )
    return int(sub.id)


def _stored(world: SubmitWorld, submission_id: int) -> dict[str, Any]:
    """What the accept stored: the site's fields, its score rows and the municipality's accept notice."""
    site: Site = world.store.get_site(f"submission:{submission_id}")
    scores: list[SiteScore] = world.store.site_scores(site.id)
    columns = [c.key for c in SiteScore.__table__.columns if c.key not in _SCORE_SKIP]
    notices = [
        {k: v for k, v in n.params.items() if k not in {"submission_id", "site_id"}}
        for n in moderation.notices(world.store, world.users["obec"])
        if n.kind == "submission.accepted" and n.submission_id == submission_id
    ]
    fields = {field: getattr(site, field) for field in _SITE_FIELDS}
    assert fields["attributes"].pop("submission_id") == submission_id  # the one field that must differ
    return {
        "site": fields,
        "geom": site.geom.wkb_hex if site.geom is not None else None,
        "scores": sorted(({c: getattr(s, c) for c in columns} for s in scores), key=lambda r: r["profile"]),
        "notices": notices,
    }


def test_app_cli_and_api_accept_store_the_same_site(submit_world: SubmitWorld) -> None:
    world = submit_world
    by_app = _submit(world)
    at = app(MODERATION, world.users["animator"]).run()
    button(at, "Přijmout").click().run()
    assert not at.exception
    assert f"Přijato: lokalita submission:{by_app} je v databázi a na mapě." in texts(at)

    by_cli = _submit(world)
    url = world.store.url
    assert main(["moderation", "accept", str(by_cli), "--as", "animator", "--url", url]) == 0

    by_api = _submit(world)
    version = next(s.version for s in world.store.submissions() if s.id == by_api)
    moderation.accept(world.store, world.users["animator"], by_api, expected_version=version)

    app_site, cli_site, api_site = (_stored(world, i) for i in (by_app, by_cli, by_api))
    # what makes the comparison mean something: a scored site with its region and a notice
    assert app_site["site"]["region_code"] == REGION
    assert app_site["site"]["source"] == "submission"
    assert [row["profile"] for row in app_site["scores"]] == ["tiny_lines"]
    assert app_site["scores"][0]["score"] > 0
    assert len(app_site["notices"]) == 1
    for other in (cli_site, api_site):
        assert _differences(other, app_site) == {}


def _differences(one: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The fields where two stored sites differ, as ``field: (one, other)``."""
    out = {k: (v, other["site"][k]) for k, v in one["site"].items() if v != other["site"][k]}
    out |= {k: (one[k], other[k]) for k in ("geom", "scores", "notices") if one[k] != other[k]}
    return out
