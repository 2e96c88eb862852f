"""The text side of the transcript view: a read-only QPlainTextEdit with roomy lines, coding
keys forwarded, code drops accepted onto the selection, and hover tooltips.

Positions in this module are Qt's (UTF-16 units); the view converts at its API.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QTextBlock,
    QTextDocument,
)
from PySide6.QtWidgets import QFrame, QPlainTextDocumentLayout, QPlainTextEdit, QToolTip, QWidget

CODE_IDS_MIME = "application/x-qualbench-code-ids"
SPAN_MIME = "application/x-qualbench-span"

_K = Qt.Key
# Keys that move the cursor or extend the selection stay with the text edit.
_NAVIGATION = {
    _K.Key_Left, _K.Key_Right, _K.Key_Up, _K.Key_Down, _K.Key_Home, _K.Key_End,
    _K.Key_PageUp, _K.Key_PageDown, _K.Key_Tab, _K.Key_Backtab, _K.Key_Escape,
    _K.Key_Shift, _K.Key_Control, _K.Key_Alt, _K.Key_Meta, _K.Key_AltGr,
}  # fmt: skip
_FORWARD = {_K.Key_Delete, _K.Key_Backspace, _K.Key_Return, _K.Key_Enter, _K.Key_Space}


def is_coding_key(event: QKeyEvent) -> bool:
    """Digits, letters and punctuation without Ctrl/Alt/Meta, Delete, Backspace, Enter,
    Space: keys the owner may map to coding actions. Navigation and Ctrl shortcuts are not."""
    if event.key() in _NAVIGATION:
        return False
    mods = event.modifiers() & ~(
        Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
    )
    if mods != Qt.KeyboardModifier.NoModifier:
        return False
    if event.key() in _FORWARD:
        return True
    text = event.text()
    return len(text) == 1 and text.isprintable()


def parse_code_ids(data: bytes) -> list[int] | None:
    """Code ids from the drag payload ("3,17,5"), or None when it is not that."""
    try:
        parts = bytes(data).decode("utf-8").split(",")
        ids = [int(p) for p in parts if p.strip()]
    except (UnicodeDecodeError, ValueError):
        return None
    return ids or None


class SpacedLayout(QPlainTextDocumentLayout):
    """QPlainTextDocumentLayout with extra space between lines and above speaker turns.

    The plain-text layout ignores QTextBlockFormat margins and line height, so the lines Qt
    lays out are moved down here, the first time the block's size is asked for after a layout;
    every later query (painting, hit tests, cursor rectangles) reads the moved lines.
    """

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.line_gap = 0.0
        self.turn_gap = 0.0
        self.turn_blocks: set[int] = set()  # positions of the blocks that begin a speaker turn

    def blockBoundingRect(self, block: QTextBlock) -> QRectF:
        rect = super().blockBoundingRect(block)
        layout = block.layout()
        n = layout.lineCount()
        if n == 0 or not block.isVisible():
            return rect
        if block.length() <= 1:  # a blank line stays one plain line high
            return rect
        gap = self.line_gap
        top = gap / 2 + (self.turn_gap if self._after_text(block) else 0.0)
        if top and layout.lineAt(0).y() != top:  # fresh from Qt: lines start at 0
            y = top
            for i in range(n):
                line = layout.lineAt(i)
                line.setPosition(QPointF(line.x(), y))
                y += line.height() + gap
        last = layout.lineAt(n - 1)
        height = last.y() + last.height() + gap / 2
        if not block.next().isValid():
            height += self.document().documentMargin()
        return QRectF(0.0, 0.0, rect.width(), height)

    def _after_text(self, block: QTextBlock) -> bool:
        """A speaker turn that follows a line of text (not a blank line) gets more room."""
        prev = block.previous()
        return block.position() in self.turn_blocks and prev.isValid() and prev.length() > 1


class TranscriptTextEdit(QPlainTextEdit):
    """Read-only text that forwards coding keys, takes code drops and explains codings."""

    codingKey = Signal(QKeyEvent)
    codesDropped = Signal(list)
    codingClicked = Signal(int)  # Ctrl+click: the position clicked
    menuRequested = Signal(QPoint)  # global position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        doc = QTextDocument(self)
        self.spaced = SpacedLayout(doc)
        doc.setDocumentLayout(self.spaced)
        self.setDocument(doc)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.tooltip_at: Callable[[int], str | None] = lambda _pos: None
        self.span_payload: Callable[[int, int], bytes | None] = lambda _a, _z: None

    def position_at(self, point: QPoint) -> int | None:
        """The position of the character under a viewport point, None off the text."""
        cursor = self.cursorForPosition(point)
        rect = self.cursorRect(cursor)
        if not rect.top() - 2 <= point.y() <= rect.bottom() + 2:
            return None
        # cursorForPosition rounds to the nearer gap between characters: step back when the
        # click was on the left half of the character before it
        pos = cursor.position()
        block = cursor.block()
        if point.x() < rect.x() and pos > block.position():
            pos -= 1
        elif pos >= block.position() + block.length() - 1:
            return None  # right of the end of a paragraph
        return pos

    # --- events ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if is_coding_key(event):
            # a copy the receiver may keep: Qt deletes the event once it is handled
            self.codingKey.emit(
                QKeyEvent(event.type(), event.key(), event.modifiers(), event.nativeScanCode(),
                          event.nativeVirtualKey(), event.nativeModifiers(), event.text(),
                          event.isAutoRepeat(), event.count())
            )  # fmt: skip
            event.accept()
            return
        super().keyPressEvent(event)

    def _accepts(self, event: QDragEnterEvent | QDragMoveEvent) -> bool:
        return event.mimeData().hasFormat(CODE_IDS_MIME) and self.textCursor().hasSelection()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accepts(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accepts(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        ids = (
            parse_code_ids(mime.data(CODE_IDS_MIME).data())
            if mime.hasFormat(CODE_IDS_MIME)
            else None
        )
        if ids is None or not self.textCursor().hasSelection():
            event.ignore()
            return
        event.acceptProposedAction()
        self.codesDropped.emit(ids)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if (
            event.button() == Qt.MouseButton.LeftButton
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            pos = self.position_at(event.position().toPoint())
            if pos is not None:
                self.codingClicked.emit(pos)
                event.accept()
                return
        super().mousePressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.menuRequested.emit(event.globalPos())
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            pos = self.position_at(event.pos())
            html = self.tooltip_at(pos) if pos is not None else None
            if html:
                QToolTip.showText(event.globalPos(), html, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def createMimeDataFromSelection(self) -> QMimeData:
        """The selected text, plus the span (``document id,start,end`` in code points) for drops
        onto a code."""
        mime = super().createMimeDataFromSelection()
        cursor = self.textCursor()
        payload = self.span_payload(cursor.selectionStart(), cursor.selectionEnd())
        if payload is not None:
            mime.setData(SPAN_MIME, payload)
        return mime
