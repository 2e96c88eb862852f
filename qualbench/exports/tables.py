"""Tables of counts to CSV, XLSX and DOCX: theme-frequency tables, co-occurrence matrices and
0/1 code-presence matrices for R and SPSS.

Numbers stay numbers (an undefined percentage is an empty cell), XLSX sheets have a bold,
frozen header row and an About sheet that says what the file holds, DOCX files hold a titled
table with a header row repeated on every page and a note on what the cells count. None of these
files holds transcript text.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualbench.exports import ExportError, atomic_path, now_utc, suffix_of, write_csv
from qualbench.reports.themes import COUNTS, MEASURE_LABELS, MEASURES, PERCENTS, ThemeTable

if TYPE_CHECKING:
    from qualbench.reports.cooccurrence import Cooccurrence
    from qualbench.reports.presence import PresenceMatrix

FORMATS = (".csv", ".xlsx")
TABLE_FORMATS = (".csv", ".xlsx", ".docx")
MATRIX_FORMATS = (".csv", ".xlsx")
NO_TEXT = "counts only; no transcript text"
WORD_MAX_COLUMNS = 63  # Word cannot hold a wider table


def _number(v: int | float | None) -> int | float | None:
    return round(v, 2) if isinstance(v, float) else v


# --- theme tables -------------------------------------------------------------------------------


def table_grid(
    table: ThemeTable, measure: str, percent: str | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows for one measure (or a row/column percentage of it): code path, one
    column per value, then the total; undefined values are None."""
    _check(table, measure, percent)
    header = ["code", *table.columns, "total"]
    rows = [
        [
            r.path,
            *(_number(table.value(r, c, measure, percent)) for c in table.columns),
            _number(table.value(r, None, measure, percent)),
        ]
        for r in table.rows
    ]
    return header, rows


def _check(table: ThemeTable, measure: str, percent: str | None) -> None:
    if measure not in MEASURES:
        raise ExportError(f"measure must be one of {', '.join(MEASURES)}")
    if measure == "words" and not table.words:
        raise ExportError("words coded were not computed for this table")
    if percent is not None and percent not in PERCENTS:
        raise ExportError(f"percentages are {' or '.join(PERCENTS)}")
    if percent is not None and measure not in COUNTS:
        raise ExportError(f"{MEASURE_LABELS[measure]} is already a percentage")


def _sheet_title(measure: str, percent: str | None) -> str:
    label = MEASURE_LABELS[measure]
    title = label[0].upper() + label[1:]
    return f"{title}, {percent} %" if percent else title


def write_theme_table(
    table: ThemeTable,
    path: str | Path,
    *,
    project: str,
    measures: Sequence[str] | None = None,
    percent: str | None = None,
) -> Path:
    """CSV holds the first measure as a grid (as ``percent`` percentages when given); XLSX one
    sheet per measure (default: every measure the table holds) and, with ``percent``, one more
    per count; DOCX a table of the first measure, each cell ``n (p%)`` with ``percent``."""
    path = Path(path)
    suffix = suffix_of(path, TABLE_FORMATS, "table")
    measures = list(measures or table.measures)
    for m in measures:
        _check(table, m, None)
    if percent is not None:
        _check(table, measures[0], percent)
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            m = measures[0]
            header, rows = table_grid(table, m, percent)
            write_csv(tmp, header, rows)
        elif suffix == ".xlsx":
            from qualbench.exports.xlsx import write_sheets

            sheets = []
            described = []
            for m in measures:
                sheets.append((_sheet_title(m, None), *table_grid(table, m)))
                described.append((_sheet_title(m, None), table.describe(m)))
            if percent:
                for m in measures:
                    if m in COUNTS:
                        title = _sheet_title(m, percent)
                        sheets.append((title, *table_grid(table, m, percent)))
                        described.append((title, table.describe(m, percent)))
            about = [
                ("Contents", f"Theme-frequency table ({NO_TEXT})"),
                ("Project", project),
                ("Columns", table.by),
                *((f"Sheet {t}", what) for t, what in described),
                *_context(table.coders, table.filters, table.notes),
                ("Exported", now_utc()),
            ]
            write_sheets(tmp, sheets, about=about)
        else:
            _theme_docx(table, tmp, project=project, measure=measures[0], percent=percent)
    return path


