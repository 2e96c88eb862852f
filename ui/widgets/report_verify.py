"""Verify quotes: choose a manuscript, find its quotations in the transcripts in the background
(:func:`qualbench.reports.verify_quotes.verify_manuscript`), list each as exact, altered or not
found with where it is and what differs, and open the passage in the transcript."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qualbench.progress import CancelCheck, Progress
from qualbench.reports.excerpts import format_ms
from qualbench.reports.verify_quotes import (
    ALTERED,
    EXACT,
    MIN_WORDS,
    NOT_FOUND,
    QuoteCheck,
    QuoteReport,
    describe,
    verify_manuscript,
)
from qualbench.services.documents import document_text
from ui.tasks import Starter

MANUSCRIPTS = "Manuscripts (*.docx *.txt *.md);;All files (*)"
# Status tints of the Okabe–Ito green, orange and vermillion; the word says it too.
STATUS_COLOURS = {EXACT: "#cdeee2", ALTERED: "#fde3b0", NOT_FOUND: "#f8cfbf"}
STATUS_TEXT = {EXACT: "exact", ALTERED: "altered", NOT_FOUND: "not found"}
COLUMNS = ["#", "Status", "Quote", "Document", "Speaker, time", "Score"]
CHECK = Qt.ItemDataRole.UserRole  # index of the check in the report, on the first column
SORT = Qt.ItemDataRole.UserRole + 1


class _Item(QTableWidgetItem):
    """Sorts by the number stored under SORT when there is one."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT), other.data(SORT)
        if mine is not None and theirs is not None:
            return bool(mine < theirs)
        return super().__lt__(other)


