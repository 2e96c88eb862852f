"""Save screenshots of the main views on a copy of the sample project, to look at them.

    QT_QPA_PLATFORM=offscreen python -m ui.screenshots /tmp/qualbench-shots [--dark]

Nothing here is committed output: the folder is yours.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any


def take(out: Path, *, dark: bool = False) -> list[Path]:
    """Write PNGs of the workspace and its panels; returns their paths."""
    os.environ.setdefault("QUALBENCH_SETTINGS_DIR", tempfile.mkdtemp(prefix="qualbench-settings-"))
    os.environ.setdefault("QUALBENCH_CODER", "ana")
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    if dark:
        app.setStyle("Fusion")
        p = QPalette()
        for role, color in (
            (QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.WindowText, "#e6e6e6"),
            (QPalette.ColorRole.Base, "#1f1f1f"), (QPalette.ColorRole.AlternateBase, "#2b2b2b"),
            (QPalette.ColorRole.Text, "#e6e6e6"), (QPalette.ColorRole.Button, "#353535"),
            (QPalette.ColorRole.ButtonText, "#e6e6e6"), (QPalette.ColorRole.Highlight, "#3d6fb4"),
            (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.ToolTipBase, "#353535"),
            (QPalette.ColorRole.ToolTipText, "#e6e6e6"), (QPalette.ColorRole.PlaceholderText, "#8a8a8a"),
        ):  # fmt: skip
            p.setColor(role, QColor(color))
        app.setPalette(p)

    from qualbench.sample import build_sample
    from qualbench.store import open_project
    from ui.main_window import MainWindow
    from ui.session import ProjectSession

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="qualbench-shot-"))
    build_sample(work / "sample.qualbench").close()
    window = MainWindow(
        ProjectSession(open_project(work / "sample.qualbench"), coder="ana"),
        path=work / "sample.qualbench",
    )
    window.resize(1600, 1000)
    window.show()
    for _ in range(5):
        app.processEvents()
    police = next(n.id for n in window.codes.nodes.values() if n.name == "Police fear")
    window.codes.select_codes([police])
    quote = "The ambulance comes, and after them comes the police."
    start = window.document.text.index(quote) if window.document else 0
    window.view.select_span(start, start + len(quote), flash=False)
    ids = window.view.coding_ids_at(start + 5)
    if ids:
        window.coding.focus(ids[0])
    for _ in range(5):
        app.processEvents()
    suffix = "-dark" if dark else ""
    shots = {
        f"workspace{suffix}.png": window,
        f"transcript{suffix}.png": window.view,
        f"codes{suffix}.png": window.codes,
        f"documents{suffix}.png": window.documents,
        f"retrieval{suffix}.png": window.retrieval,
        f"memos{suffix}.png": window.memos,
    }
    paths = []
    for name, widget in shots.items():
        path = out / name
        widget.grab().save(str(path))
        paths.append(path)
    window.coding.open_palette()
    app.processEvents()
    palette_path = out / f"palette{suffix}.png"
    window.quick_palette.grab().save(str(palette_path))
    paths.append(palette_path)
    window.quick_palette.hide()
    paths += _team(window, app, out, suffix, work)
    paths += _reports(window, app, out, suffix, work)
    paths += _explore(window, app, out, suffix)
    # REFI-QDA: the data-loss report of an export for NVivo.
    import time

    from ui import refi
    from ui.widgets.refi_report import RefiReportDialog

    refi.export_to(window, work / "sample.qdpx", profile="nvivo")
    end = time.monotonic() + 30
    while (window._tasks or not window.findChildren(RefiReportDialog)) and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    paths.append(out / f"refi-report{suffix}.png")
    window.findChildren(RefiReportDialog)[0].grab().save(str(paths[-1]))
    window.close()
    window.session.close()
    shutil.rmtree(work, ignore_errors=True)
    return paths


def _team(window: Any, app: Any, out: Path, suffix: str, work: Path) -> list[Path]:
    """Agreement, reconciliation and the merge wizard, as a lead sees them."""
    import time

    from qualbench.distribute import distribute
    from ui import team

    def wait(done: Any, seconds: float = 10) -> None:
        end = time.monotonic() + seconds
        while not done() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        for _ in range(5):
            app.processEvents()

    paths = []
    dialog = team.agreement(window)
    dialog.compute()
    wait(lambda: dialog.report is not None)
    for tab, name in ((0, "agreement"), (1, "agreement-confusion"), (2, "agreement-methods")):
        dialog.tabs.setCurrentIndex(tab)
        wait(lambda: True)
        paths.append(out / f"{name}{suffix}.png")
        dialog.grab().save(str(paths[-1]))
    dialog.tabs.setCurrentIndex(0)
    dialog.unit.setCurrentIndex(dialog.unit.findData("spans"))
    dialog.compute()
    wait(lambda: dialog.unitized is not None, 30)
    paths.append(out / f"agreement-unitized{suffix}.png")
    dialog.grab().save(str(paths[-1]))
    dialog.unit.setCurrentIndex(dialog.unit.findData("sentence"))
    team.start_reconcile(window, dialog.options(), name="consensus")
    wait(lambda: window.reconcile is not None and window.reconcile.state is not None)
    dialog.hide()
    window.reconcile.table.selectRow(2)
    wait(lambda: True)
    paths.append(out / f"reconcile{suffix}.png")
    window.docks["reconcile"].grab().save(str(paths[-1]))
    paths.append(out / f"reconcile-workspace{suffix}.png")
    window.grab().save(str(paths[-1]))
    folder = work / "copies"
    folder.mkdir(exist_ok=True)
    copies = distribute(window.session.project, ["cy"], folder)
    wizard = team.merge(window, [str(copies[0].path)])
    wizard.next()
    wait(lambda: wizard.preview.reports is not None)
    paths.append(out / f"merge-preview{suffix}.png")
    wizard.grab().save(str(paths[-1]))
    wizard.close()
    return paths


def _reports(window: Any, app: Any, out: Path, suffix: str, work: Path) -> list[Path]:
    """The Reports window's tabs: theme table, chart (and the chart as printed), verified
    quotes of a small manuscript, excerpts of one code."""
    import time

    import docx

    from ui.reports import open_reports

    def wait(done: Any, seconds: float = 10) -> None:
        end = time.monotonic() + seconds
        while (not done() or window._tasks) and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        for _ in range(5):
            app.processEvents()

    reports = open_reports(window)
    reports.resize(1280, 820)
    wait(reports.themes.up_to_date)
    reports.themes.set_options(by="document:country", measure="participants", rollup=True)
    wait(reports.themes.up_to_date)
    paths = [out / f"reports-themes{suffix}.png"]
    reports.grab().save(str(paths[-1]))
    reports.show_page("chart")
    wait(lambda: reports.chart.figure is not None)
    paths.append(out / f"reports-chart{suffix}.png")
    reports.grab().save(str(paths[-1]))
    paths.append(out / f"chart-print{suffix}.png")
    reports.chart.save(".png", paths[-1])
    wait(paths[-1].exists)
    manuscript = docx.Document()
    manuscript.add_paragraph(
        "One participant said: \u201cThe ambulance comes, and after them comes the police.\u201d "
        "(KZ-P2). Another: \u201cThe ambulance comes and then the police come too.\u201d And "
        "\u201cnobody ever mentioned the purple elephants on the moon\u201d."
    )
    manuscript.save(str(work / "paper.docx"))
    reports.show_page("verify")
    reports.verify.choose(work / "paper.docx")
    reports.verify.check()
    wait(lambda: reports.verify.report is not None, 30)
    reports.verify.table.selectRow(1)
    wait(lambda: True)
    paths.append(out / f"reports-verify{suffix}.png")
    reports.grab().save(str(paths[-1]))
    reports.show_page("excerpts")
    police = next(n.id for n in window.codes.nodes.values() if n.name == "Police fear")
    reports.excerpts.filters.tick("codes", [police])
    wait(lambda: reports.excerpts.count is not None and reports.excerpts.count < 100)
    paths.append(out / f"reports-excerpts{suffix}.png")
    reports.grab().save(str(paths[-1]))
    paths += _analysis(window, reports, wait, out, suffix)
    reports.close()
    return paths


def _analysis(window: Any, reports: Any, wait: Any, out: Path, suffix: str) -> list[Path]:
    """Co-occurrence (matrix and heatmap), a coding query with a mistake and with results, and
    the quote basket with an edit that is not faithful."""
    from ui import basket_actions

    paths = []
    reports.show_page("cooccurrence")
    panel = reports.cooccurrence
    panel.set_options(mode="turn")
    wait(panel.up_to_date)
    paths.append(out / f"reports-cooccurrence{suffix}.png")
    reports.grab().save(str(paths[-1]))
    panel.views.setCurrentWidget(panel.area)
    wait(lambda: panel.figure is not None)
    paths.append(out / f"reports-cooccurrence-heatmap{suffix}.png")
    reports.grab().save(str(paths[-1]))

    reports.show_page("query")
    query = reports.query
    query.set_expression('"Police fear" AND (Housing OR ')
    wait(lambda: True)
    paths.append(out / f"reports-query-error{suffix}.png")
    reports.grab().save(str(paths[-1]))
    query.run_expression('"Police fear" OR "Coping strategies"', within="turn")
    wait(lambda: query.result is not None)
    query.table.selectRow(1)
    wait(lambda: True)
    paths.append(out / f"reports-query{suffix}.png")
    reports.grab().save(str(paths[-1]))

    query.table.selectRow(0)
    query.add_to_basket()
    police = next(n.id for n in window.codes.nodes.values() if n.name == "Police fear")
    window.codes.select_codes([police])
    wait(lambda: True)
    for row in window.retrieval.model.rows[:2]:
        window.retrieval.add_to_basket(row)
    if window.document is not None:
        quote = "The ambulance comes, and after them comes the police."
        start = window.document.text.find(quote)
        if start >= 0:
            window.view.select_span(start, start + len(quote), flash=False)
            basket_actions.add_from_workspace(window)
    reports.show_page("basket")
    wait(lambda: True)
    basket = reports.basket
    basket.select(basket.items[-1].id)
    basket.display.setPlainText("The ambulance comes, and after them comes the army.")
    wait(lambda: "differs" in basket.check.text())
    paths.append(out / f"reports-basket{suffix}.png")
    reports.grab().save(str(paths[-1]))
    basket.display.setPlainText("The ambulance comes [...] and after them comes the police.")
    basket.extras.setCurrentIndex(1)
    basket.names.add_name("the police", "the authorities")
    basket.pseudonymise.setChecked(True)
    wait(lambda: "Faithful" in basket.check.text())
    paths.append(out / f"reports-basket-names{suffix}.png")
    reports.grab().save(str(paths[-1]))
    return paths


def _explore(window: Any, app: Any, out: Path, suffix: str) -> list[Path]:
    """The Explore window: a lemma search first meeting documents not analysed, then its hits;
    word frequencies by country; keyword auto-coding with its review list."""
    import time

    from ui.explore import open_explore

    def wait(done: Any = lambda: True, seconds: float = 20) -> None:
        end = time.monotonic() + seconds
        while (not done() or window._tasks) and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        for _ in range(5):
            app.processEvents()

    explore = open_explore(window)
    explore.resize(1280, 820)
    search = explore.search
    search.set_query("arrest")
    search.run()
    wait(lambda: search.result is not None)
    paths = [out / f"explore-not-analysed{suffix}.png"]
    explore.grab().save(str(paths[-1]))
    search.analysis.analyse()
    wait()
    search.set_query("police")
    search.run()
    wait()
    search.table.selectRow(2)
    paths.append(out / f"explore-search{suffix}.png")
    explore.grab().save(str(paths[-1]))
    explore.show_page("words")
    explore.words.set_options(by="document:country")
    explore.words.compute()
    wait(lambda: explore.words.table is not None)
    paths.append(out / f"explore-words{suffix}.png")
    explore.grab().save(str(paths[-1]))
    explore.show_page("autocode")
    explore.autocode.rules.run()
    wait(lambda: explore.autocode.rules.last is not None)
    explore.autocode.review.table.selectRow(1)
    wait()
    paths.append(out / f"explore-autocode{suffix}.png")
    explore.grab().save(str(paths[-1]))
    explore.close()
    return paths


if __name__ == "__main__":
    target = Path(
        sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "qualbench-shots"
    )
    for p in take(target, dark="--dark" in sys.argv):
        print(p)
