"""Open, create and upgrade projects: one SQLite file (or a PostgreSQL database) per project.

A project file is an SQLite database with QualBench's ``application_id``, WAL journal, foreign
keys on and ``synchronous=FULL``: every committed action survives a crash or ``kill -9``. Only one
process may write a project file at a time (an OS lock on ``<file>-lock``); others are refused
with a message naming the process. Readers (``readonly=True``) need no lock.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, SQLModel

from qualbench import migrations, model
from qualbench.errors import UserError

META = model.Meta.__table__  # type: ignore[attr-defined]

APPLICATION_ID = 0x51424E43  # "QBNC"
SUFFIX = ".qualbench"


class ProjectError(Exception):
    """A project cannot be opened or written; the message says which and why, in one line."""


class PermissionRefused(UserError):
    """A team server refused a change for lack of rights (its roles and row-level security);
    nothing of the action was saved."""


def _is_url(target: str | Path) -> bool:
    return isinstance(target, str) and "://" in target


class _FileLock:
    """An exclusive OS lock on ``<project>-lock``; released by the OS if the process dies."""

    def __init__(self, project_path: Path) -> None:
        self.project_path = project_path
        self.path = project_path.with_name(project_path.name + "-lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        for _ in range(5):
            f = self.path.open("a+", encoding="utf-8")
            if not _try_lock(f):
                f.seek(0)
                holder = f.read().strip() or "another process"
                f.close()
                raise ProjectError(
                    f"{self.project_path}: is open in another QualBench ({holder}); "
                    "wait for it to finish or close it there"
                )
            # The file may have been removed by its previous holder between open and lock.
            try:
                same = os.fstat(f.fileno()).st_ino == self.path.stat().st_ino
            except FileNotFoundError:
                same = False
            if same:
                f.seek(0)
                f.truncate()
                f.write(f"pid {os.getpid()} on {socket.gethostname()}")
                f.flush()
                self._file = f
                return
            f.close()
        raise ProjectError(f"{self.path}: could not take the project lock")

    def release(self) -> None:
        if self._file is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        self._file.close()  # closing releases the lock
        self._file = None


def _try_lock(f: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _sqlite_engine(path: Path, *, readonly: bool) -> Engine:
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}?mode=rwc"
    # An explicit pool: with a bare "sqlite://" URL SQLAlchemy would share one connection per
    # thread (its in-memory default), so a read inside a write would nest transactions.
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30),
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=8,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun explicitly below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA temp_store=MEMORY")
        if not readonly:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


class Project:
    """An open project: an engine plus, for files, the writer's lock.

    Use :meth:`write` for one user action (one transaction) and :meth:`read` for queries.
    """

    def __init__(
        self, engine: Engine, *, path: Path | None, readonly: bool, lock: _FileLock | None
    ) -> None:
        self.engine = engine
        self.path = path
        self.readonly = readonly
        self._lock = lock

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def label(self) -> str:
        return str(self.path) if self.path else self.engine.url.render_as_string(hide_password=True)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        if self.readonly:
            raise ProjectError(f"{self.label}: is open read-only")
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except DBAPIError as exc:
            from qualbench.server import refused

            if (message := refused(exc)) is not None:
                raise PermissionRefused(f"{self.label}: {message}") from None
            if self.dialect == "postgresql" and (
                exc.connection_invalidated or isinstance(exc, OperationalError)
            ):
                raise ProjectError(
                    f"{self.label}: the connection to the database was lost ({_reason(exc)}); "
                    "nothing of this action was saved; try again"
                ) from None
            raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def info(self) -> model.ProjectInfo:
        with self.read() as s:
            info = s.exec(select(model.ProjectInfo)).scalars().first()  # type: ignore[call-overload]
        if info is None:
            raise ProjectError(f"{self.label}: has no project record")
        return info  # type: ignore[no-any-return]

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _holds_project(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            rows: dict[str, str] = dict(conn.execute(select(META.c.key, META.c.value)).all())
    except (OperationalError, DatabaseError):
        return False
    return rows.get("application") == "qualbench"


def _server_engine(url: str) -> Engine:
    """An engine for a database server URL (PostgreSQL); a bad URL is a ProjectError."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        # A server that does not answer: give up after 10 s rather than libpq's minutes.
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ProjectError(
            f"{url.split('@')[-1]}: not a database URL QualBench can open ({type(exc).__name__})"
        ) from None


def _create_schema(engine: Engine, *, name: str, language: str) -> None:
    with engine.begin() as conn:
        SQLModel.metadata.create_all(conn)
        conn.execute(
            model.Meta.__table__.insert(),  # type: ignore[attr-defined]
            [
                {"key": "application", "value": "qualbench"},
                {"key": "schema_version", "value": str(migrations.SCHEMA_VERSION)},
            ],
        )
        conn.execute(
            model.ProjectInfo.__table__.insert().values(  # type: ignore[attr-defined]
                uuid=model.new_uuid(),
                name=name,
                description="",
                language=language,
                created=model.utcnow(),
            )
        )
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")


