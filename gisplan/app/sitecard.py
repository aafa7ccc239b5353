"""What the site card shows, as tables in the interface language: plain Python, no Streamlit.

The card's data is read by the store (:func:`gisplan.store.site_card.load_card`,
one read transaction; :func:`gisplan.store.site_card.permissions` for the
actions a user may take); the ``*_frame`` functions here turn it into tables in
the interface language. Every text from a user or a source stays data here: the
page shows it through tables, ``st.text`` or escaped markdown, never as HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from gisplan.app.i18n import UI_LANGUAGES, fmt_number, has_text, t
from gisplan.profiles import Profile
from gisplan.store import permissions as perm
from gisplan.store.models import (
    AuditEntry,
    Site,
    SiteScore,
)
from gisplan.store.site_card import SiteCard

#: Audit targets that belong to a site besides the site row itself.
_LINKED_TARGETS = ("annotation", "site_community_link", "site_funding_link")
_SAFE_URL = re.compile(r"^https?://[^\s/?#@]+[^\s]*$", re.IGNORECASE)
_SHORT = 80


def allowed_moves(role: perm.Role, status: str) -> list[perm.Status]:
    """The statuses ``role`` may move a site to from ``status``, in workflow order."""
    try:
        current = perm.Status(status)
    except ValueError:
        return []
    return [s for s in perm.Status if perm.transition_allowed(role, current, s)]


def safe_url(url: object) -> str | None:
    """``url`` if it is an absolute http(s) URL without spaces, else None (no ``javascript:``, ``data:``…)."""
    text = str(url or "").strip()
    return text if _SAFE_URL.match(text) else None


def short(value: object, limit: int = _SHORT) -> str:
    """A one-line text of at most ``limit`` characters."""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    text = " ".join(str(value).split()) if value is not None else "–"
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ----------------------------------------------------------------------------------- translations
def status_label(status: str, lang: str) -> str:
    """A workflow status in ``lang`` (the raw value if unknown)."""
    key = f"status.{status}"
    return t(key, lang) if has_text(key) else status


def profile_title(name: str, profiles: Mapping[str, Profile], lang: str) -> str:
    """A profile's title in ``lang``; its name when the profile file is gone."""
    profile = profiles.get(name)
    return profile.title.get(lang) if profile is not None else name


def translate_reason(text: str, profile: Profile | None, lang: str) -> str:
    """An exclusion or handicap reason stored in one language, shown in ``lang`` when the profile knows it."""
    if profile is not None:
        for reason in [rule.reason for rule in profile.exclusions] + [rule.reason for rule in profile.handicaps]:
            if text in reason.model_dump(exclude_none=True).values():
                return reason.get(lang)
        if text in {t("exclusion.wrong_kind", stored, profile=profile.name) for stored in UI_LANGUAGES}:
            return t("card.wrong_kind", lang, profile=profile.title.get(lang))
    return text


def _criterion_label(name: str, profile: Profile | None, lang: str) -> str:
    if name == "exclusion":
        return t("card.line_exclusion", lang)
    if profile is not None:
        if name.startswith("handicap:"):
            ident = name.split(":", 1)[1]
            for handicap in profile.handicaps:
                if handicap.id == ident:
                    return t("card.line_handicap", lang, reason=handicap.reason.get(lang))
        for criterion in profile.criteria:
            if criterion.column == name and criterion.label is not None:
                return criterion.label.get(lang)
    return name


def breakdown_frame(score: SiteScore, profile: Profile | None, lang: str) -> pd.DataFrame:
    """The score's lines: label, points earned, points possible and their effect.

    Columns ``label``, ``raw`` (value and unit as text), ``points`` (contribution,
    negative for handicaps and the exclusion), ``possible`` (the criterion's
    share of 100 points, 0 for penalty lines), ``effect``: ``raised``
    (normalised value at least 0.5), ``held_back`` (below 0.5), ``lowered``
    (a penalty), ``assumed`` (a default of the profile stood in for a value no
    layer gave) or ``not_available`` (no layer reaches the site: no points),
    and ``origin``, the line's provenance as text in ``lang`` (empty for lines
    scored before provenance was recorded). The points add up to the score.
    """
    lines = [line for line in (score.breakdown or []) if isinstance(line, dict)]
    weights = sum(float(line.get("weight") or 0) for line in lines)
    rows = []
    for line in lines:
        points = float(line.get("contribution") or 0.0)
        weight = float(line.get("weight") or 0.0)
        normalised = line.get("normalised")
        origin = str(line.get("provenance") or "")
        if weight == 0:
            effect = "lowered" if points < 0 else "held_back"
        elif origin in ("assumed", "not_available"):
            effect = origin
        else:
            effect = "raised" if normalised is not None and float(normalised) >= 0.5 else "held_back"
        raw = line.get("raw")
        unit = str(line.get("unit") or "")
        if origin == "not_available":
            value = t("card.not_available", lang)
        else:
            value = "" if raw is None else short(f"{_number(raw, lang)} {unit}".strip(), 40)
        rows.append(
            {
                "label": _criterion_label(str(line.get("criterion", "")), profile, lang),
                "raw": value,
                "points": round(points, 2),
                "possible": round(100.0 * weight / weights, 2) if weights and weight else 0.0,
                "effect": effect,
                "origin": t(f"card.origin.{origin}", lang) if origin and has_text(f"card.origin.{origin}") else "",
            }
        )
    return pd.DataFrame(rows, columns=["label", "raw", "points", "possible", "effect", "origin"])


