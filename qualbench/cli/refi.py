"""REFI-QDA sub-commands: exchange projects (.qdpx) and codebooks (.qdc) with other QDA tools."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qualbench.cli import terminal
from qualbench.cli.commands import _command, _open
from qualbench.cli.terminal import Bar, cancellable, print_json
from qualbench.errors import UserError

# The position profiles of qualbench.refi.positions.PROFILES (not imported: the CLI starts fast).
PROFILE_NAMES = ("standard", "nvivo", "atlas", "maxqda")


def add_arguments(sub: Any) -> None:
    """Declare ``qualbench refi export | export-codebook | import``."""
    p = sub.add_parser(
        "refi",
        help="exchange projects (.qdpx) and codebooks (.qdc) with NVivo, ATLAS.ti, MAXQDA ... (REFI-QDA)",
        description="Export a project or its codebook in the REFI-QDA exchange format, or import "
        "one written by another tool. Every run prints what was carried over and what was not, "
        "and why (the data-loss report).",
    )
    rsub = p.add_subparsers(dest="refi_command", metavar="ACTION", required=True)

    q = rsub.add_parser(
        "export",
        help="write the project as a .qdpx",
        description="Write documents, codes, codings with their coders, participants, attributes "
        "and memos as a REFI-QDA project. --profile chooses how positions are counted for the "
        "receiving tool: standard (Unicode code points of the exported text, LF line breaks), "
        "nvivo (UTF-16 units, CR LF), maxqda (code points, CR LF counted as two), atlas (code "
        "points, each CR LF counted as one).",
    )
    q.set_defaults(handler="refi_export")
    q.add_argument("project", help="project file (.qualbench)")
    q.add_argument("out", type=Path, help="the .qdpx file to write")
    q.add_argument("--profile", choices=PROFILE_NAMES, default="standard")
    q.add_argument("--json", action="store_true", help="print the report as JSON")

    q = rsub.add_parser(
        "export-codebook",
        help="write the codebook as a .qdc",
        description="Write the code tree with colours; definitions, criteria, examples and "
        "keywords go into each code's Description as labelled lines.",
    )
    q.set_defaults(handler="refi_export_codebook")
    q.add_argument("project", help="project file (.qualbench)")
    q.add_argument("out", type=Path, help="the .qdc file to write")
    q.add_argument("--json", action="store_true", help="print the report as JSON")

    q = rsub.add_parser(
        "import",
        help="import a .qdpx project or a .qdc codebook",
        description="Import into TARGET (or, with --create, a new project file): everything in "
        "one transaction, so a failure changes nothing. Documents with the same text, codes, "
        "coders, participants, codings and memos already in the project are matched, not "
        "added twice. How the file counts positions is detected and printed.",
    )
    q.set_defaults(handler="refi_import")
    q.add_argument("project", metavar="TARGET", help="project file (.qualbench)")
    q.add_argument("file", type=Path, metavar="FILE", help="a .qdpx or .qdc file")
    q.add_argument("--create", action="store_true", help="create TARGET (it must not exist)")
    q.add_argument(
        "--external-files",
        action="store_true",
        help="also read sources the file links to outside itself (relative:// and absolute:// "
        "paths on this computer); off by default because the file chooses the paths",
    )
    q.add_argument("--dry-run", action="store_true", help="only report what would be imported")
    q.add_argument("--json", action="store_true", help="print the report as JSON")


def _show(report: Any, args: argparse.Namespace) -> None:
    if args.json:
        print_json(report.as_dict())
    else:
        for line in report.summary():
            print(line)


@_command
def refi_export(args: argparse.Namespace) -> int:
    from qualbench.refi import export_qdpx

    with _open(args, write=False) as project, cancellable() as token:
        bar = Bar("Exporting")
        try:
            report = export_qdpx(
                project, args.out, profile=args.profile, progress=bar, cancel=token.is_set
            )
        finally:
            bar.close()
    _show(report, args)
    return terminal.OK


@_command
def refi_export_codebook(args: argparse.Namespace) -> int:
    from qualbench.refi import export_qdc

    with _open(args, write=False) as project:
        report = export_qdc(project, args.out)
    _show(report, args)
    return terminal.OK


@_command
def refi_import(args: argparse.Namespace) -> int:
    from qualbench.refi import create_from_refi, import_refi

    bar = Bar("Importing")
    with cancellable() as token:
        try:
            if args.create:
                if args.dry_run:
                    raise UserError("--dry-run and --create cannot be combined")
                report = create_from_refi(
                    args.project,
                    args.file,
                    external_files=args.external_files,
                    progress=bar,
                    cancel=token.is_set,
                )
            else:
                with _open(args, write=True) as project:
                    report = import_refi(
                        project,
                        args.file,
                        external_files=args.external_files,
                        dry_run=args.dry_run,
                        progress=bar,
                        cancel=token.is_set,
                    )
        finally:
            bar.close()
    _show(report, args)
    if args.create and not args.json:
        terminal.note(f"created {args.project}")
    return terminal.OK
