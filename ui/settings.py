"""Per-user settings (coder name, recent projects, pinned codes, window layout) in QSettings.

``QUALBENCH_SETTINGS_DIR`` points them at a folder of its own (tests, portable installs).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from ui.server_address import is_server_url, without_password

MAX_RECENT = 8
PINS = 9


def settings() -> QSettings:
    folder = os.environ.get("QUALBENCH_SETTINGS_DIR")
    if folder:
        return QSettings(str(Path(folder) / "qualbench.ini"), QSettings.Format.IniFormat)
    return QSettings("QualBench", "QualBench")


def coder_name() -> str:
    return str(os.environ.get("QUALBENCH_CODER") or settings().value("coder", "") or "")


def set_coder_name(name: str) -> None:
    settings().setValue("coder", name)


def recent_projects() -> list[str]:
    value = settings().value("recent", [])
    items = (
        [value]
        if isinstance(value, str)
        else list(value)
        if isinstance(value, list | tuple)
        else []
    )
    return [str(v) for v in items if v]


def add_recent(path: str) -> None:
    """Put a project file or server URL first; a URL is kept without its password."""
    if is_server_url(path):
        path = without_password(path)
    items = [path, *(p for p in recent_projects() if p != path)][:MAX_RECENT]
    settings().setValue("recent", items)


def pinned_codes(project_uuid: str) -> list[str]:
    """Code uuids pinned to keys 1..9 for this project ("" = empty slot)."""
    value = settings().value(f"pins/{project_uuid}", [])
    items = (
        [value]
        if isinstance(value, str)
        else [str(v) for v in value]
        if isinstance(value, list | tuple)
        else []
    )
    return (items + [""] * PINS)[:PINS]


def set_pinned_codes(project_uuid: str, uuids: list[str]) -> None:
    settings().setValue(f"pins/{project_uuid}", (list(uuids) + [""] * PINS)[:PINS])
