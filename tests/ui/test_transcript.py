"""The transcript view: highlights, speaker labels, offsets across emoji, the coding margin,
filters, partial re-highlighting, drops, coding keys and how it looks."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QGuiApplication,
    QHelpEvent,
    QPalette,
    QTextCharFormat,
)
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from qualbench.workspace import CodingMark, DocumentView, TurnMark
from ui.widgets.transcript import CODE_IDS_MIME, SPAN_MIME, TranscriptView
from ui.widgets.transcript_index import IntervalIndex, Span, pack_lanes

CODES = {
    1: ("Experiences > Trauma and loss", "#B5443B"),
    2: ("Support > Peer support", "#2E6FB7"),
    3: ("Naloxone", "#2E8B57"),
}
CODERS = {1: "ana", 2: "ben"}

LINES = [
    "Interview with Maria 😀, recorded in 2024 🎧",
    "",
    "[00:00:05] Interviewer: How did it start? 🙂 Tell me about the first day.",
    "",
    "[00:00:12] Maria: It started at the clinic. The nurse was kind and the kit helped a lot. "
    "I carried it every day after that, in my bag, next to the keys.",
    "",
    "[00:00:40] Interviewer: And your friends?",
    "",
    "[00:00:44] Maria: My friends laughed at first. Then one of them overdosed and we used it.",
]
TEXT = "\n".join(LINES)


def at(phrase: str) -> int:
    """Code-point offset of a phrase in TEXT."""
    i = TEXT.find(phrase)
    assert i >= 0, phrase
    return i


def span(phrase: str) -> tuple[int, int]:
    return at(phrase), at(phrase) + len(phrase)


def turns(text: str) -> tuple[TurnMark, ...]:
    out = []
    pos = 0
    for line in text.split("\n"):
        if line.startswith("[") and ": " in line:
            label_end = line.index(": ") + 2
            speaker = line[line.index("]") + 2 : label_end - 2]
            out.append(TurnMark(pos, pos + label_end, pos + len(line), speaker, 5000, speaker))
        pos += len(line) + 1
    return tuple(out)


def mark(cid: int, phrase: str, code: int, coder: int, *, memo: bool = False) -> CodingMark:
    a, z = span(phrase)
    return CodingMark(cid, a, z, code, coder, "manual", memo)


C1 = mark(1, "started at the clinic. The nurse was kind", 1, 1)
C2 = mark(2, "The nurse was kind and the kit helped", 2, 2)
C3 = mark(3, "My friends laughed at first", 3, 2, memo=True)
CODINGS = [C1, C2, C3]
DOC = DocumentView(7, "maria", "interview", TEXT, turns(TEXT))


@pytest.fixture
def view(qtbot: QtBot) -> TranscriptView:
    v = TranscriptView()
    qtbot.addWidget(v)
    v.resize(900, 600)
    v.set_document(DOC, CODINGS, codes=CODES, coders=CODERS)
    v.show()
    qtbot.waitExposed(v)
    return v


def qt_pos(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


def fmt_at(v: TranscriptView, offset: int) -> QTextCharFormat | None:
    """The highlighter's format on the character at a code-point offset."""
    pos = qt_pos(v.document().text, offset)
    block = v.text_edit.document().findBlock(pos)
    rel = pos - block.position()
    ranges = block.layout().formats()
    for r in ranges:
        if r.start <= rel < r.start + r.length:
            return QTextCharFormat(r.format)  # a copy: the range owns its format
    return None


def background(v: TranscriptView, offset: int) -> str | None:
    f = fmt_at(v, offset)
    return (
        f.background().color().name()
        if f is not None and f.hasProperty(QTextCharFormat.Property.BackgroundBrush)
        else None
    )


# --- highlights ------------------------------------------------------------------------------


def test_overlaps_get_their_own_mixed_background_and_an_underline(view: TranscriptView) -> None:
    only_1 = background(view, at("started"))
    both = background(view, at("nurse"))
    only_2 = background(view, at("kit helped"))
    base = view.palette().color(QPalette.ColorRole.Base).name()
    assert None not in (only_1, both, only_2)
    assert len({only_1, both, only_2, base}) == 4
    assert background(view, at("lot.")) is None  # no coding there
    # the overlap is darker than either single wash (light theme) and underlined
    assert QColor(both).lightness() < min(QColor(only_1).lightness(), QColor(only_2).lightness())
    f = fmt_at(view, at("nurse"))
    assert f is not None and f.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline
    single = fmt_at(view, at("started"))
    assert (
        single is not None and single.underlineStyle() == QTextCharFormat.UnderlineStyle.NoUnderline
    )


