"""The Submit page: a municipality draws or uploads candidate sites, sees a preview, fills the form, submits.

Steps, each kept in session state so Streamlit's reruns do not lose them:

1. the municipality (from the user's scope) and the site kind;
2. the shapes: drawn on the map (Leaflet.draw through streamlit-folium, which
   returns ``all_drawings``) or uploaded (``st.file_uploader`` capped at
   ``GISPLAN_MAX_UPLOAD_MB``), then checked by :func:`gisplan.intake.check_drawing`
   / :func:`gisplan.intake.check_upload`. A refusal says why and what to do, and
   offers the CRS or layer choices the intake asks for; nothing is stored;
3. the preview: the shapes on a map (repaired ones beside the shape as given),
   their areas, the warnings, and the score and energy estimate per applicable
   profile (:func:`gisplan.intake.preview`);
4. the form (:mod:`gisplan.app.submitform`), validated with every problem listed;
   the submit stores all sites or none (:func:`gisplan.workflows.submissions.submit`), and the
   animators of the municipality get a notice.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from gisplan import intake, settings
from gisplan.app import auth, shell
from gisplan.app.assets import base_url_for
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import fmt_area, t
from gisplan.app.noticeboard import show_notices
from gisplan.app.submitform import form_values, form_widgets, label, show_problems
from gisplan.app.submitmap import draw_map, outline_lonlat, shapes_map
from gisplan.app.tables import show_table
from gisplan.catalogue import SITE_KINDS
from gisplan.errors import GisplanError, PermissionDeniedError, UploadRejectedError
from gisplan.store import Role
from gisplan.workflows import submissions

ROLES = frozenset({Role.ADMIN, Role.MUNICIPALITY})
#: Session-state keys.
RESULT = "sub_result"
REJECTION = "sub_rejection"
PREVIEW = "sub_preview"
DONE = "sub_done"
MUNICIPALITY = "sub_municipality"
KIND = "sub_kind"
SOURCE = "sub_source"
DRAW_KEY = "sub_draw_map"
UPLOAD_KEY = "sub_upload"
CRS_KEY = "sub_crs"
LAYER_KEY = "sub_layer"
CONFIRM_KEY = "sub_confirm_repairs"
FORM_PREFIX = "subf"
MAP_HEIGHT = 480
#: Refusals the user answers by picking from a list (a CRS, a layer).
_ASKS_CHOICE = frozenset({"crs_missing", "crs_conflict", "choose_layer"})


@st.cache_data(show_spinner=False, ttl=600)
def _boundaries(layers_dir: str, data_dir: str) -> tuple[Any, str]:
    """Municipal boundaries of the catalogue, cached per catalogue and data folder."""
    return intake.municipal_boundaries()


def boundaries() -> tuple[Any, str]:
    """(boundaries or None, code column) of the current catalogue."""
    current = settings.get()
    return _boundaries(str(current.layers_dir), str(current.data_dir))


def map_basemap() -> str:
    current = settings.get()
    return "none" if current.offline else current.basemap


def map_base_url() -> str:
    return base_url_for(str(st.get_option("server.baseUrlPath") or ""))


def reason_text(exc: UploadRejectedError, lang: str) -> str:
    """What was refused, in ``lang``: the sentence of the reason code; in English the message, which says more."""
    sentence = intake.reason_text(exc.reason, lang)
    if lang != "en" and sentence:
        return sentence
    return str(exc).splitlines()[0]


def _warning_text(warning: intake.IntakeWarning, lang: str) -> str:
    sentence = intake.reason_text(warning.code, lang)
    return warning.message if lang == "en" or not sentence else sentence


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("sub.heading", lang))
    user = auth.require_role(ROLES, lang)
    store = auth.get_store()
    show_notices(store, user.id, lang, key="sub")
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(t("sub.done", lang, count=len(done), ids=", ".join(str(i) for i in done)))
    st.caption(t("sub.intro", lang))
    frame, code_column = boundaries()
    code = _municipality(user, frame, code_column, lang)
    if code is None:
        return
    kind = st.selectbox(
        label("kind", lang), options=list(SITE_KINDS), format_func=lambda k: t(f"kind.{k}", lang), key=KIND
    )
    outline = outline_lonlat(frame, code, code_column)
    source = st.radio(
        t("sub.source", lang),
        options=["draw", "upload"],
        format_func=lambda s: t(f"sub.source_{s}", lang),
        horizontal=True,
        key=SOURCE,
    )
    if source == "draw":
        _draw_step(code, frame, code_column, outline, lang)
    else:
        _upload_step(code, frame, code_column, lang)
    _show_rejection(lang)
    result: intake.IntakeResult | None = st.session_state.get(RESULT)
    if result is None or result.municipality_code != code:
        return
    table = _show_preview(result, str(kind), outline, lang)
    _form_step(store, user.id, result, str(kind), table=table, lang=lang)


def _municipality(user: auth.SessionUser, frame: Any, code_column: str, lang: str) -> str | None:
    if user.role == Role.MUNICIPALITY:
        codes = sorted(user.scope.municipalities)
        if not codes:
            st.warning(t("sub.no_municipality", lang))
            return None
    elif frame is not None:
        codes = sorted(frame[code_column].astype(str).unique())
    else:
        codes = []
    names: dict[str, str] = {}
    if frame is not None and "name" in frame.columns:
        names = {str(c): str(n) for c, n in zip(frame[code_column], frame["name"], strict=False) if n is not None}
    if not codes:
        typed = st.text_input(t("sub.municipality", lang), key=MUNICIPALITY).strip()
        return typed or None
    chosen = st.selectbox(
        t("sub.municipality", lang),
        options=codes,
        format_func=lambda c: f"{names[c]} ({c})" if c in names else c,
        key=MUNICIPALITY,
    )
    return str(chosen)


def _check(work: Any) -> None:
    """Run a check; keep its result, or the refusal, in session state."""
    st.session_state.pop(RESULT, None)
    st.session_state.pop(PREVIEW, None)
    st.session_state.pop(REJECTION, None)
    try:
        st.session_state[RESULT] = work()
    except UploadRejectedError as exc:
        st.session_state[REJECTION] = exc
        if exc.reason in _ASKS_CHOICE:
            st.rerun()  # the choice list sits above the button that found the need for it


def _draw_step(code: str, frame: Any, code_column: str, outline: Any, lang: str) -> None:
    from streamlit_folium import st_folium

    st.caption(t("sub.draw_hint", lang))
    out = st_folium(
        draw_map(outline, basemap=map_basemap(), base_url=map_base_url()),
        key=DRAW_KEY,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing", "all_drawings"],
    )
    drawings = [d for d in (out or {}).get("all_drawings") or [] if isinstance(d, dict)]
    if not drawings:
        last = (out or {}).get("last_active_drawing")
        drawings = [last] if isinstance(last, dict) else []
    st.caption(t("sub.drawn", lang, count=len(drawings)) if drawings else t("sub.nothing_drawn", lang))
    if st.button(t("sub.check_drawing", lang), key="sub_check_drawing", disabled=not drawings, type="primary"):
        _check(
            lambda: intake.check_drawing(
                drawings, municipality_code=code, municipalities=frame, code_column=code_column
            )
        )


def _upload_step(code: str, frame: Any, code_column: str, lang: str) -> None:
    limit_mb = settings.get().max_upload_mb
    upload = st.file_uploader(
        t("sub.upload", lang),
        type=["geojson", "json", "zip", "gpkg", "kml", "csv", "txt"],
        key=UPLOAD_KEY,
        max_upload_size=limit_mb,
        help=t("sub.upload_help", lang, mb=limit_mb),
    )
    rejection: UploadRejectedError | None = st.session_state.get(REJECTION)
    crs = layer = None
    if rejection is not None and rejection.reason in {"crs_missing", "crs_conflict"}:
        st.info(t("sub.choose_crs", lang))
        names = dict(intake.CRS_CHOICES)
        crs = st.selectbox(
            t("sub.crs", lang),
            options=list(rejection.choices or names),
            format_func=lambda c: f"{c} – {names[c]}" if c in names else c,
            key=CRS_KEY,
        )
    elif st.session_state.get(CRS_KEY):
        crs = st.session_state[CRS_KEY]
    if rejection is not None and rejection.reason == "choose_layer" and rejection.choices:
        st.info(t("sub.choose_layer", lang))
        layer = st.selectbox(t("sub.layer", lang), options=list(rejection.choices), key=LAYER_KEY)
    elif st.session_state.get(LAYER_KEY):
        layer = st.session_state[LAYER_KEY]
    if st.button(t("sub.check_file", lang), key="sub_check_file", disabled=upload is None, type="primary"):
        if upload is None:  # pragma: no cover - the button is disabled then
            return
        data, name = upload.getvalue(), upload.name
        _check(
            lambda: intake.check_upload(
                data,
                name,
                municipality_code=code,
                municipalities=frame,
                crs=crs,
                layer=layer,
                code_column=code_column,
            )
        )


def _show_rejection(lang: str) -> None:
    rejection: UploadRejectedError | None = st.session_state.get(REJECTION)
    if rejection is None:
        return
    st.error(f"{escape_markdown(reason_text(rejection, lang))} {t('sub.rejected', lang)}")
    with st.expander(t("sub.details", lang), expanded=lang != "cs"):
        st.code(str(rejection), language=None, wrap_lines=True)


def _site_labels(result: intake.IntakeResult, lang: str) -> list[str]:
    names = result.sites["name"].tolist()
    return [
        f"{no}: {name}" if isinstance(name, str) and name else f"{t('sub.col_site', lang)} {no}"
        for no, name in zip(result.sites["site_no"], names, strict=True)
    ]


def _share(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number * 100.0, 1)


def _preview_table(result: intake.IntakeResult, kind: str, lang: str) -> pd.DataFrame:
    """The score preview, computed once per checked result and kind."""
    cached = st.session_state.get(PREVIEW)
    if cached is not None and cached[0] == (id(result), kind):
        table: pd.DataFrame = cached[1]
        return table
    with st.spinner(t("mod.scoring", lang)):
        try:
            table = intake.preview(result, kind=kind, language=lang)
        except GisplanError as exc:
            st.warning(str(exc).splitlines()[0])
            table = pd.DataFrame(columns=list(intake.PREVIEW_COLUMNS))
    st.session_state[PREVIEW] = ((id(result), kind), table)
    return table


def _show_preview(result: intake.IntakeResult, kind: str, outline: Any, lang: str) -> pd.DataFrame:
    from streamlit_folium import st_folium

    sites = result.sites
    st.subheader(t("sub.preview", lang))
    st.caption(t("sub.preview_sites", lang, count=len(sites), area=fmt_area(sites["area_m2"].sum(), lang)))
    labels = _site_labels(result, lang)
    originals = result.original if result.needs_confirmation else None
    folium_map = shapes_map(
        sites.geometry,
        labels=labels,
        originals=originals,
        outline=outline,
        basemap=map_basemap(),
        base_url=map_base_url(),
    )
    st_folium(folium_map, key="sub_preview_map", height=360, use_container_width=True, returned_objects=[])
    show_table(
        pd.DataFrame(
            {
                t("sub.col_site", lang): labels,
                t("sub.col_shape", lang): sites["geometry_type"].astype(str).tolist(),
                t("col.area_m2", lang): sites["area_m2"].round(0).tolist(),
                t("sub.col_inside", lang): [_share(v) for v in sites["inside_share"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if result.warnings:
        lines = [
            f"- {escape_markdown(_warning_text(w, lang))}" + (f" ({escape_markdown(str(w))})" if lang != "en" else "")
            for w in result.warnings
        ]
        st.warning(f"**{t('sub.warnings', lang)}**\n\n" + "\n".join(lines))
    if result.needs_confirmation:
        st.info(t("sub.repaired", lang))
    table = _preview_table(result, kind, lang)
    st.markdown(f"**{t('sub.scores', lang)}**")
    if table.empty:
        st.caption(t("sub.no_profiles", lang))
    else:
        show_table(score_frame(table, lang), hide_index=True, width="stretch")
    return table


def score_frame(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("sub.col_site", lang): table["site_no"].astype(int).tolist(),
            t("sub.col_profile", lang): table["profile_title"].astype(str).tolist(),
            t("sub.col_score", lang): pd.to_numeric(table["score"], errors="coerce").round(1).tolist(),
            t("sub.col_excluded", lang): table["excluded"].tolist(),
            t("sub.col_kwp", lang): pd.to_numeric(table["capacity_kwp"], errors="coerce").round(0).tolist(),
            t("sub.col_mwh", lang): pd.to_numeric(table["energy_mwh_yr"], errors="coerce").round(0).tolist(),
            t("sub.col_note", lang): table["note"].astype(str).tolist(),
        }
    )


def _form_step(
    store: Any, user_id: int, result: intake.IntakeResult, kind: str, *, table: pd.DataFrame, lang: str
) -> None:
    st.subheader(t("sub.form", lang))
    confirmed = True
    if result.needs_confirmation:
        confirmed = st.checkbox(t("sub.confirm_repairs", lang), key=CONFIRM_KEY)
    with st.form("sub_form"):
        raw = form_widgets(lang, prefix=FORM_PREFIX)
        submitted = st.form_submit_button(t("sub.submit", lang), type="primary")
    if not submitted:
        return
    try:
        form = intake.validate_form(form_values(raw, kind=kind))
        stored = submissions.submit(store, user_id, result, form, confirm_repairs=confirmed, preview=table)
    except UploadRejectedError as exc:
        if exc.problems:
            show_problems(exc.problems, lang)
        else:
            st.error(escape_markdown(reason_text(exc, lang)))
        return
    except PermissionDeniedError as exc:
        st.error(t("sub.denied", lang))
        st.code(str(exc), language=None, wrap_lines=True)
        return
    for key in (RESULT, PREVIEW, REJECTION, CONFIRM_KEY):
        st.session_state.pop(key, None)
    st.session_state[DONE] = [s.id for s in stored]
    st.rerun()


__all__ = ["ROLES", "reason_text", "render"]
