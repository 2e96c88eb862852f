"""Auto-coding suggestions and their review (schema 4).

A suggestion is a span a rule proposes for a code, for one coder. It is never a coding until
the coder accepts it: accepting writes a coding of that coder with origin ``auto`` (so exports
and agreement can count or leave out auto-coding, see ``Filters.origins`` and
``AgreementOptions.origins``); rejecting keeps the row, so running the rules again does not
propose the span again. Taking a decision back (reject after accept, or back to pending)
removes the coding the acceptance wrote.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.db import CODING, DOCUMENT, SUGGESTION, TURN, insert_ignore
from qualbench.errors import UserError
from qualbench.model import RULE_KINDS, SUGGESTION_STATUSES, new_uuid, new_uuids, utcnow
from qualbench.services.codes import code_paths
from qualbench.services.coding import NewCoding, bulk_apply

DECISIONS = ("accept", "reject", "pending")
_STATUS = {"accept": "accepted", "reject": "rejected", "pending": "pending"}


@dataclass(frozen=True)
class Candidate:
    """A span a rule found for a code (before it is saved as a suggestion)."""

    document_id: int
    start: int
    end: int
    code_id: int
    rule_kind: str
    rule: str


@dataclass
class SuggestRun:
    """What saving a rule run's candidates did, for the coder's summary."""

    found: int = 0  # distinct (span, code) candidates
    new: int = 0  # saved as pending suggestions now
    pending_before: int = 0  # already waiting for review
    accepted_before: int = 0
    rejected_before: int = 0  # rejected earlier: not proposed again
    already_coded: int = 0  # the coder has that code on that span already
    new_by_code: dict[str, int] = field(default_factory=dict)
    rules: list[str] = field(default_factory=list)
    not_analysed: list[str] = field(default_factory=list)  # documents a keyword rule skipped
    created: dt.datetime | None = None  # the stamp of the rows saved now

    def summary(self) -> str:
        parts = [f"{self.new} new suggestion{'s' if self.new != 1 else ''}"]
        if self.pending_before:
            parts.append(f"{self.pending_before} already waiting for review")
        if self.rejected_before:
            parts.append(f"{self.rejected_before} rejected before (not proposed again)")
        if self.accepted_before:
            parts.append(f"{self.accepted_before} accepted before")
        if self.already_coded:
            parts.append(f"{self.already_coded} already coded by you")
        return "; ".join(parts)


@dataclass(frozen=True)
class SuggestionRow:
    id: int
    document_id: int
    document: str
    start: int
    end: int
    code_id: int
    code: str  # path
    rule_kind: str
    rule: str
    status: str
    text: str  # the span's text, white space collapsed, shortened
    speaker: str


def merge_candidates(candidates: Sequence[Candidate]) -> list[Candidate]:
    """One candidate per (document, span, code); rules that found the same one are listed in
    its ``rule`` together (first kind kept)."""
    merged: dict[tuple[int, int, int, int], Candidate] = {}
    for c in candidates:
        key = (c.document_id, c.start, c.end, c.code_id)
        have = merged.get(key)
        if have is None:
            merged[key] = c
        elif c.rule not in have.rule.split("; "):
            merged[key] = Candidate(*key, have.rule_kind, f"{have.rule}; {c.rule}")
    return sorted(merged.values(), key=lambda c: (c.document_id, c.start, c.end, c.code_id))


def save_suggestions(
    session: Session,
    candidates: Sequence[Candidate],
    *,
    coder_id: int,
    created: dt.datetime | None = None,
) -> SuggestRun:
    """Save ``candidates`` as pending suggestions of ``coder_id``, in the caller's transaction,
    skipping spans already suggested (whatever their status) or already coded by the coder."""
    for c in candidates:
        if c.rule_kind not in RULE_KINDS:
            raise UserError(f"rule kind must be one of {', '.join(RULE_KINDS)}")
    created = created or utcnow()
    items = merge_candidates(candidates)
    run = SuggestRun(found=len(items), created=created)
    docs = sorted({c.document_id for c in items})
    existing: dict[tuple[int, int, int, int], str] = {}
    coded: set[tuple[int, int, int, int]] = set()
    for i in range(0, len(docs), 500):
        chunk = docs[i : i + 500]
        for d, a, z, code, status in session.execute(
            select(
                SUGGESTION.c.document_id,
                SUGGESTION.c.start,
                SUGGESTION.c.end,
                SUGGESTION.c.code_id,
                SUGGESTION.c.status,
            ).where(and_(SUGGESTION.c.coder_id == coder_id, SUGGESTION.c.document_id.in_(chunk)))
        ):
            existing[(d, a, z, code)] = status
        coded.update(
            session.execute(
                select(CODING.c.document_id, CODING.c.start, CODING.c.end, CODING.c.code_id).where(
                    and_(CODING.c.coder_id == coder_id, CODING.c.document_id.in_(chunk))
                )
            )
        )
    paths = code_paths(session)
    rows = []
    uuids = iter(new_uuids(len(items)))
    for c in items:
        key = (c.document_id, c.start, c.end, c.code_id)
        status = existing.get(key)
        if status == "pending":
            run.pending_before += 1
        elif status == "accepted":
            run.accepted_before += 1
        elif status == "rejected":
            run.rejected_before += 1
        elif key in coded:
            run.already_coded += 1
        else:
            rows.append(
                {
                    "uuid": next(uuids),
                    "document_id": c.document_id,
                    "start": c.start,
                    "end": c.end,
                    "code_id": c.code_id,
                    "coder_id": coder_id,
                    "rule_kind": c.rule_kind,
                    "rule": c.rule,
                    "status": "pending",
                    "coding_uuid": None,
                    "created": created,
                    "decided": None,
                }
            )
            path = paths.get(c.code_id, str(c.code_id))
            run.new_by_code[path] = run.new_by_code.get(path, 0) + 1
    insert_ignore(session, SUGGESTION, rows)
    run.new = len(rows)
    return run


def list_suggestions(
    session: Session,
    coder_id: int,
    *,
    statuses: Sequence[str] = ("pending",),
    code_ids: Sequence[int] = (),
    document_ids: Sequence[int] = (),
    limit: int | None = None,
) -> list[SuggestionRow]:
    """The coder's suggestions in document order, with the text they cover."""
    if bad := [s for s in statuses if s not in SUGGESTION_STATUSES]:
        raise UserError(f"status must be one of {', '.join(SUGGESTION_STATUSES)}, not {bad[0]!r}")
    where = and_(SUGGESTION.c.coder_id == coder_id, SUGGESTION.c.status.in_(list(statuses)))
    if code_ids:
        where = and_(where, SUGGESTION.c.code_id.in_(list(code_ids)))
    if document_ids:
        where = and_(where, SUGGESTION.c.document_id.in_(list(document_ids)))
    stmt = (
        select(
            SUGGESTION.c.id,
            SUGGESTION.c.document_id,
            DOCUMENT.c.name,
            SUGGESTION.c.start,
            SUGGESTION.c.end,
            SUGGESTION.c.code_id,
            SUGGESTION.c.rule_kind,
            SUGGESTION.c.rule,
            SUGGESTION.c.status,
            func.substr(DOCUMENT.c.text, SUGGESTION.c.start + 1, 400),
        )
        .join(DOCUMENT, DOCUMENT.c.id == SUGGESTION.c.document_id)
        .where(where)
        .order_by(DOCUMENT.c.position, DOCUMENT.c.id, SUGGESTION.c.start, SUGGESTION.c.code_id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = session.execute(stmt).all()
    paths = code_paths(session)
    turns: dict[int, list[tuple[int, int, str]]] = {}
    for d in {r[1] for r in rows}:
        turns[d] = [
            (a, z, sp)
            for a, z, sp in session.execute(
                select(TURN.c.start, TURN.c.end, TURN.c.speaker)
                .where(TURN.c.document_id == d)
                .order_by(TURN.c.start)
            )
        ]
    out = []
    for sid, d, name, a, z, code, kind, rule, status, text in rows:
        shown = " ".join((text or "")[: z - a].split())
        if z - a > 400:
            shown += " …"
        ts = turns.get(d, [])
        i = bisect.bisect_right(ts, (a, float("inf"), "")) - 1
        speaker = ts[i][2] if i >= 0 and ts[i][0] <= a < ts[i][1] else ""
        out.append(
            SuggestionRow(
                sid, d, name, a, z, code, paths.get(code, str(code)), kind, rule, status, shown,
                speaker,
            )
        )  # fmt: skip
    return out


def status_counts(session: Session, coder_id: int) -> dict[tuple[int, str], int]:
    """(code id, status) -> how many suggestions the coder has."""
    return {
        (code, status): n
        for code, status, n in session.execute(
            select(SUGGESTION.c.code_id, SUGGESTION.c.status, func.count())
            .where(SUGGESTION.c.coder_id == coder_id)
            .group_by(SUGGESTION.c.code_id, SUGGESTION.c.status)
        )
    }


def pending_ids(session: Session, coder_id: int, code_ids: Sequence[int] = ()) -> list[int]:
    where = and_(SUGGESTION.c.coder_id == coder_id, SUGGESTION.c.status == "pending")
    if code_ids:
        where = and_(where, SUGGESTION.c.code_id.in_(list(code_ids)))
    return list(session.execute(select(SUGGESTION.c.id).where(where)).scalars())


def _rows(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    ids = list(dict.fromkeys(ids))
    for i in range(0, len(ids), 900):
        out.extend(
            dict(r._mapping)
            for r in session.execute(
                select(SUGGESTION).where(SUGGESTION.c.id.in_(ids[i : i + 900]))
            )
        )
    if len(out) != len(ids):
        found = {r["id"] for r in out}
        raise UserError(f"suggestion {next(i for i in ids if i not in found)} does not exist")
    return out


def review(session: Session, ids: Sequence[int], decision: str) -> Changes:
    """Accept, reject or put back to pending the suggestions ``ids``, in the caller's
    transaction. Accepting writes codings (origin ``auto``) of each suggestion's coder."""
    if decision not in DECISIONS:
        raise UserError(f"decision must be one of {', '.join(DECISIONS)}")
    rows = _rows(session, ids)
    status = _STATUS[decision]
    now = utcnow()
    changes = Changes(suggestions=frozenset(r["id"] for r in rows))
    undone = [r for r in rows if r["status"] == "accepted" and status != "accepted"]
    if undone:
        uuids = [r["coding_uuid"] for r in undone if r["coding_uuid"]]
        for i in range(0, len(uuids), 900):
            gone = list(
                session.execute(
                    select(CODING.c.id, CODING.c.code_id).where(
                        and_(CODING.c.uuid.in_(uuids[i : i + 900]), CODING.c.origin == "auto")
                    )
                )
            )
            session.execute(delete(CODING).where(CODING.c.id.in_([g[0] for g in gone])))
            changes |= Changes(
                codings=frozenset(g[0] for g in gone), codes=frozenset(g[1] for g in gone)
            )
    accepting = [r for r in rows if status == "accepted" and r["status"] != "accepted"]
    links: dict[int, str | None] = {}
    if accepting:
        wanted = [
            NewCoding(
                document_id=r["document_id"],
                start=r["start"],
                end=r["end"],
                code_id=r["code_id"],
                coder_id=r["coder_id"],
                origin="auto",
                uuid=new_uuid(),
            )
            for r in accepting
        ]
        result = bulk_apply(session, wanted)
        changes |= result.changes
        for r, c in zip(accepting, wanted, strict=True):
            links[r["id"]] = _coding_uuid(session, c)
    for r in rows:
        values: dict[str, Any] = {"status": status, "decided": now if status != "pending" else None}
        if r["id"] in links:
            values["coding_uuid"] = links[r["id"]]
        elif status != "accepted":
            values["coding_uuid"] = None
        session.execute(update(SUGGESTION).where(SUGGESTION.c.id == r["id"]).values(**values))
    return changes


def _coding_uuid(session: Session, c: NewCoding) -> str | None:
    """The coding now on the suggestion's span: the new one, or the coder's own one already
    there (then the acceptance wrote nothing and taking it back removes nothing)."""
    return session.execute(
        select(CODING.c.uuid).where(
            and_(
                CODING.c.document_id == c.document_id,
                CODING.c.start == c.start,
                CODING.c.end == c.end,
                CODING.c.code_id == c.code_id,
                CODING.c.coder_id == c.coder_id,
            )
        )
    ).scalar()


def forget(session: Session, coder_id: int, *, statuses: Sequence[str] = ("pending",)) -> int:
    """Delete the coder's suggestions of ``statuses`` (not their codings); returns how many."""
    result = session.execute(
        delete(SUGGESTION).where(
            and_(SUGGESTION.c.coder_id == coder_id, SUGGESTION.c.status.in_(list(statuses)))
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
