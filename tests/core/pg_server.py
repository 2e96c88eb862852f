"""A real, throwaway PostgreSQL server for the store tests: one per test session.

The server is initialised in a private temporary folder, listens on 127.0.0.1 only (a free port,
password authentication, its Unix socket inside that folder) and runs with ``fsync=off``: its data
is worth nothing. ``postgres`` is our child process, started through ``setpriv --pdeathsig`` where
available, so even a killed test run takes the server down with it; :meth:`PostgresServer.stop`
(``pg_ctl stop -m fast``) is the normal end, also registered with :mod:`atexit`.

initdb and postgres refuse to run as root: as root they run as the ``postgres`` system user,
which then owns the temporary folder. Nothing here imports pytest; what is missing on this
machine is raised as :class:`PostgresUnavailable` for the fixture to turn into a skip (or a
failure where PostgreSQL is required).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

PG_LIB = Path("/usr/lib/postgresql")  # Debian/Ubuntu: one <version>/bin per installed major
SUPERUSER = "postgres"
SYSTEM_USER = "postgres"  # who runs initdb/postgres when the tests run as root
START_TIMEOUT = 30.0
STALE_AFTER = 600.0  # seconds; a folder this old without a live server is a killed run's
FOLDER_PREFIX = "qualbench-pg-"
_TOOLS = ("initdb", "pg_ctl", "postgres")


class PostgresUnavailable(RuntimeError):
    """This machine cannot run a throwaway PostgreSQL (the message says what is missing)."""


class PostgresError(RuntimeError):
    """PostgreSQL is installed but failed to start or stop; the message carries its output."""


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split("."))


def find_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin``, else the folder of ``pg_ctl`` on PATH."""
    versions = [
        d
        for d in PG_LIB.glob("*/bin")
        if re.fullmatch(r"\d+(\.\d+)*", d.parent.name) and all((d / t).is_file() for t in _TOOLS)
    ]
    if versions:
        return max(versions, key=lambda d: _version_key(d.parent.name))
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        bindir = Path(pg_ctl).resolve().parent
        if all((bindir / t).is_file() for t in _TOOLS):
            return bindir
        raise PostgresUnavailable(
            f"pg_ctl is on PATH ({pg_ctl}) but initdb/postgres are not next to it in {bindir}"
        )
    raise PostgresUnavailable(
        f"PostgreSQL is not installed (no {PG_LIB}/<version>/bin, no pg_ctl on PATH)"
    )


