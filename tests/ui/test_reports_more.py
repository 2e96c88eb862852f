"""The Reports window's co-occurrence, query and quote basket tabs, and adding quotes from the
workspace, on the sample project: what they show equals the core's results, mistakes are shown
in place, every basket action is undone from the main window, exports open back."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QTextDocument

from qualbench import undo
from qualbench.pseudonyms import list_names
from qualbench.quotes import DEFAULT_CITATION, basket, citation_template
from qualbench.reports import Filters, excerpts
from qualbench.reports.charts import DPI
from qualbench.reports.cooccurrence import cooccurrence
from qualbench.reports.query import run_query
from qualbench.services.codes import resolve_code
from ui import basket_actions
from ui.reports import ReportsWindow, open_reports
from ui.widgets.report_cooccurrence import SORT_ROLE, pair_query, quoted
from ui.widgets.report_query import current_term, error_position, insert_token, ranked

AMBULANCE = "The ambulance comes, and after them comes the police."
MARIA = "She said, Maria, after prison your body is like a beginner's body"
SVG = "{http://www.w3.org/2000/svg}"


def _wait_tasks(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window._tasks, timeout=10_000)


@pytest.fixture
def reports(make_window, qtbot) -> ReportsWindow:
    window = make_window()
    r = open_reports(window)
    qtbot.waitUntil(r.themes.up_to_date, timeout=10_000)
    _wait_tasks(qtbot, window)
    return r


def _matrix(r: ReportsWindow) -> list[list[str]]:
    """The co-occurrence table as shown: the code, then each cell's text."""
    proxy = r.cooccurrence.proxy
    return [
        [proxy.index(i, c).data() for c in range(proxy.columnCount())]
        for i in range(proxy.rowCount())
    ]


def _press(qtbot, widget, keys: str) -> None:
    """Type a shortcut, then let go of the modifiers (offscreen Qt would keep them "down" for
    the tests that follow: a code selected afterwards would be toggled, not selected)."""
    sequence = QKeySequence(keys)[0]
    qtbot.keyClick(widget, sequence.key(), sequence.keyboardModifiers())
    qtbot.keyRelease(widget, Qt.Key.Key_Control)


def _text(label) -> str:
    """A rich-text label as the user reads it."""
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def _select_text(window, text: str, document: str | None = None) -> tuple[int, int]:
    if document is not None:
        with window.session.read() as s:
            from qualbench.services.documents import resolve_document

            window.open_document(resolve_document(s, document))
    assert window.document is not None
    start = window.document.text.index(text)
    window.view.select_span(start, start + len(text), flash=False)
    return start, start + len(text)


# --- co-occurrence -------------------------------------------------------------------------------


