"""``qualbench server init | add-member | members``: set up a team project on PostgreSQL.

Run by the database owner (a role that may create roles); members then open the project with
their own login. Passwords come from an environment variable or a prompt, never from the
command line (it would stay in the shell history and the process list).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from qualbench.cli import terminal
from qualbench.cli.commands import _command, open_target
from qualbench.cli.terminal import print_json, print_table


def add_commands(ssub: Any) -> None:
    p = ssub.add_parser(
        "init",
        help="create a team project in an empty PostgreSQL database (or make a project a team one)",
        description="Create the project schema in the empty database at URL (unless it already "
        "holds a QualBench project), then set up the team: a lead and a coder group role, their "
        "rights enforced by the database (row-level security), and change notifications. With "
        "--lead/--login, adds the lead as a member. Run it as the database owner.",
    )
    p.set_defaults(handler="server_init")
    p.add_argument("url", help="postgresql+psycopg://OWNER@HOST:PORT/DATABASE")
    p.add_argument("--name", help="project name (a new project)")
    p.add_argument("--language", default="en", help="language of the transcripts (default en)")
    _member_arguments(p, required=False)

    p = ssub.add_parser(
        "add-member",
        help="add a coder or lead: their login role and coder name",
        description="Create (or update) the login role LOGIN, put it in the lead or coder "
        "group, and link it to the coder NAME (created if new; an existing coder keeps their "
        "codings). The password is read from --password-env VAR or asked for; with neither on "
        "a non-terminal, the role gets no password (set one on the server).",
    )
    p.set_defaults(handler="server_add_member")
    p.add_argument("url", help="postgresql+psycopg://OWNER@HOST:PORT/DATABASE")
    _member_arguments(p, required=True)

    p = ssub.add_parser("members", help="list the team: coder, login, lead or coder")
    p.set_defaults(handler="server_members")
    p.add_argument("url", help="the project's URL (any member may list)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _member_arguments(p: argparse.ArgumentParser, *, required: bool) -> None:
    if required:
        p.add_argument("name", help="the coder's name as shown in the app")
    else:
        p.add_argument("--lead", dest="member", metavar="NAME", help="add this lead member")
    p.add_argument("--login", required=required, help="their PostgreSQL login (lower case)")
    if required:
        p.add_argument("--role", choices=("coder", "lead"), default="coder")
    p.add_argument(
        "--password-env", metavar="VAR", help="read the member's password from this variable"
    )


def _password(args: argparse.Namespace) -> str | None:
    if args.password_env:
        value = os.environ.get(args.password_env)
        if not value:
            raise SystemExit(f"qualbench: error: ${args.password_env} is empty or not set")
        return value
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {args.login}: ")
        if first and getpass.getpass("again: ") != first:
            raise SystemExit("qualbench: error: the passwords differ")
        return first or None
    return None


@_command
def server_init(args: argparse.Namespace) -> int:
    from qualbench.server import add_member, enable_team
    from qualbench.store import ProjectError, create_project

    try:
        project = create_project(args.url, name=args.name, language=args.language)
        created = True
    except ProjectError as exc:
        if "already holds a QualBench project" not in str(exc):
            raise
        project, created = open_target(args.url), False
    with project:
        lead, coder = enable_team(project)
        print(
            f"{'created the project and ' if created else ''}set up the team on {project.label}: "
            f"groups {lead} and {coder}"
        )
        if args.member:
            if not args.login:
                terminal.error("--lead needs --login")
                return terminal.USAGE
            m = add_member(
                project, name=args.member, login=args.login, role="lead", password=_password(args)
            )
            print(f"lead: {m.name} (login {m.login})")
    return terminal.OK


@_command
def server_add_member(args: argparse.Namespace) -> int:
    from qualbench.server import add_member

    with open_target(args.url) as project:
        m = add_member(
            project, name=args.name, login=args.login, role=args.role, password=_password(args)
        )
    print(f"{m.role}: {m.name} (login {m.login})")
    return terminal.OK


@_command
def server_members(args: argparse.Namespace) -> int:
    from qualbench.server import ServerError, is_team_project, members

    with open_target(args.url, readonly=True) as project, project.read() as s:
        if not is_team_project(s):
            raise ServerError(
                f"{project.label}: is not a team project; run 'qualbench server init'"
            )
        team = members(s)
    if args.json:
        print_json([m.__dict__ for m in team])
        return terminal.OK
    print_table(["coder", "login", "role"], [[m.name, m.login, m.role] for m in team])
    return terminal.OK