def _context(
    coders: Sequence[str], filters: Sequence[str], notes: Sequence[str]
) -> list[tuple[str, str]]:
    out = [("Coders", ", ".join(coders) or "(none)")]
    if filters:
        out.append(("Filters", "; ".join(filters)))
    out += [(f"Note {i + 1}", n) for i, n in enumerate(notes)]
    return out


def _by_label(by: str) -> str:
    scope, _, name = by.partition(":")
    if not name:
        return {"case": "participant", "kind": "document kind"}.get(by, by)
    return f"{'participant' if scope == 'case' else 'document'} {name}"


def _theme_docx(
    table: ThemeTable, path: Path, *, project: str, measure: str, percent: str | None
) -> None:
    pct = percent if measure in COUNTS else None
    if measure in ("participants", "pct_participants") or pct == "column":
        base = "participants" if measure == "pct_participants" else measure

        def head(c: str | None) -> str:
            n = table.base(c, base)
            return f"{c or 'Total'} (n = {n})" if n is not None else c or "Total"
    else:

        def head(c: str | None) -> str:
            return c or "Total"

    def text(row: Any, c: str | None) -> str:
        v = table.value(row, c, measure)
        if v is None:
            return "–"
        shown = f"{v:.1f}" if isinstance(v, float) else str(v)
        if pct:
            p = table.value(row, c, measure, pct)
            shown += f" ({p:.1f}%)" if p is not None else ""
        return shown

    header = ["Code", *(head(c) for c in table.columns), head(None)]
    rows = [[r.name, *(text(r, c) for c in table.columns), text(r, None)] for r in table.rows]
    label = MEASURE_LABELS[measure]
    title = f"{label[0].upper()}{label[1:]} by {_by_label(table.by)}"
    notes = [
        f"Cells: {table.describe(measure, pct)}"
        + (". Each code includes its sub-codes" if table.rollup else "")
        + ".",
        f"Codings of {', '.join(table.coders) or 'no coder'}."
        + (f" Filters: {'; '.join(table.filters)}." if table.filters else ""),
        *(n[0].upper() + n[1:] + "." for n in table.notes[1:] if "sub-codes" not in n),
    ]
    _docx(
        path,
        title=title,
        project=project,
        tables=[(None, header, rows, [r.depth for r in table.rows])],
        notes=notes,
    )


# --- co-occurrence ----------------------------------------------------------------------------


def cooccurrence_grid(m: Cooccurrence, value: str = "count") -> tuple[list[str], list[list[Any]]]:
    """Header and rows: code path, then one column per code (``count`` or ``jaccard``)."""
    if value not in ("count", "jaccard"):
        raise ExportError("value must be count or jaccard")
    grid: Sequence[Sequence[int | float | None]] = m.counts if value == "count" else m.jaccard
    header = ["code", *(c.path for c in m.codes)]
    rows = [[c.path, *(_round4(v) for v in grid[i])] for i, c in enumerate(m.codes)]
    return header, rows


def _round4(v: int | float | None) -> int | float | None:
    return round(v, 4) if isinstance(v, float) else v


