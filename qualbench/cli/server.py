"""``qualbench server``: team projects on PostgreSQL (issue 8).

Moving a project between a file and a server: ``publish`` and ``checkout``. Setting up the team
(``init``, ``add-member``, ``members``) has its own section below.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from qualbench.cli import terminal
from qualbench.cli.commands import _command
from qualbench.cli.terminal import Bar, cancellable, plural

T = TypeVar("T")
URL_HELP = (
    "the database's URL, postgresql+psycopg://USER@HOST:PORT/DATABASE (leave the password out: "
    "it is taken from PGPASSWORD or ~/.pgpass)"
)


def add_arguments(sub: Any) -> None:
    p = sub.add_parser(
        "server",
        help="team projects on a PostgreSQL server: publish, check out, members",
        description="Team projects on a PostgreSQL server: put a project file on the server, take "
        "a copy to code offline (merge it back with 'qualbench merge URL FILE'), manage the team.",
    )
    ssub = p.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    _publish_checkout(ssub)

    # --- team set-up: init, add-member, members -------------------------------------------------
    from qualbench.cli import server_admin

    server_admin.add_commands(ssub)


# --- publish and checkout -----------------------------------------------------------------------


def _publish_checkout(ssub: Any) -> None:
    what = (
        "copy a project file into an empty PostgreSQL database (every row, ids kept, all or "
        "nothing) and make it a team project; URL logs in as the database owner, who may create "
        "roles"
    )
    q = ssub.add_parser("publish", help="put a project file on a team server", description=what)
    q.set_defaults(handler="server_publish")
    q.add_argument("file", type=Path, help="project file (.qualbench)")
    q.add_argument("url", metavar="URL", help=URL_HELP)
    q.add_argument(
        "--lead", metavar="NAME", help="add this coder as the team's lead (with --login)"
    )
    q.add_argument("--login", help="the lead's server login (a role name: a-z, 0-9, _)")
    q.add_argument(
        "--password-env",
        metavar="VAR",
        help="read the lead's password from this variable (default: asked for on a terminal; "
        "elsewhere none, the server admin sets it)",
    )

    what = (
        "copy a server project into a new project file, to code offline; bring the work back "
        "with 'qualbench merge URL FILE'"
    )
    q = ssub.add_parser("checkout", help="take a server project into a file", description=what)
    q.set_defaults(handler="server_checkout")
    q.add_argument("url", metavar="URL", help=URL_HELP)
    q.add_argument("file", type=Path, help="the new project file (must not exist)")


def _asking_password(url: str, call: Callable[[str], T]) -> T:
    """``call(url)``; if the server refused the login for want of a password (none in the URL,
    PGPASSWORD or ~/.pgpass), ask for one on a terminal and call again (it is never stored)."""
    from sqlalchemy.engine import make_url

    from qualbench.store import _AUTH_FAILED, PasswordNeeded, ProjectError, with_password

    try:
        return call(url)
    except ProjectError as exc:
        refused = isinstance(exc, PasswordNeeded) or _AUTH_FAILED.search(str(exc))
        if not refused or not sys.stdin.isatty():
            raise
    password = getpass.getpass(f"password for {make_url(url).username}: ")
    return call(with_password(url, password))


def _print_rows(rows: dict[str, int], seconds: float) -> None:
    total = sum(rows.values())
    counts = ", ".join(f"{n} {t}" for t, n in rows.items() if n and t not in ("meta", "project"))
    print(f"copied {plural(total, 'row')} in {seconds:.1f} s ({counts or 'no rows'})")


@_command
def server_publish(args: argparse.Namespace) -> int:
    from qualbench.progress import Cancelled
    from qualbench.server_copy import hidden, publish

    if (args.lead is None) != (args.login is None):
        terminal.error("give --lead and --login together")
        return terminal.USAGE
    from qualbench.cli.server_admin import _password

    password = _password(args) if args.login else None
    with cancellable() as token:
        bar = Bar("Publishing")
        try:
            report = _asking_password(
                args.url,
                lambda url: publish(
                    args.file,
                    url,
                    lead=args.lead,
                    login=args.login,
                    password=password,
                    progress=bar,
                    cancel=token.is_set,
                ),
            )
        except Cancelled:
            bar.close()
            terminal.error(f"cancelled; nothing was written to {hidden(args.url)}")
            return terminal.CANCELLED
        finally:
            bar.close()
    _print_rows(report.copy.rows, report.copy.seconds)
    print(f"published {args.file} to {report.copy.target}")
    lead, coder = report.roles
    print(f"team roles: {lead} (leads), {coder} (coders)")
    if report.lead is not None:
        print(f"lead: {report.lead.name} (login {report.lead.login})")
    terminal.note("add the team's members with 'qualbench server add-member'")
    return terminal.OK


@_command
def server_checkout(args: argparse.Namespace) -> int:
    from qualbench.progress import Cancelled
    from qualbench.server_copy import checkout

    with cancellable() as token:
        bar = Bar("Checking out")
        try:
            report = _asking_password(
                args.url,
                lambda url: checkout(url, args.file, progress=bar, cancel=token.is_set),
            )
        except Cancelled:
            bar.close()
            terminal.error(f"cancelled; {args.file} was not written")
            return terminal.CANCELLED
        finally:
            bar.close()
    _print_rows(report.rows, report.seconds)
    print(f"checked out {report.source} to {args.file}")
    terminal.note(
        f"the file contains the transcripts; code it offline, then: qualbench merge URL {args.file}"
    )
    return terminal.OK
