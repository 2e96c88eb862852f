"""Memos on the project, a document, a code, a coding or a case."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select, update
from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.db import CODER, MEMO, inserted_id
from qualbench.model import new_uuid, utcnow
from qualbench.services.documents import NotFound

TARGETS = ("project", "document", "code", "coding", "case")


@dataclass(frozen=True)
class MemoRow:
    id: int
    uuid: str
    target: str
    target_id: int | None
    title: str
    text: str
    author: str
    created: str
    modified: str


def _target_column(target: str) -> str | None:
    if target not in TARGETS:
        raise ValueError(f"a memo belongs to one of: {', '.join(TARGETS)}")
    return None if target == "project" else f"{target}_id"


def add_memo(
    session: Session,
    *,
    target: str,
    target_id: int | None = None,
    text: str,
    title: str = "",
    coder_id: int | None = None,
    uuid: str | None = None,
) -> tuple[int, Changes]:
    column = _target_column(target)
    if column is not None and target_id is None:
        raise ValueError(f"a {target} memo needs the {target}'s id")
    now = utcnow()
    values = {
        "uuid": uuid or new_uuid(),
        "title": title.strip(),
        "text": text,
        "coder_id": coder_id,
        "created": now,
        "modified": now,
    }
    if column:
        values[column] = target_id
    result = session.execute(MEMO.insert().values(**values))
    memo_id = inserted_id(result)
    return memo_id, Changes(memos=frozenset({memo_id}))


def memo_values(session: Session, memo_id: int) -> dict[str, object]:
    row = session.execute(select(MEMO).where(MEMO.c.id == memo_id)).first()
    if row is None:
        raise NotFound(f"memo {memo_id} does not exist")
    return dict(row._mapping)


def edit_memo(
    session: Session, memo_id: int, *, text: str | None = None, title: str | None = None
) -> Changes:
    memo_values(session, memo_id)
    values: dict[str, object] = {"modified": utcnow()}
    if text is not None:
        values["text"] = text
    if title is not None:
        values["title"] = title.strip()
    session.execute(update(MEMO).where(MEMO.c.id == memo_id).values(**values))
    return Changes(memos=frozenset({memo_id}))


def delete_memo(session: Session, memo_id: int) -> Changes:
    memo_values(session, memo_id)
    session.execute(MEMO.delete().where(MEMO.c.id == memo_id))
    return Changes(memos=frozenset({memo_id}))


def memos_of(session: Session, *, target: str, target_id: int | None = None) -> list[MemoRow]:
    """Memos attached to one target (project memos when ``target == 'project'``)."""
    column = _target_column(target)
    cond = (
        and_(*(MEMO.c[f"{t}_id"].is_(None) for t in TARGETS[1:]))
        if column is None
        else MEMO.c[column] == target_id
    )
    rows = session.execute(
        select(MEMO, CODER.c.name.label("author"))
        .outerjoin(CODER, CODER.c.id == MEMO.c.coder_id)
        .where(cond)
        .order_by(MEMO.c.created, MEMO.c.id)
    ).all()
    return [
        MemoRow(
            r.id,
            r.uuid,
            target,
            target_id,
            r.title,
            r.text,
            r.author or "",
            r.created.isoformat(timespec="seconds"),
            r.modified.isoformat(timespec="seconds"),
        )
        for r in rows
    ]
