"""The choropleth of a community page: potential against demand per municipality (folium, offline).

Plain Python without Streamlit. Each municipality with a stored outline is
coloured by the share of its yearly demand that the potential of the
community's sites there covers; the tooltip names the municipality and says
whether its demand is measured (year, source) or estimated. Every text in the
tooltip is escaped (:func:`gisplan.app.escape.escape_html`): names and sources
come from files. The scripts load from the local copies
(:func:`gisplan.app.assets.localize`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from gisplan.app.assets import DEFAULT_BASE_URL, localize
from gisplan.app.escape import escape_html
from gisplan.app.i18n import fmt_number, t

#: Upper bounds of the coverage classes [share of demand] and their colours (ColorBrewer YlGn, 5 classes).
COVERAGE_CLASSES: tuple[tuple[float, str], ...] = (
    (0.1, "#ffffcc"),
    (0.25, "#c2e699"),
    (0.5, "#78c679"),
    (1.0, "#31a354"),
    (math.inf, "#006837"),
)
#: Fill of a municipality whose demand is not known.
UNKNOWN_COLOUR = "#d9d9d9"
_OUTLINE = "#4d4d4d"


def coverage_colour(coverage: float) -> str:
    """The fill colour of a coverage share (grey when not known)."""
    if coverage is None or pd.isna(coverage):
        return UNKNOWN_COLOUR
    return next(colour for bound, colour in COVERAGE_CLASSES if coverage < bound)


def tooltip_html(row: Mapping[Any, Any], lang: str) -> str:
    """The tooltip of one municipality: name, potential, demand and its source, coverage; all escaped."""
    demand = row.get("demand_mwh_yr")
    source = str(row.get("demand_source") or "not_available")
    unit = t("comm.mwh_yr", lang)
    parts = [
        f"<b>{escape_html(row['municipality_name'])}</b> ({escape_html(row['municipality_code'])})",
        escape_html(f"{t('comm.balance_potential', lang)}: {fmt_number(row['potential_mwh_yr'], lang, 0)} {unit}"),
    ]
    if demand is not None and not pd.isna(demand):
        detail = t(f"comm.source_{source}", lang)
        if source in {"measured", "mixed"}:
            year = row.get("demand_year")
            when = "–" if year is None or pd.isna(year) else str(int(year))
            detail += f", {when}, {row.get('demand_data_source') or ''}"
        parts.append(escape_html(f"{t('comm.balance_demand', lang)}: {fmt_number(demand, lang, 0)} {unit} ({detail})"))
        coverage = row.get("coverage")
        if coverage is not None and not pd.isna(coverage):
            parts.append(escape_html(f"{t('comm.coverage', lang)}: {fmt_number(coverage * 100, lang, 0)}"))
    else:
        parts.append(escape_html(t("comm.demand_not_available", lang)))
    return "<br>".join(parts)


def _style(colour: str) -> Callable[[Any], dict[str, Any]]:
    return lambda _feature: {"color": _OUTLINE, "weight": 1, "fillColor": colour, "fillOpacity": 0.7}


def balance_map(balance: pd.DataFrame, lang: str, *, base_url: str = DEFAULT_BASE_URL) -> Any | None:
    """A folium map of :func:`gisplan.community_areas.municipality_balance`; None when no outline is stored."""
    import folium
    import shapely

    rows = [r for r in balance.to_dict("records") if r.get("boundary")]
    if not rows:
        return None
    m = folium.Map(location=[50.0, 14.0], zoom_start=9, tiles=None, control_scale=True)
    for row in rows:
        layer = folium.GeoJson(row["boundary"], style_function=_style(coverage_colour(row["coverage"])))
        layer.add_child(folium.Tooltip(tooltip_html(row, lang)))
        layer.add_to(m)
    shapes = [shapely.geometry.shape(r["boundary"]) for r in rows]
    x0, y0, x1, y1 = shapely.total_bounds(shapes)
    m.fit_bounds([[y0, x0], [y1, x1]])
    return localize(m, base_url=base_url)


def legend(lang: str) -> str:
    """The coverage classes from the lightest to the darkest green, and grey, as one line of text."""
    labels, low = [], 0.0
    for bound, _colour in COVERAGE_CLASSES:
        labels.append(f"≥ {low * 100:.0f} %" if math.isinf(bound) else f"{low * 100:.0f}–{bound * 100:.0f} %")
        low = bound
    return t("comm.balance_legend", lang, classes=" · ".join(labels))


__all__ = ["COVERAGE_CLASSES", "UNKNOWN_COLOUR", "balance_map", "coverage_colour", "legend", "tooltip_html"]
