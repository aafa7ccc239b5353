"""One-page site dossiers, printable as HTML and as PDF, in Czech or English.

A dossier shows a map snapshot of the site, the score breakdown chart, the
energy estimate, the attributes, status and notes, and the funding matches. Both
forms come from the same :class:`Dossier` facts; every text from users and
sources is escaped (HTML entities in HTML, reportlab's markup in PDF). The PDF is
drawn with reportlab in DejaVu Sans (shipped with matplotlib) so Czech letters
print, and it is shrunk to fit one A4 page.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

import pandas as pd

from gisplan.errors import NotFoundError
from gisplan.export._dossier_labels import labels
from gisplan.export._dossier_values import attributes as attribute_rows
from gisplan.export._dossier_values import decimal_sign, number
from gisplan.export._drawings import chart_drawing, finite, map_drawing
from gisplan.site_schema import ENERGY_NUMBERS

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

    from gisplan.export._snapshot import ExportSnapshot

#: Most notes, attributes and funding matches one page holds; the rest are counted.
MAX_NOTES = 4
MAX_ATTRIBUTES = 14
MAX_FUNDING = 6
MAX_NOTE_CHARS = 400

_ENERGY = ENERGY_NUMBERS


@dataclass
class Dossier:
    """The facts on one page, as plain (unescaped) text."""

    site_id: str
    name: str
    subtitle: str
    score: str
    profile: str
    facts: list[tuple[str, str]]
    energy: list[tuple[str, str]]
    breakdown: list[tuple[str, float]]
    attributes: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    funding: list[tuple[str, str]]
    footer: str
    geometry: Any = None
    others: list[Any] = field(default_factory=list)


def _fmt(value: object, digits: int = 1, lang: str = "en") -> str:
    if finite(value) is None:
        return "–" if value is None or (isinstance(value, float)) else str(value)
    return number(value, digits, lang)


def _code(kind: str, value: object, label: Mapping[str, str]) -> str:
    """A code (kind, status, priority, verdict) in words; an unknown code stays as it is."""
    text = str(value or "")
    return label.get(f"{kind}.{text}", text) if text else "–"


def site_title(site: pd.Series, attrs: Mapping[str, Any]) -> str:
    """What a site is called on its page: its name, else its address, else its id."""
    for value in (site.get("name"), attrs.get("address"), attrs.get("adresa")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return str(site["site_id"])


def _labels(lang: str) -> dict[str, str]:
    return labels(lang)


def _criterion_labels(profile: str | None, lang: str) -> dict[str, str]:
    """Criterion column -> label from the scoring profile (empty when it cannot be loaded)."""
    if not profile:
        return {}
    from gisplan.errors import GisplanError
    from gisplan.profiles import load_profile

    try:
        loaded = load_profile(profile)
    except (GisplanError, OSError, ValueError):
        return {}
    found = {c.column: c.label.get(lang) for c in loaded.criteria if c.label is not None}
    found |= {f"handicap:{h.id}": h.reason.get(lang) for h in loaded.handicaps}
    return found


def _profile_text(profile: str | None, version: str, lang: str) -> str:
    """``Pozemní fotovoltaika (ground_pv v1)``: the profile's title in ``lang``, its name and version."""
    if not profile or not version:
        return "–"
    from gisplan.errors import GisplanError
    from gisplan.profiles import load_profile

    try:
        title = load_profile(profile).title.get(lang)
    except (GisplanError, OSError, ValueError):
        return f"{profile} v{version}"
    return f"{title} ({profile} v{version})"


def _more(items: list[Any], limit: int, lang: str) -> tuple[list[Any], str]:
    extra = len(items) - limit
    return items[:limit], _labels(lang)["more"].format(n=extra) if extra > 0 else ""


def _attributes(snapshot: ExportSnapshot, site_id: str, lang: str) -> list[tuple[str, str]]:
    rows = attribute_rows(snapshot.attributes.get(site_id, {}), lang, _labels(lang))
    shown, more = _more(rows, MAX_ATTRIBUTES, lang)
    return [*shown, ("", more)] if more else shown


