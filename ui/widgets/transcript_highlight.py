"""Colours of codings in the transcript text: a QSyntaxHighlighter fed by the interval index.

Each block asks the index for the codings touching it (O(log n + k)) and sweeps their ends, so
a change re-formats only the blocks it spans. Formats are layout "additional formats": they
never enter the document or its undo stack.
"""

from __future__ import annotations

import itertools

from PySide6.QtGui import QColor, QFont, QPalette, QSyntaxHighlighter, QTextCharFormat

from ui.widgets.transcript_index import CodingState, Span

FormatKey = tuple[bool, tuple[int, ...], int | None]


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a fraction ``t`` of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def readable(color: QColor, *, dark: bool) -> QColor:
    """The colour darkened (light theme) or lightened (dark theme) enough to draw thin lines
    and small text with."""
    h, s, lightness, _ = color.getHslF()
    lightness = max(lightness, 0.72) if dark else min(lightness, 0.38)
    return QColor.fromHslF(max(h, 0.0), s, lightness)


class CodingHighlighter(QSyntaxHighlighter):
    """Washes each character in the colours of the visible codings that cover it."""

    def __init__(self, state: CodingState) -> None:
        super().__init__(None)  # the view attaches it to its document after loading text
        self.state = state
        self.calls = 0  # highlightBlock calls, for tests and benchmarks
        self._formats: dict[FormatKey, QTextCharFormat] = {}
        self._colors: dict[int, QColor] = {}
        self._rgb: dict[int, tuple[float, float, float]] = {}
        self._ink: dict[int, QColor] = {}
        self.set_palette(QPalette())

    def set_palette(self, palette: QPalette) -> None:
        """Derive the wash, overlap and label colours from the widget's palette."""
        self.dark = is_dark(palette)
        self.base = palette.color(QPalette.ColorRole.Base)
        self._base_rgb = (self.base.redF(), self.base.greenF(), self.base.blueF())
        text = palette.color(QPalette.ColorRole.Text)
        self.label = mix(text, self.base, 0.42)
        self.fallback = palette.color(QPalette.ColorRole.Mid)
        self.alpha = 0.3 if self.dark else 0.26
        self.cap = 0.44 if self.dark else 0.5  # text must stay readable under many layers
        self.focus_alpha = 0.55 if self.dark else 0.5
        self.forget_colors()

    def forget_colors(self) -> None:
        """Drop cached formats (codes were recoloured or the palette changed)."""
        self._formats.clear()
        self._colors.clear()
        self._rgb.clear()
        self._ink.clear()

    def code_color(self, code_id: int) -> QColor:
        c = self._colors.get(code_id)
        if c is None:
            name = self.state.color(code_id)
            c = QColor(name) if name else QColor(self.fallback)
            if not c.isValid():
                c = QColor(self.fallback)
            self._colors[code_id] = c
        return c

    def _code_rgb(self, code_id: int) -> tuple[float, float, float]:
        rgb = self._rgb.get(code_id)
        if rgb is None:
            c = self.code_color(code_id)
            rgb = self._rgb[code_id] = (c.redF(), c.greenF(), c.blueF())
        return rgb

    def code_ink(self, code_id: int) -> QColor:
        """The code's colour made readable as thin lines or small text on this palette."""
        ink = self._ink.get(code_id)
        if ink is None:
            ink = self._ink[code_id] = readable(self.code_color(code_id), dark=self.dark)
        return ink

    def highlightBlock(self, text: str) -> None:
        self.calls += 1
        block = self.currentBlock()
        a = block.position()
        z = a + block.length() - 1  # `text` counts code points; setFormat wants UTF-16 units
        if z <= a:
            return
        state = self.state
        spans = state.index.overlapping(a, z)
        labels = state.labels_in(a, z)
        if not spans and not labels:
            return
        cuts = {a, z}
        for s in spans:
            cuts.add(max(s.start, a))
            cuts.add(min(s.end, z))
        for la, lz in labels:
            cuts.add(max(la, a))
            cuts.add(min(lz, z))
        points = sorted(cuts)
        focused = state.focused
        active: list[Span] = []
        nxt = li = 0
        for p, q in itertools.pairwise(points):
            while nxt < len(spans) and max(spans[nxt].start, a) <= p:
                active.append(spans[nxt])
                nxt += 1
            active = [s for s in active if s.end > p]
            while li < len(labels) and labels[li][1] <= p:
                li += 1
            in_label = li < len(labels) and labels[li][0] <= p
            if not active and not in_label:
                continue
            focus = next((s.code_id for s in active if s.id == focused), None)
            key = (in_label, tuple(s.code_id for s in active), focus)
            fmt = self._formats.get(key)
            if fmt is None:
                if len(self._formats) > 50_000:
                    self._formats.clear()
                fmt = self._formats[key] = self._make(*key)
            self.setFormat(p - a, q - p, fmt)

    def _make(self, label: bool, codes: tuple[int, ...], focus: int | None) -> QTextCharFormat:
        fmt = QTextCharFormat()
        if label:
            fmt.setFontWeight(QFont.Weight.Bold)
            fmt.setForeground(self.label)
        if not codes:
            return fmt
        n = len(codes)
        if focus is not None:  # the selected coding shows in its own colour, whatever lies below
            color, t = self._code_rgb(focus), self.focus_alpha
        else:  # the covering codes' average, stronger for each layer, up to a cap
            rgbs = [self._code_rgb(c) for c in codes]
            color = (
                sum(c[0] for c in rgbs) / n,
                sum(c[1] for c in rgbs) / n,
                sum(c[2] for c in rgbs) / n,
            )
            t = min(1 - (1 - self.alpha) ** n, self.cap)
        rgb = [b + (c - b) * t for b, c in zip(self._base_rgb, color, strict=True)]
        if n > 1:  # each extra layer darkens (light theme) or lifts (dark theme) a little
            step = 0.05 * min(n - 1, 5)
            rgb = [v + (1 - v) * step for v in rgb] if self.dark else [v * (1 - step) for v in rgb]
        fmt.setBackground(QColor.fromRgbF(*rgb))
        distinct = list(dict.fromkeys(codes))
        if focus is not None:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(self.code_ink(focus))
        elif n > 1:
            # the innermost other code marks the overlap; the same code twice (two coders) dots
            style = QTextCharFormat.UnderlineStyle
            fmt.setUnderlineStyle(style.SingleUnderline if len(distinct) > 1 else style.DotLine)
            fmt.setUnderlineColor(self.code_ink(distinct[-1]))
        return fmt
