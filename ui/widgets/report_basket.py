"""The quote basket (:mod:`qualbench.quotes`): candidate quotes for the paper, grouped by
section in their order. The selected quote's display text is edited in place and checked
against the transcript as you type (:func:`~qualbench.quotes.check_display`); it is saved only
when faithful, or when "keep as is" is ticked (a translation, say). Section, note, order and
removal are saved at once; every change is one undoable command of the session. Below: the
citation template with a live preview and its fields, and the names replaced on export. The
basket exports to DOCX, Markdown, CSV or XLSX in the background."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDropEvent,
    QFont,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qualbench import undo
from qualbench.changes import Changes
from qualbench.errors import UserError
from qualbench.exports.quotes import NO_SECTION, printed_quotes
from qualbench.progress import CancelCheck, Progress
from qualbench.pseudonyms import project_pseudonymiser
from qualbench.quotes import (
    HINT,
    BasketItem,
    Fidelity,
    basket,
    check_display,
    citation,
)
from qualbench.services.documents import document_text
from ui.basket_actions import together
from ui.session import ProjectSession, concerns_everything
from ui.tasks import Starter
from ui.widgets.report_citation import CitationEditor, NamesEditor

QUOTE_ID = Qt.ItemDataRole.UserRole  # on a quote's item; a section head holds None
SECTION = Qt.ItemDataRole.UserRole + 1  # the section's stored name ('' for "Other quotes")
FORMATS = {
    ".docx": "Word (.docx): block quotes with citations, by section",
    ".md": "Markdown (.md)",
    ".csv": "CSV (.csv): one row per quote, with its original",
    ".xlsx": "Excel (.xlsx): one row per quote, with its original",
}
CONTEXT = 200
RED, GREEN = "#c0392b", "#1e8449"


def _flat(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _fidelity_html(f: Fidelity, *, kept: bool) -> str:
    """The check of a display text, for the line under the editor."""
    if f.faithful:
        return f"<span style='color: {GREEN}'>✓ Faithful to the transcript.</span>"
    what, _, hint = f.message.partition("; " + HINT)
    text = html.escape(what[:1].upper() + what[1:]) + "."
    rule = (
        f"<br><span style='color: gray'>{html.escape(HINT.capitalize())}.</span>"
        if hint or f.message.endswith(HINT)
        else ""
    )
    state = (
        " Kept as is (ticked below)."
        if kept
        else " Not saved unless you fix it or tick “Keep as is”."
    )
    return f"<span style='color: {RED}'><b>{text}</b>{state}</span>{rule}"


class BasketTree(QTreeWidget):
    """Quotes under their section heads; a quote dragged elsewhere asks to move (the tree is
    rebuilt from the project afterwards, never rearranged by Qt itself)."""

    dropped = Signal(int, object)  # quote id, the item it was dropped on/near (or None)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

    def dropEvent(self, event: QDropEvent) -> None:
        dragged = self.currentItem()
        target = self.itemAt(event.position().toPoint())
        where = self.dropIndicatorPosition()
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if dragged is None or dragged.data(0, QUOTE_ID) is None or target is dragged:
            return
        self.dropped.emit(int(dragged.data(0, QUOTE_ID)), (target, where))


class BasketPanel(QWidget):
    """The list on the left; the selected quote, the citation and the names on the right."""

    message = Signal(str)
    jumpRequested = Signal(int, int, int)  # document id, start, end

    def __init__(
        self, session: ProjectSession, start: Starter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._start = start
        self.items: list[BasketItem] = []
        self.current_id: int | None = None
        self.drafts: dict[int, str] = {}  # unsaved display texts, by quote id
        self._loading = False
        self._loaded_text = ""  # the stored text of the quote shown, when it was shown
        self._shown_id: int | None = None
        self._pseudonymiser: Any = None  # built once until the names or participants change

        # --- the list --------------------------------------------------------------------------
        self.count = QLabel()
        self.tree = BasketTree()
        self.tree.currentItemChanged.connect(lambda *_: self._selected())
        self.tree.itemDoubleClicked.connect(lambda item, _: self.jump())
        self.tree.dropped.connect(self._dropped)
        self.up_button = QPushButton("Move up")
        self.up_button.setToolTip("Alt+Up")
        self.down_button = QPushButton("Move down")
        self.down_button.setToolTip("Alt+Down (or drag the quote)")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Delete: take the quote out of the basket (undoable)")
        self.up_button.clicked.connect(lambda: self.move_quote(-1))
        self.down_button.clicked.connect(lambda: self.move_quote(1))
        self.remove_button.clicked.connect(lambda: self.remove())
        for keys, slot in (
            ("Alt+Up", lambda: self.move_quote(-1)),
            ("Alt+Down", lambda: self.move_quote(1)),
            ("Delete", lambda: self.remove()),
        ):
            shortcut = QShortcut(QKeySequence(keys), self.tree, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        list_buttons = QHBoxLayout()
        for b in (self.up_button, self.down_button, self.remove_button):
            list_buttons.addWidget(b)
        list_buttons.addStretch(1)

        self.format = QComboBox()
        for suffix, label in FORMATS.items():
            self.format.addItem(label, suffix)
        self.cite = QCheckBox("Cite each quote (the template on the right)")
        self.cite.setChecked(True)
        self.pseudonymise = QCheckBox("Pseudonymise names (speakers and the name list)")
        self.with_notes = QCheckBox("Include my notes (DOCX, Markdown)")
        self.export_button = QPushButton("Export the basket…")
        self.export_button.clicked.connect(lambda: self.export())
        self.cite.toggled.connect(lambda _: self._show_printed())
        self.pseudonymise.toggled.connect(lambda _: self._show_printed())
        export_box = QGroupBox("Export")
        e_layout = QVBoxLayout(export_box)
        e_layout.addWidget(self.format)
        e_layout.addWidget(self.cite)
        e_layout.addWidget(self.pseudonymise)
        e_layout.addWidget(self.with_notes)
        e_row = QHBoxLayout()
        e_row.addStretch(1)
        e_row.addWidget(self.export_button)
        e_layout.addLayout(e_row)
        left = QWidget()
        l_layout = QVBoxLayout(left)
        l_layout.setContentsMargins(0, 0, 4, 0)
        l_layout.addWidget(self.count)
        l_layout.addWidget(self.tree, 1)
        l_layout.addLayout(list_buttons)
        l_layout.addWidget(export_box)

        # --- the selected quote ----------------------------------------------------------------
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.display = QPlainTextEdit()
        self.display.setPlaceholderText("The quote as the paper prints it")
        self.display.setToolTip(
            "Leave words out with [...], clarify with [brackets]; the first letter's case and "
            "the punctuation at the ends may change."
        )
        self.check = QLabel()
        self.check.setWordWrap(True)
        self.check.setTextFormat(Qt.TextFormat.RichText)
        self.keep = QCheckBox("Keep as is (e.g. a translation): save even if it is not faithful")
        self.save_button = QPushButton("Save the text")
        self.save_button.setToolTip("Ctrl+S")
        self.revert_button = QPushButton("Revert")
        self.jump_button = QPushButton("Show in the transcript")
        self.save_button.clicked.connect(lambda: self.save())
        self.revert_button.clicked.connect(self.revert)
        self.jump_button.clicked.connect(self.jump)
        QShortcut(QKeySequence("Ctrl+S"), self.display, lambda: self.save()).setContext(
            Qt.ShortcutContext.WidgetShortcut
        )
        self.section = QLineEdit()
        self.section.setPlaceholderText(f"(none: under “{NO_SECTION}”)")
        self.sections = QStringListModel(self)
        section_completer = QCompleter(self.sections, self)
        section_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        section_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.section.setCompleter(section_completer)
        self.note = QLineEdit()
        self.note.setPlaceholderText("A note for yourself (exported only when asked)")
        self.section.editingFinished.connect(lambda: self.save_field("section"))
        self.note.editingFinished.connect(lambda: self.save_field("note"))
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(120)
        self._check_timer.timeout.connect(self._check)
        self.display.textChanged.connect(self._text_changed)
        self.keep.toggled.connect(lambda _: self._check())
        edit_buttons = QHBoxLayout()
        edit_buttons.addWidget(self.keep, 1)
        edit_buttons.addWidget(self.revert_button)
        edit_buttons.addWidget(self.save_button)
        fields = QFormLayout()
        fields.addRow("Section:", self.section)
        fields.addRow("Note:", self.note)
        self.original = QTextBrowser()
        self.original.setOpenLinks(False)
        self.printed = QLabel()
        self.printed.setWordWrap(True)
        self.printed.setTextFormat(Qt.TextFormat.RichText)
        self.printed.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        original_head = QHBoxLayout()
        original_head.addWidget(QLabel("<b>The transcript</b> (the original stays linked)"), 1)
        original_head.addWidget(self.jump_button)
        self.editor_box = QWidget()
        ed = QVBoxLayout(self.editor_box)
        ed.setContentsMargins(0, 0, 0, 0)
        ed.addWidget(self.heading)
        ed.addWidget(self.display, 2)
        ed.addWidget(self.check)
        ed.addLayout(edit_buttons)
        ed.addLayout(fields)
        ed.addLayout(original_head)
        ed.addWidget(self.original, 2)
        ed.addWidget(self.printed)
        self.empty = QLabel(
            "The basket is empty. Add quotes from the transcript (select text or a coding, "
            "then Ctrl+Alt+Q), from the retrieved excerpts (right-click) or from the Query tab."
        )
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        # --- citation and names ----------------------------------------------------------------
        self.citation = CitationEditor(session)
        self.citation.message.connect(self.message)
        self.citation.edited.connect(self._show_printed)
        self.names = NamesEditor(session)
        self.extras = QTabWidget()
        self.extras.addTab(self.citation, "Citation")
        self.extras.addTab(self.names, "Names to pseudonymise")

        right = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("reports-basket-right")
        editor_area = QWidget()
        ea = QVBoxLayout(editor_area)
        ea.setContentsMargins(4, 0, 0, 0)
        ea.addWidget(self.editor_box, 1)
        ea.addWidget(self.empty, 1)
        right.addWidget(editor_area)
        right.addWidget(self.extras)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setSizes([520, 260])
        split = QSplitter()
        split.setObjectName("reports-basket-split")
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([440, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)

        session.changed.connect(self._on_changed)
        self.reload()

    # --- reading -------------------------------------------------------------------------------
    def reload(self) -> None:
        """The basket from the project, keeping the selection and unsaved texts."""
        with self.session.read() as s:
            self.items = basket(s)
        ids = {i.id for i in self.items}
        self.drafts = {k: v for k, v in self.drafts.items() if k in ids}
        if self.current_id is not None and self.current_id not in ids:
            self.current_id = None
        self._fill()
        self.sections.setStringList(sorted({i.section for i in self.items if i.section}))

    def _fill(self) -> None:
        self._loading = True
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        bold = QFont()
        bold.setBold(True)
        select: QTreeWidgetItem | None = None
        for item in self.items:
            head = groups.get(item.section)
            if head is None:
                head = QTreeWidgetItem([item.section or NO_SECTION])
                head.setData(0, QUOTE_ID, None)
                head.setData(0, SECTION, item.section)
                head.setFont(0, bold)
                head.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled)
                self.tree.addTopLevelItem(head)
                groups[item.section] = head
            child = QTreeWidgetItem([self._label(item)])
            child.setData(0, QUOTE_ID, item.id)
            child.setData(0, SECTION, item.section)
            child.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled
            )
            child.setToolTip(0, self._tooltip(item))
            if not item.fidelity.faithful:
                child.setForeground(0, QColor(RED))
            if item.id in self.drafts:
                font = QFont()
                font.setItalic(True)
                child.setFont(0, font)
            head.addChild(child)
            if item.id == self.current_id:
                select = child
        self.tree.expandAll()
        self._loading = False
        n = len(self.items)
        edited = sum(not i.fidelity.faithful for i in self.items)
        self.count.setText(
            f"<b>{n} quote{'s' if n != 1 else ''}</b> in {len(groups)} section"
            f"{'s' if len(groups) != 1 else ''}"
            + (f" · <span style='color: {RED}'>{edited} kept unfaithful</span>" if edited else "")
        )
        if select is None and self.items:
            first = self.tree.topLevelItem(0)
            select = first.child(0) if first is not None else None
        if select is not None:
            self.tree.setCurrentItem(select)  # -> _selected
        else:
            self._selected()

    def _label(self, item: BasketItem) -> str:
        who = item.context.who or item.context.speaker
        mark = "✎ " if item.id in self.drafts else ("⚠ " if not item.fidelity.faithful else "")
        return f"{item.number}.  {mark}“{_flat(item.display)}”" + (f" — {who}" if who else "")

    def _tooltip(self, item: BasketItem) -> str:
        lines = [f"Quote {item.number} · {item.context.document}"]
        if item.id in self.drafts:
            lines.append("Unsaved changes to its text")
        if not item.fidelity.faithful:
            lines.append("Kept although not faithful: " + item.fidelity.message.split(";")[0])
        if item.coding_uuid and item.coding_id is None:
            lines.append("Its coding was removed; the quote keeps its span")
        return "\n".join(lines)

    def item(self, quote_id: int | None) -> BasketItem | None:
        return next((i for i in self.items if i.id == quote_id), None)

    def current(self) -> BasketItem | None:
        return self.item(self.current_id)

    def select(self, quote_id: int) -> None:
        """Select a quote in the list (as a click would)."""
        for head in (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())):
            for child in (head.child(k) for k in range(head.childCount())) if head else ():
                if child is not None and child.data(0, QUOTE_ID) == quote_id:
                    self.tree.setCurrentItem(child)
                    return

    # --- the selected quote --------------------------------------------------------------------
    def _selected(self) -> None:
        if self._loading:
            return
        tree_item = self.tree.currentItem()
        quote_id = tree_item.data(0, QUOTE_ID) if tree_item is not None else None
        first = tree_item.child(0) if tree_item is not None and quote_id is None else None
        if first is not None:
            self.tree.setCurrentItem(first)  # a section head: its first quote
            return
        self._keep_draft()
        self.current_id = quote_id
        self._show_current()

    def _keep_draft(self) -> None:
        """Remember what was typed into the quote being left, if it is not saved."""
        old = self.current()
        if old is None:
            return
        text = self.display.toPlainText()
        if text != self._loaded_text and text.strip() != old.display:
            self.drafts[old.id] = text
        else:
            self.drafts.pop(old.id, None)
        self._relabel(old)

    def _relabel(self, item: BasketItem) -> None:
        for head in (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())):
            for child in (head.child(k) for k in range(head.childCount())) if head else ():
                if child is not None and child.data(0, QUOTE_ID) == item.id:
                    child.setText(0, self._label(item))
                    child.setToolTip(0, self._tooltip(item))
                    font = QFont()
                    font.setItalic(item.id in self.drafts)
                    child.setFont(0, font)

    def _show_current(self) -> None:
        item = self.current()
        self.editor_box.setVisible(item is not None)
        self.empty.setVisible(not self.items)
        for b in (self.up_button, self.down_button, self.remove_button):
            b.setEnabled(item is not None)
        self.export_button.setEnabled(bool(self.items))
        if item is None:
            self._shown_id = None
            self.citation.set_quote(None)
            return
        ctx = item.context
        place = ctx.timestamp or f"¶{ctx.paragraph}"
        where = " · ".join(x for x in (ctx.document, ctx.who or ctx.speaker, place) if x)
        code = f" · from a coding of <i>{html.escape(ctx.code_path)}</i>" if ctx.code_path else ""
        self.heading.setText(f"<b>Quote {item.number}</b> · {html.escape(where)}{code}")
        new = item.id != self._shown_id
        self._loading = True
        shown = self.drafts.get(item.id, item.display)
        self._loaded_text = item.display
        if self.display.toPlainText() != shown:
            self.display.setPlainText(shown)
        if new:
            self.keep.setChecked(not item.fidelity.faithful)
        for field, value in ((self.section, item.section), (self.note, item.note)):
            if new or not field.hasFocus():
                field.setText(value)
        self._loading = False
        self._shown_id = item.id
        self._show_original(item)
        self.citation.set_quote(item)  # -> the export preview
        self._check()

    def _show_original(self, item: BasketItem) -> None:
        with self.session.read() as s:
            text = document_text(s, item.document_id)
        before = text[max(0, item.start - CONTEXT) : item.start]
        after = text[item.end : item.end + CONTEXT]
        body = (
            f"<span style='color: gray'>{html.escape(('…' if item.start > CONTEXT else '') + before)}</span>"
            f"<b>{html.escape(item.original)}</b>"
            f"<span style='color: gray'>{html.escape(after + ('…' if item.end + CONTEXT < len(text) else ''))}</span>"
        ).replace("\n", "<br>")
        self.original.setHtml(f"<p>{body}</p>")

    def _text_changed(self) -> None:
        if not self._loading:
            self._check_timer.start()

    def fidelity(self) -> Fidelity:
        item = self.current()
        if item is None:
            return Fidelity(False, "no quote selected")
        return check_display(item.original, self.display.toPlainText())

    def _check(self) -> None:
        """Check the text being edited against the transcript; mark what differs."""
        self._check_timer.stop()
        item = self.current()
        if item is None:
            return
        text = self.display.toPlainText()
        verdict = self.fidelity()
        self.check.setText(_fidelity_html(verdict, kept=self.keep.isChecked()))
        selections = []
        if verdict.where is not None and text:
            a, z = verdict.where
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.display.document())
            cursor.setPosition(_qt(text, a))
            cursor.setPosition(_qt(text, max(z, a + 1)), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(RED))
            fmt.setBackground(QColor(192, 57, 43, 40))
            sel.cursor = cursor
            sel.format = fmt
            selections.append(sel)
        self.display.setExtraSelections(selections)
        changed = text.strip() != item.display
        self.save_button.setEnabled(
            changed and bool(text.strip()) and (verdict.faithful or self.keep.isChecked())
        )
        self.revert_button.setEnabled(changed)
        if not changed:
            self.drafts.pop(item.id, None)
        self._show_printed()

    def save(self) -> bool:
        """Save the display text being edited (refused unless faithful or kept as is)."""
        item = self.current()
        if item is None:
            return False
        text = self.display.toPlainText().strip()
        verdict = self.fidelity()
        if not text or (not verdict.faithful and not self.keep.isChecked()):
            self._check()
            self.message.emit(
                "Not saved: the text is not a faithful edit of the transcript (tick “Keep as "
                "is” to save it anyway)."
            )
            return False
        if text == item.display and verdict.faithful == item.fidelity.faithful:
            return True
        command = undo.edit_quote(item.id, display=text, force=not verdict.faithful)
        if not self.session.run(command):
            return False
        self.drafts.pop(item.id, None)
        self.message.emit(f"Saved quote {item.number} (Ctrl+Z in the main window undoes it).")
        return True

    def revert(self) -> None:
        item = self.current()
        if item is not None:
            self.drafts.pop(item.id, None)
            self.display.setPlainText(item.display)
            self._check()

    def save_field(self, name: str) -> None:
        """Save the section or the note when its field is left (one undoable edit)."""
        item = self.current()
        if item is None or self._loading:
            return
        value = " ".join((self.section if name == "section" else self.note).text().split())
        if value == (item.section if name == "section" else item.note):
            return
        if name == "section":
            self.session.run(undo.edit_quote(item.id, section=value))
        else:
            self.session.run(undo.edit_quote(item.id, note=value))

    # --- order and removal ---------------------------------------------------------------------
    def _group(self, item: BasketItem) -> list[BasketItem]:
        return [i for i in self.items if i.section == item.section]

    def move_quote(self, step: int) -> None:
        """Move the selected quote up (-1) or down (1) within its section."""
        item = self.current()
        if item is None:
            return
        group = self._group(item)
        k = group.index(item) + step
        if not 0 <= k < len(group):
            return
        # move_quote places it among the others: before the previous one, after the next one
        self.session.run(undo.move_quote(item.id, group[k].number - 1))

    def _dropped(self, quote_id: int, target: tuple[QTreeWidgetItem | None, Any]) -> None:
        """A quote dragged onto or next to another quote or a section head."""
        where_item, where = target
        item = self.item(quote_id)
        if item is None:
            return
        section, position = item.section, len(self.items) - 1
        above = where == QAbstractItemView.DropIndicatorPosition.AboveItem
        other = self.item(where_item.data(0, QUOTE_ID)) if where_item is not None else None
        if other is not None:
            section = other.section
            index = other.number - 1 + (0 if above else 1)
            position = index - (1 if item.number - 1 < index else 0)
        elif where_item is not None:  # a section head: the start of that section
            section = str(where_item.data(0, SECTION) or "")
            group = [i for i in self.items if i.section == section and i.id != quote_id]
            position = group[0].number - 1 if group else position
            if group and item.number < group[0].number:
                position -= 1
        commands = []
        if section != item.section:
            commands.append(undo.edit_quote(quote_id, section=section))
        if position != item.number - 1:
            commands.append(undo.move_quote(quote_id, position))
        if commands:
            self.session.run(together("Move quote", commands))

    def remove(self) -> None:
        item = self.current()
        if item is None:
            return
        if self.session.run(undo.remove_quote(item.id)):
            self.message.emit(
                f"Removed quote {item.number} from the basket (Ctrl+Z in the main window brings "
                "it back)."
            )

    def jump(self) -> None:
        item = self.current()
        if item is not None:
            self.jumpRequested.emit(item.document_id, item.start, item.end)

    # --- the export preview --------------------------------------------------------------
    def _show_printed(self) -> None:
        """The selected quote as the export will print it (with the options ticked)."""
        item = self.current()
        if item is None:
            self.printed.clear()
            return
        draft = self.display.toPlainText().strip() or item.display
        cite = self.citation.citation() if self.cite.isChecked() else None
        if isinstance(cite, UserError):
            cite = None
        names = None
        if self.pseudonymise.isChecked():
            if self._pseudonymiser is None:
                with self.session.read() as s:
                    self._pseudonymiser = project_pseudonymiser(s)
            names = self._pseudonymiser
        shown = dataclasses.replace(item, display=draft)
        q = printed_quotes([shown], citation=cite, pseudonymiser=names)[0]
        how = "pseudonymised, " if names is not None else ""
        self.printed.setText(
            f"<span style='color: gray'>In the export ({how}as ticked on the left):</span> "
            f"“{html.escape(_flat(q.text, 400))}” {html.escape(q.citation)}"
        )

    # --- changes -------------------------------------------------------------------------------
    def _on_changed(self, changes: Changes) -> None:
        everything = concerns_everything(changes)
        if everything or changes.names or changes.cases or changes.attributes:
            self._pseudonymiser = None
        if everything or changes.quotes or changes.cases or changes.documents or changes.codes:
            self.reload()
        if everything or changes.names:
            self._show_printed()

    # --- export --------------------------------------------------------------------------------
    def export(self, path: str | Path | None = None) -> None:
        """Write the basket (citations, pseudonyms and notes as ticked) in the background."""
        if not self.items:
            return
        suffix = str(self.format.currentData())
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export the quote basket", f"quotes{suffix}", f"*{suffix}"
            )
            if not chosen:
                return
            path = chosen if chosen.lower().endswith(suffix) else chosen + suffix
        project, target = self.session.project, Path(path)
        cite, names, notes = (
            self.cite.isChecked(),
            self.pseudonymise.isChecked(),
            self.with_notes.isChecked(),
        )

        def work(progress: Progress, cancel: CancelCheck) -> tuple[Path, int]:
            from qualbench.exports.quotes import write_basket

            with project.read() as s:
                items = basket(s)
                citation_ = citation(s) if cite else None
                pseudonymiser = project_pseudonymiser(s) if names else None
                name = project.info().name
            written = write_basket(
                items, target, project=name, citation=citation_, pseudonymiser=pseudonymiser,
                notes=notes, progress=progress, cancel=cancel,
            )  # fmt: skip
            return written, len(items)

        def done(result: tuple[Path, int]) -> None:
            written, n = result
            how = "; names pseudonymised" if names else ""
            self.message.emit(f"Wrote {n} quotes to {written} (contains transcript text{how}).")

        self._start("Exporting the quote basket", work, done)


def _qt(text: str, offset: int) -> int:
    """A code point offset as a Qt (UTF-16) position."""
    return len(text[:offset].encode("utf-16-le")) // 2
