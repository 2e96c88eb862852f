"""The REFI-QDA dialogs: export options (file and position profile) and the data-loss report of
an import or export (REFI-QDA 1.5, section 7), which is also the preview of an import.

Both bind to the core's Qt-free state: :class:`~qualbench.refi.ExportOptions` (with its
``problems()``) and :class:`~qualbench.refi.RefiReport`. What was not carried over comes first
and stands out; then what was carried over, how positions were counted, and the notes."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # the REFI core loads when it is first used, not when the app starts
    from qualbench.refi import ExportOptions, RefiReport

LOSS = "#c0392b"
FINE = "#2e7d32"

# Position profiles of qualbench.refi.PROFILES as the export dialog shows them: (label, one line).
PROFILE_TEXT = {
    "standard": (
        "Standard REFI-QDA 1.5 (QualCoder, Taguette and others)",
        "Positions in Unicode code points, LF line breaks.",
    ),
    "nvivo": (
        "NVivo",
        "Positions in UTF-16 code units (an emoji counts two), CR LF line breaks counted as two.",
    ),
    "maxqda": (
        "MAXQDA",
        "Positions in Unicode code points, CR LF line breaks counted as two.",
    ),
    "atlas": (
        "ATLAS.ti",
        "Positions in Unicode code points, CR LF line breaks counted as one.",
    ),
}


def show_failure(parent: QWidget | None, title: str, headline: str, detail: str) -> QMessageBox:
    """One clear message (never a traceback), without blocking: the caller keeps working."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setText(headline)
    box.setInformativeText(detail)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def report_text(report: RefiReport) -> str:
    """The report as plain text (Copy, Save as .txt): the core's summary lines."""
    return "\n".join(report.summary()) + "\n"


class RefiExportDialog(QDialog):
    """Choose the file and, for a project, the position profile of the receiving tool."""

    exportRequested = Signal(object)  # the ExportOptions

    def __init__(self, options: ExportOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.options = options
        self.setWindowTitle("Export REFI-QDA project")
        intro = QLabel(
            "Writes documents, codes, codings with their coders, participants, attributes and "
            "memos as a <b>.qdpx</b> that NVivo, ATLAS.ti, MAXQDA, QualCoder and other tools "
            "import. The tools count positions in the text differently: choose the one that "
            "will open the file. A report of anything not carried over follows."
        )
        intro.setWordWrap(True)
        self.path = QLineEdit(str(options.path or ""))
        self.path.textChanged.connect(self._path_edited)
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(QLabel("File:"))
        row.addWidget(self.path, 1)
        row.addWidget(choose)

        self.profiles = QButtonGroup(self)
        self.profile_box = QFrame()
        choices = QVBoxLayout(self.profile_box)
        choices.setContentsMargins(0, 2, 0, 2)
        choices.setSpacing(6)
        for n, (name, (label, line)) in enumerate(PROFILE_TEXT.items()):
            radio = QRadioButton(label)
            radio.setProperty("profile", name)
            radio.setChecked(name == options.profile)
            self.profiles.addButton(radio, n)
            explain = QLabel(line)
            explain.setWordWrap(True)
            explain.setContentsMargins(radio.iconSize().width() + 10, 0, 0, 0)
            one = QVBoxLayout()
            one.setSpacing(0)
            one.addWidget(radio)
            one.addWidget(explain)
            choices.addLayout(one)
        self.profiles.buttonToggled.connect(self._profile_toggled)

        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(f"color: {LOSS}")
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self._export)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.problems, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        heading = QLabel("<b>Receiving tool</b>")
        layout.addWidget(heading)
        layout.addWidget(self.profile_box)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(640)
        self.adjustSize()
        self._update()

    def set_profile(self, name: str) -> None:
        for button in self.profiles.buttons():
            if button.property("profile") == name:
                button.setChecked(True)

    def export_to(self, path: str | Path) -> None:
        """Export to ``path`` with the chosen profile (what the Export button does)."""
        self.path.setText(str(path))
        self._export()

    def _choose(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export REFI-QDA project", self.path.text(), "REFI-QDA project (*.qdpx)"
        )
        if path:
            self.path.setText(path if path.lower().endswith(".qdpx") else path + ".qdpx")

    def _path_edited(self, text: str) -> None:
        self.options.path = Path(text).expanduser() if text.strip() else None
        self._update()

    def _profile_toggled(self, button: QRadioButton, checked: bool) -> None:
        if checked:
            self.options.profile = str(button.property("profile"))
            self._update()

    def _update(self) -> None:
        problems = self.options.problems()
        text = "; ".join(problems)
        self.problems.setText(text[:1].upper() + text[1:])
        self.export_button.setEnabled(not problems)
        self.profile_box.setEnabled(not self.options.codebook_only)

    def _export(self) -> None:
        if self.options.problems():
            self._update()
            return
        self.exportRequested.emit(self.options)
        self.accept()


