"""Map filters on an in-memory site index: masks, view boxes, top-N, zoom, funding eligibility."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from gisplan.app.filters import (
    MapFilters,
    bbox_mask,
    extent,
    filter_mask,
    funding_mask,
    metres_per_pixel,
    select_view,
    zoom_to_fit,
)
from gisplan.errors import InputError
from tests.funding.helpers import make_call


def _index() -> pd.DataFrame:
    """Eight sites on a 1 km grid: two municipalities, three kinds, scores 10..80, two excluded."""
    rows = []
    kinds = ["rooftop", "brownfield", "municipal_land", "rooftop"]
    for i in range(8):
        x, y = 1000.0 * (i % 4), 1000.0 * (i // 4)
        rows.append(
            {
                "site_id": f"s{i}",
                "kind": kinds[i % 4],
                "name": f"Site {i}",
                "municipality_code": "100001" if i < 4 else "100002",
                "region_code": "CZ042",
                "status": "screening" if i in (2, 5) else "new",
                "area_m2": 100.0 * (i + 1),
                "minx": x,
                "miny": y,
                "maxx": x + 50,
                "maxy": y + 50,
                "score": 0.0 if i in (3, 6) else 10.0 * (i + 1),
                "excluded": i in (3, 6),
                "capacity_kwp": 10.0 * (i + 1),
            }
        )
    return pd.DataFrame(rows)


def _ids(index: pd.DataFrame, mask: np.ndarray) -> list[str]:
    return index.loc[mask, "site_id"].tolist()


def test_default_filters_keep_every_site_not_excluded() -> None:
    index = _index()
    assert _ids(index, filter_mask(index, MapFilters("p"))) == ["s0", "s1", "s2", "s4", "s5", "s7"]
    assert _ids(index, filter_mask(index, MapFilters("p", excluded="excluded"))) == ["s3", "s6"]
    assert len(_ids(index, filter_mask(index, MapFilters("p", excluded="all")))) == 8


def test_each_filter_narrows_the_sites() -> None:
    index = _index()
    assert _ids(index, filter_mask(index, MapFilters("p", kinds=("brownfield",)))) == ["s1", "s5"]
    assert _ids(index, filter_mask(index, MapFilters("p", municipalities=("100002",)))) == ["s4", "s5", "s7"]
    assert _ids(index, filter_mask(index, MapFilters("p", statuses=("screening",)))) == ["s2", "s5"]
    assert _ids(index, filter_mask(index, MapFilters("p", score_min=30, score_max=60))) == ["s2", "s4", "s5"]
    both = MapFilters("p", kinds=("rooftop", "brownfield"), municipalities=("100001",), score_min=15)
    assert _ids(index, filter_mask(index, both)) == ["s1"]


def test_funding_filter_uses_the_eligibility_mask_only_when_a_call_is_chosen() -> None:
    index = _index()
    eligible = np.array([i % 2 == 0 for i in range(8)])
    with_call = MapFilters("p", funding_call="c1")
    assert _ids(index, filter_mask(index, with_call, eligible=eligible)) == ["s0", "s2", "s4"]
    assert len(_ids(index, filter_mask(index, MapFilters("p"), eligible=eligible))) == 6


def test_invalid_filters_list_every_problem() -> None:
    with pytest.raises(InputError) as err:
        MapFilters("p", excluded="maybe", score_min=70, score_max=20)
    assert "excluded='maybe'" in str(err.value)
    assert "score range 70–20" in str(err.value)


def test_bbox_mask_selects_sites_touching_the_box() -> None:
    index = _index()
    assert _ids(index, bbox_mask(index, (900.0, -10.0, 2010.0, 60.0))) == ["s1", "s2"]
    assert _ids(index, bbox_mask(index, (1050.1, 0.0, 1900.0, 2000.0))) == []
    assert bbox_mask(index, None).all()


def test_select_view_keeps_the_best_scores_in_the_box() -> None:
    index = _index()
    mask = filter_mask(index, MapFilters("p"))
    top = select_view(index, mask, None, limit=3)
    assert top.rows["site_id"].tolist() == ["s7", "s5", "s4"]
    assert (top.in_view, top.matching) == (6, 6)
    west = select_view(index, mask, (-10.0, -10.0, 1100.0, 1100.0), limit=10)
    assert west.rows["site_id"].tolist() == ["s5", "s4", "s1", "s0"]
    assert (west.in_view, west.matching) == (4, 6)


def test_select_view_breaks_ties_by_id_and_handles_nothing() -> None:
    index = _index()
    index["score"] = 50.0
    view = select_view(index, np.ones(8, dtype=bool), None, limit=2)
    assert len(view.rows) == 2
    assert set(view.rows["site_id"]) <= {f"s{i}" for i in range(8)}
    all_rows = select_view(index, np.ones(8, dtype=bool), None, limit=100)
    assert all_rows.rows["site_id"].tolist() == [f"s{i}" for i in range(8)]
    nothing = select_view(index, np.zeros(8, dtype=bool), None)
    assert nothing.rows.empty
    assert (nothing.in_view, nothing.matching) == (0, 0)


def test_extent_and_zoom_to_fit() -> None:
    index = _index()
    assert extent(index, filter_mask(index, MapFilters("p", municipalities=("100002",)))) == (
        0.0,
        1000.0,
        3050.0,
        1050.0,
    )
    assert extent(index, np.zeros(8, dtype=bool)) is None
    # at 50° N a pixel is 3.07 m at zoom 15: 900 px show 2.76 km, so 2.5 km fit and 3 km need zoom 14
    assert zoom_to_fit((0.0, 0.0, 2500.0, 1000.0), 50.0) == 15
    assert zoom_to_fit((0.0, 0.0, 3000.0, 1000.0), 50.0) == 14
    assert zoom_to_fit((0.0, 0.0, 2500.0, 1000.0), 50.0, width_px=450) == 14
    assert zoom_to_fit((0.0, 0.0, 1.0, 1.0), 50.0) == 17  # capped
    assert math.isclose(metres_per_pixel(0, 0.0), 156_543.034)
    assert math.isclose(metres_per_pixel(15, 60.0), 156_543.034 / 2 / 2**15)


def test_funding_mask_runs_the_matcher_for_one_call() -> None:
    index = _index()
    call = make_call(
        intake={"open": dt.date(2026, 1, 1), "close": dt.date(2026, 12, 31)},
        applicants="any",
        site_kinds=["brownfield", "municipal_land"],
        uses="any",
        territory={"regions": ["CZ042"]},
        limits={"capacity_kwp": {"min": 25}, "population": {"max": 1000}},
    )
    today = dt.date(2026, 6, 1)
    populations = {"100001": 800.0, "100002": 5000.0}
    mask = funding_mask(index, call, populations=populations, today=today)
    # brownfields and municipal land of the small municipality with >= 25 kWp: s2 (30 kWp); s1 has 20 kWp
    assert _ids(index, mask) == ["s2"]
    unknown_population = funding_mask(index, call, include_unknown=True, populations={"100001": 800.0}, today=today)
    assert _ids(index, unknown_population) == ["s2", "s5", "s6"]
    closed = funding_mask(index, call, populations=populations, today=dt.date(2027, 1, 1))
    assert not closed.any()