def test_cooccurrence_table_equals_the_core_and_the_heatmap_saves(
    reports, qtbot, tmp_path: Path
) -> None:
    r = reports
    window = r.main
    r.show_page("cooccurrence")
    panel = r.cooccurrence
    qtbot.waitUntil(panel.up_to_date, timeout=10_000)
    _wait_tasks(qtbot, window)
    with window.session.read() as s:
        core = cooccurrence(s)
    assert [c.path for c in panel.matrix.codes] == [c.path for c in core.codes]
    rows = _matrix(r)
    assert [row[0].split(".", 1)[1].strip() for row in rows] == [c.name for c in core.codes]
    assert [[int(v) for v in row[1:]] for row in rows] == core.counts
    assert "pairs of overlapping codings" in panel.summary.text()

    # by speaker turn, one coder's codings only, as Jaccard indexes
    panel.set_options(mode="turn", same_coder=True, jaccard=True)
    qtbot.waitUntil(panel.up_to_date, timeout=10_000)
    _wait_tasks(qtbot, window)
    with window.session.read() as s:
        core = cooccurrence(s, mode="turn", same_coder=True)
    expected = [["–" if v is None else f"{v:.3f}" for v in row] for row in core.jaccard]
    assert [row[1:] for row in _matrix(r)] == expected
    assert "Jaccard" in panel.summary.text() and "speaker turns" in panel.summary.text()

    # sorting by a column sorts the rows by its numbers
    column = 1 + next(i for i, row in enumerate(core.counts) if sum(row) > row[i])
    panel.view.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    values = [panel.proxy.index(i, column).data(SORT_ROLE) for i in range(panel.proxy.rowCount())]
    assert values == sorted(values, reverse=True)

    # the pairs, by count
    pairs = [
        (panel.pairs.item(i, 0).toolTip(), panel.pairs.item(i, 1).toolTip(),
         int(panel.pairs.item(i, 2).text()))
        for i in range(panel.pairs.rowCount())
    ]  # fmt: skip
    assert sorted(pairs) == sorted((p.a.path, p.b.path, p.count) for p in core.pairs())
    assert [c for _, _, c in pairs] == sorted((c for _, _, c in pairs), reverse=True)

    # the heatmap is drawn in its tab and saved for print
    panel.views.setCurrentWidget(panel.area)
    qtbot.waitUntil(lambda: panel.figure is not None, timeout=5000)
    assert panel.area.widget() is panel.canvas
    assert "Jaccard" in panel.figure.get_suptitle()
    panel.export(".png", tmp_path / "heat.png")
    panel.export(".svg", tmp_path / "heat.svg")
    panel.export(".xlsx", tmp_path / "cooc.xlsx")
    panel.export(".csv", tmp_path / "cooc.csv")
    _wait_tasks(qtbot, window)
    with Image.open(tmp_path / "heat.png") as img:
        assert img.info["dpi"] == pytest.approx((DPI, DPI), abs=0.01)
    texts = [t.text for t in ET.parse(tmp_path / "heat.svg").getroot().iter(f"{SVG}text")]
    assert any("Jaccard" in (t or "") for t in texts)
    book = load_workbook(tmp_path / "cooc.xlsx")
    assert [ws.title for ws in book.worksheets][:3] == ["Counts", "Jaccard", "Pairs"]
    counts = [list(row) for row in book["Counts"].iter_rows(min_row=2, values_only=True)]
    assert [row[1:] for row in counts] == core.counts
    with (tmp_path / "cooc.csv").open(encoding="utf-8-sig", newline="") as f:
        grid = list(csv.reader(f))
    assert grid[0] == ["code", *(c.path for c in core.codes)]  # the Jaccard matrix shown
    assert grid[1][1] == "1.0"
    assert "no transcript text" in r.status.text()