class RefiReportDialog(QDialog):
    """What an import or export carried over, matched and lost; as a preview, with Import."""

    importRequested = Signal()
    externalFilesToggled = Signal(bool)  # preview again, reading (or not) linked outside files

    def __init__(
        self,
        report: RefiReport,
        parent: QWidget | None = None,
        *,
        preview: bool = False,
        status: str = "",
    ) -> None:
        super().__init__(parent)
        self.report = report
        self.preview = preview
        self.busy = False  # an import or a new preview is running: the dialog stays open
        self.resize(820, 540)

        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.loss_frame = QFrame()
        self.loss_frame.setObjectName("losses")
        self.loss_frame.setStyleSheet(
            f"QFrame#losses {{ border: 1px solid {LOSS}; border-left-width: 5px; }}"
        )
        self.loss_title = QLabel()
        self.losses = _table(["What", "Count", "Why"])
        self.losses.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.losses.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        inner = QVBoxLayout(self.loss_frame)
        inner.addWidget(self.loss_title)
        inner.addWidget(self.losses, 1)
        self.lossless = QLabel()

        self.carried_title = QLabel()
        self.carried = _table(["What", "Added", "Matched"])
        for column in (1, 2):
            self.carried.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.carried.horizontalHeader().setStretchLastSection(False)
        self.carried.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.notes = QTextBrowser()
        self.notes.setOpenLinks(False)
        lower = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.carried_title)
        left.addWidget(self.carried, 1)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Positions and notes</b>"))
        right.addWidget(self.notes, 1)
        lower.addLayout(left, 1)
        lower.addLayout(right, 1)

        self.external = QCheckBox("Allow external files (sources it links to outside itself)")
        self.external.setToolTip(
            "Sources stored beside the .qdpx (relative://) or elsewhere on this computer "
            "(absolute://). Off by default: the file chooses the paths."
        )
        self.external.toggled.connect(self.externalFilesToggled)
        copy = QPushButton("Copy")
        copy.setToolTip("Copy the report as text")
        copy.clicked.connect(self.copy)
        save = QPushButton("Save as…")
        save.setToolTip("Save the report as text or JSON")
        save.clicked.connect(self.save)
        self.import_button = QPushButton("Import")
        self.import_button.clicked.connect(self.importRequested)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.external)
        buttons.addStretch(1)
        buttons.addWidget(copy)
        buttons.addWidget(save)
        buttons.addSpacing(16)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.import_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.loss_frame)
        layout.addWidget(self.lossless)
        layout.addLayout(lower, 1)
        layout.addLayout(buttons)
        # Wrapped "why" lines take their height once the columns have their widths.
        self.losses.horizontalHeader().sectionResized.connect(lambda *_: self._fit_rows())
        self.show_report(report, preview=preview, status=status)

    # --- content -----------------------------------------------------------------------------
    def show_report(self, report: RefiReport, *, preview: bool = False, status: str = "") -> None:
        """Show ``report``; ``preview`` for a dry run, with Import and Cancel; ``status`` says
        what happened to the project (by default: nothing yet, or it now holds the import)."""
        self.report, self.preview = report, preview
        name = Path(report.file).name
        importing = report.direction == "import"
        done = "Import preview" if preview else "Imported" if importing else "Exported"
        title = f"{done}: {name}" if preview else f"{done} {name}"
        self.setWindowTitle(f"REFI-QDA: {title}")
        by = f"Written by {html.escape(report.origin)}. " if report.origin else ""
        status = (
            html.escape(status)
            if status
            else (
                "<b>Nothing has been imported yet.</b> This is what importing would do; press "
                "Import to go ahead."
                if preview
                else ("The project now holds what is listed below." if importing else "")
            )
        )
        self.header.setText(
            f"<h3 style='margin:0'>{html.escape(title)}</h3>"
            f"<div>{html.escape(report.file)}</div><p>{by}{status}</p>"
        )

        lost = report.lost
        total = sum(x.count for x in lost)
        self.loss_frame.setVisible(bool(lost))
        self.lossless.setVisible(not lost)
        if not importing:
            book = Path(report.file).suffix.lower() == ".qdc"
            whole = f"the whole {'codebook' if book else 'project'} was written to the file."
        else:
            whole = f"everything in the file {'would be' if preview else 'was'} carried over."
        self.lossless.setText(
            f"<span style='color:{FINE}'>✔ <b>Nothing was left out</b></span>: {whole}"
        )
        were = "would be" if preview else "was" if total == 1 else "were"
        self.loss_title.setText(
            f"<span style='color:{LOSS}'><b>⚠ Not carried over</b></span>: "
            f"{_plural(total, 'item')} of {_plural(len(lost), 'kind')} {were} left out."
        )
        self.losses.setRowCount(len(lost))
        for row, loss in enumerate(lost):
            self.losses.setItem(row, 0, QTableWidgetItem(loss.what))
            self.losses.setItem(row, 1, _number(loss.count))
            self.losses.setItem(row, 2, QTableWidgetItem(loss.why))

        head = "Would be added" if preview else ("Added" if importing else "Written")
        self.carried_title.setText(
            "<b>Carried over</b>" + ("" if report.carried else ": nothing new")
        )
        self.carried.setHorizontalHeaderLabels(["What", head, "Matched"])
        matched = self.carried.horizontalHeaderItem(2)
        matched.setToolTip("Already in the project: matched, not added a second time")
        self.carried.setColumnHidden(2, not report.matched)
        kinds = list(report.carried) + [k for k in report.matched if k not in report.carried]
        self.carried.setRowCount(len(kinds))
        for row, kind in enumerate(kinds):
            self.carried.setItem(row, 0, QTableWidgetItem(kind))
            self.carried.setItem(row, 1, _number(report.carried.get(kind, 0)))
            self.carried.setItem(row, 2, _number(report.matched.get(kind, 0)))
        if report.matched:
            self.carried_title.setText(
                self.carried_title.text() + " (matched: already in the project, not added again)"
            )

        positions = report.positions.removeprefix("positions: ").removeprefix("positions ")
        parts = []
        if positions:
            parts.append(f"<p><b>Positions:</b> {html.escape(positions)}</p>")
        if report.notes:
            parts.append(
                "<ul style='margin-left:-20px'>"
                + "".join(f"<li>{html.escape(n)}</li>" for n in report.notes)
                + "</ul>"
            )
        self.notes.setHtml("".join(parts) or "<i>No notes.</i>")

        self.import_button.setVisible(preview)
        self.import_button.setDefault(preview)
        self.external.setVisible(preview)
        self.close_button.setText("Cancel" if preview else "Close")
        self.close_button.setDefault(not preview)
        self._fit_rows()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.import_button, self.external, self.close_button):
            widget.setEnabled(not busy)

    def reject(self) -> None:
        if not self.busy:  # Esc or the window's close button while the work runs: ignored
            super().reject()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rows()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(
            0, self, self._fit_rows
        )  # once the layout has given the columns their widths

    def _fit_rows(self) -> None:
        """Rows as high as their wrapped text; the loss table as high as its rows (up to a
        third of the dialog, then it scrolls) so the rest of the report keeps its room."""
        self.losses.resizeRowsToContents()
        self.carried.resizeRowsToContents()
        rows = sum(self.losses.rowHeight(r) for r in range(self.losses.rowCount()))
        height = rows + self.losses.horizontalHeader().sizeHint().height()
        height += 2 * self.losses.frameWidth() + 4
        self.losses.setFixedHeight(min(height, max(120, self.height() // 3)))

    # --- copy and save -----------------------------------------------------------------------
    def text(self) -> str:
        return report_text(self.report)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())

    def save(self) -> None:
        stem = Path(self.report.file).stem or "report"
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save the report", f"{stem}-report.txt", "Text (*.txt);;JSON (*.json)"
        )
        if path:
            if "json" in chosen and not path.lower().endswith(".json"):
                path += ".json"
            self.save_to(path)

    def save_to(self, path: str | Path) -> None:
        """Write the report as JSON (a .json file) or as text (anything else)."""
        path = Path(path)
        if path.suffix.lower() == ".json":
            data = json.dumps(self.report.as_dict(), indent=2, ensure_ascii=False) + "\n"
        else:
            data = self.text()
        try:
            path.write_text(data, encoding="utf-8")
        except OSError as exc:
            show_failure(self, "Save the report", f"Could not write {path.name}.", str(exc))


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Copy and Save take the text; no cell cursor
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )
    return table


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _number(n: int) -> QTableWidgetItem:
    item = QTableWidgetItem(f"{n:,}" if n else "")
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
