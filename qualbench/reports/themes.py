"""Theme-frequency tables: codes x documents, participants or attribute values."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, select
from sqlmodel import Session

from qualbench.db import ATTRIBUTE, CASES, CODER, CODING, CODING_CASE, DOCUMENT, TURN
from qualbench.reports.filters import EVERYTHING, Filters
from qualbench.services.cases import values_of
from qualbench.services.codes import code_tree, descendants
from qualbench.services.documents import NotFound

NO_VALUE = "(no value)"
NO_SPEAKER = "(no speaker)"
MEASURES = ("codings", "documents", "participants")


@dataclass(frozen=True)
class Cell:
    codings: int = 0
    documents: int = 0
    participants: int = 0

    def get(self, measure: str) -> int:
        return int(getattr(self, measure))


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
    """Codes x columns (documents, participants, or values of an attribute)."""

    by: str
    columns: list[str]
    rows: list[ThemeRow]
    column_documents: dict[str, int]
    column_participants: dict[str, int]
    notes: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)  # whose codings were counted
    rollup: bool = False


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
    session: Session, *, by: str = "document", filters: Filters = EVERYTHING, rollup: bool = False
) -> ThemeTable:
    """Codings, documents and participants per code and column.

    A coding belongs to its document and to every participant speaking in its span. In tables
    by participant (or participant attribute), a coding spanning two speakers counts in each of
    their columns once; the row total counts it once.
    """
    scope, attr = resolve_by(session, by)
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

    where = filters.where(session)
    codings: Counter[tuple[int, str]] = Counter()
    doc_sets: defaultdict[tuple[int, str], set[int]] = defaultdict(set)
    case_sets: defaultdict[tuple[int, str], set[int]] = defaultdict(set)
    totals: Counter[int] = Counter()
    # One indexed GROUP BY gives every (code, document, participant-at-start) with its count.
    grouped = session.execute(
        select(CODING.c.code_id, CODING.c.document_id, CODING.c.case_id, _count())
        .where(where)
        .group_by(CODING.c.code_id, CODING.c.document_id, CODING.c.case_id)
    ).all()
    for code_id, doc_id, case_id, n in grouped:
        key = (code_id, column(doc_id, case_id))
        codings[key] += n
        doc_sets[key].add(doc_id)
        if case_id is not None:
            case_sets[key].add(case_id)
        totals[code_id] += n
    # Further participants of codings that span several speakers (rare in real coding).
    reached = session.execute(
        select(CODING.c.code_id, CODING.c.document_id, CODING_CASE.c.case_id)
        .join(CODING_CASE, CODING_CASE.c.coding_id == CODING.c.id)
        .where(where)
        .distinct()
    ).all()
    for code_id, doc_id, extra in reached:
        key = (code_id, column(doc_id, extra))
        case_sets[key].add(extra)
        if case_based:
            doc_sets[key].add(doc_id)
    if case_based and reached:
        _count_spanning_codings(session, where, column, codings)
    columns = _columns(
        session, scope, attr, docs, cases, doc_values, case_values, {k[1] for k in codings}
    )
    col_docs, col_cases = _column_sizes(session, column, docs)
    nodes = code_tree(session)
    if filters.code_ids:
        keep = {d for c in filters.code_ids for d in descendants(session, c)}
        nodes = [n for n in nodes if n.id in keep]
    subtree = {n.id: (descendants(session, n.id) if rollup else [n.id]) for n in nodes}
    empty: frozenset[int] = frozenset()
    by_code: defaultdict[int, list[str]] = defaultdict(list)  # columns each code has codings in
    for code_id, col in codings:
        by_code[code_id].append(col)
    rows = []
    for n in nodes:
        members = subtree[n.id]
        cells = dict.fromkeys(columns, Cell())
        all_docs: set[int] = set()
        all_cases: set[int] = set()
        for col in {c for cid in members for c in by_code.get(cid, ())}:
            if len(members) == 1:
                key = (n.id, col)
                d_set, p_set, c_n = (
                    doc_sets.get(key, empty),
                    case_sets.get(key, empty),
                    codings[key],
                )
            else:
                c_n = sum(codings.get((cid, col), 0) for cid in members)
                d_set = set().union(*(doc_sets.get((cid, col), empty) for cid in members))
                p_set = set().union(*(case_sets.get((cid, col), empty) for cid in members))
            cells[col] = Cell(c_n, len(d_set), len(p_set))
            all_docs |= d_set
            all_cases |= p_set
        total = Cell(sum(totals.get(cid, 0) for cid in members), len(all_docs), len(all_cases))
        rows.append(ThemeRow(n.id, n.path, n.name, n.depth, cells, total))
    notes = [
        "codings: number of coded segments; documents: documents with at least one; participants: "
        "distinct participants speaking in a coded segment",
    ]
    if rollup:
        notes.append("each code includes the codings of its sub-codes")
    if case_based:
        notes.append(
            "a segment spanning several speakers counts once for each of their columns and once in the total"
        )
    counted = (
        session.execute(
            select(CODER.c.name)
            .where(CODER.c.id.in_(select(CODING.c.coder_id).where(where).distinct()))
            .order_by(CODER.c.name)
        )
        .scalars()
        .all()
    )
    return ThemeTable(
        by=by,
        columns=columns,
        rows=rows,
        column_documents=col_docs,
        column_participants=col_cases,
        notes=notes,
        coders=list(counted),
        rollup=rollup,
    )


def _count_spanning_codings(
    session: Session,
    where: ColumnElement[bool],
    column: Callable[[int, int | None], str],
    codings: Counter[tuple[int, str]],
) -> None:
    """A coding spanning speakers counts once in each further column its speakers fall in."""
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
        home = column(doc_id, primary)
        for col in {column(doc_id, r[4]) for r in items} - {home}:
            codings[(code_id, col)] += 1


def _count() -> ColumnElement[int]:
    from sqlalchemy import func

    return func.count()


def _columns(
    session: Session,
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
    session: Session, column: Callable[[int, int | None], str], docs: dict[int, tuple[str, str]]
) -> tuple[dict[str, int], dict[str, int]]:
    """Documents and participants in each column (the denominators for percentages)."""
    col = column
    doc_count: dict[str, set[int]] = {}
    case_count: dict[str, set[int]] = {}
    for doc_id, case_id in session.execute(select(TURN.c.document_id, TURN.c.case_id).distinct()):
        name = col(doc_id, case_id)
        doc_count.setdefault(name, set()).add(doc_id)
        if case_id is not None:
            case_count.setdefault(name, set()).add(case_id)
    for doc_id in docs:
        try:
            name = col(doc_id, None)
        except KeyError:
            continue
        if name != NO_SPEAKER:
            doc_count.setdefault(name, set()).add(doc_id)
    return {k: len(v) for k, v in doc_count.items()}, {k: len(v) for k, v in case_count.items()}
