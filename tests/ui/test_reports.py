"""The Reports window on the sample project: the theme table matches the core and sorts and
filters, exports open back, the chart draws and saves, quotes of a .docx are verified and open
in the transcript, excerpts export to a DOCX that opens back."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from PIL import Image
from PySide6.QtCore import Qt

from qualbench.changes import Changes
from qualbench.reports import Filters, excerpts, theme_table
from qualbench.reports.charts import DPI
from qualbench.reports.themes import MEASURE_LABELS
from ui.reports import ReportsWindow, open_reports
from ui.widgets.report_theme_model import PATH_ROLE

EXACT = "The ambulance comes, and after them comes the police."
SVG = "{http://www.w3.org/2000/svg}"


def _wait_tasks(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window._tasks, timeout=10_000)


@pytest.fixture
def reports(make_window, qtbot):
    window = make_window()
    r = open_reports(window)
    qtbot.waitUntil(r.themes.up_to_date, timeout=10_000)
    _wait_tasks(qtbot, window)
    return r


def _recount(r: ReportsWindow, qtbot) -> None:
    qtbot.waitUntil(r.themes.up_to_date, timeout=10_000)
    _wait_tasks(qtbot, r.main)


def _grid(r: ReportsWindow) -> list[list[str]]:
    """The table as shown (after sorting and filtering): code path, then every cell's text."""
    proxy = r.themes.proxy
    rows = []
    for i in range(proxy.rowCount()):
        path = proxy.data(proxy.index(i, 0), PATH_ROLE)
        cells = [proxy.index(i, c).data() for c in range(1, proxy.columnCount())]
        rows.append([path, *cells])
    return rows


def _expected(table, measure: str, percent: str | None = None) -> list[list[str]]:
    def text(v) -> str:
        if v is None:
            return "–"
        if percent or measure == "pct_participants":
            return f"{v:.1f}%"
        return f"{v:,}"

    return [
        [
            r.path,
            *(text(table.value(r, c, measure, percent)) for c in table.columns),
            text(table.value(r, None, measure, percent)),
        ]
        for r in table.rows
    ]


# --- theme table -------------------------------------------------------------------------------


def test_theme_table_matches_the_core(reports, qtbot) -> None:
    r = reports
    window = r.main
    assert isinstance(r, ReportsWindow) and r.tabs.currentWidget() is r.themes
    with window.session.read() as s:
        expected = theme_table(s, by="document:country")
    headers = [
        r.themes.proxy.headerData(c, Qt.Orientation.Horizontal)
        for c in range(r.themes.proxy.columnCount())
    ]
    assert headers == ["Code", *expected.columns, "Total"]
    assert _grid(r) == _expected(expected, "codings")
    assert "number of coded segments" in r.themes.summary.text()

    r.themes.set_options(by="case:gender", measure="participants", show="row", rollup=True)
    _recount(r, qtbot)
    with window.session.read() as s:
        expected = theme_table(s, by="case:gender", rollup=True)
    assert _grid(r) == _expected(expected, "participants", "row")
    assert r.themes.table is not None and r.themes.table.rollup
    assert "Each code includes its sub-codes" in r.themes.summary.text()

    r.themes.set_options(measure="pct_participants")  # a percentage already: no row %
    qtbot.waitUntil(lambda: not r.themes.percent.isEnabled())
    assert _grid(r) == _expected(expected, "pct_participants")


def test_sorting_and_the_code_filter(reports, qtbot) -> None:
    r = reports
    view, proxy = r.themes.view, r.themes.proxy
    table = r.themes.table
    assert table is not None
    tree_order = [row.path for row in table.rows]
    assert [row[0] for row in _grid(r)] == tree_order  # codebook order to start with

    total = proxy.columnCount() - 1
    view.sortByColumn(total, Qt.SortOrder.DescendingOrder)
    totals = [int(row[-1]) for row in _grid(r)]
    assert totals == sorted(totals, reverse=True)
    assert _grid(r)[0][0] == "Police fear"  # 15 codings, the most
    view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # numbers as numbers, not as text
    belgium = [int(row[1]) for row in _grid(r)]
    assert belgium == sorted(belgium)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [row[0] for row in _grid(r)] == tree_order

    qtbot.keyClicks(r.themes.search, "RELEASE")
    paths = [row[0] for row in _grid(r)]
    assert paths[0] == "Release-from-prison risks" and len(paths) == 9
    assert all(p.startswith("Release-from-prison risks") for p in paths)
    r.themes.search.setText("naloxone")
    paths = [row[0] for row in _grid(r)]
    assert paths == [p for p in tree_order if "naloxone" in p.lower()]
    assert "Naloxone carrying and use > Carrying naloxone" in paths
    r.themes.search.clear()
    assert proxy.rowCount() == len(tree_order)