class VerifyQuotesPanel(QWidget):
    jumpRequested = Signal(int, int, int)  # document id, start, end
    message = Signal(str)

    def __init__(self, session: Any, start: Starter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._start = start
        self.manuscript: Path | None = None
        self.report: QuoteReport | None = None
        self._texts: dict[int, str] = {}  # document texts shown in the details, by id

        self.path_label = QLabel("<i>No manuscript chosen</i>")
        self.path_label.setTextFormat(Qt.TextFormat.RichText)
        choose = QPushButton("Choose manuscript…")
        choose.clicked.connect(lambda: self.choose())
        self.min_words = QSpinBox()
        self.min_words.setRange(1, 50)
        self.min_words.setValue(MIN_WORDS)
        self.min_words.setSuffix(" words")
        self.min_words.setToolTip("Shorter quoted phrases are not taken for participant quotes")
        self.check_button = QPushButton("Check quotes")
        self.check_button.setDefault(True)
        self.check_button.clicked.connect(self.check)
        top = QHBoxLayout()
        top.addWidget(choose)
        top.addWidget(self.path_label, 1)
        top.addWidget(QLabel("Quotes of at least"))
        top.addWidget(self.min_words)
        top.addWidget(self.check_button)

        self.summary = QLabel(
            "Finds the quotations of a paper (.docx, .txt, .md: text in quotation marks and "
            "block quotes) in the transcripts, and says for each whether it is exact, altered "
            "or not found."
        )
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.show_status = QComboBox()
        self.show_status.addItem("All quotes", None)
        for status in (ALTERED, NOT_FOUND, EXACT):
            self.show_status.addItem(f"Only {STATUS_TEXT[status]}", status)
        middle = QHBoxLayout()
        middle.addWidget(self.summary, 1)
        middle.addWidget(self.show_status)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.jump_button = QPushButton("Show in the transcript")
        self.jump_button.setToolTip("Or double-click the quote")
        self.export_button = QPushButton("Export report…")
        self.export_button.setToolTip("CSV or XLSX, one row per quote (contains transcript text)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.jump_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        lower = QWidget()
        l_layout = QVBoxLayout(lower)
        l_layout.setContentsMargins(0, 0, 0, 0)
        l_layout.addWidget(self.details, 1)
        l_layout.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("reports-verify-split")
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(middle)
        layout.addWidget(split, 1)

        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(lambda _: self.jump())
        self.jump_button.clicked.connect(self.jump)
        self.export_button.clicked.connect(lambda: self.export())
        self.show_status.currentIndexChanged.connect(lambda _: self._fill())
        self._enable()

    # --- running -------------------------------------------------------------------------------
    def choose(self, path: str | Path | None = None) -> None:
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "Manuscript", "", MANUSCRIPTS)
            if not chosen:
                return
            path = chosen
        self.manuscript = Path(path)
        self.path_label.setText(f"<b>{html.escape(self.manuscript.name)}</b>")
        self.path_label.setToolTip(str(self.manuscript))
        self._enable()

    def check(self) -> None:
        """Verify the manuscript's quotes against the transcripts in the background."""
        if self.manuscript is None:
            self.choose()
            if self.manuscript is None:
                return
        project, path, min_words = self.session.project, self.manuscript, self.min_words.value()

        def work(progress: Progress, cancel: CancelCheck) -> QuoteReport:
            with project.read() as s:
                return verify_manuscript(
                    s, path, min_words=min_words, progress=progress, cancel=cancel
                )

        self._start("Checking quotes", work, self.show_report)

    def show_report(self, report: QuoteReport) -> None:
        self.report = report
        self._texts.clear()
        counts = {s: report.count(s) for s in (EXACT, ALTERED, NOT_FOUND)}
        if not report.checks:
            text = f"No quotations of {self.min_words.value()} words or more in the manuscript."
        else:
            parts = " ".join(
                f"<span style='background: {STATUS_COLOURS[s]}; color: black'>&nbsp;{n} "
                f"{STATUS_TEXT[s]}&nbsp;</span>"
                for s, n in counts.items()
            )
            text = (
                f"<b>{len(report.checks)} quotes</b>: {parts} <span style='color: gray'>(searched "
                f"{report.documents} documents, {report.words:,} words)</span>"
            )
        self.summary.setText(text)
        self._fill()
        if self.table.rowCount():
            self.table.selectRow(0)
        self._enable()

    # --- the list ------------------------------------------------------------------------------
    def _fill(self) -> None:
        self.table.setSortingEnabled(False)
        self.table.setRowCount(0)
        wanted = self.show_status.currentData()
        checks = [] if self.report is None else self.report.checks
        for i, c in enumerate(checks):
            if wanted is not None and c.status != wanted:
                continue
            row = self.table.rowCount()
            self.table.insertRow(row)
            for col, item in enumerate(self._row_items(i, c)):
                self.table.setItem(row, col, item)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.details.clear()

    def _row_items(self, index: int, c: QuoteCheck) -> list[QTableWidgetItem]:
        found = c.status != NOT_FOUND
        where = ", ".join(x for x in (c.participant or c.speaker, format_ms(c.timestamp_ms)) if x)
        if not where and c.paragraph:
            where = f"¶{c.paragraph}"
        texts = [
            str(c.number),
            STATUS_TEXT.get(c.status, c.status),
            " ".join(c.quote.split()),
            c.document if found else (f"({c.document}?)" if c.document else ""),
            where if found else "",
            f"{c.score:.0f}" if c.document else "",
        ]
        items: list[QTableWidgetItem] = []
        for col, text in enumerate(texts):
            item = _Item(text)
            if col in (0, 5):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setData(SORT, c.number if col == 0 else c.score)
            items.append(item)
        items[0].setData(CHECK, index)
        status = items[1]
        status.setBackground(QBrush(QColor(STATUS_COLOURS.get(c.status, "#eeeeee"))))
        status.setForeground(QBrush(QColor("black")))
        status.setData(SORT, (NOT_FOUND, ALTERED, EXACT).index(c.status))
        items[2].setToolTip(c.quote)
        if not found and c.document:
            items[3].setToolTip("Not found; this is the most similar passage")
        if c.attribution_mismatch:
            items[4].setForeground(QBrush(QColor("#c0392b")))
            items[4].setToolTip(f"The manuscript attributes it to {c.attributed_to}")
        return items

    def current(self) -> QuoteCheck | None:
        row = self.table.currentRow()
        first = self.table.item(row, 0) if row >= 0 else None
        if self.report is None or first is None:
            return None
        return self.report.checks[int(first.data(CHECK))]

    def _selected(self) -> None:
        c = self.current()
        self._enable()
        if c is None:
            self.details.clear()
            return
        self.details.setHtml(details_html(c, self._passage(c)))

    def _passage(self, c: QuoteCheck) -> str:
        """The transcript's words where the quote was found (or the most similar ones)."""
        if c.document_id is None or c.start is None or c.end is None:
            return ""
        text = self._texts.get(c.document_id)
        if text is None:
            with self.session.read() as s:
                text = self._texts[c.document_id] = document_text(s, c.document_id)
        return text[c.start : c.end]

    def jump(self) -> None:
        """Open the passage (or, for a quote not found, the most similar one) in the transcript."""
        c = self.current()
        if c is not None and c.document_id is not None and c.start is not None:
            self.jumpRequested.emit(c.document_id, c.start, c.end if c.end is not None else c.start)

    def _enable(self) -> None:
        c = self.current()
        self.jump_button.setEnabled(c is not None and c.document_id is not None)
        self.export_button.setEnabled(self.report is not None and bool(self.report.checks))
        self.check_button.setEnabled(self.manuscript is not None)

    def export(self, path: str | Path | None = None) -> None:
        if self.report is None:
            return
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export the quote report", "quotes.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
            )
            if not chosen:
                return
            path = chosen
        from qualbench.reports.verify_quotes import write_quote_report

        report, project, target = self.report, self.session.project, Path(path)

        def work(progress: Progress, cancel: CancelCheck) -> Path:
            return write_quote_report(report, target, project=project.info().name)

        self._start(
            "Exporting the quote report",
            work,
            lambda p: self.message.emit(f"Wrote {p} (contains transcript text)"),
        )


