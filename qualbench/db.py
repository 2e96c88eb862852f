"""Small SQLAlchemy Core helpers shared by the services: bulk insert, snapshots for undo."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, select
from sqlmodel import Session

from qualbench import model

Row = dict[str, Any]


def table(cls: type) -> Table:
    """The Core table of a model class."""
    return cls.__table__  # type: ignore[attr-defined, no-any-return]


DOCUMENT = table(model.Document)
CASES = table(model.Case)
TURN = table(model.SpeakerTurn)
CODE = table(model.Code)
CODING = table(model.Coding)
CODING_CASE = table(model.CodingCase)
CODER = table(model.Coder)
MEMO = table(model.Memo)
ATTRIBUTE = table(model.Attribute)
DOCUMENT_VALUE = table(model.DocumentValue)
CASE_VALUE = table(model.CaseValue)
PROJECT = table(model.ProjectInfo)

_CHUNK = 5000


def insert_ignore(session: Session, target: Table, rows: Sequence[Row]) -> None:
    """Insert rows, silently skipping those that collide with a unique key (idempotent writes)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(target).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(target).on_conflict_do_nothing()
    for i in range(0, len(rows), _CHUNK):
        session.execute(stmt, list(rows[i : i + _CHUNK]))


def insert_rows(session: Session, target: Table, rows: Sequence[Row]) -> None:
    """Plain bulk insert (executemany), in chunks."""
    for i in range(0, len(rows), _CHUNK):
        session.execute(target.insert(), list(rows[i : i + _CHUNK]))


def snapshot(session: Session, target: Table, where: ColumnElement[bool]) -> list[Row]:
    """Rows as dicts, to be restored exactly (ids included) by :func:`restore`."""
    return [dict(r._mapping) for r in session.execute(select(target).where(where))]


def restore(session: Session, target: Table, rows: Iterable[Row]) -> None:
    rows = list(rows)
    if rows:
        insert_rows(session, target, rows)


def delete_where(session: Session, target: Table, where: ColumnElement[bool]) -> None:
    session.execute(delete(target).where(where))


def in_chunks(ids: Sequence[int], size: int = 900) -> Iterable[Sequence[int]]:
    """Split id lists for ``IN (...)`` (SQLite limits bound parameters)."""
    for i in range(0, len(ids), size):
        yield ids[i : i + size]
