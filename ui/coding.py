"""Coding actions of the workspace: apply codes to the selection (pins, palette, drag, in-vivo,
whole turns and paragraphs), and remove, recode or re-span a coding. Every action is one
undoable core command; pending memo text is saved first, so a memo is never lost to an edit."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QMenu

from qualbench import undo
from qualbench.services.codes import code_tree
from qualbench.spans import in_vivo_name, paragraph_span, snap_to_words, turn_span
from qualbench.undo import Command
from qualbench.workspace import coding_details
from ui.settings import settings
from ui.widgets.palette import choices_from

if TYPE_CHECKING:
    from ui.main_window import MainWindow

MAX_RECENT_CODES = 9


class CodingController(QObject):
    """What the coder does to the text; owned by the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.recent_codes: list[int] = []
        self.palette_mode = "apply"  # or "recode" (then palette_coding is the coding)
        self.palette_coding: int | None = None
        self.snap = str(settings().value("snap", "true")) == "true"

    # --- helpers -------------------------------------------------------------------------------
    def run(self, command: Command) -> bool:
        """Save pending memo text, then do the command."""
        self.w.memos.save_all()
        return self.w.session.run(command)

    def say(self, message: str, ms: int = 4000) -> None:
        self.w.statusBar().showMessage(message, ms)

    def span(self) -> tuple[int, int] | None:
        """The selection (snapped to whole words when that is on), or None."""
        doc = self.w.document
        span = self.w.view.selected_span()
        if span is None or doc is None:
            return None
        if self.snap:
            span = snap_to_words(doc.text, *span)
        return span if span[0] < span[1] else None

    def _names(self, code_ids: list[int]) -> str:
        nodes = self.w.codes.nodes
        return ", ".join(f"'{nodes[c].name}'" for c in code_ids if c in nodes)

    # --- applying ------------------------------------------------------------------------------
    def apply(self, code_ids: list[int]) -> None:
        doc, span = self.w.document, self.span()
        if doc is None or not code_ids:
            return
        if span is None:
            self.say("Select some text first, then apply a code.")
            return
        names = self._names(code_ids)
        command = undo.apply_codes(
            document_id=doc.id, start=span[0], end=span[1], code_ids=code_ids,
            coder_id=self.w.session.coder_id, label=f"Apply {names}",
        )  # fmt: skip
        if not self.run(command):
            return
        self.recent_codes = [*code_ids, *(c for c in self.recent_codes if c not in code_ids)][
            :MAX_RECENT_CODES
        ]
        if command.changes:
            words = len(doc.text[span[0] : span[1]].split())
            self.say(f"Coded {words} word{'s' if words != 1 else ''} with {names}")
        else:
            self.say(f"Already coded with {names}")

    def apply_selected(self) -> None:
        self.apply(self.w.codes.selected_ids())

    def apply_pinned(self, key: int) -> None:
        code_id = self.w.codes.pinned(key)
        if code_id is None:
            self.say(f"No code is pinned to {key}: select a code, then Codebook › Pin to a key…")
            return
        self.apply([code_id])

    def open_palette(self, *, mode: str = "apply", coding_id: int | None = None) -> None:
        self.palette_mode, self.palette_coding = mode, coding_id
        with self.w.session.read() as s:
            choices = choices_from(code_tree(s))
            current = coding_details(s, coding_id).code_path if coding_id is not None else ""
        pinned = [c for k in range(1, 10) if (c := self.w.codes.pinned(k)) is not None]
        view = self.w.view.text_edit
        rect = view.cursorRect()
        at = view.viewport().mapToGlobal(QPoint(rect.left(), rect.bottom() + 4))
        title = f"Recode “{current}” to…" if mode == "recode" else ""
        self.w.quick_palette.open(choices, first=[*self.recent_codes, *pinned], at=at, title=title)

    def palette_chose(self, code_id: int, keep: bool) -> None:
        if self.palette_mode == "recode" and self.palette_coding is not None:
            coding, self.palette_mode, self.palette_coding = self.palette_coding, "apply", None
            self.run(
                undo.recode(coding, code_id=code_id, label=f"Recode to {self._names([code_id])}")
            )
            return
        self.apply([code_id])

    def palette_create(self, name: str) -> None:
        if self.palette_mode == "recode" and self.palette_coding is not None:
            coding, self.palette_mode, self.palette_coding = self.palette_coding, "apply", None
            self.run(undo.recode_to_new_code(coding, name=name))
            return
        if self.span() is None:
            self.run(undo.create_code(name=name))
        else:
            self.in_vivo(name=name)

    def in_vivo(self, *, name: str | None = None) -> None:
        """A new code applied to the selection, named ``name`` or after the selected words."""
        doc, span = self.w.document, self.span()
        if doc is None or span is None:
            self.say("Select the words to turn into a code.")
            return
        name = name or in_vivo_name(doc.text[span[0] : span[1]])
        coder = self.w.session.coder_id
        self.run(
            undo.in_vivo(document_id=doc.id, start=span[0], end=span[1], coder_id=coder, name=name)
        )

    def unit_span(self, unit: str) -> tuple[int, int] | None:
        doc = self.w.document
        if doc is None:
            return None
        offset = self.w.view.cursor_offset()
        if unit == "paragraph":
            return paragraph_span(doc.text, offset)
        return turn_span([(t.start, t.body_start, t.end) for t in doc.turns], offset)

    def select_unit(self, unit: str) -> None:
        span = self.unit_span(unit)
        if span:
            self.w.view.select_span(*span, flash=False)

    def code_unit(self, unit: str) -> None:
        doc, span, ids = self.w.document, self.unit_span(unit), self.w.codes.selected_ids()
        if doc is None or span is None or not ids:
            self.say(f"Select code(s) in the Codes panel and put the cursor in a {unit}.")
            return
        self.run(
            undo.apply_codes(
                document_id=doc.id, start=span[0], end=span[1], code_ids=ids, coder_id=self.w.session.coder_id,
                label=f"Code {unit} with {self._names(ids)}",
            )
        )  # fmt: skip

    def span_dropped(self, code_ids: list[int], document_id: int, start: int, end: int) -> None:
        """Text dragged from the transcript onto a code in the tree."""
        if self.w.document is None or document_id != self.w.document.id:
            return
        self.w.view.select_span(start, end, flash=False)
        self.apply(code_ids)

    # --- existing codings ---------------------------------------------------------------------
    def focused(self) -> int | None:
        return self.w.view.focused_coding()

    def focus(self, coding_id: int) -> None:
        self.w.view.focus_coding(coding_id)
        with self.w.session.read() as s:
            d = coding_details(s, coding_id)
        self.w.memos.show_target("coding", coding_id, f"Coding: {d.code_path} ({d.coder})")

    def remove(self, coding_id: int | None = None) -> None:
        coding = coding_id if coding_id is not None else self.focused()
        if coding is None:
            self.say(
                "Click a coding (its bar in the margin, or Ctrl+click the text) to select it first."
            )
            return
        with self.w.session.read() as s:
            path = coding_details(s, coding).code_path
        self.w.memos.save_all()
        if self.w.session.run(undo.remove_coding(coding, label=f"Remove coding '{path}'")):
            self.w.view.focus_coding(None)
            self.w.memos.show_target("coding", None, "")

    def recode(self, coding_id: int | None = None) -> None:
        coding = coding_id if coding_id is not None else self.focused()
        if coding is None:
            self.say("Click a coding first to recode it.")
            return
        self.open_palette(mode="recode", coding_id=coding)

    def respan(self) -> None:
        coding, span = self.focused(), self.span()
        if coding is None or span is None:
            self.say("Click a coding, then select the text it should cover, then Ctrl+Shift+R.")
            return
        self.run(undo.change_span(coding, start=span[0], end=span[1]))

    # --- keys and menus -------------------------------------------------------------------------
    def key(self, event: QKeyEvent) -> None:
        """Letter keys typed in the transcript (numbers and Delete are view shortcuts)."""
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return
        if event.key() == Qt.Key.Key_V:
            self.in_vivo()
        elif event.key() == Qt.Key.Key_Q:
            self.open_palette()
        elif event.key() == Qt.Key.Key_Escape:
            self.key_escape()

    def key_escape(self) -> None:
        """Esc in the transcript: clear the selection and the selected coding."""
        self.w.view.select_span(
            self.w.view.cursor_offset(), self.w.view.cursor_offset(), flash=False
        )
        self.w.view.focus_coding(None)

    def coding_menu(self, coding_id: int, pos: QPoint) -> None:
        self.focus(coding_id)
        menu = QMenu(self.w)
        menu.addAction("Recode… (Ctrl+R)", lambda: self.recode(coding_id))
        respan = menu.addAction("Set span to the selection (Ctrl+Shift+R)", self.respan)
        respan.setEnabled(self.span() is not None)
        menu.addAction("Write a memo on this coding", self.w.show_coding_memo)
        menu.addSeparator()
        menu.addAction("Remove coding (Delete)", lambda: self.remove(coding_id))
        menu.exec(pos)

    def text_menu(self, pos: QPoint) -> None:
        menu = QMenu(self.w)
        has_span = self.span() is not None
        selected = self.w.codes.selected_ids()
        menu.addAction("Apply code… (Ctrl+K)", self.open_palette).setEnabled(has_span)
        menu.addAction("Apply selected code(s) (Ctrl+Enter)", self.apply_selected).setEnabled(
            has_span and bool(selected)
        )
        menu.addAction("In-vivo code (V)", self.in_vivo).setEnabled(has_span)
        recent = menu.addMenu("Apply recent code")
        for cid in self.recent_codes:
            if cid in self.w.codes.nodes:
                recent.addAction(
                    self.w.codes.nodes[cid].path, lambda c=cid: self.apply([c])
                ).setEnabled(has_span)
        recent.setEnabled(bool(self.recent_codes))
        offset = self.w.view.offset_at(pos)
        here = self.w.view.coding_ids_at(offset) if offset is not None else []
        if here:
            menu.addSeparator()
            with self.w.session.read() as s:
                labels = {
                    cid: f"{d.code_path} ({d.coder})"
                    for cid in here[:6]
                    if (d := coding_details(s, cid))
                }
            for cid, label in labels.items():
                sub = menu.addMenu(html.unescape(label))
                sub.addAction("Select", lambda c=cid: self.focus(c))
                sub.addAction("Recode…", lambda c=cid: self.recode(c))
                sub.addAction("Remove", lambda c=cid: self.remove(c))
        menu.addSeparator()
        menu.addAction("Select speaker turn (Ctrl+T)", lambda: self.select_unit("turn"))
        menu.addAction("Select paragraph (Ctrl+Shift+P)", lambda: self.select_unit("paragraph"))
        menu.addAction(
            "Code turn with selected code(s) (Ctrl+Shift+T)", lambda: self.code_unit("turn")
        ).setEnabled(bool(selected))
        menu.addSeparator()
        menu.addAction("Copy", self.w.view.text_edit.copy).setEnabled(has_span)
        menu.exec(pos)
