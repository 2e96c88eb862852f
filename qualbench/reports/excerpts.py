"""Coded excerpts with the context a quote in a paper needs: speaker, participant, attributes,
timestamp, paragraph."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import Session

from qualbench.db import CASES, CODER, CODING, DOCUMENT, MEMO, TURN
from qualbench.reports.filters import EVERYTHING, Filters
from qualbench.services.cases import values_of
from qualbench.services.codes import code_tree

PSEUDONYM_KEYS = ("pseudonym", "alias")  # participant attributes that hold a pseudonym


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
    case_id: int | None = None

    @property
    def timestamp(self) -> str:
        return format_ms(self.timestamp_ms)

    @property
    def who(self) -> str:
        """The participant as a paper names them: the ``pseudonym`` attribute, else the
        participant's name (the speaker label when the name is the default 'document: label'),
        else the speaker label."""
        pseudonym = next(
            (v for k, v in self.participant_attributes.items() if k.casefold() in PSEUDONYM_KEYS),
            "",
        ).strip()
        if pseudonym:
            return pseudonym
        if self.participant and self.participant != f"{self.document}: {self.speaker}":
            return self.participant
        return self.speaker

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


class _Sources:
    """Documents, attributes, participants and turns an excerpt list draws on, loaded once."""

    def __init__(self, session: Session, doc_ids: Sequence[int]) -> None:
        self.session = session
        self.docs = {
            r[0]: tuple(r)
            for r in session.execute(
                select(
                    DOCUMENT.c.id,
                    DOCUMENT.c.name,
                    DOCUMENT.c.kind,
                    DOCUMENT.c.position,
                    DOCUMENT.c.text,
                ).where(DOCUMENT.c.id.in_(list(doc_ids)))
            )
        }
        self.doc_attrs = values_of(session, scope="document", owner_ids=doc_ids)
        self.case_attrs = values_of(session, scope="case")
        self.case_names = dict(session.execute(select(CASES.c.id, CASES.c.name)).all())
        self.contexts: dict[int, _DocContext] = {}

    def excerpt(
        self, doc_id: int, start: int, end: int, coding: _CodingInfo | None, memo: str
    ) -> Excerpt:
        _, doc_name, kind, _, text = self.docs[doc_id]
        ctx = self.contexts.get(doc_id)
        if ctx is None:
            ctx = self.contexts[doc_id] = _DocContext(self.session, doc_id, text)
        speaker, case_id, ts = ctx.turn_at(start)
        c = coding or _CodingInfo(0, "", 0, "", "", "", "")
        return Excerpt(
            c.id,
            c.uuid,
            c.code_id,
            c.code_path,
            doc_name,
            kind.replace("_", " "),
            start,
            end,
            text[start:end],
            c.coder,
            c.origin,
            c.created,
            speaker,
            self.case_names.get(case_id, "") if case_id else "",
            ts,
            ctx.paragraph_at(start),
            self.doc_attrs.get(doc_id, {}),
            self.case_attrs.get(case_id, {}) if case_id else {},
            memo,
            doc_id,
            case_id,
        )


@dataclass(frozen=True, slots=True)
class _CodingInfo:
    id: int
    uuid: str
    code_id: int
    code_path: str
    coder: str
    origin: str
    created: str


def _coding_memos(session: Session, where: ColumnElement[bool]) -> dict[int, str]:
    memos: dict[int, list[str]] = {}
    memo_rows = session.execute(
        select(MEMO.c.coding_id, MEMO.c.text)
        .join(CODING, CODING.c.id == MEMO.c.coding_id)
        .where(where)
        .order_by(MEMO.c.id)
    )
    for cid, text in memo_rows:
        memos.setdefault(cid, []).append(text)
    return {cid: "\n".join(texts) for cid, texts in memos.items()}


def _coding_rows(session: Session, where: ColumnElement[bool]) -> list[Any]:
    return list(
        session.execute(
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
            .where(where)
        ).all()
    )


def _info(row: Any, paths: dict[int, str]) -> _CodingInfo:
    cid, uid, code_id, _, _, _, origin, created, coder = row
    return _CodingInfo(
        cid,
        uid,
        code_id,
        paths.get(code_id, ""),
        coder,
        origin,
        created.isoformat(timespec="seconds") if created else "",
    )


def excerpts(session: Session, *, filters: Filters = EVERYTHING) -> list[Excerpt]:
    """Coded excerpts in codebook order, then document order and position."""
    paths = {n.id: n.path for n in code_tree(session)}
    order = {cid: i for i, cid in enumerate(paths)}
    where = filters.where(session)
    rows = _coding_rows(session, where)
    sources = _Sources(session, sorted({r[3] for r in rows}))
    memos = _coding_memos(session, where)
    rows.sort(key=lambda r: (order.get(r[2], 0), sources.docs[r[3]][3], r[3], r[4], r[5], r[0]))
    return [sources.excerpt(r[3], r[4], r[5], _info(r, paths), memos.get(r[0], "")) for r in rows]


@dataclass(frozen=True, slots=True)
class Span:
    """Any span of a document, optionally from a coding (by its uuid, which may be gone)."""

    document_id: int
    start: int
    end: int
    coding_uuid: str | None = None


def span_excerpts(session: Session, spans: Sequence[Span]) -> list[Excerpt]:
    """Excerpts for arbitrary spans, in the order given, with the same context as coded
    excerpts (speaker, participant, attributes, timestamp, paragraph); the coding's code, coder
    and memo where the span names a coding that still exists, else blank."""
    uuids = sorted({s.coding_uuid for s in spans if s.coding_uuid})
    paths = {n.id: n.path for n in code_tree(session)} if uuids else {}
    codings: dict[str, _CodingInfo] = {}
    memos: dict[int, str] = {}
    for i in range(0, len(uuids), 900):  # SQLite limits bound parameters
        where = CODING.c.uuid.in_(uuids[i : i + 900])
        codings.update({r[1]: _info(r, paths) for r in _coding_rows(session, where)})
        memos.update(_coding_memos(session, where))
    sources = _Sources(session, sorted({s.document_id for s in spans}))
    out = []
    for s in spans:
        info = codings.get(s.coding_uuid) if s.coding_uuid else None
        out.append(
            sources.excerpt(
                s.document_id, s.start, s.end, info, memos.get(info.id, "") if info else ""
            )
        )
    return out
