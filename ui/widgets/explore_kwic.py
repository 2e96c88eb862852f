"""The keyword-in-context table: one row per hit (left context right-aligned, the hit bold in
the middle, right context), sorted by the core's concordance sorts (left context nearest word
first, hit, right context, speaker, document order). The model holds the hits as a list and
formats only the rows Qt asks for, so 50,000 hits cost nothing more than their list."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from qualbench.nlp.search import Hit, sort_hits

Index = QModelIndex | QPersistentModelIndex
LEFT, HIT, RIGHT, DOCUMENT, SPEAKER, SCORE = range(6)
HEADERS = ("Left context", "Hit", "Right context", "Document", "Speaker", "Score")
SORT_KEYS = {LEFT: "left", HIT: "hit", RIGHT: "right", DOCUMENT: "document", SPEAKER: "speaker"}


class KwicModel(QAbstractTableModel):
    """Hits in the order shown; ``original`` keeps the document order the search gave."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original: list[Hit] = []
        self.hits: list[Hit] = []
        self.show_score = False
        self._bold = QFont()
        self._bold.setBold(True)

    def set_hits(self, hits: list[Hit], *, show_score: bool = False) -> None:
        self.beginResetModel()
        self.original = list(hits)
        self.hits = list(hits)
        self.show_score = show_score
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else (6 if self.show_score else 5)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == LEFT:
            return "Sorted by the word just before the hit, then the one before it, …"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.hits):
            return None
        h, col = self.hits[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == SPEAKER:
                if h.participant and h.participant != h.speaker:
                    return f"{h.speaker} ({h.participant})" if h.speaker else h.participant
                return h.speaker
            if col == SCORE:
                return f"{h.score:g}"
            return (h.left, h.match, h.right, h.document)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == LEFT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col in (HIT, SCORE):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and col == HIT:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and col in (LEFT, HIT, RIGHT):
            return f"{h.left}[{h.match}]{h.right}"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Concordance sorts through the core (`sort_hits`); the score column by score."""
        if not self.original:
            return
        self.layoutAboutToBeChanged.emit()
        if column == SCORE:
            hits = sorted(self.original, key=lambda h: h.score)
        else:
            hits = sort_hits(self.original, SORT_KEYS.get(column, "document"))
        if order == Qt.SortOrder.DescendingOrder:
            hits.reverse()
        self.hits = hits
        self.layoutChanged.emit()

    def hit(self, row: int) -> Hit | None:
        return self.hits[row] if 0 <= row < len(self.hits) else None


class ElideDelegate(QStyledItemDelegate):
    """Cut a column's text elsewhere than at its end: the left context loses its far end
    (the words next to the hit stay visible), a code path its middle."""

    def __init__(self, mode: Qt.TextElideMode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = self.mode  # type: ignore[attr-defined]


class KwicView(QTableView):
    """A table of hits with fixed row heights (no row is measured) and sortable headers."""

    def __init__(self, model: KwicModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegateForColumn(LEFT, ElideDelegate(Qt.TextElideMode.ElideLeft, self))
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col in (LEFT, RIGHT):  # the contexts share what the other columns leave
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)

    def fit_columns(self) -> None:
        """The hit, document and speaker columns as wide as their first few hundred rows
        need (not measured over every row), within bounds; the contexts share the rest."""
        model = self.model()
        assert isinstance(model, KwicModel)
        metrics = self.fontMetrics()
        sample = range(min(len(model.hits), 300))

        def width(col: int, least: int, most: int) -> int:
            texts = [str(model.data(model.index(r, col))) for r in sample]
            texts.append(HEADERS[col])
            wanted = max(metrics.horizontalAdvance(t) for t in texts) + 24
            return min(max(wanted, least), most)

        header = self.horizontalHeader()
        header.resizeSection(HIT, width(HIT, 70, 240))
        header.resizeSection(DOCUMENT, width(DOCUMENT, 90, 200))
        header.resizeSection(SPEAKER, width(SPEAKER, 80, 190))
        if model.show_score:
            header.resizeSection(SCORE, 60)

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.selectionModel().selectedRows()})
