"""REFI-QDA in the desktop app: the File menu's export (with the NVivo profile) and new project
from the file give back the same documents, codes and codings; the import preview lists what
would be lost and changes nothing; a hostile or damaged file is one message naming it and
leaves the project unchanged; codebooks go out and in as .qdc; the report dialog copies and
saves its report."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from qualbench.db import CODE, CODER, CODING, DOCUMENT
from qualbench.refi import PROFILES, ExportOptions, Loss, RefiReport, export_qdpx
from qualbench.store import create_project, open_project
from ui import actions, refi
from ui.widgets.refi_report import PROFILE_TEXT, RefiExportDialog, RefiReportDialog


# --- helpers --------------------------------------------------------------------------------------
def _wait(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window._tasks, timeout=20_000)


def _reports(window) -> list[RefiReportDialog]:
    return [d for d in window.findChildren(RefiReportDialog) if d.isVisible()]


def _messages(window) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def _counts(path_or_project) -> dict[str, int]:
    def count(s, table) -> int:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())

    def read(project) -> dict[str, int]:
        with project.read() as s:
            return {
                "documents": count(s, DOCUMENT),
                "codes": count(s, CODE),
                "codings": count(s, CODING),
            }

    if isinstance(path_or_project, Path):
        with open_project(path_or_project) as p:
            return read(p)
    return read(path_or_project)


def _codings(project) -> set[tuple[str, int, int, str, str]]:
    """Each coding as (document text hash, start, end, code name, coder name)."""
    with project.read() as s:
        rows = s.execute(
            select(
                DOCUMENT.c.content_sha256, CODING.c.start, CODING.c.end, CODE.c.name, CODER.c.name
            )
            .join(DOCUMENT, DOCUMENT.c.id == CODING.c.document_id)
            .join(CODE, CODE.c.id == CODING.c.code_id)
            .join(CODER, CODER.c.id == CODING.c.coder_id)
        ).all()
    return {tuple(r) for r in rows}  # type: ignore[misc]


def _table(table) -> list[list[str]]:
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def _with_a_picture(source: Path, out: Path) -> Path:
    """The .qdpx ``source`` with a picture source added, which QualBench cannot hold."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "project.qde":
                data = data.replace(
                    b"</Sources>",
                    b'<PictureSource guid="0b7a4c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b" name="photo" '
                    b'path="internal://photo.jpg"/></Sources>',
                    1,
                )
                assert b"PictureSource" in data
            zout.writestr(item, data)
    return out


