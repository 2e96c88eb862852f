"""A window of tabs beside the workspace (the Reports and Explore windows): non-modal, made on
first use; a status line under the tabs; a passage opens in the main window's transcript; Ctrl+W
closes it and the project's undo and redo work here as in the main window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class TabbedWindow(QWidget):
    def __init__(self, window: MainWindow, *, name: str, title: str) -> None:
        super().__init__(window, Qt.WindowType.Window)
        self.main = window
        self.setObjectName(name)
        self.setWindowTitle(f"{title} — {window.session.project.info().name}")
        self.resize(1280, 820)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.status = QLabel()
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self.pages: dict[str, QWidget] = {}
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        # The project's undo works here too (a text field being edited keeps its own Ctrl+Z).
        QShortcut(QKeySequence.StandardKey.Undo, self, window.session.undo)
        QShortcut(QKeySequence("Ctrl+Shift+Z"), self, window.session.redo)
        QShortcut(QKeySequence("Ctrl+Y"), self, window.session.redo)

    def add_page(self, key: str, title: str, page: QWidget) -> None:
        """A tab; its ``message`` signal (if any) writes the window's status line."""
        self.pages[key] = page
        self.tabs.addTab(page, title)
        message = getattr(page, "message", None)
        if message is not None:
            message.connect(self.show_message)

    def show_page(self, key: str) -> QWidget:
        page = self.pages[key]
        self.tabs.setCurrentWidget(page)
        return page

    def show_message(self, text: str) -> None:
        self.status.setText(text)
        self.main.statusBar().showMessage(text, 8000)

    def jump_to(self, document_id: int, start: int, end: int) -> None:
        """Select the passage in the main window's transcript and bring that window forward."""
        self.main.jump_to(document_id, start, end)
        self.main.raise_()
        self.main.activateWindow()
