"""Read a table (CSV or XLSX) into header + rows of strings: attributes, codebooks, codings."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from importers.plaintext import decode_bytes
from importers.transcript import ImportProblem


@dataclass(frozen=True, slots=True)
class Table:
    """A rectangular table: ``columns`` (header, stripped) and ``rows`` of equal length."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # The row number of each row as a spreadsheet shows it (1 = header): for messages only.
    line_numbers: tuple[int, ...] = field(default=(), compare=False)

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def numbered_records(self) -> list[tuple[int, dict[str, str]]]:
        """(row number as a spreadsheet shows it, record) for messages that name the row."""
        numbers = self.line_numbers or tuple(range(2, len(self.rows) + 2))
        return list(zip(numbers, self.records(), strict=True))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _finish(path: Path, raw_rows: list[list[str]]) -> Table:
    """Header + rows; empty rows, and empty columns left of the table or right of the header,
    are left out."""
    # Cells keep their text as written (a quoted passage must match a document exactly).
    numbered = [(n, r) for n, r in enumerate(raw_rows, start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise ImportProblem(path, "is an empty table (no header row)")
    skip = min(next(i for i, c in enumerate(r) if c.strip()) for _, r in numbered)
    numbered = [(n, r[skip:]) for n, r in numbered]
    header = [c.strip() for c in numbered[0][1]]
    body_rows = numbered[1:]
    while header and not header[-1]:
        header.pop()
    if any(not h for h in header):
        raise ImportProblem(path, "has an empty column name in its header row")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ImportProblem(path, f"has duplicate column names: {', '.join(dupes)}")
    width = len(header)
    body = []
    for n, r in body_rows:
        if any(c.strip() for c in r[width:]):
            raise ImportProblem(path, f"row {n} has more cells than the header has columns")
        body.append(tuple((r + [""] * width)[:width]))
    return Table(tuple(header), tuple(body), tuple(n for n, _ in body_rows))


def read_table(path: str | Path) -> Table:
    """First sheet of an .xlsx, or a .csv/.tsv (delimiter and encoding detected)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".xlsx", ".csv", ".tsv", ".txt"}:
        raise ImportProblem(
            path, f"is not a table file ({suffix or 'no extension'}); use .csv or .xlsx"
        )
    try:
        if path.is_dir():
            raise ImportProblem(path, "is a folder, not a file")
        if suffix == ".xlsx":
            return _finish(path, _xlsx_rows(path))
        data = path.read_bytes()
        if not data.strip():
            raise ImportProblem(path, "is empty")
        text, _ = decode_bytes(data, path)
        try:
            rows = _csv_rows(text, tab=suffix == ".tsv")
        except csv.Error as exc:
            raise ImportProblem(
                path, f"is not a readable CSV file ({exc}; an unclosed quote?)"
            ) from None
        return _finish(path, rows)
    except FileNotFoundError:
        raise ImportProblem(path, "does not exist") from None
    except OSError as exc:
        raise ImportProblem(
            path, f"cannot be read ({exc.strerror or type(exc).__name__})"
        ) from None


_DELIMITERS = (",", ";", "\t", "|")


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most columns (ties: the comma).

    The header decides because it is short and rarely quoted; ``csv.Sniffer`` is misled by
    commas and quotes inside the cells below it.
    """
    header = next((line for line in text.split("\n", 50)[:50] if line.strip()), "")
    best, most = ",", 1
    for delimiter in _DELIMITERS:
        fields = len(next(csv.reader([header], delimiter=delimiter), []))
        if fields > most:
            best, most = delimiter, fields
    return best


def _csv_rows(text: str, *, tab: bool) -> list[list[str]]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    delimiter = "\t" if tab else _sniff_delimiter(text)
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _xlsx_rows(path: Path) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportProblem(
            path, f"is not a readable .xlsx workbook ({type(exc).__name__})"
        ) from None
    except Exception as exc:  # damaged XML inside the zip; never show a traceback
        raise ImportProblem(path, f"is a damaged .xlsx workbook ({type(exc).__name__})") from None
    try:
        ws = wb.worksheets[0]
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    except Exception as exc:
        raise ImportProblem(path, f"is a damaged .xlsx workbook ({type(exc).__name__})") from None
    finally:
        wb.close()
