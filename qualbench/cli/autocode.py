"""Auto-coding sub-commands: ``autocode keywords|speaker|regex`` make suggestions, and
``suggestions list|accept|reject|reopen`` reviews them."""

from __future__ import annotations

import argparse
from typing import Any

from qualbench.cli import terminal
from qualbench.cli.commands import _command, _open
from qualbench.cli.explore import (
    STATUSES,
    UNITS,
    _as_argument,
    _ensure_analysed,
    _scope,
    _where_to_look,
    _who,
)
from qualbench.cli.terminal import Bar, cancellable, plural, print_json, print_table


def add_arguments(sub: Any) -> None:
    p = sub.add_parser(
        "autocode",
        help="auto-code by speaker, codebook keywords or a pattern, as suggestions to review",
        description="Rules propose passages for codes. They arrive as suggestions of a coder "
        "(--as), never as codings: review them with 'qualbench suggestions'. Suggestions "
        "rejected before are not proposed again.",
    )
    asub = p.add_subparsers(dest="rule", metavar="RULE", required=True)
    q = asub.add_parser(
        "keywords",
        help="each code's codebook keywords, matched on lemmas, expanded to --unit",
        description="Match every code's keywords and phrases from the codebook on lemmas (so "
        "'arrest' also finds 'arrested'; 'arrest*' is a prefix), expanded to --unit.",
    )
    q.add_argument("project", help="project file (.qualbench)")
    q.add_argument("--code", action="append", default=[], help="only this code's keywords")
    q.add_argument("--unit", choices=UNITS, default="sentence", help="default: sentence")
    _where_to_look(q)
    q = asub.add_parser(
        "speaker",
        help="every turn of some speakers or of participants with an attribute value",
        description="Every turn (its words, label left out) of the --speaker labels or "
        "participant names, or of the participants with --where case:ATTR=VALUE (a role such "
        "as moderator), for --code.",
    )
    q.add_argument("project", help="project file (.qualbench)")
    q.add_argument("--code", required=True, help="the code to suggest")
    q.add_argument("--speaker", action="append", default=[], help="speaker label or participant")
    q.add_argument("--where", metavar="case:ATTR=VALUE", help="participants with this value")
    q = asub.add_parser(
        "regex",
        help="a regular expression, expanded to --unit",
        description="Every match of PATTERN (Python syntax), expanded to --unit, for --code.",
    )
    q.add_argument("project", help="project file (.qualbench)")
    q.add_argument("pattern", help="the regular expression (in quotes for the shell)")
    q.add_argument("--code", required=True, help="the code to suggest")
    q.add_argument("--unit", choices=UNITS, default="sentence", help="default: sentence")
    q.add_argument("--case-sensitive", action="store_true")
    _where_to_look(q)
    for q in asub.choices.values():
        q.set_defaults(handler="autocode")
        _as_argument(q)
        q.add_argument("--dry-run", action="store_true", help="count, save nothing")

    p = sub.add_parser(
        "suggestions",
        help="list, accept or reject auto-coding suggestions",
        description="'list' (default) shows a coder's suggestions; 'accept', 'reject' and "
        "'reopen' take suggestion ids, or --all with --code for every pending one of a code. "
        "Accepted suggestions become codings of origin auto; rejected ones are remembered.",
    )
    p.set_defaults(handler="suggestions")
    p.add_argument(
        "action", nargs="?", default="list", choices=("list", "accept", "reject", "reopen")
    )
    p.add_argument("project", help="project file (.qualbench)")
    p.add_argument("ids", nargs="*", type=int, help="suggestion ids (from the list)")
    p.add_argument("--code", action="append", default=[], help="only this code")
    p.add_argument("--status", action="append", choices=STATUSES, help="list: default pending")
    p.add_argument("--all", action="store_true", help="every pending suggestion (of --code)")
    p.add_argument("--json", action="store_true", help="list: print JSON (contains text)")
    _as_argument(p)


