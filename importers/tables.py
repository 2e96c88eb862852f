"""Read a table (CSV or XLSX) into header + rows of strings: attribute sheets, codebooks, codings."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from importers.plaintext import decode_bytes
from importers.transcript import ImportProblem


@dataclass(frozen=True, slots=True)
class Table:
    """A rectangular table: ``columns`` (header, stripped) and ``rows`` of equal length."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


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
    rows = [r for r in raw_rows if any(c.strip() for c in r)]
    if not rows:
        raise ImportProblem(path, "is an empty table (no header row)")
    header = [c.strip() for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    if not header or any(not h for h in header):
        raise ImportProblem(path, "has an empty column name in its header row")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ImportProblem(path, f"has duplicate column names: {', '.join(dupes)}")
    width = len(header)
    body = []
    for n, r in enumerate(rows[1:], start=2):
        extra = [c for c in r[width:] if c.strip()]
        if extra:
            raise ImportProblem(path, f"row {n} has more cells than the header has columns")
        body.append(tuple((list(r) + [""] * width)[:width]))
    return Table(tuple(header), tuple(body))


def read_table(path: str | Path) -> Table:
    """First sheet of an .xlsx, or a .csv/.tsv (delimiter and encoding detected)."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            return _finish(path, _xlsx_rows(path))
        if suffix in {".csv", ".tsv", ".txt"}:
            data = path.read_bytes()
            if not data.strip():
                raise ImportProblem(path, "is empty")
            text, _ = decode_bytes(data, path)
            return _finish(path, _csv_rows(text, tab=suffix == ".tsv"))
    except FileNotFoundError:
        raise ImportProblem(path, "does not exist") from None
    except OSError as exc:
        raise ImportProblem(path, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    raise ImportProblem(path, f"is not a table file ({suffix or 'no extension'}); use .csv or .xlsx")


def _csv_rows(text: str, *, tab: bool) -> list[list[str]]:
    text = text.lstrip("\ufeff")
    if tab:
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _xlsx_rows(path: Path) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportProblem(path, f"is not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        ws = wb.worksheets[0]
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