def completeness_text(score: SiteScore, lang: str) -> str:
    """``Measured: 75 % of the weight`` for a score, or why it is not known (scored before it was recorded)."""
    if score.completeness is None:
        return t("card.completeness_unknown", lang)
    return t("card.completeness", lang, percent=f"{100 * float(score.completeness):.0f}")


def area_source_text(site: Site, lang: str) -> str:
    """``Area: from the declared area (hectares)`` and the like; empty when it was never recorded."""
    source = site.area_source or ""
    if not source:
        return ""
    kind, _, detail = source.partition(":")
    label = t(f"card.area_source.{kind}", lang) if has_text(f"card.area_source.{kind}") else kind
    return t("card.area_source_label", lang, source=f"{label} ({detail})" if detail else label)


def yield_source_text(score: SiteScore, lang: str) -> str:
    """Where the score's specific yield came from, in ``lang`` (with the reason when not available)."""
    source = score.yield_source or ""
    if not source:
        return t("card.yield_source_unknown", lang)
    label = t(f"card.yield_source.{source}", lang) if has_text(f"card.yield_source.{source}") else source
    if source == "not_available" and score.yield_note:
        return f"{label}: {short(score.yield_note, 300)}"
    return label


def _number(value: object, lang: str) -> str:
    if isinstance(value, float):
        return fmt_number(value, lang, 2, trim=True)
    return str(value)


# ----------------------------------------------------------------------------------- tables
def energy_frame(scores: Sequence[SiteScore], profiles: Mapping[str, Profile], lang: str) -> pd.DataFrame:
    """One row per profile: score, exclusion and the energy estimate."""
    rows = [
        {
            t("card.profile", lang): profile_title(s.profile, profiles, lang),
            t("card.score", lang): None if s.score is None else round(s.score, 1),
            t("card.excluded", lang): t("card.yes", lang) if s.excluded else t("card.no", lang),
            t("card.kwp", lang): _round(s.capacity_kwp, 1),
            t("card.mwh", lang): _round(s.energy_mwh_yr, 1),
            t("card.co2", lang): _round(s.co2_t_yr, 1),
            t("card.households", lang): _round(s.households, 0),
            t("card.col_completeness", lang): None if s.completeness is None else round(100 * s.completeness),
            t("card.col_yield_source", lang): yield_source_text(s, lang),
        }
        for s in scores
    ]
    return pd.DataFrame(rows)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def source_frame(site: Site, lang: str) -> pd.DataFrame:
    """The site's source and its source attributes, values as plain text."""
    rows = [
        (t("col.source", lang), site.source),
        (t("card.source_id", lang), site.source_id),
        (t("col.site_id", lang), site.id),
    ]
    rows += [(str(key), short(value, 300)) for key, value in sorted((site.attributes or {}).items()) if value != ""]
    return pd.DataFrame(rows, columns=[t("card.attribute", lang), t("card.value", lang)])


def history_frame(card: SiteCard, names: Mapping[int, str], lang: str) -> pd.DataFrame:
    """Who changed what on the site, and when (newest first), from the audit log."""
    rows = []
    for entry in card.history:
        key = f"history.{entry.action}"
        what = t(key, lang) if has_text(key) else entry.action
        if entry.outcome != "ok":
            what = t("history.denied", lang, action=what)
        rows.append(
            {
                t("card.when", lang): _when(entry.at),
                t("card.who", lang): names.get(entry.actor_id or 0, entry.actor_name or "system"),
                t("card.what", lang): what,
                t("card.detail", lang): _change_summary(entry, lang),
            }
        )
    return pd.DataFrame(
        rows, columns=[t("card.when", lang), t("card.who", lang), t("card.what", lang), t("card.detail", lang)]
    )


def _when(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _value_text(value: object, lang: str) -> object:
    """A logged value as a reader sees it: funding reason records worded in ``lang``, anything else as it is."""
    if isinstance(value, list) and value and all(isinstance(v, Mapping) and "code" in v for v in value):
        from gisplan.funding import reason_text

        return "; ".join(reason_text(v, lang) for v in value)
    return value


def _change_summary(entry: AuditEntry, lang: str = "en") -> str:
    """What changed, in one line: ``field: before → after``, or the fields of a new record."""
    if entry.outcome != "ok":
        return short(entry.detail, 200)
    before, after = entry.before or {}, entry.after or {}
    skip = {"version", "updated_at", "site_id"}
    changed = [k for k in after if k not in skip and before.get(k) != after.get(k)] if before else []
    if changed:
        return "; ".join(
            f"{k}: {short(_value_text(before.get(k), lang), 40)} → {short(_value_text(after.get(k), lang), 40)}"
            for k in changed
        )
    shown = {k: _value_text(v, lang) for k, v in (after or before).items() if k not in skip and v not in (None, "", [])}
    return short("; ".join(f"{k}: {short(v, 60)}" for k, v in shown.items()) or entry.detail, 200)