def test_a_pair_opens_its_passages_in_the_query_tab(reports, qtbot) -> None:
    r = reports
    window = r.main
    r.show_page("cooccurrence")
    panel = r.cooccurrence
    panel.set_options(mode="turn")
    qtbot.waitUntil(panel.up_to_date, timeout=10_000)
    _wait_tasks(qtbot, window)
    first = panel.pair_at(0)
    assert first is not None
    rect = panel.pairs.visualItemRect(panel.pairs.item(0, 0))
    qtbot.mouseClick(panel.pairs.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.pairs.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert r.tabs.currentWidget() is r.query
    qtbot.waitUntil(lambda: r.query.result is not None, timeout=10_000)
    _wait_tasks(qtbot, window)
    assert r.query.editor.expression() == pair_query(first)
    assert r.query.within.currentData() == "turn"
    with window.session.read() as s:
        core = run_query(s, pair_query(first), within="turn")
    assert len(core.excerpts) >= first.count  # a turn per (unit, coder) pair counted
    assert [(e.document_id, e.start, e.end) for e in r.query.model.rows] == [
        (e.document_id, e.start, e.end) for e in core.excerpts
    ]


# --- the query -------------------------------------------------------------------------------------


def test_expression_helpers() -> None:
    assert current_term('"Police fear" AND Hous', 22) == (18, "Hous")
    assert current_term("Police fe", 9) == (0, "Police fe")
    assert current_term('(A OR "Release', 14) == (6, '"Release')
    assert current_term("A AND", 5) == (0, "A AND")  # still being typed: could be a name
    assert current_term("A AND ", 6) == (6, "")
    assert insert_token('"A"', 3, "AND") == ('"A" AND ', 8)
    assert insert_token('"A" AND ', 8, "(") == ('"A" AND (', 9)
    assert insert_token('"A" AND ("B"', 12, ")") == ('"A" AND ("B") ', 14)
    paths = ["Trauma and loss", "Destigmatisation > Positive encounters with police", "Police fear"]
    assert ranked(paths, "POLIC") == [paths[2], paths[1]]
    assert ranked(paths, "and") == ["Trauma and loss"]
    assert error_position("at character 7: expected a code") == (7, "expected a code")
    assert error_position("the query is empty") == (None, "the query is empty")
    assert quoted("Trauma and loss") == '"Trauma and loss"'
    assert quoted('The "other" code') == "'The \"other\" code'"
    assert quoted('The "other" code\'s') == '“The "other" code\'s”'


def test_a_query_with_a_mistake_says_where_in_place(reports, qtbot, monkeypatch) -> None:
    r = reports
    r.show_page("query")
    panel = r.query
    shown = []
    monkeypatch.setattr(r.main, "show_error", shown.append)  # no dialog may appear
    qtbot.keyClicks(panel.editor, '"Police fear" AND (Housing OR')
    qtbot.waitUntil(panel.check.isVisible, timeout=3000)
    assert panel.error.startswith("expected a code") and "color: #c0392b" in panel.check.text()
    assert "At the end of the query: expected a code, '(' or NOT" in _text(panel.check)
    panel.set_expression('"Police fear" AND ) Housing')
    assert panel.check.isVisible()
    assert _text(panel.check).startswith("At character 19: expected a code")
    (mark,) = panel.editor.extraSelections()
    assert mark.cursor.selectionStart() == 18 and mark.cursor.selectedText() == ")"
    panel.set_expression('"Police fear" AND Copin')
    assert _text(panel.check) == "At character 19: no code 'Copin' in the codebook"
    panel.run()
    assert not r.main._tasks and panel.result is None and not shown
    panel.set_expression('"Police fear" AND "Coping strategies"')
    assert not panel.check.isVisible() and not panel.editor.extraSelections()


def test_code_names_complete_as_you_type(reports, qtbot) -> None:
    r = reports
    r.show_page("query")
    editor = r.query.editor
    r.activateWindow()
    editor.setFocus()
    qtbot.keyClicks(editor, "polic")
    popup = editor.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    offered = [editor.completer.completionModel().index(i, 0).data() for i in range(2)]
    assert offered == [
        "Police fear",  # its own name starts so: first
        "Destigmatisation and feeling valued > Positive encounters with police",
    ]
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # takes the first, does not run the query
    assert editor.expression() == '"Police fear" ' and not popup.isVisible()
    assert r.query.result is None and not r.main._tasks
    qtbot.keyClicks(editor, "AND hous")
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    qtbot.keyClick(popup, Qt.Key.Key_Tab)
    assert editor.expression() == '"Police fear" AND "Release-from-prison risks > Housing" '
    r.query.helper_buttons["OR"].click()
    r.query.helper_buttons["NOT"].click()
    r.query.helper_buttons["code"].click()  # every code to choose from
    assert popup.isVisible()
    assert editor.completer.completionCount() == len(r.main.codes.nodes)
    editor.insert_code("Gratitude")
    assert editor.expression().endswith('OR NOT "Gratitude" ')
    assert r.query.validate()
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # now Enter runs it
    qtbot.waitUntil(lambda: r.query.result is not None, timeout=10_000)
    _wait_tasks(qtbot, r.main)


def test_a_query_lists_what_run_query_finds_and_opens_the_passage(reports, qtbot) -> None:
    r = reports
    window = r.main
    r.show_page("query")
    panel = r.query
    expression = '"Police fear" OR "Coping strategies"'
    panel.within.setCurrentIndex(panel.within.findData("span"))
    panel.set_expression(expression)
    qtbot.keyClick(panel.editor, Qt.Key.Key_Return)  # Enter runs
    qtbot.waitUntil(lambda: panel.result is not None, timeout=10_000)
    _wait_tasks(qtbot, window)
    with window.session.read() as s:
        core = run_query(s, expression)
    rows = panel.model.rows
    assert [(e.document, e.start, e.end, e.text) for e in rows] == [
        (e.document, e.start, e.end, e.text) for e in core.excerpts
    ]
    assert f"{len(rows)} passages" in panel.summary.text()
    view = panel.table
    assert view.model().index(0, 0).data() == rows[0].document
    assert rows[0].text.split()[0] in view.model().index(0, 3).data()

    # double-click the third passage: the transcript opens at it, selected
    target = rows[2]
    rect = view.visualRect(view.model().index(2, 3))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert target.text[:30] in panel.preview.toPlainText()
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.document is not None and window.document.id == target.document_id
    assert window.view.selected_span() == (target.start, target.end)

    # the selected passages go to the quote basket, as one undoable step
    view.selectRow(0)
    view.selectionModel().select(
        view.model().index(1, 0),
        view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows,
    )
    assert "quotes 1–2" in panel.add_to_basket()
    with window.session.read() as s:
        items = basket(s)
    assert [(i.document_id, i.end) for i in items] == [(e.document_id, e.end) for e in rows[:2]]
    assert window.undo_action.text() == "Undo Add 2 quotes to basket"
    assert "already in the basket" in panel.add_to_basket()  # nothing twice, no dialog
    window.undo_action.trigger()
    with window.session.read() as s:
        assert basket(s) == []
    assert panel.stale and "run it again" in panel.summary.text()  # undo may change anything

    panel.format.setCurrentIndex(panel.format.findData(".xlsx"))
    panel.export(Path(window.path).parent / "query.xlsx")
    _wait_tasks(qtbot, window)
    sheet = load_workbook(Path(window.path).parent / "query.xlsx").worksheets[0]
    assert sheet.max_row == len(rows) + 1


# --- adding to the basket from the workspace --------------------------------------------------------


def test_add_to_the_basket_from_the_workspace_and_the_retrieval_list(make_window, qtbot) -> None:
    window = make_window()
    action = basket_actions.install(window)
    assert basket_actions.install(window) is action  # once
    assert action.shortcut().toString() == "Ctrl+Alt+Q"
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Reports")
    assert "Quote basket…" in [a.text() for a in menu.actions()] and action in menu.actions()

    # the selected text (snapped to whole words)
    _select_text(window, AMBULANCE[4:-3], "fg_kazakhstan")
    window.activateWindow()
    _press(qtbot, window.view.text_edit, "Ctrl+Alt+Q")
    with window.session.read() as s:
        (item,) = basket(s)
    assert item.display == item.original == "ambulance comes, and after them comes the police"
    assert item.section == "" and item.coding_id is None
    assert "Added quote 1" in window.statusBar().currentMessage()
    action.trigger()  # the same again: said, not refused with a dialog
    assert "already in the basket" in window.statusBar().currentMessage()

    # a coding selected (as clicking its bar does): the quote links to it, under its code
    police = resolve_code_id(window, "Police fear")
    with window.session.read() as s:
        coded = excerpts(s, filters=Filters(code_ids=(police,)))
    e = next(x for x in coded if x.document_id == window.document.id and AMBULANCE not in x.text)
    window.view.select_span(e.start, e.end, flash=False)
    window.coding.focus(e.coding_id)
    action.trigger()
    with window.session.read() as s:
        items = basket(s)
    assert len(items) == 2 and items[1].coding_id == e.coding_id
    assert items[1].section == "Police fear"

    # a row of the retrieval list, from its context menu
    window.codes.select_codes([police])
    qtbot.waitUntil(lambda: window.retrieval.model.rowCount() > 3, timeout=3000)
    row = window.retrieval.model.rows[3]
    message = window.retrieval.add_to_basket(row)
    assert "Added quote 3" in message
    with window.session.read() as s:
        assert basket(s)[2].coding_id == row.coding_id
    window.undo_action.trigger()
    with window.session.read() as s:
        assert len(basket(s)) == 2


def resolve_code_id(window, ref: str) -> int:
    with window.session.read() as s:
        return resolve_code(s, ref)


def test_the_retrieval_list_has_the_basket_in_its_context_menu(make_window, qtbot) -> None:
    window = make_window()
    window.codes.select_codes([resolve_code_id(window, "Police fear")])
    table = window.retrieval.table
    qtbot.waitUntil(lambda: window.retrieval.model.rowCount() > 0, timeout=3000)
    assert table.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    menu = window.retrieval.context_menu(table.model().index(0, 3))
    assert menu is not None
    actions = {a.text(): a for a in menu.actions()}
    assert list(actions) == ["Show in the transcript", "Add to quote basket"]
    actions["Add to quote basket"].trigger()
    with window.session.read() as s:
        (item,) = basket(s)
    assert item.coding_id == window.retrieval._row(table.model().index(0, 0)).coding_id
    assert "Added quote 1" in window.statusBar().currentMessage()
    assert window.retrieval.context_menu(table.model().index(99, 0)) is None


# --- the basket tab ----------------------------------------------------------------------------------


@pytest.fixture
def filled(reports, qtbot):
    """Reports with three quotes: the ambulance sentence, a Police fear coding, Maria's words."""
    r = reports
    window = r.main
    _select_text(window, AMBULANCE, "fg_kazakhstan")
    assert "Added quote 1" in basket_actions.add_from_workspace(window)
    police = resolve_code_id(window, "Police fear")
    window.codes.select_codes([police])
    qtbot.waitUntil(lambda: window.retrieval.model.rowCount() > 0, timeout=3000)
    window.retrieval.add_to_basket(window.retrieval.model.rows[0])
    _select_text(window, MARIA, "interview_release_02")
    basket_actions.add_from_workspace(window)
    r.show_page("basket")
    qtbot.waitUntil(lambda: len(r.basket.items) == 3, timeout=3000)
    return r


def test_an_unfaithful_edit_is_refused_and_a_faithful_one_saved(filled, qtbot) -> None:
    r = filled
    window, panel = r.main, r.basket
    panel.select(panel.items[0].id)
    assert panel.display.toPlainText() == AMBULANCE
    assert "Faithful" in panel.check.text()

    panel.display.setPlainText("The ambulance comes, and after them comes the army.")
    qtbot.waitUntil(lambda: "differs" in panel.check.text(), timeout=2000)
    assert "Word 9 of the display text differs from the original" in panel.check.text()
    assert "color: #c0392b" in panel.check.text()
    (mark,) = panel.display.extraSelections()
    assert mark.cursor.selectedText() == "army"
    assert not panel.save_button.isEnabled()
    assert not panel.save()
    with window.session.read() as s:
        assert basket(s)[0].display == AMBULANCE  # refused: nothing saved
    assert "Not saved" in r.status.text()

    panel.display.setPlainText("The ambulance comes, and after them [...] the police.")
    qtbot.waitUntil(lambda: "Faithful" in panel.check.text(), timeout=2000)
    assert panel.save_button.isEnabled()
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    with window.session.read() as s:
        assert basket(s)[0].display == "The ambulance comes, and after them [...] the police."
    assert window.undo_action.text() == "Undo Edit quote"

    # a translation: kept as is when ticked
    panel.display.setPlainText("Приезжает скорая, а за ней полиция.")
    qtbot.waitUntil(lambda: "Faithful" not in panel.check.text(), timeout=2000)
    assert not panel.save_button.isEnabled()
    panel.keep.setChecked(True)
    assert panel.save_button.isEnabled() and "Kept as is" in panel.check.text()
    assert panel.save()
    with window.session.read() as s:
        first = basket(s)[0]
    assert first.display.startswith("Приезжает") and not first.fidelity.faithful
    assert panel.tree.topLevelItem(0).child(0).text(0).startswith("1.  ⚠")

    # undo and redo from the main window: the editor follows
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: panel.display.toPlainText().endswith("[...] the police."), timeout=2000)
    window.undo_action.trigger()
    assert panel.display.toPlainText() == AMBULANCE
    window.redo_action.trigger()
    assert panel.display.toPlainText().endswith("[...] the police.")


