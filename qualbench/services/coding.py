"""Applying codes to spans of text: apply, remove, change span, bulk apply, merge codes, coders."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select, update
from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.db import (
    CODE,
    CODER,
    CODING,
    CODING_CASE,
    DOCUMENT,
    MEMO,
    TURN,
    insert_ignore,
    insert_rows,
    inserted_id,
)
from qualbench.model import ORIGINS, new_uuid, new_uuids, utcnow
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.services.documents import NotFound


class CodingError(ValueError):
    """A coding is invalid (span outside its document, unknown code ...); nothing was written."""


# --- participants of a span -------------------------------------------------------------------


class TurnIndex:
    """The speaker turns of one document, to find who speaks in a span in O(log n)."""

    def __init__(self, turns: Sequence[tuple[int, int, int | None]]) -> None:
        ordered = sorted(turns)
        self.starts = [t[0] for t in ordered]
        self.ends = [t[1] for t in ordered]
        self.cases = [t[2] for t in ordered]

    @classmethod
    def load(cls, session: Session, document_id: int) -> TurnIndex:
        # A speaker takes part in a span that reaches their words, not just their label.
        rows = session.execute(
            select(TURN.c.body_start, TURN.c.end, TURN.c.case_id).where(
                TURN.c.document_id == document_id
            )
        ).all()
        return cls([(r[0], r[1], r[2]) for r in rows])

    def participants(self, start: int, end: int) -> tuple[int | None, list[int]]:
        """(case speaking where the span starts, further cases the span reaches)."""
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        found: list[int] = []
        while i < len(self.starts) and self.starts[i] < end:
            if self.ends[i] > start or (self.starts[i] <= start < self.ends[i]):
                case = self.cases[i]
                if case is not None and case not in found:
                    found.append(case)
            i += 1
        if not found:
            return None, []
        return found[0], found[1:]


def _write_participants(session: Session, coding_id: int, extras: Sequence[int]) -> None:
    session.execute(CODING_CASE.delete().where(CODING_CASE.c.coding_id == coding_id))
    if extras:
        insert_rows(session, CODING_CASE, [{"coding_id": coding_id, "case_id": c} for c in extras])


def refresh_participants(session: Session, document_id: int) -> None:
    """Recompute who speaks in each coding of a document (after turns were reassigned)."""
    index = TurnIndex.load(session, document_id)
    for cid, start, end in session.execute(
        select(CODING.c.id, CODING.c.start, CODING.c.end).where(CODING.c.document_id == document_id)
    ).all():
        primary, extras = index.participants(start, end)
        session.execute(update(CODING).where(CODING.c.id == cid).values(case_id=primary))
        _write_participants(session, cid, extras)


# --- coders -----------------------------------------------------------------------------------


def get_or_create_coder(session: Session, name: str) -> tuple[int, Changes]:
    name = " ".join(name.split())
    if not name:
        raise CodingError("a coder needs a name")
    found = session.execute(select(CODER.c.id).where(CODER.c.name == name)).scalar()
    if found is not None:
        return int(found), Changes()
    result = session.execute(CODER.insert().values(uuid=new_uuid(), name=name, created=utcnow()))
    coder_id = inserted_id(result)
    return coder_id, Changes(coders=frozenset({coder_id}))


def resolve_coder(session: Session, name: str) -> int:
    found = session.execute(
        select(CODER.c.id).where(CODER.c.name == " ".join(name.split()))
    ).scalar()
    if found is None:
        raise NotFound(f"no coder {name!r} in the project")
    return int(found)


# --- single codings ---------------------------------------------------------------------------


def _document_length(session: Session, document_id: int) -> int:
    n = session.execute(select(DOCUMENT.c.char_count).where(DOCUMENT.c.id == document_id)).scalar()
    if n is None:
        raise NotFound(f"document {document_id} does not exist")
    return int(n)


def check_span(length: int, start: int, end: int, *, what: str = "span") -> None:
    if start >= end:
        raise CodingError(f"{what} {start}-{end} is empty: the start must come before the end")
    if start < 0 or end > length:
        raise CodingError(
            f"{what} {start}-{end} is outside the document (its text has {length} characters)"
        )


def apply_code(
    session: Session,
    *,
    document_id: int,
    start: int,
    end: int,
    code_id: int,
    coder_id: int,
    origin: str = "manual",
    uuid: str | None = None,
) -> tuple[int, Changes]:
    """Code ``[start, end)``; applying the same code to the same span twice is a no-op."""
    check_span(_document_length(session, document_id), start, end)
    if origin not in ORIGINS:
        raise CodingError(f"origin must be one of {', '.join(ORIGINS)}")
    if session.execute(select(CODE.c.id).where(CODE.c.id == code_id)).first() is None:
        raise NotFound(f"code {code_id} does not exist")
    if session.execute(select(CODER.c.id).where(CODER.c.id == coder_id)).first() is None:
        raise NotFound(f"coder {coder_id} does not exist")
    existing = session.execute(
        select(CODING.c.id).where(
            and_(
                CODING.c.document_id == document_id,
                CODING.c.start == start,
                CODING.c.end == end,
                CODING.c.code_id == code_id,
                CODING.c.coder_id == coder_id,
            )
        )
    ).scalar()
    if existing is not None:
        return int(existing), Changes()
    primary, extras = TurnIndex.load(session, document_id).participants(start, end)
    result = session.execute(
        CODING.insert().values(
            uuid=uuid or new_uuid(),
            document_id=document_id,
            start=start,
            end=end,
            code_id=code_id,
            coder_id=coder_id,
            case_id=primary,
            origin=origin,
            created=utcnow(),
        )
    )
    coding_id = inserted_id(result)
    _write_participants(session, coding_id, extras)
    return coding_id, Changes(codings=frozenset({coding_id}), documents=frozenset({document_id}))


def coding_row(session: Session, coding_id: int) -> dict[str, Any]:
    row = session.execute(select(CODING).where(CODING.c.id == coding_id)).first()
    if row is None:
        raise NotFound(f"coding {coding_id} does not exist")
    return dict(row._mapping)


def remove_coding(session: Session, coding_id: int) -> Changes:
    row = coding_row(session, coding_id)
    session.execute(CODING.delete().where(CODING.c.id == coding_id))
    return Changes(codings=frozenset({coding_id}), documents=frozenset({row["document_id"]}))


def change_span(session: Session, coding_id: int, *, start: int, end: int) -> Changes:
    """Move a coding's boundaries (e.g. to extend an excerpt by a sentence)."""
    row = coding_row(session, coding_id)
    check_span(_document_length(session, row["document_id"]), start, end)
    clash = session.execute(
        select(CODING.c.id).where(
            and_(
                CODING.c.document_id == row["document_id"],
                CODING.c.start == start,
                CODING.c.end == end,
                CODING.c.code_id == row["code_id"],
                CODING.c.coder_id == row["coder_id"],
                CODING.c.id != coding_id,
            )
        )
    ).first()
    if clash is not None:
        raise CodingError("the same code is already applied by this coder to that span")
    primary, extras = TurnIndex.load(session, row["document_id"]).participants(start, end)
    session.execute(
        update(CODING).where(CODING.c.id == coding_id).values(start=start, end=end, case_id=primary)
    )
    _write_participants(session, coding_id, extras)
    return Changes(codings=frozenset({coding_id}), documents=frozenset({row["document_id"]}))


