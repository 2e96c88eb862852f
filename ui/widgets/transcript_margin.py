"""The coding margin: one thin bar per visible coding beside the text, in packed lanes.

Lane 0 sits next to the text; lanes that do not fit collapse into "+n" badges. Each bar's code
name is written (elided) at its first line, joined to the bar by a hairline. Only the blocks
on screen are visited, and the codings come from the interval index, so a paint costs about a
millisecond whatever the document's length.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from ui.widgets.transcript_highlight import CodingHighlighter, is_dark, mix, readable
from ui.widgets.transcript_index import CodingState, Span
from ui.widgets.transcript_text import TranscriptTextEdit

LANE_W = 7.0  # one lane: a bar and its gap
BAR_W = 3.0
WIDE_W = 5.0  # focused or hovered bar
PAD_R = 5.0  # between lane 0 and the text
PAD_L = 6.0
LABEL_MIN = 84.0  # lanes never squeeze the labels below this
BADGE_W = 24.0


@dataclass(slots=True)
class Bar:
    span: Span
    lane: int
    rect: QRectF
    starts_here: bool  # the coding's first line is on screen
    ends_here: bool


@dataclass(slots=True)
class MarginGeometry:
    """What one paint draws, kept for hit tests."""

    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[QRectF, Bar]] = field(default_factory=list)
    badges: list[tuple[QRectF, list[Span]]] = field(default_factory=list)
    fit: int = 0


class CodingMargin(QWidget):
    """Paints the bars of the codings on screen; click, right-click and hover act on them."""

    activated = Signal(int)  # coding id
    menuRequested = Signal(int, QPoint)  # coding id, global position
    hovered = Signal(object)  # coding id or None

    def __init__(
        self, edit: TranscriptTextEdit, state: CodingState, colors: CodingHighlighter
    ) -> None:
        super().__init__()
        self.edit = edit
        self.state = state
        self.colors = colors
        self.tooltip_for: Callable[[list[int]], str | None] = lambda _ids: None
        self.hovered_id: int | None = None
        self.paint_seconds = 0.0
        self.setMouseTracking(True)
        self.setMinimumWidth(0)
        self.setAutoFillBackground(False)
        font = QFont(self.font())
        font.setPointSizeF(max(8.0, font.pointSizeF()))
        self.setFont(font)

    def sizeHint(self) -> QSize:
        return QSize(170, 100)

    # --- geometry ----------------------------------------------------------------------------

    def geometry_now(self) -> MarginGeometry:
        """Bars, labels and badges of the codings on screen, in margin coordinates."""
        geo = MarginGeometry()
        edit, state = self.edit, self.state
        if not state.index.spans:
            return geo
        width, height = float(self.width()), float(self.height())
        dy = (
            edit.viewport().mapTo(self.window(), QPoint()).y()
            - self.mapTo(self.window(), QPoint()).y()
        )
        offset = edit.contentOffset()
        tops: dict[int, float] = {}
        block = edit.firstVisibleBlock()
        first = block
        last = block
        while block.isValid():
            top = edit.blockBoundingGeometry(block).translated(offset).top() + dy
            if top > height:
                break
            if block.isVisible():
                tops[block.blockNumber()] = top
                last = block
            block = block.next()
        if not tops:
            return geo
        a, z = first.position(), last.position() + last.length()
        doc = edit.document()

        def line_y(pos: int, *, bottom: bool) -> float:
            b = doc.findBlock(pos)
            top = tops.get(b.blockNumber(), -10.0)
            line = b.layout().lineForTextPosition(pos - b.position())
            if not line.isValid():
                return top
            return top + line.y() + (line.height() if bottom else 0.0)

        fit_all = int((width - PAD_R - PAD_L - LABEL_MIN) // LANE_W)
        fit = max(
            1,
            fit_all
            if state.lane_count <= fit_all
            else int((width - PAD_R - PAD_L - LABEL_MIN - BADGE_W) // LANE_W),
        )
        geo.fit = fit
        hidden: list[tuple[float, Span]] = []
        for s in state.index.overlapping(a, z):
            lane = state.lanes.get(s.id, 0)
            starts_here, ends_here = s.start >= a, s.end <= z
            y0 = line_y(s.start, bottom=False) + 2 if starts_here else -4.0
            y1 = line_y(max(s.start, s.end - 1), bottom=True) - 2 if ends_here else height + 4
            if lane >= fit:
                hidden.append((max(y0, 0.0), s))
                continue
            x = width - PAD_R - (lane + 1) * LANE_W
            rect = QRectF(x, y0, LANE_W, max(4.0, y1 - y0))
            geo.bars.append(Bar(s, lane, rect, starts_here, ends_here))
        self._place_labels(geo, width, fit)
        self._place_badges(geo, hidden, width, fit)
        return geo

    def _lanes_left(self, width: float, fit: int) -> float:
        return width - PAD_R - min(fit, max(1, self.state.lane_count)) * LANE_W

    def _place_labels(self, geo: MarginGeometry, width: float, fit: int) -> None:
        fm = QFontMetricsF(self.font())
        lh = fm.height()
        right = self._lanes_left(width, fit) - (BADGE_W if self.state.lane_count > fit else 0.0) - 4
        if right - PAD_L < 24:
            return
        next_y = -1e9
        for bar in sorted(
            (b for b in geo.bars if b.starts_here), key=lambda b: (b.rect.top(), b.lane)
        ):
            y = max(bar.rect.top() - 2, next_y)
            if y - bar.rect.top() > 3 * lh:
                continue  # too crowded here: the bar's tooltip still names it
            geo.labels.append((QRectF(PAD_L, y, right - PAD_L, lh), bar))
            next_y = y + lh

    def _place_badges(
        self, geo: MarginGeometry, hidden: list[tuple[float, Span]], width: float, fit: int
    ) -> None:
        if not hidden:
            return
        lh = QFontMetricsF(self.font()).height()
        x = self._lanes_left(width, fit) - BADGE_W
        hidden.sort(key=lambda t: t[0])
        y0, group = hidden[0][0], []
        for y, s in hidden:
            if y - y0 > lh * 1.5:  # a new group, a line or more below the last
                geo.badges.append((QRectF(x, y0, BADGE_W - 3, lh), group))
                y0, group = y, []
            group.append(s)
        geo.badges.append((QRectF(x, y0, BADGE_W - 3, lh), group))

    # --- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        t0 = time.perf_counter()
        p = QPainter(self)
        pal = self.palette()
        dark = is_dark(pal)
        base = pal.color(QPalette.ColorRole.Base)
        window = pal.color(QPalette.ColorRole.Window)
        text = pal.color(QPalette.ColorRole.Text)
        p.fillRect(event.rect(), mix(base, window, 0.6))
        p.setPen(QPen(mix(window, text, 0.18), 1))
        p.drawLine(QPointF(self.width() - 0.5, 0), QPointF(self.width() - 0.5, self.height()))
        geo = self.geometry_now()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        focused, hovered = self.state.focused, self.hovered_id
        for bar in geo.bars:
            color = self.colors.code_color(bar.span.code_id)
            w = WIDE_W if bar.span.id in (focused, hovered) else BAR_W
            r = bar.rect
            x = r.right() - w - (LANE_W - BAR_W) / 2 + (w - BAR_W) / 2
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRoundedRect(QRectF(x, r.top(), w, r.height()), 1.5, 1.5)
            # small ticks towards the text mark where the coding begins and ends
            if bar.starts_here:
                p.drawRect(QRectF(x, r.top(), w + 3, 1.6))
            if bar.ends_here:
                p.drawRect(QRectF(x, r.bottom() - 1.6, w + 3, 1.6))
        self._paint_labels(p, geo, dark, text)
        self._paint_badges(p, geo, text, window)
        p.end()
        self.paint_seconds = time.perf_counter() - t0

    def _paint_labels(self, p: QPainter, geo: MarginGeometry, dark: bool, text: QColor) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        plain_fm, bold_fm = QFontMetricsF(self.font()), QFontMetricsF(bold)
        for rect, bar in geo.labels:
            s = bar.span
            strong = s.id in (self.state.focused, self.hovered_id)
            fm = bold_fm if strong else plain_fm
            color = self.colors.code_color(s.code_id)
            ink = readable(color, dark=dark)
            memo_w = 9.0 if s.has_memo else 0.0
            name = fm.elidedText(
                self.state.label(s), Qt.TextElideMode.ElideRight, rect.width() - memo_w
            )
            tw = fm.horizontalAdvance(name)
            cy = rect.center().y()
            leader = QColor(color)
            leader.setAlphaF(0.55)
            p.setPen(QPen(leader, 1))
            p.drawLine(
                QPointF(rect.right() + 2, cy), QPointF(bar.rect.right() - (LANE_W - BAR_W) / 2, cy)
            )
            if s.has_memo:  # a small note with a folded corner
                mx, my = rect.right() - 7, cy - 4
                note = QPolygonF([QPointF(mx, my), QPointF(mx + 4, my), QPointF(mx + 7, my + 3),
                                  QPointF(mx + 7, my + 8), QPointF(mx, my + 8)])  # fmt: skip
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(mix(text, color, 0.35))
                p.drawPolygon(note)
            p.setFont(bold if strong else self.font())
            p.setPen(ink)
            p.drawText(QRectF(rect.right() - memo_w - tw - 2, rect.top(), tw + 2, rect.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)  # fmt: skip
        p.setFont(self.font())

    def _paint_badges(self, p: QPainter, geo: MarginGeometry, text: QColor, window: QColor) -> None:
        for rect, spans in geo.badges:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(mix(window, text, 0.14))
            p.drawRoundedRect(rect, 4, 4)
            p.setPen(mix(text, window, 0.2))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"+{len(spans)}")

    # --- interaction -------------------------------------------------------------------------

    def hit(self, point: QPointF) -> list[int]:
        """Coding ids under a margin point: one for a bar or label, several for a badge."""
        geo = self.geometry_now()
        for rect, bar in geo.labels:
            if rect.contains(point):
                return [bar.span.id]
        for bar in sorted(geo.bars, key=lambda b: b.rect.height()):
            if bar.rect.adjusted(-0.5, -1, 0.5, 1).contains(point):
                return [bar.span.id]
        for rect, spans in geo.badges:
            if rect.contains(point):
                return [s.id for s in spans]
        return []

    def bar_rect(self, coding_id: int) -> QRectF | None:
        """Where the coding's bar is drawn now (None when it is not on screen)."""
        return next((b.rect for b in self.geometry_now().bars if b.span.id == coding_id), None)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        ids = self.hit(event.position())
        if len(ids) != 1:
            super().mousePressEvent(event)
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(ids[0])
        elif event.button() == Qt.MouseButton.RightButton:
            self.menuRequested.emit(ids[0], event.globalPosition().toPoint())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        ids = self.hit(event.position())
        self._set_hovered(ids[0] if len(ids) == 1 else None)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._set_hovered(None)
        super().leaveEvent(event)

    def _set_hovered(self, coding_id: int | None) -> None:
        if coding_id != self.hovered_id:
            self.hovered_id = coding_id
            self.setCursor(
                Qt.CursorShape.PointingHandCursor
                if coding_id is not None
                else Qt.CursorShape.ArrowCursor
            )
            self.hovered.emit(coding_id)
            self.update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.edit.wheelEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            ids = self.hit(QPointF(event.pos()))
            html = self.tooltip_for(ids) if ids else None
            if html:
                QToolTip.showText(event.globalPos(), html, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)
