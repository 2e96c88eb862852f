"""Intercoder agreement: choose coders, unit and codes, see every coefficient per code with what
it means, export the table, copy a methods paragraph, and start reconciling the disagreements.

The form is bound to :class:`qualbench.agreement.compute.AgreementOptions`; the numbers come
from the core, computed in the background."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qualbench.agreement import DEFAULT_SEED, MINIMUMS
from qualbench.agreement.compute import COEFFICIENTS, AgreementOptions, AgreementReport, agreement
from qualbench.agreement.continuum import UnitizedReport, unitized_agreement
from qualbench.agreement.stats import Result
from qualbench.agreement.text import methods_paragraph, unitized_paragraph, value_text
from qualbench.changes import Changes
from qualbench.progress import CancelCheck, Progress
from qualbench.services.codes import code_tree
from qualbench.workspace import coder_counts
from ui.session import ProjectSession, concerns_everything
from ui.tasks import Starter
from ui.widgets import unitized_view

SPANS = "spans"  # not a unit: Krippendorff's unitized alphas on the coders' spans
UNIT_LABELS = {
    "sentence": "Sentence",
    "paragraph": "Paragraph",
    "turn": "Speaker turn",
    "document": "Whole document",
    "character": "Character",
    SPANS: "Spans on the text (unitized α)",
}
SHORT = {
    "percent": "% agreement",
    "cohen": "Cohen's κ",
    "scott": "Scott's π",
    "fleiss": "Fleiss' κ",
    "alpha": "Krippendorff's α",
    "bp": "Brennan–Prediger κ",
    "ac1": "Gwet's AC1",
}
GREY = QBrush(QColor("#888888"))


def _cell(result: Result, *, percent: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(value_text(result, percent=percent))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if result.value is None:
        item.setForeground(GREY)
        font = item.font()
        font.setItalic(True)
        item.setFont(font)
        item.setToolTip(f"Undefined: {result.undefined}")
    else:
        parts = [f"based on {result.n:,.0f} units" if result.n else ""]
        parts += [f"{k} = {v:.4g}" for k, v in result.detail.items()]
        item.setToolTip(", ".join(p for p in parts if p))
        item.setData(Qt.ItemDataRole.UserRole, result.value)
    return item


def _number(value: float) -> QTableWidgetItem:
    item = QTableWidgetItem(f"{value:,.0f}")
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class AgreementDialog(QDialog):
    """Non-modal: the lead keeps coding or reconciling while it is open."""

    reconcileRequested = Signal(object)  # AgreementOptions

    def __init__(
        self, session: ProjectSession, start: Starter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._start = start
        self.report: AgreementReport | None = None
        self.unitized: UnitizedReport | None = None
        self.setWindowTitle("Intercoder agreement")
        self.resize(1180, 720)

        self.coders = QListWidget()
        self.coders.setMaximumHeight(130)
        self.unit = QComboBox()
        for key, label in UNIT_LABELS.items():
            self.unit.addItem(label, key)
        self.codes_choice = QComboBox()
        self.codes_choice.addItem("Every code the coders used", "all")
        self.codes_choice.addItem("Only the codes ticked below", "ticked")
        self.codes = QListWidget()
        self.domain = QCheckBox("The ticked codes are mutually exclusive (one variable, a domain)")
        self.uncoded = QComboBox()
        self.uncoded.addItem("a value of its own, “(none)”", "category")
        self.uncoded.addItem("missing data (not judged)", "missing")
        self.overlap = QDoubleSpinBox()
        self.overlap.setRange(10, 100)
        self.overlap.setSuffix(" %")
        self.overlap.setValue(90)
        self.overlap.setDecimals(0)
        self.include_auto = QCheckBox("Count auto-coded codings too")
        self.resamples = QSpinBox()
        self.resamples.setRange(0, 100_000)
        self.resamples.setSingleStep(500)
        self.resamples.setValue(1000)
        self.resamples.setSpecialValueText("none")
        self.resamples.setToolTip(
            "Bootstrap resamples for the intervals of alpha (documents drawn with replacement); "
            f"seeded ({DEFAULT_SEED}), so the same data give the same interval"
        )
        self.minimums = QLineEdit(", ".join(f"{m:g}" for m in MINIMUMS))
        self.minimums.setToolTip(
            "The chance that alpha falls below each of these is reported (Krippendorff's "
            "customary minimums: 0.667 for tentative conclusions, 0.8 for reliable data)"
        )
        self.problems = QLabel()
        self.problems.setStyleSheet("color: #c0392b")
        self.problems.setWordWrap(True)
        self.compute_button = QPushButton("Compute")
        self.compute_button.setDefault(True)

        form = QFormLayout()
        form.addRow("Coders:", self.coders)
        form.addRow("Unit of analysis:", self.unit)
        form.addRow("Codes:", self.codes_choice)
        form.addRow(self.codes)
        form.addRow(self.domain)
        form.addRow("In a domain, uncoded text is:", self.uncoded)
        form.addRow("Segments match when they overlap by:", self.overlap)
        form.addRow(self.include_auto)
        form.addRow("Bootstrap resamples:", self.resamples)
        form.addRow("Minimum alpha to reach:", self.minimums)
        options = QGroupBox("What to compare")
        box = QVBoxLayout(options)
        box.addLayout(form)
        box.addWidget(self.problems)
        box.addWidget(self.compute_button)

        self.summary = QLabel("Choose two or more coders and press Compute.")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideLeft)  # "… > Housing": the leaf shows
        self.confusion = QTableWidget()
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion_label = QLabel()
        confusion_page = QWidget()
        c_layout = QVBoxLayout(confusion_page)
        c_layout.addWidget(self.confusion_label)
        c_layout.addWidget(self.confusion, 1)
        self.methods = QTextBrowser()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "Per code")
        self.tabs.addTab(confusion_page, "Confusion table")
        self.tabs.addTab(self.methods, "Methods and notes")
        self.copy_button = QPushButton("Copy methods paragraph")
        self.export_button = QPushButton("Export…")
        self.reconcile_button = QPushButton("Reconcile the disagreements…")
        for b in (self.copy_button, self.export_button, self.reconcile_button):
            b.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reconcile_button)
        right = QWidget()
        r_layout = QVBoxLayout(right)
        r_layout.setContentsMargins(0, 0, 0, 0)
        r_layout.addWidget(self.summary)
        r_layout.addWidget(self.tabs, 1)
        r_layout.addLayout(buttons)

        split = QSplitter()
        split.setObjectName("agreement-split")
        split.addWidget(options)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([330, 850])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self._fill()
        for signal in (
            self.coders.itemChanged,
            self.codes.itemChanged,
            self.unit.currentIndexChanged,
            self.codes_choice.currentIndexChanged,
            self.domain.toggled,
            self.uncoded.currentIndexChanged,
            self.overlap.valueChanged,
            self.resamples.valueChanged,
            self.minimums.textChanged,
        ):
            signal.connect(self._validate)
        self.compute_button.clicked.connect(self.compute)
        self.table.itemSelectionChanged.connect(self._show_confusion)
        self.copy_button.clicked.connect(self._copy_methods)
        self.export_button.clicked.connect(self.export)
        self.reconcile_button.clicked.connect(lambda: self.reconcileRequested.emit(self.options()))
        session.changed.connect(self._on_changed)
        self._validate()

    # --- the form -----------------------------------------------------------------------------
    def _fill(self) -> None:
        """Coders and codes as the project has them now, keeping what was ticked."""
        coders, codes = self._checked(self.coders), self._checked(self.codes)
        with self.session.read() as s:
            people = coder_counts(s)
            nodes = code_tree(s)
        self.coders.blockSignals(True)
        self.codes.blockSignals(True)
        self.coders.clear()
        for coder_id, name, n in people:
            item = QListWidgetItem(f"{name}  ({n} codings)")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole + 1, coder_id)
            self.coders.addItem(item)
        self.codes.clear()
        for node in nodes:
            item = QListWidgetItem(node.path)
            item.setData(Qt.ItemDataRole.UserRole, node.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.codes.addItem(item)
        self.select_coders(coders)
        for i in range(self.codes.count()):
            if self.codes.item(i).data(Qt.ItemDataRole.UserRole) in codes:
                self.codes.item(i).setCheckState(Qt.CheckState.Checked)
        self.coders.blockSignals(False)
        self.codes.blockSignals(False)

    def _on_changed(self, changes: Changes) -> None:
        if concerns_everything(changes) or changes.coders or changes.codes:
            self._fill()
            self._validate()

    def select_coders(self, names: list[str]) -> None:
        for i in range(self.coders.count()):
            item = self.coders.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def tick_codes(self, ids: list[int]) -> None:
        for i in range(self.codes.count()):
            item = self.codes.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        if ids:
            self.codes_choice.setCurrentIndex(1)

    def _checked(self, widget: QListWidget) -> list[Any]:
        return [
            widget.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        ]

    def options(self) -> AgreementOptions:
        ticked = (
            tuple(int(c) for c in self._checked(self.codes))
            if self.codes_choice.currentData() == "ticked"
            else ()
        )
        unit = str(self.unit.currentData())
        return AgreementOptions(
            coders=tuple(self._checked(self.coders)),
            code_ids=ticked,
            domain=ticked if self.domain.isChecked() else (),
            unit="sentence" if unit == SPANS else unit,  # spans have no unit
            uncoded=str(self.uncoded.currentData()),
            origins=("manual", "imported", "auto")
            if self.include_auto.isChecked()
            else ("manual", "imported"),
            overlap=self.overlap.value() / 100,
            resamples=self.resamples.value(),
            minimums=self._minimums() or MINIMUMS,
        )

    def _minimums(self) -> tuple[float, ...] | None:
        """The minimums typed, or None when the text is not a list of numbers."""
        try:
            return tuple(
                float(x) for x in self.minimums.text().replace(";", ",").split(",") if x.strip()
            )
        except ValueError:
            return None

    def spans(self) -> bool:
        return bool(self.unit.currentData() == SPANS)

    def _validate(self) -> None:
        ticked = self.codes_choice.currentData() == "ticked"
        self.codes.setEnabled(ticked)
        self.domain.setEnabled(ticked)
        self.uncoded.setEnabled(ticked and self.domain.isChecked())
        problems = self.options().problems()
        if self._minimums() is None:
            problems.append("type the minimum alphas as numbers, e.g. 0.667, 0.8")
        self.overlap.setEnabled(not self.spans())
        if ticked and not self._checked(self.codes):
            problems.append("tick the codes to compare")
        self.problems.setText("; ".join(problems).capitalize())
        self.problems.setVisible(bool(problems))
        self.compute_button.setEnabled(not problems)

    # --- results ------------------------------------------------------------------------------
    def compute(self) -> None:
        options = self.options()
        project = self.session.project
        if self.spans():

            def spans(progress: Progress, cancel: CancelCheck) -> UnitizedReport:
                with project.read() as s:
                    return unitized_agreement(s, options, progress=progress, cancel=cancel)

            self._start("Computing unitized agreement", spans, self.show_unitized)
            return

        def work(progress: Progress, cancel: CancelCheck) -> AgreementReport:
            with project.read() as s:
                return agreement(s, options, progress=progress, cancel=cancel)

        self._start("Computing agreement", work, self.show_report)

    def show_unitized(self, report: UnitizedReport) -> None:
        self.report, self.unitized = None, report
        unitized_view.fill(self.table, report)
        left = (
            f"; {len(report.documents_left_out)} left out (not coded by every coder)"
            if report.documents_left_out
            else ""
        )
        self.summary.setText(
            f"<b>{html.escape(', '.join(report.coders))}</b> on the spans themselves "
            f"(Krippendorff's unitized α): {report.length:,} characters in "
            f"{len(report.documents)} documents{html.escape(left)}. "
            "<span style='color:gray'>Hover a value for its parts and interval; undefined "
            "values say why.</span>"
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in report.notes)
        self.methods.setHtml(
            f"<h3>Methods paragraph</h3><p>{html.escape(unitized_paragraph(report))}</p>"
            f"<h3>How these numbers were counted</h3><ul>{notes}</ul>"
        )
        self.confusion.clear()
        self.confusion.setRowCount(0)
        self.confusion.setColumnCount(0)
        self.confusion_label.setText(
            "Confusion tables compare units; the unitized alphas compare spans directly."
        )
        for b in (self.copy_button, self.export_button):
            b.setEnabled(True)
        self.reconcile_button.setEnabled(False)

    def show_report(self, report: AgreementReport) -> None:
        self.report, self.unitized = report, None
        keys = [k for k in COEFFICIENTS if k in report.overall]
        coders = report.coders
        boot = bool(report.options.resamples) and report.options.intervals

        def values(results: dict[str, Result], intervals: dict[str, Any]) -> list[QTableWidgetItem]:
            cells = []
            for k in keys:
                cell = _cell(results[k], percent=k == "percent")
                if k in intervals and results[k].value is not None:
                    tip = unitized_view.interval_tip(intervals[k])
                    cell.setToolTip(cell.toolTip() + "\n" + tip)
                cells.append(cell)
            if boot:
                cells.append(unitized_view.interval_item(intervals.get("alpha_boot")))
            return cells

        header = [
            "Code",
            *(f"{c} (units)" for c in coders),
            *(SHORT[k] for k in keys),
            *([f"α {report.options.level:.0%} CI"] if boot else []),
            "Segments matched",
        ]
        self.table.clear()
        self.table.setColumnCount(len(header))
        self.table.setHorizontalHeaderLabels(header)
        for col, key in enumerate(keys, start=1 + len(coders)):
            head = self.table.horizontalHeaderItem(col)
            if head is not None:
                head.setToolTip(f"{COEFFICIENTS[key]}. Chance model: {_chance(key)}")
        segments = {x.code_id: x for x in report.segments}
        rows: list[list[QTableWidgetItem]] = []
        for r in report.per_code:
            name = QTableWidgetItem(r.path)
            name.setData(Qt.ItemDataRole.UserRole, r.code_id)
            seg = segments[r.code_id]
            rows.append(
                [
                    name,
                    *(_number(r.coded.get(c, 0)) for c in coders),
                    *values(r.coefficients, r.intervals),
                    _cell(seg.percent, percent=True),
                ]
            )
        bold = QFont()
        bold.setBold(True)
        pooled = [QTableWidgetItem("All codes (pooled)"), *(QTableWidgetItem("") for _ in coders)]
        pooled += [*values(report.overall, report.overall_intervals), QTableWidgetItem("")]
        rows.append(pooled)
        if report.domain:
            domain = [QTableWidgetItem("Domain: " + ", ".join(report.domain_categories))]
            domain += [QTableWidgetItem("") for _ in coders]
            missing = Result(None, "not computed for a domain")
            domain += [
                *values({k: report.domain.get(k, missing) for k in keys}, report.domain_intervals),
                QTableWidgetItem(""),
            ]
            rows.append(domain)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, item in enumerate(row):
                if i >= len(report.per_code):
                    item.setFont(bold)
                self.table.setItem(i, j, item)
        heading = self.table.horizontalHeader()
        for j in range(1, len(header)):
            heading.setSectionResizeMode(j, QHeaderView.ResizeMode.ResizeToContents)
        heading.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        metrics = self.table.fontMetrics()
        widest = max((metrics.horizontalAdvance(r.path) for r in report.per_code), default=120)
        self.table.setColumnWidth(0, min(widest + 16, 300))
        for i, r in enumerate(report.per_code):
            cell = self.table.item(i, 0)
            if cell is not None:
                cell.setToolTip(r.path)
        left = (
            f"; {len(report.documents_left_out)} left out (not coded by every coder)"
            if report.documents_left_out
            else ""
        )
        self.summary.setText(
            f"<b>{html.escape(', '.join(coders))}</b> on <b>{html.escape(report.unit_description)}</b>: "
            f"{report.total:,.0f} per code in {len(report.documents)} documents{html.escape(left)}; "
            f"{len(report.disagreements):,} disagreements. "
            "<span style='color:gray'>Hover a value for its parts; undefined values say why.</span>"
        )
        paragraph = methods_paragraph(report)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in report.notes)
        self.methods.setHtml(
            f"<h3>Methods paragraph</h3><p>{html.escape(paragraph)}</p>"
            f"<h3>How these numbers were counted</h3><ul>{notes}</ul>"
        )
        for b in (self.copy_button, self.export_button):
            b.setEnabled(True)
        self.reconcile_button.setEnabled(bool(report.disagreements))
        if report.per_code:
            self.table.selectRow(0)
        self._show_confusion()

    def _show_confusion(self) -> None:
        report = self.report
        self.confusion.clear()
        if report is None:
            return
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        row = rows[0].row() if rows else 0
        if len(report.coders) != 2:
            self.confusion_label.setText(
                "Confusion tables compare two coders; choose two to see them."
            )
            self.confusion.setRowCount(0)
            self.confusion.setColumnCount(0)
            return
        a, b = report.coders
        if row < len(report.per_code) and report.per_code[row].confusion:
            r = report.per_code[row]
            labels = ["absent", "present"]
            matrix = r.confusion or []
            title = r.path
        elif report.domain_confusion:
            labels = report.domain_categories
            matrix = report.domain_confusion
            title = "the domain"
        else:
            self.confusion_label.setText("Select a code to see its confusion table.")
            return
        self.confusion_label.setText(
            f"{title}: rows are {a}'s judgements, columns {b}'s ({report.unit_description})."
        )
        self.confusion.setRowCount(len(labels))
        self.confusion.setColumnCount(len(labels))
        self.confusion.setHorizontalHeaderLabels([f"{b}: {x}" for x in labels])
        self.confusion.setVerticalHeaderLabels([f"{a}: {x}" for x in labels])
        for i, line in enumerate(matrix):
            for j, v in enumerate(line):
                item = _number(v)
                if i == j:
                    item.setBackground(QBrush(QColor("#e3f1e3")))
                self.confusion.setItem(i, j, item)
        self.confusion.resizeColumnsToContents()

    def _copy_methods(self) -> None:
        if self.unitized is not None:
            QGuiApplication.clipboard().setText(unitized_paragraph(self.unitized))
        elif self.report is not None:
            QGuiApplication.clipboard().setText(methods_paragraph(self.report))

    def export(self) -> None:
        if self.report is None and self.unitized is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export agreement", "agreement.xlsx", "Excel (*.xlsx);;CSV (*.csv);;JSON (*.json)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        from qualbench.exports.agreement import write_agreement, write_unitized

        report, unitized = self.report, self.unitized
        project = self.session.project

        def work(progress: Progress, cancel: CancelCheck) -> str:
            if unitized is not None:
                write_unitized(unitized, path, project=project.info().name)
            else:
                assert report is not None
                write_agreement(report, path, project=project.info().name)
            return path

        self._start(
            "Exporting agreement", work, lambda p: self.summary.setText(f"Wrote {html.escape(p)}")
        )


def _chance(key: str) -> str:
    from qualbench.agreement.compute import CHANCE

    return CHANCE[key]
