"""The Communities page: a municipality, MAS or energy community, its sites, potential, demand and funding.

Everyone who may log in reads it. Animators and admins create energy
communities and enter a community's yearly demand; the store checks every write
again (animators only inside their scope, only admins edit municipality and MAS
records). Planners, animators and admins download the SECAP-style export of a
municipality as CSV or XLSX; the store audits each download.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from gisplan._storeframes import StoreFrames
from gisplan.app import auth, shell
from gisplan.app.auth import SessionUser
from gisplan.app.charts_monitoring import profile_titles, status_chart, status_label
from gisplan.app.climate_forms import community_actions
from gisplan.app.community_sections import balance_section, poverty_section
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import fmt_number, t
from gisplan.app.tables import show_table
from gisplan.communities import CommunityReport, Demand, community_report
from gisplan.errors import ConflictError, GisplanError, PermissionDeniedError
from gisplan.secap import export_secap, secap_actions
from gisplan.store import Member, Role, Store

#: Community kinds in the order of the kind switch.
KINDS: tuple[str, ...] = ("municipality", "mas", "energy_community")
_KIND_KEY = "comm_kind"
_PICK_KEY = "comm_pick"
_CONFLICT = "comm_demand_conflict"
_SHOW_NEXT = "comm_show_next"  # (kind, id) to select on the next run, set before the widgets exist
#: Who sees the page: everyone who may log in.
ROLES: frozenset[Role] = frozenset(Role)
_WRITERS = frozenset({Role.ADMIN, Role.ANIMATOR})
_EXPORTERS = frozenset({Role.ADMIN, Role.ANIMATOR, Role.PLANNER})


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("comm.heading", lang))
    viewer = auth.require_role(ROLES, lang)
    store = auth.get_store()
    frames = StoreFrames(store)
    if _SHOW_NEXT in st.session_state:
        st.session_state[_KIND_KEY], st.session_state[_PICK_KEY] = st.session_state.pop(_SHOW_NEXT)
    kind = st.radio(
        t("comm.kind", lang),
        options=list(KINDS),
        format_func=lambda k: t(f"comm.kind_{k}", lang),
        horizontal=True,
        key=_KIND_KEY,
    )
    communities = frames.communities(kind)
    if communities.empty:
        st.info(t("comm.none", lang))
    else:
        community_id = _pick(communities, viewer, lang)
        try:
            report = community_report(store, community_id)
        except GisplanError as exc:
            st.error(str(exc))
            return
        show_report(report, lang)
        balance_section(store, report, lang)
        poverty_section(store, report, lang)
        if report.community["kind"] == "municipality" and report.community.get("code"):
            community_actions(store, viewer, str(report.community["code"]), lang)
        if viewer.role in _WRITERS:
            _demand_form(store, viewer, report, lang)
        _secap_section(store, viewer, report, lang)
    if viewer.role in _WRITERS:
        _create_form(store, viewer, frames.communities("municipality"), lang)


def _pick(communities: pd.DataFrame, viewer: SessionUser, lang: str) -> int:
    """The community chosen in the select box; a municipality user starts at their municipality."""
    ids = [int(i) for i in communities["community_id"]]
    names = dict(zip(ids, communities["name"].astype(str), strict=True))
    codes = dict(zip(ids, communities["code"], strict=True))
    own = [i for i in ids if codes.get(i) is not None and str(codes[i]) in viewer.scope.municipalities]
    if st.session_state.get(_PICK_KEY) not in ids:
        st.session_state[_PICK_KEY] = own[0] if own else ids[0]

    def label(i: int) -> str:
        code = codes.get(i)
        return f"{names[i]} ({code})" if code is not None and not pd.isna(code) else names[i]

    return int(st.selectbox(t("comm.pick", lang), options=ids, format_func=label, key=_PICK_KEY))


# ------------------------------------------------------------------------------------------ report
def _number(value: Any, lang: str, digits: int = 1) -> str:
    return fmt_number(value, lang, digits) or "–"


def demand_basis(basis: str, lang: str) -> str:
    """The library's demand basis ('entered', 'estimated from 120 households') in ``lang``."""
    if basis == "entered":
        return t("comm.demand_entered", lang)
    found = re.match(r"estimated from ([\d,]+) (households|inhabitants)", basis)
    if found is None:
        return basis
    count = fmt_number(int(found.group(1).replace(",", "")), lang)
    return t(f"comm.demand_from_{found.group(2)}", lang, count=count)


