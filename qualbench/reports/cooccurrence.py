"""Code co-occurrence: how often two codes meet, on overlapping spans or in the same unit.

Two ways of meeting (``mode``):

- ``overlap``: a coding of A and a coding of B in the same document whose spans share at least
  one character (touching spans do not overlap). ``count[A][B]`` is the number of such pairs of
  codings; ``jaccard[A][B]`` = (codings of A that overlap a coding of B + codings of B that
  overlap a coding of A) / (codings of A + codings of B): the share of the two codes' codings
  that meet the other code, 1 when every one does. The diagonal holds the code's codings.
- ``sentence``, ``paragraph``, ``turn``, ``document`` (:mod:`qualbench.segments`): a code is
  present in a unit when any character of the unit is coded with it. ``count[A][B]`` is the
  number of units where both are present; ``jaccard[A][B]`` = |units with A and B| / |units
  with A or B|. The diagonal holds the units with the code.

``same_coder`` counts only what one coder did: in overlap mode a pair must be one coder's
codings; in unit modes the items are (unit, coder) pairs, so A and B meet in a unit only where
one coder used both, and the Jaccard index is over those pairs.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import Session

from qualbench.db import CODING, DOCUMENT, TURN
from qualbench.errors import UserError
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.reports.filters import EVERYTHING, Filters, Selection
from qualbench.segments import unit_spans
from qualbench.services.codes import code_tree, descendants

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MODES = ("overlap", "sentence", "paragraph", "turn", "document")
COUNT_DEFINITIONS = {
    "overlap": "pairs of overlapping codings (same document, at least one character in common)",
    "unit": "{units} in which both codes are present (any character coded)",
}
JACCARD_DEFINITIONS = {
    "overlap": "Jaccard = (codings of A overlapping a coding of B + codings of B overlapping a "
    "coding of A) / (codings of A + codings of B)",
    "unit": "Jaccard = {units} with A and B / {units} with A or B",
}


@dataclass(frozen=True)
class CodeHeading:
    """A row (and the same column) of a matrix: a code of the codebook."""

    code_id: int
    path: str
    name: str
    depth: int


@dataclass(frozen=True)
class Pair:
    """One cell above the diagonal, for long-form exports (R, SPSS)."""

    a: CodeHeading
    b: CodeHeading
    count: int
    jaccard: float | None


@dataclass
class Cooccurrence:
    """A symmetric codes x codes matrix; ``codes`` are the codes with at least one counted
    coding, in codebook order."""

    mode: str
    same_coder: bool
    codes: list[CodeHeading]
    counts: list[list[int]]
    jaccard: list[list[float | None]]
    frequency: list[int]  # the diagonal: codings (overlap) or units with the code
    items: int  # codings counted (overlap) or units examined (unit modes)
    unit_description: str
    count_definition: str
    jaccard_definition: str
    notes: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)

    def pairs(self, *, include_zero: bool = False) -> list[Pair]:
        """Every pair of different codes (above the diagonal) as long-form rows."""
        out = []
        for i, a in enumerate(self.codes):
            for j in range(i + 1, len(self.codes)):
                if include_zero or self.counts[i][j]:
                    out.append(Pair(a, self.codes[j], self.counts[i][j], self.jaccard[i][j]))
        return out


def cooccurrence(
    session: Session,
    *,
    mode: str = "overlap",
    same_coder: bool = False,
    filters: Filters = EVERYTHING,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> Cooccurrence:
    """Count how often codes meet (see the module docstring for every definition).

    ``filters`` choose the codings (coders, codes with their sub-codes, documents, kinds,
    attribute values). With a participant filter, unit modes count only the units the matching
    participants speak (a unit belongs to the speaker of its first character); overlap mode
    counts the codings in which a matching participant speaks. One progress step per document.
    """
    if mode not in MODES:
        raise UserError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    sel = filters.select(session)
    nodes = code_tree(session)
    if filters.code_ids:
        keep = {d for c in filters.code_ids for d in descendants(session, c)}
        nodes = [n for n in nodes if n.id in keep]
    n = len(nodes)
    c = _sorted_codings(session, sel, [node.id for node in nodes])
    if cancel():
        raise Cancelled
    if mode == "overlap":
        counts, freq, met = _overlaps(c, n, same_coder)
        items = int(freq.sum())
        description = "overlapping coded spans"
        progress(1, 1, "codings")
    else:
        counts, freq, items, description = _units(
            session, sel, c, n, mode, same_coder, progress, cancel
        )
        met = counts
    keep_idx = [i for i in range(n) if freq[i]]
    codes = [
        CodeHeading(nodes[i].id, nodes[i].path, nodes[i].name, nodes[i].depth) for i in keep_idx
    ]
    count_list, freq_list, met_list = counts.tolist(), freq.tolist(), met.tolist()
    matrix = [[count_list[i][j] if i != j else freq_list[i] for j in keep_idx] for i in keep_idx]
    jac: list[list[float | None]] = []
    for i in keep_idx:
        row: list[float | None] = []
        for j in keep_idx:
            if i == j:
                row.append(1.0)
            elif mode == "overlap":
                row.append(met_list[i][j] / (freq_list[i] + freq_list[j]))
            else:
                union = freq_list[i] + freq_list[j] - count_list[i][j]
                row.append(count_list[i][j] / union if union else None)
        jac.append(row)
    units = {
        "sentence": "sentences",
        "paragraph": "paragraphs",
        "turn": "speaker turns",
        "document": "documents",
    }
    kind = "overlap" if mode == "overlap" else "unit"
    count_def = COUNT_DEFINITIONS[kind].format(units=units.get(mode, ""))
    jac_def = JACCARD_DEFINITIONS[kind].format(units=units.get(mode, ""))
    if same_coder:
        count_def += (
            "; only one coder's codings meet" if mode == "overlap" else "; units counted per coder"
        )
    diagonal = "codings" if mode == "overlap" else f"{units[mode]} with the code"
    notes = [f"count: {count_def}; the diagonal holds each code's {diagonal}", jac_def]
    if sel.case_ids is not None:
        notes.append(
            "only codings in which a matching participant speaks"
            if mode == "overlap"
            else "only units spoken by matching participants"
        )
    coders = sel.coders(session)
    return Cooccurrence(
        mode=mode,
        same_coder=same_coder,
        codes=codes,
        counts=matrix,
        jaccard=jac,
        frequency=[freq_list[i] for i in keep_idx],
        items=items,
        unit_description=description,
        count_definition=count_def,
        jaccard_definition=jac_def,
        notes=notes,
        coders=list(coders),
        filters=list(sel.conditions),
    )


@dataclass
class _Codings:
    """Counted codings as arrays sorted by document, start, end; ``code`` is the position in
    the matrix's code list."""

    doc: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    code: npt.NDArray[np.int64]
    coder: npt.NDArray[np.int64]


