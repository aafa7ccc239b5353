"""Charts of the site card, built with Altair (which ships with Streamlit).

Vega draws every label as SVG text, so names from profiles and sources are
shown as typed and never parsed as HTML.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from gisplan.app.i18n import t

#: Colours of a breakdown line's effect (ColorBrewer RdYlGn ends and middle).
EFFECT_COLOURS = {
    "raised": "#1a9850",
    "held_back": "#fdae61",
    "lowered": "#d73027",
    # assumed and unmeasured lines in neutral greys, so they never read as a measured result
    "assumed": "#8c8c8c",
    "not_available": "#d9d9d9",
}


def breakdown_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Horizontal bars of a score's lines: points earned over points possible, penalties to the left.

    Parameters
    ----------
    frame
        :func:`gisplan.app.sitecard.breakdown_frame` of one score: ``label``,
        ``raw``, ``points``, ``possible``, ``effect`` (and ``origin``).
    lang
        Interface language of the axis titles and the legend.
    """
    data = frame.assign(
        effect_label=frame["effect"].map(lambda e: t(f"chart.effect.{e}", lang)),
        order=range(len(frame)),
    )
    labels = [t(f"chart.effect.{e}", lang) for e in EFFECT_COLOURS]
    y = alt.Y("label:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=260))
    possible = (
        alt.Chart(data).mark_bar(color="#e0e0e0").encode(y=y, x=alt.X("possible:Q", title=t("chart.points", lang)))
    )
    earned = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("points:Q"),
            color=alt.Color(
                "effect_label:N",
                scale=alt.Scale(domain=labels, range=list(EFFECT_COLOURS.values())),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=t("chart.criterion", lang)),
                alt.Tooltip("raw:N", title=t("chart.value", lang)),
                alt.Tooltip("points:Q", title=t("chart.points", lang), format=".1f"),
                alt.Tooltip("possible:Q", title=t("chart.possible", lang), format=".1f"),
            ],
        )
    )
    return alt.LayerChart(layer=[possible, earned], height=max(80, 28 * len(data)))
