"""Keyword-in-context lists and word-frequency tables to CSV and XLSX.

A KWIC file holds transcript text (the hits with their context) and says so in its About
sheet; a frequency table holds single words and counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualbench.exports import atomic_path, now_utc, suffix_of, write_csv

if TYPE_CHECKING:
    from qualbench.nlp.frequencies import FrequencyTable
    from qualbench.nlp.search import SearchResult

FORMATS = (".csv", ".xlsx")


def kwic_grid(result: SearchResult) -> tuple[list[str], list[list[Any]]]:
    header = ["document", "speaker", "participant", "start", "end", "left", "hit", "right"]
    fuzzy = result.query.mode == "fuzzy"
    if fuzzy:
        header.append("score")
    rows = []
    for h in result.hits:
        row: list[Any] = [
            h.document,
            h.speaker,
            h.participant,
            h.start,
            h.end,
            h.left,
            h.match,
            h.right,
        ]
        if fuzzy:
            row.append(h.score)
        rows.append(row)
    return header, rows


def _write(
    path: str | Path,
    sheet: str,
    grid: tuple[list[str], list[list[Any]]],
    about: Sequence[tuple[str, str]],
) -> Path:
    """CSV: the grid; XLSX: the grid on ``sheet`` and an About sheet saying what it holds."""
    path = Path(path)
    suffix = suffix_of(path, FORMATS, "export")
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            write_csv(tmp, *grid)
        else:
            from qualbench.exports.xlsx import write_sheets

            write_sheets(tmp, [(sheet, *grid)], about=[*about, ("Exported", now_utc())])
    return path


def write_kwic(result: SearchResult, path: str | Path, *, project: str) -> Path:
    """The hits in the order given (sort them first), one row each."""
    about = [
        ("Contents", "Keyword-in-context list: contains transcript text"),
        ("Project", project),
        ("Search", result.query.describe()),
        ("Where", "; ".join(result.conditions) or "all documents"),
        (
            "Hits",
            f"{len(result.hits)} in {result.documents_searched} documents searched"
            + (" (stopped at the limit)" if result.truncated else ""),
        ),
        ("Offsets", "start/end: Unicode code points into the document text, end exclusive"),
        *(
            [("Not searched", "not analysed yet: " + ", ".join(result.not_analysed))]
            if result.not_analysed
            else []
        ),
    ]
    return _write(path, "Hits", kwic_grid(result), about)


def frequency_grid(table: FrequencyTable) -> tuple[list[str], list[list[Any]]]:
    header = ["lemma", "count", "documents", *table.columns, "forms"]
    rows = [
        [
            r.lemma,
            r.total,
            r.documents,
            *(r.by.get(c, 0) for c in table.columns),
            ", ".join(r.forms),
        ]
        for r in table.rows
    ]
    return header, rows


def write_frequencies(table: FrequencyTable, path: str | Path, *, project: str) -> Path:
    about = [
        ("Contents", "Word frequencies (single words and counts; no passages of text)"),
        ("Project", project),
        ("Counted", table.describe()),
        ("Columns", table.by or "none"),
        *((f"Words in {c}", str(n)) for c, n in table.column_tokens.items()),
        ("Where", "; ".join(table.conditions) or "all documents"),
    ]
    return _write(path, "Words", frequency_grid(table), about)
