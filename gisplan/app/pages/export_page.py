"""The Shortlist & export page: planners gather sites into named shortlists and download them.

Shortlists are built by workflow status, by filters (kind, municipality, minimum
score) or by hand, and exported as a GeoPackage for QGIS, CSV (gisplan, UK
register or Czech register columns), XLSX, and one-page site dossiers (PDF or
HTML). Each download reads a fresh consistent snapshot when it is clicked
(deferred ``st.download_button`` data), so nothing is built on a rerun and every
export is checked and audited by the store. The GeoPackage is written to a
temporary file (GDAL cannot write several layers into memory) and handed over as
bytes.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from gisplan import export
from gisplan.app import auth, shell
from gisplan.app.auth import SessionUser
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import t
from gisplan.app.tables import show_table
from gisplan.catalogue import SITE_KINDS
from gisplan.errors import ConflictError, GisplanError, PermissionDeniedError
from gisplan.store import Role, Status, Store
from gisplan.workflows import shortlists as sl

#: Who sees the page: everybody who may export.
ROLES: frozenset[Role] = frozenset({Role.ADMIN, Role.ANIMATOR, Role.PLANNER})
FORMATS: dict[str, tuple[str, str]] = {
    "gpkg": ("gpkg", "application/geopackage+sqlite3"),
    "csv": ("csv", "text/csv"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": ("pdf", "application/pdf"),
    "html": ("html", "text/html"),
}
#: Most sites offered for picking by hand (best scores first).
PICK_LIMIT = 500
_PICK = "exp_pick"
_FLASH = "exp_flash"


def file_name(shortlist: str, suffix: str, extra: str = "") -> str:
    """A safe ASCII file name for a download, e.g. ``usti_2027.gpkg``."""
    plain = unicodedata.normalize("NFKD", f"{shortlist} {extra}").encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9]+", "_", plain).strip("_").lower() or "shortlist"
    return f"{stem[:60]}.{suffix}"


def export_bytes(
    store: Store,
    actor: int,
    shortlist: str,
    fmt: str,
    *,
    variant: str = "gisplan",
    site_id: str | None = None,
    lang: str = "cs",
) -> bytes:
    """The export of ``shortlist`` in ``fmt`` (gpkg, csv, xlsx, pdf, html) as ``actor``, from a fresh snapshot."""
    snap = export.load_snapshot(store, actor, shortlist)
    if fmt == "pdf":
        return export.dossiers_pdf(snap, [site_id] if site_id else None, lang=lang)
    if fmt == "html":
        return export.dossier_html(snap, [site_id] if site_id else None, lang=lang).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="gisplan-export-") as folder:
        path = Path(folder) / f"export.{fmt}"
        if fmt == "gpkg":
            export.write_geopackage(snap, path)
        elif fmt == "csv":
            export.write_csv(snap, path, variant=variant)
        else:
            export.write_xlsx(snap, path, lang=lang)
        return path.read_bytes()


def _deferred(store: Store, actor: int, shortlist: str, fmt: str, **options: str | None) -> Callable[[], bytes]:
    return lambda: export_bytes(store, actor, shortlist, fmt, **options)  # type: ignore[arg-type]


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("export.heading", lang))
    viewer = auth.require_role(ROLES, lang)
    store = auth.get_store()
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(str(flash))
    shortlists = sl.list_shortlists(store)
    with st.expander(t("export.new", lang), expanded=not shortlists):
        _create_form(store, viewer, lang)
    if not shortlists:
        st.info(t("export.none", lang))
        return
    names = [s.name for s in shortlists]
    if st.session_state.get(_PICK) not in names:
        st.session_state[_PICK] = names[0]
    chosen = st.selectbox(t("export.pick", lang), names, key=_PICK)
    info = next(s for s in shortlists if s.name == chosen)
    summary = t("export.summary", lang, size=info.size, profile=info.profile or "–", user=info.created_by)
    st.caption(escape_markdown(summary))
    if info.description:
        st.caption(escape_markdown(info.description))
    _members(store, info, lang)
    _builders(store, viewer, info, lang)
    _downloads(store, viewer, info, lang)


def _report(exc: GisplanError, lang: str) -> None:
    if isinstance(exc, PermissionDeniedError):
        st.error(t("export.denied", lang))
    elif isinstance(exc, ConflictError):
        st.error(t("export.conflict", lang))
    else:
        st.error(t("export.failed", lang))
    st.code(str(exc), language=None)


def _profiles() -> list[str]:
    from gisplan.profiles import load_profiles

    try:
        return sorted(load_profiles())
    except (GisplanError, OSError):
        return []


def _create_form(store: Store, viewer: SessionUser, lang: str) -> None:
    with st.form("exp_create", clear_on_submit=True):
        name = st.text_input(t("export.name", lang), max_chars=sl.MAX_NAME_LENGTH)
        description = st.text_input(t("export.description", lang))
        profile = st.selectbox(t("export.profile", lang), ["", *_profiles()], format_func=lambda p: p or "–")
        submitted = st.form_submit_button(t("export.create", lang), type="primary")
    if submitted:
        try:
            info = sl.create_shortlist(store, viewer.id, name, description=description, profile=profile or None)
        except GisplanError as exc:
            _report(exc, lang)
            return
        st.session_state[_PICK] = info.name
        st.session_state[_FLASH] = t("export.created", lang, name=info.name)
        st.rerun()


def _members(store: Store, info: sl.ShortlistInfo, lang: str) -> None:
    rows = sl.member_table(store, info.name)
    if not rows:
        st.info(t("export.empty", lang))
        return
    frame = pd.DataFrame(rows)
    frame["score"] = pd.to_numeric(frame["score"]).round(1)
    frame["energy_mwh_yr"] = pd.to_numeric(frame["energy_mwh_yr"]).round(0)
    frame["kind"] = [t(f"kind.{k}", lang) if k in SITE_KINDS else k for k in frame["kind"]]
    frame["status"] = [t(f"status.{s}", lang) for s in frame["status"]]
    frame = frame.rename(
        columns={
            "site_id": t("col.site_id", lang),
            "name": t("col.name", lang),
            "kind": t("col.kind", lang),
            "status": t("export.col_status", lang),
            "municipality_code": t("col.municipality", lang),
            "score": t("export.col_score", lang),
            "energy_mwh_yr": t("export.col_energy", lang),
        }
    )
    show_table(frame, hide_index=True, width="stretch")


def _apply(store: Store, viewer: SessionUser, info: sl.ShortlistInfo, site_ids: list[str], lang: str) -> None:
    try:
        added = sl.add_sites(store, viewer.id, info.name, site_ids)
    except GisplanError as exc:
        _report(exc, lang)
        return
    st.session_state[_FLASH] = t("export.added", lang, count=len(added), total=len(set(site_ids)))
    st.rerun()


def _builders(store: Store, viewer: SessionUser, info: sl.ShortlistInfo, lang: str) -> None:
    by_status, by_filters, by_hand, remove = st.tabs(
        [t("export.by_status", lang), t("export.by_filters", lang), t("export.by_hand", lang), t("export.remove", lang)]
    )
    with by_status:
        statuses = st.multiselect(
            t("export.statuses", lang),
            [s.value for s in Status],
            default=[Status.SHORTLISTED.value],
            format_func=lambda s: t(f"status.{s}", lang),
            key="exp_statuses",
        )
        if st.button(t("export.add", lang), key="exp_add_status", disabled=not statuses):
            _apply(store, viewer, info, sl.select_sites(store, sl.SiteFilter(statuses=tuple(statuses))), lang)
    with by_filters:
        _filters(store, viewer, info, lang)
    with by_hand:
        candidates = _candidates(store, info.profile)
        picked = st.multiselect(
            t("export.sites_pick", lang),
            list(candidates),
            format_func=lambda sid: f"{candidates[sid]} ({sid})",
            key="exp_hand",
        )
        if st.button(t("export.add", lang), key="exp_add_hand", disabled=not picked):
            _apply(store, viewer, info, list(picked), lang)
    with remove:
        members = sl.members(store, info.name)
        gone = st.multiselect(t("export.remove_pick", lang), members, key="exp_remove")
        if st.button(t("export.remove_button", lang), key="exp_remove_button", disabled=not gone):
            try:
                removed = sl.remove_sites(store, viewer.id, info.name, list(gone))
            except GisplanError as exc:
                _report(exc, lang)
            else:
                st.session_state[_FLASH] = t("export.removed", lang, count=len(removed))
                st.rerun()


def _filters(store: Store, viewer: SessionUser, info: sl.ShortlistInfo, lang: str) -> None:
    kinds = st.multiselect(
        t("col.kind", lang), list(SITE_KINDS), format_func=lambda k: t(f"kind.{k}", lang), key="exp_kinds"
    )
    codes = st.text_input(t("export.municipalities", lang), key="exp_codes")
    profiles = _profiles()
    default = profiles.index(info.profile) if info.profile in profiles else None
    profile = st.selectbox(t("export.profile", lang), profiles, index=default, key="exp_profile")
    min_score = st.slider(t("export.min_score", lang), 0, 100, 0, key="exp_min_score", disabled=profile is None)
    where = sl.SiteFilter(
        kinds=tuple(kinds),
        municipality_codes=tuple(c.strip() for c in codes.split(",") if c.strip()),
        profile=profile,
        min_score=float(min_score) if profile and min_score else None,
        include_excluded=profile is None,
    )
    if st.button(t("export.add", lang), key="exp_add_filters"):
        try:
            found = sl.select_sites(store, where)
        except GisplanError as exc:
            _report(exc, lang)
            return
        _apply(store, viewer, info, found, lang)


def _candidates(store: Store, profile: str | None) -> dict[str, str]:
    """Site id -> name of the sites offered for picking: the best under ``profile`` first, then the rest by id."""
    found: dict[str, str] = {}
    if profile:
        found = {site.id: site.name or site.id for site, _ in store.top_sites(profile, limit=PICK_LIMIT)}
    for site in store.list_sites(limit=PICK_LIMIT):
        found.setdefault(site.id, site.name or site.id)
    return found


def _download(
    column: DeltaGenerator,
    label: str,
    *,
    data: Callable[[], bytes],
    name: str,
    fmt: str,
    key: str,
    disabled: bool = False,
) -> None:
    column.download_button(
        label,
        data=data,
        file_name=name,
        mime=FORMATS[fmt][1],
        key=key,
        on_click="ignore",
        disabled=disabled,
        icon=":material/download:",
    )


def _downloads(store: Store, viewer: SessionUser, info: sl.ShortlistInfo, lang: str) -> None:
    st.subheader(t("export.downloads", lang))
    empty = info.size == 0
    name = info.name

    def deferred(fmt: str, **options: str | None) -> Callable[[], bytes]:
        return _deferred(store, viewer.id, name, fmt, **options)

    left, middle, right = st.columns(3)
    _download(
        left,
        t("export.gpkg", lang),
        data=deferred("gpkg"),
        name=file_name(name, "gpkg"),
        fmt="gpkg",
        key="exp_dl_gpkg",
        disabled=empty,
    )
    _download(
        middle,
        t("export.xlsx", lang),
        data=deferred("xlsx", lang=lang),
        name=file_name(name, "xlsx"),
        fmt="xlsx",
        key="exp_dl_xlsx",
        disabled=empty,
    )
    _download(
        right,
        t("export.dossiers_pdf", lang),
        data=deferred("pdf", lang=lang),
        name=file_name(name, "pdf"),
        fmt="pdf",
        key="exp_dl_pdf",
        disabled=empty,
    )
    variant = st.radio(
        t("export.csv_variant", lang),
        list(export.CSV_VARIANTS),
        format_func=lambda v: t(f"export.variant_{v.replace('-', '_')}", lang),
        horizontal=True,
        key="exp_variant",
    )
    _download(
        st.container(),
        t("export.csv", lang),
        data=deferred("csv", variant=variant),
        name=file_name(name, "csv", variant),
        fmt="csv",
        key="exp_dl_csv",
        disabled=empty,
    )
    names = {row["site_id"]: row["name"] or row["site_id"] for row in sl.member_table(store, name)}
    if not names:
        return
    site_id = st.selectbox(
        t("export.dossier_site", lang), list(names), format_func=lambda s: f"{names[s]} ({s})", key="exp_dossier_site"
    )
    pdf, page = st.columns(2)
    _download(
        pdf,
        t("export.dossier_pdf", lang),
        data=deferred("pdf", site_id=site_id, lang=lang),
        name=file_name(name, "pdf", site_id),
        fmt="pdf",
        key="exp_dl_site_pdf",
    )
    _download(
        page,
        t("export.dossier_html", lang),
        data=deferred("html", site_id=site_id, lang=lang),
        name=file_name(name, "html", site_id),
        fmt="html",
        key="exp_dl_site_html",
    )
