"""The reading and coding view of one document: the transcript text with its codings washed in
and a coding margin of bars beside it.

The view receives data (a :class:`~qualbench.workspace.DocumentView`, coding marks, code colours,
coder names) and reports what the user does through signals; it never reads the project. Its
API speaks code points, like the core; Qt's UTF-16 positions stay inside (one
:class:`~qualbench.utf16.Utf16Map` converts at the boundary).

Mouse: drag to select; a click on a margin bar, or Ctrl+click on coloured text, selects that
coding (repeated Ctrl+clicks on overlapping codings cycle through them); right-click on a bar
asks for the coding's menu, on the text for the text menu. Drop codes (mime
``application/x-qualbench-code-ids``) onto a selection to apply them.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QKeyEvent, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QSplitter, QTextEdit, QVBoxLayout, QWidget

from qualbench.utf16 import Utf16Map
from qualbench.workspace import CodingMark, DocumentView
from ui.widgets.transcript_highlight import CodingHighlighter, mix, readable
from ui.widgets.transcript_index import CodingState, Span
from ui.widgets.transcript_margin import CodingMargin
from ui.widgets.transcript_text import CODE_IDS_MIME, SPAN_MIME, TranscriptTextEdit

__all__ = ["CODE_IDS_MIME", "SPAN_MIME", "TranscriptView"]

FLASH_MS = 900
TOOLTIP_MAX = 6  # codings described in one tooltip


def _innermost_first(spans: Iterable[Span]) -> list[Span]:
    return sorted(spans, key=lambda s: (-s.start, s.end, s.id))


class TranscriptView(QWidget):
    """One document's text with its codings; see the module docstring for the gestures."""

    selectionSpanChanged = Signal(int, int)  # code points; start == end without a selection
    codingActivated = Signal(int)
    codingMenuRequested = Signal(int, QPoint)  # coding id, global position
    textMenuRequested = Signal(QPoint)  # global position
    codesDropped = Signal(list)  # code ids dropped onto the selection
    keyPressedForCoding = Signal(QKeyEvent)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = CodingState()
        self.text_edit = TranscriptTextEdit()
        self.highlighter = CodingHighlighter(self.state)
        self.margin = CodingMargin(self.text_edit, self.state, self.highlighter)
        # (coding id) -> rich-text tooltip; set by the owner, who knows the project
        self.details: Callable[[int], str] | None = None
        self._document: DocumentView | None = None
        self._map = Utf16Map("")
        self._length = 0  # of the text, in UTF-16 units
        self._last_span = (-1, -1)
        self._extra: dict[str, list[QTextEdit.ExtraSelection]] = {}
        self._flash_timer = QTimer(self, singleShot=True, interval=FLASH_MS)
        self._flash_timer.timeout.connect(lambda: self._set_extra("flash", []))

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.margin)
        self.splitter.addWidget(self.text_edit)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setHandleWidth(4)
        self.splitter.setSizes([170, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        edit = self.text_edit
        font = QFont(self.font())
        font.setPointSizeF(max(11.0, font.pointSizeF() * 1.2))
        edit.setFont(font)
        edit.document().setDocumentMargin(14)
        spacing = QFontMetricsF(font).lineSpacing()
        edit.spaced.line_gap = round(spacing * 0.45)
        edit.spaced.turn_gap = round(spacing * 0.6)
        edit.tooltip_at = self._tooltip_at
        edit.span_payload = self._span_payload
        edit.selectionChanged.connect(self._emit_selection)
        edit.cursorPositionChanged.connect(self._emit_selection)
        edit.updateRequest.connect(self._on_update_request)
        edit.verticalScrollBar().valueChanged.connect(self.margin.update)
        edit.codingKey.connect(self.keyPressedForCoding)
        edit.codesDropped.connect(self.codesDropped)
        edit.codingClicked.connect(self._on_text_click)
        edit.menuRequested.connect(self.textMenuRequested)
        self.margin.tooltip_for = self._tooltip_html
        self.margin.activated.connect(self._activate)
        self.margin.menuRequested.connect(self.codingMenuRequested)
        self.margin.hovered.connect(self._on_margin_hover)
        self.highlighter.set_palette(self.palette())

    # --- offsets: the one boundary between code points and Qt's UTF-16 units ------------------

    def _to_qt(self, offset: int) -> int:
        return min(self._map.to_utf16(max(0, offset)), self._length)

    def _from_qt(self, pos: int) -> int:
        return self._map.to_code_points(max(0, min(pos, self._length)))

    # --- loading -----------------------------------------------------------------------------

    def set_document(
        self,
        view: DocumentView,
        codings: Sequence[CodingMark],
        *,
        codes: Mapping[int, tuple[str, str]],
        coders: Mapping[int, str],
    ) -> None:
        """Show a document with its codings; ``codes`` is ``{id: (path, "#RRGGBB")}``."""
        self.highlighter.setDocument(None)  # one full pass below, not one per step
        self._flash_timer.stop()
        self._extra.clear()
        self.text_edit.setExtraSelections([])
        self.margin.hovered_id = None
        self._document = view
        self._map = Utf16Map(view.text)
        self._length = self._map.to_utf16(len(view.text))
        state = self.state
        state.focused = None
        if dict(codes) != state.codes:
            state.codes = dict(codes)
            self.highlighter.forget_colors()
        state.coders = dict(coders)
        state.set_turns(view.turns, self._to_qt)
        self.text_edit.spaced.turn_blocks = {self._to_qt(t.start) for t in view.turns}
        state.set_marks(codings, self._to_qt)
        self.text_edit.setPlainText(view.text)
        self.highlighter.setDocument(self.text_edit.document())
        self.highlighter.rehighlight()
        self.margin.update()
        self._emit_selection()

    def document(self) -> DocumentView | None:
        """The document shown, if any."""
        return self._document

    def set_codings(
        self, codings: Sequence[CodingMark], *, changed: Iterable[int] | None = None
    ) -> None:
        """Replace the codings. With ``changed`` (ids added, removed or moved) only the text
        those codings cover, before or after, is re-coloured, and other bars keep their lanes;
        without it, all of it. Marks that differ from the last call (a recode, a memo flag)
        count as changed even when not listed."""
        dirty = self.state.set_marks(codings, self._to_qt, changed=changed)
        if changed is None:
            self.highlighter.rehighlight()
        else:
            self._rehighlight(dirty)
        if self.margin.hovered_id not in self.state.spans:
            self._on_margin_hover(None)
        self.margin.update()

    def set_codes(self, codes: Mapping[int, tuple[str, str]]) -> None:
        """New code names or colours."""
        self.state.codes = dict(codes)
        self.highlighter.forget_colors()
        self.highlighter.rehighlight()
        self.margin.update()

    def set_coders(self, coders: Mapping[int, str]) -> None:
        """New coder names (used by the built-in tooltip)."""
        self.state.coders = dict(coders)

    def set_visible_coders(self, ids: set[int] | frozenset[int] | None) -> None:
        """Show only these coders' codings (None: everyone's)."""
        self.state.visible_coders = None if ids is None else frozenset(ids)
        self._refilter()

    def set_visible_codes(self, ids: set[int] | frozenset[int] | None) -> None:
        """Show only codings of these codes (None: all codes)."""
        self.state.visible_codes = None if ids is None else frozenset(ids)
        self._refilter()

    def _refilter(self) -> None:
        self.state.refilter()
        self.highlighter.rehighlight()
        self.margin.update()

    def _rehighlight(self, ranges: Iterable[tuple[int, int]]) -> None:
        doc = self.text_edit.document()
        numbers: set[int] = set()
        for a, z in ranges:
            block = doc.findBlock(a)
            while block.isValid() and (block.position() < z or block.position() <= a):
                numbers.add(block.blockNumber())
                block = block.next()
        for n in sorted(numbers):
            self.highlighter.rehighlightBlock(doc.findBlockByNumber(n))

    # --- selection and focus -----------------------------------------------------------------

    def selected_span(self) -> tuple[int, int] | None:
        """The selection in code points, None when nothing is selected."""
        c = self.text_edit.textCursor()
        if not c.hasSelection():
            return None
        return self._from_qt(c.selectionStart()), self._from_qt(c.selectionEnd())

    def cursor_offset(self) -> int:
        """The text cursor's offset in code points."""
        return self._from_qt(self.text_edit.textCursor().position())

    def select_span(self, start: int, end: int, *, flash: bool = True) -> None:
        """Select ``[start, end)`` (code points), scroll it to the middle, flash it briefly."""
        a, z = sorted((self._to_qt(start), self._to_qt(end)))
        self._select(a, z)
        self._centre(a, z)
        if flash:
            self.flash(start, end)

    def flash(self, start: int, end: int) -> None:
        """Mark ``[start, end)`` for a moment (after a jump from a list, say)."""
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.text_edit.document())
        cursor.setPosition(self._to_qt(start))
        cursor.setPosition(self._to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor
        fmt = QTextCharFormat()
        pal = self.palette()
        fmt.setBackground(
            mix(pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Highlight), 0.55)
        )
        fmt.setForeground(pal.color(QPalette.ColorRole.Text))
        sel.format = fmt
        self._set_extra("flash", [sel])
        self._flash_timer.start()

    def focus_coding(self, coding_id: int | None) -> None:
        """Emphasise one coding in the text and the margin (None: none)."""
        if coding_id is not None and coding_id not in self.state.spans:
            raise KeyError(f"coding {coding_id} is not in this view")
        old, self.state.focused = self.state.focused, coding_id
        if old == coding_id:
            return
        self._rehighlight(
            (s.start, s.end) for i in (old, coding_id) if (s := self.state.spans.get(i))
        )
        self.margin.update()

    def focused_coding(self) -> int | None:
        return self.state.focused

    def coding_ids_at(self, offset: int) -> list[int]:
        """The visible codings covering the character at ``offset``, innermost first."""
        return [s.id for s in _innermost_first(self.state.index.at(self._to_qt(offset)))]

    def offset_at(self, global_pos: QPoint) -> int | None:
        """The offset of the character under a screen point (e.g. a menu's), None off text."""
        viewport = self.text_edit.viewport()
        pos = self.text_edit.position_at(viewport.mapFromGlobal(global_pos))
        return None if pos is None else self._from_qt(pos)

    def margin_width(self) -> int:
        return self.splitter.sizes()[0]

    def set_margin_width(self, width: int) -> None:
        total = sum(self.splitter.sizes()) or self.width()
        self.splitter.setSizes([max(0, width), max(1, total - width)])

    def _select(self, a: int, z: int) -> None:
        """Select Qt ``[a, z)`` with the cursor at its start, so Qt scrolls to the start."""
        cursor = QTextCursor(self.text_edit.document())
        cursor.setPosition(z)
        cursor.setPosition(a, QTextCursor.MoveMode.KeepAnchor)
        self.text_edit.setTextCursor(cursor)

    def _centre(self, a: int, z: int) -> None:
        edit = self.text_edit
        edit.centerCursor()  # the start's line in the middle
        view_h = edit.viewport().height()
        height = self._span_height(a, z, limit=view_h)
        line_h = QFontMetricsF(edit.font()).lineSpacing() + edit.spaced.line_gap
        shift = height / 2 if height < view_h * 0.8 else view_h / 2 - 2 * line_h
        bar = edit.verticalScrollBar()
        bar.setValue(bar.value() + max(0, round(shift / line_h)))

    def _span_height(self, a: int, z: int, *, limit: float) -> float:
        """Pixels from the top of ``a``'s line to the bottom of ``z``'s, or ``limit`` or more."""
        edit = self.text_edit
        doc, layout = edit.document(), edit.spaced
        first, last = doc.findBlock(a), doc.findBlock(max(a, z - 1))
        layout.blockBoundingRect(first)
        start_line = first.layout().lineForTextPosition(a - first.position())
        height = -start_line.y() if start_line.isValid() else 0.0
        block = first
        while block.isValid() and block != last and height < limit:
            height += layout.blockBoundingRect(block).height()
            block = block.next()
        if block == last:
            layout.blockBoundingRect(last)
            end_line = last.layout().lineForTextPosition(max(a, z - 1) - last.position())
            height += end_line.y() + end_line.height() if end_line.isValid() else 0.0
        return height

    def _activate(self, coding_id: int) -> None:
        """Focus a coding and select its text without scrolling (it is on screen)."""
        s = self.state.spans.get(coding_id)
        if s is None:
            return
        bar = self.text_edit.verticalScrollBar()
        value = bar.value()
        self.focus_coding(coding_id)
        self._select(s.start, s.end)
        bar.setValue(value)
        self.codingActivated.emit(coding_id)

    def _on_text_click(self, pos: int) -> None:
        ids = [s.id for s in _innermost_first(self.state.index.at(pos))]
        if not ids:
            return
        focused = self.state.focused
        self._activate(ids[(ids.index(focused) + 1) % len(ids)] if focused in ids else ids[0])

    def _emit_selection(self) -> None:
        c = self.text_edit.textCursor()
        a, z = (c.selectionStart(), c.selectionEnd()) if c.hasSelection() else (c.position(),) * 2
        span = (self._from_qt(a), self._from_qt(z))
        if span != self._last_span:
            self._last_span = span
            self.selectionSpanChanged.emit(*span)

    # --- transient marks, tooltips, repaint ----------------------------------------------------

    def _set_extra(self, layer: str, selections: list[QTextEdit.ExtraSelection]) -> None:
        self._extra[layer] = selections
        self.text_edit.setExtraSelections([s for layer in self._extra.values() for s in layer])

    def _on_margin_hover(self, coding_id: int | None) -> None:
        s = self.state.spans.get(coding_id) if coding_id is not None else None
        if s is None:
            self._set_extra("hover", [])
            return
        color = self.highlighter.code_color(s.code_id)
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.text_edit.document())
        cursor.setPosition(s.start)
        cursor.setPosition(s.end, QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setBackground(mix(self.palette().color(QPalette.ColorRole.Base), color, 0.45))
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        fmt.setUnderlineColor(readable(color, dark=self.highlighter.dark))
        sel.format = fmt
        self._set_extra("hover", [sel])

    def _tooltip_at(self, pos: int) -> str | None:
        return self._tooltip_html([s.id for s in _innermost_first(self.state.index.at(pos))])

    def _tooltip_html(self, ids: list[int]) -> str | None:
        ids = [i for i in ids if i in self.state.marks]
        if not ids:
            return None
        describe = self.details or self._describe
        parts = [describe(i) for i in ids[:TOOLTIP_MAX]]
        if len(ids) > TOOLTIP_MAX:
            parts.append(f"<i>and {len(ids) - TOOLTIP_MAX} more</i>")
        return "<hr>".join(p for p in parts if p) or None

    def _describe(self, coding_id: int) -> str:
        """A tooltip from what the view knows (the owner's ``details`` says more)."""
        m = self.state.marks[coding_id]
        path = self.state.codes.get(m.code_id, (f"code {m.code_id}", ""))[0]
        color = self.highlighter.code_color(m.code_id).name()
        coder = self.state.coders.get(m.coder_id, f"coder {m.coder_id}")
        memo = "<br><i>has a memo</i>" if m.has_memo else ""
        return (
            f"<span style='color:{color}'>&#9632;</span> <b>{html.escape(path)}</b><br>"
            f"{html.escape(coder)} · {html.escape(m.origin)}{memo}"
        )

    def _span_payload(self, a: int, z: int) -> bytes | None:
        if self._document is None or a == z:
            return None
        return f"{self._document.id},{self._from_qt(a)},{self._from_qt(z)}".encode()

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy or rect.width() > 8:  # not the cursor blinking
            self.margin.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.highlighter.set_palette(self.palette())
            self.highlighter.rehighlight()
            self.margin.update()
        super().changeEvent(event)
