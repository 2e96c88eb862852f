"""The coding workspace driven like a coder would: keys, palette, drag and drop, in-vivo, undo,
memos, merging codes, coders shown or hidden, importing with a bad file among good ones."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QSplitter
from sqlalchemy import func, select

from qualbench.db import CODE, CODING, MEMO
from ui.models.codes import CODE_MIME

QUOTE = "The ambulance comes, and after them comes the police."


def _codings(window, **where) -> list[tuple]:
    with window.session.read() as s:
        q = select(CODING.c.start, CODING.c.end, CODING.c.code_id, CODING.c.coder_id)
        for key, value in where.items():
            q = q.where(CODING.c[key] == value)
        return [tuple(r) for r in s.execute(q)]


def _code_id(window, name: str) -> int:
    return next(n.id for n in window.codes.nodes.values() if n.name == name)


def _select_quote(window, quote: str = QUOTE) -> tuple[int, int]:
    start = window.document.text.index(quote)
    window.view.select_span(start, start + len(quote), flash=False)
    return start, start + len(quote)


def _open(window, name: str) -> None:
    with window.session.read() as s:
        from qualbench.services.documents import resolve_document

        window.open_document(resolve_document(s, name))


def test_opens_first_document_with_codings(make_window) -> None:
    window = make_window()
    assert window.document is not None and window.document.name == "fg_kazakhstan"
    assert "fg_kazakhstan" in window.header.text()
    assert window.codes.model.rowCount() > 5
    assert "tester" in window.coder_label.text()


def test_apply_pinned_code_by_number_key_then_undo_redo(make_window, qtbot) -> None:
    window = make_window()
    police = _code_id(window, "Police fear")
    window.codes.pin(police, 3)
    span = _select_quote(window)
    before = len(_codings(window, coder_id=window.session.coder_id))
    qtbot.keyClick(window.view.text_edit, Qt.Key.Key_3)
    mine = _codings(window, coder_id=window.session.coder_id)
    assert (span[0], span[1], police, window.session.coder_id) in mine and len(mine) == before + 1
    assert window.undo_action.text() == "Undo Apply 'Police fear'"
    window.undo_action.trigger()
    assert len(_codings(window, coder_id=window.session.coder_id)) == before
    window.redo_action.trigger()
    assert (span[0], span[1], police, window.session.coder_id) in _codings(window)
    assert window.view.coding_ids_at(span[0] + 3)


def test_quick_code_palette_fuzzy_search_and_create(make_window, qtbot) -> None:
    window = make_window()
    span = _select_quote(window)
    window.coding.open_palette()
    assert window.quick_palette.isVisible()
    qtbot.keyClicks(window.quick_palette.query, "polce fear")  # a typo still finds it
    assert window.quick_palette.list.item(0).text() == "Police fear"
    qtbot.keyClick(window.quick_palette.query, Qt.Key.Key_Return)
    assert not window.quick_palette.isVisible()
    assert (span[0], span[1], _code_id(window, "Police fear"), window.session.coder_id) in _codings(
        window
    )
    # A name that matches nothing becomes a new code applied to the selection.
    window.coding.open_palette()
    qtbot.keyClicks(window.quick_palette.query, "Ambulance and police")
    last = window.quick_palette.list.item(window.quick_palette.list.count() - 1)
    assert last.text().startswith("Create code")
    window.quick_palette.list.setCurrentItem(last)
    qtbot.keyClick(window.quick_palette.query, Qt.Key.Key_Return)
    assert (
        span[0],
        span[1],
        _code_id(window, "Ambulance and police"),
        window.session.coder_id,
    ) in _codings(window)


def test_drag_a_code_onto_the_selection(make_window) -> None:
    window = make_window()
    span = _select_quote(window)
    gratitude = _code_id(window, "Gratitude")
    mime = QMimeData()
    mime.setData(CODE_MIME, str(gratitude).encode())
    viewport = window.view.text_edit.viewport()
    point = QPointF(viewport.rect().center())
    for kind in (QDropEvent.Type.DragEnter, QDropEvent.Type.DragMove):
        from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent

        cls = QDragEnterEvent if kind == QDropEvent.Type.DragEnter else QDragMoveEvent
        event = cls(
            point.toPoint(),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, event)
    drop = QDropEvent(
        point,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, drop)
    assert (span[0], span[1], gratitude, window.session.coder_id) in _codings(window)


def test_in_vivo_code_from_the_words(make_window, qtbot) -> None:
    window = make_window()
    start, end = _select_quote(window, "So people don't call.")
    qtbot.keyClick(window.view.text_edit, Qt.Key.Key_V)
    with window.session.read() as s:
        code = s.execute(select(CODE.c.id).where(CODE.c.name == "So people don't call")).scalar()
    assert code is not None
    assert (start, end - 1, code, window.session.coder_id) in _codings(window) or (
        start,
        end,
        code,
        window.session.coder_id,
    ) in _codings(window)
    assert window.undo_action.text().startswith("Undo In-vivo code")
    window.undo_action.trigger()
    with window.session.read() as s:
        assert (
            s.execute(select(CODE.c.id).where(CODE.c.name == "So people don't call")).scalar()
            is None
        )


def test_code_a_whole_turn_with_the_selected_code(make_window) -> None:
    window = make_window()
    start = window.document.text.index(QUOTE)
    window.view.select_span(start + 4, start + 4, flash=False)
    trauma = _code_id(window, "Trauma and loss")
    window.codes.select_codes([trauma])
    window.coding.code_unit("turn")
    turn = next(t for t in window.document.turns if t.start <= start < t.end)
    assert (turn.body_start, turn.end, trauma, window.session.coder_id) in _codings(window)


def test_memo_saved_as_you_type(make_window, qtbot) -> None:
    window = make_window()
    editor = window.memos.editors["document"].editor
    qtbot.keyClicks(editor, "Moderator leads a lot here.")
    qtbot.waitUntil(lambda: not window.memos.editors["document"].timer.isActive(), timeout=3000)
    with window.session.read() as s:
        texts = (
            s.execute(select(MEMO.c.text).where(MEMO.c.document_id == window.document.id))
            .scalars()
            .all()
        )
    assert texts == ["Moderator leads a lot here."]
    qtbot.keyClicks(editor, " Check turn 12.")
    window.memos.save_all()
    with window.session.read() as s:
        texts = (
            s.execute(select(MEMO.c.text).where(MEMO.c.document_id == window.document.id))
            .scalars()
            .all()
        )
    assert texts == ["Moderator leads a lot here. Check turn 12."]


def test_merge_codes_from_the_codes_panel(make_window, monkeypatch) -> None:
    window = make_window()
    source, target = _code_id(window, "Coping strategies"), _code_id(window, "Empowerment")
    total = len(_codings(window, code_id=source)) + len(_codings(window, code_id=target))
    window.codes.select_codes([source])
    monkeypatch.setattr(window.codes, "ask_item", lambda *a: "Empowerment")
    window.codes.merge_selected()
    assert "Coping strategies" not in [n.name for n in window.codes.nodes.values()]
    assert 0 < len(_codings(window, code_id=target)) <= total
    window.undo_action.trigger()
    assert "Coping strategies" in [n.name for n in window.codes.nodes.values()]


def test_delete_code_asks_with_counts(make_window, monkeypatch) -> None:
    window = make_window()
    police = _code_id(window, "Police fear")
    window.codes.select_codes([police])
    asked: list[str] = []
    monkeypatch.setattr(window.codes, "confirm", lambda title, text: asked.append(text) or False)
    window.codes.delete_selected()
    assert "15 codings" in asked[0] and police in window.codes.nodes  # refused: kept
    monkeypatch.setattr(window.codes, "confirm", lambda title, text: True)
    window.codes.delete_selected()
    assert police not in window.codes.nodes and not _codings(window, code_id=police)


def test_hide_and_show_a_coders_codings(make_window) -> None:
    window = make_window()
    with window.session.read() as s:
        from qualbench.workspace import coders

        ids = {n: i for i, n in coders(s)}
    quote = "Because I lost many friends."
    offset = window.document.text.index(quote) + 3
    assert window.view.coding_ids_at(offset)  # ana and ben both coded it
    window.show_coder(ids["ana"], False, list(ids.values()))
    window.show_coder(ids["ben"], False, list(ids.values()))
    assert window.view.coding_ids_at(offset) == []
    window.show_coder(ids["ben"], True, list(ids.values()))
    assert window.view.coding_ids_at(offset)


def test_retrieval_lists_excerpts_and_jumps(make_window) -> None:
    window = make_window()
    police = _code_id(window, "Police fear")
    window.codes.select_codes([police])
    model = window.retrieval.model
    assert model.rowCount() == 15
    row = next(i for i, e in enumerate(model.rows) if e.document == "fg_ukraine")
    window.retrieval.table.selectRow(row)
    window.retrieval._jump(model.index(row, 0))
    assert window.document.name == "fg_ukraine"
    e = model.rows[row]
    assert window.view.selected_span() == (e.start, e.end)
    assert "fg_ukraine" in window.retrieval.preview.toPlainText()
    window.retrieval.coder.setCurrentText("ana")
    assert all(e.coder == "ana" for e in model.rows) and 0 < model.rowCount() < 15


def test_import_with_a_bad_file_among_good_ones(make_window, qtbot, tmp_path: Path) -> None:
    from ui.actions import run_import

    window = make_window()
    good = tmp_path / "new_interview.txt"
    good.write_text(
        "INTERVIEWER: How was your week?\nRESPONDENT: Better, I found a room.\n", encoding="utf-8"
    )
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    run_import(window, [good, bad])
    qtbot.waitUntil(lambda: window.import_report is not None, timeout=10000)
    assert (
        "1 imported" in window.import_report.text()
        and "1 could not be imported" in window.import_report.text()
    )
    assert "broken.docx" in window.import_report.detailedText()
    names = [
        window.documents.model.item(r).child(c).text()
        for r in range(window.documents.model.rowCount())
        for c in range(window.documents.model.item(r).rowCount())
    ]
    assert "new_interview" in names
    window.import_report.close()


def test_everything_is_there_after_quit_and_reopen(make_window, sample_file: Path) -> None:
    window = make_window()
    police = _code_id(window, "Police fear")
    window.codes.pin(police, 1)
    span = _select_quote(window)
    window.coding.apply_pinned(1)
    editor = window.memos.editors["project"].editor
    editor.setPlainText("Overall impressions after the first read.")
    window.close()
    window.session.close()
    again = make_window(sample_file)
    assert (span[0], span[1], police, again.session.coder_id) in _codings(again)
    with again.session.read() as s:
        assert (
            s.execute(
                select(func.count()).select_from(MEMO).where(MEMO.c.text.like("Overall%"))
            ).scalar()
            == 1
        )
    assert (
        again.memos.editors["project"].editor.toPlainText()
        == "Overall impressions after the first read."
    )
    assert again.codes.pinned(1) == police


def test_layout_is_remembered(make_window, qtbot) -> None:
    window = make_window()
    window.docks["memos"].hide()
    split = window.codes.findChild(QSplitter, "codes-split")
    split.setSizes([200, 100])
    first, second = split.sizes()
    window.view.set_margin_width(220)
    window.close()
    window.session.close()
    again = make_window()
    assert not again.docks["memos"].isVisible()
    assert again.view.margin_width() == 220
    restored = again.codes.findChild(QSplitter, "codes-split")
    qtbot.waitUntil(
        lambda: abs(restored.sizes()[0] / sum(restored.sizes()) - first / (first + second)) < 0.05,
        timeout=2000,
    )


def test_text_keys_only_act_in_the_transcript(make_window, qtbot) -> None:
    window = make_window()
    police = _code_id(window, "Police fear")
    window.codes.pin(police, 3)
    _select_quote(window)
    before = _codings(window)
    window.retrieval.table.setFocus()
    qtbot.keyClick(window.retrieval.table, Qt.Key.Key_3)
    window.codes.tree.setFocus()
    ids = window.view.coding_ids_at(window.document.text.index(QUOTE) + 3)
    window.coding.focus(ids[0])
    qtbot.keyClick(window.codes.tree, Qt.Key.Key_Delete)
    assert _codings(window) == before  # neither coded nor removed from another panel
    window.view.text_edit.setFocus()
    qtbot.keyClick(window.view.text_edit, Qt.Key.Key_Delete)
    assert len(_codings(window)) == len(before) - 1


def test_drag_text_onto_a_code_in_the_tree(make_window) -> None:
    window = make_window()
    start = window.document.text.index(QUOTE)
    gratitude = _code_id(window, "Gratitude")
    mime = QMimeData()
    mime.setData(
        "application/x-qualbench-span",
        f"{window.document.id},{start},{start + len(QUOTE)}".encode(),
    )
    index = window.codes.model.index_of(gratitude)
    assert window.codes.model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, index)
    window.codes.model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, index)
    assert (start, start + len(QUOTE), gratitude, window.session.coder_id) in _codings(window)


def test_recode_to_a_new_code_keeps_one_coding(make_window, qtbot) -> None:
    window = make_window()
    offset = window.document.text.index(QUOTE) + 3
    coding = window.view.coding_ids_at(offset)[0]
    count = len(_codings(window))
    window.coding.focus(coding)
    window.coding.recode()
    assert "Recode" in window.quick_palette.query.placeholderText()
    qtbot.keyClicks(window.quick_palette.query, "Calling for help")
    window.quick_palette.list.setCurrentRow(window.quick_palette.list.count() - 1)
    qtbot.keyClick(window.quick_palette.query, Qt.Key.Key_Return)
    assert len(_codings(window)) == count
    assert _code_id(window, "Calling for help") in {c[2] for c in _codings(window)}


def test_a_pending_coding_memo_survives_removing_the_coding(make_window, qtbot) -> None:
    window = make_window()
    offset = window.document.text.index(QUOTE) + 3
    coding = window.view.coding_ids_at(offset)[0]
    window.coding.focus(coding)
    editor = window.memos.editors["coding"].editor
    qtbot.keyClicks(editor, "Ambulance means police here")
    window.coding.remove(coding)  # before the autosave fired
    window.undo_action.trigger()
    with window.session.read() as s:
        texts = s.execute(select(MEMO.c.text).where(MEMO.c.coding_id == coding)).scalars().all()
    assert texts == ["Ambulance means police here"]


def test_find_in_the_document(make_window, qtbot) -> None:
    window = make_window()
    window.find_bar.start()
    qtbot.keyClicks(window.find_bar.query, "the   POLICE")
    first = window.view.selected_span()
    assert first is not None and window.document.text[first[0] : first[1]].lower() == "the police"
    qtbot.keyClick(window.find_bar.query, Qt.Key.Key_Return)
    second = window.view.selected_span()
    assert second is not None and second[0] > first[0]
    assert " of " in window.find_bar.count.text()


def test_show_only_the_selected_codes(make_window) -> None:
    window = make_window()
    offset = window.document.text.index("Because I lost many friends.") + 3
    police = _code_id(window, "Police fear")
    window.codes.select_codes([police])
    window.only_selected_action.setChecked(True)
    assert window.view.coding_ids_at(offset) == []  # trauma codings hidden
    assert "only the selected codes" in window.header.text()
    window.only_selected_action.setChecked(False)
    assert window.view.coding_ids_at(offset)


def test_deleting_several_codes_is_one_undo_step(make_window, monkeypatch) -> None:
    window = make_window()
    ids = [_code_id(window, "Gratitude"), _code_id(window, "Coping strategies")]
    window.codes.select_codes(ids)
    monkeypatch.setattr(window.codes, "confirm", lambda *a: True)
    window.codes.delete_selected()
    assert not set(ids) & set(window.codes.nodes)
    window.undo_action.trigger()
    assert set(ids) <= set(window.codes.nodes)