def details_html(c: QuoteCheck, passage: str = "") -> str:
    """The quote in full, where it is (with the transcript's words), what differs and the
    notes, for the details pane."""
    colour = STATUS_COLOURS.get(c.status, "#eeeeee")
    head = (
        f"<p><span style='background: {colour}; color: black'>&nbsp;<b>{STATUS_TEXT[c.status]}"
        f"</b>&nbsp;</span> quote {c.number}, manuscript paragraph {c.manuscript_paragraph}"
        + (" (block quote)" if c.block else "")
        + "</p>"
    )
    quote = f"<blockquote>{html.escape(c.quote)}</blockquote>"
    if c.citation:
        quote += f"<p style='color: gray'>Cited as: {html.escape(c.citation)}</p>"
    where = ""
    if c.document:
        place = ", ".join(
            x
            for x in (
                c.participant or c.speaker,
                format_ms(c.timestamp_ms),
                f"paragraph {c.paragraph}" if c.paragraph else "",
            )
            if x
        )
        lead = "Found in" if c.status != NOT_FOUND else "Most similar passage: "
        where = (
            f"<p>{lead} <b>{html.escape(c.document)}</b>"
            + (f", {html.escape(place)}" if place else "")
            + f" (score {c.score:.0f})</p>"
        )
        if passage and c.status != EXACT:
            where += (
                "<p style='color: gray'>The transcript says:</p>"
                f"<blockquote style='color: #555555'>{html.escape(passage)}</blockquote>"
            )
    diffs = ""
    if c.diff and c.status != NOT_FOUND:
        lines = []
        for op in c.diff:
            style = "color: gray" if op.intended else "color: #b03a00"
            lines.append(f"<li style='{style}'>{html.escape(describe(op))}</li>")
        diffs = "<p><b>Differences</b> (grey: intended, marked by the writer)</p><ul>"
        diffs += "".join(lines) + "</ul>"
    notes = "".join(f"<p><i>Note: {html.escape(n)}</i></p>" for n in c.notes)
    return head + quote + where + diffs + notes
