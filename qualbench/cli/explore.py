"""Text exploration and auto-coding sub-commands: analyse, search (KWIC), words, autocode,
suggestions. spaCy is imported only by the commands that need it."""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path
from typing import Any

from qualbench.cli import terminal
from qualbench.cli.analysis import make_filters, where_arguments
from qualbench.cli.commands import _command, _open
from qualbench.cli.terminal import Bar, cancellable, plural, print_json, print_table

# The choices, without importing the NLP modules; a test checks they match theirs.
MODES = ("exact", "word", "lemma", "regex", "fuzzy")
UNITS = ("hit", "word", "sentence", "paragraph", "turn")
SORTS = ("document", "left", "hit", "right", "speaker")
STATUSES = ("pending", "accepted", "rejected")


def _as_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--as",
        dest="as_coder",
        metavar="CODER",
        help="the coder whose codings or suggestions these are "
        "(default: $QUALBENCH_CODER or your user name)",
    )


def _where_to_look(p: argparse.ArgumentParser) -> None:
    """Speakers in or out, documents, kinds and attribute values."""
    p.add_argument(
        "--speaker", action="append", default=[], help="only what this speaker or participant "
        "says (repeatable)"
    )  # fmt: skip
    p.add_argument(
        "--not-speaker", action="append", default=[], help="leave out what this speaker says "
        "(repeatable), e.g. the moderator"
    )  # fmt: skip
    p.add_argument("--document", action="append", default=[], help="only this document")
    where_arguments(p)


def _who(args: argparse.Namespace) -> str:
    return str(args.as_coder or os.environ.get("QUALBENCH_CODER") or getpass.getuser())


def add_arguments(sub: Any) -> None:
    p = sub.add_parser(
        "analyse",
        help="analyse the documents' language once (sentences, lemmas) for search and auto-coding",
        description="Run the language pipeline (offline spaCy: an installed trained pipeline, "
        "else a blank one with lookup lemmas) over the documents that have no analysis yet, and "
        "keep the result in the project. Ctrl-C stops after the current batch; finished "
        "documents stay analysed.",
    )
    p.set_defaults(handler="analyse")
    p.add_argument("project", help="project file (.qualbench)")
    p.add_argument("--document", action="append", default=[], help="only this document")
    p.add_argument("--force", action="store_true", help="analyse again even if up to date")
    p.add_argument("--processes", type=int, help="worker processes (default: by the job's size)")

    p = sub.add_parser(
        "search",
        help="search the transcripts; prints a keyword-in-context list",
        description="Find a word, phrase, lemma (every form: 'arrest' finds 'arrested' and "
        "'Arrests'; 'arrest*' any lemma starting so), regular expression, or a similar spelling "
        "(fuzzy), within documents, kinds, attribute values, speakers or coded text. "
        "--out writes the list (.csv/.xlsx; contains transcript text). --code-hits codes every "
        "hit (expanded to --unit) as codings of origin auto; --suggest makes them suggestions "
        "to review instead.",
    )
    p.set_defaults(handler="search")
    p.add_argument("project", help="project file (.qualbench)")
    p.add_argument("query", help="what to look for (in quotes for the shell)")
    p.add_argument("--mode", choices=MODES, default="lemma", help="how to match (default: lemma)")
    p.add_argument("--case-sensitive", action="store_true", help="exact, word, regex, fuzzy")
    p.add_argument("--score", type=float, default=85.0, help="fuzzy: least similarity 1-100")
    p.add_argument(
        "--code", action="append", default=[], help="only inside text coded with this code "
        "(and its sub-codes; by --coder when given; repeatable)"
    )  # fmt: skip
    p.add_argument("--coder", action="append", default=[], help="whose codings --code means")
    _where_to_look(p)
    p.add_argument("--context", type=int, default=50, help="characters each side (default 50)")
    p.add_argument("--limit", type=int, help="stop after this many hits")
    p.add_argument("--sort", choices=SORTS, default="document", help="order of the list")
    p.add_argument("--out", type=Path, help="write the list: .csv or .xlsx (contains text)")
    p.add_argument("--json", action="store_true", help="print the hits as JSON (contains text)")
    p.add_argument("--no-analyse", action="store_true", help="lemma mode: do not analyse first")
    p.add_argument("--code-hits", metavar="CODE", help="code every hit with CODE (origin auto)")
    p.add_argument("--suggest", metavar="CODE", help="make every hit a suggestion for CODE")
    p.add_argument("--unit", choices=UNITS, default="sentence", help="what a coded hit covers")
    _as_argument(p)

    p = sub.add_parser(
        "words",
        help="word frequencies by lemma (stop words left out), optionally in columns",
        description="Count words by lemma in the analysed documents (punctuation and numbers "
        "left out, stop words too unless --stop-words), optionally in columns --by document, "
        "kind or an attribute (country, case:gender). --out writes .csv/.xlsx (single words and "
        "counts, no passages).",
    )
    p.set_defaults(handler="words")
    p.add_argument("project", help="project file (.qualbench)")
    p.add_argument("--by", default="", help="columns: document, kind, or an attribute name")
    p.add_argument("--stop-words", action="store_true", help="count stop words too")
    p.add_argument("--min-count", type=int, default=1, help="leave out rarer words")
    p.add_argument("--limit", type=int, default=50, help="print this many (default 50; 0 = all)")
    _where_to_look(p)
    p.add_argument("--out", type=Path, help="write the whole table: .csv or .xlsx")
    p.add_argument("--json", action="store_true", help="print JSON")

    from qualbench.cli import autocode

    autocode.add_arguments(sub)


