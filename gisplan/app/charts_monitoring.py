"""Altair charts of the community page and the regional dashboard.

Each function takes one of the tidy tables of :mod:`gisplan.monitoring` or
:mod:`gisplan.communities` and returns an :class:`altair.Chart` whose axis
titles, legend and status names are in the interface language. Nothing here
imports streamlit: the pages hand the charts to ``st.altair_chart``, and the
tests read the chart specs (``chart.to_dict()``).

Texts from sources (municipality names) reach the browser as Vega-Lite data;
Vega draws them on a canvas or as SVG text, and the tooltip handler Streamlit
uses escapes HTML, so they are shown as typed.
"""

from __future__ import annotations

import math
import re
from typing import Any

import altair as alt
import pandas as pd

from gisplan.app.i18n import t
from gisplan.communities import STATUS_ORDER

#: One colour per workflow status, from grey (new) through blues to green (realised); red for rejected.
STATUS_COLOURS: dict[str, str] = {
    "new": "#b0b7bf",
    "screening": "#9ecae1",
    "shortlisted": "#4292c6",
    "project_in_preparation": "#2166ac",
    "funded": "#74c476",
    "realised": "#238b45",
    "rejected": "#d6604d",
}
#: Bars of the potential-by-municipality chart (the largest municipalities; the rest are summed up in the table).
TOP_MUNICIPALITIES = 15
#: Height of one chart [px].
CHART_HEIGHT = 300
#: CLDR date-pattern fields -> d3-time-format directives (the ones CLDR's medium date and time use).
_D3_FIELDS: dict[str, str] = {
    "d": "%-d", "dd": "%d", "M": "%-m", "MM": "%m", "L": "%-m", "LL": "%m",
    "MMM": "%b", "LLL": "%b", "MMMM": "%B", "LLLL": "%B", "y": "%Y", "yyyy": "%Y", "yy": "%y",
    "E": "%a", "EE": "%a", "EEE": "%a", "EEEE": "%A", "H": "%-H", "HH": "%H", "h": "%-I", "hh": "%I",
    "m": "%-M", "mm": "%M", "s": "%-S", "ss": "%S", "a": "%p",
}  # fmt: skip
_CLDR_FIELD = re.compile(r"'([^']*)'|([A-Za-z])\2*")


def _d3_pattern(cldr: str) -> str:
    """A CLDR date or time pattern (``d. M. y``) as a d3-time-format specifier (``%-d. %-m. %Y``)."""

    def field(match: re.Match[str]) -> str:
        if match.group(2) is None:
            return match.group(1) or "'"
        return _D3_FIELDS.get(match.group(0), match.group(0))

    return _CLDR_FIELD.sub(field, cldr.replace("%", "%%"))


def chart_locale(lang: str) -> dict[str, Any] | None:
    """Number and date formats of the axes and tooltips in ``lang`` (a d3-format and d3-time-format locale).

    Built from the language's CLDR data through Babel, as :mod:`gisplan.texts` formats
    numbers and dates: Czech gets ``1 234,5`` and ``led 2026``. None for English and
    for a language Babel does not know: Vega's default is English.
    """
    from babel import Locale, UnknownLocaleError

    if lang == "en":
        return None
    try:
        locale = Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return None
    symbols = locale.number_symbols["latn"]
    months, days = locale.months["stand-alone"], locale.days["stand-alone"]
    week = (6, 0, 1, 2, 3, 4, 5)  # d3 weeks start on Sunday, CLDR numbers Monday 0
    periods = locale.day_periods["format"]["abbreviated"]
    return {
        "number": {"decimal": symbols["decimal"], "thousands": symbols["group"], "grouping": [3], "currency": ["", ""]},
        "time": {
            "dateTime": str(locale.datetime_formats["medium"]).replace("{1}", "%x").replace("{0}", "%X"),
            "date": _d3_pattern(locale.date_formats["medium"].pattern),
            "time": _d3_pattern(locale.time_formats["medium"].pattern),
            "periods": [periods.get("am", "AM"), periods.get("pm", "PM")],
            "days": [days["wide"][d] for d in week],
            "shortDays": [days["abbreviated"][d] for d in week],
            "months": [months["wide"][m] for m in range(1, 13)],
            "shortMonths": [months["abbreviated"][m] for m in range(1, 13)],
        },
    }


def _localised(chart: alt.Chart, lang: str) -> alt.Chart:
    """``chart`` with the number and date formats of ``lang`` (Czech: 1 234,5; led 2026)."""
    locale = chart_locale(lang)
    if locale is None:
        return chart
    localised: alt.Chart = chart.configure(locale=locale)
    return localised


