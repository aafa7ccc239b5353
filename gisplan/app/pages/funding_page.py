"""The Funding calls page: the catalogue with filters, each call's facts, sources and matched sites.

Everyone who may log in reads it. Admins edit a call in a form: the edit is
validated (every problem shown), saved with history through
:func:`gisplan.funding.save_calls` (only that call's lines of the YAML are
rewritten, see :func:`gisplan.funding.replace_call`) and synced into the
store. A save is refused when the catalogue changed since the editor opened
it; both versions of the call are then shown and the admin keeps theirs or
takes the other. The store checks the admin role (and audits the attempt)
before the file is touched, so a forged form from another role is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote, urlsplit

import pandas as pd
import streamlit as st
import yaml
from pydantic import ValidationError

from gisplan import funding
from gisplan.app import auth, fundingmatrix, shell
from gisplan.app.auth import SessionUser
from gisplan.app.escape import escape_markdown
from gisplan.app.fundingform import RuleInput, apply_rule_inputs, rule_inputs
from gisplan.app.i18n import fmt_date, fmt_number, t
from gisplan.app.tables import show_table
from gisplan.catalogue import SITE_KINDS
from gisplan.errors import ConfigError, ConflictError, GisplanError, PermissionDeniedError
from gisplan.funding import FundingCall, FundingCatalogue
from gisplan.store import Action, Role, Store
from gisplan.texts import has_text

#: Who sees the page: everyone who may log in; only admins edit.
ROLES: frozenset[Role] = frozenset(Role)
STATES: tuple[str, ...] = ("open", "upcoming", "unknown", "closed")
_PICK_KEY = "fund_pick"
_OPENED = "fund_opened_hash"
_CONFLICT = "fund_conflict"
_ANY = "any"


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("fund.heading", lang))
    viewer = auth.require_role(ROLES, lang)
    try:
        catalogue = funding.load_calls()
    except ConfigError as exc:
        st.error(t("fund.catalogue_failed", lang))
        st.code("\n".join(str(p) for p in exc.problems) or str(exc), language=None)
        return
    today = dt.date.today()
    calls = _filters(catalogue, today, lang)
    show_table(
        calls_table(calls, today, lang),
        hide_index=True,
        width="stretch",
        column_config=_link_config(lang),
        download="funding_calls",
    )
    if not calls:
        st.info(t("fund.none", lang))
        return
    ids = [c.id for c in calls]
    if st.session_state.get(_PICK_KEY) not in ids:
        st.session_state[_PICK_KEY] = ids[0]
    titles = {c.id: c.title.get(lang) for c in calls}
    chosen = st.selectbox(t("fund.pick", lang), ids, format_func=lambda i: titles[i], key=_PICK_KEY)
    call = catalogue[chosen]
    show_call(call, today, lang)
    store = auth.get_store()
    _matched_sites(store, call, lang)
    fundingmatrix.render(store, viewer, lang)
    if viewer.role == Role.ADMIN:
        _editor(store, viewer, call, lang)
        _history(lang)


# ------------------------------------------------------------------------------------------ list
def call_state(call: FundingCall, today: dt.date) -> str:
    """open | upcoming | closed | unknown on ``today``."""
    return str(funding.call_state(call, today))


def accepts_kind(call: FundingCall, kind: str) -> bool:
    """True unless the call lists site kinds and ``kind`` is surely not among them."""
    kinds = call.site_kinds
    if isinstance(kinds, str):
        return True  # any / unknown
    return kind in kinds or "others" in kinds


def filter_calls(
    catalogue: FundingCatalogue, today: dt.date, *, states: list[str], programmes: list[str], kind: str
) -> list[FundingCall]:
    """The calls in one of ``states``, of one of ``programmes`` (all when empty), that may fit ``kind``."""
    return [
        call
        for call in catalogue.calls.values()
        if call_state(call, today) in states
        and (not programmes or call.programme in programmes)
        and (kind == _ANY or accepts_kind(call, kind))
    ]


def _filters(catalogue: FundingCatalogue, today: dt.date, lang: str) -> list[FundingCall]:
    left, middle, right = st.columns(3)
    states = left.multiselect(
        t("fund.state", lang),
        options=list(STATES),
        default=list(STATES),
        format_func=lambda s: t(f"fund.state_{s}", lang),
        key="fund_states",
    )
    programmes = middle.multiselect(
        t("fund.programme", lang),
        options=sorted({c.programme for c in catalogue.calls.values()}),
        key="fund_programmes",
    )
    kind = right.selectbox(
        t("col.kind", lang),
        options=[_ANY, *SITE_KINDS],
        format_func=lambda k: t("fund.any_kind", lang) if k == _ANY else t(f"kind.{k}", lang),
        key="fund_kind",
    )
    return filter_calls(catalogue, today, states=states, programmes=programmes, kind=kind)


def safe_url(url: str) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host and no spaces or control characters, else None."""
    if not isinstance(url, str) or re.search(r"[\s\x00-\x1f\x7f]", url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def markdown_link(url: str) -> str:
    """A markdown link to a checked http(s) URL whose text is the URL, shown as typed; '' if not allowed."""
    checked = safe_url(url)
    if checked is None:
        return ""
    target = quote(checked, safe=":/?#[]@!$&'*+,;=%-._~")  # parentheses and <> are percent-encoded
    return f"[{escape_markdown(checked)}](<{target}>)"


def _money(value: float | None, lang: str) -> str:
    return "" if value is None else fmt_number(value, lang)


def _kinds(call: FundingCall, lang: str) -> str:
    if isinstance(call.site_kinds, str):
        return t(f"fund.{call.site_kinds}", lang)
    return ", ".join(t(f"kind.{k}", lang) if k in SITE_KINDS else t("fund.others", lang) for k in call.site_kinds)


def calls_table(calls: list[FundingCall], today: dt.date, lang: str) -> pd.DataFrame:
    """One row per call; the source is a link column (http(s) only)."""
    return pd.DataFrame(
        {
            t("fund.title", lang): [c.title.get(lang) for c in calls],
            t("fund.programme", lang): [c.programme for c in calls],
            t("fund.state", lang): [t(f"fund.state_{call_state(c, today)}", lang) for c in calls],
            t("fund.close", lang): [c.intake.close.isoformat() if c.intake.close else "" for c in calls],
            t("fund.allocation", lang): [_money(c.allocation_czk, lang) for c in calls],
            t("fund.aid_rate", lang): [c.max_aid_rate_pct for c in calls],
            t("fund.site_kinds", lang): [_kinds(c, lang) for c in calls],
            t("fund.source", lang): [safe_url(c.url) for c in calls],
        },
        columns=[
            t(f"fund.{k}", lang)
            for k in ("title", "programme", "state", "close", "allocation", "aid_rate", "site_kinds", "source")
        ],
    )


def _link_config(lang: str) -> dict[str, Any]:
    return {t("fund.source", lang): st.column_config.LinkColumn(display_text=r"https?://([^/]+).*")}


# ------------------------------------------------------------------------------------------ one call
def _vocabulary(values: list[str] | str, lang: str, group: str) -> str:
    if isinstance(values, str):
        return t(f"fund.{values}", lang)
    return ", ".join(t("fund.others", lang) if v == "others" else t(f"{group}.{v}", lang) for v in values)


def _limit(value: Any, unit: str, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    low = "" if value.min is None else f"≥ {_money(value.min, lang)}"
    high = "" if value.max is None else f"≤ {_money(value.max, lang)}"
    return f"{' '.join(p for p in (low, high) if p)} {unit}"


def _territory(call: FundingCall, lang: str) -> str:
    territory = call.territory
    if isinstance(territory, str):
        return t("fund.unknown", lang)
    if territory.national:
        return t("fund.national", lang)
    parts = [funding.region_name(r) for r in territory.regions]
    parts += territory.districts + territory.municipalities + [f"MAS {m}" for m in territory.mas]
    text = ", ".join(parts)
    if territory.partial:
        text += f" ({t('fund.partial', lang)})"
    if territory.note:
        text += f" – {territory.note}"
    return text


def call_facts(call: FundingCall, today: dt.date, lang: str) -> pd.DataFrame:
    """The call's facts as (label, value) rows of plain text."""
    rows = [
        ("fund.call", call.id),
        ("fund.programme", call.programme),
        ("fund.provider", call.provider),
        ("fund.state", t(f"fund.state_{call_state(call, today)}", lang)),
        ("fund.open", fmt_date(call.intake.open, lang)),
        ("fund.close", fmt_date(call.intake.close, lang)),
        ("fund.allocation", _money(call.allocation_czk, lang)),
        ("fund.aid_rate", "" if call.max_aid_rate_pct is None else f"{call.max_aid_rate_pct:g} %"),
        ("fund.applicants", _vocabulary(call.applicants, lang, "applicant")),
        ("fund.site_kinds", _kinds(call, lang)),
        ("fund.uses", _vocabulary(call.uses, lang, "use")),
        ("fund.territory", _territory(call, lang)),
        ("fund.limit_capacity", _limit(call.limits.capacity_kwp, "kWp", lang)),
        ("fund.limit_area", _limit(call.limits.area_ha, "ha", lang)),
        ("fund.limit_population", _limit(call.limits.population, t("fund.inhabitants", lang), lang)),
        ("fund.source_date", call.source_date),
    ]
    return pd.DataFrame(
        [{t("fund.fact", lang): t(key, lang), " ": value} for key, value in rows if value not in ("", None)]
    )


def show_call(call: FundingCall, today: dt.date, lang: str) -> None:
    """Draw one call: title, facts, notes (as text) and source links (http(s) only)."""
    st.subheader(escape_markdown(call.title.get(lang)))
    if call_state(call, today) == "closed":
        st.warning(t("fund.closed_warning", lang, date=fmt_date(call.intake.close, lang)))
    show_table(call_facts(call, today, lang), hide_index=True, width="stretch")
    if call.notes:
        st.caption(t("fund.notes", lang))
        st.text(call.notes)
    links = [markdown_link(url) for url in call.all_sources()]
    st.markdown(f"**{t('fund.sources', lang)}**\n\n" + "\n".join(f"- {link}" for link in links if link))


def _matched_sites(store: Store, call: FundingCall, lang: str) -> None:
    st.markdown(f"#### {t('fund.matched', lang)}")
    sites = funding.call_sites(store, call.id)
    if sites.empty:
        st.info(t("fund.no_matches", lang))
        return
    table = pd.DataFrame(
        {
            t("col.site_id", lang): sites["site_id"],
            t("col.name", lang): sites["name"].astype(str),
            t("col.kind", lang): [t(f"kind.{k}", lang) for k in sites["kind"]],
            t("col.municipality", lang): sites["municipality_code"].fillna(""),
            t("fund.verdict", lang): [t(f"verdict.{v}", lang) for v in sites["verdict"]],
            t("fund.reasons", lang): [funding.reasons_text(str(r), lang) for r in sites["reasons"]],
        }
    )
    show_table(table, hide_index=True, width="stretch")


# ------------------------------------------------------------------------------------------ editing
def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n;]", text) if part.strip()]


def _form_data(call: FundingCall, values: dict[str, Any]) -> dict[str, Any]:
    """The call's plain data with the form's values on top."""
    data = funding.call_to_data(call)
    data.update(
        {
            "programme": values["programme"].strip(),
            # the form edits Czech and English; a Polish, Hungarian or Danish title in the file is kept
            "title": {**data.get("title", {}), "cs": values["title_cs"].strip(), "en": values["title_en"].strip()},
            "provider": values["provider"].strip(),
            "url": values["url"].strip(),
            "sources": _split(values["sources"]),
            "source_date": values["source_date"].strip(),
            "intake": {k: v for k, v in (("open", values["open"]), ("close", values["close"])) if v},
            "allocation_czk": values["allocation"] or None,
            "max_aid_rate_pct": values["aid_rate"] or None,
            "applicants": values["applicants"] or "unknown",
            "site_kinds": values["site_kinds"] or "unknown",
            "uses": values["uses"] or "unknown",
            "notes": values["notes"].strip() or None,
        }
    )
    data["limits"] = data.get("limits") or {}
    apply_rule_inputs(data, values, rule_inputs(call))  # the limits and added rules, generated from the registry
    data["territory"] = _form_territory(call, values)
    return {k: v for k, v in data.items() if v is not None}


def _form_territory(call: FundingCall, values: dict[str, Any]) -> dict[str, Any] | str:
    old = call.territory
    kept = {} if isinstance(old, str) else old.model_dump(include={"mas", "partial", "also_elsewhere", "note"})
    if values["national"]:
        return {"national": True}
    listed = {
        "regions": list(values["regions"]),
        "districts": _split(values["districts"]),
        "municipalities": _split(values["municipalities"]),
        "mas": kept.pop("mas", []),
    }
    if not any(listed.values()):
        return "unknown"
    return {k: v for k, v in (listed | kept).items() if v not in ([], False, None)}


def edited_call(call: FundingCall, values: dict[str, Any]) -> tuple[FundingCall | None, list[str]]:
    """Validate the form's values as a call; return it or every problem ('field: message')."""
    try:
        return FundingCall.model_validate(_form_data(call, values)), []
    except ValidationError as exc:
        return None, [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]


def save_call(store: Store, viewer: SessionUser, call: FundingCall, *, expected_hash: str, comment: str) -> None:
    """Check the admin role in the store (audited), then save the catalogue with ``call`` replaced, and sync it.

    Raises
    ------
    PermissionDeniedError
        If the user may not edit funding calls; nothing is written.
    ConflictError
        If the catalogue changed since ``expected_hash``; nothing is written.
    ConfigError
        If the new catalogue is invalid.
    """

    def check(tx: Any) -> None:
        tx.require(Action.FUNDING_CALL_WRITE, "funding_call", call.id)
        tx.audit("funding_call.catalogue_edit", "funding_call", call.id, detail=comment)

    store.transaction(viewer.id, check)
    text, _ = funding.current_text()
    funding.save_calls(
        funding.replace_call(text, call), author=viewer.username, comment=comment, expected_hash=expected_hash
    )
    funding.sync_calls(store, viewer.id, funding.load_calls())


def _call_yaml(call: FundingCall | None) -> str:
    if call is None:
        return ""
    return yaml.safe_dump(funding.call_to_data(call), sort_keys=False, allow_unicode=True, width=100)


def _editor(store: Store, viewer: SessionUser, call: FundingCall, lang: str) -> None:
    st.markdown(f"#### {t('fund.edit', lang)}")
    opened = st.session_state.setdefault(_OPENED, {})
    if call.id not in opened:
        opened[call.id] = funding.current_text()[1]
    conflict = st.session_state.get(_CONFLICT)
    if conflict and conflict["id"] == call.id:
        _resolve_conflict(store, viewer, conflict, lang)
        return
    with st.form(f"fund_edit_{call.id}"):
        values = _form_fields(call, lang)
        comment = st.text_input(t("fund.comment", lang), key=f"fund_comment_{call.id}")
        submitted = st.form_submit_button(t("fund.save", lang), type="primary")
    if not submitted:
        return
    new, problems = edited_call(call, values)
    if new is None:
        st.error(t("fund.invalid", lang, count=len(problems)))
        st.code("\n".join(problems), language=None)
        return
    _try_save(store, viewer, new, expected=opened[call.id], comment=comment, lang=lang)


def _try_save(store: Store, viewer: SessionUser, new: FundingCall, *, expected: str, comment: str, lang: str) -> None:
    try:
        save_call(store, viewer, new, expected_hash=expected, comment=comment)
    except PermissionDeniedError as exc:
        st.error(t("fund.denied", lang, reason=str(exc)))
    except ConflictError:
        theirs = funding.load_calls().calls.get(new.id)
        st.session_state[_CONFLICT] = {"id": new.id, "mine": new, "theirs": theirs, "comment": comment}
        st.rerun()
    except ConfigError as exc:
        st.error(t("fund.invalid", lang, count=len(exc.problems)))
        st.code("\n".join(str(p) for p in exc.problems), language=None)
    except GisplanError as exc:
        st.error(str(exc))
    else:
        st.session_state[_OPENED].pop(new.id, None)
        st.success(t("fund.saved", lang))


def _resolve_conflict(store: Store, viewer: SessionUser, conflict: dict[str, Any], lang: str) -> None:
    st.warning(t("fund.conflict", lang))
    mine, theirs = st.columns(2)
    mine.caption(t("conflict.mine", lang))
    mine.code(_call_yaml(conflict["mine"]), language="yaml")
    theirs.caption(t("conflict.theirs", lang))
    theirs.code(_call_yaml(conflict["theirs"]), language="yaml")
    keep, take = st.columns(2)
    if keep.button(t("conflict.keep_mine", lang), key="fund_keep_mine"):
        st.session_state.pop(_CONFLICT, None)
        _try_save(
            store, viewer, conflict["mine"], expected=funding.current_text()[1], comment=conflict["comment"], lang=lang
        )
    if take.button(t("conflict.take_theirs", lang), key="fund_take_theirs"):
        st.session_state.pop(_CONFLICT, None)
        st.session_state[_OPENED].pop(conflict["id"], None)
        prefix = f"fund_{conflict['id']}_"  # the form's widgets start again from the saved call
        for key in [k for k in st.session_state if str(k).startswith(prefix)]:
            del st.session_state[key]
        st.rerun()


def _rule_input(item: RuleInput, column: Any, lang: str, key: str) -> Any:
    label = t(item.label_key, lang) if item.label_key and has_text(item.label_key) else item.label
    if item.widget in ("range", "number"):
        low = 0.0 if item.widget == "range" else None
        return column.number_input(label, min_value=low, value=item.value, key=key + item.name)
    if item.widget == "checkbox":
        return column.checkbox(label, value=item.value, key=key + item.name)
    return column.text_input(label, item.value, key=key + item.name)


def _rule_fields(call: FundingCall, lang: str, key: str) -> dict[str, Any]:
    """The inputs of every rule the registry shows in the form: mins on the left, maxes on the right."""
    left, right = st.columns(2)
    values: dict[str, Any] = {}
    for i, item in enumerate(rule_inputs(call)):
        column = right if item.part == "max" or (item.part is None and i % 2) else left
        values[item.name] = _rule_input(item, column, lang, key)
    return values


def _form_fields(call: FundingCall, lang: str) -> dict[str, Any]:
    key = f"fund_{call.id}_"
    left, right = st.columns(2)
    values: dict[str, Any] = {
        "title_cs": left.text_input(t("fund.title_cs", lang), call.title.cs, key=key + "title_cs"),
        "title_en": right.text_input(t("fund.title_en", lang), call.title.en, key=key + "title_en"),
        "programme": left.text_input(t("fund.programme", lang), call.programme, key=key + "programme"),
        "provider": right.text_input(t("fund.provider", lang), call.provider, key=key + "provider"),
        "url": left.text_input(t("fund.url", lang), call.url, key=key + "url"),
        "source_date": right.text_input(t("fund.source_date", lang), call.source_date, key=key + "source_date"),
        "sources": st.text_area(t("fund.more_sources", lang), "\n".join(call.sources), key=key + "sources"),
        "open": left.date_input(t("fund.open", lang), call.intake.open, key=key + "open", format="YYYY-MM-DD"),
        "close": right.date_input(t("fund.close", lang), call.intake.close, key=key + "close", format="YYYY-MM-DD"),
        "allocation": left.number_input(
            t("fund.allocation", lang), min_value=0.0, value=float(call.allocation_czk or 0), key=key + "allocation"
        ),
        "aid_rate": right.number_input(
            t("fund.aid_rate", lang),
            min_value=0.0,
            max_value=100.0,
            value=float(call.max_aid_rate_pct or 0),
            key=key + "aid_rate",
        ),
        "applicants": st.multiselect(
            t("fund.applicants", lang),
            options=[*funding.APPLICANT_TYPES, "others"],
            default=[] if isinstance(call.applicants, str) else call.applicants,
            format_func=lambda v: t("fund.others", lang) if v == "others" else t(f"applicant.{v}", lang),
            key=key + "applicants",
        ),
        "site_kinds": st.multiselect(
            t("fund.site_kinds", lang),
            options=[*SITE_KINDS, "others"],
            default=[] if isinstance(call.site_kinds, str) else call.site_kinds,
            format_func=lambda v: t("fund.others", lang) if v == "others" else t(f"kind.{v}", lang),
            key=key + "site_kinds",
        ),
        "uses": st.multiselect(
            t("fund.uses", lang),
            options=[*funding.USES, "others"],
            default=[] if isinstance(call.uses, str) else call.uses,
            format_func=lambda v: t("fund.others", lang) if v == "others" else t(f"use.{v}", lang),
            key=key + "uses",
        ),
        "national": st.checkbox(
            t("fund.national", lang),
            value=not isinstance(call.territory, str) and call.territory.national,
            key=key + "national",
        ),
        "regions": st.multiselect(
            t("fund.regions", lang),
            options=list(funding.REGIONS),
            default=[] if isinstance(call.territory, str) else call.territory.regions,
            format_func=lambda c: f"{funding.region_name(c)} ({c})",
            key=key + "regions",
        ),
        "districts": left.text_input(
            t("fund.districts", lang),
            "" if isinstance(call.territory, str) else ", ".join(call.territory.districts),
            key=key + "districts",
        ),
        "municipalities": right.text_input(
            t("fund.municipalities", lang),
            "" if isinstance(call.territory, str) else ", ".join(call.territory.municipalities),
            key=key + "municipalities",
        ),
    }
    values |= _rule_fields(call, lang, key)
    values["notes"] = st.text_area(t("fund.notes", lang), call.notes or "", key=key + "notes")
    st.caption(t("fund.edit_hint", lang))
    return values


def _history(lang: str) -> None:
    versions = funding.history()
    with st.expander(t("fund.history", lang, count=len(versions))):
        if not versions:
            st.caption(t("fund.history_none", lang))
            return
        show_table(
            pd.DataFrame(
                {
                    t("fund.saved_at", lang): [v.saved_at.strftime("%Y-%m-%d %H:%M") for v in versions],
                    t("fund.author", lang): [v.author for v in versions],
                    t("fund.comment", lang): [v.comment for v in versions],
                    t("fund.calls", lang): [v.calls for v in versions],
                }
            ),
            hide_index=True,
            width="stretch",
        )
