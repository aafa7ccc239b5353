"""JSON text columns for millions of rows, assembled without a string kernel per part.

The JSON lists of :mod:`gisplan.scoring` (breakdown, handicaps, exclusion
reasons) are described as a sequence of *pieces*. A piece is a constant text,
or a text chosen per row from a table of distinct texts (numbers are
factorised first, so a column of 10,000 distinct contributions is formatted
10,000 times, not once per row), and it appears in every row or only where a
flag is set. Adjacent constants are folded into neighbouring pieces with few
distinct texts. The rows are then put together with a single ``take`` over all
pieces in row order, whose data buffer already is the output: the cost is one
copy of the output bytes and a few numpy passes over ``rows × pieces``
integers, rather than one pass of ``binary_join_element_wise`` (about 1 µs a
row) per part.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
#: Pieces with at most this many distinct texts absorb neighbouring constants.
SMALL = 1 << 16
#: Most output bytes per chunk, under the 2 GiB limit of 32-bit string offsets. [bytes]
CHUNK_BYTES = 1 << 30
#: Most rows per chunk; bounds the ``rows × pieces`` index arrays.
CHUNK_ROWS = 1 << 18


@dataclass(frozen=True)
class Piece:
    """A part of each row's text.

    Attributes
    ----------
    texts
        The distinct texts (a pyarrow string array).
    codes
        Per row, the position of its text in ``texts``; None: ``texts[0]`` in every row.
    active
        Rows the piece appears in; None: every row.
    """

    texts: pa.Array
    codes: IntArray | None = None
    active: BoolArray | None = None

    @property
    def is_constant(self) -> bool:
        return self.codes is None

    @property
    def is_small(self) -> bool:
        return len(self.texts) <= SMALL


def constant(text: str) -> Piece:
    """The same text in every row."""
    import pyarrow as pa

    return Piece(pa.array([text], type=pa.string()))


def numbers(values: np.ndarray[Any, np.dtype[np.float64]]) -> Piece:
    """JSON numbers, as pyarrow casts float64 to text; ``null`` for NaN and infinities."""
    import pyarrow as pa
    import pyarrow.compute as pc

    floats = np.ascontiguousarray(values, dtype=np.float64)
    # factorise the bit patterns, so that 0.0 and -0.0 keep their own texts ("0", "-0")
    codes, uniques = pd.factorize(floats.view(np.int64))
    distinct = pa.array(np.asarray(uniques, dtype=np.int64).view(np.float64), type=pa.float64())
    texts = pc.if_else(pc.is_finite(distinct), pc.cast(distinct, pa.string()), pa.scalar("null"))
    return Piece(texts, np.asarray(codes, dtype=np.int64))


def labels(values: pd.Series) -> Piece:
    """JSON strings of ``str(value)``; ``null`` for missing values."""
    import pyarrow as pa

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = pa.array([json.dumps(str(u), ensure_ascii=False) for u in uniques] + ["null"], type=pa.string())
    return Piece(texts, np.where(codes < 0, len(uniques), codes).astype(np.int64))


def _with(piece: Piece, before: str = "", after: str = "") -> Piece:
    import pyarrow as pa

    texts = pa.array([before + t + after for t in piece.texts.to_pylist()], type=pa.string())
    return Piece(texts, piece.codes, piece.active)


def _fold(pieces: Sequence[Piece]) -> list[Piece]:
    """Fold constants into their neighbours where that keeps the table of texts small."""
    out: list[Piece] = []
    for piece in pieces:
        last = out[-1] if out else None
        if last is None or last.active is not piece.active:
            out.append(piece)
        elif last.is_constant and piece.is_constant:
            out[-1] = Piece(constant(last.texts[0].as_py() + piece.texts[0].as_py()).texts, None, piece.active)
        elif last.is_constant and piece.is_small:
            out[-1] = _with(piece, before=last.texts[0].as_py())
        elif piece.is_constant and last.is_small:
            out[-1] = _with(last, after=piece.texts[0].as_py())
        else:
            joint = _joint(last, piece) if last.is_small and piece.is_small else None
            if joint is None:
                out.append(piece)
            else:
                out[-1] = joint
    return out


def _joint(first: Piece, second: Piece) -> Piece | None:
    """The two pieces as one, if their pairs of texts stay few (as with a value and its contribution)."""
    import pyarrow as pa

    assert first.codes is not None and second.codes is not None
    width = len(second.texts)
    codes, pairs = pd.factorize(first.codes * width + second.codes)
    if len(pairs) > SMALL:
        return None
    a, b = first.texts.to_pylist(), second.texts.to_pylist()
    texts = pa.array([a[k // width] + b[k % width] for k in np.asarray(pairs)], type=pa.string())
    return Piece(texts, np.asarray(codes, dtype=np.int64), first.active)


def _in_rows(piece: Piece, active: BoolArray | None) -> Piece:
    return piece if active is None else Piece(piece.texts, piece.codes, active)


def _chunk(texts: pa.Array, pieces: Sequence[Piece], base: IntArray, start: int, stop: int) -> pa.Array:
    import pyarrow as pa

    rows = stop - start
    index = np.empty((rows, len(pieces)), dtype=np.int64)
    present = np.ones((rows, len(pieces)), dtype=bool)
    for j, piece in enumerate(pieces):
        index[:, j] = base[j] + (piece.codes[start:stop] if piece.codes is not None else 0)
        if piece.active is not None:
            present[:, j] = piece.active[start:stop]
    taken = texts.take(pa.array(index[present]))  # row by row, piece by piece: the output bytes in order
    _, offsets_buffer, data = taken.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[taken.offset : taken.offset + len(taken) + 1]
    ends = np.concatenate([[0], np.cumsum(present.sum(axis=1))])
    row_offsets = np.ascontiguousarray(offsets[ends], dtype=np.int32)
    return pa.StringArray.from_buffers(rows, pa.py_buffer(row_offsets), data)


def assemble(pieces: Sequence[Piece], n: int) -> pa.Array | pa.ChunkedArray:
    """Per row, the concatenation of the pieces present in it (a string array, chunked when large)."""
    import pyarrow as pa

    folded = _fold(pieces)
    if not folded:
        return pa.array([""] * n, type=pa.string())
    texts = pa.concat_arrays([p.texts for p in folded])
    sizes = np.array([len(p.texts) for p in folded], dtype=np.int64)
    base = np.cumsum(sizes) - sizes
    lengths = pa.compute.binary_length(texts).to_numpy(zero_copy_only=False)
    widest = sum(int(lengths[b : b + s].max(initial=0)) for b, s in zip(base, sizes, strict=True))
    step = max(1, min(CHUNK_ROWS, CHUNK_BYTES // max(widest, 1)))
    starts = range(0, n, step)
    if len(starts) > 1 and (os.cpu_count() or 1) > 1:
        # pyarrow's take and numpy release the GIL: chunks side by side
        with ThreadPoolExecutor(max_workers=min(len(starts), os.cpu_count() or 1)) as pool:
            chunks = list(pool.map(lambda start: _chunk(texts, folded, base, start, min(n, start + step)), starts))
    else:
        chunks = [_chunk(texts, folded, base, start, min(n, start + step)) for start in starts]
    if len(chunks) == 1:
        return chunks[0]
    return pa.chunked_array(chunks, type=pa.string()) if chunks else pa.array([], type=pa.string())


def json_list(
    items: Sequence[Sequence[Piece]], active: Sequence[BoolArray | None], n: int
) -> pa.Array | pa.ChunkedArray:
    """Per row, a JSON list (``[a,b]``, no spaces) of the items whose ``active`` flag is set.

    Parameters
    ----------
    items
        Each item as its pieces (which appear in every row of the item).
    active
        Per item, the rows it appears in; None: every row.
    n
        Number of rows.
    """
    pieces = [constant("[")]
    seen: BoolArray | None = np.zeros(n, dtype=bool)
    for item, on in zip(items, active, strict=True):
        if on is not None and not on.any():
            continue
        if seen is None:  # an earlier item is in every row
            comma_on = on
        elif on is None:
            comma_on = seen
        else:
            comma_on = on & seen
        if comma_on is None or comma_on.any():
            pieces.append(_in_rows(constant(","), comma_on))
        pieces.extend(_in_rows(p, on) for p in item)
        seen = None if (seen is None or on is None) else seen | on
    pieces.append(constant("]"))
    return assemble(pieces, n)


__all__ = ["Piece", "assemble", "constant", "json_list", "labels", "numbers"]