def _plain(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _source_text(value: object, label: Mapping[str, str]) -> str:
    """``declared area (hectares[ha])`` and the like, from an ``area_source`` or ``yield_source`` code."""
    text = _plain(value)
    if not text:
        return "–"
    kind, _, detail = text.partition(":")
    name = label.get(f"source.{kind}", kind)
    return f"{name} ({detail})" if detail else name


def _source_of(snapshot: ExportSnapshot, site: pd.Series) -> str:
    """The site's record in its source: the source's title (or name) and the id there."""
    titles = {info.source: info.title for info in snapshot.sources if info.title}
    return f"{titles.get(str(site['source']), str(site['source']))} · {site['source_id']}"


def _yield_text(site: pd.Series, label: Mapping[str, str]) -> str:
    text = _source_text(site.get("yield_source"), label)
    note = _plain(site.get("yield_note"))
    return f"{text}: {note}" if note else text


def _provenance_facts(
    snapshot: ExportSnapshot, site: pd.Series, names: Mapping[str, str], label: Mapping[str, str]
) -> list[tuple[str, str]]:
    """How much of the score was measured, and which criteria were assumed or not available."""
    share = finite(site.get("completeness"))
    measured = (
        label["completeness_unknown"]
        if share is None
        else label["completeness_value"].format(percent=f"{100 * share:.0f}")
    )
    out = [(label["completeness"], measured)]
    lines = snapshot.breakdown.get(str(site["site_id"]), [])
    for origin in ("assumed", "not_available"):
        which = [
            names.get(str(item.get("criterion")), str(item.get("criterion")))
            for item in lines
            if isinstance(item, dict) and item.get("provenance") == origin
        ]
        if which:
            out.append((label[origin], ", ".join(which)))
    return out


def build_dossier(snapshot: ExportSnapshot, site_id: str, *, lang: str = "cs") -> Dossier:
    """The facts of the dossier of ``site_id`` in ``lang`` (cs, en, pl, hu, da; any other reads English).

    Raises
    ------
    NotFoundError
        If the site is not in the snapshot.
    """
    label = _labels(lang)
    sites = snapshot.sites
    match = sites[sites["site_id"] == site_id]
    if match.empty:
        msg = f"site {site_id!r} is not on shortlist {snapshot.shortlist!r}; add it first or pick one of its sites"
        raise NotFoundError(msg)
    site = match.iloc[0]
    names = _criterion_labels(snapshot.profile, lang)
    lines = [
        (names.get(str(item.get("criterion")), str(item.get("criterion"))), finite(item.get("contribution")) or 0.0)
        for item in snapshot.breakdown.get(site_id, [])
    ]
    score = finite(site["score"])
    score_text = label["no_score"] if score is None else f"{number(score, 1, lang)} / 100"
    if site["excluded"] is True:
        score_text += f" ({label['excluded']})"
    facts = [
        (label["kind"], _code("kind", site["kind"], label)),
        (
            label["municipality"],
            " ".join(p for p in (str(site["municipality"]), f"({site['municipality_code']})") if p not in {"", "()"}),
        ),
        (label["area_ha"], _fmt(site["area_ha"], 2, lang)),
        (label["area_source"], _source_text(site.get("area_source"), label)),
        (label["source"], _source_of(snapshot, site)),
        (
            label["status"],
            _code("status", site["status"], label) + (f" – {site['status_reason']}" if site["status_reason"] else ""),
        ),
    ]
    facts += _provenance_facts(snapshot, site, names, label)
    if site["priority"]:
        facts.append((label["priority"], _code("priority", site["priority"], label)))
    for key in ("exclusion_reasons", "handicaps"):
        if site[key]:
            facts.append((label["reasons" if key == "exclusion_reasons" else "handicaps"], str(site[key])))
    if site["communities"]:
        facts.append((label["communities"], str(site["communities"])))
    if site["note"]:
        facts.append((label["note"], str(site["note"])[:MAX_NOTE_CHARS]))
    notes_frame = snapshot.annotations[snapshot.annotations["site_id"] == site_id]
    notes = [
        (f"{row['author']}, {pd.Timestamp(str(row['created_at'])):%Y-%m-%d}", str(row["text"])[:MAX_NOTE_CHARS])
        for _, row in notes_frame.iterrows()
    ]
    notes, more = _more(notes, MAX_NOTES, lang)
    if more:
        notes.append(("", more))
    links = snapshot.funding_links[snapshot.funding_links["site_id"] == site_id]
    funding = [
        (
            f"{row['call_code']} – {row['call_name']}",
            label.get(str(row["verdict"]), str(row["verdict"])) + (f": {row['reasons']}" if row["reasons"] else ""),
        )
        for _, row in links.iterrows()
    ]
    funding, more = _more(funding, MAX_FUNDING, lang)
    if more:
        funding.append(("", more))
    used = [s.licence for s in snapshot.sources if s.sites]
    footer = label["footer"].format(
        time=f"{snapshot.exported_at:%Y-%m-%d %H:%M}",
        shortlist=snapshot.shortlist,
        crs=snapshot.crs,
        sources="; ".join(dict.fromkeys(used)) or "–",
    )
    return Dossier(
        site_id=site_id,
        name=site_title(site, snapshot.attributes.get(site_id, {})),
        subtitle=f"{label['title']} · {site_id}",
        score=score_text,
        profile=_profile_text(snapshot.profile, str(site["profile_version"] or ""), lang),
        facts=facts,
        energy=[
            *((label[k], _fmt(site[k], 0 if k in {"capacity_kwp", "households"} else 1, lang)) for k in _ENERGY),
            (label["yield_source"], _yield_text(site, label)),
        ],
        breakdown=lines,
        attributes=_attributes(snapshot, site_id, lang),
        notes=notes,
        funding=funding,
        footer=footer,
        geometry=site.geometry,
        others=[g for g in sites.geometry if g is not None],
    )


# ----------------------------------------------------------------------------------------- HTML
_CSS = """
@page { size: A4; margin: 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #222; margin: 0; }
.page { max-width: 186mm; margin: 0 auto; page-break-after: always; }
h1 { font-size: 16pt; margin: 0 0 2pt 0; }
.sub { color: #666; margin-bottom: 6pt; }
.score { font-size: 14pt; font-weight: bold; }
.pictures { display: flex; gap: 6mm; margin: 6pt 0; }
.pictures figure { margin: 0; }
figcaption { font-size: 8pt; color: #555; }
table { border-collapse: collapse; width: 100%; margin-bottom: 6pt; }
th, td { text-align: left; vertical-align: top; padding: 1pt 4pt; border-bottom: 0.5pt solid #ddd; font-size: 9pt; }
th { width: 38%; font-weight: normal; color: #555; }
h2 { font-size: 11pt; margin: 6pt 0 2pt 0; }
.cols { display: flex; gap: 6mm; } .cols > div { flex: 1; }
footer { font-size: 7pt; color: #777; margin-top: 6pt; }
"""


def _svg(drawing: Drawing) -> str:
    from reportlab.graphics import renderSVG

    text = str(renderSVG.drawToString(drawing))
    return text[text.index("<svg") :]


def _rows(pairs: Sequence[tuple[str, str]], empty: str) -> str:
    if not pairs:
        return f"<p>{html.escape(empty)}</p>"
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in pairs)
    return f"<table>{body}</table>"


