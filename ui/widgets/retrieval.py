"""The Retrieval panel: every excerpt of the selected codes across documents, filtered by coder
and by an attribute, with its context in a preview; double-click jumps to the passage."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qualbench.changes import Changes
from qualbench.reports import Excerpt, Filters, excerpts
from qualbench.services.cases import attribute_names, values_of
from qualbench.services.documents import document_text
from qualbench.workspace import coders
from ui.session import ProjectSession, concerns_everything

ANY = "(any)"
CONTEXT = 300  # characters of context shown around an excerpt
Index = QModelIndex | QPersistentModelIndex


class ExcerptsModel(QAbstractTableModel):
    COLUMNS = ("Code", "Document", "Speaker", "Excerpt", "Coder")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Excerpt] = []

    def set_rows(self, rows: list[Excerpt]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            who = e.participant or e.speaker
            return (
                e.code_path.split(" > ")[-1],
                e.document,
                who,
                " ".join(e.text.split()),
                e.coder,
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return e.code_path if index.column() == 0 else None
        return None


class RetrievalPanel(QWidget):
    """Excerpts of the selected codes; emits where to jump."""

    jumpRequested = Signal(int, int, int)  # document id, start, end

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.code_ids: list[int] = []
        self._texts: dict[int, str] = {}

        self.coder = QComboBox()
        self.attribute = QComboBox()
        self.value = QComboBox()
        self.count = QLabel("Select codes to see their excerpts.")
        for combo in (self.coder, self.value, self.attribute):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(8)
        for combo in (self.coder, self.value):
            combo.currentIndexChanged.connect(lambda _: self.refresh())
        self.attribute.currentIndexChanged.connect(self._attribute_changed)

        self.model = ExcerptsModel()
        self.sorted = QSortFilterProxyModel(self)
        self.sorted.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.sorted)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(
            -1, Qt.SortOrder.AscendingOrder
        )  # codebook order until a header is clicked
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        for col, mode in enumerate(
            (QHeaderView.ResizeMode.ResizeToContents,) * 3
            + (QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents)
        ):
            header.setSectionResizeMode(col, mode)
        self.table.doubleClicked.connect(self._jump)
        self.table.activated.connect(self._jump)
        self.table.selectionModel().currentRowChanged.connect(self._preview)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._menu)
        self.preview = QTextBrowser()

        filters = QHBoxLayout()
        filters.addWidget(QLabel("Coder"))
        filters.addWidget(self.coder)
        filters.addSpacing(12)
        filters.addWidget(QLabel("Attribute"))
        filters.addWidget(self.attribute)
        filters.addWidget(self.value)
        filters.addStretch(1)
        filters.addWidget(self.count)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("retrieval-split")
        split.addWidget(self.table)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(split)
        session.changed.connect(self._on_changed)
        self._fill_filters()

    # --- filters -----------------------------------------------------------------------------
    def _fill_filters(self) -> None:
        with self.session.read() as s:
            names = [n for _, n in coders(s)]
            attrs = [f"document: {a}" for a in attribute_names(s, scope="document")]
            attrs += [f"participant: {a}" for a in attribute_names(s, scope="case")]
        for combo, items in ((self.coder, [ANY, *names]), (self.attribute, [ANY, *attrs])):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(items)
            if current in items:
                combo.setCurrentText(current)
            combo.blockSignals(False)
        self._attribute_changed()

    def _attribute_changed(self, *_args: object) -> None:
        attribute = self.attribute.currentText()
        values: set[str] = set()
        if attribute != ANY:
            scope, _sep, name = attribute.partition(": ")
            with self.session.read() as s:
                for v in values_of(s, scope="document" if scope == "document" else "case").values():
                    if name in v:
                        values.add(v[name])
        current = self.value.currentText()
        self.value.blockSignals(True)
        self.value.clear()
        self.value.addItems([ANY, *sorted(values)])
        if current in values:
            self.value.setCurrentText(current)
        self.value.setEnabled(attribute != ANY)
        self.value.blockSignals(False)
        self.refresh()

    # --- content -----------------------------------------------------------------------------
    def set_codes(self, code_ids: list[int]) -> None:
        self.code_ids = list(code_ids)
        self.refresh()

    def refresh(self) -> None:
        if not self.code_ids:
            self.model.set_rows([])
            self.count.setText("Select codes to see their excerpts.")
            self.preview.clear()
            return
        coder = self.coder.currentText()
        with self.session.read() as s:
            rows = excerpts(
                s,
                filters=Filters(
                    code_ids=tuple(self.code_ids), coders=(coder,) if coder not in ("", ANY) else ()
                ),
            )
        choice, value = self.attribute.currentText(), self.value.currentText()
        if choice != ANY and value not in ("", ANY):
            scope, _, name = choice.partition(": ")
            rows = [
                e for e in rows
                if (e.document_attributes if scope == "document" else e.participant_attributes).get(name) == value
            ]  # fmt: skip
        self.model.set_rows(rows)
        self._texts.clear()
        docs = len({e.document for e in rows})
        self.count.setText(
            f"{len(rows)} excerpt{'s' if len(rows) != 1 else ''} in {docs} document{'s' if docs != 1 else ''}"
        )
        if rows:
            self.table.selectRow(0)
        else:
            self.preview.clear()

    def _row(self, index: QModelIndex) -> Excerpt | None:
        """The excerpt behind a row of the (sortable) table."""
        source = self.sorted.mapToSource(index) if index.model() is self.sorted else index
        return (
            self.model.rows[source.row()]
            if source.isValid() and source.row() < len(self.model.rows)
            else None
        )

    def _preview(self, current: QModelIndex, _previous: QModelIndex) -> None:
        e = self._row(current)
        if e is None:
            self.preview.clear()
            return
        text = self._texts.get(e.document_id)
        if text is None:
            with self.session.read() as s:
                text = self._texts[e.document_id] = document_text(s, e.document_id)
        before = text[max(0, e.start - CONTEXT) : e.start]
        after = text[e.end : e.end + CONTEXT]
        body = (
            html.escape(("…" if e.start > CONTEXT else "") + before)
            + f"<b style='background-color: rgba(255, 210, 80, 90)'>{html.escape(e.text)}</b>"
            + html.escape(after + ("…" if e.end + CONTEXT < len(text) else ""))
        ).replace("\n", "<br>")
        who = e.participant or e.speaker or "no speaker"
        ref = f"{html.escape(who)} · {html.escape(e.document)} · ¶{e.paragraph}" + (
            f" · {e.timestamp}" if e.timestamp else ""
        )
        memo = f"<p><i>Memo: {html.escape(e.memo)}</i></p>" if e.memo else ""
        self.preview.setHtml(
            f"<p style='color: gray'>{html.escape(e.code_path)} — coded by {html.escape(e.coder)}</p>"
            f"<p>{body}</p><p style='color: gray'>{ref}</p>{memo}"
        )

    def _jump(self, index: QModelIndex) -> None:
        e = self._row(index)
        if e is not None:
            self.jumpRequested.emit(e.document_id, e.start, e.end)

    def _menu(self, pos: QPoint) -> None:
        menu = self.context_menu(self.table.indexAt(pos))
        if menu is not None:
            menu.exec(self.table.viewport().mapToGlobal(pos))

    def context_menu(self, index: QModelIndex) -> QMenu | None:
        """The menu of an excerpt's row (None off the rows)."""
        e = self._row(index)
        if e is None:
            return None
        menu = QMenu(self)
        menu.addAction("Show in the transcript", lambda: self._jump(index))
        menu.addAction("Add to quote basket", lambda: self.add_to_basket(e))
        return menu

    def add_to_basket(self, e: Excerpt) -> str:
        """Put an excerpt's coding in the quote basket (undoable), and say so."""
        from ui.basket_actions import add_codings

        message = add_codings(self.session, [e.coding_id])
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(message, 6000)
        return message

    def step(self, delta: int) -> None:
        """Select the next/previous excerpt and jump to it."""
        rows = len(self.model.rows)
        if not rows:
            return
        row = max(0, min(rows - 1, self.table.currentIndex().row() + delta))
        self.table.selectRow(row)
        self._jump(self.sorted.index(row, 0))

    def _on_changed(self, changes: Changes) -> None:
        if concerns_everything(changes) or changes.coders or changes.attributes:
            self._fill_filters()
        elif changes.codings or changes.codes or changes.documents or changes.memos:
            self.refresh()
