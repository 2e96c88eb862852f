"""The quick-code palette (Ctrl+K): type to find a code by name or definition (fuzzy, with
rapidfuzz), Enter applies it, Shift+Enter applies and keeps the palette open for another code,
and a name that matches nothing can become a new code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)
from rapidfuzz import fuzz

from qualbench.services.codes import CodeNode

MAX_RESULTS = 50
_STEPS = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8, Qt.Key.Key_PageUp: -8}
CREATE = -1  # the item id of the "create a new code" row


@dataclass(frozen=True)
class Choice:
    code_id: int
    path: str
    color: str
    search: str  # what the query is matched against


def rank(choices: list[Choice], query: str, *, first: Sequence[int] = ()) -> list[Choice]:
    """Codes for ``query``, best first. A code's name is scored on its own (so a typo like
    "polce fear" still finds "Police fear"), its path and definition and keywords more
    loosely; with no query, the ``first`` ids (recent, pinned) then the rest in tree order."""
    if not query.strip():
        lead = [c for cid in first for c in choices if c.code_id == cid]
        return lead + [c for c in choices if c not in lead]
    q = query.strip().casefold()
    scored: list[tuple[float, Choice]] = []
    for c in choices:
        name = c.path.rsplit(" > ", 1)[-1].casefold()
        if name.startswith(q):
            score = 200.0
        elif f" {q}" in f" {name}":
            score = 150.0
        else:
            score = max(
                fuzz.ratio(q, name),  # whole-name typos
                fuzz.partial_ratio(q, name) * 0.95 if len(q) >= 4 else 0,  # part of a long name
                fuzz.token_set_ratio(q, c.path.casefold()) * 0.9,
                fuzz.partial_token_set_ratio(q, c.search) * 0.8
                if len(q) >= 4
                else 0,  # definitions
            )
        if score >= 62:
            scored.append((score, c))
    scored.sort(key=lambda sc: -sc[0])
    return [c for _, c in scored[:MAX_RESULTS]]


def choices_from(nodes: list[CodeNode]) -> list[Choice]:
    return [
        Choice(n.id, n.path, n.color, f"{n.path} {n.definition} {' '.join(n.keywords)}".casefold())
        for n in nodes
    ]


class QuickCodePalette(QFrame):
    """A small popup; emits the chosen code or the name for a new one."""

    codeChosen = Signal(int, bool)  # code id, keep the palette open
    createRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.choices: list[Choice] = []
        self.first: list[int] = []
        self.query = QLineEdit(placeholderText="Code to apply… (type to search, Enter to apply)")
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.hint = QLabel("Enter: apply · Shift+Enter: apply and keep open · Esc: close")
        self.hint.setStyleSheet("color: gray; font-size: 9pt")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.query)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        self.resize(440, 360)
        self.query.textChanged.connect(self._update)
        self.query.installEventFilter(self)
        self.list.itemActivated.connect(lambda item: self._choose(item, keep=False))

    def open(
        self, choices: list[Choice], *, first: Sequence[int], at: QPoint, title: str = ""
    ) -> None:
        """Show the palette at ``at``; ``title`` says what it is for (e.g. which coding is being
        recoded) instead of the default prompt."""
        self.choices = choices
        self.first = list(first)
        self.query.setPlaceholderText(title or "Code to apply… (type to search, Enter to apply)")
        self.query.clear()
        self._update("")
        self.move(at)
        self.show()
        self.query.setFocus()

    def _update(self, text: str) -> None:
        self.list.clear()
        for c in rank(self.choices, text, first=self.first):
            item = QListWidgetItem(c.path)
            swatch = QPixmap(12, 12)
            swatch.fill(QColor(c.color))
            item.setIcon(swatch)
            item.setData(Qt.ItemDataRole.UserRole, c.code_id)
            self.list.addItem(item)
        name = " ".join(text.split())
        if name and not any(
            c.path.rsplit(" > ", 1)[-1].casefold() == name.casefold() for c in self.choices
        ):
            item = QListWidgetItem(f"Create code “{name}”")
            item.setData(Qt.ItemDataRole.UserRole, CREATE)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def eventFilter(self, watched: object, event: object) -> bool:
        if (
            watched is self.query
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
        ):
            key = event.key()
            step = _STEPS.get(Qt.Key(key))
            if step is not None:
                row = self.list.currentRow() + step
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None:
                    self._choose(
                        item, keep=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                    )
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def _choose(self, item: QListWidgetItem, *, keep: bool) -> None:
        code_id = int(item.data(Qt.ItemDataRole.UserRole))
        if code_id == CREATE:
            self.hide()
            self.createRequested.emit(" ".join(self.query.text().split()))
            return
        if not keep:
            self.hide()
        self.codeChosen.emit(code_id, keep)
        if keep:
            self.query.selectAll()