def test_speaker_label_is_bold_and_muted_the_words_are_not(view: TranscriptView) -> None:
    t = DOC.turns[1]  # "[00:00:12] Maria: "
    label = fmt_at(view, t.start)
    assert label is not None and label.fontWeight() == QFont.Weight.Bold
    assert fmt_at(view, t.body_start - 2) is not None  # the whole label, up to ": "
    text_color = view.palette().color(QPalette.ColorRole.Text)
    assert label.foreground().color() != text_color
    assert fmt_at(view, t.body_start) is None  # "It started": not coded, not bold


def test_focused_coding_stands_out(view: TranscriptView) -> None:
    before = background(view, at("nurse"))
    view.focus_coding(C2.id)
    assert view.focused_coding() == C2.id
    focused = background(view, at("nurse"))
    assert focused != before
    f = fmt_at(view, at("kit helped"))
    assert f is not None and f.underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline
    view.focus_coding(None)
    assert background(view, at("nurse")) == before
    with pytest.raises(KeyError):
        view.focus_coding(999)


# --- offsets across emoji --------------------------------------------------------------------


def test_select_span_round_trips_code_points_after_astral_characters(
    view: TranscriptView, qtbot: QtBot
) -> None:
    a, z = span("Tell me about the first day")
    assert qt_pos(TEXT, a) == a + 3  # three emoji before it, two UTF-16 units each
    with qtbot.waitSignal(view.selectionSpanChanged) as sig:
        view.select_span(a, z, flash=True)
    assert sig.args == [a, z]
    assert view.selected_span() == (a, z)
    assert view.text_edit.textCursor().selectedText() == TEXT[a:z]
    assert view.text_edit.extraSelections()  # the flash
    qtbot.waitUntil(lambda: not view.text_edit.extraSelections(), timeout=3000)
    # and back: a selection made in Qt units reads as code points
    cur = view.text_edit.textCursor()
    cur.setPosition(qt_pos(TEXT, at("🙂")))
    cur.setPosition(qt_pos(TEXT, at("🙂") + 1), cur.MoveMode.KeepAnchor)
    view.text_edit.setTextCursor(cur)
    assert view.selected_span() == (at("🙂"), at("🙂") + 1)
    assert view.cursor_offset() == at("🙂") + 1
    cur.clearSelection()
    view.text_edit.setTextCursor(cur)
    assert view.selected_span() is None


def test_coding_ids_at_lists_the_innermost_first(view: TranscriptView) -> None:
    assert view.coding_ids_at(at("nurse")) == [C2.id, C1.id]
    assert view.coding_ids_at(at("started")) == [C1.id]
    assert view.coding_ids_at(at("Interviewer")) == []


