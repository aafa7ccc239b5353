"""The community choropleth and the potential-against-demand chart: colours, tooltips escaped, offline scripts."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from shapely.geometry import box, mapping

from gisplan.app.charts_monitoring import balance_chart, chart_values
from gisplan.app.community_map import UNKNOWN_COLOUR, balance_map, coverage_colour, legend, tooltip_html

HOSTILE = "<img src=x onerror=alert(1)>`${alert(2)}`"


def _balance() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "municipality_code": ["599101", "599102"],
            "municipality_name": [HOSTILE, "Dižky"],
            "sites": [2, 0],
            "potential_mwh_yr": [130.0, 0.0],
            "demand_mwh_yr": [4000.0, float("nan")],
            "demand_source": ["measured", "not_available"],
            "demand_year": [2024, None],
            "demand_data_source": ["ČEZ <script>", ""],
            "coverage": [130.0 / 4000.0, float("nan")],
            "boundary": [mapping(box(14.0, 50.0, 14.1, 50.1)), mapping(box(14.1, 50.0, 14.2, 50.1))],
        }
    )


@pytest.mark.parametrize(
    ("coverage", "colour"),
    [(0.0, "#ffffcc"), (0.099, "#ffffcc"), (0.1, "#c2e699"), (0.99, "#31a354"), (1.0, "#006837"), (7.0, "#006837")],
)
def test_coverage_classes(coverage: float, colour: str) -> None:
    assert coverage_colour(coverage) == colour
    assert coverage_colour(math.nan) == UNKNOWN_COLOUR


def test_tooltip_escapes_names_and_sources_and_says_measured() -> None:
    row = _balance().iloc[0].to_dict()
    html = tooltip_html(row, "en")
    assert "<img" not in html and "${" not in html and "`" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Demand: 4,000 MWh/yr (measured, 2024, ČEZ &lt;script&gt;)" in html
    unknown = tooltip_html(_balance().iloc[1].to_dict(), "cs")
    assert "Spotřeba není známa" in unknown


def test_map_renders_offline_with_escaped_tooltips() -> None:
    m = balance_map(_balance(), "en", base_url="/app/static/vendor")
    assert m is not None
    page = m.get_root().render()
    assert "<img src=x" not in page and "${alert" not in page
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page and "cdnjs" not in page
    assert "/app/static/vendor/leaflet-1.9.4/leaflet.js" in page
    assert '"fillColor": "#ffffcc"' in page  # 3 % covered
    assert f'"fillColor": "{UNKNOWN_COLOUR}"' in page
    assert balance_map(_balance().assign(boundary=None), "en") is None
    assert "0–10 %" in legend("en")


def test_balance_chart_pairs_potential_and_demand() -> None:
    values = chart_values(balance_chart(_balance(), "en"))
    pairs = {(v["name"], v["what"]): v["mwh_yr"] for v in values}
    assert pairs == {(HOSTILE, "Potential"): 130.0, (HOSTILE, "Demand"): 4000.0, ("Dižky", "Potential"): 0.0}
    assert {v["source"] for v in values if v["what"] == "Demand"} == {"measured"}
