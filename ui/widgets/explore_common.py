"""Pieces the Explore window's tabs share: a code chooser, the "not analysed yet" bar that
analyses documents in the background, the speakers field, the filters of where to look, and
the save dialog of an export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from qualbench.changes import Changes
from qualbench.nlp.cache import AnalysisRun, analyse_project
from qualbench.nlp.scope import speaker_names
from qualbench.progress import CancelCheck, Progress
from qualbench.services.codes import code_tree
from qualbench.services.documents import list_documents
from ui.session import ProjectSession, concerns_everything
from ui.tasks import Starter
from ui.widgets.report_filters import FiltersPanel

UNIT_LABELS = {
    "word": "whole words",
    "sentence": "sentence",
    "paragraph": "paragraph",
    "turn": "speaker turn",
    "hit": "the hit only",
}
SCOPE_GROUPS = ("documents", "kinds", "attributes", "codes", "coders", "origins")
SCOPE_LABELS = {
    "codes": "Only inside text coded with (codes)",
    "coders": "… coded by (coders)",
    "origins": "… coded how (origin)",
}
EXPORTS = "CSV (*.csv);;Excel workbook (*.xlsx)"


def scope_filters(session: ProjectSession, title: str = "Where to look") -> FiltersPanel:
    """The filters of where search, counts and rules look: documents, kinds, attribute values,
    and (optionally) only the text coded with some codes."""
    panel = FiltersPanel(
        session,
        groups=SCOPE_GROUPS,
        title=title,
        labels=SCOPE_LABELS,
        everything="Looking in every document.",
    )
    panel.clear_button.setText("Everywhere")
    return panel


def speakers_of(text: str) -> tuple[str, ...]:
    """The speakers typed in a field: labels or participant names, separated by commas."""
    return tuple(s.strip() for s in text.split(",") if s.strip())


def ask_export_path(parent: QWidget, title: str, name: str) -> Path | None:
    """A CSV or XLSX file chosen in the save dialog (None if cancelled)."""
    chosen, kind = QFileDialog.getSaveFileName(parent, title, name, EXPORTS)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        path = path.with_name(path.name + (".xlsx" if "xlsx" in kind else ".csv"))
    return path


class SpeakersCompleter(QCompleter):
    """Completes the last of the comma-separated speakers typed in a field, from the project's
    speaker labels and participant names (kept up to date)."""

    def __init__(self, session: ProjectSession, field: QLineEdit) -> None:
        super().__init__(field)
        self.session = session
        self.names = QStringListModel(self)
        self.setModel(self.names)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setWidget(field)
        field.setCompleter(self)
        session.changed.connect(self._on_changed)
        self.reload()

    def reload(self) -> None:
        with self.session.read() as s:
            self.names.setStringList(speaker_names(s))

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex) -> str:
        field = self.widget()
        before = field.text().rsplit(",", 1)[0] if isinstance(field, QLineEdit) else ""
        typed = field.text() if isinstance(field, QLineEdit) else ""
        chosen = str(index.data())
        return f"{before}, {chosen}" if "," in typed else chosen

    def _on_changed(self, changes: Changes) -> None:
        if concerns_everything(changes) or changes.documents or changes.cases:
            self.reload()


class CodeCombo(QComboBox):
    """Every code by its path (indented as in the codebook), kept up to date; ``code_id()``."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setMinimumContentsLength(18)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        session.changed.connect(self._on_changed)
        self.reload()

    def reload(self) -> None:
        current = self.code_id()
        with self.session.read() as s:
            nodes = code_tree(s)
        self.blockSignals(True)
        self.clear()
        for n in nodes:
            self.addItem("    " * n.depth + n.name, n.id)
            self.setItemData(self.count() - 1, n.path, Qt.ItemDataRole.ToolTipRole)
        if current is not None and (i := self.findData(current)) >= 0:
            self.setCurrentIndex(i)
        self.blockSignals(False)

    def code_id(self) -> int | None:
        data = self.currentData()
        return int(data) if data is not None else None

    def set_code(self, code_id: int) -> None:
        if (i := self.findData(code_id)) >= 0:
            self.setCurrentIndex(i)

    def path(self) -> str:
        data = self.itemData(self.currentIndex(), Qt.ItemDataRole.ToolTipRole)
        return str(data or "")

    def _on_changed(self, changes: Changes) -> None:
        if concerns_everything(changes) or changes.codes:
            self.reload()


class AnalysisBar(QWidget):
    """Says which documents were left out for want of a language analysis and offers to
    analyse them (in the background, with Cancel); ``analysed`` is emitted after a run that
    analysed something, with its `AnalysisRun`."""

    analysed = Signal(object)
    message = Signal(str)

    def __init__(
        self, session: ProjectSession, start: Starter, what: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._start = start
        self.what = what  # e.g. "searched": what the left-out documents were not
        self.names: list[str] = []
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #b35900")
        self.button = QPushButton("Analyse them")
        self.button.setToolTip(
            "A one-time analysis of each document (words, sentences, lemmas), kept in the project"
        )
        self.button.clicked.connect(lambda: self.analyse())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_for(self, names: list[str]) -> None:
        """Show the bar for these documents (hidden when there are none)."""
        self.names = list(names)
        if not names:
            self.hide()
            return
        n = len(names)
        listed = ", ".join(names[:3]) + (f" and {n - 3} more" if n > 3 else "")
        self.label.setText(
            f"{n} document{'s' if n != 1 else ''} not {self.what}: "
            f"{'they have' if n != 1 else 'it has'} no language analysis yet ({listed})."
        )
        self.button.setText(f"Analyse {'them' if n != 1 else 'it'} and try again")
        self.show()

    def analyse(self, then: Callable[[AnalysisRun], Any] | None = None) -> None:
        """Analyse the documents listed, in the background; then emit ``analysed``."""
        project, wanted = self.session.project, set(self.names)
        with self.session.read() as s:
            ids = [d.id for d in list_documents(s) if d.name in wanted]

        def work(progress: Progress, cancel: CancelCheck) -> AnalysisRun:
            return analyse_project(project, document_ids=ids, progress=progress, cancel=cancel)

        def done(run: AnalysisRun) -> None:
            text = (
                f"Analysed {run.analysed} document{'s' if run.analysed != 1 else ''} "
                f"({run.words:,} words, {run.seconds:.1f} s)"
            )
            if run.cancelled:
                text += "; cancelled before the rest (what was finished is kept)"
            self.message.emit(text + ".")
            if then is not None:
                then(run)
            if run.analysed:
                self.analysed.emit(run)

        self._start("Analysing documents", work, done)
