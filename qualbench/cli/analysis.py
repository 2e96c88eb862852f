"""Analysis sub-commands: co-occurrence, coding queries, code-presence matrices."""

from __future__ import annotations

from typing import Any


def add_arguments(sub: Any) -> None:
    """Declare the sub-commands (filled in as they are built)."""
