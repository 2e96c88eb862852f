"""Read models for the coding workspace: what the desktop views show, fetched in few queries.

The GUI holds ids and asks these functions for rows; it never runs SQL itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from qualbench.db import CASES, CODE, CODER, CODING, DOCUMENT, MEMO, TURN
from qualbench.services.codes import code_paths
from qualbench.services.documents import NotFound


@dataclass(frozen=True, slots=True)
class CodingMark:
    """A coding as the transcript view draws it."""

    id: int
    start: int
    end: int
    code_id: int
    coder_id: int
    origin: str
    has_memo: bool


@dataclass(frozen=True, slots=True)
class TurnMark:
    start: int
    body_start: int
    end: int
    speaker: str
    timestamp_ms: int | None
    participant: str


@dataclass(frozen=True)
class DocumentView:
    id: int
    name: str
    kind: str
    text: str
    turns: tuple[TurnMark, ...]


@dataclass(frozen=True)
class CodingDetails:
    """Everything a tooltip or memo panel says about one coding."""

    id: int
    document_id: int
    start: int
    end: int
    code_id: int
    code_path: str
    color: str
    coder: str
    origin: str
    created: dt.datetime
    memos: tuple[tuple[int, str], ...]  # (memo id, text)


def document_view(session: Session, document_id: int) -> DocumentView:
    row = session.execute(
        select(DOCUMENT.c.id, DOCUMENT.c.name, DOCUMENT.c.kind, DOCUMENT.c.text).where(
            DOCUMENT.c.id == document_id
        )
    ).first()
    if row is None:
        raise NotFound(f"document {document_id} does not exist")
    turns = session.execute(
        select(
            TURN.c.start,
            TURN.c.body_start,
            TURN.c.end,
            TURN.c.speaker,
            TURN.c.timestamp_ms,
            CASES.c.name,
        )
        .outerjoin(CASES, CASES.c.id == TURN.c.case_id)
        .where(TURN.c.document_id == document_id)
        .order_by(TURN.c.start)
    ).all()
    return DocumentView(
        row.id,
        row.name,
        row.kind,
        row.text,
        tuple(TurnMark(t[0], t[1], t[2], t[3], t[4], t[5] or "") for t in turns),
    )


def document_codings(session: Session, document_id: int) -> list[CodingMark]:
    """Every coding of a document, by start (all coders: the view filters)."""
    with_memo = set(
        session.execute(
            select(MEMO.c.coding_id)
            .join(CODING, CODING.c.id == MEMO.c.coding_id)
            .where(CODING.c.document_id == document_id)
        ).scalars()
    )
    rows = session.execute(
        select(
            CODING.c.id,
            CODING.c.start,
            CODING.c.end,
            CODING.c.code_id,
            CODING.c.coder_id,
            CODING.c.origin,
        )
        .where(CODING.c.document_id == document_id)
        .order_by(CODING.c.start, CODING.c.end, CODING.c.id)
    ).all()
    return [CodingMark(r[0], r[1], r[2], r[3], r[4], r[5], r[0] in with_memo) for r in rows]


def code_colors(session: Session) -> dict[int, tuple[str, str]]:
    """``{code id: (path, colour)}``."""
    paths = code_paths(session)
    return {
        cid: (paths.get(cid, ""), color)
        for cid, color in session.execute(select(CODE.c.id, CODE.c.color))
    }


def code_counts(session: Session, *, coder_ids: frozenset[int] | None = None) -> dict[int, int]:
    """Codings per code (of the given coders, or all)."""
    q = select(CODING.c.code_id, func.count()).group_by(CODING.c.code_id)
    if coder_ids is not None:
        q = q.where(CODING.c.coder_id.in_(sorted(coder_ids)))
    return {int(c): int(n) for c, n in session.execute(q)}


def coders(session: Session) -> list[tuple[int, str]]:
    return [
        (int(i), str(n))
        for i, n in session.execute(select(CODER.c.id, CODER.c.name).order_by(CODER.c.name))
    ]


def coder_counts(session: Session) -> list[tuple[int, str, int]]:
    """``(coder id, name, number of codings)`` for every coder, by name."""
    counts = dict(
        session.execute(select(CODING.c.coder_id, func.count()).group_by(CODING.c.coder_id)).all()
    )
    return [(i, n, int(counts.get(i, 0))) for i, n in coders(session)]


def coding_details(session: Session, coding_id: int) -> CodingDetails:
    row = session.execute(
        select(CODING, CODER.c.name.label("coder"), CODE.c.color)
        .join(CODER, CODER.c.id == CODING.c.coder_id)
        .join(CODE, CODE.c.id == CODING.c.code_id)
        .where(CODING.c.id == coding_id)
    ).first()
    if row is None:
        raise NotFound(f"coding {coding_id} does not exist")
    memos = session.execute(
        select(MEMO.c.id, MEMO.c.text).where(MEMO.c.coding_id == coding_id).order_by(MEMO.c.id)
    ).all()
    return CodingDetails(
        row.id, row.document_id, row.start, row.end, row.code_id, code_paths(session).get(row.code_id, ""),
        row.color, row.coder, row.origin, row.created, tuple((int(m[0]), str(m[1])) for m in memos),
    )  # fmt: skip