def demand_caption(demand: Demand, lang: str) -> str:
    """Where a demand comes from, in ``lang``: entered, measured (year, source), mixed or estimated."""
    if demand.source in {"measured", "mixed"}:
        return t(f"comm.demand_{demand.source}", lang, year=demand.year or "–", source=demand.data_source)
    return demand_basis(demand.basis, lang)


def potential_table(report: CommunityReport, lang: str, profile_titles: dict[str, str]) -> pd.DataFrame:
    """Potential per profile with coverage of the demand [%], columns titled in ``lang``."""
    potential = report.potential
    return pd.DataFrame(
        {
            t("chart.profile", lang): [profile_titles.get(str(p), str(p)) for p in potential["profile"]],
            t("chart.sites", lang): potential["sites"].astype(int),
            t("chart.capacity_mwp", lang): potential["capacity_mwp"].astype(float).round(2),
            t("chart.energy_mwh_yr", lang): potential["energy_mwh_yr"].astype(float).round(0),
            t("chart.co2_t_yr", lang): potential["co2_t_yr"].astype(float).round(0),
            t("comm.coverage", lang): (potential["coverage"].astype(float) * 100).round(0),
        }
    )


def show_report(report: CommunityReport, lang: str) -> None:
    """Draw a community's report: members, potential and demand, sites by status, funding, sites."""
    community = report.community
    st.subheader(escape_markdown(community["name"]))
    facts = [t(f"comm.kind_{community['kind']}", lang)]
    if community.get("code") is not None and not pd.isna(community["code"]):
        facts.append(t("comm.code", lang, code=community["code"]))
    if community.get("population") is not None and not pd.isna(community["population"]):
        facts.append(t("comm.population", lang, count=_number(community["population"], lang, 0)))
    households = (community.get("attributes") or {}).get("households")
    if households is not None:
        facts.append(t("comm.households", lang, count=_number(households, lang, 0)))
    st.caption(" · ".join(escape_markdown(f) for f in facts))
    if len(report.members):
        with st.expander(t("comm.members", lang, count=len(report.members))):
            show_table(
                _members_table(report.members, lang), hide_index=True, width="stretch", download="community_members"
            )

    st.markdown(f"#### {t('comm.potential', lang)}")
    columns = st.columns(3)
    live = report.sites[report.sites["status"] != "rejected"]
    columns[0].metric(t("comm.sites_live", lang), len(live))
    if report.demand is not None:
        columns[1].metric(t("comm.demand", lang), _number(report.demand.mwh_yr, lang, 0))
        columns[1].caption(escape_markdown(demand_caption(report.demand, lang)))
    else:
        columns[1].metric(t("comm.demand", lang), "–")
        columns[1].caption(t("comm.demand_unknown", lang))
    if report.potential.empty:
        st.info(t("comm.no_potential", lang))
    else:
        best = report.potential["energy_mwh_yr"].astype(float).max()
        columns[2].metric(t("comm.best_output", lang), _number(best, lang, 0))
        show_table(potential_table(report, lang, profile_titles(lang)), hide_index=True, width="stretch")
        st.caption(t("comm.potential_note", lang))

    st.markdown(f"#### {t('comm.by_status', lang)}")
    left, right = st.columns([3, 2])
    left.altair_chart(status_chart(report.by_status, lang), width="stretch")
    show_table(
        pd.DataFrame(
            {
                t("chart.status", lang): [status_label(s, lang) for s in report.by_status["status"]],
                t("chart.sites", lang): report.by_status["sites"],
            }
        ),
        hide_index=True,
        width="stretch",
        container=right,
    )

    st.markdown(f"#### {t('comm.funding', lang)}")
    if report.funding.empty:
        st.info(t("comm.no_funding", lang))
    else:
        show_table(_funding_table(report.funding, lang), hide_index=True, width="stretch", download="community_funding")

    with st.expander(t("comm.site_list", lang, count=len(report.sites))):
        show_table(
            _sites_table(report.sites, lang, report.measured.sites),
            hide_index=True,
            width="stretch",
            download="community_sites",
        )


def _members_table(members: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col.name", lang): members["name"].astype(str),
            t("comm.municipality_code", lang): members["municipality_code"].fillna(""),
            t("comm.role", lang): members["role"].fillna(""),
        }
    )


