"""Words coded: the words of the text that codings cover, each counted once.

A word is a run of non-space characters (as ``str.split()`` cuts text); it counts when any of
its characters is coded, and belongs to the participant whose turn holds its first character.
Speaker labels ("P1:") are no one's words and never count. Every word of the counted documents
gets a global index and a column (its document's, or its speaker's); a code's coded spans become
ranges of word indexes whose union is cut at the bounds of the columns' runs of words, so text
coded twice (two coders, overlapping segments) counts once and the cost follows the codings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlmodel import Session

from qualbench.db import CODING, DOCUMENT, TURN
from qualbench.progress import CancelCheck, Cancelled, Progress
from qualbench.reports.filters import Selection, int_array, plain_rows

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass
class CodedWords:
    columns: list[str]
    rows: dict[int, dict[str, int]]  # code id (row) -> column -> words coded
    column_words: dict[str, int]
    all_words: int

    def column_has_words(self, col: str) -> bool:
        return any(r.get(col) for r in self.rows.values())


_SPACES: list[npt.NDArray[np.bool_]] = []  # is each code point up to U+3001 white space


def word_bounds(text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Starts and ends of the words of ``text`` (runs of non-space characters, as
    ``str.split()`` cuts them), as sorted arrays of code-point offsets."""
    import numpy as np

    if not _SPACES:  # every code point above U+3000 is not white space
        _SPACES.append(np.array([chr(i).isspace() for i in range(0x3001)] + [False]))
    table = _SPACES[0]
    if not text:
        nothing = np.zeros(0, dtype=np.int64)
        return nothing, nothing
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    space = table[np.minimum(points, 0x3001)]
    word = ~space
    starts = np.flatnonzero(word & np.concatenate(([True], space[:-1])))
    ends = np.flatnonzero(word & np.concatenate((space[1:], [True]))) + 1
    return starts.astype(np.int64), ends.astype(np.int64)


