"""Theme-frequency tables: codes x documents, participants or attribute values.

Cell measures (``MEASURES``):

- ``codings``: coded segments;
- ``documents``: documents with at least one;
- ``participants``: distinct participants speaking in a coded segment ("count once per
  participant");
- ``pct_participants``: participants with the code / participants in the column x 100;
- ``words``: words in the union of the code's coded spans, so text coded twice (two coders, two
  overlapping segments) counts once. A word is a run of non-space characters; it counts when any
  of its characters is coded, and belongs to the participant whose turn holds its first
  character; speaker labels ("P1:") are no one's words and never count. Only computed when
  asked (``theme_table(words=True)``): it reads every text.

Row and column percentages of the counts (:meth:`ThemeTable.value`): a row percentage divides by
the row's total; a column percentage by the column's base: its codings (of the codes counted),
documents, participants or words of text.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlmodel import Session

from qualbench.db import ATTRIBUTE, CASES, CODING, CODING_CASE, DOCUMENT, TURN
from qualbench.progress import CancelCheck, Progress, never, no_progress
from qualbench.reports.filters import EVERYTHING, Filters, Selection, int_array, plain_rows
from qualbench.reports.words import CodedWords, coded_words
from qualbench.services.cases import values_of
from qualbench.services.codes import code_tree, descendants
from qualbench.services.documents import NotFound

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

NO_VALUE = "(no value)"
NO_SPEAKER = "(no speaker)"
MEASURES = ("codings", "documents", "participants", "pct_participants", "words")
COUNTS = ("codings", "documents", "participants", "words")  # measures percentages apply to
PERCENTS = ("row", "column")
MEASURE_LABELS = {
    "codings": "codings",
    "documents": "documents",
    "participants": "participants",
    "pct_participants": "% of participants",
    "words": "words coded",
}
MEASURE_NOTES = {
    "codings": "number of coded segments",
    "documents": "number of documents with at least one coded segment",
    "participants": "number of distinct participants speaking in a coded segment",
    "pct_participants": "participants with the code as a percentage of the participants in the column",
    "words": "words in the coded text, text coded more than once counted once",
}
PERCENT_NOTES = {
    "row": "percentage of the row total (the code's value over all columns)",
    "column": "percentage of the column's {base}",
}
_BASES = {
    "codings": "codings (of the codes counted)",
    "documents": "documents",
    "participants": "participants",
    "words": "words of text",
}


@dataclass(frozen=True)
class Cell:
    """One code in one column. ``pct_participants`` is None where the column has no
    participants; ``words`` is None unless the table was built with ``words=True``."""

    codings: int = 0
    documents: int = 0
    participants: int = 0
    pct_participants: float | None = None
    words: int | None = None

    def get(self, measure: str) -> int | float:
        """The cell's number, 0 where a percentage is undefined (for charts and sums);
        :meth:`ThemeTable.value` tells undefined apart (None)."""
        value = self.value(measure)
        return 0 if value is None else value

    def value(self, measure: str) -> int | float | None:
        """The cell's number, None where it is undefined (no participants in the column)."""
        if measure not in MEASURES:
            raise ValueError(f"measure must be one of {', '.join(MEASURES)}")
        if measure == "words" and self.words is None:
            raise ValueError("words coded were not computed: build the table with words=True")
        found: int | float | None = getattr(self, measure)
        return found


@dataclass
class ThemeRow:
    code_id: int
    path: str
    name: str
    depth: int
    cells: dict[str, Cell]
    total: Cell