def _with_an_external_source(source: Path, out: Path) -> Path:
    """The .qdpx ``source`` with its first source's text moved beside it (relative://)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        first = next(n for n in zin.namelist() if n.startswith("sources/"))
        name = first.removeprefix("sources/")
        (out.parent / name).write_bytes(zin.read(first))
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "project.qde":
                data = data.replace(f"internal://{name}".encode(), f"relative://{name}".encode())
            if item.filename != first:
                zout.writestr(item, data)
    return out


def _hostile(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
        zf.writestr("../evil.txt", "written outside")
    return path


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    path = tmp_path / "empty.qualbench"
    create_project(path).close()
    return path


# --- the File menu --------------------------------------------------------------------------------
def test_file_menu_has_the_refi_actions(make_window) -> None:
    window = make_window()
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text().replace("&", "") for a in file_menu.actions()]
    for label in (
        "Export REFI-QDA project (.qdpx)…",
        "Export codebook (.qdc)…",
        "Import REFI-QDA project or codebook…",
        "New project from REFI-QDA file…",
    ):
        assert label in texts


def test_export_dialog_binds_to_the_options(make_window, tmp_path: Path) -> None:
    assert set(PROFILE_TEXT) == set(PROFILES)  # every profile has its line in the dialog
    window = make_window()
    dialog = refi.export_project(window)
    assert isinstance(dialog, RefiExportDialog)
    dialog.set_profile("atlas")
    assert dialog.options.profile == "atlas"
    dialog.path.setText(str(tmp_path / "Missing" / "out.qdpx"))
    assert not dialog.export_button.isEnabled()
    assert dialog.problems.text() == f"The folder {tmp_path / 'Missing'} does not exist"
    dialog.path.setText(str(tmp_path / "out.txt"))
    assert ".qdpx" in dialog.problems.text()
    dialog.path.setText(str(tmp_path / "book.qdc"))  # a codebook has no positions to count
    assert dialog.export_button.isEnabled() and not dialog.profile_box.isEnabled()
    dialog.path.setText(str(tmp_path / "out.qdpx"))
    assert dialog.export_button.isEnabled() and dialog.profile_box.isEnabled()
    assert dialog.problems.text() == ""
    dialog.reject()


# --- round trip through the GUI -------------------------------------------------------------------
def test_export_nvivo_then_new_project_gives_the_same_counts(
    make_window, qtbot, tmp_path: Path
) -> None:
    window = make_window()
    out = tmp_path / "sample.qdpx"
    dialog = refi.export_project(window)
    dialog.set_profile("nvivo")
    dialog.export_to(out)
    _wait(qtbot, window)
    assert out.is_file()
    (report,) = _reports(window)
    assert report.windowTitle() == "REFI-QDA: Exported sample.qdpx"
    assert "nvivo" in report.report.origin
    assert "UTF-16" in report.notes.toPlainText()
    assert report.loss_frame.isVisible()  # time stamps of turns have no place in REFI
    assert any("time stamps" in row[0] for row in _table(report.losses))
    written = {row[0]: row[1] for row in _table(report.carried)}
    assert written["documents"] == "6"
    assert report.carried.isColumnHidden(2)  # "matched" (already in the project): nothing here
    assert not report.import_button.isVisible()
    report.close()

    target = tmp_path / "from-nvivo.qualbench"
    opened: list[str] = []
    window.openRequested.connect(opened.append)
    refi.create_project_from(window, out, target)
    _wait(qtbot, window)
    assert opened == [str(target)]
    (report,) = _reports(window)
    assert str(target) in report.header.text()
    # Only the window's own coder, who coded nothing, is left behind.
    assert _table(report.losses) == [["users", "1", "they coded nothing and wrote no note"]]
    counts = _counts(target)
    assert counts == _counts(window.session.project)
    with open_project(target) as copy:
        assert _codings(copy) == _codings(window.session.project)  # every span on its words

    new_window = make_window(target)
    assert new_window.document is not None
    assert len(new_window.codes.nodes) == counts["codes"]


def test_new_project_from_a_damaged_file_makes_nothing(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    bad = tmp_path / "damaged.qdpx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    target = tmp_path / "new.qualbench"
    refi.create_project_from(window, bad, target)
    _wait(qtbot, window)
    (box,) = _messages(window)
    assert "damaged.qdpx" in box.text()
    assert "No project was made" in box.informativeText()
    assert not target.exists()
    assert not list(tmp_path.glob("new.qualbench*"))


# --- import into the open project: preview, then import -------------------------------------------
def test_preview_lists_losses_then_import_fills_the_views(
    make_window, qtbot, sample_file: Path, empty_project: Path, tmp_path: Path
) -> None:
    with open_project(sample_file) as sample:
        export_qdpx(sample, tmp_path / "plain.qdpx")
        expected = _counts(sample)
    file = _with_a_picture(tmp_path / "plain.qdpx", tmp_path / "with-photo.qdpx")
    window = make_window(empty_project)
    assert window.document is None and not window.codes.nodes

    refi.preview_import(window, file)
    _wait(qtbot, window)
    (dialog,) = _reports(window)
    assert dialog.preview and dialog.windowTitle() == "REFI-QDA: Import preview: with-photo.qdpx"
    assert "Nothing has been imported yet" in dialog.header.text()
    assert dialog.loss_frame.isVisible()
    assert _table(dialog.losses) == [["pictures", "1", "QualBench holds text documents only"]]
    assert "would be left out" in dialog.loss_title.text()
    would = {row[0]: row[1] for row in _table(dialog.carried)}
    assert would["documents"] == "6" and would["codings"] == f"{expected['codings']:,}"
    assert dialog.carried.horizontalHeaderItem(1).text() == "Would be added"
    assert dialog.import_button.isVisible()
    assert dialog.carried.isColumnHidden(2)  # nothing is in the empty project already
    assert _counts(window.session.project) == {"documents": 0, "codes": 0, "codings": 0}

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, window)
    assert _counts(window.session.project) == expected
    assert not dialog.preview and dialog.windowTitle() == "REFI-QDA: Imported with-photo.qdpx"
    assert not dialog.import_button.isVisible() and dialog.close_button.text() == "Close"
    assert _table(dialog.losses)[0][0] == "pictures"  # the loss is still shown after the import
    # The views were told: codes panel, documents panel, and the first document opened.
    assert len(window.codes.nodes) == expected["codes"]
    assert window.document is not None
    assert window.documents.model.rowCount() > 0


def test_importing_the_projects_own_export_matches_everything(
    make_window, qtbot, tmp_path: Path
) -> None:
    window = make_window()
    refi.export_to(window, tmp_path / "same.qdpx", profile="maxqda")
    _wait(qtbot, window)
    for report in _reports(window):
        report.close()
    before = _counts(window.session.project)
    refi.preview_import(window, tmp_path / "same.qdpx")
    _wait(qtbot, window)
    (dialog,) = _reports(window)
    rows = {row[0]: row for row in _table(dialog.carried)}
    assert rows["documents"][1:] == ["", "6"]  # nothing to add, all already in the project
    assert not dialog.carried.isColumnHidden(2)
    dialog.importRequested.emit()
    _wait(qtbot, window)
    assert _counts(window.session.project) == before


def test_preview_again_reading_linked_files(
    make_window, qtbot, sample_file: Path, empty_project: Path, tmp_path: Path
) -> None:
    with open_project(sample_file) as sample:
        export_qdpx(sample, tmp_path / "plain.qdpx")
    folder = tmp_path / "shared"
    folder.mkdir()
    file = _with_an_external_source(tmp_path / "plain.qdpx", folder / "linked.qdpx")
    window = make_window(empty_project)
    refi.preview_import(window, file)
    _wait(qtbot, window)
    (dialog,) = _reports(window)
    assert dialog.external.isVisible() and not dialog.external.isChecked()
    (what, count, why), codings = _table(dialog.losses)
    assert (what, count) == ("sources", "1") and "allow external files" in why
    assert codings == ["codings", "25", "their source was not imported"]
    dialog.external.setChecked(True)  # preview again, reading the file beside the .qdpx
    _wait(qtbot, window)
    assert dialog.preview and not dialog.loss_frame.isVisible()
    assert {r[0]: r[1] for r in _table(dialog.carried)}["documents"] == "6"
    dialog.import_button.click()
    _wait(qtbot, window)
    assert _counts(window.session.project)["documents"] == 6


# --- hostile and damaged files --------------------------------------------------------------------
def test_a_hostile_archive_is_one_message_and_changes_nothing(
    make_window, qtbot, tmp_path: Path
) -> None:
    window = make_window()
    before = _counts(window.session.project)
    folder = tmp_path / "in"
    folder.mkdir()
    evil = _hostile(folder / "evil.qdpx")
    refi.preview_import(window, evil)
    _wait(qtbot, window)
    assert not _reports(window)
    (box,) = _messages(window)
    assert box.text() == "Could not import evil.qdpx."
    detail = box.informativeText()
    assert "evil.qdpx" in detail and "outside the archive" in detail
    assert "The project is unchanged." in detail
    assert "Traceback" not in detail + box.detailedText()
    assert "Could not import evil.qdpx." in window.statusBar().currentMessage()
    assert _counts(window.session.project) == before
    assert not (tmp_path / "evil.txt").exists()
    box.close()


def test_a_file_spoiled_between_preview_and_import_changes_nothing(
    make_window, qtbot, empty_project: Path, sample_file: Path, tmp_path: Path
) -> None:
    with open_project(sample_file) as sample:
        file = tmp_path / "later-spoiled.qdpx"
        export_qdpx(sample, file)
    window = make_window(empty_project)
    refi.preview_import(window, file)
    _wait(qtbot, window)
    (dialog,) = _reports(window)
    _hostile(file)  # replaced on disk after the preview
    dialog.import_button.click()
    _wait(qtbot, window)
    messages = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
    assert len(messages) == 1 and "later-spoiled.qdpx" in messages[0].text()
    assert _counts(window.session.project) == {"documents": 0, "codes": 0, "codings": 0}
    assert dialog.preview and dialog.import_button.isEnabled()  # the user may try again


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("random.qdpx", b"\x00\x01 not a zip at all" * 50, "not a .qdpx"),
        ("empty.qdc", b"", "is empty"),
        ("broken.qdc", b"<CodeBook><Codes><Code", "not well-formed XML"),
    ],
)
def test_a_damaged_file_is_one_message(
    make_window, qtbot, tmp_path: Path, name: str, data: bytes, says: str
) -> None:
    window = make_window()
    path = tmp_path / name
    path.write_bytes(data)
    refi.preview_import(window, path)
    _wait(qtbot, window)
    (box,) = _messages(window)
    assert name in box.text() and says in box.informativeText()
    box.close()


def test_a_missing_file_is_refused_before_any_work(make_window, tmp_path: Path) -> None:
    window = make_window()
    refi.preview_import(window, tmp_path / "gone.qdpx")
    assert not window._tasks
    (box,) = _messages(window)
    assert "gone.qdpx" in box.text() and "does not exist" in box.informativeText()
    box.close()


# --- codebooks ------------------------------------------------------------------------------------
def test_codebook_qdc_export_and_import(
    make_window, qtbot, empty_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    codes = _counts(window.session.project)["codes"]
    book = tmp_path / "book.qdc"
    filters: list[str] = []

    def save_as(parent, title, start, filter_):
        filters.append(filter_)
        return str(book), "Codebooks"

    monkeypatch.setattr(actions.QFileDialog, "getSaveFileName", save_as)
    actions.export_codebook(window)  # File › Export codebook… with a .qdc chosen
    _wait(qtbot, window)
    assert "*.qdc" in filters[0]
    (report,) = _reports(window)
    assert report.windowTitle() == "REFI-QDA: Exported book.qdc"
    assert {row[0]: row[1] for row in _table(report.carried)} == {"codes": str(codes)}
    report.close()

    other = make_window(empty_project)

    def open_file(parent, title, start, filter_):
        filters.append(filter_)
        return str(book), "Codebooks"

    monkeypatch.setattr(actions.QFileDialog, "getOpenFileName", open_file)
    actions.import_codebook(other)  # File › Import codebook… with a .qdc chosen
    _wait(qtbot, other)
    assert "*.qdc" in filters[1]
    (preview,) = _reports(other)
    assert preview.preview
    assert not other.codes.nodes
    preview.import_button.click()
    _wait(qtbot, other)
    assert _counts(other.session.project)["codes"] == codes
    assert len(other.codes.nodes) == codes  # the Codes panel was refreshed


def test_qdc_menu_action_writes_a_codebook(
    make_window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    monkeypatch.setattr(
        refi.QFileDialog, "getSaveFileName", lambda *a: (str(tmp_path / "named"), "")
    )
    refi.export_codebook(window)
    _wait(qtbot, window)
    assert (tmp_path / "named.qdc").is_file()
    (report,) = _reports(window)
    assert report.lossless.isVisible() or report.loss_frame.isVisible()


# --- the report dialog ----------------------------------------------------------------------------
def _report() -> RefiReport:
    report = RefiReport(
        "import",
        "/data/peer.qdpx",
        origin="NVivo 14",
        positions="positions read as UTF-16 code units, CR LF counted as two (fits 40 of 40)",
        carried={"documents": 2, "codings": 1200},
        matched={"codes": 5},
        notes=["a code name was repaired"],
    )
    report.lost.append(Loss("audio sources (the media itself)", 1, "QualBench holds text only"))
    return report


def test_report_dialog_shows_copies_and_saves(qtbot, tmp_path: Path) -> None:
    report = _report()
    dialog = RefiReportDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.loss_frame.isVisible() and not dialog.lossless.isVisible()
    assert _table(dialog.losses) == [
        ["audio sources (the media itself)", "1", "QualBench holds text only"]
    ]
    assert _table(dialog.carried) == [
        ["documents", "2", ""],
        ["codings", "1,200", ""],
        ["codes", "", "5"],
    ]
    notes = dialog.notes.toPlainText()
    assert "UTF-16 code units" in notes and "a code name was repaired" in notes
    assert "Written by NVivo 14" in dialog.header.text()

    dialog.copy()
    assert QApplication.clipboard().text() == "\n".join(report.summary()) + "\n"
    dialog.save_to(tmp_path / "report.json")
    assert json.loads((tmp_path / "report.json").read_text()) == report.as_dict()
    dialog.save_to(tmp_path / "report.txt")
    assert "not carried over:" in (tmp_path / "report.txt").read_text()
    dialog.save_to(tmp_path / "no-such-folder" / "report.txt")  # one message, no exception
    (box,) = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
    assert "report.txt" in box.text()
    box.close()


def test_report_dialog_without_losses_says_so(qtbot) -> None:
    report = RefiReport("export", "/out/book.qdc", carried={"codes": 3})
    dialog = RefiReportDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.loss_frame.isVisible() and dialog.lossless.isVisible()
    assert "whole codebook" in dialog.lossless.text()
    assert "No notes" in dialog.notes.toPlainText()


def test_a_busy_preview_stays_open_until_its_work_ends(qtbot) -> None:
    dialog = RefiReportDialog(_report(), preview=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_busy(True)  # an import is running
    assert not dialog.import_button.isEnabled()
    dialog.reject()  # Esc, or the window's close button
    assert dialog.isVisible()
    dialog.set_busy(False)
    assert dialog.import_button.isEnabled()
    dialog.reject()
    assert not dialog.isVisible()


def test_export_options_problems_are_shown_not_raised(make_window, tmp_path: Path) -> None:
    window = make_window()
    refi.run_export(window, ExportOptions(path=tmp_path / "nowhere" / "x.qdpx"))
    assert not window._tasks
    (box,) = _messages(window)
    assert "x.qdpx" in box.text() and "does not exist" in box.informativeText()
    box.close()
