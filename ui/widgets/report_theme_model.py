"""The item model of the theme table: a counted ThemeTable shown as one measure (or a row or
column percentage of it), with numbers that sort as numbers and code paths to filter on. It
holds the counted table only: no SQL, no counting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import QWidget

from qualbench.reports.themes import ThemeRow, ThemeTable

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole  # numbers as numbers; the code column in codebook order
PATH_ROLE = Qt.ItemDataRole.UserRole + 1  # what the filter box matches
PERCENT_LABELS = {
    None: "Counts",
    "row": "% of the code's total",
    "column": "% of the column's total",
}
GREY = QBrush(QColor("#999999"))


@dataclass(frozen=True)
class ThemeSelection:
    """A counted table and how it is shown: what the chart tab draws."""

    table: ThemeTable
    measure: str
    percent: str | None


class ThemeTableModel(QAbstractTableModel):
    """A counted ThemeTable shown as one measure (or a percentage of it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table: ThemeTable | None = None
        self.measure = "codings"
        self.percent: str | None = None
        self.colours: dict[int, str] = {}
        self._icons: dict[str, QIcon] = {}

    def set_table(self, table: ThemeTable | None, colours: dict[int, str] | None = None) -> None:
        self.beginResetModel()
        self.table = table
        if colours is not None:
            self.colours = colours
        self.endResetModel()

    def set_measure(self, measure: str, percent: str | None) -> None:
        self.measure, self.percent = measure, percent
        if self.table is not None and self.rowCount():
            self.dataChanged.emit(
                self.index(0, 1), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.table is None else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.table is None else len(self.table.columns) + 2

    def column_name(self, column: int) -> str | None:
        """The table column of a model column (None: the total)."""
        assert self.table is not None
        return None if column == len(self.table.columns) + 1 else self.table.columns[column - 1]

    def value(self, row: ThemeRow, column: int) -> int | float | None:
        assert self.table is not None
        return self.table.value(row, self.column_name(column), self.measure, self.percent)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.table is None:
            return None
        row = self.table.rows[index.row()]
        if index.column() == 0:
            return self._code_data(row, index.row(), role)
        value = self.value(row, index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(value)
        if role == SORT_ROLE:
            return -1.0 if value is None else float(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not value:
            return GREY
        if role == Qt.ItemDataRole.FontRole and index.column() == self.columnCount() - 1:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._cell_tip(row, index.column(), value)
        return None

    def _code_data(self, row: ThemeRow, number: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return "    " * row.depth + row.name
        if role in (SORT_ROLE, Qt.ItemDataRole.InitialSortOrderRole):
            return number  # codebook order
        if role in (PATH_ROLE, Qt.ItemDataRole.ToolTipRole):
            return row.path
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(self.colours.get(row.code_id, "#cccccc"))
        if role == Qt.ItemDataRole.FontRole and row.depth == 0:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def text(self, value: int | float | None) -> str:
        if value is None:
            return "–"
        if self.percent or self.measure == "pct_participants":
            return f"{value:.1f}%"
        return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"

    def _cell_tip(self, row: ThemeRow, column: int, value: int | float | None) -> str:
        assert self.table is not None
        name = self.column_name(column)
        cell = row.total if name is None else row.cells[name]
        where = "all columns" if name is None else name
        if value is None:
            return f"{row.path} × {where}: not defined (nothing to divide by)"
        parts = [f"{cell.codings} codings", f"{cell.documents} documents"]
        parts.append(f"{cell.participants} participants")
        if cell.words is not None:
            parts.append(f"{cell.words:,} words")
        return f"{row.path} × {where}: {', '.join(parts)}"

    def _icon(self, colour: str) -> QIcon:
        icon = self._icons.get(colour)
        if icon is None:
            pixmap = QPixmap(10, 10)
            pixmap.fill(QColor(colour))
            icon = self._icons[colour] = QIcon(pixmap)
        return icon

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or self.table is None:
            return None
        if section == 0:
            return {Qt.ItemDataRole.DisplayRole: "Code"}.get(Qt.ItemDataRole(role))
        name = self.column_name(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return "Total" if name is None else name
        if role == Qt.ItemDataRole.ToolTipRole:
            t = self.table
            docs = t.all_documents if name is None else t.column_documents.get(name, 0)
            people = t.all_participants if name is None else t.column_participants.get(name, 0)
            return f"{name or 'All columns'}: {docs} documents, {people} participants"
        return None


class ThemeProxy(QSortFilterProxyModel):
    """Sorts by number (codebook order in the code column); the filter box matches code paths."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterRole(PATH_ROLE)
        self.setFilterKeyColumn(0)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
