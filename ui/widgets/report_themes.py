"""The theme-frequency table: codes x documents, participants or attribute values, with the
measure, percentages, roll-up and filters of ``qualbench table``; sortable, filtered by code
path, exported as CSV/XLSX/DOCX. Counting and exporting run in the background."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
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
from qualbench.progress import CancelCheck, Cancelled, Progress
from qualbench.reports.filters import Filters
from qualbench.reports.themes import MEASURE_LABELS, MEASURES, ThemeTable, theme_table
from qualbench.services.cases import attribute_names
from qualbench.workspace import code_colors
from ui.session import ProjectSession, concerns_everything
from ui.tasks import Starter
from ui.widgets.report_theme_model import (
    PERCENT_LABELS,
    ThemeProxy,
    ThemeSelection,
    ThemeTableModel,
)

EXPORTS = {".csv": "CSV (*.csv)", ".xlsx": "Excel (*.xlsx)", ".docx": "Word (*.docx)"}


def column_choices(session: ProjectSession) -> list[tuple[str, str]]:
    """(label, ``by``) of every way to make the columns, as ``qualbench table --by`` takes them."""
    with session.read() as s:
        doc_attrs = attribute_names(s, scope="document")
        case_attrs = attribute_names(s, scope="case")
    return [
        ("Documents", "document"),
        ("Document kind", "kind"),
        *((f"Documents' {a}", f"document:{a}") for a in doc_attrs),
        ("Participants", "case"),
        *((f"Participants' {a}", f"case:{a}") for a in case_attrs),
    ]


class ThemeTablePanel(QWidget):
    """Options on the left, the table on the right; ``shown`` tells the chart what to draw."""

    shown = Signal(object)  # ThemeSelection
    message = Signal(str)  # for the status line

    def __init__(
        self, session: ProjectSession, start: Starter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        from ui.widgets.report_filters import FiltersPanel, stale_bar

        self.session = session
        self._start = start
        self.table: ThemeTable | None = None
        self._generation = 0  # counts started
        self.counted = 0  # the generation of the table shown
        self.stale = False

        self.by = QComboBox()
        self.measure = QComboBox()
        for m in MEASURES:
            self.measure.addItem(MEASURE_LABELS.get(m, m).capitalize(), m)
        self.percent = QComboBox()
        for key, label in PERCENT_LABELS.items():
            self.percent.addItem(label, key)
        self.rollup = QCheckBox("Count sub-codes in their parents")
        self.filters = FiltersPanel(session, groups=("codes", "coders", "documents", "kinds",
                                                     "attributes", "origins"))  # fmt: skip
        form = QFormLayout()
        form.addRow("Columns:", self.by)
        form.addRow("Cells:", self.measure)
        form.addRow("Show as:", self.percent)
        form.addRow(self.rollup)
        options = QWidget()
        o_layout = QVBoxLayout(options)
        o_layout.setContentsMargins(0, 0, 4, 0)
        o_layout.addLayout(form)
        o_layout.addWidget(self.filters, 1)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter codes by name or path…")
        self.search.setClearButtonEnabled(True)
        self.export_buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(QLabel("Export:"))
        for suffix in EXPORTS:
            button = QPushButton(suffix[1:].upper() + "…")
            button.setToolTip(
                {
                    ".csv": "The cells shown, as a grid (numbers as numbers)",
                    ".xlsx": "One sheet per measure, the shown one first, and an About sheet",
                    ".docx": "A table for a paper, with a note on what the cells count",
                }[suffix]
            )
            button.clicked.connect(lambda checked=False, s=suffix: self.export(s))
            self.export_buttons[suffix] = button
            top.addWidget(button)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.stale_bar = stale_bar(self.compute)

        self.model = ThemeTableModel(self)
        self.proxy = ThemeProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)

        right = QWidget()
        r_layout = QVBoxLayout(right)
        r_layout.setContentsMargins(4, 0, 0, 0)
        r_layout.addLayout(top)
        r_layout.addWidget(self.summary)
        r_layout.addWidget(self.view, 1)
        r_layout.addWidget(self.stale_bar)
        split = QSplitter()
        split.setObjectName("reports-themes-split")
        split.addWidget(options)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([270, 930])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)

        self._fill_by()
        self._timer = QTimer(self)  # options changed: count once they settle
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.compute)
        self.by.currentIndexChanged.connect(lambda _: self._timer.start())
        self.rollup.toggled.connect(lambda _: self._timer.start())
        self.filters.changed.connect(self._timer.start)
        self.measure.currentIndexChanged.connect(lambda _: self._measure_changed())
        self.percent.currentIndexChanged.connect(lambda _: self._measure_changed())
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        session.changed.connect(self._on_changed)
        self._enable_exports()

    # --- options -------------------------------------------------------------------------------
    def _fill_by(self) -> None:
        current = self.by.currentData()
        self.by.blockSignals(True)
        self.by.clear()
        for label, key in column_choices(self.session):
            self.by.addItem(label, key)
        found = self.by.findData(current if current else "document:country")
        self.by.setCurrentIndex(max(found, 0))
        self.by.blockSignals(False)

    def set_options(
        self,
        *,
        by: str | None = None,
        measure: str | None = None,
        show: str | None = None,
        rollup: bool | None = None,
    ) -> None:
        """Choose options as a user would (``show``: "counts", "row" or "column")."""
        if by is not None:
            self.by.setCurrentIndex(self.by.findData(by))
        if measure is not None:
            self.measure.setCurrentIndex(self.measure.findData(measure))
        if show is not None:
            self.percent.setCurrentIndex(0 if show == "counts" else self.percent.findData(show))
        if rollup is not None:
            self.rollup.setChecked(rollup)

    def options(self) -> tuple[str, Filters, bool, str, str | None]:
        """by, filters, roll-up, measure, percent: the arguments of ``qualbench table``."""
        measure = str(self.measure.currentData())
        percent = self.percent.currentData() if measure != "pct_participants" else None
        return (
            str(self.by.currentData()),
            self.filters.filters(),
            self.rollup.isChecked(),
            measure,
            percent,
        )

    def _measure_changed(self) -> None:
        measure = str(self.measure.currentData())
        self.percent.setEnabled(measure != "pct_participants")
        if measure == "words" and self.table is not None and not self.table.words:
            self.compute()  # words are counted only when asked for: they read every text
            return
        self._show()

    # --- counting -------------------------------------------------------------------------------
    def compute(self) -> None:
        """Count the table with the options chosen, in the background."""
        self._timer.stop()
        by, filters, rollup, measure, _ = self.options()
        project = self.session.project
        self._generation += 1
        generation = self._generation

        def work(progress: Progress, cancel: CancelCheck) -> ThemeTable:
            with project.read() as s:
                table = theme_table(
                    s,
                    by=by,
                    filters=filters,
                    rollup=rollup,
                    words=measure == "words",
                    progress=progress,
                    cancel=cancel,
                )
            if cancel():
                raise Cancelled
            return table

        def done(table: ThemeTable) -> None:
            if generation != self._generation:
                return  # the options changed meanwhile: a newer count is on its way
            with self.session.read() as s:
                colours = {cid: colour for cid, (_, colour) in code_colors(s).items()}
            self.table, self.counted = table, generation
            self.stale = False
            self.stale_bar.hide()
            self.model.set_table(table, colours)
            self._show()

        self._start("Counting themes", work, done)

    def up_to_date(self) -> bool:
        """The table shown was counted with the options chosen last."""
        return (
            self.table is not None
            and self.counted == self._generation
            and not self._timer.isActive()
        )

    def _show(self) -> None:
        _, _, _, measure, percent = self.options()
        self.model.set_measure(measure, percent)
        self._enable_exports()
        table = self.table
        if table is None:
            return
        self._fit_columns()
        what = table.describe(measure, percent)
        coders = f"Codings of {', '.join(table.coders)}." if table.coders else "No codings."
        rollup = (
            " Each code includes its sub-codes." if table.rollup else " Sub-codes not included."
        )
        self.summary.setText(
            f"<b>Cells:</b> {html.escape(what)}. {html.escape(coders)}{rollup} "
            f"<span style='color: gray'>{html.escape(self.filters.summary())}</span>"
        )
        self.shown.emit(ThemeSelection(table, measure, percent))

    def _fit_columns(self) -> None:
        """The code column as wide as its names; the numbers in columns of one width, as wide
        as the widest heading if they all fit, else sharing the room (headings then elide)."""
        if not self.model.columnCount():
            return
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        numbers = range(1, self.model.columnCount())
        widest = max((header.sectionSize(c) for c in numbers), default=0)
        room = self.view.viewport().width() - header.sectionSize(0) - 2
        width = min(widest, max(room // max(len(numbers), 1), 64), 160)
        for c in numbers:
            header.resizeSection(c, width)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self._fit_columns)

    def _enable_exports(self) -> None:
        for button in self.export_buttons.values():
            button.setEnabled(self.table is not None)

    def _on_changed(self, changes: Changes) -> None:
        everything = concerns_everything(changes)
        if everything or changes.cases or changes.documents:
            self._fill_by()
        if self.table is not None and (
            everything or changes.codings or changes.codes or changes.cases or changes.documents
        ):
            self.stale = True
            self.stale_bar.show()

    # --- export ---------------------------------------------------------------------------------
    def export(self, suffix: str, path: str | Path | None = None) -> None:
        """Count with the options shown and write CSV, XLSX or DOCX as ``qualbench table --out``
        would: the shown measure first (XLSX: one sheet per measure)."""
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export the theme table", f"themes{suffix}", EXPORTS[suffix]
            )
            if not chosen:
                return
            path = chosen if chosen.lower().endswith(suffix) else chosen + suffix
        from qualbench.exports.tables import write_theme_table

        by, filters, rollup, measure, percent = self.options()
        project = self.session.project
        target = Path(path)

        def work(progress: Progress, cancel: CancelCheck) -> Path:
            with project.read() as s:
                table = theme_table(
                    s,
                    by=by,
                    filters=filters,
                    rollup=rollup,
                    words=measure == "words",
                    progress=progress,
                    cancel=cancel,
                )
                name = project.info().name
            measures = (measure, *(m for m in table.measures if m != measure))
            return write_theme_table(
                table, target, project=name, measures=measures, percent=percent
            )

        self._start(
            "Exporting the theme table",
            work,
            lambda p: self.message.emit(f"Wrote {p} (counts only, no transcript text)"),
        )
