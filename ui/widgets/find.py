"""Find in the open document (Ctrl+F): type, Enter for the next match, Shift+Enter for the
previous one, Esc to close; matches ignore case and runs of white space."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget


class FindBar(QWidget):
    """A slim bar above the transcript; it asks the window for the text and selects matches."""

    def __init__(
        self,
        text: Callable[[], str],
        cursor: Callable[[], int],  # where the search goes on from: the selection's start
        select: Callable[[int, int], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._text, self._cursor, self._select = text, cursor, select
        self.query = QLineEdit(placeholderText="Find in this document…")
        self.query.setClearButtonEnabled(True)
        self.query.textChanged.connect(lambda _: self.find(forward=True, from_start=True))
        self.query.installEventFilter(self)
        self.count = QLabel()
        close = QToolButton(text="✕")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.addWidget(self.query, 1)
        layout.addWidget(self.count)
        layout.addWidget(close)
        self.hide()

    def start(self) -> None:
        self.show()
        self.query.setFocus()
        self.query.selectAll()

    def next(self) -> None:
        if not self.isVisible():
            self.start()
        self.find(forward=True)

    def _matches(self) -> list[tuple[int, int]]:
        words = self.query.text().split()
        if not words:
            return []
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
        return [(m.start(), m.end()) for m in pattern.finditer(self._text())]

    def find(self, *, forward: bool, from_start: bool = False) -> None:
        matches = self._matches()
        if not matches:
            self.count.setText("no match" if self.query.text().strip() else "")
            return
        here = self._cursor()
        if from_start:
            pick = next(
                (i for i, (a, _) in enumerate(matches) if a >= here - len(self.query.text())), 0
            )
        elif forward:
            pick = next((i for i, (a, _) in enumerate(matches) if a > here), 0)
        else:
            pick = next(
                (i for i in range(len(matches) - 1, -1, -1) if matches[i][1] < here),
                len(matches) - 1,
            )
        self._select(*matches[pick])
        self.count.setText(f"{pick + 1} of {len(matches)}")

    def eventFilter(self, watched: object, event: object) -> bool:
        if (
            watched is self.query
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
        ):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.find(forward=not event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.hide()
                return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]
