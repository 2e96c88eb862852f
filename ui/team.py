"""Team menu: coder copies, merging coders' files, intercoder agreement and reconciliation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from qualbench.agreement.compute import AgreementOptions
from qualbench.progress import CancelCheck, Progress
from ui.tasks import starter

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def make_copies(window: MainWindow) -> None:
    names, ok = QInputDialog.getText(
        window, "Coder copies", "Coders' names, separated by commas (one project file each):"
    )
    coders = [n.strip() for n in names.split(",") if n.strip()] if ok else []
    if not coders:
        return
    folder = QFileDialog.getExistingDirectory(window, "Folder for the coder copies")
    if folder:
        make_copies_in(window, coders, Path(folder))


def make_copies_in(window: MainWindow, coders: list[str], folder: Path) -> None:
    from qualbench.distribute import distribute

    project = window.session.project

    def work(progress: Progress, cancel: CancelCheck) -> Any:
        return distribute(project, coders, folder, progress=progress, cancel=cancel)

    def done(copies: Any) -> None:
        lines = "".join(f"<li><b>{c.coder}</b>: {c.path}</li>" for c in copies)
        box = QMessageBox(window)
        box.setWindowTitle("Coder copies")
        box.setText(
            f"Wrote {len(copies)} coder copies (they contain the transcripts):<ul>{lines}</ul>"
            "Each coder opens their file, codes, and sends it back; merge them with Team › Merge."
        )
        box.open()
        window.copies_report = box

    starter(window)("Making coder copies", work, done)


def merge(window: MainWindow, paths: list[str] | None = None) -> Any:
    from ui.widgets.merge_wizard import MergeWizard

    wizard = MergeWizard(
        window.session.project,
        starter(window, lambda: wizard),
        lambda reports: window.session.notify_everything(),
        window,
    )
    if paths:
        wizard.files.add_paths(paths)
    window.merge_wizard = wizard
    wizard.open()
    return wizard


def agreement(window: MainWindow) -> Any:
    from qualbench.workspace import coder_counts
    from ui.widgets.agreement import AgreementDialog

    if window.agreement_dialog is None:
        dialog = AgreementDialog(window.session, starter(window, lambda: dialog), window)
        dialog.reconcileRequested.connect(lambda options: start_reconcile(window, options))
        with window.session.read() as s:
            from qualbench.reconcile import consensus_names

            skip = set(consensus_names(s))
            people = [(n, count) for _, n, count in coder_counts(s) if count and n not in skip]
        people.sort(key=lambda p: -p[1])
        dialog.select_coders([n for n, _ in people[:2]])
        window.agreement_dialog = dialog
    window.agreement_dialog.show()
    window.agreement_dialog.raise_()
    return window.agreement_dialog


def start_reconcile(window: MainWindow, options: AgreementOptions, name: str | None = None) -> None:
    from qualbench.reconcile import CONSENSUS, start_consensus

    if name is None:
        name, ok = QInputDialog.getText(
            window, "Reconcile", "Name of the consensus coder (a coder of its own):", text=CONSENSUS
        )
        if not ok or not name.strip():
            return
    project = window.session.project
    chosen = name.strip()

    def work(progress: Progress, cancel: CancelCheck) -> Any:
        with project.write() as s:
            start_consensus(s, options, name=chosen, progress=progress, cancel=cancel)
        return chosen

    def done(consensus: str) -> None:
        window.session.notify_everything()
        window.show_reconciliation(consensus)

    starter(window)("Starting the consensus", work, done)


def reconcile(window: MainWindow) -> None:
    from qualbench.reconcile import consensus_names

    with window.session.read() as s:
        names = consensus_names(s)
    if not names:
        QMessageBox.information(
            window,
            "Reconcile",
            "Compare the coders first: choose them in Intercoder agreement, then press "
            "“Reconcile the disagreements…”.",
        )
        agreement(window)
        return
    if len(names) == 1:
        window.show_reconciliation(names[0])
        return
    name, ok = QInputDialog.getItem(window, "Reconcile", "Consensus:", names, 0, False)
    if ok:
        window.show_reconciliation(name)
