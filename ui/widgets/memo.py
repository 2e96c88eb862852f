"""Memos on the project, the open document, the selected code and the selected coding, edited
in place and saved as you type (after a short pause, and whenever the target changes)."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from qualbench.changes import Changes
from qualbench.services.memos import MemoRow, add_memo, edit_memo, memos_of
from ui.session import ProjectSession, concerns_everything

SAVE_AFTER_MS = 700
TARGETS = (("project", "Project"), ("document", "Document"), ("code", "Code"), ("coding", "Coding"))


class MemoEditor(QWidget):
    """The current coder's memo on one target; others' memos are shown above it, read-only."""

    def __init__(self, session: ProjectSession, target: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.target = target
        self.target_id: int | None = None
        self.memo_id: int | None = None
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.others = QLabel()
        self.others.setWordWrap(True)
        self.others.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Write a memo… (saved as you type)")
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SAVE_AFTER_MS)
        self.timer.timeout.connect(self.save)
        self.editor.textChanged.connect(self._typed)
        self.editor.installEventFilter(self)  # leaving the editor saves at once
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.others)
        layout.addWidget(self.editor, 1)
        self._loading = False
        self._dirty = False
        self._saving = False  # our own save's change notice must not reload the editor
        self.set_target(None if target != "project" else 0, "")

    def set_target(self, target_id: int | None, label: str) -> None:
        """Show the memo of another document/code/coding (saving the current one first)."""
        self.save()
        self.target_id = target_id
        has_target = target_id is not None
        self.editor.setEnabled(has_target)
        self.title.setText(f"<b>{html.escape(label)}</b>" if label else "")
        self._load()
        if not has_target:
            self.editor.setPlaceholderText(f"Select a {self.target} to write a memo on it.")

    def eventFilter(self, watched: object, event: object) -> bool:
        if (
            watched is self.editor
            and isinstance(event, QEvent)
            and event.type() == QEvent.Type.FocusOut
        ):
            self.save()
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def _memos(self) -> list[MemoRow]:
        with self.session.read() as s:
            if self.target == "project":
                return memos_of(s, target="project")
            return memos_of(s, target=self.target, target_id=self.target_id)

    def _load(self) -> None:
        self._loading = True
        try:
            rows = self._memos() if self.target_id is not None else []
            mine = [m for m in rows if m.author == self.session.coder_name]
            others = [m for m in rows if m.author != self.session.coder_name]
            self.memo_id = mine[0].id if mine else None
            self.editor.setPlainText(mine[0].text if mine else "")
            self._show_others(others)
            self.editor.setPlaceholderText("Write a memo… (saved as you type)")
        finally:
            self._loading = False

    def _show_others(self, others: list[MemoRow]) -> None:
        self.others.setText(
            "".join(
                f"<p><b>{html.escape(m.author or 'unknown')}:</b> {html.escape(m.text)}</p>"
                for m in others
            )
        )
        self.others.setVisible(bool(others))

    def _typed(self) -> None:
        if not self._loading and self.target_id is not None:
            self._dirty = True
            self.timer.start()

    def save(self) -> None:
        """Write pending text now (no-op when nothing changed)."""
        self.timer.stop()
        if not self._dirty:
            return
        self._dirty = False
        self._saving = True
        try:
            self._write()
        finally:
            self._saving = False

    def _write(self) -> None:
        if not self._target_exists():
            return  # removed meanwhile; undoing the removal brings back a memo saved before
        text = self.editor.toPlainText()
        memo_id, target, target_id = self.memo_id, self.target, self.target_id
        if memo_id is not None:
            self.session.write(lambda s: edit_memo(s, memo_id, text=text))
        elif text.strip():
            created: list[int] = []

            def create(s: object) -> Changes:
                mid, changes = add_memo(
                    s,  # type: ignore[arg-type]
                    target=target,
                    target_id=None if target == "project" else target_id,
                    text=text,
                    coder_id=self.session.coder_id,
                )
                created.append(mid)
                return changes

            if self.session.write(create):
                self.memo_id = created[0]

    def _target_exists(self) -> bool:
        if self.target == "project" or self.target_id is None:
            return self.target == "project"
        from sqlalchemy import select

        from qualbench.db import CASES, CODE, CODING, DOCUMENT

        table = {"document": DOCUMENT, "code": CODE, "coding": CODING, "case": CASES}[self.target]
        with self.session.read() as s:
            return (
                s.execute(select(table.c.id).where(table.c.id == self.target_id)).first()
                is not None
            )

    def reload_if(self, changes: Changes) -> None:
        if self._saving or not (concerns_everything(changes) or changes.memos):
            return
        rows = self._memos() if self.target_id is not None else []
        # Others' memos (a team member's, arriving live) show even while this one is typed.
        self._show_others([m for m in rows if m.author != self.session.coder_name])
        if not self._dirty:
            current = self.editor.toPlainText()
            mine = next((m for m in rows if m.author == self.session.coder_name), None)
            if (mine.text if mine else "") != current or (
                mine.id if mine else None
            ) != self.memo_id:
                self._load()


class MemoPanel(QTabWidget):
    """Four memo editors: project, document, code, coding."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors = {key: MemoEditor(session, key) for key, _ in TARGETS}
        for key, label in TARGETS:
            self.addTab(self.editors[key], label)
        self.editors["project"].set_target(0, "Project memo")
        session.changed.connect(self._on_changed)

    def show_target(self, target: str, target_id: int | None, label: str) -> None:
        self.editors[target].set_target(target_id, label)

    def save_all(self) -> None:
        for editor in self.editors.values():
            editor.save()

    def _on_changed(self, changes: Changes) -> None:
        for editor in self.editors.values():
            editor.reload_if(changes)