def _page_html(d: Dossier, lang: str) -> str:
    label = _labels(lang)
    font = "Helvetica"  # SVG text: the browser picks its own font; metrics only
    map_svg = _svg(map_drawing(d.geometry, d.others, 250, 200, font=font))
    chart_svg = _svg(chart_drawing(d.breakdown, 260, 200, font=font, decimal=decimal_sign(lang)))
    return (
        '<section class="page">'
        f"<h1>{html.escape(d.name)}</h1>"
        f'<div class="sub">{html.escape(d.subtitle)}</div>'
        f'<div><span class="score">{html.escape(label["score"])}: {html.escape(d.score)}</span> · '
        f"{html.escape(label['profile'])}: {html.escape(d.profile)}</div>"
        '<div class="pictures">'
        f"<figure>{map_svg}<figcaption>{html.escape(label['map'])}</figcaption></figure>"
        f"<figure>{chart_svg}<figcaption>{html.escape(label['chart'])}</figcaption></figure>"
        "</div>"
        '<div class="cols"><div>'
        f"<h2>{html.escape(label['status'])}</h2>{_rows(d.facts, label['none'])}"
        f"<h2>{html.escape(label['energy'])}</h2>{_rows(d.energy, label['none'])}"
        "</div><div>"
        f"<h2>{html.escape(label['attributes'])}</h2>{_rows(d.attributes, label['none'])}"
        "</div></div>"
        f"<h2>{html.escape(label['notes'])}</h2>{_rows(d.notes, label['none'])}"
        f"<h2>{html.escape(label['funding'])}</h2>{_rows(d.funding, label['none'])}"
        f"<footer>{html.escape(d.footer)}</footer>"
        "</section>"
    )


