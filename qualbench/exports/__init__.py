"""Files for people and other programs: coded excerpts, theme tables, codings (CSV/XLSX/DOCX/MD).

Every writer writes to a temporary file and renames it into place, so an interrupted export
never leaves a half-written file under the requested name.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


class ExportError(ValueError):
    """The export cannot be written (unknown format, folder missing); nothing was written."""


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it when the block succeeds."""
    path = Path(path)
    if not path.parent.exists():
        raise ExportError(f"{path}: the folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.partial")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def suffix_of(path: Path, formats: Sequence[str], what: str) -> str:
    """The lower-cased suffix of ``path``, one of ``formats`` (else a clear ExportError)."""
    suffix = path.suffix.lower()
    if suffix not in formats:
        raise ExportError(f"{path}: unknown {what} format {suffix!r}; use {', '.join(formats)}")
    return suffix


def now_utc() -> str:
    """When an export was written, for its About sheet or note."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A CSV file with a BOM, so that Excel reads it as UTF-8."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
