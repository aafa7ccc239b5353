"""The two pictures of a site dossier, drawn with reportlab graphics (vector in PDF and SVG).

- :func:`map_drawing`: the site's outline in the working CRS, other sites of the
  shortlist nearby in grey, a scale bar and a north arrow. No basemap: the dossier
  is made offline.
- :func:`chart_drawing`: the score breakdown as horizontal bars (points each line
  adds or, for handicaps and exclusions, takes away).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors

SITE_FILL = colors.Color(0.85, 0.35, 0.10, alpha=0.55)
SITE_LINE = colors.Color(0.55, 0.15, 0.0)
OTHER_FILL = colors.Color(0.6, 0.6, 0.6, alpha=0.35)
PLUS = colors.Color(0.10, 0.59, 0.25)
MINUS = colors.Color(0.84, 0.10, 0.11)
#: Scale bar lengths to choose from [m].
NICE_LENGTHS_M = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)


def _rings(geom: Any) -> list[tuple[list[tuple[float, float]], bool]]:
    """(coordinates, is_hole) of every polygon ring of ``geom``."""
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom] if geom.geom_type == "Polygon" else []
    rings: list[tuple[list[tuple[float, float]], bool]] = []
    for poly in polys:
        rings.append(([(x, y) for x, y, *_ in poly.exterior.coords], False))
        rings += [([(x, y) for x, y, *_ in hole.coords], True) for hole in poly.interiors]
    return rings


def scale_bar_m(view_width_m: float) -> float:
    """A round scale-bar length of at most a quarter of the view width [m]."""
    fitting = [n for n in NICE_LENGTHS_M if n <= view_width_m / 4] or [NICE_LENGTHS_M[0]]
    return float(fitting[-1])


def map_drawing(site: Any, others: Sequence[Any], width: float, height: float, *, font: str) -> Drawing:
    """The site ``site`` (a shapely geometry, metric CRS) with ``others`` around it.

    Parameters
    ----------
    site
        The site's geometry in a metric CRS [m]; None draws an empty frame.
    others
        Geometries of other sites, drawn in grey where they fall in the view.
    width, height
        Size of the drawing [pt].
    font
        Registered font name for the labels.
    """
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=colors.Color(0.97, 0.97, 0.95), strokeColor=colors.grey))
    if site is None or site.is_empty:
        return drawing
    minx, miny, maxx, maxy = site.bounds
    span = max(maxx - minx, maxy - miny, 20.0) * 1.6  # the site fills about 60 % of the view
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    scale = min(width, height) / span  # [pt per m]

    def to_page(x: float, y: float) -> tuple[float, float]:
        return width / 2 + (x - cx) * scale, height / 2 + (y - cy) * scale

    view = (cx - width / 2 / scale, cy - height / 2 / scale, cx + width / 2 / scale, cy + height / 2 / scale)
    for other in others:
        if other is None or other.is_empty or other.equals(site):
            continue
        ox0, oy0, ox1, oy1 = other.bounds
        if ox1 < view[0] or ox0 > view[2] or oy1 < view[1] or oy0 > view[3]:
            continue
        _shape(drawing, other, to_page, OTHER_FILL, colors.grey)
    _shape(drawing, site, to_page, SITE_FILL, SITE_LINE)
    bar = scale_bar_m(span)
    bar_pt = bar * scale
    drawing.add(Line(8, 10, 8 + bar_pt, 10, strokeColor=colors.black, strokeWidth=2))
    label = f"{bar / 1000:g} km" if bar >= 1000 else f"{bar:g} m"
    drawing.add(String(8, 14, label, fontName=font, fontSize=7))
    drawing.add(
        Polygon([width - 14, height - 22, width - 10, height - 10, width - 6, height - 22], fillColor=colors.black)
    )
    drawing.add(String(width - 13, height - 32, "N", fontName=font, fontSize=8))
    return drawing


def _shape(drawing: Drawing, geom: Any, to_page: Any, fill: colors.Color, stroke: colors.Color) -> None:
    rings = _rings(geom)
    if not rings:
        point = geom.representative_point()
        x, y = to_page(point.x, point.y)
        drawing.add(Circle(x, y, 4, fillColor=fill, strokeColor=stroke))
        return
    for coords, hole in rings:
        flat = [v for x, y in coords for v in to_page(x, y)]
        background = colors.Color(0.97, 0.97, 0.95)
        drawing.add(Polygon(flat, fillColor=background if hole else fill, strokeColor=stroke, strokeWidth=0.8))


def chart_drawing(
    lines: Sequence[tuple[str, float]], width: float, height: float, *, font: str, decimal: str = "."
) -> Drawing:
    """Horizontal bars of the breakdown: ``(label, points)``, positive green, negative red.

    The zero line sits where the largest negative and positive bars both fit.
    """
    drawing = Drawing(width, height)
    if not lines:
        return drawing
    label_w = width * 0.42
    row_h = min(16.0, (height - 6) / len(lines))
    most = max(abs(p) for _, p in lines) or 1.0
    has_minus = any(p < 0 for _, p in lines)
    plot_w = width - label_w - 40
    zero = label_w + (plot_w * 0.3 if has_minus else 0)
    unit = (plot_w * (0.7 if has_minus else 1.0)) / most  # [pt per point]
    size = max(5.5, min(8.0, row_h * 0.6))
    for i, (label, points) in enumerate(lines):
        y = height - (i + 1) * row_h
        bar = abs(points) * unit
        x = zero if points >= 0 else zero - bar
        colour = PLUS if points >= 0 else MINUS
        drawing.add(Rect(x, y + row_h * 0.15, max(bar, 0.5), row_h * 0.7, fillColor=colour, strokeColor=None))
        drawing.add(String(2, y + row_h * 0.3, _clip(label, 34), fontName=font, fontSize=size))
        value_x = x + bar + 2 if points >= 0 else x - 2
        anchor = "start" if points >= 0 else "end"
        drawing.add(
            String(
                value_x,
                y + row_h * 0.3,
                f"{points:+.1f}".replace(".", decimal),
                fontName=font,
                fontSize=size,
                textAnchor=anchor,
            )
        )
    drawing.add(Line(zero, 0, zero, height, strokeColor=colors.grey, strokeWidth=0.5))
    return drawing


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def finite(value: object) -> float | None:
    """``value`` as a finite float, else None."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


__all__ = ["chart_drawing", "finite", "map_drawing", "scale_bar_m"]
