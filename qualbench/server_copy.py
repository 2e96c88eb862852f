"""Move a project between a local file and a team server (issue 8).

`copy_project` writes every row of an open project into a new project (a file or an empty
PostgreSQL database) with its ids, uuids and every column unchanged, in one transaction on the
target: either the whole project arrives, or (on an error or cancel) the target is left as it
was found: no file, or a database without our tables. `publish` puts a project file on a server
and makes it a team project; `checkout` takes a server project into a file for offline coding,
which `qualbench.merge.merge_many` later brings back into the server project.
"""

from __future__ import annotations

import contextlib
import time
import uuid as uuid_mod
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from qualbench import model  # noqa: F401  (registers the tables in SQLModel.metadata)
from qualbench.db import CODE, CODER, META, PROJECT, insert_rows, parents_first
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.server import Member, ServerError, add_member, enable_team
from qualbench.store import Project, ProjectError, create_project, open_project

CHUNK = 5000  # rows per executemany (and per progress step / cancel check)
# Tables whose rows are large (whole texts, analysis arrays): fewer at a time.
_LARGE = {"document": 50, "text_analysis": 50}
_WRITTEN_BY_CREATE = ("schema_version", "application")  # meta keys create_project wrote


@dataclass(frozen=True)
class CopyReport:
    """What a copy wrote: rows per table (in the order written) and how long it took."""

    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True)
class PublishReport:
    copy: CopyReport
    roles: tuple[str, str]  # the (lead, coder) group roles of the server project
    lead: Member | None = None


def tables() -> list[Table]:
    """Every table of a project, parents before children (the order rows are written in)."""
    return list(SQLModel.metadata.sorted_tables)


def _is_url(target: str | Path) -> bool:
    return isinstance(target, str) and "://" in target


def hidden(url: str) -> str:
    """A URL as it may be shown: without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def _is_postgres(url: str) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).get_backend_name() == "postgresql"
    except ArgumentError:
        return False


# --- copying ------------------------------------------------------------------------------------


def copy_project(
    source: Project,
    target: str | Path,
    *,
    keep_logins: bool = True,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> CopyReport:
    """Copy every row of ``source`` into a new project at ``target`` (a file that does not exist
    yet, or a database URL without our tables), all of it in one transaction.

    The copy keeps primary keys, uuids and every column; its project row (name, uuid, language)
    and meta are the source's, except the schema version and application that the new project
    was created with. On PostgreSQL the id sequences continue after the copied ids. On an error
    or cancel (`Cancelled`) nothing is left: the file is not there, the database has none of our
    tables. ``keep_logins=False`` leaves coders' server logins out."""
    if cancel():
        raise Cancelled
    if _is_url(target):
        return _copy_to_database(source, str(target), keep_logins, progress, cancel)
    return _copy_to_file(source, Path(target), keep_logins, progress, cancel)


def _copy_to_file(
    source: Project, path: Path, keep_logins: bool, progress: Progress, cancel: CancelCheck
) -> CopyReport:
    # Written under a temporary name and renamed when complete: the file appears whole or not
    # at all, even if the process dies half-way.
    if path.exists():
        raise ProjectError(f"{path}: already exists; choose another name")
    if not path.parent.is_dir():
        raise ProjectError(f"{path}: the folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{uuid_mod.uuid4().hex[:8]}.copying")
    started = time.perf_counter()
    try:
        with create_project(tmp) as project:
            rows = _copy_rows(source, project, str(path), keep_logins, progress, cancel)
        # Closing the last connection folds the write-ahead log into the file and removes it.
        if Path(str(tmp) + "-wal").exists():
            raise ProjectError(f"{path}: the copy could not be completed (its log is in use)")
        if path.exists():
            raise ProjectError(f"{path}: appeared while copying; the copy was not kept")
        tmp.rename(path)
    finally:
        for extra in ("", "-wal", "-shm", "-lock"):
            Path(str(tmp) + extra).unlink(missing_ok=True)
    return CopyReport(source.label, str(path), rows, time.perf_counter() - started)


def _copy_to_database(
    source: Project, url: str, keep_logins: bool, progress: Progress, cancel: CancelCheck
) -> CopyReport:
    started = time.perf_counter()
    project = create_project(url)  # refuses a database that has any of our tables
    try:
        rows = _copy_rows(source, project, project.label, keep_logins, progress, cancel)
    except BaseException as exc:
        try:
            _drop_schema(project, exc)
        finally:
            project.close()
        raise
    project.close()
    return CopyReport(source.label, project.label, rows, time.perf_counter() - started)