def _funding_table(funding: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("fund.call", lang): funding["call_code"].astype(str),
            t("col.name", lang): funding["call_name"].astype(str),
            t("fund.programme", lang): funding["programme"].astype(str),
            t("verdict.eligible", lang): funding["eligible"].astype(int),
            t("verdict.unknown", lang): funding["unknown"].astype(int),
            t("verdict.not_eligible", lang): funding["not_eligible"].astype(int),
        }
    )


def _sites_table(sites: pd.DataFrame, lang: str, measured: pd.DataFrame | None = None) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            t("col.site_id", lang): sites["site_id"].astype(str),
            t("col.name", lang): sites["name"].astype(str),
            t("col.kind", lang): [t(f"kind.{k}", lang) for k in sites["kind"]],
            t("chart.status", lang): [status_label(s, lang) for s in sites["status"]],
            t("col.municipality", lang): sites["municipality_code"].fillna(""),
        }
    )
    if measured is not None and len(measured):  # a building's own meter readings, where loaded
        known = measured.reindex(sites["site_id"].astype(str))
        table[t("comm.measured_mwh_yr", lang)] = known["mwh_yr"].astype(float).to_numpy()
        table[t("comm.measured_year", lang)] = known["year"].astype("Int64").to_numpy()
    return table


# ------------------------------------------------------------------------------------------ demand
def _demand_form(store: Store, viewer: SessionUser, report: CommunityReport, lang: str) -> None:
    community = report.community
    # only admins edit municipality and MAS records; the store refuses the rest anyway
    if community["kind"] != "energy_community" and viewer.role != Role.ADMIN:
        return
    attributes = dict(community.get("attributes") or {})
    with st.expander(t("comm.demand_form", lang)), st.form(f"comm_demand_{community['community_id']}"):
        entered = st.number_input(
            t("comm.demand_entered_input", lang),
            min_value=0.0,
            value=float(attributes.get("demand_mwh_yr") or 0.0),
            step=10.0,
        )
        households = st.number_input(
            t("comm.households_input", lang), min_value=0, value=int(attributes.get("households") or 0), step=1
        )
        if not st.form_submit_button(t("comm.save", lang)):
            _show_conflict(lang)
            return
    wanted = dict(attributes)
    for key, value in (("demand_mwh_yr", float(entered)), ("households", int(households))):
        if value:
            wanted[key] = value
        else:
            wanted.pop(key, None)
    save_attributes(store, viewer, int(community["community_id"]), wanted, lang)


def save_attributes(
    store: Store, viewer: SessionUser, community_id: int, attributes: dict[str, Any], lang: str
) -> bool:
    """Save a community's attributes with the version read now; show the outcome; True when saved."""
    version = next((c.version for c in store.communities() if c.id == community_id), None)
    if version is None:
        st.error(t("comm.gone", lang))
        return False
    try:
        store.update_community(viewer.id, community_id, expected_version=version, attributes=attributes)
    except PermissionDeniedError as exc:
        st.error(t("comm.denied", lang, reason=str(exc)))
        return False
    except ConflictError as exc:
        st.session_state[_CONFLICT] = {"mine": exc.mine, "theirs": exc.theirs}
        _show_conflict(lang)
        return False
    st.success(t("comm.saved", lang))
    return True


def _show_conflict(lang: str) -> None:
    conflict = st.session_state.get(_CONFLICT)
    if not conflict:
        return
    st.warning(t("comm.conflict", lang))
    mine, theirs = st.columns(2)
    mine.caption(t("conflict.mine", lang))
    mine.json(conflict["mine"])
    theirs.caption(t("conflict.theirs", lang))
    theirs.json(conflict["theirs"])


# ------------------------------------------------------------------------------------------ create
def _create_form(store: Store, viewer: SessionUser, municipalities: pd.DataFrame, lang: str) -> None:
    codes = [str(c) for c in municipalities["code"].dropna()]
    names = dict(zip(municipalities["code"].astype(str), municipalities["name"].astype(str), strict=True))
    regions = dict(zip(municipalities["code"].astype(str), municipalities["region_code"], strict=True))
    with st.expander(t("comm.create", lang)), st.form("comm_create", clear_on_submit=False):
        name = st.text_input(t("comm.name", lang), max_chars=300)
        members = st.multiselect(
            t("comm.member_municipalities", lang), options=codes, format_func=lambda c: f"{names.get(c, c)} ({c})"
        )
        organisations = st.text_area(t("comm.organisations", lang), help=t("comm.organisations_help", lang))
        households = st.number_input(t("comm.households_input", lang), min_value=0, value=0, step=1)
        if not st.form_submit_button(t("comm.create_button", lang)):
            return
    created = create_energy_community(
        store,
        viewer,
        name=name,
        municipality_codes=members,
        municipality_names=names,
        region_codes=regions,
        organisations=[line.strip() for line in organisations.splitlines() if line.strip()],
        households=int(households),
        lang=lang,
    )
    if created is not None:
        st.session_state[_SHOW_NEXT] = ("energy_community", created)
        st.rerun()


