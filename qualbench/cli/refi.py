"""REFI-QDA sub-commands: exchange projects (.qdpx) and codebooks (.qdc) with other QDA tools."""

from __future__ import annotations

from typing import Any


def add_arguments(sub: Any) -> None:
    """Declare the sub-commands (filled in as they are built)."""
