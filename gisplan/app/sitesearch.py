"""Finding a site by name or address: a forgiving text search over the site index.

Plain Python without Streamlit. A mayor types "Děčany 12", "decany cp 12" or
"Hlavní 3" and expects "Děčany č. p. 12". The search therefore

- folds case and diacritics (``Děčany`` = ``decany``; also ``ø``, ``æ``, ``ł``, ``ß``),
- treats punctuation as space (``č.p.12`` = ``č. p. 12``, ``12/3`` = ``12 3``),
- ignores the words of Czech house numbering (``č. p.``, ``čp``, ``č. ev.``),
  which RÚIAN names carry and people leave out (decree 359/2011 Sb., annex),
- asks every word of the query to start a word of the site's text (name, address,
  municipality, id), and every number to be a whole number there (``12`` finds
  ``č. p. 12``, not ``č. p. 120``).

The text of each site is folded once, when the search table is built
(:func:`search_table`); a query is then a few vectorised substring tests, about
20 ms per word on 100,000 sites.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from gisplan.store import Store

#: Most matches a search returns. [count]
MAX_MATCHES = 50
#: Words a query may hold that say "house number", not what the number is.
NUMBERING_WORDS = frozenset({"c", "p", "cp", "ev", "cev", "cislo", "popisne", "evidencni"})
#: Letters NFKD does not split into a base letter and a mark.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ł": "l", "ß": "ss", "đ": "d", "œ": "oe", "ı": "i"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")
#: Columns of :func:`search_table`.
SEARCH_COLUMNS = ("site_id", "address", "text")


def fold(text: str) -> str:
    """``text`` lower-cased, without diacritics, punctuation as single spaces, padded with one space each side."""
    return str(folded(pd.Series([text], dtype=object)).iloc[0])


def folded(texts: pd.Series) -> pd.Series:
    """:func:`fold` for a whole column (missing values become a single space)."""
    out = (
        texts.fillna("")
        .astype(str)
        .str.lower()
        .str.translate(_FOLD)
        .str.normalize("NFKD")
        .str.encode("ascii", errors="ignore")
        .str.decode("ascii")
        .str.replace(_NOT_WORD, " ", regex=True)
        .str.strip()
    )
    return " " + out + " "


def query_words(query: str) -> list[str]:
    """The words of ``query`` the search looks for (folded, numbering words left out, at most 8)."""
    words = [w for w in fold(query).split() if w not in NUMBERING_WORDS]
    return list(dict.fromkeys(words))[:8]


def search_table(
    sites: pd.DataFrame, addresses: pd.DataFrame, municipalities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The folded text of every site, to search in.

    Parameters
    ----------
    sites
        The site index (``site_id``, ``name``, ``municipality_code``).
    addresses
        ``site_id`` and ``address`` (:func:`load_addresses`); sites without one are fine.
    municipalities
        ``code`` and ``name`` of the municipalities, so a municipality's name finds its sites.

    Returns
    -------
    pandas.DataFrame
        :data:`SEARCH_COLUMNS`, one row per site of ``sites``, in its order.
    """
    ids = sites["site_id"].astype(str).reset_index(drop=True)
    by_id = dict(zip(addresses["site_id"].astype(str), addresses["address"], strict=True))
    address = ids.map(by_id).astype(object)
    names: dict[str, str] = {}
    if municipalities is not None:
        names = dict(zip(municipalities["code"].astype(str), municipalities["name"].astype(str), strict=True))
    muni = sites["municipality_code"].astype(str).map(names).reset_index(drop=True)
    raw = (
        sites["name"].astype(object).fillna("").astype(str).reset_index(drop=True)
        + " | "
        + address.astype(object).fillna("").astype(str)
        + " | "
        + muni.astype(object).fillna("").astype(str)
        + " | "
        + ids.str.replace(r"^[a-z]+:", "", regex=True)
    )
    return pd.DataFrame({"site_id": ids, "address": address.astype(object), "text": folded(raw)})


def match_mask(table: pd.DataFrame, query: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """The rows of ``table`` (:func:`search_table`) whose text holds every word of ``query``; none for no words."""
    words = query_words(query)
    if not words:
        return np.zeros(len(table), dtype=bool)
    text = table["text"]
    mask = np.ones(len(table), dtype=bool)
    for word in words:
        # a number must be whole, a word only has to start one: "12" is not "120", "dec" is "decany"
        needle = f" {word} " if word.isdigit() else f" {word}"
        mask &= text.str.contains(needle, regex=False).to_numpy(dtype=bool)
        if not mask.any():
            break
    return mask


def find_sites(index: pd.DataFrame, table: pd.DataFrame, query: str, *, limit: int = MAX_MATCHES) -> pd.DataFrame:
    """The sites of ``index`` matching ``query``, best first.

    Parameters
    ----------
    index
        The site index of one profile (:func:`gisplan.app.mapdata.load_site_index`).
    table
        :func:`search_table` of the same index (same rows, same order).
    query
        What the user typed.
    limit
        Most rows returned.

    Returns
    -------
    pandas.DataFrame
        The matching rows of ``index`` plus ``address``, at most ``limit``: sites whose
        name starts with the query first, then by score (highest first), then by id.
        Its ``attrs["matching"]`` is the number of matches before the limit.
    """
    mask = match_mask(table, query)
    positions = np.flatnonzero(mask)
    rows = index.iloc[positions].assign(address=table["address"].to_numpy()[positions])
    if len(rows):
        # sites whose text begins with the first word ("Solany …" for "solany 7") come first
        first = " " + query_words(query)[0]
        later = ~table["text"].iloc[positions].str.startswith(first).to_numpy(dtype=bool)
        score = pd.to_numeric(rows["score"], errors="coerce").fillna(-1.0).to_numpy()
        order = np.lexsort((rows["site_id"].to_numpy(dtype=str), -score, later))
        rows = rows.iloc[order]
    out = rows.head(limit)
    out.attrs["matching"] = len(positions)
    return out


def load_addresses(store: Store) -> pd.DataFrame:
    """``site_id`` and ``address`` of every current site that has an address attribute (RÚIAN buildings).

    Reads only that one attribute in the database (JSON path), not the whole attributes.
    """
    from gisplan.store import queries

    return pd.DataFrame.from_records(queries.site_addresses(store), columns=["site_id", "address"])


__all__ = [
    "MAX_MATCHES",
    "NUMBERING_WORDS",
    "SEARCH_COLUMNS",
    "find_sites",
    "fold",
    "folded",
    "load_addresses",
    "match_mask",
    "query_words",
    "search_table",
]