def _copy_rows(
    source: Project,
    target: Project,
    label: str,
    keep_logins: bool,
    progress: Progress,
    cancel: CancelCheck,
) -> dict[str, int]:
    """Every table's rows from ``source`` into the freshly created ``target``, one transaction
    there (and one consistent snapshot of the source)."""
    order = tables()
    copied: dict[str, int] = {}
    current = ""
    try:
        with source.read() as rs, target.write() as ws:
            read = _snapshot_connection(rs)
            counts = {
                t.name: int(read.execute(select(func.count()).select_from(t)).scalar_one())
                for t in order
            }
            total, done = sum(counts.values()), 0
            progress(0, total, "")
            write = ws.connection()
            write.execute(PROJECT.delete())  # the source's project row replaces the new one
            for table in order:
                current = table.name
                copied[table.name] = 0
                with contextlib.closing(_chunks(read, table)) as chunks:
                    for chunk in chunks:
                        if table is META:
                            chunk = [r for r in chunk if r["key"] not in _WRITTEN_BY_CREATE]
                        elif table is CODER and not keep_logins:
                            chunk = [{**r, "login": None} for r in chunk]
                        insert_rows(ws, table, chunk)
                        copied[table.name] += len(chunk)
                        done += len(chunk)
                        progress(done, total, table.name)
                        if cancel():
                            raise Cancelled
            current = ""
            if target.dialect == "postgresql":
                _reset_sequences(write, order)
            progress(total, total, "done")
    except DBAPIError as exc:
        what = f"table {current}" if current else "the project"
        raise ProjectError(
            f"{label}: copying {what} from {source.label} failed ({_reason(exc)}); "
            "nothing was written"
        ) from None
    return copied


def _snapshot_connection(session: Any) -> Connection:
    """The session's connection, reading one consistent snapshot of the whole project (SQLite
    reads see one snapshot per transaction anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        return session.connection(execution_options=options)  # type: ignore[no-any-return]
    return session.connection()  # type: ignore[no-any-return]


def _chunks(conn: Connection, table: Table) -> Generator[list[dict[str, Any]], None, None]:
    """The table's rows, a chunk at a time, as the model's Python values (timestamps aware,
    binary columns as bytes) read through the driver's own cursor. Codes come parents first."""
    size = _LARGE.get(table.name, CHUNK)
    dialect = conn.dialect
    stmt = select(table).order_by(*table.primary_key.columns)
    sql = stmt.compile(dialect=dialect).string
    names = [c.name for c in table.columns]
    convert = [
        (i, p)
        for i, c in enumerate(table.columns)
        if (p := c.type._cached_result_processor(dialect, None)) is not None
    ]
    driver: Any = conn.connection.driver_connection
    # PostgreSQL: a server-side (named) cursor, so a large table is never in memory at once.
    named = {"name": f"qualbench_copy_{table.name}"} if dialect.name == "postgresql" else {}
    cursor = driver.cursor(**named)
    try:
        cursor.execute(sql)
        pending: list[dict[str, Any]] = []
        while batch := cursor.fetchmany(size):
            rows = []
            for values in batch:
                if convert:
                    values = list(values)
                    for i, process in convert:
                        values[i] = process(values[i])
                rows.append(dict(zip(names, values, strict=True)))
            if table is CODE:
                pending.extend(rows)  # a few thousand at most: ordered as a whole below
            else:
                yield rows
        if table is CODE:
            try:
                ordered = parents_first(pending)
            except ValueError as exc:
                raise ProjectError(str(exc)) from None
            for i in range(0, len(ordered), size):
                yield ordered[i : i + size]
    finally:
        with contextlib.suppress(Exception):  # e.g. a server-side cursor of an aborted transaction
            cursor.close()


def _reset_sequences(conn: Connection, order: list[Table]) -> None:
    """Make every id sequence continue after the largest copied id (PostgreSQL: rows inserted
    with explicit ids leave their sequences at 1)."""
    for table in order:
        column = table.autoincrement_column
        if column is None:
            continue
        name = conn.dialect.identifier_preparer.quote(table.name)
        col = conn.dialect.identifier_preparer.quote(column.name)
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:t, :c), "
                f"COALESCE((SELECT MAX({col}) FROM {name}), 0) + 1, false)"
            ),
            {"t": table.name, "c": column.name},
        )


