"""Team servers: one project in PostgreSQL, many coders at once (issue 8).

A server project is an ordinary project in a PostgreSQL database, plus what `enable_team`
adds there:

- two group roles per database, ``<prefix>_lead`` and ``<prefix>_coder``; each team member logs
  in as their own role (a member of one group) and is the coder whose ``login`` is that role;
- privileges and row-level security, so that the database itself enforces who may do what: a
  lead manages the codebook, documents, participants, attributes and coders; a coder reads
  everything and writes only their own codings (and the participants those cover), memos and
  suggestions, plus the shared derived data (the language analysis) and the quote basket;
- a trigger on every table that tells listeners (``LISTEN qualbench``) which table changed, so
  open windows refresh within a second or two (`ChangeListener`).

Passwords are never stored by QualBench: a URL without one makes libpq use ``PGPASSWORD`` or
``~/.pgpass`` (the app asks when neither has it).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import select as select_module
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text

from qualbench.db import CODER
from qualbench.errors import UserError

if TYPE_CHECKING:
    from sqlmodel import Session

    from qualbench.store import Project

ROLES = ("lead", "coder")
CHANNEL = "qualbench"
# Tables a coder may write, and the condition on their rows (None: any row).
_OWN = "qualbench_me()"
_CODER_WRITES: dict[str, str | None] = {
    "coding": f"coder_id = {_OWN}",
    "coding_case": f"coding_id IN (SELECT id FROM coding WHERE coder_id = {_OWN})",
    "memo": f"coder_id = {_OWN}",
    "suggestion": f"coder_id = {_OWN}",
    "text_analysis": None,
    "quote": None,
}
_LOGIN = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class ServerError(UserError):
    """A team-server request that cannot be done (not PostgreSQL, no rights, bad login)."""


@dataclass(frozen=True)
class Member:
    coder_id: int
    name: str
    login: str
    role: str  # lead | coder


def _require_postgres(project: Project) -> None:
    if project.dialect != "postgresql":
        raise ServerError(f"{project.label}: team features need a PostgreSQL project")


def group_roles(session: Session) -> tuple[str, str]:
    """The lead and coder group roles of this database: a readable prefix of its name and a
    hash of it (role names are shared by the whole server, and at most 63 bytes)."""
    db = str(session.execute(text("SELECT current_database()")).scalar())
    stem = re.sub(r"[^a-z0-9]+", "_", db.lower()).strip("_")[:30] or "db"
    digest = hashlib.sha256(db.encode()).hexdigest()[:8]
    prefix = f"qb_{stem}_{digest}"
    return f"{prefix}_lead", f"{prefix}_coder"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def enable_team(project: Project) -> tuple[str, str]:
    """Make the project a team project (idempotent): group roles, privileges, row-level
    security and change notifications. Run as the database owner (who also needs CREATEROLE).
    Returns the (lead, coder) group role names."""
    _require_postgres(project)
    with project.write() as s:
        lead, coder = group_roles(s)
        tables = [
            r[0]
            for r in s.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
        ]
        for role in (lead, coder):  # generated names: letters, digits and _ only
            s.execute(
                text(
                    f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
                    f"THEN CREATE ROLE {_q(role)} NOLOGIN; END IF; END $$"
                )
            )
        db = s.execute(text("SELECT current_database()")).scalar()
        for role in (lead, coder):
            s.execute(text(f"GRANT CONNECT ON DATABASE {_q(str(db))} TO {_q(role)}"))
            s.execute(text(f"GRANT USAGE ON SCHEMA public TO {_q(role)}"))
            s.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {_q(role)}"))
            s.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {_q(role)}"))
        s.execute(
            text(f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {_q(lead)}")
        )
        for table in _CODER_WRITES:
            s.execute(text(f"GRANT INSERT, UPDATE, DELETE ON {_q(table)} TO {_q(coder)}"))
        # Who is speaking: the coder whose login is the session's user (the function runs with
        # its owner's rights so that it can read the coder table under any policy).
        s.execute(
            text(
                "CREATE OR REPLACE FUNCTION qualbench_me() RETURNS integer LANGUAGE sql STABLE "
                "SECURITY DEFINER SET search_path = public AS "
                "$$ SELECT id FROM coder WHERE login = session_user $$"
            )
        )
        s.execute(
            text(
                "CREATE OR REPLACE FUNCTION qualbench_is_lead() RETURNS boolean LANGUAGE sql "
                "STABLE SECURITY DEFINER SET search_path = public AS $$ SELECT "
                f"pg_has_role(session_user, '{lead}', 'MEMBER') OR EXISTS (SELECT FROM pg_roles "
                "WHERE rolname = session_user AND rolsuper) OR session_user = (SELECT tableowner "
                "FROM pg_tables WHERE schemaname = 'public' AND tablename = 'coding') $$"
            )
        )
        # Before a coder changes or deletes a row of a table they may write: is it theirs?
        # (Cascades from an allowed delete, e.g. a coding's memos, are not asked again.)
        s.execute(
            text(
                "CREATE OR REPLACE FUNCTION qualbench_guard() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ DECLARE owner_id integer; BEGIN "
                "IF pg_trigger_depth() > 1 OR qualbench_is_lead() THEN "
                "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END IF; "
                "IF TG_TABLE_NAME = 'coding_case' THEN "
                "SELECT coder_id INTO owner_id FROM coding WHERE id = OLD.coding_id; "
                "ELSE owner_id := OLD.coder_id; END IF; "
                "IF owner_id IS DISTINCT FROM qualbench_me() THEN RAISE EXCEPTION "
                "'this % row belongs to another coder', TG_TABLE_NAME USING ERRCODE = '42501'; "
                "END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
            )
        )
        for fn in ("qualbench_me()", "qualbench_is_lead()"):
            s.execute(text(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC"))
            s.execute(text(f"GRANT EXECUTE ON FUNCTION {fn} TO {_q(lead)}, {_q(coder)}"))
        for table, condition in _CODER_WRITES.items():
            if condition is None:
                continue
            s.execute(text(f"ALTER TABLE {_q(table)} ENABLE ROW LEVEL SECURITY"))
            for name in (
                "qb_lead_all",
                "qb_read",
                "qb_own_insert",
                "qb_own_update",
                "qb_own_delete",
            ):
                s.execute(text(f"DROP POLICY IF EXISTS {name} ON {_q(table)}"))
            s.execute(
                text(
                    f"CREATE POLICY qb_lead_all ON {_q(table)} TO {_q(lead)} "
                    "USING (true) WITH CHECK (true)"
                )
            )
            s.execute(text(f"CREATE POLICY qb_read ON {_q(table)} FOR SELECT USING (true)"))
            s.execute(
                text(
                    f"CREATE POLICY qb_own_insert ON {_q(table)} FOR INSERT TO {_q(coder)} "
                    f"WITH CHECK ({condition})"
                )
            )
            # Another coder's rows stay visible to UPDATE and DELETE (a policy would hide them,
            # and the change would do nothing without a word); the guard refuses them loudly.
            s.execute(
                text(
                    f"CREATE POLICY qb_own_update ON {_q(table)} FOR UPDATE TO {_q(coder)} "
                    f"USING (true) WITH CHECK ({condition})"
                )
            )
            s.execute(
                text(
                    f"CREATE POLICY qb_own_delete ON {_q(table)} FOR DELETE TO {_q(coder)} "
                    "USING (true)"
                )
            )
            s.execute(text(f"DROP TRIGGER IF EXISTS qualbench_guard ON {_q(table)}"))
            s.execute(
                text(
                    f"CREATE TRIGGER qualbench_guard BEFORE UPDATE OR DELETE ON {_q(table)} "
                    "FOR EACH ROW EXECUTE FUNCTION qualbench_guard()"
                )
            )
        s.execute(
            text(
                "CREATE OR REPLACE FUNCTION qualbench_notify() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME || ' ' || pg_backend_pid()); "
                "RETURN NULL; END $$"
            )
        )
        for table in tables:
            s.execute(text(f"DROP TRIGGER IF EXISTS qualbench_notify ON {_q(table)}"))
            s.execute(
                text(
                    f"CREATE TRIGGER qualbench_notify AFTER INSERT OR UPDATE OR DELETE ON "
                    f"{_q(table)} FOR EACH STATEMENT EXECUTE FUNCTION qualbench_notify()"
                )
            )
    return lead, coder


def add_member(
    project: Project, *, name: str, login: str, role: str = "coder", password: str | None = None
) -> Member:
    """Add a team member: their login role (with ``password``, if given, else none: the server
    admin sets one), in the lead or coder group, and their coder row. Run as the owner."""
    _require_postgres(project)
    if role not in ROLES:
        raise ServerError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not _LOGIN.fullmatch(login):
        raise ServerError(
            f"login {login!r}: use lower-case letters, digits and _ (a PostgreSQL role name)"
        )
    if not name.strip():
        raise ServerError("a member needs a name")
    with project.write() as s:
        lead, coder = group_roles(s)
        group = lead if role == "lead" else coder
        other = coder if role == "lead" else lead
        exists = s.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}).first()
        if exists is None:
            s.execute(text(f"CREATE ROLE {_q(login)} LOGIN"))
        if password:
            s.execute(text(f"ALTER ROLE {_q(login)} PASSWORD {_literal(password)}"))
        s.execute(text(f"GRANT {_q(group)} TO {_q(login)}"))
        s.execute(text(f"REVOKE {_q(other)} FROM {_q(login)}"))
        row = s.execute(select(CODER.c.id).where(CODER.c.name == name.strip())).first()
        if row is None:
            from qualbench.services.coding import get_or_create_coder

            coder_id, _ = get_or_create_coder(s, name.strip())
        else:
            coder_id = int(row[0])
        taken = s.execute(
            select(CODER.c.name).where(CODER.c.login == login, CODER.c.id != coder_id)
        ).first()
        if taken is not None:
            raise ServerError(f"login {login!r} already belongs to {taken[0]!r}")
        s.execute(CODER.update().where(CODER.c.id == coder_id).values(login=login))
    return Member(coder_id, name.strip(), login, role)


def _literal(value: str) -> str:
    """A SQL string literal (ALTER ROLE takes no bind parameters)."""
    return "'" + value.replace("'", "''") + "'"


def members(session: Session) -> list[Member]:
    """Every coder with a login, and their group."""
    lead, _ = group_roles(session)
    leads = {
        r[0]
        for r in session.execute(
            text(
                "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
                "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = :g"
            ),
            {"g": lead},
        )
    }
    return [
        Member(cid, name, login, "lead" if login in leads else "coder")
        for cid, name, login in session.execute(
            select(CODER.c.id, CODER.c.name, CODER.c.login)
            .where(CODER.c.login.is_not(None))
            .order_by(CODER.c.name)
        )
    ]


def me(session: Session) -> Member | None:
    """The member this connection logs in as (None: not a member, e.g. the owner)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    login = session.execute(text("SELECT session_user")).scalar()
    return next((m for m in members(session) if m.login == login), None)


