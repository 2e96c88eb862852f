"""XLSX writing (openpyxl): bold frozen header, numbers as numbers, sensible widths, About sheet."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]

# Excel refuses cells over 32,767 characters; a longer excerpt is cut with a visible marker.
MAX_CELL = 32_000


def _value(v: Any) -> Any:
    if isinstance(v, str):
        if len(v) > MAX_CELL:
            return v[:MAX_CELL] + " [...cut: too long for one Excel cell]"
        # Text that Excel would run as a formula stays text.
        if v[:1] in ("=", "+", "-", "@") and len(v) > 1:
            return "'" + v
    return v


def write_sheets(
    path: Path,
    sheets: Sequence[Sheet],
    *,
    about: Sequence[tuple[str, str]] = (),
    tick: Callable[[], None] | None = None,
) -> None:
    """Write sheets (title, header, rows) to ``path``; ``about`` becomes a last sheet saying what
    the file contains."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    try:
        bold = Font(bold=True)
        for title, header, rows in sheets:
            ws = wb.create_sheet(title=title[:31])
            ws.freeze_panes = "A2"
            widths = [min(60, max(8, len(h) + 2)) for h in header]
            for row in rows[:200]:
                for i, v in enumerate(row[: len(widths)]):
                    widths[i] = min(
                        60,
                        max(
                            widths[i],
                            len(str(v)) + 2 if not isinstance(v, str) or "\n" not in v else 40,
                        ),
                    )
            for i, w in enumerate(widths, start=1):
                ws.column_dimensions[get_column_letter(i)].width = w
            head = []
            for h in header:
                cell = WriteOnlyCell(ws, value=h)
                cell.font = bold
                head.append(cell)
            ws.append(head)
            wrap = Alignment(wrap_text=True, vertical="top")
            for row in rows:
                out = []
                for v in row:
                    v = _value(v)
                    if isinstance(v, str) and len(v) > 60:
                        cell = WriteOnlyCell(ws, value=v)
                        cell.alignment = wrap
                        out.append(cell)
                    else:
                        out.append(v)
                ws.append(out)
                if tick is not None:
                    tick()
        if about:
            ws = wb.create_sheet(title="About")
            ws.column_dimensions["A"].width = 18
            ws.column_dimensions["B"].width = 90
            for k, v in about:
                cell = WriteOnlyCell(ws, value=k)
                cell.font = bold
                ws.append([cell, v])
    except BaseException:
        # Close the half-written sheets quietly (their row generators would complain later).
        for ws in wb.worksheets:
            with contextlib.suppress(Exception):
                ws.close()
        raise
    wb.save(path)
