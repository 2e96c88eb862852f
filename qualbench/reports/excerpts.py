"""Coded excerpts with the context a quote in a paper needs: speaker, participant, attributes,
timestamp, paragraph."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from qualbench.db import CASES, CODER, CODING, DOCUMENT, MEMO, TURN
from qualbench.reports.filters import EVERYTHING, Filters
from qualbench.services.cases import values_of
from qualbench.services.codes import code_tree


@dataclass(slots=True)
class Excerpt:
    """A coded segment with everything a quote in a paper needs."""

    coding_id: int
    coding_uuid: str
    code_id: int
    code_path: str
    document: str
    document_kind: str
    start: int
    end: int
    text: str
    coder: str
    origin: str
    created: str
    speaker: str
    participant: str
    timestamp_ms: int | None
    paragraph: int
    document_attributes: dict[str, str]
    participant_attributes: dict[str, str]
    memo: str
    document_id: int = 0

    @property
    def timestamp(self) -> str:
        return format_ms(self.timestamp_ms)

    @property
    def code_levels(self) -> list[str]:
        return self.code_path.split(" > ")


def format_ms(ms: int | None) -> str:
    if ms is None:
        return ""
    s = ms // 1000
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


class _DocContext:
    """Turns and paragraph starts of one document, for locating excerpts."""

    def __init__(self, session: Session, doc_id: int, text: str) -> None:
        self.text = text
        turns = session.execute(
            select(TURN.c.start, TURN.c.end, TURN.c.speaker, TURN.c.case_id, TURN.c.timestamp_ms)
            .where(TURN.c.document_id == doc_id)
            .order_by(TURN.c.start)
        ).all()
        self.turns = turns
        self.turn_starts = [t.start for t in turns]
        starts, pos = [], 0
        for line in text.split("\n"):
            if line.strip():
                starts.append(pos)
            pos += len(line) + 1
        self.paragraph_starts = starts

    def turn_at(self, offset: int) -> tuple[str, int | None, int | None]:
        i = bisect.bisect_right(self.turn_starts, offset) - 1
        if i >= 0 and offset < self.turns[i].end:
            t = self.turns[i]
            return t.speaker, t.case_id, t.timestamp_ms
        return "", None, None

    def paragraph_at(self, offset: int) -> int:
        return max(1, bisect.bisect_right(self.paragraph_starts, offset))


def excerpts(session: Session, *, filters: Filters = EVERYTHING) -> list[Excerpt]:
    """Coded excerpts in codebook order, then document order and position."""
    paths = {n.id: n.path for n in code_tree(session)}
    order = {cid: i for i, cid in enumerate(paths)}
    rows = session.execute(
        select(
            CODING.c.id,
            CODING.c.uuid,
            CODING.c.code_id,
            CODING.c.document_id,
            CODING.c.start,
            CODING.c.end,
            CODING.c.origin,
            CODING.c.created,
            CODER.c.name.label("coder"),
        )
        .join(CODER, CODER.c.id == CODING.c.coder_id)
        .where(filters.where(session))
    ).all()
    doc_ids = sorted({r[3] for r in rows})
    docs = {
        r[0]: tuple(r)
        for r in session.execute(
            select(
                DOCUMENT.c.id,
                DOCUMENT.c.name,
                DOCUMENT.c.kind,
                DOCUMENT.c.position,
                DOCUMENT.c.text,
            ).where(DOCUMENT.c.id.in_(doc_ids))
        )
    }
    memos: dict[int, list[str]] = {}
    memo_rows = session.execute(
        select(MEMO.c.coding_id, MEMO.c.text)
        .join(CODING, CODING.c.id == MEMO.c.coding_id)
        .where(filters.where(session))
        .order_by(MEMO.c.id)
    )
    for cid, text in memo_rows:
        memos.setdefault(cid, []).append(text)
    doc_attrs = values_of(session, scope="document", owner_ids=doc_ids)
    case_attrs = values_of(session, scope="case")
    case_names = dict(session.execute(select(CASES.c.id, CASES.c.name)).all())
    ordered = sorted(
        (
            order.get(code_id, 0),
            docs[doc_id][3],
            doc_id,
            start,
            end,
            cid,
            uid,
            code_id,
            origin,
            created,
            coder,
        )
        for cid, uid, code_id, doc_id, start, end, origin, created, coder in rows
    )
    contexts: dict[int, _DocContext] = {}
    out = []
    for _, _, doc_id, start, end, cid, uid, code_id, origin, created, coder in ordered:
        _, doc_name, kind, _, text = docs[doc_id]
        ctx = contexts.get(doc_id)
        if ctx is None:
            ctx = contexts[doc_id] = _DocContext(session, doc_id, text)
        speaker, case_id, ts = ctx.turn_at(start)
        out.append(
            Excerpt(
                cid,
                uid,
                code_id,
                paths.get(code_id, ""),
                doc_name,
                kind.replace("_", " "),
                start,
                end,
                text[start:end],
                coder,
                origin,
                created.isoformat(timespec="seconds") if created else "",
                speaker,
                case_names.get(case_id, "") if case_id else "",
                ts,
                ctx.paragraph_at(start),
                doc_attrs.get(doc_id, {}),
                case_attrs.get(case_id, {}) if case_id else {},
                "\n".join(memos[cid]) if cid in memos else "",
                doc_id,
            )
        )
    return out
