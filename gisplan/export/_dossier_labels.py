"""The dossier's and the overview sheet's texts: the ``dossier.*`` group of the text catalogues.

The words live in ``gisplan/app/locales/<lang>.yaml`` (:mod:`gisplan.texts`), in
Czech, English, Polish, Hungarian and Danish; any other language reads English.
"""

from __future__ import annotations

from gisplan.texts import MESSAGES, t

#: The catalogue group of the dossier's texts.
GROUP = "dossier."
_KEYS = tuple(key for key in MESSAGES if key.startswith(GROUP))


def labels(lang: str) -> dict[str, str]:
    """Label key (``title``, ``attr.water``, ``status.new``…) -> its text in ``lang``, placeholders unfilled."""
    return {key.removeprefix(GROUP): t(key, lang) for key in _KEYS}


__all__ = ["GROUP", "labels"]
