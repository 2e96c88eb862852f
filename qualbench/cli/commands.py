"""The sub-commands of ``qualbench``: each parses its arguments and calls core services."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import Any

from qualbench.cli import terminal
from qualbench.cli.terminal import Bar, cancellable, plural, print_json, print_table

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Handler] = {}


def _command(fn: Handler) -> Handler:
    COMMANDS[fn.__name__] = fn
    return fn


def known_error(exc: Exception) -> int | None:
    """Exit code for errors whose message is safe and useful to show, else None."""
    from qualbench.errors import is_user_error
    from qualbench.progress import Cancelled
    from qualbench.store import ProjectError

    if isinstance(exc, ProjectError):
        return terminal.PROJECT
    if isinstance(exc, Cancelled):
        return terminal.CANCELLED
    return terminal.FAILED if is_user_error(exc) else None


def _coder_name(args: argparse.Namespace) -> str:
    return str(
        getattr(args, "coder", None) or os.environ.get("QUALBENCH_CODER") or getpass.getuser()
    )


def _open(args: argparse.Namespace, *, write: bool) -> Any:
    return open_target(args.project, readonly=not write)


def open_target(target: str, *, readonly: bool = False) -> Any:
    """Open a project file or server URL; a server that wants a password the URL,
    ``PGPASSWORD`` and ``~/.pgpass`` lack is asked for one on the terminal (never stored)."""
    from qualbench.store import PasswordNeeded, open_project

    try:
        return open_project(target, readonly=readonly)
    except PasswordNeeded:
        if not sys.stdin.isatty():
            raise
        password = getpass.getpass(f"password for {target.split('@')[0].split('//')[-1]}: ")
        return open_project(target, readonly=readonly, password=password)


# --- parser -----------------------------------------------------------------------------------


def _make_filters(session: Any, args: argparse.Namespace) -> Any:
    from qualbench.reports import Filters
    from qualbench.services.codes import resolve_code
    from qualbench.services.documents import resolve_document

    return Filters(
        coders=tuple(args.coder),
        code_ids=tuple(resolve_code(session, c) for c in args.code),
        document_ids=tuple(resolve_document(session, d) for d in args.document),
        origins=tuple(args.origin),
    )


# --- commands ---------------------------------------------------------------------------------


@_command
def demo(args: argparse.Namespace) -> int:
    from qualbench.reports import theme_table
    from qualbench.sample import build_sample, default_location, remove_sample
    from qualbench.store import open_project

    path = args.project or default_location()
    if args.fresh and path.exists():
        remove_sample(path)
    if path.exists():
        project = open_project(path, readonly=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        bar = Bar("Building sample")
        try:
            project = build_sample(path, progress=bar)
        finally:
            bar.close()
        terminal.note(f"sample project written to {path}")
    with project, project.read() as s:
        t = theme_table(s, by="document:country", filters=_no_filters())
        print(f"Theme frequencies in {path.name}: codings per code by country\n")
        _print_theme(t, "codings")
    terminal.note(
        f"\nnext: qualbench excerpts {path} quotes.docx   |   qualbench table {path} --by case:gender"
    )
    return terminal.OK


def _no_filters() -> Any:
    from qualbench.reports import Filters

    return Filters()


@_command
def create(args: argparse.Namespace) -> int:
    from qualbench.store import create_project

    book = None
    if args.codebook:
        from qualbench.codebook_files import read_codebook

        book = read_codebook(args.codebook)  # check it before creating anything
    with create_project(args.project, name=args.name, language=args.language) as project:
        if book is not None:
            from qualbench.services.codebook import load_codebook

            with project.write() as s:
                report = load_codebook(s, book)
            terminal.note(f"loaded {len(report.added)} codes")
    terminal.note(f"created {args.project}")
    return terminal.OK


@_command
def info(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from qualbench import db, migrations

    with _open(args, write=False) as project, project.read() as s:
        meta = project.info()
        counts = {
            name: s.execute(select(func.count()).select_from(t)).scalar_one()
            for name, t in (
                ("documents", db.DOCUMENT),
                ("speaker_turns", db.TURN),
                ("participants", db.CASES),
                ("codes", db.CODE),
                ("codings", db.CODING),
                ("coders", db.CODER),
                ("memos", db.MEMO),
                ("analysed_documents", db.TEXT_ANALYSIS),
            )
        }
        counts["pending_suggestions"] = s.execute(
            select(func.count())
            .select_from(db.SUGGESTION)
            .where(db.SUGGESTION.c.status == "pending")
        ).scalar_one()
        from qualbench.server import is_team_project, me

        team: dict[str, str] = {}
        if is_team_project(s):
            member = me(s)
            team["team_server"] = (
                f"you are {member.name} ({member.role})" if member else "you are not a member"
            )
    data = {
        "name": meta.name,
        "uuid": meta.uuid,
        "language": meta.language,
        "created": meta.created.isoformat(timespec="seconds"),
        "schema": migrations.SCHEMA_VERSION,
        **counts,
        **team,
    }
    if args.json:
        print_json(data)
    else:
        width = max(len(k) for k in data)
        for k, v in data.items():
            print(f"{k.replace('_', ' '):>{width}}: {v}")
    return terminal.OK


@_command
def import_(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from qualbench.services.documents import import_files

    with _open(args, write=True) as project, cancellable() as token:
        bar = Bar("Importing")
        try:
            report = import_files(
                project,
                args.paths,
                kind=args.kind,
                case_scope=args.case_scope,
                recursive=not args.no_recursive,
                workers=min(4, os.cpu_count() or 1),
                progress=bar,
                cancel=token.is_set,
            )
        finally:
            bar.close()
    if args.json:
        data = asdict(report)
        data.pop("changes")
        print_json(data)
    else:
        for f in report.imported:
            extra = f"; {', '.join(f.warnings)}" if f.warnings else ""
            print(
                f"imported  {f.name}  ({f.kind.replace('_', ' ')}, {f.turns} turns, {f.speakers} speakers{extra})"
            )
        for d in report.duplicates[:10]:
            print(f"skipped   {d.path}: same text as document {d.existing!r}")
        if len(report.duplicates) > 10:
            print(f"skipped   {len(report.duplicates) - 10} more files already in the project")
        for u in report.unsupported:
            print(f"skipped   {u}: not a transcript type")
        for failure in report.failed:
            terminal.error(f"{failure.path}: {failure.reason}")
        done = len(report.imported) + len(report.duplicates) + len(report.failed)
        terminal.note(
            f"{len(report.imported)} imported, {len(report.duplicates)} duplicates skipped, {len(report.failed)} failed"
            + (f"; cancelled after {done} of {report.total}" if report.cancelled else "")
        )
    if report.cancelled:
        return terminal.CANCELLED
    if report.failed:
        return (
            terminal.FAILED if not report.imported and not report.duplicates else terminal.PARTIAL
        )
    return terminal.OK


@_command
def documents(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from qualbench.services.cases import values_of
    from qualbench.services.documents import list_documents

    with _open(args, write=False) as project, project.read() as s:
        rows = list_documents(s)
        attrs = values_of(s, scope="document")
    if args.json:
        print_json([{**asdict(r), "attributes": attrs.get(r.id, {})} for r in rows])
        return terminal.OK
    print_table(
        ["document", "kind", "words", "turns", "speakers", "codings", "attributes"],
        [
            [
                r.name,
                r.kind.replace("_", " "),
                r.word_count,
                r.turns,
                r.speakers,
                r.codings,
                ", ".join(f"{k}={v}" for k, v in attrs.get(r.id, {}).items()),
            ]
            for r in rows
        ],
        right=[False, False, True, True, True, True, False],
    )
    return terminal.OK


@_command
def codes(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from qualbench.db import CODING
    from qualbench.services.codes import code_tree

    with _open(args, write=False) as project, project.read() as s:
        nodes = code_tree(s)
        counts = dict(
            s.execute(select(CODING.c.code_id, func.count()).group_by(CODING.c.code_id)).all()
        )
    if args.json:
        print_json(
            [
                {
                    "id": n.uuid,
                    "path": n.path,
                    "name": n.name,
                    "color": n.color,
                    "definition": n.definition,
                    "inclusion": n.inclusion,
                    "exclusion": n.exclusion,
                    "example": n.example,
                    "keywords": n.keywords,
                    "codings": counts.get(n.id, 0),
                }
                for n in nodes
            ]
        )
        return terminal.OK
    print_table(
        ["code", "colour", "codings"],
        [["  " * n.depth + n.name, n.color, counts.get(n.id, 0)] for n in nodes],
        right=[False, False, True],
    )
    return terminal.OK


@_command
def coders(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from qualbench.db import CODER, CODING

    with _open(args, write=False) as project, project.read() as s:
        rows = s.execute(
            select(CODER.c.name, CODER.c.uuid, func.count(CODING.c.id))
            .outerjoin(CODING, CODING.c.coder_id == CODER.c.id)
            .group_by(CODER.c.id, CODER.c.name, CODER.c.uuid)
            .order_by(CODER.c.name)
        ).all()
    if args.json:
        print_json([{"name": n, "id": u, "codings": c} for n, u, c in rows])
    else:
        print_table(["coder", "codings"], [[n, c] for n, _, c in rows], right=[False, True])
    return terminal.OK


@_command
def cases(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from qualbench.db import CASES, DOCUMENT, TURN
    from qualbench.services.cases import attribute_names, values_of

    with _open(args, write=False) as project, project.read() as s:
        rows = s.execute(
            select(CASES.c.id, CASES.c.uuid, CASES.c.name, func.count(TURN.c.id))
            .outerjoin(TURN, TURN.c.case_id == CASES.c.id)
            .group_by(CASES.c.id, CASES.c.uuid, CASES.c.name)
        ).all()
        rows = sorted(rows, key=lambda r: r.name.casefold())
        documents: dict[int, list[str]] = {}
        for case_id, doc_name in s.execute(
            select(TURN.c.case_id, DOCUMENT.c.name)
            .join(DOCUMENT, DOCUMENT.c.id == TURN.c.document_id)
            .distinct()
        ):
            documents.setdefault(case_id, []).append(doc_name)
        values = values_of(s, scope="case")
        names = attribute_names(s, scope="case")
    if args.json:
        print_json(
            [
                {
                    "id": u,
                    "name": n,
                    "turns": t,
                    "documents": sorted(documents.get(i, [])),
                    "attributes": values.get(i, {}),
                }
                for i, u, n, t in rows
            ]
        )
    else:
        print_table(
            ["participant", "turns", *names],
            [[n, t, *(values.get(i, {}).get(a, "") for a in names)] for i, _, n, t in rows],
        )
    return terminal.OK


@_command
def attributes(args: argparse.Namespace) -> int:
    from qualbench.services.attribute_tables import apply_attribute_table

    with _open(args, write=True) as project, project.write() as s:
        report = apply_attribute_table(s, args.file, allow_unmatched=args.skip_unmatched)
    what = "documents" if report.scope == "document" else "participants"
    names = ", ".join(report.attributes) or "no attributes"
    terminal.note(f"applied {plural(report.rows_applied, 'row')} to {what}: {names}")
    if report.renamed:
        terminal.note(f"renamed {plural(report.renamed, 'participant')} to their pseudonyms")
    for line in report.joined:
        terminal.note(f"joined as one person (same pseudonym): {line}")
    for line in report.skipped:
        terminal.note(f"skipped {line}")
    return terminal.OK


@_command
def codebook_load(args: argparse.Namespace) -> int:
    from qualbench.codebook_files import read_codebook
    from qualbench.services.codebook import load_codebook

    book = read_codebook(args.file)
    with _open(args, write=True) as project, project.write() as s:
        report = load_codebook(s, book)
    terminal.note(
        f"{len(report.added)} codes added, {len(report.updated)} updated, {report.unchanged} unchanged"
    )
    return terminal.OK


@_command
def codebook_export(args: argparse.Namespace) -> int:
    from qualbench.codebook_files import write_codebook
    from qualbench.services.codebook import project_codebook

    with _open(args, write=False) as project, project.read() as s:
        book = project_codebook(s)
    write_codebook(book, args.file)
    terminal.note(f"wrote {sum(1 for _ in book.walk())} codes to {args.file}")
    return terminal.OK


@_command
def code(args: argparse.Namespace) -> int:
    from qualbench.services.codes import resolve_code
    from qualbench.services.coding import CodingError, apply_code, find_quote, get_or_create_coder
    from qualbench.services.documents import document_text, resolve_document
    from qualbench.services.memos import add_memo

    with _open(args, write=True) as project, project.write() as s:
        doc_id = resolve_document(s, args.document)
        code_id = resolve_code(s, args.code)
        text = document_text(s, doc_id)
        if args.quote is not None:
            if args.start is not None or args.end is not None:
                raise CodingError("give either --quote or --start/--end, not both")
            start, end = find_quote(text, args.quote, occurrence=args.occurrence)
        elif args.start is not None and args.end is not None:
            start, end = args.start, args.end
        else:
            raise CodingError("give --start and --end, or --quote")
        coder_id, _ = get_or_create_coder(s, _coder_name(args))
        coding_id, changes = apply_code(
            s, document_id=doc_id, start=start, end=end, code_id=code_id, coder_id=coder_id
        )
        if args.memo and changes:
            add_memo(s, target="coding", target_id=coding_id, text=args.memo, coder_id=coder_id)
        from qualbench.services.coding import coding_row

        uid = coding_row(s, coding_id)["uuid"]
    if args.json:
        print_json(
            {
                "id": uid,
                "document": args.document,
                "start": start,
                "end": end,
                "code": args.code,
                "coder": _coder_name(args),
                "new": bool(changes),
            }
        )
    else:
        terminal.note(
            f"{'coded' if changes else 'already coded'} {args.document} {start}-{end} with {args.code!r} (id {uid})"
        )
    return terminal.OK


@_command
def uncode(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from qualbench.db import CODING
    from qualbench.services.coding import remove_coding
    from qualbench.services.documents import NotFound

    with _open(args, write=True) as project, project.write() as s:
        found = s.execute(
            select(CODING.c.id).where(CODING.c.uuid == args.coding.strip().lower())
        ).scalar()
        if found is None:
            raise NotFound(f"no coding {args.coding!r} in the project")
        remove_coding(s, int(found))
    terminal.note(f"removed coding {args.coding}")
    return terminal.OK


@_command
def codings_export(args: argparse.Namespace) -> int:
    from qualbench.codings_csv import export_codings

    with _open(args, write=False) as project, project.read() as s:
        n = export_codings(s, args.file)
    terminal.note(f"wrote {n} codings to {args.file} (contains transcript text)")
    return terminal.OK


@_command
def codings_import(args: argparse.Namespace) -> int:
    from qualbench.codings_csv import read_codings
    from qualbench.services.coding import bulk_apply

    with _open(args, write=True) as project, cancellable() as token:
        bar = Bar("Coding")
        try:
            with project.write() as s:
                rows = read_codings(
                    s, args.file, default_coder=args.coder, create_codes=args.create_codes
                )
                result = bulk_apply(s, rows, progress=bar, cancel=token.is_set)
        finally:
            bar.close()
    terminal.note(
        f"{plural(result.inserted, 'coding')} added, {result.already_present} already present"
    )
    return terminal.OK


@_command
def excerpts(args: argparse.Namespace) -> int:
    from qualbench.cli.quotes import export_options
    from qualbench.exports.excerpts import write_excerpts
    from qualbench.reports import excerpts as query

    with _open(args, write=False) as project, project.read() as s:
        items = query(s, filters=_make_filters(s, args))
        cite, names = export_options(s, args)
        name = project.info().name
    with cancellable() as token:
        bar = Bar("Exporting")
        try:
            write_excerpts(
                items,
                args.out,
                project=name,
                citation=cite,
                pseudonymiser=names,
                progress=bar,
                cancel=token.is_set,
            )
        finally:
            bar.close()
    terminal.note(
        f"wrote {len(items)} excerpts to {args.out} (contains transcript text"
        + ("; names pseudonymised)" if names else ")")
    )
    return terminal.OK


@_command
def table(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from qualbench.cli.analysis import make_filters
    from qualbench.errors import UserError
    from qualbench.exports.tables import write_theme_table
    from qualbench.reports import theme_table

    if args.percent and args.measure == "pct_participants":
        raise UserError("--measure pct_participants is already a percentage; drop --percent")
    words = args.words or args.measure == "words"
    with _open(args, write=False) as project, project.read() as s, cancellable() as token:
        filters = make_filters(s, args)
        bar = Bar("Counting words")
        try:
            t = theme_table(
                s,
                by=args.by,
                filters=filters,
                rollup=args.rollup,
                words=words,
                progress=bar,
                cancel=token.is_set,
            )
        finally:
            bar.close()
        name = project.info().name
    if args.out:
        measures = (args.measure, *(m for m in t.measures if m != args.measure))
        write_theme_table(t, args.out, project=name, measures=measures, percent=args.percent)
        terminal.note(f"wrote {args.out} (counts only; no transcript text)")
    if args.json:
        data: dict[str, Any] = {
            "by": t.by,
            "columns": t.columns,
            "notes": t.notes,
            "filters": t.filters,
            "coders": t.coders,
            "column_documents": t.column_documents,
            "column_participants": t.column_participants,
            "column_codings": t.column_codings,
            "all_documents": t.all_documents,
            "all_participants": t.all_participants,
            "all_codings": t.all_codings,
            "rows": [
                {
                    "code": r.path,
                    "depth": r.depth,
                    "total": _cell_json(asdict(r.total), words),
                    "cells": {c: _cell_json(asdict(v), words) for c, v in r.cells.items()},
                    **(
                        {
                            f"{args.measure}_{args.percent}_percent": {
                                "total": t.value(r, None, args.measure, args.percent),
                                "cells": {
                                    c: t.value(r, c, args.measure, args.percent) for c in t.columns
                                },
                            }
                        }
                        if args.percent
                        else {}
                    ),
                }
                for r in t.rows
            ],
        }
        if words:
            data.update(column_words=t.column_words, all_words=t.all_words)
        print_json(data)
    else:
        _print_theme(t, args.measure, args.percent)
    return terminal.OK


def _cell_json(cell: dict[str, Any], words: bool) -> dict[str, Any]:
    if not words:
        cell.pop("words", None)
    return cell


_MEASURE_TEXT = {
    "codings": "number of coded segments",
    "documents": "number of documents with the code",
    "participants": "number of participants speaking in a coded segment",
    "pct_participants": "% of the column's participants speaking in a coded segment",
    "words": "words coded (text coded twice counted once)",
}


def _shown(v: int | float | None) -> str:
    if v is None:
        return "-"
    if not v:
        return "."
    return f"{v:.1f}" if isinstance(v, float) else str(v)


def _print_theme(t: Any, measure: str, percent: str | None = None) -> None:
    header = ["code", *t.columns, "total"]
    rows = [
        [
            "  " * r.depth + r.name,
            *(_shown(t.value(r, c, measure, percent)) for c in t.columns),
            _shown(t.value(r, None, measure, percent)) or "0",
        ]
        for r in t.rows
    ]
    print_table(header, rows, right=[False] + [True] * (len(header) - 1))
    others = " | ".join(m for m in _MEASURE_TEXT if m != measure)
    what = t.describe(measure, percent) if percent else _MEASURE_TEXT[measure]
    print(f"\ncells: {what} (other measures: --measure {others})")
    if len(t.coders) > 1:
        print(
            f"codings of {len(t.coders)} coders ({', '.join(t.coders)}) together; --coder NAME counts one"
        )
    print(
        "each code includes its sub-codes"
        if t.rollup
        else "sub-codes are not counted in their parents (--rollup)"
    )
    for note in t.notes[1:]:
        if not note.startswith("each code includes"):
            print(note)
    if t.filters:
        print(f"filters: {'; '.join(t.filters)}")


def _first_words(text: str, width: int = 50) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


@_command
def gui(args: argparse.Namespace) -> int:
    from qualbench.cli import _gui

    return _gui(args.project)
