"""Manuscript sub-commands: ``verify-quotes`` checks a paper's quotations against the
transcripts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qualbench.cli import terminal
from qualbench.cli.commands import _command, _first_words, _open
from qualbench.cli.terminal import Bar, cancellable, plural, print_json, print_table


def add_arguments(sub: Any) -> None:
    """Declare ``verify-quotes``."""
    what = (
        "find the quotations in a manuscript (.docx, .txt, .md) and check each against the "
        "transcripts: exact, altered (with the differences) or not found"
    )
    p = sub.add_parser("verify-quotes", help=what, description=what)
    p.set_defaults(handler="verify_quotes")
    p.add_argument("manuscript", type=Path, help="the paper: .docx, .txt or .md")
    p.add_argument("project", help="project file (.qualbench)")
    p.add_argument(
        "--min-words",
        type=_at_least_one,
        default=4,
        help="shorter quoted phrases are not participant quotes (default: 4)",
    )
    p.add_argument("--json", action="store_true", help="print everything as JSON")
    p.add_argument(
        "--out", type=Path, help="also write the report: .csv or .xlsx (contains transcript text)"
    )


def _at_least_one(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


@_command
def verify_quotes(args: argparse.Namespace) -> int:
    from qualbench.reports.verify_quotes import read_manuscript, report_dict, write_quote_report
    from qualbench.reports.verify_quotes import verify_quotes as check

    quotes = read_manuscript(args.manuscript, min_words=args.min_words)  # before the project
    with _open(args, write=False) as project, project.read() as s:
        name = project.info().name
        with cancellable() as token:
            bar = Bar("Checking quotes")
            try:
                report = check(
                    s, quotes, manuscript=str(args.manuscript), progress=bar, cancel=token.is_set
                )
            finally:
                bar.close()
    if args.out:
        write_quote_report(report, args.out, project=name)
        terminal.note(
            f"wrote {plural(len(report.checks), 'quote')} to {args.out} (contains transcript text)"
        )
    if args.json:
        print_json(report_dict(report))
    else:
        _print_quotes(report, args.min_words)
    return terminal.OK


def _print_quotes(report: Any, min_words: int) -> None:
    from qualbench.reports import format_ms
    from qualbench.reports.verify_quotes import ALTERED, EXACT, NOT_FOUND, describe

    if not report.checks:
        print(f"no quotations of {min_words} words or more in {report.manuscript}")
        return
    rows = []
    for c in report.checks:
        where = " ".join(x for x in (c.speaker, format_ms(c.timestamp_ms)) if x)
        if not where and c.paragraph:
            where = f"\N{PILCROW SIGN}{c.paragraph}"
        found = c.status != NOT_FOUND
        rows.append(
            [
                c.number,
                _first_words(c.quote, 40),
                c.status,
                c.document if found else ".",
                where if found else ".",
                f"{c.score:g}" if c.document else ".",
            ]
        )
    print_table(
        ["#", "quote", "status", "document", "where", "score"],
        rows,
        right=[True, False, False, False, False, True],
    )
    for c in report.checks:
        if c.status == EXACT and not c.notes:
            continue
        print(f"\n#{c.number} {c.status} (manuscript paragraph {c.manuscript_paragraph})")
        if c.status == NOT_FOUND and c.document:
            print(f"  most similar: {c.document} at {c.start}-{c.end} (score {c.score:g})")
        for op in c.diff if c.status != NOT_FOUND else ():
            print(f"  {describe(op)}")
        for note in c.notes:
            print(f"  note: {note}")
    counts = ", ".join(f"{report.count(s)} {s}" for s in (EXACT, ALTERED, NOT_FOUND))
    print(
        f"\n{plural(len(report.checks), 'quote')}: {counts} "
        f"(searched {plural(report.documents, 'document')}, {report.words:,} words)"
    )