def _scope(s: Any, args: argparse.Namespace) -> Any:
    from qualbench.nlp.scope import Scope

    return Scope(
        filters=make_filters(s, args),
        speakers=tuple(getattr(args, "speaker", ())),
        not_speakers=tuple(getattr(args, "not_speaker", ())),
    )


def _ensure_analysed(project: Any, args: argparse.Namespace, token: Any) -> None:
    """Analyse the documents a lemma search or keyword rule needs, once, with a progress bar."""
    from qualbench.nlp.cache import analyse_project, unanalysed

    with project.read() as s:
        todo = unanalysed(s)
    if not todo:
        return
    terminal.note(f"analysing {plural(len(todo), 'document')} first (once; kept in the project)")
    bar = Bar("Analysing")
    try:
        run = analyse_project(project, document_ids=todo, progress=bar, cancel=token.is_set)
    finally:
        bar.close()
    if run.cancelled:
        from qualbench.progress import Cancelled

        raise Cancelled


@_command
def analyse(args: argparse.Namespace) -> int:
    from qualbench.nlp.cache import analyse_project
    from qualbench.services.documents import resolve_document

    with _open(args, write=True) as project, cancellable() as token:
        with project.read() as s:
            ids = [resolve_document(s, d) for d in args.document]
        bar = Bar("Analysing")
        try:
            run = analyse_project(
                project,
                document_ids=ids,
                force=args.force,
                processes=args.processes,
                progress=bar,
                cancel=token.is_set,
            )
        finally:
            bar.close()
    print(
        f"analysed {plural(run.analysed, 'document')} ({run.words:,} words) in "
        f"{run.seconds:.1f} s; {run.up_to_date} already up to date"
    )
    print(f"pipeline: {run.pipeline}")
    if run.cancelled:
        terminal.note("stopped: the documents analysed so far are kept; run again to go on")
        return terminal.CANCELLED
    return terminal.OK