def _setpriv() -> tuple[str | None, list[str]]:
    """setpriv, and its option that makes the server get SIGINT (fast shutdown) when we die."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None, []
    usage = subprocess.run([setpriv, "--help"], capture_output=True, text=True, check=False).stdout
    return setpriv, (["--pdeathsig=INT"] if "--pdeathsig" in usage else [])  # util-linux 2.33+


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One running server; :meth:`start` it, make databases, :meth:`stop` it (idempotent)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.password = secrets.token_hex(16)
        self.port = 0
        self.root: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._prefix: list[str] = []  # runs a command as the server's user
        self._owner: tuple[int, int] | None = None  # (uid, gid) when running as root

    # --- life cycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """initdb into a new temporary folder and start the server; stops it again on failure."""
        self._prefix, self._owner = self._run_as()
        remove_stale_folders()
        atexit.register(self.stop)
        try:
            self.root = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
            (self.root / "sock").mkdir()
            pwfile = self.root / "pwfile"
            pwfile.write_text(self.password + "\n", encoding="utf-8")
            pwfile.chmod(0o600)
            if self._owner is not None:
                for p in (self.root, self.root / "sock", pwfile):
                    os.chown(p, *self._owner)
            self._run(
                "initdb",
                "-D",
                str(self.root / "data"),
                "-U",
                SUPERUSER,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
            pwfile.unlink()
            for _attempt in range(3):  # another process may take the free port before we do
                if self._launch():
                    return
            raise PostgresError(f"postgres did not start:\n{self.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def _run_as(self) -> tuple[list[str], tuple[int, int] | None]:
        setpriv, die_with_us = _setpriv()
        if os.geteuid() != 0:
            return ([setpriv, *die_with_us, "--"] if die_with_us else []), None
        try:
            user = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root, and initdb/postgres refuse root, but there is no "
                f"{SYSTEM_USER!r} system user to run them as"
            ) from None
        owner = (user.pw_uid, user.pw_gid)
        if setpriv:
            ids = [f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups"]
            return [setpriv, *ids, *die_with_us, "--"], owner
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", SYSTEM_USER, "--"], owner
        raise PostgresUnavailable(
            "running as root, and neither setpriv nor runuser is there to run PostgreSQL as "
            f"{SYSTEM_USER!r}"
        )

    def _run(self, tool: str, *args: str) -> str:
        assert self.root is not None
        result = subprocess.run(
            [*self._prefix, str(self.bindir / tool), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise PostgresError(
                f"{tool} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )
        return result.stdout

    def _launch(self) -> bool:
        """Start postgres on a free port; False if it exited early (port taken), True when ready."""
        assert self.root is not None
        self.port = _free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.root / "sock"),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        args = [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
        with (self.root / "postgres.log").open("ab") as log:
            self._proc = subprocess.Popen(
                [
                    *self._prefix,
                    str(self.bindir / "postgres"),
                    "-D",
                    str(self.root / "data"),
                    *args,
                ],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C reaches pytest, whose teardown stops the server
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                return False
            try:
                with self.admin():
                    return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise PostgresError(
            f"postgres was not ready after {START_TIMEOUT:.0f} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """Fast shutdown (``pg_ctl stop -m fast``), kill if that fails; then remove the folder."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(PostgresError, subprocess.TimeoutExpired):
                self._run("pg_ctl", "stop", "-D", str(self._data()), "-m", "fast", "-w", "-t", "30")
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._kill_postmaster()
                proc.kill()
                proc.wait(timeout=10)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
        atexit.unregister(self.stop)

    def _data(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def _kill_postmaster(self) -> None:
        """SIGKILL the postmaster named in ``postmaster.pid`` (when runuser stands in between)."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self._data() / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        if self.root is None:
            return ""
        try:
            return "\n".join(
                (self.root / "postgres.log").read_text(errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return ""

    # --- databases ------------------------------------------------------------------------------

    def url(self, database: str) -> str:
        """SQLAlchemy URL of a database on this server (password included)."""
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to the maintenance database; use it in a ``with``."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            password=self.password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )

    def create_database(
        self, name: str, *, template: str | None = None, icu_locale: str | None = None
    ) -> str:
        """A new database (empty, or a copy of ``template``); returns its URL.

        ``icu_locale`` (e.g. ``en-US``) gives it that ICU collation, as on a typical team server,
        instead of the cluster's ``C``; see :meth:`has_icu`.
        """
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
        elif icu_locale:
            query = sql.SQL("{} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE {}").format(
                query, sql.Literal(icu_locale)
            )
        with self.admin() as conn:
            conn.execute(query)
        return self.url(name)

    def has_icu(self) -> bool:
        """Whether databases can get an ICU collation (PostgreSQL 15 or later, built with ICU)."""
        with self.admin() as conn:
            row = conn.execute(
                "SELECT current_setting('server_version_num')::int >= 150000"
                " AND EXISTS (SELECT 1 FROM pg_collation WHERE collprovider = 'i')"
            ).fetchone()
        return bool(row and row[0])

    def drop_database(self, name: str) -> int:
        """Drop a database, ending its sessions first; returns how many sessions were still open."""
        with self.admin() as conn:
            ended = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            ).fetchone()
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        return int(ended[0]) if ended else 0

    def databases(self) -> set[str]:
        """Names of the databases on the server, templates and ``postgres`` left out."""
        with self.admin() as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'"
            )
            return {str(r[0]) for r in rows}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_folders() -> None:
    """Remove the folders of earlier runs that were killed (``kill -9``, SIGTERM) before their
    teardown; their server died with them (``--pdeathsig``). Recent or live ones are left alone."""
    for folder in Path(tempfile.gettempdir()).glob(FOLDER_PREFIX + "*"):
        try:
            if time.time() - folder.stat().st_mtime < STALE_AFTER:
                continue
            pid_file = folder / "data" / "postmaster.pid"
            if pid_file.exists() and _alive(int(pid_file.read_text().split()[0])):
                continue
        except (OSError, ValueError, IndexError):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def start_server() -> PostgresServer:
    """A started server; raises PostgresUnavailable (skip) or PostgresError (a real failure)."""
    server = PostgresServer(find_bindir())
    server.start()
    return server