def test_a_draft_is_kept_when_another_quote_is_selected(filled, qtbot) -> None:
    panel = filled.basket
    first, second = panel.items[0].id, panel.items[1].id
    panel.select(first)
    panel.display.setPlainText("The ambulance comes [...]")
    panel.select(second)
    assert panel.drafts == {first: "The ambulance comes [...]"}
    assert "✎" in next(
        panel.tree.topLevelItem(i).child(k).text(0)
        for i in range(panel.tree.topLevelItemCount())
        for k in range(panel.tree.topLevelItem(i).childCount())
        if panel.tree.topLevelItem(i).child(k).data(0, Qt.ItemDataRole.UserRole) == first
    )
    panel.select(first)
    assert panel.display.toPlainText() == "The ambulance comes [...]"
    panel.revert()
    assert panel.display.toPlainText() == AMBULANCE and not panel.drafts


def test_sections_order_and_removal_are_undoable(filled, qtbot) -> None:
    r = filled
    window, panel = r.main, r.basket
    ids = [i.id for i in panel.items]
    heads = [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]
    assert heads == ["Other quotes", "Police fear"]  # in the order of their first quote

    panel.select(ids[2])  # Maria's words, under "Other quotes" with the ambulance
    panel.section.setText("Naloxone")
    panel.section.editingFinished.emit()
    heads = [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]
    assert heads == ["Other quotes", "Police fear", "Naloxone"]
    panel.note.setText("Use in the discussion")
    panel.note.editingFinished.emit()
    with window.session.read() as s:
        third = basket(s)[2]
    assert (third.section, third.note) == ("Naloxone", "Use in the discussion")

    panel.select(ids[1])
    panel.section.setText("")
    panel.section.editingFinished.emit()  # the Police fear quote joins "Other quotes"
    panel.select(ids[1])
    panel.move_quote(-1)
    with window.session.read() as s:
        assert [i.id for i in basket(s)] == [ids[1], ids[0], ids[2]]
    assert panel.current_id == ids[1]
    window.undo_action.trigger()
    with window.session.read() as s:
        assert [i.id for i in basket(s)] == ids

    # drag the ambulance quote below Maria's (into her section)
    maria = next(
        panel.tree.topLevelItem(i).child(0)
        for i in range(panel.tree.topLevelItemCount())
        if panel.tree.topLevelItem(i).text(0) == "Naloxone"
    )
    from PySide6.QtWidgets import QAbstractItemView

    panel._dropped(ids[0], (maria, QAbstractItemView.DropIndicatorPosition.BelowItem))
    with window.session.read() as s:
        items = basket(s)
    assert [i.id for i in items] == [ids[1], ids[2], ids[0]]
    assert items[2].section == "Naloxone"
    window.undo_action.trigger()  # one step
    with window.session.read() as s:
        assert (basket(s)[0].id, basket(s)[0].section) == (ids[0], "")

    panel.select(ids[0])
    r.activateWindow()
    qtbot.waitUntil(r.isActiveWindow, timeout=2000)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    with window.session.read() as s:
        assert [i.id for i in basket(s)] == ids[1:]
    assert "Removed quote 1" in r.status.text()
    _press(qtbot, panel.tree, "Ctrl+Z")  # the project's undo works in the Reports window too
    with window.session.read() as s:
        assert [i.id for i in basket(s)] == ids


