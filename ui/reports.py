"""The Reports window: one tab per report (theme table, chart, quote verification, excerpts,
co-occurrence, coding query, quote basket), each its own widget in ``ui/widgets/report_*.py``; a
tab is added with :meth:`add_page`. Long work runs in the background through
:func:`ui.tasks.starter`; a passage opens in the main window's transcript, and Ctrl+Z here undoes
the project's last action as it does there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ui.tab_window import TabbedWindow
from ui.tasks import starter

if TYPE_CHECKING:
    from ui.main_window import MainWindow

PAGES = {  # key: tab title, in tab order
    "themes": "Theme table",
    "chart": "Chart",
    "verify": "Verify quotes",
    "excerpts": "Excerpts",
    "cooccurrence": "Co-occurrence",
    "query": "Query",
    "basket": "Quote basket",
}


class ReportsWindow(TabbedWindow):
    """A window of its own beside the workspace (non-modal), made on first use."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window, name="reports-window", title="Reports")
        from ui import basket_actions
        from ui.widgets.report_basket import BasketPanel
        from ui.widgets.report_chart import ChartPanel
        from ui.widgets.report_cooccurrence import CooccurrencePanel
        from ui.widgets.report_excerpts import ExcerptsPanel
        from ui.widgets.report_query import QueryPanel
        from ui.widgets.report_themes import ThemeTablePanel
        from ui.widgets.report_verify import VerifyQuotesPanel

        start = starter(window, lambda: self)
        self.themes = ThemeTablePanel(window.session, start)
        self.chart = ChartPanel(start)
        self.verify = VerifyQuotesPanel(window.session, start)
        self.excerpts = ExcerptsPanel(window.session, start)
        self.cooccurrence = CooccurrencePanel(window.session, start)
        self.query = QueryPanel(window.session, start)
        self.basket = BasketPanel(window.session, start)
        for key, page in (
            ("themes", self.themes),
            ("chart", self.chart),
            ("verify", self.verify),
            ("excerpts", self.excerpts),
            ("cooccurrence", self.cooccurrence),
            ("query", self.query),
            ("basket", self.basket),
        ):
            self.add_page(key, PAGES[key], page)
        self.themes.shown.connect(self.chart.set_selection)
        for page in (self.verify, self.query, self.basket):
            page.jumpRequested.connect(self.jump_to)
        self.cooccurrence.queryRequested.connect(self.run_query)
        basket_actions.install(window)
        self.themes.compute()

    def run_query(self, expression: str, within: str = "span") -> None:
        """Show the Query tab and run ``expression`` there (a pair of the co-occurrence)."""
        self.show_page("query")
        self.query.run_expression(expression, within=within)


def open_reports(window: MainWindow, page: str = "themes") -> Any:
    """Show the Reports window (made on first use) at a tab; returns the window."""
    reports = window.findChild(ReportsWindow)
    if reports is None:
        reports = ReportsWindow(window)
    reports.show_page(page)
    reports.show()
    reports.raise_()
    reports.activateWindow()
    return reports
