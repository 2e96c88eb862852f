"""Files for people and other programs: coded excerpts, theme tables, codings (CSV/XLSX/DOCX/MD).

Every writer writes to a temporary file and renames it into place, so an interrupted export
never leaves a half-written file under the requested name.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path


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
