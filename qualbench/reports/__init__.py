"""Read-only analyses of a project: theme-frequency tables and coded excerpts."""

from qualbench.reports.excerpts import Excerpt, excerpts, format_ms
from qualbench.reports.filters import Filters
from qualbench.reports.themes import (
    MEASURES,
    NO_SPEAKER,
    NO_VALUE,
    Cell,
    ThemeRow,
    ThemeTable,
    resolve_by,
    theme_table,
)

__all__ = [
    "MEASURES",
    "NO_SPEAKER",
    "NO_VALUE",
    "Cell",
    "Excerpt",
    "Filters",
    "ThemeRow",
    "ThemeTable",
    "excerpts",
    "format_ms",
    "resolve_by",
    "theme_table",
]
