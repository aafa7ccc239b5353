"""What the site card shows, read from the store: plain Python, no Streamlit.

:func:`load_card` gathers a site with its scores, annotations, status moves,
links and history in one read transaction; :func:`permissions` says which
actions the user may take on it (the same rules the store applies when it
writes); the ``*_frame`` functions turn these into tables in the interface
language. Every text from a user or a source stays data here: the page shows
it through tables, ``st.text`` or escaped markdown, never as HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gisplan.app.i18n import has_text, t
from gisplan.profiles import Profile
from gisplan.store import Store, Tx
from gisplan.store import permissions as perm
from gisplan.store.models import (
    Annotation,
    AuditEntry,
    Community,
    FundingCall,
    Site,
    SiteCommunityLink,
    SiteFundingLink,
    SiteScore,
    StatusChange,
    User,
)

#: Actions the card offers, each shown only when :func:`permissions` allows it.
CARD_ACTIONS = (perm.Action.SITE_ANNOTATE, perm.Action.SITE_STATUS, perm.Action.SITE_LINK)
#: Audit targets that belong to a site besides the site row itself.
_LINKED_TARGETS = ("annotation", "site_community_link", "site_funding_link")
_UNLINK_ACTIONS = ("site.unlink_community", "site.unlink_funding_call")
_SAFE_URL = re.compile(r"^https?://[^\s/?#@]+[^\s]*$", re.IGNORECASE)
_SHORT = 80


@dataclass(frozen=True)
class SiteCard:
    """A site and everything people did with it, as stored now."""

    site: Site
    scores: list[SiteScore]
    municipality_name: str | None
    annotations: list[tuple[Annotation, str]]
    status_changes: list[tuple[StatusChange, str]]
    community_links: list[tuple[SiteCommunityLink, Community]]
    funding_links: list[tuple[SiteFundingLink, FundingCall]]
    history: list[AuditEntry] = field(default_factory=list)


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username, User.display_name).where(User.id.in_(wanted))).all()
    return {uid: display or name for uid, name, display in rows}


def _history(session: Session, site_id: str, linked: dict[str, list[str]], limit: int) -> list[AuditEntry]:
    conditions = [(AuditEntry.target_type == "site") & (AuditEntry.target_id == site_id)]
    for target_type, ids in linked.items():
        if ids:
            conditions.append((AuditEntry.target_type == target_type) & (AuditEntry.target_id.in_(ids)))
    stmt = select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.id.desc()).limit(limit)
    entries = list(session.scalars(stmt))
    # links removed since: their ids are gone, but the unlink audit row names the site
    unlinks = session.scalars(
        select(AuditEntry).where(AuditEntry.action.in_(_UNLINK_ACTIONS)).order_by(AuditEntry.id.desc()).limit(limit)
    )
    entries += [e for e in unlinks if (e.before or {}).get("site_id") == site_id and e not in entries]
    return sorted(entries, key=lambda e: e.id, reverse=True)[:limit]


def load_card(store: Store, site_id: str, *, history_limit: int = 200) -> SiteCard:
    """Read a site's card in one transaction.

    Raises
    ------
    NotFoundError
        If there is no site ``site_id``.
    """
    store.get_site(site_id)  # NotFoundError with the store's message

    def work(session: Session) -> SiteCard:
        site = session.get(Site, site_id)
        assert site is not None  # checked above; sites are end-dated, never deleted
        scores = list(
            session.scalars(select(SiteScore).where(SiteScore.site_id == site_id).order_by(SiteScore.profile))
        )
        municipality = None
        if site.municipality_code:
            municipality = session.scalar(
                select(Community.name).where(Community.kind == "municipality", Community.code == site.municipality_code)
            )
        notes = list(session.scalars(select(Annotation).where(Annotation.site_id == site_id).order_by(Annotation.id)))
        moves = list(
            session.scalars(select(StatusChange).where(StatusChange.site_id == site_id).order_by(StatusChange.id))
        )
        communities = session.execute(
            select(SiteCommunityLink, Community)
            .join(Community, Community.id == SiteCommunityLink.community_id)
            .where(SiteCommunityLink.site_id == site_id)
            .order_by(SiteCommunityLink.id)
        ).all()
        calls = session.execute(
            select(SiteFundingLink, FundingCall)
            .join(FundingCall, FundingCall.id == SiteFundingLink.funding_call_id)
            .where(SiteFundingLink.site_id == site_id)
            .order_by(SiteFundingLink.id)
        ).all()
        linked = {
            "annotation": [str(n.id) for n in notes],
            "site_community_link": [str(link.id) for link, _ in communities],
            "site_funding_link": [str(link.id) for link, _ in calls],
        }
        history = _history(session, site_id, linked, history_limit)
        people: set[int | None] = {m.actor_id for m in moves}
        people |= {n.author_id for n in notes}
        names = _names(session, people)
        return SiteCard(
            site=site,
            scores=scores,
            municipality_name=municipality,
            annotations=[(n, names.get(n.author_id, f"#{n.author_id}")) for n in notes],
            status_changes=[(m, names.get(m.actor_id, "system") if m.actor_id else "system") for m in moves],
            community_links=[(link, community) for link, community in communities],
            funding_links=[(link, call) for link, call in calls],
            history=history,
        )

    card: SiteCard = store.read(work)
    return card


def permissions(store: Store, user_id: int, site_id: str) -> dict[perm.Action, bool]:
    """Which card actions ``user_id`` may take on ``site_id`` now (role, scope, disabled flag).

    The same check the store makes before a write (:func:`gisplan.store.permissions.check`),
    used to decide which forms to show; the store still checks every write.
    """

    def work(session: Session) -> dict[perm.Action, bool]:
        tx = Tx(session, user_id, store.srid)
        actor = tx.load_actor()
        site = session.get(Site, site_id)
        if actor is None or site is None:
            return dict.fromkeys(CARD_ACTIONS, False)
        region, municipality = tx.site_place(site)
        return {a: perm.check(actor, a, region=region, municipality=municipality) is None for a in CARD_ACTIONS}

    allowed: dict[perm.Action, bool] = store.read(work)
    return allowed


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
        for prefix in (f"Profil {profile.name} nehodnotí", f"Profile {profile.name} does not score"):
            if text.startswith(prefix):
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
    share of 100 points, 0 for penalty lines) and ``effect``: ``raised``
    (normalised value at least 0.5), ``held_back`` (below 0.5) or ``lowered``
    (a penalty). The points add up to the score.
    """
    lines = [line for line in (score.breakdown or []) if isinstance(line, dict)]
    weights = sum(float(line.get("weight") or 0) for line in lines)
    rows = []
    for line in lines:
        points = float(line.get("contribution") or 0.0)
        weight = float(line.get("weight") or 0.0)
        normalised = line.get("normalised")
        if weight == 0:
            effect = "lowered" if points < 0 else "held_back"
        else:
            effect = "raised" if normalised is not None and float(normalised) >= 0.5 else "held_back"
        raw = line.get("raw")
        unit = str(line.get("unit") or "")
        rows.append(
            {
                "label": _criterion_label(str(line.get("criterion", "")), profile, lang),
                "raw": "" if raw is None else short(f"{_number(raw)} {unit}".strip(), 40),
                "points": round(points, 2),
                "possible": round(100.0 * weight / weights, 2) if weights and weight else 0.0,
                "effect": effect,
            }
        )
    return pd.DataFrame(rows, columns=["label", "raw", "points", "possible", "effect"])


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", " ")
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
                t("card.detail", lang): _change_summary(entry),
            }
        )
    return pd.DataFrame(
        rows, columns=[t("card.when", lang), t("card.who", lang), t("card.what", lang), t("card.detail", lang)]
    )


def _when(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _change_summary(entry: AuditEntry) -> str:
    if entry.outcome != "ok":
        return short(entry.detail, 200)
    before, after = entry.before or {}, entry.after or {}
    skip = {"version", "updated_at", "site_id"}
    changed = [k for k in after if k not in skip and before.get(k) != after.get(k)] if before else []
    if changed:
        return "; ".join(f"{k}: {short(before.get(k), 40)} → {short(after.get(k), 40)}" for k in changed)
    shown = {k: v for k, v in (after or before).items() if k not in skip and v not in (None, "", [])}
    return short("; ".join(f"{k}: {short(v, 60)}" for k, v in shown.items()) or entry.detail, 200)


def author_names(store: Store, ids: set[int | None]) -> dict[int, str]:
    """Display names of users by id."""
    names: dict[int, str] = store.read(lambda s: _names(s, ids))
    return names
