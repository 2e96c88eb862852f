"""Charts for papers: theme frequencies by attribute (grouped or stacked bars) and a code
co-occurrence heatmap, saved as PNG (300 dpi) or SVG (text kept as text).

Each figure is a plain matplotlib ``Figure`` on the Agg canvas, chosen explicitly: pyplot is
never used, so nothing opens a window and no global backend changes (the desktop app shows the
same figure through matplotlib's Qt canvas). Colours are colour-blind safe: the Okabe–Ito
palette for series (hatching tells series apart beyond eight) and a single-hue scale for the
heatmap, which also survives greyscale printing. Every figure says what it counts: a title, an
axis label and a caption below. Charts hold code names and attribute values, never transcript
text. matplotlib is imported inside the functions so the command line starts fast.
"""

from __future__ import annotations

import math
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualbench.errors import UserError
from qualbench.exports import ExportError, atomic_path
from qualbench.reports.themes import COUNTS, PERCENTS, ThemeRow, ThemeTable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from qualbench.reports.cooccurrence import Cooccurrence

DPI = 300  # PNG resolution: print quality
FORMATS = (".png", ".svg")
WIDTH = 7.0  # inches: the full text width of most journals
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Black is left out: it hides the value labels and the stacking edges.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
HATCHES = ("", "////", "....", "xxxx", "\\\\\\\\")
HEATMAP_COLOURS = "Blues"  # one hue, lightness rising with the value
LABEL_CHARS = 32  # a code label wraps at this width ...
LABEL_LINES = 2  # ... onto at most this many lines, then is shortened with "…"
PATH_SEPARATOR = " > "
HEADINGS = {  # the value axis
    "codings": "Coded segments",
    "documents": "Documents with the code",
    "participants": "Participants with the code",
    "pct_participants": "% of the participants",
    "words": "Words coded",
}
PERCENT_HEADINGS = {"row": "% of the code's total", "column": "% of the column's {measure}"}
UNIT_NAMES = {  # co-occurrence modes
    "overlap": "overlapping codings",
    "sentence": "sentences",
    "paragraph": "paragraphs",
    "turn": "speaker turns",
    "document": "documents",
}


class ChartError(UserError):
    """Nothing to chart, or the data do not fit the chart (the message says which)."""


@dataclass(frozen=True)
class _Bar:
    label: str
    path: str
    bold: bool
    values: list[float]
    total: float