def dossier_html(snapshot: ExportSnapshot, site_ids: str | Sequence[str] | None = None, *, lang: str = "cs") -> str:
    """A printable HTML document with one dossier page per site (default: every site of the snapshot)."""
    ids = _ids(snapshot, site_ids)
    pages = "".join(_page_html(build_dossier(snapshot, sid, lang=lang), lang) for sid in ids)
    title = html.escape(f"{_labels(lang)['title']} – {snapshot.shortlist}")
    return (
        f'<!DOCTYPE html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>{pages}</body></html>"
    )


def _ids(snapshot: ExportSnapshot, site_ids: str | Sequence[str] | None) -> list[str]:
    if site_ids is None:
        return [str(s) for s in snapshot.sites["site_id"]]
    return [site_ids] if isinstance(site_ids, str) else list(site_ids)


# ------------------------------------------------------------------------------------------ PDF
def _fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) with reportlab; return their names."""
    from matplotlib import font_manager
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = ("DejaVuSans", "DejaVuSans-Bold")
    if names[0] not in pdfmetrics.getRegisteredFontNames():
        regular = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=True)
        bold = font_manager.findfont(
            font_manager.FontProperties(family="DejaVu Sans", weight="bold"), fallback_to_default=True
        )
        pdfmetrics.registerFont(TTFont(names[0], regular))
        pdfmetrics.registerFont(TTFont(names[1], bold))
    return names


def _story(d: Dossier, lang: str, regular: str, bold: str, width: float) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    label = _labels(lang)
    body = ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=10.5)
    small = ParagraphStyle("small", parent=body, fontSize=6.5, leading=8, textColor=colors.grey)
    head = ParagraphStyle("head", parent=body, fontName=bold, fontSize=10.5, leading=13, spaceBefore=4)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=19)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(xml_escape(text), style)

    def table(pairs: Sequence[tuple[str, str]], col: float) -> Any:
        if not pairs:
            return p(label["none"])
        grid = Table([[p(k), p(v)] for k, v in pairs], colWidths=[col * 0.4, col * 0.6])
        grid.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        return grid

    half = (width - 6 * mm) / 2
    pictures = Table(
        [
            [
                map_drawing(d.geometry, d.others, half, 62 * mm, font=regular),
                chart_drawing(d.breakdown, half, 62 * mm, font=regular, decimal=decimal_sign(lang)),
            ],
            [p(label["map"], small), p(label["chart"], small)],
        ],
        colWidths=[half + 3 * mm, half + 3 * mm],
    )
    columns = Table(
        [
            [
                [p(label["status"], head), table(d.facts, half), p(label["energy"], head), table(d.energy, half)],
                [p(label["attributes"], head), table(d.attributes, half)],
            ]
        ],
        colWidths=[half + 3 * mm, half + 3 * mm],
    )
    columns.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [
        p(d.name, title),
        p(d.subtitle, small),
        Spacer(1, 2 * mm),
        p(f"{label['score']}: {d.score} · {label['profile']}: {d.profile}", head),
        pictures,
        columns,
        p(label["notes"], head),
        table(d.notes, width),
        p(label["funding"], head),
        table(d.funding, width),
        Spacer(1, 2 * mm),
        p(d.footer, small),
    ]


def dossiers_pdf(snapshot: ExportSnapshot, site_ids: Sequence[str] | None = None, *, lang: str = "cs") -> bytes:
    """A PDF with one A4 page per site (default: every site of the snapshot)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepInFrame, PageBreak, SimpleDocTemplate

    regular, bold = _fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{_labels(lang)['title']} – {snapshot.shortlist}",
        author="gisplan",
        lang=lang,
    )
    story: list[Any] = []
    for i, sid in enumerate(_ids(snapshot, site_ids)):
        if i:
            story.append(PageBreak())
        dossier = build_dossier(snapshot, sid, lang=lang)
        content = _story(dossier, lang, regular, bold, doc.width)
        story.append(KeepInFrame(doc.width, doc.height, content, mode="shrink"))
    doc.build(story)
    return buffer.getvalue()


def dossier_pdf(snapshot: ExportSnapshot, site_id: str, *, lang: str = "cs") -> bytes:
    """The one-page PDF dossier of ``site_id``."""
    return dossiers_pdf(snapshot, [site_id], lang=lang)


__all__ = ["Dossier", "build_dossier", "dossier_html", "dossier_pdf", "dossiers_pdf"]