def test_a_long_span_is_brought_into_view(qtbot: QtBot) -> None:
    text = "\n".join(
        f"[00:00:{i % 60:02d}] P{i % 3}: " + "words and more words " * 8 for i in range(300)
    )
    doc = DocumentView(1, "long", "interview", text, turns(text))
    v = TranscriptView()
    qtbot.addWidget(v)
    v.resize(800, 500)
    v.set_document(doc, [], codes=CODES, coders=CODERS)
    v.show()
    qtbot.waitExposed(v)
    a = text.index("P2: ", len(text) // 2)
    v.select_span(a, a + 50, flash=False)
    edit = v.text_edit
    cur = edit.textCursor()
    rect = edit.cursorRect(cur)
    assert 0 < rect.top() < edit.viewport().height()
    assert abs(rect.center().y() - edit.viewport().height() / 2) < edit.viewport().height() / 4


# --- margin ----------------------------------------------------------------------------------


def test_overlapping_codings_get_different_lanes(view: TranscriptView) -> None:
    lanes = view.state.lanes
    assert lanes[C1.id] != lanes[C2.id]
    assert lanes[C3.id] == 0  # nothing beside it
    r1, r2 = view.margin.bar_rect(C1.id), view.margin.bar_rect(C2.id)
    assert r1 is not None and r2 is not None
    assert r1.left() != r2.left()
    assert r1.top() < r2.top() + 1  # C1 starts on the same line or earlier


def test_pack_lanes_never_puts_overlapping_spans_in_one_lane() -> None:
    rnd = random.Random(5)
    spans = [
        Span(i, (a := rnd.randrange(5000)), a + rnd.randint(1, 400), 1, 1, False)
        for i in range(400)
    ]
    index = IntervalIndex(spans)
    lanes = pack_lanes(index.spans, gap=10)
    by_lane: dict[int, list[Span]] = {}
    for s in index.spans:
        by_lane.setdefault(lanes[s.id], []).append(s)
    for members in by_lane.values():
        for x, y in itertools.pairwise(members):
            assert x.end + 10 <= y.start
    assert sorted(set(lanes.values())) == list(range(len(by_lane)))  # no lane skipped


def test_interval_index_agrees_with_brute_force_and_updates_in_place() -> None:
    rnd = random.Random(9)
    spans = [Span(i, (a := rnd.randrange(20000)), a + rnd.choice([rnd.randint(1, 300), 9000]), 1, 1, False)
             for i in range(600)]  # fmt: skip
    index = IntervalIndex(spans)
    for _ in range(200):
        a = rnd.randrange(21000)
        z = a + rnd.randint(1, 800)
        expected = {s.id for s in spans if s.start < z and s.end > a}
        assert {s.id for s in index.overlapping(a, z)} == expected
    gone, new = spans[:50], [Span(1000 + i, i * 30, i * 30 + 5000, 2, 2, False) for i in range(20)]
    updated = index.updated(remove=gone, add=new)
    rebuilt = IntervalIndex(spans[50:] + new)
    assert updated.spans == rebuilt.spans
    for a in range(0, 21000, 997):
        assert updated.overlapping(a, a + 400) == rebuilt.overlapping(a, a + 400)


def test_clicking_a_bar_activates_and_selects_its_coding(
    view: TranscriptView, qtbot: QtBot
) -> None:
    rect = view.margin.bar_rect(C2.id)
    assert rect is not None
    with qtbot.waitSignal(view.codingActivated) as sig:
        qtbot.mouseClick(view.margin, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert sig.args == [C2.id]
    assert view.focused_coding() == C2.id
    assert view.selected_span() == (C2.start, C2.end)


def test_right_click_on_a_bar_asks_for_its_menu(view: TranscriptView, qtbot: QtBot) -> None:
    rect = view.margin.bar_rect(C3.id)
    assert rect is not None
    with qtbot.waitSignal(view.codingMenuRequested) as sig:
        qtbot.mouseClick(view.margin, Qt.MouseButton.RightButton, pos=rect.center().toPoint())
    assert sig.args[0] == C3.id
    assert sig.args[1] == view.margin.mapToGlobal(rect.center().toPoint())


def test_margin_tooltip_comes_from_the_owners_details(view: TranscriptView) -> None:
    rect = view.margin.bar_rect(C1.id)
    assert rect is not None
    assert view.margin.hit(rect.center()) == [C1.id]
    assert "Trauma and loss" in (view.margin.tooltip_for([C1.id]) or "")  # built in
    assert "ana" in (view.margin.tooltip_for([C1.id]) or "")
    view.details = lambda cid: f"<b>coding {cid}</b>"
    assert view.margin.tooltip_for([C1.id]) == "<b>coding 1</b>"
    assert view.margin.hit(QPointF(1, 1)) == []


def test_hovering_a_bar_marks_its_text_until_the_mouse_leaves(
    view: TranscriptView, qtbot: QtBot
) -> None:
    rect = view.margin.bar_rect(C3.id)
    assert rect is not None
    qtbot.mouseMove(view.margin, rect.center().toPoint())
    qtbot.waitUntil(lambda: view.margin.hovered_id == C3.id, timeout=1000)
    (sel,) = view.text_edit.extraSelections()
    assert (sel.cursor.selectionStart(), sel.cursor.selectionEnd()) == (
        qt_pos(TEXT, C3.start),
        qt_pos(TEXT, C3.end),
    )
    qtbot.mouseMove(view.margin, QPoint(2, view.margin.height() - 2))
    qtbot.waitUntil(lambda: not view.text_edit.extraSelections(), timeout=1000)


def test_hovering_coded_text_explains_the_codings(view: TranscriptView, qtbot: QtBot) -> None:
    edit = view.text_edit
    cur = edit.textCursor()
    cur.setPosition(qt_pos(TEXT, at("nurse") + 2))
    rect = edit.cursorRect(cur)
    point = QPoint(rect.x() + 2, rect.center().y())
    view.details = lambda cid: f"coding #{cid}"
    event = QHelpEvent(QEvent.Type.ToolTip, point, edit.viewport().mapToGlobal(point))
    QGuiApplication.sendEvent(edit.viewport(), event)
    assert QToolTip.text() == "coding #2<hr>coding #1"  # innermost first
    QToolTip.hideText()


def test_margin_width_can_be_set(view: TranscriptView) -> None:
    assert 150 <= view.margin_width() <= 190  # the default
    view.set_margin_width(260)
    assert view.margin_width() == 260
    view.margin.grab()
    assert len(view.margin.geometry_now().labels) == 3


def test_lanes_that_do_not_fit_collapse_into_a_badge(qtbot: QtBot) -> None:
    a, z = span("It started at the clinic")
    many = [CodingMark(100 + i, a, z + i, 1 + i % 3, 1, "manual", False) for i in range(30)]
    v = TranscriptView()
    qtbot.addWidget(v)
    v.resize(900, 600)
    v.set_document(DOC, many, codes=CODES, coders=CODERS)
    v.show()
    qtbot.waitExposed(v)
    geo = v.margin.geometry_now()
    assert len(geo.bars) == geo.fit < 30
    assert sum(len(spans) for _, spans in geo.badges) == 30 - geo.fit
    rect = geo.badges[0][0]
    assert len(v.margin.hit(rect.center())) == 30 - geo.fit


# --- filters and partial updates ---------------------------------------------------------------


def test_hiding_a_coder_removes_their_highlights_and_bars(view: TranscriptView) -> None:
    assert background(view, at("kit helped")) is not None
    view.set_visible_coders({1})
    assert background(view, at("kit helped")) is None  # C2 is ben's
    assert background(view, at("laughed")) is None  # C3 too
    assert background(view, at("started")) is not None  # C1 is ana's
    assert view.margin.bar_rect(C2.id) is None
    assert view.coding_ids_at(at("nurse")) == [C1.id]
    view.set_visible_coders(None)
    assert background(view, at("kit helped")) is not None
    view.set_visible_codes({3})
    assert background(view, at("started")) is None
    assert background(view, at("laughed")) is not None


def test_set_codings_with_changed_rehighlights_only_the_blocks_touched(qtbot: QtBot) -> None:
    text = "\n".join(
        f"[00:{i // 60:02d}:{i % 60:02d}] P{i % 4}: " + "we talked about the kit " * 6
        for i in range(400)
    )
    doc = DocumentView(2, "many", "interview", text, turns(text))
    rnd = random.Random(1)
    marks = []
    for i in range(300):
        a = rnd.randrange(len(text) - 300)
        marks.append(
            CodingMark(i + 1, a, a + rnd.randint(20, 250), 1 + i % 3, 1 + i % 2, "manual", False)
        )
    v = TranscriptView()
    qtbot.addWidget(v)
    v.set_document(doc, marks, codes=CODES, coders=CODERS)
    blocks = v.text_edit.document().blockCount()
    assert v.highlighter.calls == blocks  # one full pass on open, no second one queued
    qtbot.wait(20)
    assert v.highlighter.calls == blocks
    a = text.index("P3: ", 5000) + 4
    new = CodingMark(9999, a, a + 10, 2, 1, "manual", False)
    lonely = next(o for o in range(a, a + 10) if not v.coding_ids_at(o))
    calls = v.highlighter.calls
    v.set_codings([*marks, new], changed=[new.id])
    assert v.highlighter.calls - calls == 1
    assert 9999 in v.coding_ids_at(lonely)
    assert background(v, lonely) is not None
    calls = v.highlighter.calls
    v.set_codings(marks, changed=[new.id])  # removal: its old span is remembered
    assert v.highlighter.calls - calls == 1
    assert background(v, lonely) is None
    moved = CodingMark(marks[0].id, a, a + 10, 3, 1, "manual", False)
    calls = v.highlighter.calls
    v.set_codings([moved, *marks[1:]], changed=[moved.id])  # old place and new place
    assert v.highlighter.calls - calls <= 4
    assert v.coding_ids_at(lonely) == [moved.id]
    calls = v.highlighter.calls
    v.set_codings(marks)  # no `changed`: everything
    assert v.highlighter.calls - calls == blocks


def test_a_recode_is_redrawn_even_when_not_listed(view: TranscriptView) -> None:
    before = background(view, at("laughed"))
    lane = view.state.lanes[C1.id]
    recoded = CodingMark(C3.id, C3.start, C3.end, 1, C3.coder_id, C3.origin, False)
    view.set_codings([C1, C2, recoded], changed=[])
    assert background(view, at("laughed")) not in (before, None)
    assert background(view, at("laughed")) == background(view, at("started"))  # code 1 alone
    assert view.state.lanes[C1.id] == lane  # untouched codings keep their lanes


def test_set_codes_recolours(view: TranscriptView) -> None:
    before = background(view, at("started"))
    view.set_codes({**CODES, 1: ("Experiences > Trauma", "#00C000")})
    after = background(view, at("started"))
    assert after != before
    assert QColor(after).green() > QColor(after).red()


# --- drops, keys, menus, Ctrl+click ------------------------------------------------------------


def _drag(
    view: TranscriptView, payload: bytes, mime: QMimeData
) -> tuple[QDragEnterEvent, QDropEvent]:
    """Events carrying ``payload`` in ``mime`` (the caller keeps it alive: events only point at it)."""
    mime.setData(CODE_IDS_MIME, payload)
    pos = QPointF(view.text_edit.viewport().rect().center())
    enter = QDragEnterEvent(
        pos.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    drop = QDropEvent(
        pos,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    return enter, drop


def test_dropping_codes_onto_a_selection_emits_their_ids(
    view: TranscriptView, qtbot: QtBot
) -> None:
    viewport = view.text_edit.viewport()
    mime, bad_mime = QMimeData(), QMimeData()
    enter, _ = _drag(view, b"3,1", mime)
    QGuiApplication.sendEvent(viewport, enter)
    assert not enter.isAccepted()  # nothing selected: nothing to apply the codes to
    view.select_span(*span("the first day"), flash=False)
    enter, drop = _drag(view, b"3,1", mime)
    QGuiApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(view.codesDropped) as sig:
        QGuiApplication.sendEvent(viewport, drop)
    assert sig.args == [[3, 1]]
    _, bad = _drag(view, b"not,ids", bad_mime)
    with qtbot.assertNotEmitted(view.codesDropped):
        QGuiApplication.sendEvent(viewport, bad)


def test_digit_keys_go_to_the_owner_navigation_and_copy_stay(
    view: TranscriptView, qtbot: QtBot
) -> None:
    edit = view.text_edit
    edit.setFocus()
    with qtbot.waitSignal(view.keyPressedForCoding) as sig:
        qtbot.keyClick(edit, Qt.Key.Key_1)
    assert sig.args[0].key() == Qt.Key.Key_1
    with qtbot.waitSignal(view.keyPressedForCoding) as sig:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)
    with qtbot.waitSignal(view.keyPressedForCoding):
        qtbot.keyClick(edit, Qt.Key.Key_Q)
    view.select_span(*span("The nurse"), flash=False)
    with qtbot.assertNotEmitted(view.keyPressedForCoding):
        qtbot.keyClick(edit, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        start = view.cursor_offset()
        qtbot.keyClick(edit, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClick(edit, Qt.Key.Key_Right)
    assert QGuiApplication.clipboard().text() == "The nurse"
    assert view.cursor_offset() != start


def test_right_click_on_text_asks_for_the_text_menu(view: TranscriptView, qtbot: QtBot) -> None:
    viewport = view.text_edit.viewport()
    local = QPoint(60, 40)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, local, viewport.mapToGlobal(local))
    with qtbot.waitSignal(view.textMenuRequested) as sig:
        QGuiApplication.sendEvent(viewport, event)
    assert sig.args == [viewport.mapToGlobal(local)]


def test_ctrl_click_on_coded_text_activates_and_cycles(view: TranscriptView, qtbot: QtBot) -> None:
    edit = view.text_edit
    cur = edit.textCursor()
    cur.setPosition(qt_pos(TEXT, at("nurse") + 2))
    rect = edit.cursorRect(cur)
    point = QPoint(rect.x() + 2, rect.center().y())
    assert view.offset_at(edit.viewport().mapToGlobal(point)) == at("nurse") + 2
    with qtbot.waitSignal(view.codingActivated) as sig:
        qtbot.mouseClick(
            edit.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, point
        )
    assert sig.args == [C2.id]  # innermost first
    with qtbot.waitSignal(view.codingActivated) as sig:
        qtbot.mouseClick(
            edit.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, point
        )
    assert sig.args == [C1.id]
    assert view.selected_span() == (C1.start, C1.end)


def test_dragged_selection_carries_its_span(view: TranscriptView) -> None:
    view.select_span(*span("How did it start?"), flash=False)
    mime = view.text_edit.createMimeDataFromSelection()
    assert mime.text() == "How did it start?"
    a, z = span("How did it start?")
    assert bytes(mime.data(SPAN_MIME).data()) == f"7,{a},{z}".encode()


# --- looks -----------------------------------------------------------------------------------


def _dark(view: TranscriptView) -> None:
    pal = QPalette()
    for role, color in [
        (QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.WindowText, "#dddddd"),
        (QPalette.ColorRole.Base, "#1e1e1e"), (QPalette.ColorRole.Text, "#dddddd"),
        (QPalette.ColorRole.Button, "#353535"), (QPalette.ColorRole.ButtonText, "#dddddd"),
        (QPalette.ColorRole.Mid, "#555555"), (QPalette.ColorRole.Highlight, "#3d6fb4"),
    ]:  # fmt: skip
        pal.setColor(role, QColor(color))
    view.setPalette(pal)


def test_turns_get_room_above_them(view: TranscriptView) -> None:
    edit = view.text_edit
    doc = edit.document()
    header = doc.findBlockByNumber(0)
    turn = doc.findBlock(qt_pos(TEXT, DOC.turns[1].start))
    after_text = doc.findBlock(qt_pos(TEXT, DOC.turns[1].start)).next()  # blank line
    assert edit.blockBoundingRect(turn).height() > edit.blockBoundingRect(after_text).height()
    line_h = header.layout().lineAt(0).height()
    assert turn.layout().lineAt(0).y() > 0  # lines moved down for the spacing
    assert (
        turn.layout().lineCount() == 1
        or turn.layout().lineAt(1).y() - turn.layout().lineAt(0).y() > line_h
    )
    view.resize(420, 600)  # re-wrapped lines are spaced again
    long_turn = doc.findBlock(qt_pos(TEXT, at("It started")))
    edit.viewport().grab()
    lines = [long_turn.layout().lineAt(i) for i in range(long_turn.layout().lineCount())]
    assert len(lines) > 2
    assert all(b.y() - a.y() > line_h + 2 for a, b in itertools.pairwise(lines))


def test_screenshots_light_and_dark(view: TranscriptView, qtbot: QtBot) -> None:
    view.resize(1000, 460)
    view.focus_coding(C3.id)
    qtbot.wait(10)
    img = view.grab().toImage()
    assert not img.isNull() and img.width() == 1000
    # the margin shows bars in the code colours, the text a wash of them
    margin_colors = {
        img.pixelColor(x, y).name() for x in range(0, 170, 2) for y in range(0, 460, 3)
    }
    assert len(margin_colors) > 5
    light_bg = background(view, at("started"))
    Path("/tmp/transcript_view.png").unlink(missing_ok=True)
    assert view.grab().save("/tmp/transcript_view.png")
    _dark(view)
    dark_bg = background(view, at("started"))
    assert dark_bg != light_bg and QColor(dark_bg).lightness() < 128
    assert view.grab().save("/tmp/transcript_view_dark.png")


def test_empty_document_and_codings_beyond_the_text_are_harmless(qtbot: QtBot) -> None:
    v = TranscriptView()
    qtbot.addWidget(v)
    v.set_document(DocumentView(1, "empty", "interview", "", ()), [], codes={}, coders={})
    v.show()
    assert v.selected_span() is None and v.cursor_offset() == 0
    assert not v.grab().isNull()
    v.set_document(DOC, [CodingMark(5, 10, 10**6, 42, 9, "import", False)], codes={}, coders={})
    assert v.coding_ids_at(len(TEXT) - 1) == [5]
    assert "code 42" in (v.margin.tooltip_for([5]) or "")
    v.select_span(len(TEXT) - 3, len(TEXT) + 50, flash=False)
    assert v.selected_span() == (len(TEXT) - 3, len(TEXT))


def test_a_palette_change_is_followed(view: TranscriptView) -> None:
    assert view.highlighter.dark is False
    _dark(view)
    assert view.highlighter.dark is True
