"""Team sub-commands: coder copies, merging coders' files, agreement, reconciliation."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import Any

from qualbench.agreement import DEFAULT_SEED, MINIMUMS
from qualbench.cli import terminal
from qualbench.cli.commands import _coder_name, _command, _open
from qualbench.cli.terminal import Bar, cancellable, plural, print_json, print_table
from qualbench.errors import UserError
from qualbench.segments import UNITS


def add_arguments(sub: Any) -> None:
    p = sub.add_parser(
        "distribute",
        help="make one copy of the project per coder, without codings, to code independently",
        description="Write PROJECT-CODER.qualbench for each coder into FOLDER: same documents, "
        "participants and codebook, no codings. Merge them back with 'qualbench merge'.",
    )
    p.set_defaults(handler="distribute")
    p.add_argument("project", help="project file (.qualbench)")
    p.add_argument("folder", type=Path, help="an existing folder for the copies")
    p.add_argument(
        "--coder", action="append", required=True, help="a coder's name (repeat for each)"
    )
    p.add_argument(
        "--keep-codings", action="store_true", help="keep the project's codings in the copies"
    )

    p = sub.add_parser(
        "merge",
        help="merge coders' project files into a project (backs it up first; merging twice changes nothing)",
        description="Merge each SOURCE into TARGET: documents matched by their text (an edited copy by "
        "name and similarity, its codings re-anchored), codes by id, then name; codings deduplicated. "
        "Codes whose names are close to the project's are suggestions you decide with --accept, "
        "--accept-suggestions or --keep-separate. Prints what was added, matched, re-anchored and skipped.",
    )
    p.set_defaults(handler="merge")
    p.add_argument("project", metavar="TARGET", help="project file or server URL to merge into")
    p.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="coders' project files")
    p.add_argument("--dry-run", action="store_true", help="only report what would happen")
    p.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar="SOURCE_CODE=TARGET_CODE",
        help="treat a source code (path or name) as this project code (repeatable)",
    )
    decide = p.add_mutually_exclusive_group()
    decide.add_argument(
        "--accept-suggestions", action="store_true", help="accept every suggested pair"
    )
    decide.add_argument(
        "--keep-separate", action="store_true", help="add suggested codes not accepted as new codes"
    )
    p.add_argument("--json", action="store_true", help="print the merge reports as JSON")

    p = sub.add_parser(
        "agree",
        help="intercoder agreement: percent, Cohen, Scott, Fleiss, Krippendorff's alpha, Brennan-Prediger, AC1",
        description="Compare coders per code (present/absent in each unit), pooled, across a domain of "
        "mutually exclusive codes, and by segment overlap. Every result says its unit, how uncoded text "
        "counts and its chance model; undefined values are reported as undefined.",
    )
    p.set_defaults(handler="agree")
    p.add_argument("project", help="project file (.qualbench)")
    _selection(p)
    p.add_argument(
        "--out", type=Path, help="write the results: .csv (table), .xlsx (all), .json (all)"
    )
    p.add_argument("--json", action="store_true", help="print everything as JSON")
    p.add_argument("--methods", action="store_true", help="print a methods paragraph for a paper")
    p.add_argument("--disagreements", action="store_true", help="also list every disagreement")
    p.add_argument(
        "--intervals",
        action="store_true",
        help="also print every coefficient's standard error and confidence interval",
    )
    p.add_argument(
        "--resamples",
        type=int,
        default=1000,
        help="bootstrap resamples for alpha's interval (default 1000; 0: no bootstrap)",
    )
    p.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"bootstrap seed (default {DEFAULT_SEED})"
    )
    p.add_argument(
        "--min-alpha",
        type=float,
        action="append",
        help="report the probability that alpha falls below this (repeatable; default 0.667 and 0.8)",
    )
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    p.add_argument(
        "--unitized",
        action="store_true",
        help="agreement on the spans themselves: Krippendorff's unitized alphas (u-alpha, "
        "|u-alpha, cu-alpha, Cu-alpha, (k)u-alpha per code, and the 1995 u-alpha); --unit is "
        "ignored",
    )

    p = sub.add_parser(
        "reconcile",
        help="build a consensus coder from the coders' disagreements",
        description="start: create a consensus coder seeded with what the coders agree on; list: the "
        "disagreements, numbered, with decisions so far; decide N: take coder A's codings, B's, both "
        "or neither for disagreement N (saved at once).",
    )
    rsub = p.add_subparsers(dest="reconcile_command", metavar="ACTION", required=True)
    q = rsub.add_parser("start", help="start (or re-open) a consensus for some coders")
    q.set_defaults(handler="reconcile_start")
    q.add_argument("project", help="project file (.qualbench)")
    _selection(q)
    q.add_argument(
        "--name", default="consensus", help="name of the consensus coder (default: consensus)"
    )
    q = rsub.add_parser("list", help="list the disagreements and decisions")
    q.set_defaults(handler="reconcile_list")
    q.add_argument("project", help="project file (.qualbench)")
    q.add_argument("--name", default="consensus", help="consensus coder (default: consensus)")
    q.add_argument("--open", action="store_true", help="only undecided disagreements")
    q.add_argument(
        "--json", action="store_true", help="print JSON (includes the text of each unit)"
    )
    q = rsub.add_parser("decide", help="decide disagreement N (numbers as 'reconcile list' shows)")
    q.set_defaults(handler="reconcile_decide")
    q.add_argument("project", help="project file (.qualbench)")
    q.add_argument("number", type=int, help="disagreement number")
    q.add_argument("--name", default="consensus", help="consensus coder (default: consensus)")
    how = q.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--take", action="append", default=[], help="take this coder's codings (repeatable)"
    )
    how.add_argument("--neither", action="store_true", help="the consensus does not code this unit")
    q.add_argument("--coder", help="who decides (default: $QUALBENCH_CODER or your user name)")


def _selection(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--coder", action="append", required=True, help="a coder to compare (two or more)"
    )
    p.add_argument(
        "--code", action="append", default=[], help="only this code (repeatable; default: all used)"
    )
    p.add_argument(
        "--domain",
        action="append",
        default=[],
        help="a code of a domain of mutually exclusive codes (repeat for each, two or more)",
    )
    p.add_argument(
        "--document", action="append", default=[], help="only this document (repeatable)"
    )
    p.add_argument(
        "--unit", choices=UNITS, default="sentence", help="unit of analysis (default: sentence)"
    )
    p.add_argument(
        "--uncoded",
        choices=["category", "missing"],
        default="category",
        help="in a domain, an uncoded unit is the value '(none)' (default) or missing data",
    )
    p.add_argument(
        "--overlap",
        type=float,
        default=0.9,
        help="segment matching: overlap (intersection over union) needed for a match (default 0.9)",
    )
    p.add_argument("--include-auto", action="store_true", help="also count auto-coded codings")


def _options(session: Any, args: argparse.Namespace) -> Any:
    from qualbench.agreement.compute import AgreementOptions
    from qualbench.services.codes import resolve_code
    from qualbench.services.documents import resolve_document

    return AgreementOptions(
        coders=tuple(args.coder),
        code_ids=tuple(resolve_code(session, c) for c in args.code),
        domain=tuple(resolve_code(session, c) for c in args.domain),
        document_ids=tuple(resolve_document(session, d) for d in args.document),
        unit=args.unit,
        uncoded=args.uncoded,
        origins=("manual", "imported", "auto") if args.include_auto else ("manual", "imported"),
        overlap=args.overlap,
        **(
            {
                "resamples": args.resamples,
                "seed": args.seed,
                "minimums": tuple(args.min_alpha or MINIMUMS),
                "level": args.level,
            }
            if hasattr(args, "resamples")
            else {}
        ),
    )


@_command
def distribute(args: argparse.Namespace) -> int:
    from qualbench.distribute import distribute as make_copies

    with _open(args, write=False) as project, cancellable() as token:
        bar = Bar("Copying")
        try:
            copies = make_copies(
                project,
                args.coder,
                args.folder,
                keep_codings=args.keep_codings,
                progress=bar,
                cancel=token.is_set,
            )
        finally:
            bar.close()
    for c in copies:
        print(f"{c.coder}: {c.path}")
    terminal.note(
        f"wrote {plural(len(copies), 'coder copy', 'coder copies')} (they contain the transcripts)"
    )
    return terminal.OK


def _accepted(session: Any, pairs: list[str]) -> dict[str, int]:
    from qualbench.services.codes import resolve_code

    out = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise UserError(f"--accept {pair!r}: write SOURCE_CODE=TARGET_CODE")
        out[source.strip()] = resolve_code(session, target.strip())
    return out


@_command
def merge(args: argparse.Namespace) -> int:
    from qualbench.merge import SuggestionsPending, merge_many

    with _open(args, write=True) as project, cancellable() as token:
        with project.read() as s:
            accept = _accepted(s, args.accept)
        bar = Bar("Merging")
        try:
            reports = merge_many(
                project,
                args.sources,
                accept=accept,
                accept_suggestions=args.accept_suggestions,
                keep_separate=args.keep_separate,
                dry_run=args.dry_run,
                progress=bar,
                cancel=token.is_set,
            )
            pending = None
        except SuggestionsPending as exc:
            reports, pending = [], exc
        finally:
            bar.close()
    if pending is not None:
        terminal.error(
            f"{pending.report.source}: codes need your decision; nothing was merged from it"
        )
        for c in pending.report.codes:
            if c.how == "suggested":
                print(f"  {c.path!r} looks like {c.suggestion!r} ({c.score:.0f}%)")
        terminal.note(
            "rerun with --accept 'SOURCE=TARGET' for each pair that is the same code, and --keep-separate "
            "(the others become new codes), or --accept-suggestions; files listed before it were merged"
        )
        return terminal.FAILED
    if args.json:
        data = []
        for r in reports:
            fields = asdict(r)
            fields.pop("changes")
            data.append(fields)
        print_json(data)
    else:
        for r in reports:
            print(f"{'would merge' if r.dry_run else 'merged'} {r.source}")
            for line in r.summary():
                print(f"  {line}")
            for d in r.documents:
                if d.how == "edited":
                    print(
                        f"  edited copy of {d.name!r} (similarity {d.similarity:.1%}): codings re-anchored"
                    )
            for c in r.codes:
                if c.how == "accepted":
                    print(
                        f"  code {c.path!r} merged into {c.suggestion or 'the code you accepted'!r}"
                    )
                elif c.how == "suggested":
                    decided = "kept as a new code" if args.keep_separate else "needs your decision"
                    print(
                        f"  code {c.path!r} looks like {c.suggestion!r} ({c.score:.0f}%): {decided}"
                    )
            for u in r.unplaced:
                print(
                    f"  NOT PLACED: {u.coder}'s {u.code!r} in {u.document!r} at {u.start}-{u.end}: {u.reason}"
                )
            for why in r.rejected[:20]:
                print(f"  set aside: {why}")
            if len(r.rejected) > 20:
                print(f"  set aside: {len(r.rejected) - 20} more")
            for why in r.memos_skipped:
                print(f"  memo skipped: {why}")
        if reports and reports[0].backup:
            terminal.note(f"backup of the project before the merge: {reports[0].backup}")
    if len(reports) < len(args.sources):
        terminal.note(f"cancelled after {plural(len(reports), 'file')}; those stay merged")
        return terminal.CANCELLED
    return terminal.OK


def _fmt(r: Any, *, percent: bool = False) -> str:
    from qualbench.agreement.text import value_text

    return value_text(r, percent=percent) if r.value is not None else "undef."


def _cell(v: Any) -> str:
    if v is None:
        return ""
    return f"{v:.3f}" if isinstance(v, float) else str(v)


HEADS = {
    "percent": "%agree",
    "cohen": "Cohen k",
    "scott": "Scott pi",
    "fleiss": "Fleiss k",
    "alpha": "K alpha",
    "bp": "B-P k",
    "ac1": "AC1",
}


@_command
def agree(args: argparse.Namespace) -> int:
    from qualbench.agreement.compute import agreement
    from qualbench.agreement.text import interval_text, methods_paragraph
    from qualbench.exports.agreement import interval_rows, report_dict, write_agreement

    if args.unitized:
        return _agree_unitized(args)
    with _open(args, write=False) as project, project.read() as s, cancellable() as token:
        bar = Bar("Comparing")
        try:
            report = agreement(s, _options(s, args), progress=bar, cancel=token.is_set)
        finally:
            bar.close()
        name = project.info().name
    if args.out:
        write_agreement(report, args.out, project=name)
        terminal.note(f"wrote {args.out} (agreement figures; no transcript text)")
    if args.json:
        print_json(report_dict(report))
        return terminal.OK
    keys = [k for k in HEADS if k in report.overall]
    heads = HEADS
    segments = {x.code_id: x for x in report.segments}
    boot = bool(report.options.resamples) and report.unit != "character"
    ci = f"alpha {report.options.level:.0%} CI"

    def interval(intervals: dict[str, Any]) -> list[str]:
        return [interval_text(intervals["alpha_boot"])] if boot else []

    rows = []
    for r in report.per_code:
        seg = segments[r.code_id]
        rows.append(
            [r.path, *(f"{r.coded[c]:g}" for c in report.coders)]
            + [_fmt(r.coefficients[k], percent=k == "percent") for k in keys]
            + interval(r.intervals)
            + [_fmt(seg.percent, percent=True)]
        )
    rows.append(
        ["(pooled)", *("" for _ in report.coders)]
        + [_fmt(report.overall[k], percent=k == "percent") for k in keys]
        + interval(report.overall_intervals)
        + [""]
    )
    if report.domain:
        rows.append(
            ["(domain)", *("" for _ in report.coders)]
            + [_fmt(report.domain[k], percent=k == "percent") for k in keys]
            + interval(report.domain_intervals)
            + [""]
        )
    print(
        f"unit: {report.unit_description}; {report.total:,.0f} per code; coders: {', '.join(report.coders)}"
    )
    print_table(
        ["code", *report.coders, *(heads[k] for k in keys), *([ci] if boot else []), "seg.match"],
        rows,
        right=[False] + [True] * (len(report.coders) + len(keys) + boot + 1),
    )
    if boot:
        pooled = report.overall_intervals["alpha_boot"]
        for m, q in pooled.below.items():
            print(f"P(pooled alpha < {m:g}) = {q:.3f}")
    if args.intervals:
        print()
        header, grid = interval_rows(report)
        print_table(
            header[:-1],
            [[_cell(v) for v in row[:-1]] for row in grid],
            right=[False, False, True, True, True, True, False]
            + [True] * len(report.options.minimums),
        )
    undefined = {
        (k, v.undefined)
        for r in report.per_code
        for k, v in r.coefficients.items()
        if v.value is None
    }
    for k, why in sorted(undefined):
        print(f"undef. {heads.get(k, k)}: {why}")
    for note in report.notes:
        print(f"note: {note}")
    if args.disagreements:
        print()
        print_table(
            ["document", "start", "end", "code", "coded by", "not coded by"],
            [
                [
                    d.document,
                    d.start,
                    d.end,
                    next(r.path for r in report.per_code if r.code_id == d.code_id),
                    ", ".join(d.coded_by),
                    ", ".join(d.not_coded_by),
                ]
                for d in report.disagreements
            ],
            right=[False, True, True, False, False, False],
        )
    if args.methods:
        print()
        print(methods_paragraph(report))
    return terminal.OK


def _agree_unitized(args: argparse.Namespace) -> int:
    from qualbench.agreement.continuum import FAMILY, PER_CODE, unitized_agreement
    from qualbench.agreement.text import interval_text, unitized_paragraph
    from qualbench.exports.agreement import unitized_dict, write_unitized

    with _open(args, write=False) as project, project.read() as s, cancellable() as token:
        bar = Bar("Comparing spans")
        try:
            report = unitized_agreement(s, _options(s, args), progress=bar, cancel=token.is_set)
        finally:
            bar.close()
        name = project.info().name
    if args.out:
        write_unitized(report, args.out, project=name)
        terminal.note(f"wrote {args.out} (agreement figures; no transcript text)")
    if args.json:
        print_json(unitized_dict(report))
        return terminal.OK
    r, boot = report.result, bool(report.intervals)
    ci = f"{report.options.level:.0%} CI"
    minimums = report.options.minimums
    rows = []
    for key, (label, what) in FAMILY.items():
        i = report.intervals.get(f"family:{key}")
        rows.append(
            [label, _fmt(getattr(r, key))]
            + ([interval_text(i) if i else "", *(_q(i, m) for m in minimums)] if boot else [])
            + [what]
        )
    print(
        f"continuum: {report.length:,} code points in {len(report.documents)} documents; "
        f"coders: {', '.join(report.coders)}"
    )
    q_heads = [f"P(<{m:g})" for m in minimums]
    print_table(
        ["coefficient", "value", *([ci, *q_heads] if boot else []), "measures"],
        rows,
        right=[False, True, *([True] * (1 + len(minimums)) if boot else []), False],
    )
    print()
    rows = []
    for code, path in report.codes:
        values = r.per_code[code]
        cells = [path]
        for k in PER_CODE:
            cells.append(_fmt(values[k]))
            if boot:
                cells.append(interval_text(report.intervals[f"{code}:{k}"]))
        rows.append(cells)
    heads = [part for label, _ in PER_CODE.values() for part in [label, *([ci] if boot else [])]]
    print_table(["code", *heads], rows, right=[False] + [True] * len(heads))
    undefined = {
        (PER_CODE[k][0], v.undefined)
        for values in r.per_code.values()
        for k, v in values.items()
        if v.value is None
    } | {(FAMILY[k][0], getattr(r, k).undefined) for k in FAMILY if getattr(r, k).value is None}
    for k, why in sorted(undefined):
        print(f"undef. {k}: {why}")
    for note in report.notes:
        print(f"note: {note}")
    if args.methods:
        print()
        print(unitized_paragraph(report))
    return terminal.OK


def _q(i: Any, m: float) -> str:
    return f"{i.below[m]:.3f}" if i is not None and m in i.below else ""


@_command
def reconcile_start(args: argparse.Namespace) -> int:
    from qualbench.reconcile import reconciliation, start_consensus

    with _open(args, write=True) as project, cancellable() as token:
        with project.write() as s:
            start_consensus(s, _options(s, args), name=args.name, cancel=token.is_set)
        with project.read() as s:
            r = reconciliation(s, args.name)
    terminal.note(
        f"consensus {args.name!r}: {plural(len(r.items), 'disagreement')}, {r.decided} decided; "
        f"see 'qualbench reconcile list {args.project}'"
    )
    return terminal.OK


@_command
def reconcile_list(args: argparse.Namespace) -> int:
    from qualbench.reconcile import reconciliation
    from qualbench.services.documents import document_text

    with _open(args, write=False) as project, project.read() as s:
        r = reconciliation(s, args.name)
        texts = {i.document_id: document_text(s, i.document_id) for i in r.items}
    numbered = [
        (n, i) for n, i in enumerate(r.items, start=1) if not (args.open and i.chosen is not None)
    ]
    if args.json:
        print_json(
            [
                {**asdict(i), "number": n, "text": texts[i.document_id][i.start : i.end]}
                for n, i in numbered
            ]
        )
        return terminal.OK

    def decision(i: Any) -> str:
        if i.chosen is None:
            return "open"
        return "took " + (" and ".join(i.chosen) if i.chosen else "neither")

    from qualbench.cli.commands import _first_words

    print_table(
        ["#", "document", "code", "coded by", "decision", "unit"],
        [
            [
                n,
                i.document,
                i.code,
                ", ".join(i.coded_by),
                decision(i),
                _first_words(texts[i.document_id][i.start : i.end]),
            ]
            for n, i in numbered
        ],
        right=[True, False, False, False, False, False],
    )
    terminal.note(f"{r.decided} of {plural(len(r.items), 'disagreement')} decided")
    return terminal.OK


@_command
def reconcile_decide(args: argparse.Namespace) -> int:
    from qualbench.reconcile import decide, reconciliation
    from qualbench.services.coding import get_or_create_coder

    with _open(args, write=True) as project, project.write() as s:
        r = reconciliation(s, args.name)
        if not 1 <= args.number <= len(r.items):
            raise UserError(
                f"there is no disagreement {args.number}; 'reconcile list' shows 1 to {len(r.items)}"
            )
        item = r.items[args.number - 1]
        lead, _ = get_or_create_coder(s, _coder_name(args))
        decide(
            s,
            consensus=args.name,
            document_id=item.document_id,
            start=item.start,
            end=item.end,
            code_id=item.code_id,
            take=() if args.neither else tuple(args.take),
            decided_by=lead,
        )
    terminal.note(
        f"disagreement {args.number}: took {' and '.join(args.take) or 'neither'} ({item.code}, {item.document})"
    )
    return terminal.OK