def profile_titles(lang: str) -> dict[str, str]:
    """Scoring profile name -> its title in ``lang``.

    The profiles come from the catalogue folder (``<layers dir>/profiles``), else
    from the profiles shipped with gisplan (a region's catalogue may hold only
    layers). Names without a readable profile are missing; callers show the name.
    """
    from gisplan import settings
    from gisplan.errors import GisplanError
    from gisplan.profiles import load_profiles, profiles_dir

    titles: dict[str, str] = {}
    for folder in (settings.PROJECT_ROOT / "layers" / "profiles", profiles_dir()):
        if not folder.is_dir():
            continue
        try:
            titles |= {name: profile.title.get(lang) for name, profile in load_profiles(folder).items()}
        except GisplanError:
            continue
    return titles


def status_label(status: str, lang: str) -> str:
    """The workflow status in ``lang`` (unknown statuses as stored)."""
    try:
        return t(f"status.{status}", lang)
    except KeyError:
        return str(status)


def _status_scale(statuses: list[str], lang: str) -> alt.Scale:
    order = [s for s in STATUS_ORDER if s in statuses] + sorted(set(statuses) - set(STATUS_ORDER))
    return alt.Scale(
        domain=[status_label(s, lang) for s in order],
        range=[STATUS_COLOURS.get(s, "#777777") for s in order],
    )


def _with_status_labels(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.copy()
    out["status_label"] = [status_label(str(s), lang) for s in out["status"]]
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    out["status_order"] = [order.get(str(s), len(order)) for s in out["status"]]
    return out


def pipeline_chart(pipeline: pd.DataFrame, lang: str) -> alt.Chart:
    """Stacked bars: how many sites were in each status at the end of each month.

    Parameters
    ----------
    pipeline
        :func:`gisplan.monitoring.pipeline_over_time`: ``date``, ``status``, ``sites``.
    lang
        Interface language.
    """
    data = _with_status_labels(pipeline, lang)
    data["date"] = pd.to_datetime(data["date"])
    status_title = t("chart.status", lang)
    sites_title = t("chart.sites", lang)
    chart: alt.Chart = (
        alt.Chart(data, title=t("chart.pipeline_title", lang))
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(date):T", title=t("chart.month", lang)),
            y=alt.Y("sum(sites):Q", title=sites_title, stack="zero"),
            color=alt.Color(
                "status_label:N", title=status_title, scale=_status_scale(list(pipeline["status"].unique()), lang)
            ),
            order=alt.Order("status_order:Q"),
            tooltip=[
                alt.Tooltip("yearmonth(date):T", title=t("chart.month", lang)),
                alt.Tooltip("status_label:N", title=status_title),
                alt.Tooltip("sum(sites):Q", title=sites_title),
            ],
        )
        .properties(height=CHART_HEIGHT)
    )
    return _localised(chart, lang)


def status_chart(by_status: pd.DataFrame, lang: str, *, value: str = "sites") -> alt.Chart:
    """Bars per workflow status (pipeline order) of ``value``: site counts or a potential.

    Parameters
    ----------
    by_status
        ``status`` and ``value`` columns, e.g. :func:`gisplan.communities.sites_by_status`
        or :func:`gisplan.monitoring.pipeline_potential`.
    value
        ``sites``, ``capacity_mwp`` [MWp], ``energy_mwh_yr`` [MWh/yr] or ``co2_t_yr`` [tCO2/yr].
    """
    data = _with_status_labels(by_status, lang)
    data[value] = pd.to_numeric(data[value], errors="coerce").fillna(0.0)
    status_title = t("chart.status", lang)
    value_title = t(f"chart.{value}", lang)
    chart: alt.Chart = (
        alt.Chart(data, title=t(f"chart.by_status_{value}", lang))
        .mark_bar()
        .encode(
            x=alt.X("status_label:N", title=status_title, sort=alt.SortField("status_order")),
            y=alt.Y(f"{value}:Q", title=value_title),
            color=alt.Color(
                "status_label:N",
                scale=_status_scale([str(s) for s in by_status["status"]], lang),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("status_label:N", title=status_title),
                alt.Tooltip(f"{value}:Q", title=value_title, format=",.1f" if value != "sites" else ",d"),
            ],
        )
        .properties(height=CHART_HEIGHT)
    )
    return _localised(chart, lang)


def municipality_chart(by_municipality: pd.DataFrame, lang: str, *, top: int = TOP_MUNICIPALITIES) -> alt.Chart:
    """Horizontal bars: yearly output [MWh/yr] of the ``top`` municipalities with the most potential.

    Parameters
    ----------
    by_municipality
        :func:`gisplan.monitoring.potential_by_municipality` (largest first).
    """
    data = by_municipality.head(top).copy()
    name_title = t("chart.municipality", lang)
    energy_title = t("chart.energy_mwh_yr", lang)
    chart: alt.Chart = (
        alt.Chart(data, title=t("chart.municipality_title", lang, top=top))
        .mark_bar(color="#2166ac")
        .encode(
            y=alt.Y("municipality_name:N", title=name_title, sort="-x"),
            x=alt.X("energy_mwh_yr:Q", title=energy_title),
            tooltip=[
                alt.Tooltip("municipality_name:N", title=name_title),
                alt.Tooltip("sites:Q", title=t("chart.sites", lang)),
                alt.Tooltip("capacity_mwp:Q", title=t("chart.capacity_mwp", lang), format=",.2f"),
                alt.Tooltip("energy_mwh_yr:Q", title=energy_title, format=",.0f"),
                alt.Tooltip("co2_t_yr:Q", title=t("chart.co2_t_yr", lang), format=",.0f"),
            ],
        )
        .properties(height=max(CHART_HEIGHT, 22 * len(data)))
    )
    return _localised(chart, lang)


