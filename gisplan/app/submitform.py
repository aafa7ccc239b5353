"""The submission form's widgets, shared by the Submit page and the resubmission on My submissions.

The fields are those of :class:`gisplan.intake.SubmissionForm` (after the Czech
brownfield database and the UK Brownfield Land Register), labelled from
:func:`gisplan.intake.field_label`; required fields carry ``*``. Choice fields
without a default start empty, so a required answer is never filled in for the
user. :func:`form_values` turns the widget values into what
:func:`gisplan.intake.validate_form` checks; :func:`show_problems` lists every
problem it found, with the field's label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import t
from gisplan.intake import (
    Contamination,
    CurrentState,
    IntendedUse,
    Ownership,
    PlanningStatus,
    PreviousUse,
    YesNo,
    field_label,
    required_fields,
)

UTILITIES = ("electricity", "water", "sewer", "gas", "road_access")
CONTACT = ("name", "email", "phone")
#: Choice fields and their options, in form order.
CHOICES: dict[str, tuple[str, ...]] = {
    "previous_use": tuple(PreviousUse),
    "current_state": tuple(CurrentState),
    "ownership": tuple(Ownership),
    "contamination": tuple(Contamination),
    "planning_status": tuple(PlanningStatus),
}
INTENDED_USES: tuple[str, ...] = tuple(IntendedUse)
YES_NO: tuple[str, ...] = tuple(YesNo)


def label(field: str, lang: str) -> str:
    """The label of a form field in ``lang``, with ``*`` when it is required."""
    text = field_label(field, lang)
    return f"{text} *" if field in required_fields() else text


def option(value: object, lang: str) -> str:
    """The label of a choice value (``industrial`` -> ``průmysl``)."""
    return t(f"form.opt.{value}", lang)


def _problem_label(location: str, lang: str) -> str:
    head, _, rest = location.partition(".")
    text = label(head, lang).removesuffix(" *")
    if head == "utilities" and rest in UTILITIES:
        return f"{text}: {t(f'form.{rest}', lang)}"
    if head == "contact" and rest in CONTACT:
        return f"{text}: {t(f'form.contact_{rest}', lang)}"
    return text


def _parcels(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _text_or_none(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def form_values(raw: Mapping[str, Any], *, kind: str) -> dict[str, Any]:
    """The form dict for :func:`gisplan.intake.validate_form` from raw widget values.

    Empty texts and unanswered choices are left out, so the validator reports
    them as missing; parcel numbers are split on commas or semicolons.
    """
    values: dict[str, Any] = {"kind": kind}
    for name in ("name", "location", "cadastral_area", "note"):
        text = _text_or_none(raw.get(name))
        if text is not None:
            values[name] = text
    parcels = _parcels(str(raw.get("parcel_numbers") or ""))
    if parcels:
        values["parcel_numbers"] = parcels
    if raw.get("area_ha") is not None:
        values["area_ha"] = raw["area_ha"]
    for name in CHOICES:
        if raw.get(name) is not None:
            values[name] = raw[name]
    values["utilities"] = {name: raw.get(f"utilities.{name}") or "unknown" for name in UTILITIES}
    uses = list(raw.get("intended_use") or [])
    if uses:
        values["intended_use"] = uses
    if raw.get("consent_to_publish") is not None:
        values["consent_to_publish"] = raw["consent_to_publish"] == "yes"
    contact = {name: _text_or_none(raw.get(f"contact.{name}")) for name in CONTACT}
    values["contact"] = {k: v for k, v in contact.items() if v is not None}
    return values


def _index(options: Sequence[str], value: object) -> int | None:
    return options.index(str(value)) if value is not None and str(value) in options else None


def form_widgets(lang: str, *, prefix: str, defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Draw every form field (call inside ``st.form``); return the raw widget values.

    Parameters
    ----------
    lang
        Interface language.
    prefix
        Prefix of the widget keys, unique per form on a page.
    defaults
        A stored form (``SubmissionForm.model_dump(mode="json")``) to start from.
    """
    d = dict(defaults or {})
    raw: dict[str, Any] = {}
    st.caption(t("sub.required_note", lang))
    raw["name"] = st.text_input(label("name", lang), value=d.get("name", ""), key=f"{prefix}_name", max_chars=200)
    raw["location"] = st.text_area(
        label("location", lang), value=d.get("location", ""), key=f"{prefix}_location", max_chars=1000, height=80
    )
    left, right = st.columns(2)
    raw["cadastral_area"] = left.text_input(
        label("cadastral_area", lang), value=d.get("cadastral_area") or "", key=f"{prefix}_cadastral_area"
    )
    raw["parcel_numbers"] = right.text_input(
        label("parcel_numbers", lang),
        value=", ".join(d.get("parcel_numbers") or []),
        key=f"{prefix}_parcel_numbers",
        help=t("form.parcels_help", lang),
    )
    raw["area_ha"] = st.number_input(
        label("area_ha", lang), value=d.get("area_ha"), min_value=0.0, step=0.1, key=f"{prefix}_area_ha"
    )
    columns = st.columns(2)
    for i, (name, options) in enumerate(CHOICES.items()):
        raw[name] = columns[i % 2].selectbox(
            label(name, lang),
            options=list(options),
            index=_index(options, d.get(name, None if name in required_fields() else options[0])),
            format_func=lambda v: option(v, lang),
            placeholder=t("form.choose", lang),
            key=f"{prefix}_{name}",
        )
    st.markdown(f"**{escape_markdown(label('utilities', lang))}**")
    stored_utilities = d.get("utilities") or {}
    for column, name in zip(st.columns(len(UTILITIES)), UTILITIES, strict=True):
        raw[f"utilities.{name}"] = column.selectbox(
            t(f"form.{name}", lang),
            options=list(YES_NO),
            index=_index(YES_NO, stored_utilities.get(name, "unknown")),
            format_func=lambda v: option(v, lang),
            key=f"{prefix}_utilities_{name}",
        )
    raw["intended_use"] = st.multiselect(
        label("intended_use", lang),
        options=list(INTENDED_USES),
        default=[u for u in d.get("intended_use") or [] if u in INTENDED_USES],
        format_func=lambda v: option(v, lang),
        placeholder=t("form.choose", lang),
        key=f"{prefix}_intended_use",
    )
    consent = d.get("consent_to_publish")
    raw["consent_to_publish"] = st.radio(
        label("consent_to_publish", lang),
        options=["yes", "no"],
        index=None if consent is None else (0 if consent else 1),
        format_func=lambda v: t(f"form.consent_{v}", lang),
        horizontal=True,
        key=f"{prefix}_consent",
    )
    st.markdown(f"**{escape_markdown(label('contact', lang))}**")
    stored_contact = d.get("contact") or {}
    for column, name in zip(st.columns(len(CONTACT)), CONTACT, strict=True):
        raw[f"contact.{name}"] = column.text_input(
            t(f"form.contact_{name}", lang) + (" *" if name == "name" else ""),
            value=stored_contact.get(name) or "",
            key=f"{prefix}_contact_{name}",
        )
    raw["note"] = st.text_area(label("note", lang), value=d.get("note") or "", key=f"{prefix}_note", height=80)
    return raw


