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
DECISION = table(model.Decision)
META = table(model.Meta)
QUOTE = table(model.Quote)
NAME_REPLACEMENT = table(model.NameReplacement)
TEXT_ANALYSIS = table(model.TextAnalysis)
SUGGESTION = table(model.Suggestion)

_CHUNK = 5000


def parents_first(rows: list[Row]) -> list[Row]:
    """Code rows with each parent before its children (a child may have the smaller id); a
    cycle (codes that are their own ancestors) is a ValueError, never an endless loop."""
    pending = {r["id"]: r for r in rows}
    out: list[Row] = []
    while pending:
        ready = [r for r in pending.values() if r["parent_id"] not in pending]
        if not ready:
            raise ValueError("the codebook has codes that are their own ancestors")
        for r in ready:
            out.append(r)
            del pending[r["id"]]
    return out


def inserted_id(result: Any) -> int:
    """The primary key of the row an ``INSERT`` just wrote."""
    return int(result.inserted_primary_key[0])


def insert_ignore(session: Session, target: Table, rows: Sequence[Row]) -> None:
    """Insert rows, silently skipping those that collide with a unique key (idempotent writes)."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        if len(rows) >= _COPY_FROM:
            _pg_copy(session, target, rows, ignore_conflicts=True)
            return
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        _executemany(session, pg_insert(target).on_conflict_do_nothing(), target, rows)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        _executemany(session, sqlite_insert(target).on_conflict_do_nothing(), target, rows)


def insert_rows(session: Session, target: Table, rows: Sequence[Row]) -> None:
    """Plain bulk insert (executemany, or COPY for many rows on PostgreSQL), in chunks."""
    if not rows:
        return
    if len(rows) >= _COPY_FROM and session.get_bind().dialect.name == "postgresql":
        _pg_copy(session, target, rows, ignore_conflicts=False)
    else:
        _executemany(session, target.insert(), target, rows)


_COPY_FROM = 500  # rows; fewer go through executemany, which is as fast for them


def _pg_copy(
    session: Session, target: Table, rows: Sequence[Row], *, ignore_conflicts: bool
) -> None:
    """Many rows into PostgreSQL: COPY into a temporary table of the same columns, then one
    INSERT ... SELECT (ON CONFLICT DO NOTHING for `insert_ignore`), in the caller's
    transaction. psycopg's executemany sends one INSERT per row, and each pays the executor's
    start-up: this is several times faster from a few hundred rows on."""
    names = list(rows[0])
    conn = session.connection()
    dialect = conn.dialect
    convert = {
        n: p for n in names if (p := target.c[n].type._cached_bind_processor(dialect)) is not None
    }
    cols = ", ".join(_ident(n) for n in names)
    table = _ident(target.name)
    tmp = _ident(f"qb_copy_{target.name}")
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {tmp}")
        cur.execute(
            f"CREATE TEMP TABLE {tmp} ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA"
        )
        with cur.copy(f"COPY {tmp} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([convert[n](row[n]) if n in convert else row[n] for n in names])
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {tmp}{conflict}")
        cur.execute(f"DROP TABLE {tmp}")


def _ident(name: str) -> str:
    """A quoted SQL identifier (our own table and column names)."""
    return '"' + name.replace('"', '""') + '"'


def _executemany(session: Session, stmt: Any, target: Table, rows: Sequence[Row]) -> None:
    """executemany straight on the driver: the statement is compiled once and only columns whose
    type needs it (timestamps) are converted, per row. SQLAlchemy's own path spends about as long
    preparing 100,000 parameter sets as SQLite spends inserting them."""
    from sqlalchemy import bindparam

    names = list(rows[0])
    conn = session.connection()
    dialect = conn.dialect
    compiled = stmt.values({n: bindparam(n) for n in names}).compile(dialect=dialect)
    convert = [
        (n, p) for n in names if (p := target.c[n].type._cached_bind_processor(dialect)) is not None
    ]
    order = list(compiled.positiontup or ()) if dialect.positional else None
    memo: dict[tuple[str, Any], Any] = {}  # rows of one action share their timestamp
    for i in range(0, len(rows), _CHUNK):
        chunk = [dict(r) for r in rows[i : i + _CHUNK]] if convert else rows[i : i + _CHUNK]
        for row in chunk if convert else ():
            for n, process in convert:
                value = row[n]
                done = memo.get((n, value))
                row[n] = done if done is not None else memo.setdefault((n, value), process(value))
        params: Any = (
            [tuple(r[n] for n in order) for r in chunk] if order is not None else list(chunk)
        )
        conn.exec_driver_sql(compiled.string, params)


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