def theme_chart(
    table: ThemeTable,
    measure: str = "codings",
    *,
    percent: str | None = None,
    stacked: bool = False,
    max_depth: int | None = None,
    title: str | None = None,
    caption: str = "",
    width: float = WIDTH,
) -> Figure:
    """Horizontal bars of a theme table: one slot per code (codebook order, top to bottom),
    one bar per column (grouped) or one bar split by column (stacked). ``percent`` ("row" or
    "column") charts percentages of the measure, as :meth:`ThemeTable.value` computes them.

    Codes deeper than ``max_depth`` (0 = top-level themes) and codes without codings are left
    out, except an empty parent of codes that are shown. ``caption`` is added under the
    automatic one (what is counted, whose codings, what is left out)."""
    if measure not in table.measures:
        raise ChartError(
            f"unknown measure {measure!r} for this table; use one of {', '.join(table.measures)}"
        )
    if percent is not None and percent not in PERCENTS:
        raise ChartError(f"percent must be one of {', '.join(PERCENTS)}, not {percent!r}")
    if percent is not None and measure not in COUNTS:
        raise ChartError(f"{measure} is a percentage already; chart it without a percent")
    if not table.columns:
        raise ChartError("nothing to chart: the table has no columns")
    bars, hidden = _bars(table, measure, percent, max_depth)
    if not bars:
        raise ChartError("nothing to chart: no code has codings with these options")
    by = by_label(table.by)
    heading = HEADINGS.get(measure, measure)
    if percent:
        heading = PERCENT_HEADINGS[percent].format(measure=heading.lower())
    text = _caption_text(
        _theme_notes(table, measure, percent, stacked, bars, hidden), caption, width
    )
    series = _series_names(table, measure)
    n = len(series)
    slot = 0.34 if stacked else max(0.34, 0.095 * n + 0.16)  # inches per code
    columns = _legend_columns(series, width, [b.label for b in bars])
    height = len(bars) * slot + 1.3 + 0.2 * -(-n // columns) + 0.14 * text.count("\n")
    fig = _figure(width, height)
    ax = fig.add_subplot()
    _draw_bars(ax, bars, series, stacked=stacked, percent=bool(percent) or "pct" in measure)
    ax.set_xlabel(heading + (f" (stacked by {by})" if stacked else ""), fontsize=9)
    fig.suptitle(title or f"{heading}, by {by}", fontsize=11, fontweight="bold")
    ax.legend(  # above the bars, under the title; constrained layout keeps room for it
        loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=columns, fontsize=8, frameon=False
    )
    _caption(fig, text)
    return fig


def _theme_notes(
    table: ThemeTable,
    measure: str,
    percent: str | None,
    stacked: bool,
    bars: list[_Bar],
    hidden: int,
) -> str:
    """The automatic caption: what a bar counts, whose codings, what is left out."""
    by = by_label(table.by)
    notes = [f"Bars: {table.describe(measure, percent)}, per code and {by}."]
    if measure in ("participants", "pct_participants", "documents"):
        whose = "documents" if measure == "documents" else "participants"
        notes.append(f"n: {whose} in the column.")
    if table.rollup:
        notes.append("Each code includes the codings of its sub-codes.")
    elif any(b.bold for b in bars):
        notes.append("Bold: a code's own codings; its sub-codes (indented, –) are not included.")
    if table.coders:
        notes.append(f"Codings of {', '.join(table.coders)}.")
    notes += _only(table.filters)
    if stacked and (measure != "codings" or percent == "column"):
        notes.append(f"Stacks add up the {by} columns.")
    if hidden:
        notes.append(f"Not shown: {_plural(hidden, 'code')} without codings.")
    shortened = [b for b in bars if "…" in b.label]
    if shortened:
        notes.append("Full names: " + "; ".join(f"{_plain(b.label)} = {b.path}" for b in shortened))
    return " ".join(notes)


def _series_names(table: ThemeTable, measure: str) -> list[str]:
    """The columns as the legend names them; with a count of participants or documents, each
    with its n (how many the column has), so a reader can weigh the bars."""
    if measure in ("participants", "pct_participants"):
        sizes = table.column_participants
    elif measure == "documents":
        sizes = table.column_documents
    else:
        return list(table.columns)
    return [f"{c} (n = {sizes.get(c, 0)})" for c in table.columns]


def _draw_bars(
    ax: Any, bars: list[_Bar], series: list[str], *, stacked: bool, percent: bool
) -> None:
    from matplotlib.ticker import MaxNLocator

    n = len(series)
    ys = list(range(len(bars)))
    thick = 0.8 if stacked else 0.78 / n
    left = [0.0] * len(bars)
    for i, name in enumerate(series):
        values = [b.values[i] for b in bars]
        offset = 0.0 if stacked else (i - (n - 1) / 2) * thick
        colour, hatch = PALETTE[i % len(PALETTE)], HATCHES[i // len(PALETTE) % len(HATCHES)]
        drawn = ax.barh(
            [y + offset for y in ys],
            values,
            height=thick,
            left=left if stacked else None,
            color=colour,
            hatch=hatch,
            edgecolor="white" if stacked else "none",
            linewidth=0.6,
            label=name,
        )
        if hatch:
            for patch in drawn:
                patch.set_edgecolor("#333333")
        if stacked:
            left = [a + v for a, v in zip(left, values, strict=True)]
        elif n <= 8:
            for patch, value in zip(drawn, values, strict=True):
                if value:
                    y = patch.get_y() + patch.get_height() / 2
                    ax.annotate(
                        _number(value, percent), (patch.get_x() + patch.get_width(), y),
                        xytext=(2, 0), textcoords="offset points", va="center",
                        fontsize=6.5 if n <= 4 else 5.5, color="#333333",
                    )  # fmt: skip
    if stacked:
        for y, total in zip(ys, left, strict=True):
            if total:
                ax.annotate(
                    _number(total, percent), (total, y), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=7, color="#333333",
                )  # fmt: skip
    ax.set_yticks(ys, [b.label for b in bars], fontsize=8)
    for tick, bar in zip(ax.get_yticklabels(), bars, strict=True):
        if bar.bold:
            tick.set_fontweight("bold")
    ax.set_ylim(len(bars) - 0.5, -0.5)  # first code on top
    if all(v == int(v) for b in bars for v in b.values):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(x=0.08)
    ax.set_xlim(left=0)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def cooccurrence_heatmap(
    matrix: Sequence[Sequence[float | None]],
    labels: Sequence[str],
    *,
    title: str = "Code co-occurrence",
    value_label: str = "Coded segments that overlap",
    caption: str = "",
    colour_diagonal: bool = False,
) -> Figure:
    """A square matrix of codes x codes as a heatmap with every value written in its cell
    (None: undefined, a grey cell with a dash).

    ``labels`` are code paths (``Parent > Child``) in codebook order. Rows carry the codes'
    labels (:func:`code_labels`) and numbers, columns the same numbers; the caption gives the
    full path of a label that had to be shortened. The diagonal (a code with itself, usually
    its own frequency) is grey and left out of the colour scale unless ``colour_diagonal``."""
    n = len(labels)
    if n == 0:
        raise ChartError("nothing to chart: no codes")
    rows = [[math.nan if v is None else float(v) for v in r] for r in matrix]
    if len(rows) != n or any(len(r) != n for r in rows):
        raise ChartError(f"the matrix must be {n} x {n}, one row and column per label")
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    data = np.array(rows, dtype=float)
    names = code_labels(labels)
    ticks = [f"{name}  {i + 1}" for i, name in enumerate(names)]
    label_width = 0.075 * max(len(line) for t in ticks for line in t.split("\n"))
    cell = min(0.42 if n <= 12 else 0.32, (WIDTH * 1.5 - label_width - 1.4) / n)  # inches
    width = max(5.0, label_width + n * cell + 1.4)
    blank_zeros = n > 10
    notes = [f"Cells: {value_label}; columns are numbered as the rows."]
    if blank_zeros:
        notes.append("A blank cell is 0.")
    if not colour_diagonal:
        notes.append("The diagonal (grey, italic: a code with itself) is outside the colour scale.")
    if np.isnan(data).any():
        notes.append("A dash: not defined.")
    shortened = [
        f"{i + 1}. {p}" for i, (p, t) in enumerate(zip(labels, names, strict=True)) if "…" in t
    ]
    if shortened:
        notes.append("Full names: " + "; ".join(shortened) + ".")
    if any(name.startswith("– ") for name in names):
        notes.append("Sub-codes (–) follow their parent.")
    text = _caption_text(" ".join(notes), caption, width)
    fig = _figure(width, max(3.0, n * cell + 1.3) + 0.14 * text.count("\n"))
    ax = fig.add_subplot()
    mask = np.isnan(data)
    if not colour_diagonal:
        np.fill_diagonal(mask, True)
    coloured = data[~mask]
    top = float(coloured.max()) if coloured.size else 0.0
    norm = Normalize(vmin=0, vmax=top if top > 0 else 1)
    cmap = colormaps[HEATMAP_COLOURS].with_extremes(bad="#e6e6e6")
    image = ax.imshow(np.ma.masked_array(data, mask), cmap=cmap, norm=norm, aspect="equal")
    finite = data[~np.isnan(data)]
    whole = bool(np.all(np.mod(finite, 1) == 0))
    size = 7.5 if n <= 12 else 6.5 if n <= 30 else 5
    for (r, c), value in np.ndenumerate(data):
        dark = not mask[r, c] and norm(value) > 0.55
        ax.text(
            c, r, "" if blank_zeros and value == 0 else _cell_text(value, whole),
            ha="center", va="center", fontsize=size,
            color="white" if dark else "#222222" if value else "#999999",
            fontstyle="italic" if mask[r, c] else "normal",
        )  # fmt: skip
    ax.set_xticks(range(n), [str(i + 1) for i in range(n)], fontsize=8)
    ax.set_yticks(range(n), ticks, fontsize=8)
    ax.xaxis.set_ticks_position("top")
    ax.set_xticks([x - 0.5 for x in range(1, n)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, n)], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2)
    ax.tick_params(which="both", length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.8 if n * cell <= 5 else 4 / (n * cell))
    bar.set_label(value_label, fontsize=8)
    bar.ax.tick_params(labelsize=7)
    if whole:
        from matplotlib.ticker import MaxNLocator

        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    fig.suptitle(title, fontsize=11, fontweight="bold")
    _caption(fig, text)
    return fig


def _cell_text(value: float, whole: bool) -> str:
    if math.isnan(value):
        return "–"
    if whole:
        return f"{value:.0f}"
    return f"{value:.2f}".removeprefix("0") if 0 <= value < 1 else f"{value:.2f}"


def cooccurrence_chart(
    matrix: Cooccurrence, *, jaccard: bool = False, title: str | None = None, caption: str = ""
) -> Figure:
    """The heatmap of a co-occurrence matrix (counts, or Jaccard indexes), captioned with how
    it was counted, whose codings and which filters."""
    if not matrix.codes:
        raise ChartError("nothing to chart: no code has codings with these options")
    where = UNIT_NAMES.get(matrix.mode, matrix.mode)
    if jaccard:
        label, definition = "Jaccard index", matrix.jaccard_definition
    elif matrix.mode == "overlap":
        label, definition = "Pairs of overlapping codings", f"Count: {matrix.count_definition}"
    else:
        label, definition = (
            f"{where.capitalize()} with both codes",
            f"Count: {matrix.count_definition}",
        )
    notes = [definition + ".", *(n[:1].upper() + n[1:] + "." for n in matrix.notes[2:])]
    if matrix.coders:
        notes.append(f"Codings of {', '.join(matrix.coders)}.")
    notes += _only(matrix.filters)
    if caption:
        notes.append(caption)
    default = "Code co-occurrence: " + (
        "overlapping codings" if matrix.mode == "overlap" else f"codes in the same {where[:-1]}"
    )
    values: list[list[float | None]] = (
        matrix.jaccard if jaccard else [[float(v) for v in r] for r in matrix.counts]
    )
    return cooccurrence_heatmap(
        values,
        [c.path for c in matrix.codes],
        title=title or default + (" (Jaccard index)" if jaccard else ""),
        value_label=label,
        caption=" ".join(notes),
    )


def save_chart(fig: Figure, path: str | Path) -> Path:
    """Write a figure as .png (300 dpi) or .svg (text as text, editable), by the file's suffix;
    an interrupted write leaves nothing under ``path``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(
            f"{path}: unknown chart format {suffix or '(no suffix)'!r}; use {' or '.join(FORMATS)}"
        )
    import matplotlib

    title = fig.get_suptitle()
    metadata: dict[str, Any] = (
        {"Title": title, "Software": "QualBench"}
        if suffix == ".png"
        else {"Title": title, "Creator": "QualBench", "Date": None}
    )
    # rc_context changes matplotlib's global settings: one save at a time, or a save running
    # in another thread could write its SVG text as drawings
    settings = matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "qualbench"})
    with _SAVING, settings, atomic_path(path) as tmp:
        fig.savefig(tmp, format=suffix[1:], dpi=DPI, metadata=metadata, facecolor="white")
    return path


_SAVING = threading.Lock()


def by_label(by: str) -> str:
    """Words for a table's columns: ``document:country`` -> ``country``, ``case`` ->
    ``participant``, ``case:gender`` -> ``participant gender``."""
    scope, _, name = by.partition(":")
    if not name:
        return {"case": "participant", "kind": "document kind"}.get(by, by)
    return f"participant {name}" if scope == "case" else name.replace("_", " ")


# --- helpers -----------------------------------------------------------------------------------


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained", facecolor="white")
    FigureCanvasAgg(fig)  # explicit: no GUI backend, no pyplot state
    return fig


def _bars(
    table: ThemeTable, measure: str, percent: str | None, max_depth: int | None
) -> tuple[list[_Bar], int]:
    """The codes to chart with their labels; and how many were left out for having no codings.
    An undefined value (a percentage of nothing) is drawn as no bar."""

    def value(row: ThemeRow, column: str | None) -> float:
        return float(table.value(row, column, measure, percent) or 0)

    rows = [r for r in table.rows if max_depth is None or r.depth <= max_depth]
    totals = {r.code_id: value(r, None) for r in rows}
    keep: set[int] = set()
    parents: list[ThemeRow] = []  # the open ancestors of the current row
    for r in rows:
        while parents and not r.path.startswith(parents[-1].path + PATH_SEPARATOR):
            parents.pop()
        if totals[r.code_id] > 0:
            keep.add(r.code_id)
            keep.update(p.code_id for p in parents)  # an empty parent keeps its place
        parents.append(r)
    kept = [r for r in rows if r.code_id in keep]
    bars = []
    for r, label in zip(kept, code_labels([r.path for r in kept]), strict=True):
        has_children = any(o.path.startswith(r.path + PATH_SEPARATOR) for o in kept)
        bars.append(
            _Bar(
                label=label,
                path=r.path,
                bold=has_children and not table.rollup,
                values=[value(r, c) for c in table.columns],
                total=totals[r.code_id],
            )
        )
    return bars, len(rows) - len(kept)


def code_labels(paths: Sequence[str]) -> list[str]:
    """Short labels for code paths in codebook order: a sub-code listed after its parent is
    ``– Name`` (one dash per level), any other is its path (``Parent › Name``); each wrapped at
    LABEL_CHARS onto LABEL_LINES lines at most, then shortened with "…"."""
    shown = set(paths)
    labels = []
    for path in paths:
        parent, _, name = path.rpartition(PATH_SEPARATOR)
        if parent and parent in shown:  # drawn just above: the dash says whose it is
            depth = path.count(PATH_SEPARATOR)
            labels.append("– " * depth + _wrap(name, LABEL_CHARS))
        else:
            labels.append(_wrap(path.replace(PATH_SEPARATOR, " › "), LABEL_CHARS))
    return labels


def _wrap(text: str, width: int) -> str:
    lines = textwrap.wrap(text, width, break_long_words=True) or [""]
    if len(lines) > LABEL_LINES:
        cut = " ".join(lines[LABEL_LINES - 1 :])[: width - 1]
        if " " in cut[width // 2 :]:
            cut = cut[: cut.rindex(" ")]
        lines = [*lines[: LABEL_LINES - 1], cut.rstrip() + "…"]
    return "\n".join(lines)


def _plain(label: str) -> str:
    return label.replace("\n", " ").lstrip("– ").replace(" › ", PATH_SEPARATOR)


def _number(value: float, percent: bool = False) -> str:
    if percent:
        return f"{value:.0f}%"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _legend_columns(series: Sequence[str], width: float, labels: Sequence[str]) -> int:
    """As many legend columns as fit over the bars (8 pt: about 0.07 inch a character)."""
    label_width = 0.07 * max((len(line) for t in labels for line in t.split("\n")), default=0)
    room = width - label_width - 0.5
    entry = 0.55 + 0.07 * max((len(s) for s in series), default=1)
    return max(1, min(len(series), int(room // entry), 8))


def _caption_text(automatic: str, extra: str, width: float) -> str:
    """The caption wrapped to the figure's width (about 16 characters an inch at 7.5 pt)."""
    text = " ".join(t for t in (automatic, extra) if t)
    return "\n".join(textwrap.wrap(text, int(width * 16), break_on_hyphens=False))


def _caption(fig: Figure, text: str) -> None:
    """The caption under the figure, left-aligned (constrained layout keeps room for it)."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=7.5, color="#444444", linespacing=1.3)


def _only(filters: Sequence[str]) -> list[str]:
    """The filters in words; coders are named already ("Codings of ...")."""
    rest = [f for f in filters if not f.startswith("coder ")]
    return [f"Only {'; '.join(rest)}."] if rest else []


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
