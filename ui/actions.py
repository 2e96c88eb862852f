"""File-menu actions of the main window: projects, imports and exports (long ones in the
background with progress and Cancel)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox

from qualbench.changes import Changes
from qualbench.progress import CancelCheck, Progress
from ui.server_address import is_server_url, server_label
from ui.session import user_message
from ui.settings import recent_projects
from ui.tasks import starter

if TYPE_CHECKING:
    from ui.main_window import MainWindow

TRANSCRIPTS = "Transcripts (*.txt *.md *.docx *.odt *.rtf *.pdf *.html *.htm *.vtt *.srt)"
TABLES = "Tables (*.csv *.xlsx)"
CODEBOOKS = "Codebooks (*.yaml *.yml *.csv *.xlsx *.qdc)"


def _start(window: MainWindow, title: str, work: Any, on_done: Any) -> None:
    starter(window)(title, work, on_done)


# --- projects -------------------------------------------------------------------------------------
def new_project(window: MainWindow) -> None:
    path, _ = QFileDialog.getSaveFileName(
        window,
        "New project",
        str(Path.home() / "study.qualbench"),
        "QualBench projects (*.qualbench)",
    )
    if not path:
        return
    if not path.endswith(".qualbench"):
        path += ".qualbench"
    from qualbench.store import ProjectError, create_project

    try:
        create_project(path).close()
    except ProjectError as exc:
        window.show_error(str(exc))
        return
    window.openRequested.emit(path)


def open_project_dialog(window: MainWindow) -> None:
    path, _ = QFileDialog.getOpenFileName(
        window, "Open project", str(Path.home()), "QualBench projects (*.qualbench);;All files (*)"
    )
    if path:
        window.openRequested.emit(path)


def fill_recent(window: MainWindow, menu: QMenu) -> None:
    menu.clear()
    for path in recent_projects():
        server = is_server_url(path)  # kept without its password: asked again if needed
        action = menu.addAction(f"{server_label(path)} (server)" if server else path)
        action.triggered.connect(lambda checked=False, p=path: window.openRequested.emit(p))
        action.setEnabled(server or Path(path).exists())
    if menu.isEmpty():
        menu.addAction("(none yet)").setEnabled(False)


# --- imports --------------------------------------------------------------------------------------
def import_files(window: MainWindow, *, folder: bool) -> None:
    if folder:
        chosen = QFileDialog.getExistingDirectory(window, "Import a folder of transcripts")
        paths = [chosen] if chosen else []
    else:
        paths, _ = QFileDialog.getOpenFileNames(
            window, "Import transcripts", "", f"{TRANSCRIPTS};;All files (*)"
        )
    if paths:
        run_import(window, [Path(p) for p in paths])


def run_import(window: MainWindow, paths: list[Path]) -> None:
    """Import in the background; report imported, duplicate and failed files at the end."""
    from qualbench.services.documents import import_files as core_import

    project = window.session.project

    def work(progress: Progress, cancel: CancelCheck) -> Any:
        return core_import(
            project, paths, progress=progress, cancel=cancel, workers=min(4, os.cpu_count() or 1)
        )

    def done(report: Any) -> None:
        window.session.notify(
            report.changes | Changes(documents=frozenset(f.document_id for f in report.imported))
        )
        lines = [f"{len(report.imported)} imported"]
        if report.duplicates:
            lines.append(
                f"{len(report.duplicates)} skipped: same text as a document already in the project"
            )
        if report.cancelled:
            lines.append("cancelled: the files imported so far are kept")
        details = [f"{Path(f.path).name}: {f.reason}" for f in report.failed]
        details += [f"{Path(d.path).name}: same text as {d.existing}" for d in report.duplicates]
        box = QMessageBox(window)
        box.setWindowTitle("Import")
        box.setIcon(QMessageBox.Icon.Warning if report.failed else QMessageBox.Icon.Information)
        box.setText(
            "<br>".join(lines)
            + (f"<br><b>{len(report.failed)} could not be imported</b>" if report.failed else "")
        )
        if details:
            box.setDetailedText("\n".join(details))
        box.open()
        window.import_report = box  # keep it reachable (tests read it)
        if report.imported and window.document is None:
            window.open_document(report.imported[0].document_id)

    _start(window, "Importing transcripts", work, done)


def import_attributes(window: MainWindow) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Import attributes", "", TABLES)
    if not path:
        return
    from qualbench.services.attribute_tables import apply_attribute_table

    def apply(s: Any) -> Changes:
        report = apply_attribute_table(s, Path(path), allow_unmatched=False)
        window.statusBar().showMessage(f"Applied {report.rows_applied} rows of attributes", 5000)
        return report.changes

    window.session.write(apply)


def import_codebook(window: MainWindow) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Import codebook", "", CODEBOOKS)
    if not path:
        return
    if _is_refi(path):  # a REFI-QDA codebook: preview, then the data-loss report
        from ui import refi

        refi.preview_import(window, path)
        return
    from qualbench.codebook_files import CodebookFileError, read_codebook
    from qualbench.services.codebook import load_codebook

    try:
        book = read_codebook(path)
    except CodebookFileError as exc:
        window.show_error(str(exc))
        return

    def load(s: Any) -> Changes:
        report = load_codebook(s, book)
        window.statusBar().showMessage(
            f"{len(report.added)} codes added, {len(report.updated)} updated", 5000
        )
        return report.changes

    window.session.write(load)


def _is_refi(path: str) -> bool:
    return Path(path).suffix.lower() == ".qdc"


# --- exports --------------------------------------------------------------------------------------
def export_codebook(window: MainWindow) -> None:
    path, _ = QFileDialog.getSaveFileName(
        window, "Export codebook", "codebook.yaml", "Codebooks (*.yaml *.csv *.xlsx *.qdc)"
    )
    if not path:
        return
    if _is_refi(path):  # REFI-QDA: written in the background, then the data-loss report
        from ui import refi

        refi.export_to(window, path)
        return
    from qualbench.codebook_files import write_codebook
    from qualbench.services.codebook import project_codebook

    with window.session.read() as s:
        book = project_codebook(s)
    try:
        write_codebook(book, path)
    except Exception as exc:
        window.show_error(user_message(exc) or f"Could not write {path}")


def export_excerpts(window: MainWindow) -> None:
    ids = window.codes.selected_ids()
    what = "the selected codes" if ids else "all codes"
    path, _ = QFileDialog.getSaveFileName(
        window,
        f"Export excerpts of {what}",
        "excerpts.docx",
        "Word (*.docx);;Excel (*.xlsx);;CSV (*.csv);;Markdown (*.md)",
    )
    if not path:
        return
    from qualbench.exports.excerpts import write_excerpts
    from qualbench.reports import Filters, excerpts

    project = window.session.project

    def work(progress: Progress, cancel: CancelCheck) -> Any:
        with project.read() as s:
            items = excerpts(s, filters=Filters(code_ids=tuple(ids)))
            name = project.info().name
        write_excerpts(items, path, project=name, progress=progress, cancel=cancel)
        return len(items)

    _start(
        window,
        "Exporting excerpts",
        work,
        lambda n: window.statusBar().showMessage(f"Wrote {n} excerpts to {path}", 8000),
    )


def export_table(window: MainWindow) -> None:
    from qualbench.reports import theme_table
    from qualbench.services.cases import attribute_names

    with window.session.read() as s:
        options = ["document", "kind"] + [
            f"document:{a}" for a in attribute_names(s, scope="document")
        ]
        options += ["case"] + [f"case:{a}" for a in attribute_names(s, scope="case")]
    by, ok = QInputDialog.getItem(window, "Theme table", "Columns:", options, 0, False)
    if not ok:
        return
    path, _ = QFileDialog.getSaveFileName(
        window, "Export theme table", "themes.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
    )
    if not path:
        return
    from qualbench.exports.tables import write_theme_table

    project = window.session.project

    def work(progress: Progress, cancel: CancelCheck) -> Any:
        with project.read() as s:
            table = theme_table(s, by=by)
            name = project.info().name
        return write_theme_table(table, path, project=name)

    _start(
        window,
        "Exporting the theme table",
        work,
        lambda p: window.statusBar().showMessage(f"Wrote {p}", 8000),
    )