def _sorted_codings(session: Session, sel: Selection, code_ids: list[int]) -> _Codings:
    import numpy as np

    from qualbench.reports.filters import int_array, plain_rows

    rows = int_array(
        plain_rows(
            session,
            select(
                CODING.c.document_id,
                CODING.c.start,
                CODING.c.end,
                CODING.c.code_id,
                CODING.c.coder_id,
            ).where(sel.where),
        ),
        5,
    )
    known = np.array(sorted(code_ids), dtype=np.int64)
    position = np.array([code_ids.index(c) for c in known.tolist()], dtype=np.int64)
    at = np.minimum(np.searchsorted(known, rows[:, 3]), max(len(known) - 1, 0))
    found = (known[at] == rows[:, 3]) if len(known) else np.zeros(len(rows), dtype=bool)
    rows = rows[found]
    code = position[at[found]]
    order = np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))
    return _Codings(rows[order, 0], rows[order, 1], rows[order, 2], code[order], rows[order, 4])


def _distinct(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Sorted distinct values (a sort is faster than np.unique's hashing here)."""
    import numpy as np

    values = np.sort(values)
    if len(values):
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def _pairs_after(k: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(i, j) for every i and the ``k[i]`` positions right after it."""
    import numpy as np

    i = np.repeat(np.arange(len(k)), k)
    j = i + 1 + (np.arange(len(i)) - np.repeat(np.cumsum(k) - k, k))
    return i, j


def _overlaps(
    c: _Codings, n: int, same_coder: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(pair counts, codings per code, codings meeting the other code per pair), n x n.

    Codings are sorted by document and start, so those a coding overlaps further on are the
    ones right after it that start before it ends (in its document)."""
    import numpy as np

    m = len(c.start)
    freq = np.bincount(c.code, minlength=n)
    if not m:
        return np.zeros((n, n), dtype=np.int64), freq, np.zeros((n, n), dtype=np.int64)
    width = int(c.end.max()) + 1
    begins, ends = c.doc * width + c.start, c.doc * width + c.end
    i, j = _pairs_after(np.searchsorted(begins, ends, side="left") - np.arange(m) - 1)
    keep = c.code[i] != c.code[j]
    if same_coder:
        keep &= c.coder[i] == c.coder[j]
    i, j = i[keep], j[keep]
    key = np.minimum(c.code[i], c.code[j]) * n + np.maximum(c.code[i], c.code[j])
    counts = np.bincount(key, minlength=n * n).reshape(n, n)
    met_keys = _distinct(np.concatenate((key * m + i, key * m + j)))
    met = np.bincount(met_keys // m, minlength=n * n).reshape(n, n)
    return counts + counts.T, freq, met + met.T


@dataclass
class Layout:
    """One document's text, its units of analysis and its speaker turns (sorted)."""

    text: str
    units: list[tuple[int, int]]
    description: str
    turns: list[tuple[int, int, int | None, str, int | None]]  # start, end, case, speaker, ms
    _starts: list[int] = field(default_factory=list)
    _paragraphs: list[int] | None = None

    def turn_at(self, offset: int) -> int | None:
        """Index of the turn holding ``offset``, or None."""
        if not self._starts and self.turns:
            self._starts = [t[0] for t in self.turns]
        i = bisect.bisect_right(self._starts, offset) - 1
        return i if i >= 0 and offset < self.turns[i][1] else None

    def paragraph_at(self, offset: int) -> int:
        """Paragraph number as excerpt exports count them: non-empty lines up to ``offset``,
        from 1."""
        if self._paragraphs is None:
            self._paragraphs, pos = [], 0
            for line in self.text.split("\n"):
                if line.strip():
                    self._paragraphs.append(pos)
                pos += len(line) + 1
        return max(1, bisect.bisect_right(self._paragraphs, offset))

    def speaker_at(self, offset: int) -> int | None:
        """The participant speaking at ``offset`` (None outside every turn)."""
        i = self.turn_at(offset)
        return None if i is None else self.turns[i][2]


def layout(session: Session, doc_id: int, unit: str) -> Layout:
    """Read one document's text and turns and cut it into units (see :mod:`qualbench.segments`)."""
    text = session.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == doc_id)).scalar_one()
    rows = session.execute(
        select(
            TURN.c.start,
            TURN.c.body_start,
            TURN.c.end,
            TURN.c.case_id,
            TURN.c.speaker,
            TURN.c.timestamp_ms,
        )
        .where(TURN.c.document_id == doc_id)
        .order_by(TURN.c.start)
    ).all()
    spans, description = unit_spans(text, [(r[0], r[1], r[2]) for r in rows], unit)
    return Layout(text, spans, description, [(r[0], r[2], r[3], r[4], r[5]) for r in rows])


def units_touched(starts: Sequence[int], ends: Sequence[int], start: int, end: int) -> range:
    """Indexes of the sorted, disjoint units ``[starts[k], ends[k])`` sharing a character with
    ``[start, end)``."""
    return range(bisect.bisect_right(ends, start), bisect.bisect_left(starts, end))


def _units(
    session: Session,
    sel: Selection,
    c: _Codings,
    n: int,
    unit: str,
    same_coder: bool,
    progress: Progress,
    cancel: CancelCheck,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int, str]:
    """Presence of each code in each unit of every counted document: (pair counts, units per
    code, units examined, what the units are)."""
    import numpy as np

    doc_ids = [
        d
        for d in session.execute(select(DOCUMENT.c.id).order_by(DOCUMENT.c.id)).scalars()
        if sel.document_allowed(d)
    ]
    bounds = np.searchsorted(c.doc, np.array(doc_ids, dtype=np.int64))
    stops = np.searchsorted(c.doc, np.array(doc_ids, dtype=np.int64), side="right")
    examined = 0
    descriptions: set[str] = set()
    units: list[npt.NDArray[np.int64]] = []
    codes: list[npt.NDArray[np.int64]] = []
    coders: list[npt.NDArray[np.int64]] = []
    for done, (doc_id, a, b) in enumerate(
        zip(doc_ids, bounds.tolist(), stops.tolist(), strict=True), start=1
    ):
        if cancel():
            raise Cancelled
        doc = layout(session, doc_id, unit)  # read even without codings: its units count
        descriptions.add(doc.description)
        spans = doc.units
        if sel.case_ids is not None:
            spans = [s for s in spans if sel.case_allowed(doc.speaker_at(s[0]))]
        if spans and b > a:
            u = np.array(spans, dtype=np.int64).reshape(-1, 2)
            first = np.searchsorted(u[:, 1], c.start[a:b], side="right")
            count = np.maximum(np.searchsorted(u[:, 0], c.end[a:b], side="left") - first, 0)
            which = np.repeat(np.arange(b - a), count)
            within = np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count)
            units.append(examined + first[which] + within)
            codes.append(c.code[a:b][which])
            coders.append(c.coder[a:b][which])
        examined += len(spans)
        progress(done, len(doc_ids), "documents")
    unit_of = np.concatenate(units) if units else np.zeros(0, dtype=np.int64)
    code_of = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
    if same_coder and units:
        coder_of = np.concatenate(coders)
        _, coder_rank = np.unique(coder_of, return_inverse=True)
        unit_of = unit_of * (int(coder_rank.max()) + 1) + coder_rank.reshape(-1)
    present = _distinct(unit_of * n + code_of)  # (unit, code) once, sorted by unit then code
    item, code = present // n, present % n
    freq = np.bincount(code, minlength=n)
    group_end = np.searchsorted(item, item, side="right")
    i, j = _pairs_after(group_end - np.arange(len(item)) - 1)
    counts = np.bincount(code[i] * n + code[j], minlength=n * n).reshape(n, n)
    fallback = [d for d in descriptions if "has no speaker turns" in d]
    description = next(iter(descriptions - set(fallback)), "") or next(iter(descriptions), unit)
    if fallback:
        description += "; paragraphs in documents without speaker turns"
    return counts + counts.T, freq, examined, description
