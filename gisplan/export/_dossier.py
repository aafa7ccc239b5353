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
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

import pandas as pd

from gisplan.errors import NotFoundError
from gisplan.export._drawings import chart_drawing, finite, map_drawing

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

    from gisplan.export._snapshot import ExportSnapshot

#: Most notes, attributes and funding matches one page holds; the rest are counted.
MAX_NOTES = 4
MAX_ATTRIBUTES = 14
MAX_FUNDING = 6
MAX_NOTE_CHARS = 400

LABELS: dict[str, dict[str, str]] = {
    "cs": {
        "title": "Karta lokality",
        "map": "Mapa lokality",
        "chart": "Rozklad skóre",
        "score": "Skóre",
        "excluded": "vyloučeno",
        "profile": "Profil hodnocení",
        "energy": "Odhad energie",
        "capacity_kwp": "Instalovaný výkon [kWp]",
        "yield_kwh_kwp_yr": "Měrný výnos [kWh/kWp/rok]",
        "energy_mwh_yr": "Roční výroba [MWh/rok]",
        "co2_t_yr": "Úspora CO₂ [t/rok]",
        "households": "Pokrytí domácností",
        "attributes": "Údaje",
        "kind": "Druh",
        "municipality": "Obec",
        "area_ha": "Plocha [ha]",
        "source": "Zdroj",
        "status": "Stav",
        "priority": "Priorita",
        "note": "Poznámka",
        "notes": "Poznámky",
        "funding": "Dotační výzvy",
        "communities": "Společenství",
        "none": "žádné",
        "more": "… a dalších {n}",
        "reasons": "Důvody vyloučení",
        "handicaps": "Znevýhodnění",
        "footer": "Export {time} UTC · seznam {shortlist} · {crs} · zdroje: {sources}",
        "eligible": "způsobilá",
        "not_eligible": "nezpůsobilá",
        "unknown": "neznámo",
        "no_score": "bez skóre",
    },
    "en": {
        "title": "Site dossier",
        "map": "Site map",
        "chart": "Score breakdown",
        "score": "Score",
        "excluded": "excluded",
        "profile": "Scoring profile",
        "energy": "Energy estimate",
        "capacity_kwp": "Capacity [kWp]",
        "yield_kwh_kwp_yr": "Specific yield [kWh/kWp/yr]",
        "energy_mwh_yr": "Annual energy [MWh/yr]",
        "co2_t_yr": "CO₂ avoided [t/yr]",
        "households": "Households supplied",
        "attributes": "Attributes",
        "kind": "Kind",
        "municipality": "Municipality",
        "area_ha": "Area [ha]",
        "source": "Source",
        "status": "Status",
        "priority": "Priority",
        "note": "Note",
        "notes": "Notes",
        "funding": "Funding calls",
        "communities": "Communities",
        "none": "none",
        "more": "… and {n} more",
        "reasons": "Exclusion reasons",
        "handicaps": "Handicaps",
        "footer": "Exported {time} UTC · shortlist {shortlist} · {crs} · sources: {sources}",
        "eligible": "eligible",
        "not_eligible": "not eligible",
        "unknown": "unknown",
        "no_score": "no score",
    },
}
_ENERGY = ("capacity_kwp", "yield_kwh_kwp_yr", "energy_mwh_yr", "co2_t_yr", "households")


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


def _fmt(value: object, digits: int = 1) -> str:
    number = finite(value)
    if number is None:
        return "–" if value is None or (isinstance(value, float)) else str(value)
    return f"{number:,.{digits}f}".replace(",", "\u00a0")  # a no-break space between thousands


def _labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


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


def _more(items: list[Any], limit: int, lang: str) -> tuple[list[Any], str]:
    extra = len(items) - limit
    return items[:limit], _labels(lang)["more"].format(n=extra) if extra > 0 else ""


def _attributes(snapshot: ExportSnapshot, site_id: str, lang: str) -> list[tuple[str, str]]:
    attrs = snapshot.attributes.get(site_id, {})
    rows = [(str(k), _plain(v)) for k, v in attrs.items() if v not in (None, "") and not _is_nan(v)]
    shown, more = _more(rows, MAX_ATTRIBUTES, lang)
    return [*shown, ("", more)] if more else shown


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _plain(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def build_dossier(snapshot: ExportSnapshot, site_id: str, *, lang: str = "cs") -> Dossier:
    """The facts of the dossier of ``site_id`` in ``lang`` (``cs`` or ``en``).

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
    score_text = label["no_score"] if score is None else f"{score:.1f} / 100"
    if site["excluded"] is True:
        score_text += f" ({label['excluded']})"
    facts = [
        (label["kind"], str(site["kind"])),
        (
            label["municipality"],
            " ".join(p for p in (str(site["municipality"]), f"({site['municipality_code']})") if p != "()"),
        ),
        (label["area_ha"], _fmt(site["area_ha"], 2)),
        (label["source"], f"{site['source']}:{site['source_id']}"),
        (label["status"], str(site["status"]) + (f" – {site['status_reason']}" if site["status_reason"] else "")),
    ]
    if site["priority"]:
        facts.append((label["priority"], str(site["priority"])))
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
        name=str(site["name"]) or site_id,
        subtitle=f"{label['title']} · {site_id}",
        score=score_text,
        profile=f"{snapshot.profile or '–'} v{site['profile_version']}" if site["profile_version"] else "–",
        facts=facts,
        energy=[(label[k], _fmt(site[k], 0 if k in {"capacity_kwp", "households"} else 1)) for k in _ENERGY],
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
    chart_svg = _svg(chart_drawing(d.breakdown, 260, 200, font=font))
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
                chart_drawing(d.breakdown, half, 62 * mm, font=regular),
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


__all__ = ["LABELS", "Dossier", "build_dossier", "dossier_html", "dossier_pdf", "dossiers_pdf"]
