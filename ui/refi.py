"""File menu: exchange with NVivo, ATLAS.ti, MAXQDA and other tools through REFI-QDA.

Export the project (.qdpx, with the receiving tool's position profile) or its codebook (.qdc);
import a .qdpx or .qdc into the open project after a preview (a dry run of the whole import);
make a new project from one. The core does the work in the background with progress and
Cancel (``qualbench.refi``); every run ends with its data-loss report, and a failure with one
message naming the file (the core leaves the project unchanged).

Each action that asks for a file has a twin taking the path (``export_to``, ``preview_import``,
``create_project_from``) that the tests call.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from qualbench.progress import CancelCheck, Progress
from ui.session import user_message
from ui.settings import settings
from ui.tasks import Task
from ui.widgets.refi_report import RefiExportDialog, RefiReportDialog, show_failure

if TYPE_CHECKING:  # the REFI core loads when it is first used, not when the app starts
    from qualbench.refi import ExportOptions, ImportOptions, RefiReport
    from ui.main_window import MainWindow

FILES = "REFI-QDA project or codebook (*.qdpx *.qdc)"
UNCHANGED = "The project is unchanged."
_floating: set[QDialog] = set()  # reports shown without a parent (the window was replaced)


# --- export ---------------------------------------------------------------------------------------
def export_project(window: MainWindow) -> RefiExportDialog:
    """The export dialog: the .qdpx to write and the receiving tool's position profile."""
    from qualbench.refi import ExportOptions

    profile = str(settings().value("refi/profile", "standard"))
    options = ExportOptions(path=_beside_home(window, ".qdpx"), profile=profile)
    dialog = RefiExportDialog(options, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen(chosen: ExportOptions) -> None:
        settings().setValue("refi/profile", chosen.profile)
        run_export(window, chosen)

    dialog.exportRequested.connect(chosen)
    dialog.open()
    return dialog


def export_codebook(window: MainWindow) -> None:
    path, _ = QFileDialog.getSaveFileName(
        window,
        "Export codebook (REFI-QDA)",
        str(_beside_home(window, ".qdc")),
        "REFI-QDA codebook (*.qdc)",
    )
    if path:
        export_to(window, path if path.lower().endswith(".qdc") else path + ".qdc")


def export_to(window: MainWindow, path: str | Path, *, profile: str = "standard") -> None:
    """Export to ``path``: a .qdpx project with ``profile``, or a .qdc codebook."""
    from qualbench.refi import ExportOptions

    run_export(window, ExportOptions(path=Path(path), profile=profile))


def run_export(window: MainWindow, options: ExportOptions) -> None:
    file = options.path or Path("export")
    if problems := options.problems():
        _fail(window, window, "Export", f"Could not export {file.name}.", "; ".join(problems))
        return
    project = window.session.project

    def work(progress: Progress, cancel: CancelCheck) -> RefiReport:
        return options.run(project, progress=progress, cancel=cancel)

    def done(report: RefiReport) -> None:
        window.statusBar().showMessage(f"Wrote {file}", 8000)
        show_report(window, report)

    what = "the codebook" if options.codebook_only else "the project"
    _start(
        window,
        None,
        f"Exporting {what}",
        work,
        done,
        headline=f"Could not export {file.name}.",
        after="Nothing was written.",
    )


# --- import into the open project -----------------------------------------------------------------
def import_file(window: MainWindow) -> None:
    path, _ = QFileDialog.getOpenFileName(
        window, "Import REFI-QDA project or codebook", "", f"{FILES};;All files (*)"
    )
    if path:
        preview_import(window, path)


def preview_import(window: MainWindow, path: str | Path) -> None:
    """Read the file and import it in a transaction that is rolled back; show what would be
    added, matched and lost, with Import to do it for real."""
    from qualbench.refi import ImportOptions

    options = ImportOptions(path=Path(path), dry_run=True)
    headline = f"Could not import {Path(path).name}."
    if problems := options.problems():
        _fail(window, window, "Import", headline, "; ".join(problems), UNCHANGED)
        return
    project = window.session.project

    def work(progress: Progress, cancel: CancelCheck) -> RefiReport:
        return options.run(project, progress=progress, cancel=cancel)

    def done(report: RefiReport) -> None:
        dialog = RefiReportDialog(report, window, preview=True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.importRequested.connect(lambda: _import(window, dialog, options))
        dialog.externalFilesToggled.connect(lambda on: _preview_again(window, dialog, options, on))
        dialog.open()

    _start(window, None, "Reading the file", work, done, headline=headline, after=UNCHANGED)


def _preview_again(
    window: MainWindow, dialog: RefiReportDialog, options: ImportOptions, external: bool
) -> None:
    options.external_files = external
    project = window.session.project

    def work(progress: Progress, cancel: CancelCheck) -> RefiReport:
        return options.run(project, progress=progress, cancel=cancel)

    _start(
        window,
        dialog,
        "Reading the file",
        work,
        lambda report: dialog.show_report(report, preview=True),
        headline=f"Could not import {Path(dialog.report.file).name}.",
        after=UNCHANGED,
        busy=dialog,
    )


def _import(window: MainWindow, dialog: RefiReportDialog, previewed: ImportOptions) -> None:
    options = dataclasses.replace(previewed, dry_run=False)
    project = window.session.project

    def work(progress: Progress, cancel: CancelCheck) -> RefiReport:
        return options.run(project, progress=progress, cancel=cancel)

    def done(report: RefiReport) -> None:
        window.session.notify_everything()
        dialog.show_report(report)
        added = report.changes.documents
        window.statusBar().showMessage(f"Imported {Path(report.file).name}", 8000)
        if window.document is None and added:
            window.open_document(min(added))

    _start(
        window,
        dialog,
        "Importing",
        work,
        done,
        headline=f"Could not import {Path(dialog.report.file).name}.",
        after=UNCHANGED,
        busy=dialog,
    )


# --- a new project from a file --------------------------------------------------------------------
def new_project(window: MainWindow) -> None:
    source, _ = QFileDialog.getOpenFileName(
        window, "New project from a REFI-QDA file", "", f"{FILES};;All files (*)"
    )
    if not source:
        return
    target, _ = QFileDialog.getSaveFileName(
        window,
        "Save the new project as",
        str(Path(source).with_suffix(".qualbench")),
        "QualBench projects (*.qualbench)",
    )
    if target:
        suffix = "" if target.endswith(".qualbench") else ".qualbench"
        create_project_from(window, source, target + suffix)


def create_project_from(window: MainWindow, source: str | Path, target: str | Path) -> None:
    """Create ``target`` holding the .qdpx or .qdc, open it, and show the report."""
    from qualbench.refi import ImportOptions

    options = ImportOptions(path=Path(source), new_project=Path(target))
    headline = f"Could not make a project from {Path(source).name}."
    if problems := options.problems():
        _fail(window, window, "New project", headline, "; ".join(problems))
        return

    def work(progress: Progress, cancel: CancelCheck) -> RefiReport:
        return options.run(None, progress=progress, cancel=cancel)

    def done(report: RefiReport) -> None:
        window.openRequested.emit(str(target))
        # The new project replaces this window; the report then stands on its own.
        show_report(
            window if window.isVisible() else None,
            report,
            status=f"A new project was made from it: {target}",
        )

    _start(
        window,
        None,
        "Making the project",
        work,
        done,
        headline=headline,
        after="No project was made.",
    )


# --- shared ---------------------------------------------------------------------------------------
def show_report(
    parent: QWidget | None, report: RefiReport, *, status: str = ""
) -> RefiReportDialog:
    """The report of a finished import or export, with Copy and Save as."""
    dialog = RefiReportDialog(report, parent, status=status)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:
        _floating.add(dialog)
        dialog.finished.connect(lambda _: _floating.discard(dialog))
        dialog.show()
    else:
        dialog.open()
    return dialog


def _beside_home(window: MainWindow, suffix: str) -> Path:
    stem = window.path.stem if window.path is not None else "project"
    return Path.home() / f"{stem}{suffix}"


def _fail(window: MainWindow, parent: QWidget, title: str, headline: str, *detail: str) -> None:
    window.statusBar().showMessage(headline, 8000)
    show_failure(parent, f"REFI-QDA: {title}", headline, "\n\n".join(d for d in detail if d))


def _start(
    window: MainWindow,
    parent: QWidget | None,
    title: str,
    work: Callable[[Progress, CancelCheck], Any],
    on_done: Callable[[Any], None],
    *,
    headline: str,
    after: str,
    busy: RefiReportDialog | None = None,
) -> None:
    """Run ``work`` in the background with progress and Cancel over ``parent`` (or the
    window); a failure is one message: ``headline``, the error's line, ``after``. ``busy``
    cannot be closed (nor Import pressed again) until the work ends."""
    where = parent if parent is not None else window
    if busy is not None:
        busy.set_busy(True)

    def ended() -> None:
        if busy is not None:
            busy.set_busy(False)

    def done(result: Any) -> None:
        ended()
        on_done(result)

    def failed(exc: BaseException) -> None:
        message = user_message(exc)
        if message is None:  # a bug: the trace goes to the log, the user gets one line
            trace = getattr(exc, "__qualbench_trace__", "")
            logging.getLogger(__name__).error("%s failed:\n%s", title, trace)
            message = f"An unexpected error ({type(exc).__name__}) stopped it."
        ended()
        _fail(window, where, title, headline, message, after)

    def cancelled() -> None:
        ended()
        window.statusBar().showMessage(f"{title}: cancelled. {after}", 8000)

    task = Task(where, title, work, on_done=done, on_error=failed, on_cancel=cancelled)
    window._tasks.append(task)
    task.finished.connect(lambda: window._tasks.remove(task))
    task.start()
