"""Refusal reasons and form-field labels of the intake in every interface language.

The sentences and labels are in the text catalogues (:mod:`gisplan.texts`):
``intake_reason.<code>`` for each code of :data:`gisplan.intake._types.REASON_CODES`
and ``intake_field.<field>`` for each field of :data:`gisplan.intake._form.FORM_FIELDS`.
A text missing in a language falls back to English (never to Czech, which a
Polish, Hungarian or Danish user may not read).
"""

from __future__ import annotations

from gisplan.texts import has_text, t


def reason_text(code: str, lang: str) -> str | None:
    """The sentence of refusal or warning ``code`` in ``lang`` (English when ``lang`` lacks it); None if unknown."""
    key = f"intake_reason.{code}"
    return t(key, lang) if has_text(key) else None


def field_label(field: str, lang: str) -> str:
    """The label of form field ``field`` in ``lang``, English when ``lang`` has none; the field name if unknown."""
    key = f"intake_field.{field}"
    return t(key, lang) if has_text(key) else field


__all__ = ["field_label", "reason_text"]