def _drop_schema(project: Project, cause: BaseException) -> None:
    """Leave the database as the copy found it: without our tables (nor the team functions)."""
    prep = project.engine.dialect.identifier_preparer
    try:
        with project.engine.begin() as conn:
            for table in reversed(tables()):
                conn.execute(text(f"DROP TABLE IF EXISTS {prep.quote(table.name)} CASCADE"))
            functions = conn.execute(
                text(
                    "SELECT CAST(p.oid AS regprocedure) FROM pg_proc p JOIN pg_namespace n "
                    "ON n.oid = p.pronamespace WHERE n.nspname = current_schema() "
                    "AND p.proname LIKE 'qualbench\\_%'"
                )
            ).scalars()
            for signature in list(functions):
                conn.execute(text(f"DROP FUNCTION IF EXISTS {signature} CASCADE"))
    except DBAPIError as exc:
        raise ProjectError(
            f"{project.label}: stopped ({_describe(cause)}), and the tables it had created "
            f"could not be removed ({_reason(exc)}); drop them before trying again"
        ) from None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, Cancelled):
        return "cancelled"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0]


# --- publish and checkout -----------------------------------------------------------------------


@contextlib.contextmanager
def _opened_file(path: Path) -> Iterator[Project]:
    """A project file to copy from: read-only, or upgraded first if its schema is older."""
    try:
        project = open_project(path, readonly=True)
    except ProjectError as exc:
        if "older schema" not in str(exc):
            raise
        project = open_project(path)  # upgrades it (after a backup beside it)
    with project:
        yield project


def publish(
    path: str | Path,
    url: str,
    *,
    lead: str | None = None,
    login: str | None = None,
    password: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> PublishReport:
    """Put a project file on a team server: copy it into the empty PostgreSQL database at
    ``url`` and make it a team project (group roles, privileges, row-level security), adding
    ``lead`` (a coder name) with the server ``login`` as the team's lead when given.

    ``url`` logs in as the database's owner, who may create roles. The file's coders keep no
    logins (a login belongs to one server: members are added there). All or nothing: if any
    step fails, the database is left without our tables."""
    from qualbench.server import _LOGIN

    path = Path(path)
    if not _is_postgres(url):
        raise ServerError(f"{hidden(url)}: not a PostgreSQL URL (postgresql+psycopg://...)")
    if (lead is None) != (login is None):
        raise ServerError("give the lead's name and login together")
    if lead is not None and not lead.strip():
        raise ServerError("the lead needs a name")
    if login is not None and not _LOGIN.fullmatch(login):
        raise ServerError(
            f"login {login!r}: use lower-case letters, digits and _ (a PostgreSQL role name)"
        )
    with _opened_file(path) as source:
        if cancel():
            raise Cancelled
        started = time.perf_counter()
        target = create_project(url)
        try:
            _check_may_create_roles(target)
            rows = _copy_rows(source, target, target.label, False, progress, cancel)
            roles = enable_team(target)
            member = (
                add_member(target, name=lead, login=login, role="lead", password=password)
                if lead is not None and login is not None
                else None
            )
        except BaseException as exc:
            try:
                _drop_schema(target, exc)
            finally:
                target.close()
            raise
        target.close()
    report = CopyReport(source.label, target.label, rows, time.perf_counter() - started)
    return PublishReport(report, roles, member)


def _check_may_create_roles(project: Project) -> None:
    with project.read() as s:
        user, allowed = s.execute(
            text(
                "SELECT current_user, rolsuper OR rolcreaterole FROM pg_roles "
                "WHERE rolname = current_user"
            )
        ).one()
    if not allowed:
        raise ServerError(
            f"{project.label}: {user} may not create roles (CREATEROLE), which a team project "
            "needs; publish as the database owner with that right"
        )


def checkout(
    url: str,
    path: str | Path,
    *,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> CopyReport:
    """A local copy (a new project file) of the server project at ``url``, to code offline;
    ``qualbench merge URL FILE`` brings the work back. Any member may check out (the copy reads
    everything a member can read); coders' logins stay in the copy, where they mean nothing."""
    path = Path(path)
    if not _is_url(url):
        raise ProjectError(f"{url}: not a database URL (postgresql+psycopg://...)")
    if _is_url(str(path)):
        raise ProjectError(f"{hidden(str(path))}: a checkout is written to a file, not a URL")
    with open_project(url, readonly=True) as source:
        return copy_project(source, path, progress=progress, cancel=cancel)