#: The form checks' own messages (gisplan.intake._form), by how they start, and their text keys.
_KNOWN_PROBLEMS = (
    ("required", "form.missing"),
    ("give an e-mail or a phone number", "form.err.reachable"),
    ("not an e-mail address", "form.err.email"),
    ("not a phone number", "form.err.phone"),
)


def _problem_text(message: str, lang: str) -> str:
    """The problem in ``lang``: a known check's text, else a generic one with the checker's words in brackets."""
    for start, key in _KNOWN_PROBLEMS:
        if message.startswith(start):
            return t(key, lang)
    if "are not parcel numbers" in message:
        return t("form.err.parcels", lang, bad=message.split(" are not parcel numbers", 1)[0])
    return f"{t('form.err.invalid', lang)} ({message})"


def problem_lines(problems: Sequence[Any], lang: str) -> list[str]:
    """One line per problem: the field's label and what is wrong, in ``lang``."""
    return [f"{_problem_label(str(p.location), lang)}: {_problem_text(str(p.message), lang)}" for p in problems]


def show_problems(problems: Sequence[Any], lang: str) -> None:
    """Show every problem of an invalid form at once."""
    body = "\n".join(f"- {escape_markdown(line)}" for line in problem_lines(problems, lang))
    st.error(f"{t('sub.form_invalid', lang)}\n\n{body}")


__all__ = ["form_values", "form_widgets", "label", "option", "problem_lines", "show_problems"]