@_command
def search(args: argparse.Namespace) -> int:
    from qualbench.nlp.scope import Corpus
    from qualbench.nlp.search import Query, sort_hits
    from qualbench.nlp.search import search as run_search
    from qualbench.nlp.units import expand

    if args.code_hits and args.suggest:
        terminal.error("give --code-hits or --suggest, not both")
        return terminal.USAGE
    query = Query(
        args.query, mode=args.mode, case_sensitive=args.case_sensitive, min_score=args.score
    )
    writing = bool(args.code_hits or args.suggest) or (args.mode == "lemma" and not args.no_analyse)
    with _open(args, write=writing) as project, cancellable() as token:
        if args.mode == "lemma" and not args.no_analyse:
            _ensure_analysed(project, args, token)
        with project.read() as s:
            scope = _scope(s, args)
            corpus = Corpus()  # what the search reads serves the units of coded hits too
            bar = Bar("Searching")
            try:
                result = run_search(
                    s,
                    query,
                    scope,
                    context=args.context,
                    limit=args.limit,
                    corpus=corpus,
                    progress=bar,
                    cancel=token.is_set,
                )
            finally:
                bar.close()
            result.hits = sort_hits(result.hits, args.sort)
            name = project.info().name
            coding = args.code_hits or args.suggest
            spans = expand(s, result.hits, args.unit, corpus=corpus) if coding else []
        if args.code_hits or args.suggest:
            _code_hits(project, args, result, spans)
    if args.out:
        from qualbench.exports.kwic import write_kwic

        write_kwic(result, args.out, project=name)
        terminal.note(
            f"wrote {plural(len(result.hits), 'hit')} to {args.out} (contains transcript text)"
        )
    if args.json:
        print_json(
            {
                "query": query.describe(),
                "where": result.conditions,
                "documents_searched": result.documents_searched,
                "not_analysed": result.not_analysed,
                "truncated": result.truncated,
                "hits": [h.__dict__ for h in result.hits],
            }
        )
        return terminal.OK
    if not args.out:
        width = max(10, args.context)
        for h in result.hits:
            print(
                f"{h.left[-width:]:>{width}} [{h.match}] {h.right[:width]:<{width}}  "
                f"{h.document}" + (f" · {h.speaker}" if h.speaker else "")
            )
    print(
        f"{plural(len(result.hits), 'hit')} for {query.describe()} in "
        f"{plural(result.documents_searched, 'document')}"
        + (" (stopped at --limit)" if result.truncated else "")
    )
    if result.conditions:
        print(f"where: {'; '.join(result.conditions)}")
    if result.not_analysed:
        terminal.note(
            f"not searched (no analysis yet; run 'qualbench analyse'): {', '.join(result.not_analysed)}"
        )
    return terminal.OK


def _code_hits(project: Any, args: argparse.Namespace, result: Any, spans: list[Any]) -> None:
    from qualbench.services.codes import resolve_code
    from qualbench.services.coding import get_or_create_coder
    from qualbench.suggestions import Candidate
    from qualbench.undo import CommandStack, code_spans, suggest

    with project.write() as s:
        coder_id, _ = get_or_create_coder(s, _who(args))
        code_id = resolve_code(s, args.code_hits or args.suggest)
    stack = CommandStack(project)
    if args.code_hits:
        command = code_spans(spans, code_id=code_id, coder_id=coder_id, origin="auto")
        stack.run(command)
        print(
            f"coded {plural(command.result['inserted'], 'passage')} ({args.unit}s around the hits)"
            f" as {_who(args)}, origin auto; {command.result['already_present']} already coded"
        )
        return
    rule = f"search {result.query.describe()} → {args.unit}"
    command = suggest(
        [Candidate(d, a, z, code_id, "search", rule) for d, a, z in spans], coder_id=coder_id
    )
    stack.run(command)
    print(f"suggestions for {_who(args)}: {command.result['run'].summary()}")


@_command
def words(args: argparse.Namespace) -> int:
    from qualbench.nlp.frequencies import word_frequencies

    with _open(args, write=True) as project, cancellable() as token:
        _ensure_analysed(project, args, token)
        with project.read() as s:
            scope = _scope(s, args)
            bar = Bar("Counting")
            try:
                table = word_frequencies(
                    s,
                    scope,
                    by=args.by,
                    stop_words=args.stop_words,
                    min_count=args.min_count,
                    progress=bar,
                    cancel=token.is_set,
                )
            finally:
                bar.close()
            name = project.info().name
    if args.out:
        from qualbench.exports.kwic import write_frequencies

        write_frequencies(table, args.out, project=name)
        terminal.note(f"wrote {plural(len(table.rows), 'word')} to {args.out} (words and counts)")
    shown = table.rows if args.limit == 0 else table.rows[: args.limit]
    if args.json:
        print_json(
            {
                "counted": table.describe(),
                "by": table.by,
                "columns": table.columns,
                "where": table.conditions,
                "rows": [r.__dict__ for r in shown],
            }
        )
        return terminal.OK
    print_table(
        ["lemma", "count", "documents", *table.columns, "forms"],
        [
            [
                r.lemma,
                r.total,
                r.documents,
                *(r.by.get(c, 0) for c in table.columns),
                ", ".join(r.forms),
            ]
            for r in shown
        ],
        right=[False, True, True, *(True for _ in table.columns), False],
    )
    print(f"\n{table.describe()}")
    if table.conditions:
        print(f"where: {'; '.join(table.conditions)}")
    return terminal.OK