def coded_words(
    session: Session,
    sel: Selection,
    column: Callable[[int, int | None], str],
    case_based: bool,
    subtree: dict[int, list[int]],
    docs: dict[int, tuple[str, str]],
    *,
    progress: Progress,
    cancel: CancelCheck,
) -> CodedWords:
    """Words coded per row and column: every word of the counted documents gets a global index
    and a column (its document's, or its speaker's); each row's coded spans become index ranges
    whose union is marked once, then counted per column."""
    import numpy as np

    doc_ids = [d for d in docs if sel.document_allowed(d)]
    turn_rows = int_array(
        plain_rows(
            session,
            select(
                TURN.c.document_id,
                TURN.c.start,
                TURN.c.body_start,
                TURN.c.end,
                func.coalesce(TURN.c.case_id, -1),
            ).order_by(TURN.c.document_id, TURN.c.start),
        ),
        5,
    )
    cut = np.flatnonzero(np.diff(turn_rows[:, 0])) + 1
    turn_slices = {
        int(turn_rows[a, 0]): (int(a), int(b))
        for a, b in zip(
            np.concatenate(([0], cut)).tolist(),
            np.append(cut, len(turn_rows)).tolist(),
            strict=True,
        )
        if a < b
    }
    col_index: dict[str, int] = {}

    def index(name: str) -> int:
        return col_index.setdefault(name, len(col_index))

    filtered = sel.case_ids is not None
    word_cols: list[npt.NDArray[np.int64]] = []
    bounds: dict[int, tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64]]] = {}
    offset = 0
    for i, doc_id in enumerate(doc_ids):
        if cancel():
            raise Cancelled
        text = session.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == doc_id)).scalar_one()
        starts, ends = word_bounds(text)
        outside = -1 if filtered else index(column(doc_id, None))
        cols = np.full(len(starts), outside, dtype=np.int64)
        a, b = turn_slices.get(doc_id, (0, 0))
        if b > a and len(starts):
            t = turn_rows[a:b]
            # Each turn is three ranges: label, words, and the gap before the next turn; a
            # word belongs to the range holding its first character.
            k = np.searchsorted(t[:, 1:4].reshape(-1), starts, side="right") - 1
            inside, part = k >= 0, k % 3
            cols[inside & (part == 0)] = -1  # the speaker's label is nobody's words
            if case_based or filtered:
                people, turn_person = np.unique(t[:, 4], return_inverse=True)
                person_col = np.array(
                    [
                        index(column(doc_id, None if p < 0 else p))
                        if sel.case_allowed(None if p < 0 else p)
                        else -1
                        for p in people.tolist()
                    ],
                    dtype=np.int64,
                )
                body = inside & (part == 1)
                cols[body] = person_col[turn_person.reshape(-1)[k[body] // 3]]
        word_cols.append(cols)
        bounds[doc_id] = (offset, starts, ends)
        offset += len(starts)
        progress(i + 1, len(doc_ids), "reading documents")
    word_col = np.concatenate(word_cols) if word_cols else np.zeros(0, dtype=np.int64)
    n_words, n_cols = len(word_col), len(col_index)
    counted = word_col >= 0
    rows_ = int_array(
        plain_rows(
            session,
            select(CODING.c.code_id, CODING.c.document_id, CODING.c.start, CODING.c.end)
            .where(sel.own)
            .order_by(CODING.c.document_id),
        ),
        4,
    )
    # Codings of documents not counted are dropped here; a participant filter needs no SQL:
    # the words of participants not counted have no column (-1) and are never counted.
    rows_ = rows_[np.isin(rows_[:, 1], np.array(list(bounds), dtype=np.int64))]
    code_arr = rows_[:, 0]
    lo = np.zeros(len(rows_), dtype=np.int64)
    hi = np.zeros(len(rows_), dtype=np.int64)
    if len(rows_):
        doc_col = rows_[:, 1]
        cut = np.flatnonzero(np.diff(doc_col)) + 1
        for a, b in zip(
            np.concatenate(([0], cut)), np.concatenate((cut, [len(rows_)])), strict=True
        ):
            off, starts, ends = bounds[int(doc_col[a])]
            lo[a:b] = np.searchsorted(ends, rows_[a:b, 2], side="right") + off
            hi[a:b] = np.searchsorted(starts, rows_[a:b, 3], side="left") + off
    names = sorted(col_index, key=col_index.__getitem__)
    # Runs of words with one column (a document, a speaker's turn, a label): each row's union
    # of coded word ranges is cut at their bounds and the pieces' lengths summed per column.
    seg_start = np.flatnonzero(np.diff(word_col, prepend=-2))  # word_col is never -2
    seg_end = np.append(seg_start[1:], n_words)
    seg_col = word_col[seg_start]
    keep = hi > lo  # a coding of white space only covers no word
    code_arr, lo, hi = code_arr[keep], lo[keep], hi[keep]
    out: dict[int, dict[str, int]] = {}
    for row_id, members in subtree.items():
        if cancel():
            raise Cancelled
        mask = np.isin(code_arr, members)
        r_lo, r_hi = _union_ranges(lo[mask], hi[mask])
        first = np.searchsorted(seg_start, r_lo, side="right") - 1
        pieces = np.searchsorted(seg_start, r_hi, side="left") - first
        which = np.repeat(np.arange(len(r_lo)), pieces)
        seg = first[which] + (np.arange(len(which)) - np.repeat(np.cumsum(pieces) - pieces, pieces))
        length = np.minimum(r_hi[which], seg_end[seg]) - np.maximum(r_lo[which], seg_start[seg])
        cols = seg_col[seg]
        per_col = np.bincount(cols[cols >= 0], weights=length[cols >= 0], minlength=n_cols)
        out[row_id] = {names[c]: int(v) for c, v in enumerate(per_col.tolist()) if v}
    totals = np.bincount(word_col[counted], minlength=n_cols)
    return CodedWords(
        columns=names,
        rows=out,
        column_words={names[c]: int(v) for c, v in enumerate(totals)},
        all_words=int(totals.sum()),
    )


def _union_ranges(
    lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The union of ranges ``[lo, hi)`` as sorted, disjoint ranges."""
    import numpy as np

    if not len(lo):
        return lo, hi
    order = np.argsort(lo, kind="stable")
    lo, hi = lo[order], np.maximum.accumulate(hi[order])
    new = np.concatenate(([True], lo[1:] > hi[:-1]))  # a range that starts past all before it
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(lo)) - 1
    return lo[starts], hi[ends]
