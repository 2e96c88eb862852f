"""Chart sub-command: theme frequencies as bars, or a code co-occurrence heatmap, to PNG or SVG."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qualbench.cli import terminal
from qualbench.cli.analysis import MODES, filter_arguments, make_filters
from qualbench.cli.commands import _command, _open
from qualbench.cli.terminal import Bar, cancellable


def add_arguments(sub: Any) -> None:
    p = sub.add_parser(
        "chart",
        help="chart theme frequencies by document, participant or attribute (PNG 300 dpi or SVG)",
        description="Bars of the theme-frequency table ('qualbench table' with the same options): "
        "one slot per code, one bar per column (grouped) or one bar split by column (--stacked). "
        "With --cooccurrence, a heatmap of how often codes meet instead. Colour-blind safe; the "
        "title, axes and caption say what is counted. Written as .png "
        "(300 dpi) or .svg (text kept as text), by the file's suffix.",
    )
    p.set_defaults(handler="chart")
    p.add_argument("project", help="project file (.qualbench)")
    p.add_argument("out", type=Path, help="output file: .png or .svg")
    p.add_argument(
        "--by",
        default="document",
        help="document (default), case, kind, or an attribute (country, case:gender ...)",
    )
    p.add_argument(
        "--measure",
        default="codings",
        help="codings (default), documents, participants (with the code), pct_participants (%% "
        "of the column's participants) or words (coded)",
    )
    p.add_argument(
        "--percent",
        choices=["row", "column"],
        help="chart percentages of the measure: of the code's total (row; stacked bars reach "
        "100%%) or of the column's total (column)",
    )
    p.add_argument("--stacked", action="store_true", help="stack the columns in one bar per code")
    p.add_argument("--rollup", action="store_true", help="count sub-codes in their parents")
    p.add_argument(
        "--depth",
        type=_depth,
        help="only codes this deep: 0 = top-level themes (with --rollup they include sub-codes)",
    )
    p.add_argument("--title", help="title of the figure (default: what it counts, by what)")
    p.add_argument("--caption", default="", help="text added to the caption under the figure")
    p.add_argument(
        "--width", type=_width, default=7.0, help="width of the bars chart in inches (default 7)"
    )
    p.add_argument(
        "--cooccurrence",
        choices=MODES,
        metavar="UNIT",
        help="instead of bars, a heatmap of how often codes meet: overlap (coded spans sharing "
        "a character), sentence, paragraph, turn or document (both present in one unit)",
    )
    p.add_argument(
        "--jaccard", action="store_true", help="with --cooccurrence: Jaccard indexes, not counts"
    )
    p.add_argument(
        "--same-coder",
        action="store_true",
        help="with --cooccurrence: only what one coder coded counts as meeting",
    )
    filter_arguments(p)


def _depth(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return n


def _width(value: str) -> float:
    try:
        inches = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 3 <= inches <= 20:
        raise argparse.ArgumentTypeError("must be between 3 and 20 inches")
    return inches


@_command
def chart(args: argparse.Namespace) -> int:
    from qualbench.exports import ExportError
    from qualbench.reports.charts import FORMATS, save_chart

    if args.out.suffix.lower() not in FORMATS:  # before any work
        raise ExportError(
            f"{args.out}: unknown chart format {args.out.suffix or '(no suffix)'!r}; "
            f"use {' or '.join(FORMATS)}"
        )
    fig = _heatmap(args) if args.cooccurrence else _bars(args)
    save_chart(fig, args.out)
    terminal.note(f"wrote {args.out}")
    return terminal.OK


def _bars(args: argparse.Namespace) -> Any:
    from qualbench.reports import theme_table
    from qualbench.reports.charts import theme_chart

    with _open(args, write=False) as project, project.read() as s, cancellable() as token:
        bar = Bar("Counting")
        try:
            table = theme_table(
                s,
                by=args.by,
                filters=make_filters(s, args),
                rollup=args.rollup,
                words=args.measure == "words",
                progress=bar,
                cancel=token.is_set,
            )
        finally:
            bar.close()
    return theme_chart(
        table,
        args.measure,
        percent=args.percent,
        stacked=args.stacked,
        max_depth=args.depth,
        title=args.title,
        caption=args.caption,
        width=args.width,
    )


def _heatmap(args: argparse.Namespace) -> Any:
    from qualbench.reports.charts import cooccurrence_chart
    from qualbench.reports.cooccurrence import cooccurrence

    with _open(args, write=False) as project, project.read() as s, cancellable() as token:
        bar = Bar("Counting")
        try:
            matrix = cooccurrence(
                s,
                mode=args.cooccurrence,
                same_coder=args.same_coder,
                filters=make_filters(s, args),
                progress=bar,
                cancel=token.is_set,
            )
        finally:
            bar.close()
    return cooccurrence_chart(matrix, jaccard=args.jaccard, title=args.title, caption=args.caption)
