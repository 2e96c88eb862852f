"""Word frequencies by lemma (every form of a word counted together), optionally in columns by
document, document kind or an attribute of documents or participants, within the documents,
speakers and coded text chosen. A word opens as a search; the table exports to CSV/XLSX."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qualbench.changes import Changes
from qualbench.exports.kwic import write_frequencies
from qualbench.nlp.frequencies import FrequencyTable, word_frequencies
from qualbench.nlp.scope import Corpus, Scope
from qualbench.progress import CancelCheck, Progress
from qualbench.services.cases import attribute_names
from ui.session import ProjectSession, concerns_everything
from ui.tasks import Starter
from ui.widgets.explore_common import (
    AnalysisBar,
    SpeakersCompleter,
    ask_export_path,
    scope_filters,
    speakers_of,
)
from ui.widgets.report_filters import stale_bar

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole


class FrequencyModel(QAbstractTableModel):
    """Lemma, count, documents, a count per column, the written forms."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table: FrequencyTable | None = None

    def set_table(self, table: FrequencyTable) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.table is None else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.table is None else 4 + len(self.table.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or self.table is None:
            return None
        names = ["Word (lemma)", "Count", "Documents", *self.table.columns, "Written as"]
        if role == Qt.ItemDataRole.DisplayRole:
            return names[section]
        if role == Qt.ItemDataRole.ToolTipRole and 3 <= section < len(names) - 1:
            words = self.table.column_tokens.get(names[section], 0)
            return f"{names[section]}: {words:,} words counted"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.table is None:
            return None
        row, col = self.table.rows[index.row()], index.column()
        last = 3 + len(self.table.columns)
        if col == 0:
            value: Any = row.lemma
        elif col == 1:
            value = row.total
        elif col == 2:
            value = row.documents
        elif col == last:
            value = ", ".join(row.forms)
        else:
            value = row.by.get(self.table.columns[col - 3], 0)
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{value:,}" if isinstance(value, int) else value
        if role == Qt.ItemDataRole.ToolTipRole and col == last and row.forms:
            return f"{row.lemma}: written as {value}"
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def lemma(self, row: int) -> str:
        return self.table.rows[row].lemma if self.table is not None else ""


class WordsPanel(QWidget):
    message = Signal(str)
    lemmaRequested = Signal(str)  # search for every form of this word

    def __init__(
        self,
        session: ProjectSession,
        start: Starter,
        parent: QWidget | None = None,
        *,
        corpus: Corpus | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._start = start
        self.corpus = corpus or Corpus()  # kept between searches: only changes are read again
        self.table: FrequencyTable | None = None
        self._generation = 0

        self.by = QComboBox()
        self.stop_words = QCheckBox("Include stop words (the, and, …)")
        self.speakers = QLineEdit()
        SpeakersCompleter(session, self.speakers)
        self.speakers.setPlaceholderText("Everyone (or: speaker labels / participants, by commas)")
        self.speakers.setClearButtonEnabled(True)
        self.speakers.returnPressed.connect(self.compute)
        self.count_button = QPushButton("Count words")
        self.count_button.setDefault(True)
        self.count_button.clicked.connect(self.compute)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Single words and counts (no passages of text)")
        self.export_button.clicked.connect(lambda: self.export())
        top = QHBoxLayout()
        top.addWidget(QLabel("Columns:"))
        top.addWidget(self.by)
        top.addWidget(self.stop_words)
        top.addWidget(QLabel("Spoken by:"))
        top.addWidget(self.speakers, 1)
        top.addWidget(self.count_button)

        self.filters = scope_filters(session, "Where to count")
        self.summary = QLabel(
            "Count the words of the documents ticked on the left (nothing ticked: all of them)."
        )
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.analysis = AnalysisBar(session, start, "counted")
        self.analysis.analysed.connect(lambda _run: self.compute())
        self.analysis.message.connect(self.message)
        self.stale = stale_bar(self.compute, "The project has changed since these counts.")
        self.find = QLineEdit()
        self.find.setPlaceholderText("Find a word in the table")
        self.find.setClearButtonEnabled(True)
        self.model = FrequencyModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.find.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.activated.connect(self._activated)
        self.view.setToolTip("Double-click a word to see every passage with it (Search tab)")
        bottom = QHBoxLayout()
        bottom.addWidget(self.find, 1)
        bottom.addWidget(QLabel("Double-click a word to search for it."))
        bottom.addWidget(self.export_button)

        right = QWidget()
        r_layout = QVBoxLayout(right)
        r_layout.setContentsMargins(4, 0, 0, 0)
        r_layout.addLayout(top)
        r_layout.addWidget(self.summary)
        r_layout.addWidget(self.analysis)
        r_layout.addWidget(self.stale)
        r_layout.addWidget(self.view, 1)
        r_layout.addLayout(bottom)
        split = QSplitter()
        split.setObjectName("explore-words-split")
        split.addWidget(self.filters)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([270, 990])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)
        session.changed.connect(self._on_changed)
        self._load_columns()
        self.export_button.setEnabled(False)

    def _load_columns(self) -> None:
        current = self.by.currentData()
        self.by.blockSignals(True)
        self.by.clear()
        for key, label in (("", "none"), ("document", "each document"), ("kind", "document kind")):
            self.by.addItem(label, key)
        with self.session.read() as s:
            for scope, whose in (("document", "documents"), ("case", "participants")):
                for name in attribute_names(s, scope=scope):
                    self.by.addItem(f"{name} ({whose})", f"{scope}:{name}")
        self.by.setCurrentIndex(max(self.by.findData(current), 0))
        self.by.blockSignals(False)

    def set_options(self, *, by: str | None = None, stop_words: bool | None = None) -> None:
        if by is not None:
            self.by.setCurrentIndex(self.by.findData(by))
        if stop_words is not None:
            self.stop_words.setChecked(stop_words)

    def compute(self) -> None:
        """Count in the background."""
        scope = Scope(filters=self.filters.filters(), speakers=speakers_of(self.speakers.text()))
        by, stops, project = (
            str(self.by.currentData()),
            self.stop_words.isChecked(),
            self.session.project,
        )
        self._generation += 1
        generation = self._generation

        def work(progress: Progress, cancel: CancelCheck) -> FrequencyTable:
            with project.read() as s:
                return word_frequencies(
                    s,
                    scope,
                    by=by,
                    stop_words=stops,
                    corpus=self.corpus,
                    progress=progress,
                    cancel=cancel,
                )

        def done(table: FrequencyTable) -> None:
            if generation == self._generation:
                self.show_table(table)

        self._start("Counting words", work, done)

    def show_table(self, table: FrequencyTable) -> None:
        self.table = table
        self.stale.hide()
        self.model.set_table(table)
        self.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        header = self.view.horizontalHeader()
        self.view.resizeColumnsToContents()
        for col in range(self.model.columnCount()):
            header.resizeSection(col, min(max(header.sectionSize(col), 70), 220))
        self.analysis.show_for(table.not_analysed)
        where = "; ".join(table.conditions) or "all documents"
        self.summary.setText(
            f"<b>{len(table.rows):,} different words</b> · {html.escape(table.describe())} "
            f"<span style='color: gray'>({html.escape(where)})</span>"
        )
        self.export_button.setEnabled(bool(table.rows))

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.lemmaRequested.emit(self.model.lemma(self.proxy.mapToSource(index).row()))

    def _on_changed(self, changes: Changes) -> None:
        everything = concerns_everything(changes)
        if everything or changes.attributes:
            self._load_columns()
        coded = bool(self.filters.filters().code_ids) and bool(changes.codings)
        if self.table is not None and (everything or changes.documents or changes.cases or coded):
            self.stale.show()

    def export(self, path: str | Path | None = None) -> None:
        table = self.table
        if table is None:
            return
        if path is None:
            path = ask_export_path(self, "Export the word frequencies", "word-frequencies.xlsx")
            if path is None:
                return
        project, target = self.session.project, Path(path)

        def work(progress: Progress, cancel: CancelCheck) -> Path:
            return write_frequencies(table, target, project=project.info().name)

        self._start(
            "Exporting the word frequencies",
            work,
            lambda p: self.message.emit(f"Wrote {len(table.rows):,} words to {p}."),
        )
