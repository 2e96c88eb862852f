"""The theme chart: the table of the Theme table tab as grouped or stacked bars, drawn by
:func:`qualbench.reports.charts.theme_chart` on matplotlib's Qt canvas at the size it will have
in print, saved as PNG (300 dpi) or SVG in the background."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from qualbench.progress import CancelCheck, Progress
from qualbench.reports.charts import ChartError, by_label, save_chart, theme_chart
from qualbench.reports.themes import MEASURE_LABELS
from ui.tasks import Starter
from ui.widgets.report_theme_model import PERCENT_LABELS, ThemeSelection

SCREEN_DPI = 100  # the canvas shows the figure at 100 pixels an inch (matplotlib's default)
DEPTHS = {"All codes": None, "Top-level themes only": 0, "Themes and their sub-codes": 1}


class ChartPanel(QWidget):
    """Draws what the theme table shows; its own choices are the layout and which codes."""

    message = Signal(str)

    def __init__(self, start: Starter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._start = start
        self.selection: ThemeSelection | None = None
        self.figure: Any = None
        self.canvas: FigureCanvasQTAgg | None = None

        self.grouped = QRadioButton("Grouped bars")
        self.stacked = QRadioButton("Stacked bars")
        self.stacked.setChecked(True)  # compact with many codes; grouped compares columns
        layout_group = QButtonGroup(self)
        layout_group.addButton(self.grouped)
        layout_group.addButton(self.stacked)
        self.codes_shown = QComboBox()
        for label, depth in DEPTHS.items():
            self.codes_shown.addItem(label, depth)
        self.save_png = QPushButton("Save PNG…")
        self.save_png.setToolTip("300 dpi, for print")
        self.save_svg = QPushButton("Save SVG…")
        self.save_svg.setToolTip("Vector graphics; the text stays editable")
        top = QHBoxLayout()
        top.addWidget(self.grouped)
        top.addWidget(self.stacked)
        top.addSpacing(16)
        top.addWidget(QLabel("Codes:"))
        top.addWidget(self.codes_shown)
        top.addStretch(1)
        top.addWidget(self.save_png)
        top.addWidget(self.save_svg)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.area = QScrollArea()
        self.area.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.area.setWidgetResizable(False)
        self.placeholder = QLabel("Count a theme table first (Theme table tab).")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setMinimumSize(400, 200)
        self.area.setWidget(self.placeholder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.area, 1)

        self.stacked.toggled.connect(lambda _: self.draw())
        self.codes_shown.currentIndexChanged.connect(lambda _: self.draw())
        self.save_png.clicked.connect(lambda: self.save(".png"))
        self.save_svg.clicked.connect(lambda: self.save(".svg"))
        self._enable()

    def set_selection(self, selection: ThemeSelection) -> None:
        """The theme table tab counted or changed its measure: draw it (once visible)."""
        self.selection = selection
        self.figure = None
        if self.isVisible():
            self.draw()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.selection is not None and self.figure is None:
            self.draw()

    def options(self) -> dict[str, Any]:
        assert self.selection is not None
        return {
            "measure": self.selection.measure,
            "percent": self.selection.percent,
            "stacked": self.stacked.isChecked(),
            "max_depth": self.codes_shown.currentData(),
        }

    def draw(self) -> None:
        if self.selection is None:
            return
        table = self.selection.table
        what = MEASURE_LABELS.get(self.selection.measure, self.selection.measure)
        if self.selection.percent:
            what = f"{what} ({PERCENT_LABELS[self.selection.percent]})"
        self.note.setText(
            f"Charting the theme table: <b>{html.escape(what)}</b> by "
            f"<b>{html.escape(by_label(table.by))}</b>"
            + (", sub-codes counted in their parents" if table.rollup else "")
            + ". <span style='color: gray'>Change what is counted in the Theme table tab; "
            "the chart is shown at its printed size.</span>"
        )
        try:
            fig = theme_chart(table, **self.options())
        except ChartError as exc:
            self.figure = None
            self.placeholder.setText(str(exc)[:1].upper() + str(exc)[1:] + ".")
            self._set_widget(self.placeholder)
            self._enable()
            return
        self.figure = fig
        canvas = FigureCanvasQTAgg(fig)
        width, height = fig.get_size_inches()
        canvas.setFixedSize(round(width * SCREEN_DPI), round(height * SCREEN_DPI))
        self._set_widget(canvas)
        self.canvas = canvas
        canvas.draw_idle()
        self._enable()

    def _set_widget(self, widget: QWidget) -> None:
        old = self.area.takeWidget()
        if old is not None and old is not self.placeholder:
            old.deleteLater()
        self.area.setWidget(widget)

    def _enable(self) -> None:
        for button in (self.save_png, self.save_svg):
            button.setEnabled(self.figure is not None)

    def save(self, suffix: str, path: str | Path | None = None) -> None:
        """Save the chart shown as PNG or SVG, drawn anew in the background for print."""
        if self.selection is None or self.figure is None:
            return
        if path is None:
            kind = "PNG image (*.png)" if suffix == ".png" else "SVG drawing (*.svg)"
            chosen, _ = QFileDialog.getSaveFileName(self, "Save the chart", f"themes{suffix}", kind)
            if not chosen:
                return
            path = chosen if chosen.lower().endswith(suffix) else chosen + suffix
        table, options, target = self.selection.table, self.options(), Path(path)

        def work(progress: Progress, cancel: CancelCheck) -> Path:
            return save_chart(theme_chart(table, **options), target)  # its own figure

        self._start("Saving the chart", work, lambda p: self.message.emit(f"Wrote {p}"))