def is_team_project(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(
        session.execute(text("SELECT 1 FROM pg_proc WHERE proname = 'qualbench_me'")).first()
    )


# --- changes made by others ---------------------------------------------------------------------


class ListenerLost(ConnectionError):
    """The listener's connection could not be made or was lost (the message says why)."""


# The listener's connection: give up a connection attempt after a few seconds, and let TCP
# keepalives notice a server that vanished without closing the connection.
LISTENER_OPTIONS = {
    "connect_timeout": "5",
    "keepalives": "1",
    "keepalives_idle": "20",
    "keepalives_interval": "5",
    "keepalives_count": "3",
}


def listener_url(project: Project) -> str:
    """The URL a `ChangeListener` for ``project`` connects with: the project's own login
    (password included: keep it in memory only) and the listener's connection options."""
    url = project.engine.url.update_query_dict(LISTENER_OPTIONS)
    return url.render_as_string(hide_password=False)


class ChangeListener:
    """Listens for the team's changes: `poll` returns the tables other connections changed
    since the last call (the listener's own project's writes are left out when their
    connections are registered with `ignore_backend`). Failures raise `ListenerLost`."""

    def __init__(self, url: str) -> None:
        import psycopg

        try:
            self._conn = psycopg.connect(_libpq_url(url), autocommit=True)
            self._conn.execute(f"LISTEN {CHANNEL}")
        except (psycopg.Error, OSError) as exc:
            raise ListenerLost(_first_line(exc)) from None
        self._ignored: set[int] = set()

    def ignore_backend(self, pid: int) -> None:
        self._ignored.add(pid)

    def poll(self, timeout: float = 0.0) -> set[str]:
        """Tables changed by others; waits up to ``timeout`` seconds for the first one."""
        import psycopg

        changed: set[str] = set()
        try:
            # Waiting on the socket (also for no time) is what makes a closed connection show.
            select_module.select([self._conn.fileno()], [], [], max(timeout, 0.0))
            notes = list(self._conn.notifies(timeout=0, stop_after=10_000))
        except (psycopg.Error, OSError, ValueError) as exc:  # ValueError: a closed socket
            raise ListenerLost(_first_line(exc)) from None
        for n in notes:
            table, _, pid = n.payload.partition(" ")
            if pid.isdigit() and int(pid) in self._ignored:
                continue
            changed.add(table)
        return changed

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _libpq_url(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://...) as libpq takes it (postgresql://...)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def watch_own_connections(project: Project, seen: Callable[[int], None]) -> Callable[[], None]:
    """Call ``seen`` with the server process id of the connection the project already has and
    of every one its pool opens from now on (so a `ChangeListener` can leave one's own changes
    out); returns the function that stops watching."""
    from sqlalchemy import event

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        pid = getattr(getattr(dbapi_connection, "info", None), "backend_pid", None)
        if isinstance(pid, int):
            seen(pid)

    event.listen(project.engine, "connect", on_connect)
    with project.read() as s:  # the pool's connection, opened before the hook
        seen(int(s.execute(text("SELECT pg_backend_pid()")).scalar() or 0))
    return lambda: event.remove(project.engine, "connect", on_connect)


def refused(exc: BaseException) -> str | None:
    """The message for a write the server refused for lack of rights (None: another error)."""
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(
        getattr(orig, "diag", None), "sqlstate", None
    )
    if state == "42501":  # insufficient_privilege: grants, or a row-level security policy
        detail = str(orig).splitlines()[0] if orig is not None else ""
        return (
            "the server refused this change: a coder may change only their own codings, memos "
            f"and suggestions; the codebook, documents and participants are the lead's ({detail})"
        )
    return None