def recode(session: Session, coding_id: int, *, code_id: int) -> Changes:
    """Give a coding another code, keeping its span, coder and memo."""
    row = coding_row(session, coding_id)
    if session.execute(select(CODE.c.id).where(CODE.c.id == code_id)).first() is None:
        raise NotFound(f"code {code_id} does not exist")
    if code_id == row["code_id"]:
        return Changes()
    clash = session.execute(
        select(CODING.c.id).where(
            and_(
                CODING.c.document_id == row["document_id"],
                CODING.c.start == row["start"],
                CODING.c.end == row["end"],
                CODING.c.code_id == code_id,
                CODING.c.coder_id == row["coder_id"],
            )
        )
    ).first()
    if clash is not None:
        raise CodingError("this coder already applied that code to the same span")
    session.execute(update(CODING).where(CODING.c.id == coding_id).values(code_id=code_id))
    return Changes(codings=frozenset({coding_id}), codes=frozenset({code_id, row["code_id"]}))


# --- bulk -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCoding:
    document_id: int
    start: int
    end: int
    code_id: int
    coder_id: int
    origin: str = "manual"
    memo: str = ""
    uuid: str = ""


@dataclass
class BulkResult:
    requested: int = 0
    inserted: int = 0
    already_present: int = 0
    changes: Changes = field(default_factory=Changes)


