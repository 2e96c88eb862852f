"""The Explore window on the sample project: lemma search (after offering the analysis) finds
every form, sorts as a concordance, opens passages, exports files that open back; coding hits
writes codings (undoably); keyword auto-coding makes pending suggestions whose review changes
the project, and rejected ones are not proposed again; word frequencies match the core."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from qualbench.changes import Changes
from qualbench.nlp.cache import analyse_project, unanalysed
from qualbench.nlp.frequencies import word_frequencies
from qualbench.nlp.scope import Scope
from qualbench.nlp.search import Hit, Query, search, sort_hits
from qualbench.nlp.units import expand
from qualbench.reports.filters import Filters
from qualbench.services.codes import resolve_code
from qualbench.suggestions import list_suggestions, pending_ids, status_counts
from ui.explore import ExploreWindow, open_explore
from ui.widgets.explore_kwic import DOCUMENT, HIT, LEFT, RIGHT, SPEAKER, KwicModel, KwicView


def _wait(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window._tasks, timeout=20_000)


@pytest.fixture
def explore(make_window, qtbot) -> ExploreWindow:
    window = make_window()
    e = open_explore(window)
    assert isinstance(e, ExploreWindow)
    return e


@pytest.fixture
def analysed(explore, qtbot) -> ExploreWindow:
    """The Explore window on a sample whose documents are analysed (as the core does it)."""
    analyse_project(explore.main.session.project)
    return explore


def _search(e: ExploreWindow, qtbot, text: str, mode: str = "lemma", speakers: str = "") -> None:
    e.search.set_query(text, mode=mode)
    e.search.speakers.setText(speakers)
    e.search.run()
    _wait(qtbot, e.main)


def _codings(e: ExploreWindow, code_id: int) -> list[tuple[int, int, int, str]]:
    from qualbench.reports import excerpts

    with e.main.session.read() as s:
        found = excerpts(s, filters=Filters(code_ids=(code_id,), coders=("tester",)))
    return sorted((x.document_id, x.start, x.end, x.origin) for x in found)


# --- search -------------------------------------------------------------------------------------


def test_lemma_search_offers_the_analysis_then_finds_every_form(explore, qtbot) -> None:
    e = explore
    with e.main.session.read() as s:
        assert len(unanalysed(s)) == 6
    _search(e, qtbot, "arrest")
    result = e.search.result
    assert result is not None and result.hits == [] and len(result.not_analysed) == 6
    assert e.search.analysis.isVisibleTo(e) and "6 documents not searched" in (
        e.search.analysis.label.text()
    )
    qtbot.mouseClick(e.search.analysis.button, Qt.MouseButton.LeftButton)
    _wait(qtbot, e.main)  # the analysis, then the search again
    result = e.search.result
    assert result is not None and not result.not_analysed
    assert not e.search.analysis.isVisibleTo(e)
    matches = [h.match.lower() for h in e.search.model.hits]
    assert "arrested" in matches and "arrest" in matches
    with e.main.session.read() as s:
        assert unanalysed(s) == []
        core = search(s, Query("arrest", mode="lemma"), context=60)
    assert e.search.model.hits == core.hits
    assert f"{len(core.hits)} hits" in e.search.summary.text()
    assert "Analysed 6 documents" in e.status.text()


def test_hits_sort_like_a_concordance(analysed, qtbot) -> None:
    e = analysed
    _search(e, qtbot, "police", mode="word")
    model, table = e.search.model, e.search.table
    original = list(model.hits)
    assert len(original) > 10
    for column, key in ((LEFT, "left"), (HIT, "hit"), (RIGHT, "right"), (SPEAKER, "speaker")):
        table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
        assert model.hits == sort_hits(original, key)
        table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
        assert model.hits == list(reversed(sort_hits(original, key)))
    table.sortByColumn(DOCUMENT, Qt.SortOrder.AscendingOrder)
    assert model.hits == original
    table.sortByColumn(LEFT, Qt.SortOrder.AscendingOrder)
    left = [h.left.split()[-1].casefold() for h in model.hits if h.left.split()]
    assert left == sorted(left)  # the word just before the hit, in order
    assert model.data(model.index(0, LEFT), Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    assert model.data(model.index(0, HIT), Qt.ItemDataRole.FontRole).bold()


def test_enter_and_double_click_open_the_passage(analysed, qtbot) -> None:
    e = analysed
    _search(e, qtbot, "arrest")
    table = e.search.table
    last = len(e.search.model.hits) - 1
    table.setFocus()
    table.selectRow(last)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    h = e.search.model.hits[last]
    assert e.main.document is not None and e.main.document.id == h.document_id
    assert e.main.view.selected_span() == (h.start, h.end)
    assert e.main.document.text[h.start : h.end].lower().startswith("arrest")
    first = e.search.model.hits[0]
    rect = table.visualRect(e.search.model.index(0, HIT))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert e.main.document.id == first.document_id
    assert e.main.view.selected_span() == (first.start, first.end)


def test_speakers_and_mistakes(analysed, qtbot) -> None:
    e = analysed
    _search(e, qtbot, "police", mode="word", speakers="Maria")
    hits = e.search.model.hits
    assert hits and {h.speaker for h in hits} == {"Maria"}
    assert "speaker Maria" in e.search.summary.text()
    _search(e, qtbot, "(police", mode="regex")
    assert "not valid" in e.search.error and "not valid" in e.search.summary.text()
    assert e.search.model.hits == hits  # the last results stay
    _search(e, qtbot, "police", mode="word", speakers="Nobody-here")
    assert "Nobody-here" in e.search.error
    e.search.score.setValue(80)
    _search(e, qtbot, "polise", mode="fuzzy")
    assert e.search.score.isEnabled() and e.search.model.columnCount() == 6
    assert {h.match.lower() for h in e.search.model.hits} == {"police"}
    e.search.mode.setCurrentIndex(e.search.mode.findData("exact"))
    assert not e.search.score.isEnabled()
    assert not e.search.stale.isVisibleTo(e)
    e.main.session.notify(Changes(codings=frozenset({1})))  # no code filter: hits unchanged
    assert not e.search.stale.isVisibleTo(e)
    e.main.session.notify(Changes(documents=frozenset({1})))
    assert e.search.stale.isVisibleTo(e)


def test_exports_open_back(analysed, qtbot, tmp_path: Path) -> None:
    e = analysed
    _search(e, qtbot, "police", mode="word")
    e.search.table.sortByColumn(RIGHT, Qt.SortOrder.AscendingOrder)
    shown = list(e.search.model.hits)
    e.search.export(tmp_path / "hits.csv")
    e.search.export(tmp_path / "hits.xlsx")
    _wait(qtbot, e.main)
    with (tmp_path / "hits.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["document", "speaker", "participant"]
    assert [(r[0], int(r[3]), int(r[4]), r[6]) for r in rows[1:]] == [
        (h.document, h.start, h.end, h.match) for h in shown
    ]  # in the order shown
    book = load_workbook(tmp_path / "hits.xlsx")
    sheet = book["Hits"]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == len(shown) + 1 and values[1][6] == shown[0].match
    about = {r[0]: r[1] for r in book.worksheets[-1].iter_rows(values_only=True) if r and r[0]}
    assert "transcript text" in str(about.get("Contents", ""))
    assert "contains transcript text" in e.status.text()


# --- coding hits --------------------------------------------------------------------------------


def test_coding_selected_hits_writes_manual_codings_and_undoes(analysed, qtbot) -> None:
    e = analysed
    _search(e, qtbot, "arrest")
    with e.main.session.read() as s:
        code = resolve_code(s, "Police fear")
    before = _codings(e, code)
    table = e.search.table
    table.selectRow(0)
    table.selectionModel().select(
        e.search.model.index(1, 0),
        table.selectionModel().SelectionFlag.Select | table.selectionModel().SelectionFlag.Rows,
    )
    chosen = e.search.selected_hits()
    assert len(chosen) == 2
    e.search.unit.setCurrentIndex(e.search.unit.findData("sentence"))
    e.search.code.set_code(code)
    assert e.search.code_selected_button.text() == "Code 2 selected"
    qtbot.mouseClick(e.search.code_selected_button, Qt.MouseButton.LeftButton)
    _wait(qtbot, e.main)
    with e.main.session.read() as s:
        spans = expand(s, chosen, "sentence")
    after = _codings(e, code)
    added = sorted(set(after) - set(before))
    assert added == [(d, a, z, "manual") for d, a, z in spans if (d, a, z, "manual") not in before]
    assert added and "Coded" in e.status.text() and "Police fear" in e.status.text()
    assert e.main.session.stack.undo_label.startswith("Code 2 search hits")

    e.activateWindow()
    qtbot.waitUntil(e.isActiveWindow, timeout=3000)
    qtbot.keySequence(e.search.table, QKeySequence.StandardKey.Undo)  # Ctrl+Z in this window
    qtbot.waitUntil(lambda: _codings(e, code) == before, timeout=3000)


def test_coding_all_hits_marks_them_auto(analysed, qtbot) -> None:
    e = analysed
    _search(e, qtbot, "naloxone kit", mode="exact")
    hits = list(e.search.model.hits)
    assert hits
    with e.main.session.read() as s:
        code = resolve_code(s, "Naloxone carrying and use")
    e.search.code.set_code(code)
    e.search.unit.setCurrentIndex(e.search.unit.findData("hit"))
    e.search.code_hits(selected=False)
    _wait(qtbot, e.main)
    mine = {(d, a, z): origin for d, a, z, origin in _codings(e, code)}
    assert all(mine.get((h.document_id, h.start, h.end)) == "auto" for h in hits)
    assert "auto-coded" in e.status.text()


def test_the_kwic_model_copes_with_50000_hits(qtbot) -> None:
    hits = [
        Hit(i % 7, f"doc{i % 7}", i * 10, i * 10 + 5, f"w{i % 997} left", "hit", f"r{i % 13}")
        for i in range(50_000)
    ]
    model = KwicModel()
    started = time.perf_counter()
    model.set_hits(hits)
    model.sort(LEFT)
    model.sort(RIGHT, Qt.SortOrder.DescendingOrder)
    assert time.perf_counter() - started < 3
    assert model.rowCount() == 50_000 and model.hits[0].right == "r9"
    assert model.data(model.index(49_999, HIT)) == "hit"
    view = KwicView(model)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    started = time.perf_counter()
    view.fit_columns()
    view.scrollToBottom()
    view.grab()
    assert time.perf_counter() - started < 2  # rows are not measured


# --- auto-coding --------------------------------------------------------------------------------


def _run_rules(e: ExploreWindow, qtbot) -> None:
    e.show_page("autocode")
    e.autocode.rules.run()
    _wait(qtbot, e.main)


def _pending(e: ExploreWindow) -> list:
    with e.main.session.read() as s:
        return list_suggestions(s, e.main.session.coder_id)


def test_keyword_rules_make_pending_suggestions(explore, qtbot) -> None:
    e = explore
    rules = e.autocode.rules
    assert rules.keyword_box.isChecked() and rules.keyword_codes.count() > 10
    _run_rules(e, qtbot)  # nothing analysed yet: the bar offers it
    assert "found nothing" in rules.summary.text() and rules.analysis.isVisibleTo(e)
    qtbot.mouseClick(rules.analysis.button, Qt.MouseButton.LeftButton)
    _wait(qtbot, e.main)
    run = rules.last
    assert run is not None and run.new > 50
    pending = _pending(e)
    assert len(pending) == run.new
    assert {p.rule_kind for p in pending} == {"keyword"}
    review = e.autocode.review
    assert review.model.rowCount() == len(pending)
    assert f"{run.new:,}</b> waiting" in review.counts.text()
    assert run.summary() in rules.summary.text()
    arrested = [p for p in pending if "arrested" in p.text and p.code == "Police fear"]
    assert arrested, "the keyword 'arrest' finds 'arrested'"
    e.main.session.undo()  # saving the suggestions is one undoable step
    assert _pending(e) == [] and review.model.rowCount() == 0


def test_review_accept_reject_reopen_and_accept_all(analysed, qtbot) -> None:
    e = analysed
    _run_rules(e, qtbot)
    review = e.autocode.review
    table = review.table
    fifth = review.model.rows[4]
    table.activated.emit(review.proxy.index(4, 3))  # double-click or Enter
    assert e.main.document is not None and e.main.document.id == fifth.document_id
    assert e.main.view.selected_span() == (fifth.start, fifth.end)
    first = review.model.rows[0]
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_A)
    counts = lambda: status_counts_total(e)  # noqa: E731
    assert counts()["accepted"] == 1
    assert (first.document_id, first.start, first.end, "auto") in _codings(e, first.code_id)
    assert review.model.rows[0].id != first.id  # the accepted one left the pending list
    second = review.model.rows[0]
    qtbot.keyClick(table, Qt.Key.Key_R)
    assert counts()["rejected"] == 1
    assert second.id not in {p.id for p in _pending(e)}

    police = next(p.code_id for p in _pending(e) if p.code == "Police fear")
    review.code.setCurrentIndex(review.code.findData(police))
    assert all(r.code_id == police for r in review.model.rows)
    n = len(review.model.rows)
    assert "Police fear" in review.accept_code_button.text()
    qtbot.mouseClick(review.accept_code_button, Qt.MouseButton.LeftButton)
    with e.main.session.read() as s:
        assert pending_ids(s, e.main.session.coder_id, [police]) == []
    assert counts()["accepted"] >= n + 1
    assert review.model.rowCount() == 0

    review.code.setCurrentIndex(0)
    review.show_status("accepted")
    row = next(i for i, r in enumerate(review.model.rows) if r.id == first.id)
    table.selectRow(review.proxy.mapFromSource(review.model.index(row, 0)).row())
    qtbot.mouseClick(review.reopen_button, Qt.MouseButton.LeftButton)
    assert first.id in {p.id for p in _pending(e)}
    assert (first.document_id, first.start, first.end, "auto") not in _codings(e, first.code_id)
    e.main.session.undo()  # the reopening, undone
    assert (first.document_id, first.start, first.end, "auto") in _codings(e, first.code_id)


def status_counts_total(e: ExploreWindow) -> dict[str, int]:
    with e.main.session.read() as s:
        counts = status_counts(s, e.main.session.coder_id)
    return {
        k: sum(n for (_, st), n in counts.items() if st == k)
        for k in ("pending", "accepted", "rejected")
    }


def test_rejected_suggestions_do_not_come_back(analysed, qtbot) -> None:
    e = analysed
    _run_rules(e, qtbot)
    review = e.autocode.review
    rejected = [r.id for r in review.model.rows[:5]]
    keys = {(r.document_id, r.start, r.end, r.code_id) for r in review.model.rows[:5]}
    review.decide("reject", review.model.rows[:5])
    pending_before = len(_pending(e))
    _run_rules(e, qtbot)
    run = e.autocode.rules.last
    assert run is not None and run.new == 0 and run.rejected_before == 5
    assert "5 rejected before (not proposed again)" in e.autocode.rules.summary.text()
    pending = _pending(e)
    assert len(pending) == pending_before
    assert not keys & {(p.document_id, p.start, p.end, p.code_id) for p in pending}
    assert status_counts_total(e)["rejected"] == len(rejected)


def test_speaker_and_pattern_rules(analysed, qtbot) -> None:
    e = analysed
    rules = e.autocode.rules
    with e.main.session.read() as s:
        code = resolve_code(s, "Police fear")
    rules.keyword_box.setChecked(False)
    rules.speaker_box.setChecked(True)
    rules.speakers.setText("Maria")
    rules.speaker_code.set_code(code)
    rules.regex_box.setChecked(True)
    rules.pattern.setText(r"\bpolice car\b")
    rules.regex_code.set_code(code)
    rules.regex_unit.setCurrentIndex(rules.regex_unit.findData("hit"))
    _run_rules(e, qtbot)
    pending = _pending(e)
    kinds = {p.rule_kind for p in pending}
    assert kinds == {"speaker", "regex"}, kinds
    assert all(p.speaker == "Maria" for p in pending if p.rule_kind == "speaker")
    assert [p.text.lower() for p in pending if p.rule_kind == "regex"] == ["police car"]
    rules.pattern.setText("")
    rules.run()
    assert "needs a pattern" in rules.summary.text()


# --- words --------------------------------------------------------------------------------------


def test_word_frequencies_match_the_core_and_open_a_search(analysed, qtbot, tmp_path) -> None:
    e = analysed
    e.show_page("words")
    words = e.words
    words.set_options(by="document:country")
    words.compute()
    _wait(qtbot, e.main)
    with e.main.session.read() as s:
        core = word_frequencies(s, Scope(), by="document:country")
    model = words.model
    assert model.rowCount() == len(core.rows)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Word (lemma)", "Count", "Documents", *core.columns, "Written as"]
    cells = [
        [model.data(model.index(r, c), Qt.ItemDataRole.UserRole) for c in range(len(headers))]
        for r in range(model.rowCount())
    ]
    assert cells == [
        [w.lemma, w.total, w.documents, *(w.by.get(c, 0) for c in core.columns), ", ".join(w.forms)]
        for w in core.rows
    ]
    proxy = words.proxy
    totals = [proxy.data(proxy.index(i, 1), Qt.ItemDataRole.UserRole) for i in range(40)]
    assert totals == sorted(totals, reverse=True)  # most frequent first, as numbers
    words.export(tmp_path / "words.csv")
    words.export(tmp_path / "words.xlsx")
    _wait(qtbot, e.main)
    with (tmp_path / "words.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["lemma", "count", "documents", *core.columns, "forms"]
    assert rows[1][:2] == [core.rows[0].lemma, str(core.rows[0].total)]
    assert load_workbook(tmp_path / "words.xlsx")["Words"].max_row == len(core.rows) + 1

    words.find.setText("arrest")
    assert proxy.rowCount() >= 1
    index = proxy.index(0, 0)
    lemma = proxy.data(index)
    words.view.activated.emit(index)
    _wait(qtbot, e.main)
    assert e.tabs.currentWidget() is e.search
    assert e.search.query.text() == lemma and e.search.mode.currentData() == "lemma"
    assert e.search.result is not None and e.search.model.hits


def test_the_menu_opens_the_window_with_its_shortcut(make_window, qtbot) -> None:
    window = make_window()
    action = next(
        a
        for a in window.findChildren(type(window.undo_action))
        if a.shortcut() == QKeySequence("Ctrl+Shift+F")
    )
    action.trigger()
    explore = window.findChild(ExploreWindow)
    assert explore is not None and explore.isVisible()
    assert explore.tabs.currentWidget() is explore.search
    others = [
        a
        for a in window.findChildren(type(window.undo_action))
        if a is not action and a.shortcut() == QKeySequence("Ctrl+Shift+F")
    ]
    assert others == []


def test_keyword_rules_can_leave_out_the_moderators(analysed, qtbot) -> None:
    e = analysed
    rules = e.autocode.rules
    rules.left_out.setText("Moderator, Interviewer")
    _run_rules(e, qtbot)
    pending = _pending(e)
    assert pending and not {p.speaker.casefold() for p in pending} & {"moderator", "interviewer"}
    e.main.session.undo()
    rules.left_out.setText("")
    _run_rules(e, qtbot)
    assert {p.speaker.casefold() for p in _pending(e)} & {"moderator", "interviewer"}


def test_speaker_fields_complete_the_last_name_typed(analysed, qtbot) -> None:
    from qualbench.nlp.scope import speaker_names

    field = analysed.search.speakers
    completer = field.completer()
    with analysed.main.session.read() as s:
        names = speaker_names(s)
    assert completer.model().stringList() == names and "Moderator" in names
    field.setText("Maria, mod")
    assert completer.splitPath(field.text()) == ["mod"]
    completer.setCompletionPrefix("mod")
    offered = completer.completionModel()
    shown = [offered.index(i, 0).data() for i in range(offered.rowCount())]
    assert "Moderator" in shown and all("mod" in n.casefold() for n in shown)
    row = shown.index("Moderator")
    assert completer.pathFromIndex(offered.index(row, 0)) == "Maria, Moderator"
    assert analysed.autocode.rules.left_out.completer() is not None