def energy_community_problems(
    name: str, municipality_codes: list[str], organisations: list[str], lang: str
) -> list[str]:
    """Every problem of a new energy community's form, in ``lang``."""
    problems = []
    if not name.strip():
        problems.append(t("comm.problem_name", lang))
    if not municipality_codes and not organisations:
        problems.append(t("comm.problem_members", lang))
    return problems


def create_energy_community(
    store: Store,
    viewer: SessionUser,
    *,
    name: str,
    municipality_codes: list[str],
    municipality_names: dict[str, str],
    region_codes: dict[str, Any],
    organisations: list[str],
    households: int,
    lang: str,
) -> int | None:
    """Create the energy community of the form; show every problem or the refusal; return its id."""
    problems = energy_community_problems(name, municipality_codes, organisations, lang)
    if problems:
        st.error("\n".join(f"- {p}" for p in problems))  # interface texts, not user input
        return None
    seat = municipality_codes[0] if municipality_codes else None
    region = region_codes.get(seat) if seat else None
    members = [
        Member(municipality_names.get(c, c), municipality_code=c, role="municipality") for c in municipality_codes
    ]
    members += [Member(org, role="organisation") for org in organisations]
    try:
        community = store.add_community(
            viewer.id,
            "energy_community",
            name.strip(),
            region_code=None if region is None or pd.isna(region) else str(region),
            municipality_code=seat,
            members=members,
            attributes={"households": households} if households else {},
        )
    except PermissionDeniedError as exc:
        st.error(t("comm.denied", lang, reason=str(exc)))
        return None
    except GisplanError as exc:
        st.error(str(exc))
        return None
    return int(community.id)


# ------------------------------------------------------------------------------------------ SECAP
def secap_bytes(store: Store, actor_id: int, municipality_code: str, fmt: str) -> bytes:
    """The SECAP export of a municipality as CSV or XLSX bytes; the store checks and audits the export.

    Raises
    ------
    PermissionDeniedError
        If the user may not export (municipality users, disabled users).
    """
    with tempfile.TemporaryDirectory(prefix="gisplan-secap-") as folder:
        return export_secap(store, actor_id, municipality_code, Path(folder) / f"secap.{fmt}").read_bytes()


def _deferred(store: Store, actor_id: int, code: str, fmt: str) -> Callable[[], bytes]:
    return lambda: secap_bytes(store, actor_id, code, fmt)


def _secap_section(store: Store, viewer: SessionUser, report: CommunityReport, lang: str) -> None:
    community = report.community
    if community["kind"] == "municipality":
        codes = [str(community["code"])] if community.get("code") else []
    else:
        codes = sorted({str(c) for c in report.members["municipality_code"].dropna()})
    st.markdown(f"#### {t('comm.secap', lang)}")
    if not codes:
        st.info(t("comm.secap_none", lang))
        return
    code = codes[0] if len(codes) == 1 else st.selectbox(t("comm.secap_municipality", lang), codes)
    try:
        actions = secap_actions(store, code)
    except GisplanError as exc:
        st.info(str(exc))
        return
    st.caption(t("comm.secap_rows", lang, count=len(actions)))
    if viewer.role not in _EXPORTERS:
        st.info(t("comm.secap_denied", lang))
        return
    left, right = st.columns(2)
    left.download_button(
        t("comm.secap_csv", lang),
        data=_deferred(store, viewer.id, code, "csv"),
        file_name=f"secap_{code}.csv",
        mime="text/csv",
        key=f"secap_csv_{code}",
        on_click="ignore",
    )
    right.download_button(
        t("comm.secap_xlsx", lang),
        data=_deferred(store, viewer.id, code, "xlsx"),
        file_name=f"secap_{code}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"secap_xlsx_{code}",
        on_click="ignore",
    )