def bulk_apply(
    session: Session,
    codings: Sequence[NewCoding],
    *,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> BulkResult:
    """Apply many codings in the caller's one transaction: all of them, or (on error) none.

    Every row is checked first (document length, code, coder); duplicates of codings already in
    the project are skipped and counted.
    """
    docs = dict(session.execute(select(DOCUMENT.c.id, DOCUMENT.c.char_count)).all())
    codes = set(session.execute(select(CODE.c.id)).scalars())
    coders = set(session.execute(select(CODER.c.id)).scalars())
    for n, c in enumerate(codings, start=1):
        if c.document_id not in docs:
            raise CodingError(f"coding {n}: document {c.document_id} does not exist")
        check_span(docs[c.document_id], c.start, c.end, what=f"coding {n}: span")
        if c.code_id not in codes or c.coder_id not in coders:
            raise CodingError(f"coding {n}: unknown code or coder")
        if c.origin not in ORIGINS:
            raise CodingError(f"coding {n}: origin must be one of {', '.join(ORIGINS)}")
    before = _count(session)
    indexes: dict[int, TurnIndex] = {}
    rows: list[dict[str, Any]] = []
    extras: dict[str, list[int]] = {}
    memos: dict[str, str] = {}
    now = utcnow()
    total = len(codings)
    fresh = iter(new_uuids(sum(1 for c in codings if not c.uuid)))
    for n, c in enumerate(codings):
        if n % 10000 == 0:
            if cancel():
                raise Cancelled
            progress(n, total, "codings")
        index = indexes.get(c.document_id)
        if index is None:
            index = indexes[c.document_id] = TurnIndex.load(session, c.document_id)
        primary, more = index.participants(c.start, c.end)
        uid = c.uuid or next(fresh)
        rows.append(
            {
                "uuid": uid,
                "document_id": c.document_id,
                "start": c.start,
                "end": c.end,
                "code_id": c.code_id,
                "coder_id": c.coder_id,
                "case_id": primary,
                "origin": c.origin,
                "created": now,
            }
        )
        if more:
            extras[uid] = more
        if c.memo.strip():
            memos[uid] = c.memo.strip()
    if extras or memos:
        # a coding whose uuid is already in the project is not inserted again: its participants
        # and memo are already there too (adding them again would duplicate them)
        asked = list(set(extras) | set(memos))
        present: set[str] = set()
        for i in range(0, len(asked), 900):
            present.update(
                session.execute(
                    select(CODING.c.uuid).where(CODING.c.uuid.in_(asked[i : i + 900]))
                ).scalars()
            )
        extras = {u: cs for u, cs in extras.items() if u not in present}
        memos = {u: t for u, t in memos.items() if u not in present}
    insert_ignore(session, CODING, rows)
    if extras or memos:
        wanted = list(set(extras) | set(memos))
        ids: dict[str, int] = {}
        for i in range(0, len(wanted), 900):
            ids.update(
                session.execute(
                    select(CODING.c.uuid, CODING.c.id).where(CODING.c.uuid.in_(wanted[i : i + 900]))
                ).all()
            )
        insert_rows(
            session,
            CODING_CASE,
            [
                {"coding_id": ids[u], "case_id": c}
                for u, cs in extras.items()
                if u in ids
                for c in cs
            ],
        )
        by_coder = {r["uuid"]: r["coder_id"] for r in rows}
        insert_rows(
            session,
            MEMO,
            [
                {
                    "uuid": new_uuid(),
                    "coding_id": ids[u],
                    "coder_id": by_coder[u],
                    "title": "",
                    "text": t,
                    "created": now,
                    "modified": now,
                }
                for u, t in memos.items()
                if u in ids
            ],
        )
    progress(total, total, "codings")
    inserted = _count(session) - before
    return BulkResult(
        requested=total,
        inserted=inserted,
        already_present=total - inserted,
        changes=Changes(documents=frozenset(c.document_id for c in codings), codings=frozenset()),
    )


def _count(session: Session) -> int:
    from sqlalchemy import func

    return int(session.execute(select(func.count()).select_from(CODING)).scalar_one())


# --- merge codes ------------------------------------------------------------------------------


def merge_codes(session: Session, *, source_ids: Sequence[int], target_id: int) -> Changes:
    """Merge codes into ``target_id``: their codings move to it, and where one coder's codings of
    the merged codes overlap in a document they become one coding covering the union (so nothing
    is counted twice). Memos on the merged codes move to the target; the sources are deleted
    (their sub-codes move under the target)."""
    from qualbench.services.codes import descendants

    sources = [s for s in dict.fromkeys(source_ids) if s != target_id]
    if not sources:
        return Changes()
    for s in sources:
        if target_id in descendants(session, s):
            raise CodingError("cannot merge a code into one of its own sub-codes")
    all_codes = [*sources, target_id]
    rows = session.execute(
        select(
            CODING.c.id,
            CODING.c.document_id,
            CODING.c.coder_id,
            CODING.c.start,
            CODING.c.end,
            CODING.c.code_id,
        )
        .where(CODING.c.code_id.in_(all_codes))
        .order_by(CODING.c.document_id, CODING.c.coder_id, CODING.c.start, CODING.c.end)
    ).all()
    touched: set[int] = set()
    groups: dict[tuple[int, int], list[Any]] = {}
    for r in rows:
        groups.setdefault((r.document_id, r.coder_id), []).append(r)
    for (doc_id, _coder), items in groups.items():
        index: TurnIndex | None = None
        clusters: list[list[Any]] = []
        for r in items:
            if clusters and r.start < max(x.end for x in clusters[-1]):
                clusters[-1].append(r)
            else:
                clusters.append([r])
        for cluster in clusters:
            keep = next((x for x in cluster if x.code_id == target_id), cluster[0])
            start = min(x.start for x in cluster)
            end = max(x.end for x in cluster)
            others = [x.id for x in cluster if x.id != keep.id]
            touched.update(x.id for x in cluster)
            if others:
                # Memos of the absorbed codings go to the surviving one.
                session.execute(
                    update(MEMO).where(MEMO.c.coding_id.in_(others)).values(coding_id=keep.id)
                )
                session.execute(CODING.delete().where(CODING.c.id.in_(others)))
            if (start, end) != (keep.start, keep.end) or keep.code_id != target_id:
                if index is None:
                    index = TurnIndex.load(session, doc_id)
                primary, extras = index.participants(start, end)
                session.execute(
                    update(CODING)
                    .where(CODING.c.id == keep.id)
                    .values(start=start, end=end, code_id=target_id, case_id=primary)
                )
                _write_participants(session, keep.id, extras)
    session.execute(update(MEMO).where(MEMO.c.code_id.in_(sources)).values(code_id=target_id))
    session.execute(update(CODE).where(CODE.c.parent_id.in_(sources)).values(parent_id=target_id))
    session.execute(CODE.delete().where(CODE.c.id.in_(sources)))
    return Changes(
        codes=frozenset(all_codes),
        codings=frozenset(touched),
        documents=frozenset(d for d, _ in groups),
    )


# --- quotes -----------------------------------------------------------------------------------


def find_quote(text: str, quote: str, *, occurrence: int | None = None) -> tuple[int, int]:
    """The span of ``quote`` in ``text`` (whitespace-insensitive); ambiguity is an error unless
    ``occurrence`` (1-based) says which one."""
    words = unicodedata.normalize("NFC", quote).split()
    if not words:
        raise CodingError("the quote is empty")
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    hits = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not hits:
        hint = (
            " (check straight vs curly quotes and apostrophes)"
            if any(c in quote for c in "'\"’‘“”")
            else ""
        )
        raise CodingError(f"the quoted text does not occur in the document{hint}")
    if occurrence is not None:
        if not 1 <= occurrence <= len(hits):
            raise CodingError(
                f"the quote occurs {len(hits)} time(s); occurrence {occurrence} does not exist"
            )
        return hits[occurrence - 1]
    if len(hits) > 1:
        raise CodingError(
            f"the quote occurs {len(hits)} times in the document; say which with --occurrence N "
            "(or an 'occurrence' column)"
        )
    return hits[0]