@_command
def autocode(args: argparse.Namespace) -> int:
    from qualbench.nlp.autocode import KeywordRule, RegexRule, SpeakerRule, find_candidates
    from qualbench.reports.filters import AttributeValue
    from qualbench.services.codes import resolve_code
    from qualbench.services.coding import get_or_create_coder
    from qualbench.suggestions import merge_candidates
    from qualbench.undo import CommandStack, suggest

    with _open(args, write=not args.dry_run) as project, cancellable() as token:
        if args.rule == "keywords" and not args.dry_run:
            _ensure_analysed(project, args, token)
        with project.read() as s:
            rule: Any
            if args.rule == "keywords":
                rule = KeywordRule(tuple(resolve_code(s, c) for c in args.code), unit=args.unit)
            elif args.rule == "speaker":
                attribute = AttributeValue.parse(args.where) if args.where else None
                rule = SpeakerRule(resolve_code(s, args.code), tuple(args.speaker), attribute)
            else:
                rule = RegexRule(
                    args.pattern, resolve_code(s, args.code), args.unit, args.case_sensitive
                )
            # --code names the code to suggest (or whose keywords), not text to search within
            within = argparse.Namespace(**{**vars(args), "code": []})
            scope = _scope(s, within) if args.rule != "speaker" else _scope_none()
            bar = Bar("Matching")
            try:
                found = find_candidates(s, [rule], scope, progress=bar, cancel=token.is_set)
            finally:
                bar.close()
        for line in found.rules:
            print(f"rule: {line}")
        if found.not_analysed:
            terminal.note(f"not analysed, left out: {', '.join(found.not_analysed)}")
        if args.dry_run:
            print(f"would propose {plural(len(merge_candidates(found.candidates)), 'passage')}")
            return terminal.OK
        with project.write() as s:
            coder_id, _ = get_or_create_coder(s, _who(args))
        command = suggest(found.candidates, coder_id=coder_id)
        CommandStack(project).run(command)
    run = command.result["run"]
    print(f"suggestions for {_who(args)}: {run.summary()}")
    for path, n in sorted(run.new_by_code.items()):
        print(f"  {n:>6}  {path}")
    if run.new:
        print(f"review them: qualbench suggestions list {args.project}")
    return terminal.OK


def _scope_none() -> Any:
    from qualbench.nlp.scope import Scope

    return Scope()


@_command
def suggestions(args: argparse.Namespace) -> int:
    from qualbench.services.codes import resolve_code
    from qualbench.services.coding import resolve_coder
    from qualbench.suggestions import list_suggestions, pending_ids
    from qualbench.undo import CommandStack, review_suggestions

    writing = args.action != "list"
    with _open(args, write=writing) as project:
        with project.read() as s:
            coder_id = resolve_coder(s, _who(args))
            code_ids = [resolve_code(s, c) for c in args.code]
            if args.action == "list":
                rows = list_suggestions(
                    s, coder_id, statuses=tuple(args.status or ("pending",)), code_ids=code_ids
                )
            elif args.all:
                ids = pending_ids(s, coder_id, code_ids)
            else:
                ids = list(args.ids)
        if args.action == "list":
            if args.json:
                print_json([r.__dict__ for r in rows])
                return terminal.OK
            print_table(
                ["id", "status", "code", "document", "speaker", "text", "rule"],
                [
                    [r.id, r.status, r.code, r.document, r.speaker, _short(r.text), r.rule]
                    for r in rows
                ],
                right=[True, False, False, False, False, False, False],
            )
            print(f"\n{plural(len(rows), 'suggestion')} of {_who(args)}")
            return terminal.OK
        if not ids:
            terminal.error("no suggestions given: list ids, or --all (with --code)")
            return terminal.USAGE if not args.all else terminal.OK
        decision = {"accept": "accept", "reject": "reject", "reopen": "pending"}[args.action]
        changes = CommandStack(project).run(review_suggestions(ids, decision))
    verb = {"accept": "accepted", "reject": "rejected", "reopen": "reopened"}[args.action]
    print(
        f"{verb} {plural(len(ids), 'suggestion')}"
        + (
            f"; {plural(len(changes.codings), 'coding')} written or removed"
            if changes.codings
            else ""
        )
    )
    return terminal.OK


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