def write_cooccurrence(
    m: Cooccurrence, path: str | Path, *, project: str, value: str = "count"
) -> Path:
    """CSV: the matrix of ``value`` (count or jaccard); XLSX: Counts, Jaccard and Pairs (one
    row per pair of codes, for R or SPSS) sheets; DOCX: counts and Jaccard as two tables with
    numbered codes, lower triangle."""
    path = Path(path)
    suffix = suffix_of(path, TABLE_FORMATS, "co-occurrence")
    if not m.codes:
        raise ExportError("nothing to export: no code has counted codings with these options")
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            header, rows = cooccurrence_grid(m, value)
            write_csv(tmp, header, rows)
        elif suffix == ".xlsx":
            from qualbench.exports.xlsx import write_sheets

            pairs = [
                [p.a.path, p.b.path, p.count, _round4(p.jaccard)]
                for p in m.pairs(include_zero=True)
            ]
            about = [
                ("Contents", f"Code co-occurrence ({NO_TEXT})"),
                ("Project", project),
                ("Co-occurrence", m.unit_description),
                ("Counts", m.count_definition + "; the diagonal holds each code's frequency"),
                ("Jaccard", m.jaccard_definition),
                *_context(m.coders, m.filters, m.notes[2:]),
                ("Exported", now_utc()),
            ]
            write_sheets(
                tmp,
                [
                    ("Counts", *cooccurrence_grid(m, "count")),
                    ("Jaccard", *cooccurrence_grid(m, "jaccard")),
                    ("Pairs", ["code A", "code B", "count", "jaccard"], pairs),
                ],
                about=about,
            )
        else:
            _cooccurrence_docx(m, tmp, project=project)
    return path


def _cooccurrence_docx(m: Cooccurrence, path: Path, *, project: str) -> None:
    n = len(m.codes)
    numbers = [str(i + 1) for i in range(n)]
    labels = [f"{i + 1}. {c.path}" for i, c in enumerate(m.codes)]

    def triangle(cell: Any) -> list[list[str]]:
        return [[labels[i], *(cell(i, j) if j <= i else "" for j in range(n))] for i in range(n)]

    counts = triangle(lambda i, j: str(m.counts[i][j]))

    def jac(i: int, j: int) -> str:
        v = m.jaccard[i][j]
        if i == j:
            return "—"
        # Papers write an index that cannot exceed 1 without the leading zero (APA).
        return "–" if v is None else f"{v:.2f}".removeprefix("0")

    unit = {"turn": "speaker turn"}.get(m.mode, m.mode)
    what = "overlapping coded spans" if m.mode == "overlap" else f"codes in the same {unit}"
    notes = [
        f"Counts: {m.count_definition}; the diagonal holds each code's "
        + ("codings" if m.mode == "overlap" else "units with the code")
        + ".",
        f"{m.jaccard_definition}.",
        f"Units: {m.unit_description}." if m.mode != "overlap" else "",
        f"Codings of {', '.join(m.coders) or 'no coder'}."
        + (f" Filters: {'; '.join(m.filters)}." if m.filters else ""),
        *(x[0].upper() + x[1:] + "." for x in m.notes[2:]),
    ]
    _docx(
        path,
        title=f"Code co-occurrence: {what}",
        project=project,
        tables=[
            ("Co-occurrence counts", ["Code", *numbers], counts, None),
            ("Jaccard index", ["Code", *numbers], triangle(jac), None),
        ],
        notes=[x for x in notes if x],
    )


# --- presence matrices ------------------------------------------------------------------------


def write_presence(m: PresenceMatrix, path: str | Path, *, project: str) -> list[Path]:
    """CSV: the matrix (UTF-8 without BOM, which R and SPSS read as part of the first name)
    and ``<name>-variables.csv`` mapping variable names to code paths and attributes; XLSX:
    Matrix, Variables and About sheets. Returns the files written."""
    path = Path(path)
    suffix = suffix_of(path, MATRIX_FORMATS, "matrix")
    variables = [[v.name, v.label, v.kind] for v in m.variables]
    var_header = ["variable", "label", "kind"]
    if suffix == ".csv":
        names = path.with_name(f"{path.stem}-variables.csv")
        with atomic_path(path) as tmp, atomic_path(names) as tmp_names:
            for target, header, rows in (
                (tmp, m.header, m.rows),
                (tmp_names, var_header, variables),
            ):
                with target.open("w", encoding="utf-8", newline="") as f:
                    w = csv.writer(f)
                    w.writerow(header)
                    w.writerows(["" if v is None else v for v in row] for row in rows)
        return [path, names]
    from qualbench.exports.xlsx import write_sheets

    who = "participant" if m.rows_are == "participant" else "document"
    about = [
        (
            "Contents",
            f"0/1 code presence per {who}, with {who} names and attributes; no transcript text",
        ),
        ("Project", project),
        ("Rows", f"one per {who}"),
        ("Variables", "the Variables sheet gives each column's code path or attribute"),
        *_context(m.coders, m.filters, m.notes),
        ("Exported", now_utc()),
    ]
    with atomic_path(path) as tmp:
        write_sheets(
            tmp,
            [("Matrix", m.header, m.rows), ("Variables", var_header, variables)],
            about=about,
        )
    return [path]


