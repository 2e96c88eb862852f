"""Analysis sub-commands: co-occurrence, coding queries, code-presence matrices (and the filters
they share with ``table``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qualbench.cli import terminal
from qualbench.cli.commands import _command, _first_words, _open
from qualbench.cli.terminal import Bar, cancellable, plural, print_json, print_table
from qualbench.segments import UNITS

# The choices, without importing the reports (the command line starts fast); a test checks they
# match reports.cooccurrence.MODES, reports.query.WITHIN and reports.presence.ROWS.
MODES = ("overlap", *(u for u in UNITS if u != "character"))
WITHIN = ("span", *(u for u in UNITS if u != "character"))
ROWS = ("participant", "document")

WHERE_HELP = (
    "only documents or participants with this attribute value, e.g. country=Kazakhstan or "
    "case:gender=woman (document:/case: when both have the attribute); repeat: values of one "
    "attribute are alternatives, different attributes must all hold"
)


def where_arguments(p: argparse.ArgumentParser) -> None:
    """``--where`` and ``--kind`` (document group and attribute filters)."""
    p.add_argument("--where", action="append", default=[], metavar="ATTR=VALUE", help=WHERE_HELP)
    p.add_argument(
        "--kind",
        action="append",
        default=[],
        help="only documents of this kind: interview, 'focus group' or other (repeatable)",
    )


def filter_arguments(p: argparse.ArgumentParser, *, codes: bool = True) -> None:
    if codes:
        p.add_argument(
            "--code",
            action="append",
            default=[],
            help="only this code and its sub-codes (repeatable)",
        )
    p.add_argument("--coder", action="append", default=[], help="only this coder (repeatable)")
    p.add_argument(
        "--document", action="append", default=[], help="only this document (repeatable)"
    )
    p.add_argument(
        "--origin",
        action="append",
        default=[],
        choices=["manual", "auto", "imported"],
        help="only codings of this origin",
    )
    where_arguments(p)


def make_filters(session: Any, args: argparse.Namespace) -> Any:
    """Filters from the shared options (those a sub-command lacks count as not given)."""
    from qualbench.reports.filters import AttributeValue, Filters
    from qualbench.services.codes import resolve_code
    from qualbench.services.documents import resolve_document

    return Filters(
        coders=tuple(getattr(args, "coder", ())),
        code_ids=tuple(resolve_code(session, c) for c in getattr(args, "code", ())),
        document_ids=tuple(resolve_document(session, d) for d in getattr(args, "document", ())),
        origins=tuple(getattr(args, "origin", ())),
        kinds=tuple(getattr(args, "kind", ())),
        attributes=tuple(AttributeValue.parse(w) for w in getattr(args, "where", ())),
    )


def add_arguments(sub: Any) -> None:
    p = sub.add_parser(
        "cooccurrence",
        help="code co-occurrence matrix: counts and Jaccard, on overlapping spans or per unit",
        description="How often two codes meet. --unit overlap (default): pairs of codings whose "
        "spans share a character; Jaccard = codings of A or B that overlap the other code / "
        "codings of A and B. --unit sentence, paragraph, turn or document: units where both codes "
        "are present; Jaccard = units with both / units with either. Prints the pairs that meet; "
        "--out writes the whole matrix (no transcript text).",
    )
    p.set_defaults(handler="cooccurrence")
    p.add_argument("project", help="project file (.qualbench)")
    p.add_argument(
        "--unit", choices=MODES, default="overlap", help="how codes meet (default: overlap)"
    )
    p.add_argument(
        "--same-coder", action="store_true", help="only what one coder coded counts as meeting"
    )
    p.add_argument(
        "--out",
        type=Path,
        help="write the matrix: .csv (counts, or Jaccard with --jaccard), .xlsx (counts, "
        "Jaccard and pairs), .docx (two tables for a paper)",
    )
    p.add_argument("--jaccard", action="store_true", help="CSV holds Jaccard instead of counts")
    p.add_argument("--json", action="store_true", help="print the matrix as JSON")
    filter_arguments(p)

    p = sub.add_parser(
        "query",
        help="coding query: AND / OR / NOT of codes, as excerpts",
        description="Find the text where an expression of codes holds, e.g. "
        "'Police fear AND (Housing OR Employment) AND NOT Gratitude'. Codes by path or unique "
        "name; put a name in quotes when it holds AND, OR, NOT or brackets. NOT binds tighter "
        "than AND, AND tighter than OR. "
        "--within span (default): the coded characters that satisfy it; sentence, paragraph, "
        "turn, document: whole units in which it holds. Prints where each hit is; --out writes "
        "the excerpts like 'qualbench excerpts' (contains transcript text).",
    )
    p.set_defaults(handler="query")
    p.add_argument("project", help="project file (.qualbench)")
    p.add_argument("expression", help="the query, in quotes for the shell")
    p.add_argument("--within", choices=WITHIN, default="span", help="where codes must meet")
    p.add_argument("--rollup", action="store_true", help="a code also stands for its sub-codes")
    p.add_argument("--out", type=Path, help="write the excerpts: .csv, .xlsx, .docx, .html or .md")
    p.add_argument(
        "--json", action="store_true", help="print the hits as JSON (includes their text)"
    )
    filter_arguments(p, codes=False)
    from qualbench.cli.quotes import export_arguments

    export_arguments(p)  # --citation, --pseudonymise for --out, as 'qualbench excerpts' has

    p = sub.add_parser(
        "matrix",
        help="0/1 code-presence matrix per participant or document, for R or SPSS",
        description="One row per participant (or document) the filters allow, with its "
        "attributes and a 0/1 column per code: 1 when a counted coding of the code reaches the "
        "participant's words (or is in the document). Column names are valid R and SPSS "
        "variable names; the mapping to code paths goes to NAME-variables.csv or the Variables "
        "sheet. Holds participant names and attributes, no transcript text.",
    )
    p.set_defaults(handler="matrix")
    p.add_argument("project", help="project file (.qualbench)")
    p.add_argument("--rows", choices=ROWS, default="participant", help="one row per ...")
    p.add_argument(
        "--rollup", action="store_true", help="a code is 1 also where only a sub-code is"
    )
    p.add_argument(
        "--out",
        type=Path,
        help="write .csv (+ NAME-variables.csv) or .xlsx (with a Variables sheet)",
    )
    p.add_argument("--json", action="store_true", help="print variables and rows as JSON")
    filter_arguments(p)


@_command
def cooccurrence(args: argparse.Namespace) -> int:
    from qualbench.exports.tables import write_cooccurrence
    from qualbench.reports.cooccurrence import cooccurrence as compute

    with _open(args, write=False) as project, project.read() as s, cancellable() as token:
        filters = make_filters(s, args)
        bar = Bar("Counting")
        try:
            m = compute(
                s,
                mode=args.unit,
                same_coder=args.same_coder,
                filters=filters,
                progress=bar,
                cancel=token.is_set,
            )
        finally:
            bar.close()
        name = project.info().name
    if args.out:
        write_cooccurrence(m, args.out, project=name, value="jaccard" if args.jaccard else "count")
        terminal.note(f"wrote {args.out} (co-occurrence counts; no transcript text)")
    if args.json:
        print_json(
            {
                "mode": m.mode,
                "same_coder": m.same_coder,
                "unit": m.unit_description,
                "count": m.count_definition,
                "jaccard_definition": m.jaccard_definition,
                "codes": [c.path for c in m.codes],
                "frequency": m.frequency,
                "counts": m.counts,
                "jaccard": m.jaccard,
                "items": m.items,
                "coders": m.coders,
                "filters": m.filters,
                "notes": m.notes,
            }
        )
        return terminal.OK
    pairs = sorted(m.pairs(), key=lambda p: (-p.count, p.a.path, p.b.path))
    print_table(
        ["code A", "code B", "count", "Jaccard"],
        [
            [p.a.path, p.b.path, p.count, "" if p.jaccard is None else f"{p.jaccard:.3f}"]
            for p in pairs
        ],
        right=[False, False, True, True],
    )
    what = "codings" if m.mode == "overlap" else "units"
    print(
        f"\n{plural(len(pairs), 'pair')} of codes meet; {len(m.codes)} codes, {m.items:,} {what}"
        + (f" ({m.unit_description})" if m.mode != "overlap" else "")
    )
    for note in m.notes:
        print(f"note: {note}")
    if m.filters:
        print(f"filters: {'; '.join(m.filters)}")
    return terminal.OK


@_command
def query(args: argparse.Namespace) -> int:
    from qualbench.cli.quotes import export_options
    from qualbench.exports.excerpts import write_excerpts
    from qualbench.reports import format_ms
    from qualbench.reports.query import run_query

    with _open(args, write=False) as project, project.read() as s, cancellable() as token:
        filters = make_filters(s, args)
        bar = Bar("Querying")
        try:
            result = run_query(
                s,
                args.expression,
                within=args.within,
                filters=filters,
                rollup=args.rollup,
                progress=bar,
                cancel=token.is_set,
            )
        finally:
            bar.close()
        name = project.info().name
        cite, names = export_options(s, args) if args.out else (None, None)
    items = result.excerpts
    if args.out:
        with cancellable() as token:
            bar = Bar("Exporting")
            try:
                write_excerpts(
                    items,
                    args.out,
                    project=name,
                    title=f"Coding query: {result.expression}",
                    citation=cite,
                    pseudonymiser=names,
                    progress=bar,
                    cancel=token.is_set,
                )
            finally:
                bar.close()
        terminal.note(
            f"wrote {plural(len(items), 'excerpt')} to {args.out} (contains transcript text"
            + ("; names pseudonymised)" if names else ")")
        )
    if args.json:
        print_json(
            {
                "query": result.expression,
                "within": result.within,
                "unit": result.unit_description,
                "documents": result.documents,
                "filters": result.filters,
                "notes": result.notes,
                "hits": [
                    {
                        "document": e.document,
                        "start": e.start,
                        "end": e.end,
                        "speaker": e.speaker,
                        "participant": e.participant,
                        "participant_attributes": e.participant_attributes,
                        "document_attributes": e.document_attributes,
                        "timestamp_ms": e.timestamp_ms,
                        "paragraph": e.paragraph,
                        "coders": [c for c in e.coder.split(", ") if c],
                        "text": e.text,
                    }
                    for e in items
                ],
            }
        )
        return terminal.OK
    print_table(
        ["#", "document", "speaker", "where", "start-end", "begins with"],
        [
            [
                i,
                e.document,
                e.participant or e.speaker,
                " ".join(
                    x for x in (f"\N{PILCROW SIGN}{e.paragraph}", format_ms(e.timestamp_ms)) if x
                ),
                f"{e.start}-{e.end}",
                _first_words(e.text, 40),
            ]
            for i, e in enumerate(items, start=1)
        ],
        right=[True, False, False, False, True, False],
    )
    print(
        f"\n{result.expression}: {plural(len(items), 'hit')} in "
        f"{plural(result.documents, 'document')}\nwithin: {result.unit_description}"
    )
    for note in result.notes[1:]:
        print(f"note: {note}")
    if result.filters:
        print(f"filters: {'; '.join(result.filters)}")
    return terminal.OK


@_command
def matrix(args: argparse.Namespace) -> int:
    from qualbench.exports.tables import write_presence
    from qualbench.reports.presence import presence_matrix

    with _open(args, write=False) as project, project.read() as s:
        m = presence_matrix(s, rows=args.rows, filters=make_filters(s, args), rollup=args.rollup)
        name = project.info().name
    if args.out:
        written = write_presence(m, args.out, project=name)
        terminal.note(
            f"wrote {' and '.join(str(p) for p in written)} ({plural(len(m.rows), 'row')}; "
            f"{args.rows} names and attributes, no transcript text)"
        )
    if args.json:
        print_json(
            {
                "rows_are": m.rows_are,
                "variables": [
                    {"name": v.name, "label": v.label, "kind": v.kind} for v in m.variables
                ],
                "rows": m.rows,
                "notes": m.notes,
                "filters": m.filters,
            }
        )
        return terminal.OK
    if args.out:
        return terminal.OK
    codes = [(i, v) for i, v in enumerate(m.variables) if v.kind == "code"]
    print_table(
        [m.header[0], "codes", "present"],
        [
            [
                row[0],
                sum(int(row[i] or 0) for i, _ in codes),
                _first_words(", ".join(v.name for i, v in codes if row[i]), 70),
            ]
            for row in m.rows
        ],
        right=[False, True, False],
    )
    terminal.note(
        f"{plural(len(m.rows), 'row')} x {len(m.variables)} variables; "
        "--out FILE.csv or .xlsx writes the whole matrix"
    )
    return terminal.OK
