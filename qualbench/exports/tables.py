"""Theme-frequency tables to CSV and XLSX (numbers as numbers, one sheet per measure)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qualbench.exports import ExportError, atomic_path
from qualbench.reports import MEASURES, ThemeTable

FORMATS = (".csv", ".xlsx")


def table_grid(table: ThemeTable, measure: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows for one measure: code path, then one column per value, then the total."""
    if measure not in MEASURES:
        raise ExportError(f"measure must be one of {', '.join(MEASURES)}")
    header = ["code", *table.columns, "total"]
    rows = [
        [r.path, *(r.cells[c].get(measure) for c in table.columns), r.total.get(measure)]
        for r in table.rows
    ]
    return header, rows


def write_theme_table(
    table: ThemeTable, path: str | Path, *, project: str, measures: Sequence[str] = MEASURES
) -> Path:
    """CSV: one block per measure in long form (code, column, measure, value) is awkward for
    people, so CSV holds the first measure as a grid; XLSX holds one sheet per measure."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{path}: unknown table format {suffix!r}; use {', '.join(FORMATS)}")
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            header, rows = table_grid(table, measures[0])
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel reads UTF-8
                w = csv.writer(f)
                w.writerow(header)
                w.writerows(rows)
        else:
            from qualbench.exports.xlsx import write_sheets

            sheets = []
            for m in measures:
                header, rows = table_grid(table, m)
                sheets.append((m.capitalize(), header, rows))
            about = [
                ("Contents", "Theme-frequency table (counts only; no transcript text)"),
                ("Project", project),
                ("Columns", table.by),
                *((f"Note {i + 1}", n) for i, n in enumerate(table.notes)),
                ("Exported", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            ]
            write_sheets(tmp, sheets, about=about)
    return path