def test_citation_template_previews_and_saves(filled, qtbot) -> None:
    r = filled
    window, panel = r.main, r.basket
    panel.select(panel.items[2].id)  # Maria: participant PT-R1, a woman
    assert panel.citation.template.text() == DEFAULT_CITATION
    fields = [
        panel.citation.fields.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(panel.citation.fields.count())
    ]
    assert {"participant", "document", "place", "gender", "country"} <= set(fields)

    panel.citation.template.setText("({participant}, {gender}, ")
    panel.citation.fields.itemDoubleClicked.emit(
        panel.citation.fields.item(fields.index("country"))
    )
    panel.citation.template.insert(")")
    assert panel.citation.template.text() == "({participant}, {gender}, {country})"
    assert "Quote 3 is cited as: <b>(PT-R1, woman, Portugal)</b>" in panel.citation.preview.text()
    assert "(PT-R1, woman, Portugal)" in panel.printed.text()

    panel.citation.template.setText("({participant}, {shoe size})")
    assert "Unknown field {shoe size} in the citation" in panel.citation.preview.text()
    assert not panel.citation.use_button.isEnabled()
    panel.citation.set_template()  # refused: nothing saved
    with window.session.read() as s:
        assert citation_template(s) == DEFAULT_CITATION

    panel.citation.template.setText("({participant}, {gender}, {country})")
    panel.citation.use_button.click()
    with window.session.read() as s:
        assert citation_template(s) == "({participant}, {gender}, {country})"
    window.undo_action.trigger()
    with window.session.read() as s:
        assert citation_template(s) == DEFAULT_CITATION
    assert panel.citation.template.text() == DEFAULT_CITATION