def balance_chart(balance: pd.DataFrame, lang: str, *, top: int = TOP_MUNICIPALITIES) -> alt.Chart:
    """Paired bars per municipality: potential against demand [MWh/yr] (measured or estimated, in the tooltip).

    Parameters
    ----------
    balance
        :func:`gisplan.community_areas.municipality_balance`.
    """
    data = balance.sort_values("potential_mwh_yr", ascending=False).head(top)
    potential, demand = t("comm.balance_potential", lang), t("comm.balance_demand", lang)
    tidy = pd.concat(
        [
            pd.DataFrame({"name": data["municipality_name"], "what": potential, "mwh_yr": data["potential_mwh_yr"]}),
            pd.DataFrame(
                {
                    "name": data["municipality_name"],
                    "what": demand,
                    "mwh_yr": data["demand_mwh_yr"],
                    "source": [t(f"comm.source_{s}", lang) for s in data["demand_source"]],
                }
            ),
        ],
        ignore_index=True,
    )
    tidy["source"] = tidy["source"].fillna("")
    name_title = t("chart.municipality", lang)
    chart: alt.Chart = (
        alt.Chart(tidy.dropna(subset=["mwh_yr"]), title=t("comm.balance_title", lang))
        .mark_bar()
        .encode(
            y=alt.Y("name:N", title=name_title, sort=None),
            yOffset=alt.YOffset("what:N", sort=[potential, demand]),
            x=alt.X("mwh_yr:Q", title=t("chart.energy_mwh_yr", lang)),
            color=alt.Color(
                "what:N", title="", sort=[potential, demand], scale=alt.Scale(range=["#238b45", "#b0b7bf"])
            ),
            tooltip=[
                alt.Tooltip("name:N", title=name_title),
                alt.Tooltip("what:N", title=""),
                alt.Tooltip("mwh_yr:Q", title=t("chart.energy_mwh_yr", lang), format=",.0f"),
                alt.Tooltip("source:N", title=t("comm.balance_source", lang)),
            ],
        )
        .properties(height=max(CHART_HEIGHT, 36 * len(data)))
    )
    return _localised(chart, lang)


def score_chart(distribution: pd.DataFrame, lang: str, profile_titles: dict[str, str] | None = None) -> alt.Chart:
    """Histogram of scores 0–100 per profile (excluded sites are left out; the page states their count).

    Parameters
    ----------
    distribution
        :func:`gisplan.monitoring.score_distribution`.
    profile_titles
        Profile name -> title in ``lang``; names are shown when missing.
    """
    titles = profile_titles or {}
    data = distribution.dropna(subset=["bin_start"]).copy()
    data["profile_title"] = [titles.get(str(p), str(p)) for p in data["profile"]]
    profile_title = t("chart.profile", lang)
    sites_title = t("chart.sites", lang)
    score_title = t("chart.score", lang)
    chart: alt.Chart = (
        alt.Chart(data, title=t("chart.score_title", lang))
        .mark_bar(opacity=0.8)
        .encode(
            x=alt.X("bin_start:Q", bin="binned", title=score_title, scale=alt.Scale(domain=[0, 100])),
            x2="bin_end:Q",
            y=alt.Y("sites:Q", title=sites_title, stack=None),
            color=alt.Color("profile_title:N", title=profile_title),
            tooltip=[
                alt.Tooltip("profile_title:N", title=profile_title),
                alt.Tooltip("bin_start:Q", title=score_title),
                alt.Tooltip("sites:Q", title=sites_title),
            ],
        )
        .properties(height=CHART_HEIGHT)
    )
    return _localised(chart, lang)


def excluded_counts(distribution: pd.DataFrame) -> dict[str, int]:
    """Per profile, how many sites the profile excluded (the rows of ``score_distribution`` without a bin)."""
    rows = distribution[distribution["bin_start"].isna()]
    return {str(p): int(n) for p, n in zip(rows["profile"], rows["sites"], strict=True)}


def chart_values(chart: alt.Chart) -> list[dict[str, Any]]:
    """The data rows a chart carries (inline datasets), for tests and the accessible table fallback."""
    spec = chart.to_dict()
    rows: list[dict[str, Any]] = []
    for values in spec.get("datasets", {}).values():
        rows.extend(values)
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in rows]


__all__ = [
    "CHART_HEIGHT",
    "STATUS_COLOURS",
    "TOP_MUNICIPALITIES",
    "chart_locale",
    "chart_values",
    "excluded_counts",
    "municipality_chart",
    "pipeline_chart",
    "profile_titles",
    "score_chart",
    "status_chart",
    "status_label",
]
