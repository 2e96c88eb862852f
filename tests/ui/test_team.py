"""The team workflow in the desktop app: agreement table and export, reconciliation by keys with
undo, the merge wizard with its preview and near-duplicate decisions, coder copies."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from sqlalchemy import select

from qualbench.agreement.compute import AgreementOptions, agreement
from qualbench.agreement.continuum import unitized_agreement
from qualbench.agreement.text import interval_text, value_text
from qualbench.db import CODE, CODER, CODING
from qualbench.distribute import distribute
from qualbench.reconcile import reconciliation
from qualbench.services.codes import create_code
from qualbench.services.coding import NewCoding, bulk_apply, resolve_coder
from qualbench.services.documents import resolve_document
from qualbench.store import open_project
from ui import team


def _wait_tasks(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window._tasks, timeout=10_000)


def test_agreement_table_matches_the_core_and_exports(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    dialog = team.agreement(window)
    assert dialog.options().coders == ("ana", "ben")  # the two coders with codings, preselected
    dialog.unit.setCurrentIndex(dialog.unit.findData("paragraph"))
    dialog.compute()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    with window.session.read() as s:
        expected = agreement(s, AgreementOptions(coders=("ana", "ben"), unit="paragraph"))
    assert dialog.table.rowCount() == len(expected.per_code) + 1
    headers = [
        dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())
    ]
    alpha = headers.index("Krippendorff's α")
    pooled = dialog.table.item(len(expected.per_code), alpha).text()
    assert pooled == value_text(expected.overall["alpha"])
    assert "paragraphs" in dialog.summary.text()
    assert "independently coded 6 documents" in dialog.methods.toPlainText()
    # Confusion table of the first code: rows ana, columns ben, counts from the core.
    dialog.table.selectRow(0)
    first = expected.per_code[0].confusion
    assert first is not None
    assert dialog.confusion.item(1, 1).text() == f"{first[1][1]:,.0f}"

    dialog.export_to(str(tmp_path / "agreement.xlsx"))
    _wait_tasks(qtbot, window)
    wb = load_workbook(tmp_path / "agreement.xlsx")
    assert "Agreement" in wb.sheetnames and "Methods" in wb.sheetnames


def test_alpha_interval_column_and_unitized_alphas(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    dialog = team.agreement(window)
    dialog.resamples.setValue(200)
    dialog.compute()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    headers = [
        dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())
    ]
    report = dialog.report
    pooled = report.overall_intervals["alpha_boot"]
    cell = dialog.table.item(len(report.per_code), headers.index("α 95% CI"))
    assert cell.text() == interval_text(pooled) and "P(value < 0.8)" in cell.toolTip()
    assert pooled.resamples == 200 and pooled.low < report.overall["alpha"].value < pooled.high
    kappa = dialog.table.item(len(report.per_code), headers.index("Cohen's κ"))
    assert "standard error" in kappa.toolTip()

    dialog.minimums.setText("0.7, zero")
    assert not dialog.compute_button.isEnabled() and "minimum" in dialog.problems.text()
    dialog.minimums.setText("0.7")
    dialog.unit.setCurrentIndex(dialog.unit.findData("spans"))
    assert not dialog.overlap.isEnabled()
    dialog.compute()
    qtbot.waitUntil(lambda: dialog.unitized is not None, timeout=20_000)
    with window.session.read() as s:
        expected = unitized_agreement(
            s, AgreementOptions(coders=("ana", "ben"), resamples=200, minimums=(0.7,))
        )
    assert dialog.report is None and not dialog.reconcile_button.isEnabled()
    assert dialog.table.item(0, 0).text() == "All codes: uα"
    assert dialog.table.item(0, 1).text() == value_text(expected.result.u_alpha)
    assert dialog.table.item(0, 2).text() == interval_text(expected.intervals["family:u_alpha"])
    assert "P(value < 0.7)" in dialog.table.item(0, 2).toolTip()
    assert dialog.table.rowCount() == 5 + len(expected.codes)
    assert "unitizing alpha family" in dialog.methods.toPlainText()
    dialog.export_to(str(tmp_path / "unitized.xlsx"))
    _wait_tasks(qtbot, window)
    assert load_workbook(tmp_path / "unitized.xlsx").sheetnames[0] == "Unitized alphas"


def test_agreement_form_says_what_is_missing_and_undefined_stays_undefined(
    make_window, qtbot
) -> None:
    window = make_window()
    dialog = team.agreement(window)
    dialog.select_coders(["ana"])
    assert not dialog.compute_button.isEnabled() and "two coders" in dialog.problems.text()
    dialog.select_coders(["ana", "ben"])
    unused = next(n.id for n in window.codes.nodes.values() if n.name == "Witnessed overdose")
    dialog.tick_codes([unused])
    assert dialog.compute_button.isEnabled()
    dialog.compute()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    headers = [
        dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())
    ]
    kappa = dialog.table.item(0, headers.index("Cohen's κ"))
    assert kappa.text() == "undefined" and "variation" in kappa.toolTip()


def test_reconcile_by_keys_jump_and_undo(make_window, qtbot) -> None:
    window = make_window()
    team.start_reconcile(window, AgreementOptions(coders=("ana", "ben")), name="consensus")
    qtbot.waitUntil(
        lambda: window.reconcile is not None and window.reconcile.state is not None, timeout=10_000
    )
    _wait_tasks(qtbot, window)  # the consensus is built and its disagreements listed
    panel = window.reconcile
    assert panel.table.rowCount() == len(panel.state.items) > 0
    panel.table.selectRow(0)
    first = panel.state.items[0]
    # The passage is shown in the transcript, selected.
    assert window.document.id == first.document_id
    assert window.view.selected_span() == (first.start, first.end)
    assert "coded it" in panel.views[0][0].text() or "coded it" in panel.views[1][0].text()

    window.activateWindow()  # shortcuts go to the active window's focus widget
    panel.table.setFocus()
    qtbot.waitUntil(lambda: window.isActiveWindow() and panel.table.hasFocus(), timeout=5_000)
    qtbot.keyClick(panel.table, Qt.Key.Key_1)  # take ana
    with window.session.read() as s:
        items = reconciliation(s, "consensus").items
    assert items[0].chosen == ("ana",)
    assert panel.state.items[0].chosen == ("ana",)
    assert panel.current() == 1  # moved on to the next open disagreement
    assert "<b>1</b> of" in panel.title.text()
    qtbot.keyClick(panel.table, Qt.Key.Key_N)  # neither
    assert panel.state.items[1].chosen == ()

    window.session.undo()
    assert panel.state.items[1].chosen is None
    with window.session.read() as s:
        assert reconciliation(s, "consensus").items[1].chosen is None
    # The coders' own codings are untouched; the consensus is a coder of its own.
    with window.session.read() as s:
        names = set(s.execute(select(CODER.c.name)).scalars())
    assert {"ana", "ben", "consensus"} <= names


def test_merge_wizard_preview_decide_and_merge(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    folder = tmp_path / "copies"
    folder.mkdir()
    (copy,) = distribute(window.session.project, ["cy"], folder)
    with open_project(copy.path) as p, p.write() as s:
        typo, _ = create_code(s, name="Polise fear")
        doc = resolve_document(s, "fg_ukraine")
        cy = resolve_coder(s, "cy")
        bulk_apply(s, [NewCoding(doc, 10, 60, typo, cy), NewCoding(doc, 100, 140, typo, cy)])
    before = window.codes.model.rowCount()
    wizard = team.merge(window, [str(copy.path)])
    wizard.next()
    qtbot.waitUntil(lambda: wizard.preview.reports is not None, timeout=10_000)
    assert wizard.preview.suggestions.rowCount() == 1
    assert wizard.preview.suggestions.item(0, 2).text() == "Police fear"
    with window.session.read() as s:
        assert "cy" not in set(
            s.execute(select(CODER.c.name)).scalars()
        )  # the preview changed nothing
    wizard.preview.suggestions.item(0, 0).setCheckState(Qt.CheckState.Unchecked)  # keep them apart
    wizard.next()
    qtbot.waitUntil(lambda: wizard.result_page.reports is not None, timeout=10_000)
    assert "backed up" in wizard.result_page.report.toPlainText()
    with window.session.read() as s:
        names = set(s.execute(select(CODE.c.name)).scalars())
        merged = s.execute(
            select(CODING.c.id)
            .join(CODER, CODER.c.id == CODING.c.coder_id)
            .where(CODER.c.name == "cy")
        ).all()
    assert "Polise fear" in names and len(merged) == 2
    assert window.codes.model.rowCount() == before + 1  # the codes panel shows the new code


def test_make_coder_copies(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    folder = tmp_path / "copies"
    folder.mkdir()
    team.make_copies_in(window, ["cy", "dee"], folder)
    _wait_tasks(qtbot, window)
    assert sorted(p.name for p in folder.glob("*.qualbench")) == [
        "sample-cy.qualbench",
        "sample-dee.qualbench",
    ]
    assert "2 coder copies" in window.copies_report.text()


def test_escape_clears_the_selection(make_window, qtbot) -> None:
    window = make_window()
    window.view.select_span(10, 40, flash=False)
    window.view.text_edit.setFocus()
    qtbot.keyClick(window.view.text_edit, Qt.Key.Key_Escape)
    assert window.view.selected_span() is None


def test_a_coder_copy_opens_as_its_coder(qtbot, sample_file: Path, tmp_path: Path) -> None:
    from qualbench.store import open_project as open_
    from ui.app import Controller

    folder = tmp_path / "copies"
    folder.mkdir()
    with open_(sample_file) as lead:
        (copy,) = distribute(lead, ["cy"], folder)
    controller = Controller("tester")
    assert controller.open(copy.path)
    window = controller.window
    qtbot.addWidget(window)
    assert window.session.coder_name == "cy"
    assert "coder copy for cy" in window.statusBar().currentMessage()
    window.close()
    controller.close()