def create_project(target: str | Path, *, name: str | None = None, language: str = "en") -> Project:
    """Create a new, empty project file (refusing to overwrite) or schema in an empty database."""
    if _is_url(target):
        engine = _server_engine(str(target))
        label = engine.url.render_as_string(hide_password=True)
        try:
            existing = set(inspect(engine).get_table_names()) & set(SQLModel.metadata.tables)
        except (OperationalError, DatabaseError) as exc:
            engine.dispose()
            if _AUTH_FAILED.search(_reason(exc)):
                raise PasswordNeeded(
                    f"{label}: the server refused the login ({_reason(exc)})"
                ) from None
            raise ProjectError(f"{label}: cannot connect ({_reason(exc)})") from None
        if existing:
            ours = "meta" in existing and _holds_project(engine)
            engine.dispose()
            what = (
                "already holds a QualBench project"
                if ours
                else f"already has tables named like ours ({', '.join(sorted(existing))})"
            )
            raise ProjectError(f"{label}: {what}; use an empty database")
        _create_schema(engine, name=name or "QualBench project", language=language)
        return Project(engine, path=None, readonly=False, lock=None)
    path = Path(target)
    if path.exists():
        raise ProjectError(f"{path}: already exists; choose another name or open it")
    if not path.parent.exists():
        raise ProjectError(f"{path}: the folder {path.parent} does not exist")
    lock = _FileLock(path)
    lock.acquire()
    tmp = path.with_name(path.name + ".creating")
    try:
        tmp.unlink(missing_ok=True)
        engine = _sqlite_engine(tmp, readonly=False)
        _create_schema(engine, name=name or path.stem, language=language)
        engine.dispose()
        for extra in ("-wal", "-shm"):
            Path(str(tmp) + extra).unlink(missing_ok=True)
        tmp.rename(path)  # the project appears complete or not at all
    except BaseException:
        tmp.unlink(missing_ok=True)
        lock.release()
        raise
    return Project(_sqlite_engine(path, readonly=False), path=path, readonly=False, lock=lock)


def _check_sqlite_file(path: Path) -> None:
    if not path.exists():
        raise ProjectError(f"{path}: does not exist")
    if path.is_dir():
        raise ProjectError(f"{path}: is a folder, not a QualBench project")
    with path.open("rb") as f:
        header = f.read(100)
    if len(header) == 0:
        raise ProjectError(f"{path}: is an empty file, not a QualBench project")
    if not header.startswith(b"SQLite format 3\x00") or len(header) < 100:
        raise ProjectError(f"{path}: is not a QualBench project (not an SQLite database)")
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise ProjectError(f"{path}: is an SQLite database but not a QualBench project")


class PasswordNeeded(ProjectError):
    """The server asks for a password that the URL, ``PGPASSWORD`` and ``~/.pgpass`` lack (or
    the one given is wrong); the caller may ask the user and try again."""


def with_password(url: str, password: str | None) -> str:
    """``url`` with ``password`` in it (in memory only: never write the result anywhere)."""
    if not password:
        return url
    from sqlalchemy.engine import make_url

    return make_url(url).set(password=password).render_as_string(hide_password=False)


def open_project(
    target: str | Path,
    *,
    readonly: bool = False,
    upgrade: bool = True,
    password: str | None = None,
) -> Project:
    """Open an existing project; upgrades an older schema (after a backup) unless read-only.

    A server URL may leave the password out: libpq then takes it from ``PGPASSWORD`` or
    ``~/.pgpass``; ``password`` supplies one asked from the user. Authentication failures
    raise `PasswordNeeded`."""
    if _is_url(target):
        engine = _server_engine(with_password(str(target), password))
        path = None
        lock = None
    else:
        path = Path(target)
        _check_sqlite_file(path)
        lock = None if readonly else _FileLock(path)
        if lock is not None:
            lock.acquire()
        engine = _sqlite_engine(path, readonly=readonly)
    project = Project(engine, path=path, readonly=readonly, lock=lock)
    try:
        version = _schema_version(project)
        if version > migrations.SCHEMA_VERSION:
            raise ProjectError(
                f"{project.label}: was written by a newer QualBench (schema {version}; this version "
                f"reads up to {migrations.SCHEMA_VERSION}); update QualBench to open it"
            )
        if version < migrations.SCHEMA_VERSION:
            if readonly or not upgrade:
                raise ProjectError(
                    f"{project.label}: uses an older schema ({version}); open it once for writing to upgrade it"
                )
            migrations.upgrade(project, version)
    except BaseException:
        project.close()
        raise
    return project


def _schema_version(project: Project) -> int:
    try:
        with project.engine.connect() as conn:
            rows: dict[str, str] = dict(conn.execute(select(META.c.key, META.c.value)).all())
    except (OperationalError, DatabaseError) as exc:
        reason = _reason(exc)
        if project.dialect == "postgresql" and _AUTH_FAILED.search(reason):
            raise PasswordNeeded(
                f"{project.label}: the server refused the login ({reason})"
            ) from None
        raise ProjectError(
            f"{project.label}: is not a readable QualBench project ({reason})"
        ) from None
    if rows.get("application") != "qualbench":
        raise ProjectError(f"{project.label}: is not a QualBench project")
    try:
        return int(rows["schema_version"])
    except (KeyError, ValueError):
        raise ProjectError(f"{project.label}: has no valid schema version") from None


_AUTH_FAILED = re.compile(r"password authentication failed|no password supplied|fe_sendauth", re.I)


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0]


def backup_file(path: Path, dest: Path) -> Path:
    """A consistent copy of a live SQLite project (WAL included), via SQLite's backup API."""
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return dest