# --- DOCX -------------------------------------------------------------------------------------


def _docx(
    path: Path,
    *,
    title: str,
    project: str,
    tables: Sequence[tuple[str | None, list[str], list[list[str]], list[int] | None]],
    notes: Sequence[str],
) -> None:
    """A document with a title, then each table (optional caption, header row repeated on every
    page, rules above and below the header and under the last row, numbers right-aligned) and a
    note."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    widest = max(len(h) for _, h, _, _ in tables)
    if widest > WORD_MAX_COLUMNS:
        raise ExportError(
            f"a Word table holds at most {WORD_MAX_COLUMNS} columns and this one needs {widest}: "
            "export XLSX or CSV, or group the columns by an attribute"
        )
    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.comments = f"QualBench table: {NO_TEXT}"
    section = d.sections[0]
    if widest > 7:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    d.add_heading(title, level=1)
    d.add_paragraph(f"Project: {project}. Exported {now_utc()}. Contents: {NO_TEXT}.")
    size = Pt(9 if widest <= 10 else 7)
    margins = int(section.left_margin or 0) + int(section.right_margin or 0)
    usable = (int(section.page_width or 0) - margins) / 360000  # EMU to cm
    for caption, header, rows, depths in tables:
        if caption:
            p = d.add_paragraph()
            p.add_run(caption).italic = True
        t = d.add_table(rows=1 + len(rows), cols=len(header))
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        # The code column gets room for its names; the numbers share the rest.
        first = min(6.5, usable * 0.4) if len(header) > 1 else usable
        widths = [first] + [(usable - first) / max(1, len(header) - 1)] * (len(header) - 1)
        for c, w in enumerate(widths):
            t.columns[c].width = Cm(w)
        for r, values in enumerate([header, *rows]):
            for c, value in enumerate(values):
                cell = t.cell(r, c)
                cell.width = Cm(widths[c])
                para = cell.paragraphs[0]
                para.paragraph_format.space_before = Pt(1)
                para.paragraph_format.space_after = Pt(1)
                para.paragraph_format.line_spacing = 1.0
                run = para.add_run(value)
                run.font.size = size
                if r == 0:
                    run.bold = True
                if c > 0:
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT if r else WD_ALIGN_PARAGRAPH.CENTER
                elif r and depths:
                    para.paragraph_format.left_indent = Cm(0.4 * depths[r - 1])
        _rules(t)
        d.add_paragraph()
    p = d.add_paragraph()
    p.add_run("Note. ").italic = True
    p.add_run(" ".join(notes))
    d.save(str(path))


def _rules(table: Any) -> None:
    """Rules above and below the header row and below the last row (the usual table style of
    papers); the header row repeats at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def rule(cell: Any, edge: str) -> None:
        pr = cell._tc.get_or_add_tcPr()
        borders = pr.find(qn("w:tcBorders"))
        if borders is None:
            borders = OxmlElement("w:tcBorders")
            pr.append(borders)
        line = OxmlElement(f"w:{edge}")
        for k, v in (("val", "single"), ("sz", "8"), ("space", "0"), ("color", "000000")):
            line.set(qn(f"w:{k}"), v)
        borders.append(line)

    margins = OxmlElement("w:tblCellMar")  # narrow cell margins: room for numbers
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "57")  # twentieths of a point: 0.1 cm
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.append(margins)
    rows = table.rows
    for cell in rows[0].cells:
        rule(cell, "top")
        rule(cell, "bottom")
    for cell in rows[-1].cells if len(rows) > 1 else ():
        rule(cell, "bottom")
    head = OxmlElement("w:tblHeader")
    head.set(qn("w:val"), "true")
    rows[0]._tr.get_or_add_trPr().append(head)
