"""Coded excerpts of chosen codes (and coders, documents, attribute values) to DOCX, XLSX, CSV,
HTML or Markdown, each with its reference line, as ``qualbench excerpts``. The excerpts the
ticks choose are previewed; querying and writing run in the background."""

from __future__ import annotations

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
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qualbench.exports.excerpts import FORMATS, write_excerpts
from qualbench.progress import CancelCheck, Cancelled, Progress
from qualbench.reports import Excerpt, excerpts
from ui.session import ProjectSession
from ui.tasks import Starter
from ui.widgets.report_filters import FiltersPanel

FORMAT_LABELS = {
    ".docx": "Word (.docx): a heading per code, each quote with its reference",
    ".xlsx": "Excel (.xlsx): one row per excerpt",
    ".csv": "CSV (.csv): one row per excerpt",
    ".html": "Web page (.html)",
    ".md": "Markdown (.md)",
}
PREVIEW_ROWS = 500
PREVIEW_COLUMNS = ["Code", "Document", "Speaker", "Coder", "Excerpt"]


class ExcerptsPanel(QWidget):
    message = Signal(str)
    exported = Signal(object)  # (path, number of excerpts)

    def __init__(
        self, session: ProjectSession, start: Starter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._start = start
        self.count: int | None = None  # excerpts the ticks choose, once previewed
        self._generation = 0
        self.filters = FiltersPanel(session, expanded=("codes",), title="Which excerpts")
        self.format = QComboBox()
        for suffix in [*(f for f in FORMAT_LABELS if f in FORMATS), *FORMATS]:
            if self.format.findData(suffix) < 0:
                self.format.addItem(FORMAT_LABELS.get(suffix, suffix), suffix)
        self.pseudonyms = QCheckBox("Replace names with pseudonyms (speakers and the name list)")
        self.citations = QCheckBox("Cite each quote with the project's citation template")
        self.export_button = QPushButton("Export excerpts…")
        self.export_button.setDefault(True)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel(
            "Tick codes to export their excerpts (a code brings its sub-codes; nothing ticked: "
            "every code). The file holds transcript text: handle it as confidential data."
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Format:", self.format)
        form.addRow(self.pseudonyms)
        form.addRow(self.citations)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result, 1)
        buttons.addWidget(self.export_button)
        self.preview_label = QLabel()
        self.preview = QTableWidget(0, len(PREVIEW_COLUMNS))
        self.preview.setHorizontalHeaderLabels(PREVIEW_COLUMNS)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.preview.verticalHeader().hide()
        self.preview.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.preview.setWordWrap(False)
        self.preview.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.preview.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        right = QWidget()
        r_layout = QVBoxLayout(right)
        r_layout.setContentsMargins(4, 0, 0, 0)
        r_layout.addWidget(note)
        r_layout.addLayout(form)
        r_layout.addLayout(buttons)
        r_layout.addWidget(self.preview_label)
        r_layout.addWidget(self.preview, 1)
        split = QSplitter()
        split.setObjectName("reports-excerpts-split")
        split.addWidget(self.filters)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([340, 860])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh_preview)
        self.filters.changed.connect(self._timer.start)
        self.export_button.clicked.connect(lambda: self.export())

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.count is None:
            self.refresh_preview()

    # --- preview -------------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """List the excerpts the ticks choose (the first PREVIEW_ROWS), in the background."""
        self._timer.stop()
        filters, project = self.filters.filters(), self.session.project
        self._generation += 1
        generation = self._generation

        def work(progress: Progress, cancel: CancelCheck) -> list[Excerpt]:
            with project.read() as s:
                items = excerpts(s, filters=filters)
            if cancel():
                raise Cancelled
            return items

        def done(items: list[Excerpt]) -> None:
            if generation == self._generation:
                self._show_preview(items)

        self._start("Finding excerpts", work, done)

    def _show_preview(self, items: list[Excerpt]) -> None:
        self.count = len(items)
        codes = len({e.code_id for e in items})
        shown = "" if len(items) <= PREVIEW_ROWS else f" (the first {PREVIEW_ROWS} shown)"
        self.preview_label.setText(
            f"<b>{len(items):,} excerpt{'s' if len(items) != 1 else ''}</b> of {codes} "
            f"code{'s' if codes != 1 else ''}{shown}"
            if items
            else "<b>No excerpts</b> match these ticks."
        )
        self.preview.setRowCount(0)
        self.preview.setRowCount(min(len(items), PREVIEW_ROWS))
        for row, e in enumerate(items[:PREVIEW_ROWS]):
            speaker = e.participant or e.speaker
            for col, text in enumerate(
                (e.code_path, e.document, speaker, e.coder, " ".join(e.text.split())[:300])
            ):
                item = QTableWidgetItem(text)
                if col == 4:
                    item.setToolTip(e.text[:2000])
                self.preview.setItem(row, col, item)
        self.preview.resizeColumnsToContents()
        header = self.preview.horizontalHeader()
        for col, most in ((0, 260), (1, 200), (2, 160), (3, 120)):
            header.resizeSection(col, min(header.sectionSize(col), most))
        self.export_button.setEnabled(bool(items))

    # --- export --------------------------------------------------------------------------------
    def export(self, path: str | Path | None = None) -> None:
        """Query the excerpts the ticks choose and write them, in the background."""
        suffix = str(self.format.currentData())
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export coded excerpts", f"excerpts{suffix}", f"*{suffix}"
            )
            if not chosen:
                return
            path = chosen if chosen.lower().endswith(suffix) else chosen + suffix
        filters, project, target = self.filters.filters(), self.session.project, Path(path)
        pseudonymise, cite = self.pseudonyms.isChecked(), self.citations.isChecked()

        def work(progress: Progress, cancel: CancelCheck) -> tuple[Path, int]:
            extra: dict[str, Any] = {}
            with project.read() as s:
                items = excerpts(s, filters=filters)
                name = project.info().name
                if pseudonymise:
                    from qualbench.pseudonyms import project_pseudonymiser

                    extra["pseudonymiser"] = project_pseudonymiser(s)
                if cite:
                    from qualbench.quotes import citation

                    extra["citation"] = citation(s)
            written = write_excerpts(
                items, target, project=name, progress=progress, cancel=cancel, **extra
            )
            return written, len(items)

        def done(result: tuple[Path, int]) -> None:
            written, n = result
            names = "; names pseudonymised" if pseudonymise else ""
            text = f"Wrote {n} excerpts to {written} (contains transcript text{names})."
            self.result.setText(text)
            self.message.emit(text)
            self.exported.emit(result)

        self._start("Exporting excerpts", work, done)
