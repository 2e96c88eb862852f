"""The coder's auto-coding suggestions to review: accept (a coding of theirs, marked
auto-coded), reject (never proposed again), or reopen, one by one with the keys A and R, a
selection at a time, or every pending one of a code. Each decision is one undoable action; the
list follows the project (``session.changed``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qualbench import undo
from qualbench.changes import Changes
from qualbench.services.codes import code_paths
from qualbench.suggestions import SuggestionRow, list_suggestions, pending_ids, status_counts
from ui.session import ProjectSession, concerns_everything
from ui.widgets.explore_kwic import ElideDelegate

Index = QModelIndex | QPersistentModelIndex
STATUSES = {
    "pending": "waiting for review",
    "accepted": "accepted",
    "rejected": "rejected",
    "": "all",
}
MAX_ROWS = 20_000


class ReviewModel(QAbstractTableModel):
    COLUMNS = ("Code", "Document", "Speaker", "Text", "Rule", "Status")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SuggestionRow] = []

    def set_rows(self, rows: list[SuggestionRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (r.code, r.document, r.speaker, r.text, r.rule, r.status)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (0, 3, 4):
            return (r.code, r.text, r.rule)[(0, 3, 4).index(index.column())]
        return None


class ReviewTable(QTableView):
    """A table on which single keys act on the selection (A accept, R reject)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys: dict[int, Callable[[], object]] = {}

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self.keys.get(event.key())
        if action is not None and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            action()
            return
        super().keyPressEvent(event)


