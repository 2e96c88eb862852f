"""The Explore window: text search shown keyword-in-context, word frequencies, and rule-based
auto-coding with its review list, each a tab (``ui/widgets/explore_*.py``). Like the Reports
window it stays open beside the workspace: a passage opens in the main window's transcript, and
Ctrl+Z here undoes the project's last action (coded hits, saved or reviewed suggestions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from qualbench.nlp.search import Corpus
from ui.tasks import starter

if TYPE_CHECKING:
    from ui.main_window import MainWindow

PAGES = {"search": "Search (keyword in context)", "words": "Words", "autocode": "Auto-code"}


class ExploreWindow(QWidget):
    """A window of its own beside the workspace (non-modal), made on first use."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window, Qt.WindowType.Window)
        from ui.widgets.explore_autocode import AutocodePanel
        from ui.widgets.explore_search import SearchPanel
        from ui.widgets.explore_words import WordsPanel

        self.main = window
        self.setObjectName("explore-window")
        self.setWindowTitle(f"Search & auto-code — {window.session.project.info().name}")
        self.resize(1280, 820)
        start = starter(window, lambda: self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.status = QLabel()
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)

        # What searches read (texts, turns, the analysis) is kept once for all three tabs.
        self.corpus = Corpus()
        self.search = SearchPanel(window.session, start, corpus=self.corpus)
        self.words = WordsPanel(window.session, start, corpus=self.corpus)
        self.autocode = AutocodePanel(window.session, start, corpus=self.corpus)
        self.pages: dict[str, QWidget] = {
            "search": self.search,
            "words": self.words,
            "autocode": self.autocode,
        }
        for key, page in self.pages.items():
            self.tabs.addTab(page, PAGES[key])
            page.message.connect(self.show_message)  # type: ignore[attr-defined]
        self.search.jumpRequested.connect(self.jump_to)
        self.autocode.jumpRequested.connect(self.jump_to)
        self.words.lemmaRequested.connect(self.search_lemma)
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        # The project's undo works here too (a text field being edited keeps its own Ctrl+Z).
        QShortcut(QKeySequence.StandardKey.Undo, self, window.session.undo)
        QShortcut(QKeySequence("Ctrl+Shift+Z"), self, window.session.redo)
        QShortcut(QKeySequence("Ctrl+Y"), self, window.session.redo)

    def show_page(self, key: str) -> QWidget:
        page = self.pages[key]
        self.tabs.setCurrentWidget(page)
        if key == "search":
            self.search.query.setFocus()
        return page

    def search_lemma(self, lemma: str) -> None:
        """Every passage with a word of the frequency table, in the Search tab."""
        self.show_page("search")
        self.search.search_lemma(lemma)

    def show_message(self, text: str) -> None:
        self.status.setText(text)
        self.main.statusBar().showMessage(text, 8000)

    def jump_to(self, document_id: int, start: int, end: int) -> None:
        """Select the passage in the main window's transcript and bring that window forward."""
        self.main.jump_to(document_id, start, end)
        self.main.raise_()
        self.main.activateWindow()


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