@dataclass
class ThemeTable:
    """Codes x columns (documents, participants, or values of an attribute).

    ``column_*`` are each column's bases (documents, participants, codings counted, words of
    text; words only with ``words=True``); ``all_*`` the same for the whole table (the total
    column). ``filters`` says in words which filters applied."""

    by: str
    columns: list[str]
    rows: list[ThemeRow]
    column_documents: dict[str, int]
    column_participants: dict[str, int]
    notes: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)  # whose codings were counted
    rollup: bool = False
    column_codings: dict[str, int] = field(default_factory=dict)
    column_words: dict[str, int] = field(default_factory=dict)
    all_documents: int = 0
    all_participants: int = 0
    all_codings: int = 0
    all_words: int | None = None
    words: bool = False
    filters: list[str] = field(default_factory=list)

    @property
    def measures(self) -> tuple[str, ...]:
        """The measures this table holds (``words`` only when it was computed)."""
        return MEASURES if self.words else tuple(m for m in MEASURES if m != "words")

    def base(self, column: str | None, measure: str) -> int | None:
        """The denominator of a column percentage (``column`` None: the total column)."""
        if measure not in COUNTS:
            raise ValueError(f"percentages are of {', '.join(COUNTS)}")
        if measure == "words" and not self.words:
            return None
        if column is None:
            return {
                "codings": self.all_codings,
                "documents": self.all_documents,
                "participants": self.all_participants,
                "words": self.all_words,
            }[measure]
        source = {
            "codings": self.column_codings,
            "documents": self.column_documents,
            "participants": self.column_participants,
            "words": self.column_words,
        }[measure]
        return source.get(column, 0)

    def value(
        self, row: ThemeRow, column: str | None, measure: str, percent: str | None = None
    ) -> int | float | None:
        """A cell (``column`` None: the row's total) as a count, or as a row or column
        percentage (0-100) of a count; None where it is not defined (a zero denominator,
        words not computed)."""
        cell = row.total if column is None else row.cells[column]
        v = cell.value(measure)
        if percent is None or v is None:
            return v
        if percent not in PERCENTS:
            raise ValueError(f"percent must be one of {', '.join(PERCENTS)}")
        if measure not in COUNTS:
            raise ValueError(f"{MEASURE_LABELS[measure]} is already a percentage")
        base = row.total.value(measure) if percent == "row" else self.base(column, measure)
        return 100.0 * v / base if base else None

    def describe(self, measure: str, percent: str | None = None) -> str:
        """What a cell counts, in words, for captions and notes."""
        what = MEASURE_NOTES[measure]
        if percent == "row":
            return f"{what}, as a {PERCENT_NOTES['row']}"
        if percent == "column":
            return f"{what}, as a " + PERCENT_NOTES["column"].format(base=_BASES[measure])
        return what


def resolve_by(session: Session, by: str) -> tuple[str, str | None]:
    """``document``, ``case``, ``kind``, ``document:ATTR``, ``case:ATTR`` or a bare attribute name
    -> (scope, attribute or None)."""
    by = by.strip()
    if by in {"document", "case", "kind"}:
        return by, None
    scope, _, name = by.partition(":")
    if name and scope in {"document", "case"}:
        candidates = [(scope, name)]
    else:
        name = by
        candidates = [(s, by) for s in ("document", "case")]
    found = [
        (s, n)
        for s, n in candidates
        if session.execute(
            select(ATTRIBUTE.c.id).where(and_(ATTRIBUTE.c.scope == s, ATTRIBUTE.c.name == n))
        ).first()
    ]
    if not found:
        other = {"document": "case", "case": "document"}.get(scope) if name != by else None
        if (
            other
            and session.execute(
                select(ATTRIBUTE.c.id).where(
                    and_(ATTRIBUTE.c.scope == other, ATTRIBUTE.c.name == name)
                )
            ).first()
        ):
            raise NotFound(
                f"{name!r} is an attribute of {other}s, not {scope}s; use {other}:{name}"
            )
        raise NotFound(f"no attribute {name!r}; use document, case, kind or an attribute name")
    if len(found) > 1:
        raise NotFound(
            f"{name!r} is an attribute of documents and of cases; say document:{name} or case:{name}"
        )
    return found[0]