def test_filters_count_only_what_is_ticked(reports, qtbot) -> None:
    r = reports
    window = r.main
    with window.session.read() as s:
        from qualbench.services.codes import resolve_code

        release = resolve_code(s, "Release-from-prison risks")
    r.themes.filters.tick("coders", ["ana"])
    r.themes.filters.tick("codes", [release])
    r.themes.filters.tick("attributes", [("case", "gender", "woman")])
    _recount(r, qtbot)
    filters = r.themes.filters.filters()
    assert filters.coders == ("ana",) and filters.code_ids == (release,)
    assert [(a.scope, a.name, a.values) for a in filters.attributes] == [
        ("case", "gender", ("woman",))
    ]
    with window.session.read() as s:
        expected = theme_table(s, by="document:country", filters=filters)
    assert _grid(r) == _expected(expected, "codings")
    assert all(row[0].startswith("Release-from-prison risks") for row in _grid(r))
    summary = r.themes.filters.summary()
    assert "coders: ana" in summary and "Release-from-prison risks" in summary
    assert "gender = woman" in summary
    r.themes.filters.clear()
    _recount(r, qtbot)
    assert r.themes.filters.filters() == Filters()
    assert len(_grid(r)) > 9


def test_theme_table_exports_open_back(reports, qtbot, tmp_path: Path) -> None:
    r = reports
    window = r.main
    r.themes.set_options(measure="participants")
    with window.session.read() as s:
        expected = theme_table(s, by="document:country")
    police = next(row for row in expected.rows if row.path == "Police fear")

    r.themes.export(".csv", tmp_path / "themes.csv")
    r.themes.export(".xlsx", tmp_path / "themes.xlsx")
    r.themes.export(".docx", tmp_path / "themes.docx")
    _wait_tasks(qtbot, window)
    with (tmp_path / "themes.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["code", *expected.columns, "total"]
    line = next(row for row in rows if row[0] == "Police fear")
    assert line[1:] == [str(police.cells[c].participants) for c in expected.columns] + [
        str(police.total.participants)
    ]
    wb = load_workbook(tmp_path / "themes.xlsx")
    first = wb.worksheets[0]
    assert first.title.lower().startswith("participants")
    row = next(r for r in first.iter_rows(values_only=True) if r[0] == "Police fear")
    assert row[-1] == police.total.participants  # a number, not text
    doc = docx.Document(str(tmp_path / "themes.docx"))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert any(c.strip() == "Police fear" for c in cells)
    assert any(c.startswith("Kazakhstan") for c in cells)
    assert "themes.docx" in r.status.text() and "no transcript text" in r.status.text()


def test_the_table_says_when_the_project_changed(reports, qtbot) -> None:
    r = reports
    assert r.themes.stale_bar.isHidden()
    r.main.session.notify(Changes(codings=frozenset({1})))
    assert not r.themes.stale_bar.isHidden()
    generation = r.themes.counted
    r.themes.compute()
    _recount(r, qtbot)
    assert r.themes.counted > generation and r.themes.stale_bar.isHidden()


def test_words_are_counted_when_asked_for(reports, qtbot) -> None:
    r = reports
    r.themes.set_options(measure="words")
    qtbot.waitUntil(lambda: r.themes.table is not None and r.themes.table.words, timeout=10_000)
    _recount(r, qtbot)
    with r.main.session.read() as s:
        expected = theme_table(s, by="document:country", words=True)
    assert _grid(r) == _expected(expected, "words")
    assert MEASURE_LABELS["words"] in r.themes.measure.currentText().lower()


# --- chart ---------------------------------------------------------------------------------------


def test_chart_draws_the_table_and_saves_png_and_svg(reports, qtbot, tmp_path: Path) -> None:
    r = reports
    r.themes.set_options(measure="participants", rollup=True)
    _recount(r, qtbot)
    r.show_page("chart")
    qtbot.waitUntil(lambda: r.chart.figure is not None, timeout=5000)
    chart = r.chart
    assert chart.canvas is not None and chart.area.widget() is chart.canvas
    fig = chart.figure
    assert fig.get_suptitle() == "Participants with the code, by country"
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert "Police fear" in names and "– Housing" in names
    assert chart.stacked.isChecked() and "(stacked by country)" in ax.get_xlabel()

    chart.codes_shown.setCurrentIndex(chart.codes_shown.findData(0))
    chart.grouped.setChecked(True)
    fig = chart.figure
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Police fear" in names and not any(n.startswith("–") for n in names)
    assert fig.axes[0].get_xlabel() == "Participants with the code"
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    table = r.themes.table
    assert legend == [f"{c} (n = {table.column_participants[c]})" for c in table.columns]

    chart.save(".png", tmp_path / "themes.png")
    chart.save(".svg", tmp_path / "themes.svg")
    _wait_tasks(qtbot, r.main)
    with Image.open(tmp_path / "themes.png") as img:
        assert img.info["dpi"] == pytest.approx((DPI, DPI), abs=0.01)
        assert abs(img.size[0] - fig.get_size_inches()[0] * DPI) <= 1
    texts = [t.text for t in ET.parse(tmp_path / "themes.svg").getroot().iter(f"{SVG}text")]
    assert "Participants with the code, by country" in texts and "Police fear" in texts
    assert "Wrote" in r.status.text()

    # a table with nothing to chart says so instead of drawing
    r.show_page("themes")
    with r.main.session.read() as s:
        from qualbench.services.codes import resolve_code

        witnessed = resolve_code(s, "Trauma and loss > Witnessed overdose")  # never coded
    r.themes.filters.tick("codes", [witnessed])
    _recount(r, qtbot)
    r.show_page("chart")
    qtbot.waitUntil(lambda: chart.figure is None, timeout=5000)
    assert "nothing to chart" in chart.placeholder.text().lower()
    assert not chart.save_png.isEnabled()


# --- verify quotes -------------------------------------------------------------------------------


def _manuscript(path: Path, altered: str) -> Path:
    d = docx.Document()
    d.add_heading("Findings", level=1)
    d.add_paragraph(f"One participant said: \u201c{EXACT}\u201d (KZ-P2).")
    d.add_paragraph(f"Another put it differently: \u201c{altered}\u201d.")
    d.add_paragraph(
        "We also heard that \u201cpurple elephants dance on the frozen moon every Tuesday\u201d."
    )
    d.save(str(path))
    return path


def test_verify_quotes_lists_statuses_and_jumps_to_the_passage(
    reports, qtbot, tmp_path: Path
) -> None:
    r = reports
    window = r.main
    r.show_page("verify")
    verify = r.verify
    assert not verify.check_button.isEnabled()
    altered = EXACT.replace("after them comes", "then come")
    verify.choose(_manuscript(tmp_path / "paper.docx", altered))
    assert verify.check_button.isEnabled()
    verify.check()
    qtbot.waitUntil(lambda: verify.report is not None, timeout=20_000)
    _wait_tasks(qtbot, window)
    table = verify.table
    statuses = [table.item(i, 1).text() for i in range(table.rowCount())]
    assert statuses == ["exact", "altered", "not found"]
    assert table.item(0, 1).background().color().name() == "#cdeee2"
    assert "1 exact" in verify.summary.text() and "1 not found" in verify.summary.text()
    check = verify.report.checks[0]
    assert table.item(0, 3).text() == check.document
    assert check.speaker in table.item(0, 4).text() or check.participant in table.item(0, 4).text()

    table.selectRow(1)
    details = verify.details.toPlainText()
    assert "Differences" in details and altered in details
    assert verify.jump_button.isEnabled()

    # double-click the exact quote: the transcript opens at it, selected
    with window.session.read() as s:
        from qualbench.services.documents import list_documents

        other = next(d.id for d in list_documents(s) if d.id != check.document_id)
    window.open_document(other)
    assert window.document is not None and window.document.name != check.document
    rect = table.visualItemRect(table.item(0, 2))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.document.name == check.document
    start, end = window.view.selected_span()
    assert window.document.text[start:end] == EXACT

    # only the altered ones
    verify.show_status.setCurrentIndex(verify.show_status.findData("altered"))
    assert table.rowCount() == 1 and table.item(0, 1).text() == "altered"
    verify.export(tmp_path / "quotes.csv")
    _wait_tasks(qtbot, window)
    with (tmp_path / "quotes.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["status"] for row in rows] == ["exact", "altered", "not found"]


def test_a_bad_manuscript_is_reported_not_crashed(reports, qtbot, tmp_path: Path, monkeypatch):
    r = reports
    shown = []
    monkeypatch.setattr(r.main, "show_error", shown.append)
    bad = tmp_path / "paper.docx"
    bad.write_bytes(b"not a zip")
    r.verify.choose(bad)
    r.verify.check()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "paper.docx" in shown[0] and r.verify.report is None


# --- excerpts ------------------------------------------------------------------------------------


def test_excerpts_of_chosen_codes_export_to_docx(reports, qtbot, tmp_path: Path) -> None:
    r = reports
    window = r.main
    r.show_page("excerpts")
    panel = r.excerpts
    qtbot.waitUntil(lambda: panel.count is not None, timeout=10_000)
    with window.session.read() as s:
        from qualbench.services.codes import resolve_code

        police = resolve_code(s, "Police fear")
        every = excerpts(s)
        chosen = excerpts(s, filters=Filters(code_ids=(police,), coders=("ana",)))
    assert panel.count == len(every)
    panel.filters.tick("codes", [police])
    panel.filters.tick("coders", ["ana"])
    qtbot.waitUntil(lambda: panel.count == len(chosen), timeout=10_000)
    _wait_tasks(qtbot, window)
    assert panel.preview.rowCount() == len(chosen)
    assert {panel.preview.item(i, 0).text() for i in range(len(chosen))} == {"Police fear"}
    assert f"{len(chosen)} excerpts" in panel.preview_label.text()

    assert panel.format.currentData() == ".docx"
    panel.export(tmp_path / "police.docx")
    _wait_tasks(qtbot, window)
    doc = docx.Document(str(tmp_path / "police.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Police fear" in text
    assert all(" ".join(e.text.split())[:40] in " ".join(text.split()) for e in chosen)
    assert "Contains verbatim transcript text" in text or "confidential" in text.lower()
    assert f"Wrote {len(chosen)} excerpts" in panel.result.text()

    panel.format.setCurrentIndex(panel.format.findData(".xlsx"))
    panel.export(tmp_path / "police.xlsx")
    _wait_tasks(qtbot, window)
    sheet = load_workbook(tmp_path / "police.xlsx").worksheets[0]
    assert sheet.max_row == len(chosen) + 1


def test_excerpts_with_pseudonyms_and_citations(reports, qtbot, tmp_path: Path) -> None:
    r = reports
    r.show_page("excerpts")
    panel = r.excerpts
    qtbot.waitUntil(lambda: panel.count is not None, timeout=10_000)
    _wait_tasks(qtbot, r.main)
    panel.format.setCurrentIndex(panel.format.findData(".md"))
    panel.pseudonyms.setChecked(True)
    panel.citations.setChecked(True)
    panel.export(tmp_path / "all.md")
    _wait_tasks(qtbot, r.main)
    text = (tmp_path / "all.md").read_text(encoding="utf-8")
    assert text.startswith("# ") and "Police fear" in text
    assert "names pseudonymised" in panel.result.text()


# --- the window ----------------------------------------------------------------------------------


def test_reports_menu_opens_one_window_at_each_tab(make_window, qtbot) -> None:
    window = make_window()
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Reports")
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert actions["Theme table…"].shortcut().toString() == "Ctrl+Alt+R"
    actions["Theme table…"].trigger()
    reports = window.findChild(ReportsWindow)
    assert reports is not None and reports.isVisible()
    assert reports.isWindow() and reports.tabs.currentWidget() is reports.themes
    actions["Verify quotes in a manuscript…"].trigger()
    assert window.findChildren(ReportsWindow) == [reports]
    assert reports.tabs.currentWidget() is reports.verify
    actions["Chart of the theme table…"].trigger()
    assert reports.tabs.currentWidget() is reports.chart
    actions["Export coded excerpts…"].trigger()
    assert reports.tabs.currentWidget() is reports.excerpts
    assert [reports.tabs.tabText(i) for i in range(reports.tabs.count())] == [
        "Theme table", "Chart", "Verify quotes", "Excerpts", "Co-occurrence", "Query",
        "Quote basket",
    ]  # fmt: skip
    qtbot.waitUntil(reports.themes.up_to_date, timeout=10_000)
    _wait_tasks(qtbot, window)


def test_a_further_tab_can_be_added(reports) -> None:
    from PySide6.QtCore import Signal
    from PySide6.QtWidgets import QLabel

    class Later(QLabel):
        message = Signal(str)

    page = Later("co-occurrence")
    reports.add_page("cooccurrence", "Co-occurrence", page)
    assert reports.show_page("cooccurrence") is page
    page.message.emit("hello")
    assert reports.status.text() == "hello"


def test_screenshots_look_filled(reports, qtbot, tmp_path: Path) -> None:
    """Each tab drawn offscreen: not an empty grey page (the chart is in its tab)."""
    r = reports
    r.resize(1280, 820)
    for key in ("themes", "chart", "excerpts", "verify"):
        r.show_page(key)
        if key == "chart":
            qtbot.waitUntil(lambda: r.chart.figure is not None, timeout=5000)
        if key == "excerpts":
            qtbot.waitUntil(lambda: r.excerpts.count is not None, timeout=10_000)
        _wait_tasks(qtbot, r.main)
        path = tmp_path / f"{key}.png"
        assert r.grab().save(str(path))
        with Image.open(path) as img:
            colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is not None and len(colours) > 20, key
