"""Merge coders' project files: choose the files, preview what would happen (a dry run), decide
the near-duplicate codes, then merge with progress and Cancel, and read the report."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from qualbench.merge import MergeReport, merge_many
from qualbench.progress import CancelCheck, Progress
from qualbench.store import Project
from ui.tasks import Starter


def report_html(reports: list[MergeReport]) -> str:
    """What each file brought (or would bring): counts, edited documents, what was not merged."""
    parts = []
    for r in reports:
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in r.summary())
        extra = []
        for d in r.documents:
            if d.how == "edited":
                extra.append(
                    f"edited copy of <b>{html.escape(d.name)}</b> (similarity {d.similarity:.1%}): codings re-anchored"
                )
            elif d.how == "new":
                extra.append(f"new document <b>{html.escape(d.name)}</b>")
        for u in r.unplaced:
            extra.append(
                f"<span style='color:#c0392b'>not placed</span>: {html.escape(u.coder)}'s "
                f"<i>{html.escape(u.code)}</i> in {html.escape(u.document)} at {u.start}–{u.end}: "
                + html.escape(u.reason)
            )
        extra += [
            f"<span style='color:#c0392b'>set aside</span>: {html.escape(w)}"
            for w in r.rejected[:50]
        ]
        if len(r.rejected) > 50:
            extra.append(f"… and {len(r.rejected) - 50} more rows set aside")
        extra += [f"memo skipped: {html.escape(w)}" for w in r.memos_skipped]
        details = "".join(f"<li>{e}</li>" for e in extra)
        parts.append(
            f"<h4>{html.escape(Path(r.source).name)}</h4><ul>{lines}</ul>"
            + (f"<ul>{details}</ul>" if details else "")
        )
    if reports and reports[0].backup:
        parts.append(
            f"<p>The project was backed up first to <code>{html.escape(reports[0].backup)}</code>.</p>"
        )
    return "".join(parts)


class _FilesPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Coders' project files")
        self.setSubTitle(
            "Choose the coder copies to merge into this project. Documents are matched by their text, "
            "codes by id and name; merging a file twice changes nothing."
        )
        self.files = QListWidget()
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        add = QPushButton("Add files…")
        remove = QPushButton("Remove")
        add.clicked.connect(self._add)
        remove.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.files, 1)
        layout.addLayout(buttons)

    def _add(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Coders' projects", "", "QualBench projects (*.qualbench)"
        )
        self.add_paths(paths)

    def add_paths(self, paths: list[str]) -> None:
        have = set(self.paths())
        for p in paths:
            if p not in have:
                self.files.addItem(p)
        self.completeChanged.emit()

    def _remove(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self.completeChanged.emit()

    def paths(self) -> list[str]:
        return [self.files.item(i).text() for i in range(self.files.count())]

    def isComplete(self) -> bool:
        return self.files.count() > 0


class _PreviewPage(QWizardPage):
    def __init__(self, wizard: MergeWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Preview")
        self.setSubTitle("Nothing has changed yet. Decide the near-duplicate codes, then Merge.")
        self.suggestions = QTableWidget(0, 4)
        self.suggestions.setHorizontalHeaderLabels(
            ["Same code?", "Coder's code", "Project's code", "Similarity"]
        )
        self.suggestions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.suggestions.verticalHeader().hide()
        self.suggestions.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.suggestions_label = QLabel()
        self.suggestions_label.setWordWrap(True)
        self.report = QTextBrowser()
        layout = QVBoxLayout(self)
        layout.addWidget(self.suggestions_label)
        layout.addWidget(self.suggestions)
        layout.addWidget(self.report, 1)
        self.reports: list[MergeReport] | None = None

    def initializePage(self) -> None:
        self.reports = None
        self.report.setHtml("<i>Reading the files…</i>")
        self.completeChanged.emit()
        paths = self.wizard_.files.paths()
        target = self.wizard_.project

        def work(progress: Progress, cancel: CancelCheck) -> list[MergeReport]:
            return merge_many(target, paths, dry_run=True, progress=progress, cancel=cancel)

        self.wizard_.start("Previewing the merge", work, self.show_preview)

    def show_preview(self, reports: list[MergeReport]) -> None:
        self.reports = reports
        pending = {}
        for r in reports:
            for c in r.codes:
                if c.how == "suggested" and c.uuid not in pending:
                    pending[c.uuid] = c
        self.suggestions.setRowCount(len(pending))
        for row, c in enumerate(pending.values()):
            check = QTableWidgetItem("same code")
            check.setFlags(check.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            check.setCheckState(Qt.CheckState.Checked)
            check.setData(Qt.ItemDataRole.UserRole, (c.uuid, c.suggestion_id))
            self.suggestions.setItem(row, 0, check)
            self.suggestions.setItem(row, 1, QTableWidgetItem(c.path))
            self.suggestions.setItem(row, 2, QTableWidgetItem(c.suggestion))
            self.suggestions.setItem(row, 3, QTableWidgetItem(f"{c.score:.0f}%"))
        self.suggestions.setVisible(bool(pending))
        self.suggestions_label.setText(
            f"{len(pending)} code name(s) look like codes this project has. Ticked pairs are merged "
            "into the project's code; unticked ones are added as new codes."
            if pending
            else "No near-duplicate code names."
        )
        self.report.setHtml(report_html(reports))
        self.completeChanged.emit()

    def accepted(self) -> dict[str, int]:
        out = {}
        for row in range(self.suggestions.rowCount()):
            item = self.suggestions.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                uuid, target = item.data(Qt.ItemDataRole.UserRole)
                out[str(uuid)] = int(target)
        return out

    def isComplete(self) -> bool:
        return self.reports is not None


class _ResultPage(QWizardPage):
    def __init__(self, wizard: MergeWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Merged")
        self.report = QTextBrowser()
        layout = QVBoxLayout(self)
        layout.addWidget(self.report)
        self.reports: list[MergeReport] | None = None
        self.setFinalPage(True)

    def initializePage(self) -> None:
        self.reports = None
        self.report.setHtml("<i>Merging…</i>")
        self.completeChanged.emit()
        paths = self.wizard_.files.paths()
        accept = self.wizard_.preview.accepted()
        target = self.wizard_.project

        def work(progress: Progress, cancel: CancelCheck) -> list[MergeReport]:
            return merge_many(
                target, paths, accept=accept, keep_separate=True, progress=progress, cancel=cancel
            )

        self.wizard_.start("Merging", work, self.show_result)

    def show_result(self, reports: list[MergeReport]) -> None:
        self.reports = reports
        done = len(reports)
        note = (
            ""
            if done == len(self.wizard_.files.paths())
            else f"<p><b>Cancelled after {done} file(s); those stay merged.</b></p>"
        )
        self.report.setHtml(note + report_html(reports))
        self.completeChanged.emit()
        self.wizard_.merged(reports)

    def isComplete(self) -> bool:
        return self.reports is not None


class MergeWizard(QWizard):
    def __init__(
        self,
        project: Project,
        start: Starter,
        on_merged: Callable[[list[MergeReport]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.start = start
        self.merged = on_merged
        self.setWindowTitle("Merge coders' projects")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.files = _FilesPage()
        self.preview = _PreviewPage(self)
        self.result_page = _ResultPage(self)
        self.addPage(self.files)
        self.addPage(self.preview)
        self.addPage(self.result_page)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Merge")
        self.preview.setCommitPage(True)
        self.resize(860, 620)