def theme_table(
    session: Session,
    *,
    by: str = "document",
    filters: Filters = EVERYTHING,
    rollup: bool = False,
    words: bool = False,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> ThemeTable:
    """Codings, documents, participants (and, with ``words``, words coded) per code and column.

    A coding belongs to its document and to every participant speaking in its span. In tables
    by participant (or participant attribute), a coding spanning two speakers counts in each of
    their columns once; the row total counts it once. With a participant filter, only matching
    participants are counted and only their columns shown. ``progress``/``cancel`` matter only
    for ``words`` (one step per document read).
    """
    scope, attr = resolve_by(session, by)
    sel = filters.select(session)
    docs: dict[int, tuple[str, str]] = {
        r.id: (r.name, r.kind)
        for r in session.execute(
            select(DOCUMENT.c.id, DOCUMENT.c.name, DOCUMENT.c.kind).order_by(
                DOCUMENT.c.position, DOCUMENT.c.id
            )
        )
    }
    cases = dict(
        sorted(session.execute(select(CASES.c.id, CASES.c.name)).all(), key=lambda r: r[1])
    )  # code-point order on every engine
    doc_values = values_of(session, scope="document") if scope == "document" and attr else {}
    case_values = values_of(session, scope="case") if scope == "case" and attr else {}
    case_based = scope == "case"

    def column_of(doc_id: int, case_id: int | None) -> str:
        if scope == "kind":
            return docs[doc_id][1].replace("_", " ")
        if scope == "document":
            return str(doc_values.get(doc_id, {}).get(attr, NO_VALUE) if attr else docs[doc_id][0])
        if case_id is None:
            return NO_SPEAKER
        return case_values.get(case_id, {}).get(attr, NO_VALUE) if attr else cases[case_id]

    memo: dict[tuple[int, int | None], str] = {}

    def column(doc_id: int, case_id: int | None) -> str:
        key = (doc_id, case_id if case_based else None)
        col = memo.get(key)
        if col is None:
            col = memo[key] = column_of(doc_id, case_id)
        return col

    where = sel.where
    # One indexed GROUP BY gives every (code, document, participant-at-start) with its count;
    # it filters only on the coding's own columns (the index covers them): documents and
    # participants are kept or dropped afterwards, in _fold. Further participants of codings
    # that span several speakers (rare) come from coding_case.
    grouped = plain_rows(
        session,
        select(
            CODING.c.code_id,
            CODING.c.document_id,
            func.coalesce(CODING.c.case_id, -1),
            func.count(),
        )
        .where(sel.own)
        .group_by(CODING.c.code_id, CODING.c.document_id, CODING.c.case_id),
    )
    reached = session.execute(
        select(CODING.c.code_id, CODING.c.document_id, CODING_CASE.c.case_id)
        .join(CODING_CASE, CODING_CASE.c.coding_id == CODING.c.id)
        .where(where)
        .distinct()
    ).all()
    spanning: Counter[tuple[int, str]] = Counter()
    extra_totals: Counter[int] = Counter()
    if reached and (case_based or sel.case_ids is not None):
        _count_spanning_codings(
            session, where, column, sel.case_allowed, case_based, spanning, extra_totals
        )
    nodes = code_tree(session)
    if filters.code_ids:
        keep = {d for c in filters.code_ids for d in descendants(session, c)}
        nodes = [n for n in nodes if n.id in keep]
    subtree = {n.id: (descendants(session, n.id) if rollup else [n.id]) for n in nodes}
    folded = _fold(grouped, reached, spanning, extra_totals, column, subtree, case_based, sel)
    col_docs, col_cases, all_docs_n, all_cases_n = _column_sizes(session, column, docs, sel)
    used = set(folded.column_codings)
    columns = _columns(scope, attr, docs, cases, doc_values, case_values, used)
    if sel.document_ids is not None or sel.case_ids is not None:
        columns = [c for c in columns if c in col_docs or c in col_cases or c in used]
    coded: CodedWords | None = None
    if words:
        coded = coded_words(
            session, sel, column, case_based, subtree, docs, progress=progress, cancel=cancel
        )
        columns += [c for c in coded.columns if c not in columns and coded.column_has_words(c)]

    def pct(n: int, base: int | None) -> float | None:
        return 100.0 * n / base if base else None

    blank = {c: Cell(0, 0, 0, pct(0, col_cases.get(c))) for c in columns}
    rows = []
    for n in nodes:
        w_cells = coded.rows[n.id] if coded else {}
        cells = (
            {c: dataclasses.replace(blank[c], words=w_cells.get(c, 0)) for c in columns}
            if coded
            else dict(blank)
        )
        for col, (c_n, d_n, p_n) in folded.cells.get(n.id, {}).items():
            cells[col] = Cell(
                c_n, d_n, p_n, pct(p_n, col_cases.get(col)), w_cells.get(col, 0) if coded else None
            )
        d_all, p_all = folded.row_documents.get(n.id, 0), folded.row_participants.get(n.id, 0)
        total = Cell(
            sum(folded.totals.get(cid, 0) for cid in subtree[n.id]),
            d_all,
            p_all,
            pct(p_all, all_cases_n),
            sum(w_cells.values()) if coded else None,
        )
        rows.append(ThemeRow(n.id, n.path, n.name, n.depth, cells, total))
    notes = [
        "codings: number of coded segments; documents: documents with at least one; participants: "
        "distinct participants speaking in a coded segment; % of participants: of the participants "
        "in the column"
        + (
            "; words coded: words in the coded text, text coded twice counted once" if words else ""
        ),
    ]
    if rollup:
        notes.append("each code includes the codings of its sub-codes")
    if case_based:
        notes.append(
            "a segment spanning several speakers counts once for each of their columns and once in the total"
        )
    if sel.case_ids is not None:
        notes.append("only the participants matching the filter are counted")
    counted = sel.coders(session)
    return ThemeTable(
        by=by,
        columns=columns,
        rows=rows,
        column_documents=col_docs,
        column_participants=col_cases,
        notes=notes,
        coders=list(counted),
        rollup=rollup,
        column_codings=folded.column_codings,
        column_words=dict(coded.column_words) if coded else {},
        all_documents=all_docs_n,
        all_participants=all_cases_n,
        all_codings=sum(folded.totals.values()),
        all_words=coded.all_words if coded else None,
        words=words,
        filters=list(sel.conditions),
    )


def _count_spanning_codings(
    session: Session,
    where: ColumnElement[bool],
    column: Callable[[int, int | None], str],
    allowed: Callable[[int | None], bool],
    case_based: bool,
    codings: Counter[tuple[int, str]],
    totals: Counter[int],
) -> None:
    """Codings that reach further participants: in tables by participant, each counts once in
    every further column its (counted) speakers fall in. With a participant filter, one whose
    first speaker is not counted but a further one is counts in the total (and, in other
    tables, in its document's column)."""
    rows = session.execute(
        select(
            CODING.c.id,
            CODING.c.code_id,
            CODING.c.document_id,
            CODING.c.case_id,
            CODING_CASE.c.case_id,
        )
        .join(CODING_CASE, CODING_CASE.c.coding_id == CODING.c.id)
        .where(where)
        .order_by(CODING.c.id)
    ).all()
    for _, group in itertools.groupby(rows, key=lambda r: r[0]):
        items = list(group)
        _, code_id, doc_id, primary, _ = items[0]
        further = {column(doc_id, r[4]) for r in items if allowed(r[4])}
        if allowed(primary):
            home: str | None = column(doc_id, primary)
        else:
            home = None
            if further:
                totals[code_id] += 1
                if not case_based:
                    codings[(code_id, column(doc_id, None))] += 1
        if case_based:
            for col in further - {home}:
                codings[(code_id, col)] += 1


@dataclass
class _Folded:
    cells: dict[int, dict[str, tuple[int, int, int]]]  # row -> column -> codings, docs, people
    totals: dict[int, int]  # code id -> codings
    row_documents: dict[int, int]
    row_participants: dict[int, int]
    column_codings: dict[str, int]


def _fold(
    grouped: Sequence[Any],
    reached: Sequence[Any],
    spanning: Counter[tuple[int, str]],
    extra_totals: Counter[int],
    column: Callable[[int, int | None], str],
    subtree: dict[int, list[int]],
    case_based: bool,
    sel: Selection,
) -> _Folded:
    """Fold (code, document, participant, count) groups into rows (a code, or with roll-up a
    code and its sub-codes) x columns, with numpy: codings add up; documents and participants
    are distinct sets, so a roll-up or a column of several documents counts each once."""
    import numpy as np

    g = int_array(grouped, 4)
    x = int_array(reached, 3)
    row_ids = list(subtree)
    code_ids = sorted({c for ms in subtree.values() for c in ms})
    code_pos = {c: i for i, c in enumerate(code_ids)}
    # Which rows each code counts in (itself, and its ancestors with roll-up), as flat arrays.
    in_rows: list[list[int]] = [[] for _ in code_ids]
    for r, rid in enumerate(row_ids):
        for c in subtree[rid]:
            in_rows[code_pos[c]].append(r)
    sorted_codes = np.array(code_ids, dtype=np.int64)

    def code_index(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Position of each code id among the table's codes, -1 for others."""
        if not code_ids:
            return np.full(len(values), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(sorted_codes, values), len(code_ids) - 1)
        found: npt.NDArray[np.int64] = np.where(sorted_codes[pos] == values, pos, -1)
        return found

    col_names: list[str] = []
    col_index: dict[str, int] = {}

    def col_id(name: str) -> int:
        i = col_index.get(name)
        if i is None:
            i = col_index[name] = len(col_names)
            col_names.append(name)
        return i

    def columns_of(
        doc: npt.NDArray[np.int64], case: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Column of each (document, participant) pair, worked out once per distinct pair."""
        key = doc * (1 << 32) + (case + 1 if case_based else 0)
        uniq, inverse = np.unique(key, return_inverse=True)
        out = np.empty(len(uniq), dtype=np.int64)
        for i, k in enumerate(uniq.tolist()):
            d, c = divmod(k, 1 << 32)
            out[i] = col_id(column(d, c - 1 if case_based and c else None))
        picked: npt.NDArray[np.int64] = out[inverse.reshape(-1)]
        return picked

    filtered = sel.case_ids is not None
    if filtered:
        allowed_ids = np.array(sorted(sel.case_ids or ()), dtype=np.int64)
        ok_g, ok_x = np.isin(g[:, 2], allowed_ids), np.isin(x[:, 2], allowed_ids)
    else:
        ok_g, ok_x = g[:, 2] >= 0, np.ones(len(x), dtype=bool)
    g_code, x_code = code_index(g[:, 0]), code_index(x[:, 0])
    # Groups that count where they are: a counted document, and (with a participant filter) a
    # counted participant where the coding starts; codings that only reach a counted
    # participant further on come from the spanning pass.
    home = g_code >= 0
    if sel.document_ids is not None:
        home &= np.isin(g[:, 1], np.array(sorted(sel.document_ids), dtype=np.int64))
    if filtered:
        home &= ok_g
    totals_by_pos = np.bincount(g_code[home], weights=g[home, 3], minlength=len(code_ids))
    g_col = columns_of(g[:, 1], np.where(g[:, 2] >= 0, g[:, 2], -1))
    x_keep = (x_code >= 0) & ok_x
    x_col = columns_of(x[x_keep, 1], x[x_keep, 2])
    span_items = [
        (code_pos[c], col_id(col), n) for (c, col), n in spanning.items() if c in code_pos
    ]
    n_cols, n_rows = max(len(col_names), 1), len(row_ids)

    def expand(codes: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(entry index, row) for every row each entry's code counts in."""
        lengths = np.array([len(in_rows[c]) for c in range(len(code_ids))], dtype=np.int64)
        flat = np.array([r for rs in in_rows for r in rs], dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lengths) else lengths
        reps = lengths[codes] if len(codes) else np.zeros(0, dtype=np.int64)
        entry = np.repeat(np.arange(len(codes)), reps)
        within = np.arange(len(entry)) - np.repeat(np.cumsum(reps) - reps, reps)
        return entry, flat[starts[codes[entry]] + within]

    # Codings per (row, column).
    c_code = np.concatenate((g_code[home], np.array([i[0] for i in span_items], dtype=np.int64)))
    c_col = np.concatenate((g_col[home], np.array([i[1] for i in span_items], dtype=np.int64)))
    c_n = np.concatenate((g[home, 3], np.array([i[2] for i in span_items], dtype=np.int64)))
    entry, row = expand(c_code)
    codings = np.bincount(
        row * n_cols + c_col[entry], weights=c_n[entry], minlength=n_rows * n_cols
    )
    col_codings_arr = np.bincount(c_col, weights=c_n, minlength=n_cols)

    def distinct(
        codes: npt.NDArray[np.int64], cols: npt.NDArray[np.int64], owners: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Distinct owners (documents or participants) per (row, column) and per row, as
        dense arrays (rows x columns, and rows)."""
        entry, row = expand(codes)
        _, owner = np.unique(owners, return_inverse=True)
        owner = owner.reshape(-1)[entry]
        m = int(owner.max()) + 1 if len(owner) else 1
        per_cell = np.bincount(
            np.unique((row * n_cols + cols[entry]) * m + owner) // m,
            minlength=n_rows * n_cols,
        )
        per_row = np.bincount(np.unique(row * m + owner) // m, minlength=n_rows)
        return per_cell.reshape(n_rows, n_cols), per_row

    d_code, d_col, d_own = g_code[home], g_col[home], g[home, 1]
    if case_based or filtered:
        d_code = np.concatenate((d_code, x_code[x_keep]))
        d_col = np.concatenate((d_col, x_col))
        d_own = np.concatenate((d_own, x[x_keep, 1]))
    docs, row_docs = distinct(d_code, d_col, d_own)
    p_mask = home & ok_g
    people, row_people = distinct(
        np.concatenate((g_code[p_mask], x_code[x_keep])),
        np.concatenate((g_col[p_mask], x_col)),
        np.concatenate((g[p_mask, 2], x[x_keep, 2])),
    )
    counts = codings.astype(np.int64).reshape(n_rows, n_cols)
    cells: dict[int, dict[str, tuple[int, int, int]]] = {}
    for r, rid in enumerate(row_ids):
        used = np.flatnonzero(counts[r] + docs[r] + people[r])
        cells[rid] = {
            col_names[c]: (n, d, p)
            for c, n, d, p in zip(
                used.tolist(),
                counts[r, used].tolist(),
                docs[r, used].tolist(),
                people[r, used].tolist(),
                strict=True,
            )
        }
    return _Folded(
        cells=cells,
        totals={
            c: n + extra_totals.get(c, 0)
            for c, n in zip(code_ids, totals_by_pos.astype(np.int64).tolist(), strict=True)
        },
        row_documents=dict(zip(row_ids, row_docs.tolist(), strict=True)),
        row_participants=dict(zip(row_ids, row_people.tolist(), strict=True)),
        column_codings={
            col_names[i]: v for i, v in enumerate(col_codings_arr.astype(np.int64).tolist()) if v
        },
    )


def _columns(
    scope: str,
    attr: str | None,
    docs: dict[int, tuple[str, str]],
    cases: dict[int, str],
    doc_values: dict[int, dict[str, str]],
    case_values: dict[int, dict[str, str]],
    used: Iterable[str],
) -> list[str]:
    if scope == "document" and not attr:
        return [name for name, _ in docs.values()]
    if scope == "case" and not attr:
        cols = list(cases.values())
    elif scope == "kind":
        cols = sorted({kind.replace("_", " ") for _, kind in docs.values()})
    else:
        source = doc_values if scope == "document" else case_values
        cols = sorted({v[attr] for v in source.values() if attr in v}, key=_natural)
    extra = sorted(set(used) - set(cols), key=_natural)
    return cols + extra


def _natural(value: str) -> tuple[int, float | str]:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value.casefold())


def _column_sizes(
    session: Session,
    column: Callable[[int, int | None], str],
    docs: dict[int, tuple[str, str]],
    sel: Selection,
) -> tuple[dict[str, int], dict[str, int], int, int]:
    """Documents and participants in each column and in all (the denominators for
    percentages), counting only those the filters allow."""
    doc_count: dict[str, set[int]] = {}
    case_count: dict[str, set[int]] = {}
    all_docs: set[int] = set()
    all_cases: set[int] = set()
    for doc_id, case_id in session.execute(select(TURN.c.document_id, TURN.c.case_id).distinct()):
        if not sel.document_allowed(doc_id) or (
            sel.case_ids is not None and not sel.case_allowed(case_id)
        ):
            continue
        name = column(doc_id, case_id)
        doc_count.setdefault(name, set()).add(doc_id)
        all_docs.add(doc_id)
        if case_id is not None:
            case_count.setdefault(name, set()).add(case_id)
            all_cases.add(case_id)
    for doc_id in docs:
        if not sel.document_allowed(doc_id) or sel.case_ids is not None:
            continue
        all_docs.add(doc_id)
        name = column(doc_id, None)
        if name != NO_SPEAKER:
            doc_count.setdefault(name, set()).add(doc_id)
    return (
        {k: len(v) for k, v in doc_count.items()},
        {k: len(v) for k, v in case_count.items()},
        len(all_docs),
        len(all_cases),
    )
