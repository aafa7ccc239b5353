"""Invented Czech-sounding place names, built from syllables.

The names only sound Czech; they are not taken from any register. Common
real-name patterns still occur by chance, so the tests check the default seed
against the real municipality list in the shared test data.
"""

from __future__ import annotations

import re

import numpy as np

_ONSETS = (
    "B", "Br", "Ch", "D", "Dr", "H", "Hr", "J", "K", "Kr", "Kř", "L", "M", "Ml", "N", "P", "Pr",
    "R", "S", "Sl", "Sm", "St", "Tř", "V", "Vr", "Z", "Ž", "Ct", "Hn", "Kn", "Pš", "T",
)  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "á", "í", "ou", "ě", "y")
_MIDDLES = ("b", "d", "h", "k", "l", "m", "n", "r", "s", "t", "v", "ch", "š", "ž", "ř", "sk", "st", "sl", "zn", "br")
_SUFFIXES = ("ice", "ov", "any", "ín", "ec", "ovice", "ětice", "išov", "ná", "ovany", "etín", "eč", "ousy", "ky")
_BAD = re.compile(r"(.)\1|[^bdmnptv]ě|ě[aeiouyěá]|[šžřčcj]y|ou[aeiouy]")
"""Spellings Czech does not use (ě only after b d m n p t v; no y after soft consonants)."""
_QUALIFIERS = ("Horní", "Dolní")  # same form for every gender


def _word(rng: np.random.Generator) -> str:
    while True:
        word = (
            str(rng.choice(_ONSETS)) + str(rng.choice(_VOWELS)) + str(rng.choice(_MIDDLES)) + str(rng.choice(_SUFFIXES))
        )
        if not _BAD.search(word.lower()) and 5 <= len(word) <= 11:
            return word


def place_names(rng: np.random.Generator, count: int, *, qualified_share: float = 0.15) -> list[str]:
    """``count`` distinct invented village names, some with ``Horní``/``Dolní``."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        word = _word(rng)
        if word in seen:
            continue
        seen.add(word)
        if rng.random() < qualified_share:
            word = f"{rng.choice(_QUALIFIERS)} {word}"
        names.append(word)
    return names


def river_name(rng: np.random.Generator) -> str:
    """An invented river name (feminine, e.g. ``Suchava``)."""
    stem = str(rng.choice(_ONSETS)) + str(rng.choice(("a", "e", "i", "o", "u", "ou"))) + str(rng.choice(_MIDDLES))
    return stem + str(rng.choice(("ava", "ice", "ná", "inka", "ánka")))


def genitive(name: str) -> str:
    """Genitive of an invented feminine river name (``Suchava`` -> ``Suchavy``)."""
    if name.endswith("ná"):
        return name[:-1] + "é"
    if name.endswith("a"):
        return name[:-1] + "y"
    return name