def test_names_list_and_the_basket_exported_to_docx(filled, qtbot, tmp_path: Path) -> None:
    r = filled
    window, panel = r.main, r.basket
    panel.extras.setCurrentIndex(1)
    panel.names.name.setText("the police")
    panel.names.replacement.setText("the authorities")
    panel.names.add_button.click()
    assert panel.names.add_name("Almaty")  # the placeholder replaces it
    assert panel.names.table.rowCount() == 2
    assert [panel.names.table.item(i, 1).text() for i in range(2)] == ["[name]", "the authorities"]
    with window.session.read() as s:
        assert {(n.name, n.replacement) for n in list_names(s)} == {
            ("Almaty", ""), ("the police", "the authorities"),
        }  # fmt: skip
    panel.names.table.selectRow(0)
    panel.names.remove_button.click()
    assert panel.names.table.rowCount() == 1
    window.undo_action.trigger()
    assert panel.names.table.rowCount() == 2

    panel.pseudonymise.setChecked(True)
    panel.select(panel.items[0].id)
    assert "after them comes the authorities." in panel.printed.text()

    panel.with_notes.setChecked(True)
    window.session.run(
        undo.edit_quote(panel.items[2].id, section="Naloxone", note="For the discussion")
    )
    assert panel.format.currentData() == ".docx"
    panel.export(tmp_path / "quotes.docx")
    _wait_tasks(qtbot, window)
    doc = docx.Document(str(tmp_path / "quotes.docx"))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    headings = [t for style, t in paragraphs if style == "Heading 1"]
    assert headings == ["Other quotes", "Police fear", "Naloxone"]
    quotes = [t for style, t in paragraphs if style == "Block Quote"]
    assert len(quotes) == 3
    assert quotes[0].startswith("The ambulance comes, and after them comes the authorities.")
    assert "(KZ" in quotes[0] and "fg_kazakhstan" in quotes[0]  # the citation follows
    assert "PT-R1, after prison" in quotes[2] and "Maria" not in quotes[2]
    assert "Note: For the discussion" in [t for _, t in paragraphs]
    text = "\n".join(t for _, t in paragraphs)
    assert "confidential" in text.lower()
    assert "Wrote 3 quotes" in r.status.text() and "names pseudonymised" in r.status.text()

    panel.format.setCurrentIndex(panel.format.findData(".csv"))
    panel.export(tmp_path / "quotes.csv")
    _wait_tasks(qtbot, window)
    with (tmp_path / "quotes.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["section"] for row in rows] == ["", "Police fear", "Naloxone"]
    assert rows[0]["faithful"] == "yes"


def test_new_tabs_look_filled(filled, qtbot, tmp_path: Path) -> None:
    r = filled
    r.resize(1280, 820)
    r.query.run_expression('"Police fear" AND NOT "Coping strategies"')
    for key in ("cooccurrence", "query", "basket"):
        r.show_page(key)
        if key == "cooccurrence":
            qtbot.waitUntil(r.cooccurrence.up_to_date, timeout=10_000)
        _wait_tasks(qtbot, r.main)
        path = tmp_path / f"{key}.png"
        assert r.grab().save(str(path))
        with Image.open(path) as img:
            colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is not None and len(colours) > 20, key
    assert [r.tabs.tabText(i) for i in range(r.tabs.count())][-3:] == [
        "Co-occurrence", "Query", "Quote basket",
    ]  # fmt: skip
