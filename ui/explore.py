"""The Explore window: text search shown keyword-in-context, word frequencies, and rule-based
auto-coding with its review list, each a tab (``ui/widgets/explore_*.py``). Like the Reports
window it stays open beside the workspace: a passage opens in the main window's transcript, and
Ctrl+Z here undoes the project's last action (coded hits, saved or reviewed suggestions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from qualbench.nlp.scope import Corpus
from ui.tab_window import TabbedWindow
from ui.tasks import starter

if TYPE_CHECKING:
    from ui.main_window import MainWindow

PAGES = {"search": "Search (keyword in context)", "words": "Words", "autocode": "Auto-code"}


class ExploreWindow(TabbedWindow):
    """A window of its own beside the workspace (non-modal), made on first use."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window, name="explore-window", title="Search & auto-code")
        from ui.widgets.explore_autocode import AutocodePanel
        from ui.widgets.explore_search import SearchPanel
        from ui.widgets.explore_words import WordsPanel

        start = starter(window, lambda: self)
        # What searches read (texts, turns, the analysis) is kept once for all three tabs.
        self.corpus = Corpus()
        self.search = SearchPanel(window.session, start, corpus=self.corpus)
        self.words = WordsPanel(window.session, start, corpus=self.corpus)
        self.autocode = AutocodePanel(window.session, start, corpus=self.corpus)
        for key, page in (
            ("search", self.search),
            ("words", self.words),
            ("autocode", self.autocode),
        ):
            self.add_page(key, PAGES[key], page)
        self.search.jumpRequested.connect(self.jump_to)
        self.autocode.jumpRequested.connect(self.jump_to)
        self.words.lemmaRequested.connect(self.search_lemma)

    def show_page(self, key: str) -> QWidget:
        page = super().show_page(key)
        if key == "search":
            self.search.query.setFocus()
        return page

    def search_lemma(self, lemma: str) -> None:
        """Every passage with a word of the frequency table, in the Search tab."""
        self.show_page("search")
        self.search.search_lemma(lemma)


def open_explore(window: MainWindow, page: str = "search") -> Any:
    """Show the Explore window (made on first use) at a tab; returns the window."""
    explore = window.findChild(ExploreWindow)
    if explore is None:
        explore = ExploreWindow(window)
    explore.show()
    explore.raise_()
    explore.activateWindow()
    explore.show_page(page)
    return explore