class ReviewPanel(QWidget):
    message = Signal(str)
    jumpRequested = Signal(int, int, int)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.status = QComboBox()
        for key, label in STATUSES.items():
            self.status.addItem(label, key)
        self.code = QComboBox()
        self.code.setMinimumContentsLength(24)
        self.code.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.counts = QLabel()
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Your suggestions</b>"))
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.status)
        top.addWidget(QLabel("Code:"))
        top.addWidget(self.code)
        top.addWidget(self.counts, 1)

        self.model = ReviewModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = ReviewTable()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)  # the text takes the rest
        for col, width in enumerate((230, 140, 110, 0, 220, 80)):
            if width:
                header.resizeSection(col, width)
        self.table.setItemDelegateForColumn(0, ElideDelegate(Qt.TextElideMode.ElideMiddle, self))
        self.table.keys = {
            Qt.Key.Key_A: lambda: self.decide("accept"),
            Qt.Key.Key_R: lambda: self.decide("reject"),
        }
        self.table.activated.connect(self.jump)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())

        self.accept_button = QPushButton("Accept (A)")
        self.accept_button.setToolTip("The selected suggestions become your codings (auto-coded)")
        self.accept_button.clicked.connect(lambda: self.decide("accept"))
        self.reject_button = QPushButton("Reject (R)")
        self.reject_button.setToolTip("Rejected suggestions are not proposed again")
        self.reject_button.clicked.connect(lambda: self.decide("reject"))
        self.reopen_button = QPushButton("Reopen")
        self.reopen_button.setToolTip(
            "Back to waiting for review (an accepted one's coding is removed)"
        )
        self.reopen_button.clicked.connect(lambda: self.decide("pending"))
        self.accept_code_button = QPushButton("Accept all of this code")
        self.accept_code_button.clicked.connect(lambda: self.accept_all_of_code())
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.reopen_button)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Double-click to see it in the transcript."))
        buttons.addWidget(self.accept_code_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.status.currentIndexChanged.connect(lambda *_: self.reload())
        self.code.currentIndexChanged.connect(lambda *_: self.reload())
        session.changed.connect(self._on_changed)
        self.reload()

    # --- the list ------------------------------------------------------------------------------
    def reload(self) -> None:
        """List the coder's suggestions with the status and code chosen; keeps the place."""
        status, code_id = self.status.currentData(), self.code.currentData()
        row = max(self.table.currentIndex().row(), 0)
        coder = self.session.coder_id
        with self.session.read() as s:
            counts = status_counts(s, coder)
            rows = list_suggestions(
                s,
                coder,
                statuses=(status,) if status else tuple(k for k in STATUSES if k),
                code_ids=(code_id,) if code_id is not None else (),
                limit=MAX_ROWS,
            )
            paths = code_paths(s)
        self._fill_codes(counts, paths, code_id)
        self.model.set_rows(rows)
        total = {k: sum(n for (_, st), n in counts.items() if st == k) for k in STATUSES if k}
        shown = f" (the first {MAX_ROWS:,} shown)" if len(rows) >= MAX_ROWS else ""
        self.counts.setText(
            f"<b>{total['pending']:,}</b> waiting · {total['accepted']:,} accepted · "
            f"{total['rejected']:,} rejected{shown}"
        )
        if rows:
            self.table.selectRow(min(row, self.proxy.rowCount() - 1))
        self._enable()

    def _fill_codes(
        self, counts: dict[tuple[int, str], int], paths: dict[int, str], current: Any
    ) -> None:
        pending: dict[int, int] = {}
        for (code, st), n in counts.items():
            pending[code] = pending.get(code, 0) + (n if st == "pending" else 0)
        self.code.blockSignals(True)
        self.code.clear()
        self.code.addItem("all codes", None)
        for code in sorted(pending, key=lambda c: paths.get(c, str(c)).casefold()):
            self.code.addItem(f"{paths.get(code, code)} — {pending[code]} waiting", code)
        self.code.setCurrentIndex(max(self.code.findData(current), 0))
        self.code.blockSignals(False)

    def _on_changed(self, changes: Changes) -> None:
        if (
            concerns_everything(changes)
            or changes.suggestions
            or changes.codes
            or changes.documents
            or changes.coders
        ):
            self.reload()

    def show_status(self, status: str) -> None:
        self.status.setCurrentIndex(self.status.findData(status))

    # --- decisions -----------------------------------------------------------------------------
    def selected(self) -> list[SuggestionRow]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.rows[r] for r in sorted(rows) if r < len(self.model.rows)]

    def decide(self, decision: str, rows: list[SuggestionRow] | None = None) -> bool:
        """Accept, reject or reopen the selected suggestions (one undoable action)."""
        chosen = self.selected() if rows is None else rows
        wanted = {"accept": "accepted", "reject": "rejected", "pending": "pending"}[decision]
        ids = [r.id for r in chosen if r.status != wanted]
        if not ids:
            return False
        done = self.session.run(undo.review_suggestions(ids, decision))
        if done:
            verb = {"accept": "Accepted", "reject": "Rejected", "pending": "Reopened"}[decision]
            self.message.emit(
                f"{verb} {len(ids)} suggestion{'s' if len(ids) != 1 else ''}. Ctrl+Z undoes this."
            )
        return done

    def _code_in_view(self) -> tuple[int, str] | None:
        """The code chosen above, else the code of the current row."""
        code_id = self.code.currentData()
        if code_id is not None:
            return int(code_id), self.code.currentText().rsplit(" — ", 1)[0]
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        r = self.model.rows[self.proxy.mapToSource(index).row()]
        return r.code_id, r.code

    def accept_all_of_code(self) -> bool:
        """Accept every pending suggestion of the code in view."""
        found = self._code_in_view()
        if found is None:
            return False
        with self.session.read() as s:
            ids = pending_ids(s, self.session.coder_id, [found[0]])
        if not ids or not self.session.run(undo.review_suggestions(ids, "accept")):
            return False
        self.message.emit(f"Accepted all {len(ids)} suggestions of {found[1]}. Ctrl+Z undoes this.")
        return True

    def jump(self, index: QModelIndex) -> None:
        if index.isValid():
            r = self.model.rows[self.proxy.mapToSource(index).row()]
            self.jumpRequested.emit(r.document_id, r.start, r.end)

    def _enable(self) -> None:
        chosen = self.selected()
        self.accept_button.setEnabled(any(r.status != "accepted" for r in chosen))
        self.reject_button.setEnabled(any(r.status != "rejected" for r in chosen))
        self.reopen_button.setEnabled(any(r.status != "pending" for r in chosen))
        found = self._code_in_view()
        if found is None:
            self.accept_code_button.setEnabled(False)
            self.accept_code_button.setText("Accept all of this code")
            return
        name = found[1].rsplit(" > ", 1)[-1]
        if len(name) > 28:
            name = name[:27] + "…"
        self.accept_code_button.setText(f"Accept all waiting of “{name}”")
        self.accept_code_button.setEnabled(True)
