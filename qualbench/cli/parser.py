"""The argument parser of ``qualbench``: one sub-command per handler in :mod:`commands`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qualbench.cli import analysis, charts, explore, manuscripts, quotes, refi, server, team
from qualbench.cli.commands import (
    Handler,
    attributes,
    cases,
    code,
    codebook_export,
    codebook_load,
    coders,
    codes,
    create,
    demo,
    documents,
    excerpts,
    gui,
    import_,
    info,
    table,
    uncode,
)
from qualbench.cli.memos import memo, memos, turns


def add_arguments(sub: Any) -> None:
    def cmd(
        name: str, handler: Handler, help_: str, *, project: bool = True
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(handler=handler.__name__)
        if project:
            p.add_argument("project", help="project file (.qualbench)")
        return p

    p = cmd("gui", gui, "open the desktop app (on PROJECT, or the last project)", project=False)
    p.add_argument(
        "project", nargs="?", help="project file (.qualbench); default: the last one, or the sample"
    )

    p = cmd(
        "demo",
        demo,
        "build the bundled sample project (if needed) and print its theme table",
        project=False,
    )
    p.add_argument(
        "--project", type=Path, help="where to put the sample project (default: your data folder)"
    )
    p.add_argument("--fresh", action="store_true", help="rebuild it even if it exists")

    p = cmd("create", create, "create a new, empty project file", project=False)
    p.add_argument("project", help="new project file, e.g. study.qualbench")
    p.add_argument("--name", help="project name (default: the file name)")
    p.add_argument("--language", default="en", help="language of the transcripts (default: en)")
    p.add_argument("--codebook", type=Path, help="load this codebook (.yaml/.csv/.xlsx) into it")

    p = cmd("info", info, "show what a project holds")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = cmd(
        "import",
        import_,
        "import transcript files and folders (txt, md, docx, odt, rtf, pdf, html, vtt, srt)",
    )
    p.add_argument("paths", nargs="+", type=Path, help="files or folders")
    p.add_argument(
        "--kind",
        choices=["interview", "focus_group", "other"],
        help="document kind (default: guessed)",
    )
    p.add_argument(
        "--case-scope",
        choices=["document", "project"],
        default="document",
        help="a speaker label is one participant per document (default) or one across the project",
    )
    p.add_argument("--no-recursive", action="store_true", help="do not descend into sub-folders")
    p.add_argument("--json", action="store_true", help="print the import report as JSON")

    for name, handler, what in (
        ("documents", documents, "list documents with their counts"),
        ("codes", codes, "list the codebook with counts"),
        ("coders", coders, "list coders with their number of codings"),
        ("cases", cases, "list participants (cases) with their attributes"),
    ):
        p = cmd(name, handler, what)
        p.add_argument("--json", action="store_true", help="print JSON")

    p = cmd(
        "attributes",
        attributes,
        "apply a CSV/XLSX table of document or participant attributes (all rows or none)",
    )
    p.add_argument(
        "file",
        type=Path,
        help=(
            "first sheet of an .xlsx, or a .csv. Columns: 'document' (+ 'kind') and attributes, for "
            "documents; or 'document' + 'speaker' (the label as written in the transcript) + "
            "optional 'pseudonym' and attributes, for participants; or 'case' (participant name) "
            "and attributes. A pseudonym given to two speakers makes them one person."
        ),
    )
    p.add_argument(
        "--skip-unmatched",
        action="store_true",
        help="apply the rows that match, list the others (default: refuse the whole table)",
    )

    p = sub.add_parser(
        "codebook", help="load or export a codebook", description="load or export a codebook"
    )
    csub = p.add_subparsers(dest="codebook_command", metavar="ACTION", required=True)
    for name, handler, what in (
        ("load", codebook_load, "merge a codebook file (.yaml/.csv/.xlsx) into the project"),
        ("export", codebook_export, "write the project's codebook to .yaml, .csv or .xlsx"),
    ):
        q = csub.add_parser(name, help=what, description=what)
        q.set_defaults(handler=handler.__name__)
        q.add_argument("project", help="project file (.qualbench)")
        q.add_argument(
            "file",
            type=Path,
            help="codebook file: .yaml (QualBench's own), or .csv/.xlsx with a row per code "
            "(columns: path as 'Parent > Child' or name + parent, color, definition, inclusion, "
            "exclusion, example, keywords separated by ';')",
        )

    p = cmd(
        "code",
        code,
        "apply a code to a span given by offsets or by quoting the text ('qualbench turns' shows offsets)",
    )
    p.add_argument(
        "--document", required=True, help="document name (as 'qualbench documents' lists it)"
    )
    p.add_argument("--code", required=True, help="code path (Parent > Child) or unique name")
    p.add_argument("--start", type=int, help="first character (code points, from 0)")
    p.add_argument("--end", type=int, help="end character, exclusive")
    p.add_argument("--quote", help="the exact text to code, instead of offsets")
    p.add_argument("--occurrence", type=int, help="which occurrence of the quote (1 = first)")
    p.add_argument("--coder", help="coder name (default: $QUALBENCH_CODER or your user name)")
    p.add_argument("--memo", default="", help="a memo on this coding")
    p.add_argument("--json", action="store_true", help="print the coding as JSON")

    p = cmd("uncode", uncode, "remove a coding (by the id shown in exports)")
    p.add_argument("coding", help="coding id (uuid)")

    p = sub.add_parser(
        "codings",
        help="import or export codings as CSV/XLSX",
        description="import or export codings (one row per coded span)",
    )
    csub = p.add_subparsers(dest="codings_command", metavar="ACTION", required=True)
    what = (
        "write all codings with columns document, start, end, code, coder, text, origin, memo, id"
    )
    q = csub.add_parser("export", help=what, description=what + " (contains transcript text)")
    q.set_defaults(handler="codings_export")
    q.add_argument("project", help="project file (.qualbench)")
    q.add_argument("file", type=Path, help="output .csv or .xlsx")
    what = (
        "add codings from a .csv/.xlsx. Columns: document and code (path 'Parent > Child', "
        "'Parent/Child', or a unique name), coder (or --coder), and the span as start + end "
        "(code points from 0, end exclusive; a text column, if present, must match) or as text "
        "(or quote) to find in the document, with occurrence N when it occurs more than once; "
        "optional origin and memo. Every row is checked first: all rows or none are added"
    )
    q = csub.add_parser(
        "import", help="add codings from CSV/XLSX (all rows or none)", description=what
    )
    q.set_defaults(handler="codings_import")
    q.add_argument("project", help="project file (.qualbench)")
    q.add_argument("file", type=Path, help="input .csv or .xlsx")
    q.add_argument("--coder", help="coder for rows without a coder column")
    q.add_argument(
        "--create-codes", action="store_true", help="add codes the project does not have yet"
    )

    p = cmd(
        "excerpts",
        excerpts,
        "export coded excerpts with document, speaker, attributes, timestamp, code path, coder",
    )
    p.add_argument("out", type=Path, help="output file: .csv, .xlsx, .docx, .html or .md")
    _filters(p)
    quotes.export_arguments(p)

    p = cmd(
        "table", table, "theme-frequency table: codes x documents, participants or an attribute"
    )
    p.add_argument(
        "--by",
        default="document",
        help="document (default), case, kind, or an attribute (country, case:gender ...)",
    )
    p.add_argument(
        "--measure",
        choices=["codings", "documents", "participants", "pct_participants", "words"],
        default="codings",
        help="what to print: coded segments (default), documents or participants with the code, "
        "%% of the column's participants with it, or words coded (text coded twice counts once; "
        "reads every text, so only computed when asked for)",
    )
    p.add_argument(
        "--percent",
        choices=["row", "column"],
        help="show the measure as a percentage of the row total or of the column's base "
        "(its codings, documents, participants or words)",
    )
    p.add_argument("--words", action="store_true", help="also compute words coded (JSON, XLSX)")
    p.add_argument("--rollup", action="store_true", help="count sub-codes in their parents")
    p.add_argument(
        "--out",
        type=Path,
        help="also write it: .csv (chosen measure), .xlsx (all measures, and percentages with "
        "--percent) or .docx (a table of the chosen measure for a paper)",
    )
    p.add_argument("--json", action="store_true", help="print JSON (all measures)")
    _filters(p)
    analysis.where_arguments(p)

    p = cmd(
        "memo", memo, "add a memo to the project (default), a document, a code or a participant"
    )
    p.add_argument("text", help="memo text")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--document", help="on this document")
    target.add_argument("--code", help="on this code (path or unique name)")
    target.add_argument("--case", help="on this participant (name as 'qualbench cases' lists it)")
    p.add_argument("--coder", help="author (default: $QUALBENCH_CODER or your user name)")

    p = cmd("memos", memos, "list every memo with what it is on, its author and date")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = cmd("turns", turns, "list a document's speaker turns with their offsets and times")
    p.add_argument("document", help="document name")
    p.add_argument("--json", action="store_true", help="print JSON")

    team.add_arguments(sub)
    analysis.add_arguments(sub)
    charts.add_arguments(sub)
    quotes.add_arguments(sub)
    refi.add_arguments(sub)
    manuscripts.add_arguments(sub)
    explore.add_arguments(sub)
    server.add_arguments(sub)


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--code", action="append", default=[], help="only this code and its sub-codes (repeatable)"
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
