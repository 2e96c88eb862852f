"""Code co-occurrence: how often codes meet (overlapping codings, or the same sentence,
paragraph, turn or document), counted by :func:`qualbench.reports.cooccurrence.cooccurrence`
in the background. The matrix is a sortable table (counts or Jaccard indexes), the heatmap is
the printed figure, and the pairs are listed by count; double-clicking a pair asks the Query tab
for its passages. Exports: CSV/XLSX/DOCX tables, PNG/SVG heatmap."""

from __future__ import annotations

import html
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qualbench.changes import Changes
from qualbench.progress import CancelCheck, Cancelled, Progress
from qualbench.reports.charts import ChartError, cooccurrence_chart, save_chart
from qualbench.reports.cooccurrence import Cooccurrence, Pair, cooccurrence
from qualbench.reports.query import QUOTES
from ui.session import ProjectSession, concerns_everything
from ui.tasks import Starter
from ui.widgets.report_filters import FiltersPanel, stale_bar

Index = QModelIndex | QPersistentModelIndex
MODES = {
    "overlap": "Overlapping codings",
    "sentence": "Same sentence",
    "paragraph": "Same paragraph",
    "turn": "Same speaker turn",
    "document": "Same document",
}
TABLES = {".csv": "CSV (*.csv)", ".xlsx": "Excel (*.xlsx)", ".docx": "Word (*.docx)"}
SORT_ROLE = Qt.ItemDataRole.UserRole
SCREEN_DPI = 100
GREY = QBrush(QColor("#999999"))
WHITE = QBrush(QColor("white"))
HEAT = (8, 81, 156)  # the dark end of matplotlib's "Blues", as the heatmap
# save_chart sets matplotlib's global rcParams for the time of a save: two saves on two worker
# threads at once could write an SVG with its text as paths. One at a time.
_SAVING = threading.Lock()


def jaccard_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def quoted(path: str) -> str:
    """A code path quoted for a query, with quotation marks the path does not hold."""
    for open_, close in QUOTES.items():
        if open_ not in path and close not in path:
            return f"{open_}{path}{close}"
    return path  # every kind of quotation mark in one code name: leave it bare


def within(m: Cooccurrence) -> str:
    """Where a coding query finds what a co-occurrence counted: the overlapping text, or the
    units in which both codes are."""
    return "span" if m.mode == "overlap" else m.mode


def pair_query(pair: Pair) -> str:
    """The coding query that finds where the two codes of a pair meet."""
    return f"{quoted(pair.a.path)} AND {quoted(pair.b.path)}"


class CooccurrenceModel(QAbstractTableModel):
    """The counted matrix: column 0 the code (numbered), then one column per code; cells hold
    counts or Jaccard indexes, shaded as the heatmap shades them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix: Cooccurrence | None = None
        self.jaccard = False
        self._top = 1.0

    def set_matrix(self, matrix: Cooccurrence | None, *, jaccard: bool | None = None) -> None:
        self.beginResetModel()
        self.matrix = matrix
        if jaccard is not None:
            self.jaccard = jaccard
        self._top = self._largest()
        self.endResetModel()

    def _largest(self) -> float:
        m = self.matrix
        if m is None:
            return 1.0
        grid: Sequence[Sequence[float | None]] = m.jaccard if self.jaccard else m.counts
        values = [float(v) for i, row in enumerate(grid) for j, v in enumerate(row) if i != j and v]
        return float(max(values, default=0) or 1.0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.codes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.codes) + 1

    def value(self, row: int, column: int) -> int | float | None:
        assert self.matrix is not None
        grid = self.matrix.jaccard if self.jaccard else self.matrix.counts
        return grid[row][column - 1]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        m = self.matrix
        if not index.isValid() or m is None:
            return None
        row, col = index.row(), index.column()
        code = m.codes[row]
        if col == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{row + 1}.  " + "    " * code.depth + code.name
            if role == SORT_ROLE:
                return row
            if role == Qt.ItemDataRole.ToolTipRole:
                return code.path
            if role == Qt.ItemDataRole.FontRole and code.depth == 0:
                font = QFont()
                font.setBold(True)
                return font
            return None
        value = self.value(row, col)
        diagonal = row == col - 1
        if role == Qt.ItemDataRole.DisplayRole:
            return jaccard_text(value) if self.jaccard else f"{value:,}"
        if role == SORT_ROLE:
            return -1.0 if value is None else float(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and (diagonal or not value):
            return GREY
        if role == Qt.ItemDataRole.ForegroundRole and value and value / self._top > 0.55:
            return WHITE  # on the dark end of the shading
        if role == Qt.ItemDataRole.FontRole and diagonal:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and value and not diagonal:
            alpha = int(30 + 150 * min(float(value) / self._top, 1.0))
            return QBrush(QColor(*HEAT, alpha))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, col - 1)
        return None

    def _tip(self, i: int, j: int) -> str:
        assert self.matrix is not None
        m = self.matrix
        a, b = m.codes[i], m.codes[j]
        if i == j:
            what = "codings" if m.mode == "overlap" else "units with the code"
            return f"{a.path}: {m.frequency[i]:,} {what} (the diagonal)"
        return (
            f"{a.path} × {b.path}\ncount: {m.counts[i][j]:,}; "
            f"Jaccard: {jaccard_text(m.jaccard[i][j])}"
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        m = self.matrix
        if orientation != Qt.Orientation.Horizontal or m is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "Code" if section == 0 else str(section)
        if role == Qt.ItemDataRole.ToolTipRole and section:
            return f"{section}. {m.codes[section - 1].path}"
        return None


class _NumberItem(QTableWidgetItem):
    """Sorts by the number stored under SORT_ROLE."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is not None and theirs is not None:
            return bool(mine < theirs)
        return super().__lt__(other)


class CooccurrencePanel(QWidget):
    """Options on the left; the matrix, heatmap and pairs on the right."""

    message = Signal(str)
    queryRequested = Signal(str, str)  # a coding query ("A" AND "B") and where to look

    def __init__(
        self, session: ProjectSession, start: Starter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._start = start
        self.matrix: Cooccurrence | None = None
        self.figure: Any = None
        self.canvas: FigureCanvasQTAgg | None = None
        self._generation = 0
        self.counted = 0
        self._pairs: list[Pair] = []

        self.mode = QComboBox()
        for key, label in MODES.items():
            self.mode.addItem(label, key)
        self.mode.setToolTip(
            "Overlap: two codings share at least one character. Same unit: both codes are "
            "somewhere in one sentence, paragraph, speaker turn or document."
        )
        self.same_coder = QCheckBox("Only where one coder used both codes")
        self.filters = FiltersPanel(
            session, groups=("codes", "coders", "documents", "kinds", "attributes", "origins")
        )
        form = QFormLayout()
        form.addRow("Codes meet in:", self.mode)
        form.addRow(self.same_coder)
        options = QWidget()
        o_layout = QVBoxLayout(options)
        o_layout.setContentsMargins(0, 0, 4, 0)
        o_layout.addLayout(form)
        o_layout.addWidget(self.filters, 1)

        self.counts = QRadioButton("Counts")
        self.counts.setChecked(True)
        self.jaccard = QRadioButton("Jaccard index")
        shown = QButtonGroup(self)
        shown.addButton(self.counts)
        shown.addButton(self.jaccard)
        self.export_buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.counts)
        top.addWidget(self.jaccard)
        top.addStretch(1)
        top.addWidget(QLabel("Export:"))
        tips = {
            ".csv": "The matrix shown (counts or Jaccard), numbers as numbers",
            ".xlsx": "Counts, Jaccard and a Pairs sheet (for R or SPSS), and an About sheet",
            ".docx": "Counts and Jaccard as two tables for a paper",
            ".png": "The heatmap at 300 dpi, for print",
            ".svg": "The heatmap as vector graphics; the text stays editable",
        }
        for suffix in (*TABLES, ".png", ".svg"):
            button = QPushButton(suffix[1:].upper() + "…")
            button.setToolTip(tips[suffix])
            button.clicked.connect(lambda checked=False, s=suffix: self.export(s))
            self.export_buttons[suffix] = button
            top.addWidget(button)
        self.summary = QLabel("Counting…")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.stale_bar = stale_bar(self.compute)

        self.model = CooccurrenceModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.doubleClicked.connect(self._cell_activated)

        self.area = QScrollArea()
        self.area.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.area.setWidgetResizable(False)
        self.placeholder = QLabel("Nothing counted yet.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setMinimumSize(400, 200)
        self.area.setWidget(self.placeholder)
        self.views = QTabWidget()
        self.views.addTab(self.view, "Matrix")
        self.views.addTab(self.area, "Heatmap")
        self.views.currentChanged.connect(lambda _: self._draw_if_shown())

        self.pairs = QTableWidget(0, 4)
        self.pairs.setHorizontalHeaderLabels(["Code A", "Code B", "Count", "Jaccard"])
        self.pairs.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pairs.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pairs.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pairs.verticalHeader().hide()
        self.pairs.setWordWrap(False)
        self.pairs.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.pairs.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.pairs.itemDoubleClicked.connect(lambda item: self.query_pair(item.row()))
        self.pairs_label = QLabel("<b>Pairs that meet</b>")
        query_button = QPushButton("Show passages")
        query_button.setToolTip("Run the coding query “A AND B” in the Query tab (or double-click)")
        query_button.clicked.connect(lambda: self.query_pair(self.pairs.currentRow()))
        pairs_top = QHBoxLayout()
        pairs_top.addWidget(self.pairs_label, 1)
        pairs_top.addWidget(query_button)
        pairs_box = QWidget()
        p_layout = QVBoxLayout(pairs_box)
        p_layout.setContentsMargins(4, 0, 0, 0)
        p_layout.addLayout(pairs_top)
        p_layout.addWidget(self.pairs, 1)

        inner = QSplitter()
        inner.setObjectName("reports-cooccurrence-inner")
        inner.addWidget(self.views)
        inner.addWidget(pairs_box)
        inner.setStretchFactor(0, 3)
        inner.setStretchFactor(1, 2)
        inner.setSizes([560, 380])
        right = QWidget()
        r_layout = QVBoxLayout(right)
        r_layout.setContentsMargins(4, 0, 0, 0)
        r_layout.addLayout(top)
        r_layout.addWidget(self.summary)
        r_layout.addWidget(inner, 1)
        r_layout.addWidget(self.stale_bar)
        split = QSplitter()
        split.setObjectName("reports-cooccurrence-split")
        split.addWidget(options)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([270, 930])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.compute)
        self.mode.currentIndexChanged.connect(lambda _: self._timer.start())
        self.same_coder.toggled.connect(lambda _: self._timer.start())
        self.filters.changed.connect(self._timer.start)
        self.jaccard.toggled.connect(lambda _: self._value_changed())
        session.changed.connect(self._on_changed)
        self._enable()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.matrix is None and not self._generation:
            self.compute()

    # --- counting -------------------------------------------------------------------------------
    def set_options(
        self,
        *,
        mode: str | None = None,
        same_coder: bool | None = None,
        jaccard: bool | None = None,
    ) -> None:
        """Choose options as a user would."""
        if mode is not None:
            self.mode.setCurrentIndex(self.mode.findData(mode))
        if same_coder is not None:
            self.same_coder.setChecked(same_coder)
        if jaccard is not None:
            (self.jaccard if jaccard else self.counts).setChecked(True)

    def compute(self) -> None:
        """Count with the options chosen, in the background."""
        self._timer.stop()
        mode, same = str(self.mode.currentData()), self.same_coder.isChecked()
        filters, project = self.filters.filters(), self.session.project
        self._generation += 1
        generation = self._generation

        def work(progress: Progress, cancel: CancelCheck) -> Cooccurrence:
            with project.read() as s:
                m = cooccurrence(
                    s, mode=mode, same_coder=same, filters=filters, progress=progress,
                    cancel=cancel,
                )  # fmt: skip
            if cancel():
                raise Cancelled
            return m

        def done(m: Cooccurrence) -> None:
            if generation == self._generation:
                self.show_matrix(m, generation)

        self._start("Counting co-occurrences", work, done)

    def up_to_date(self) -> bool:
        return (
            self.matrix is not None
            and self.counted == self._generation
            and not self._timer.isActive()
        )

    def show_matrix(self, m: Cooccurrence, generation: int | None = None) -> None:
        self.matrix = m
        self.counted = self._generation if generation is None else generation
        self.stale_bar.hide()
        self.model.set_matrix(m, jaccard=self.jaccard.isChecked())
        self._fit_columns()
        self._fill_pairs()
        self._describe()
        self.figure = None
        self._draw_if_shown()
        self._enable()

    def _describe(self) -> None:
        m = self.matrix
        if m is None:
            return
        if not m.codes:
            self.summary.setText("<b>No codings</b> are counted with these options.")
            return
        what = m.jaccard_definition if self.jaccard.isChecked() else "Count: " + m.count_definition
        diagonal = "codings" if m.mode == "overlap" else "units with the code"
        items = f"{m.items:,} " + ("codings" if m.mode == "overlap" else "units")
        extra = "; ".join(n for n in m.notes[2:])
        who = f"Codings of {', '.join(m.coders)}. " if m.coders else ""
        self.summary.setText(
            f"<b>{html.escape(what[:1].upper() + what[1:])}.</b> "
            f"<span style='color: gray'>The diagonal (grey) holds each code's {diagonal}; "
            f"{len(m.codes)} codes, {items} ({html.escape(m.unit_description)}). "
            f"{html.escape(who)}{html.escape(extra[:1].upper() + extra[1:])}"
            f"{'.' if extra else ''} {html.escape(self.filters.summary())}</span>"
        )

    def _fit_columns(self) -> None:
        if not self.model.columnCount():
            return
        self.view.resizeColumnToContents(0)
        header = self.view.horizontalHeader()
        header.resizeSection(0, min(header.sectionSize(0), 300))
        width = self.fontMetrics().horizontalAdvance("0.000") + 14
        for c in range(1, self.model.columnCount()):
            header.resizeSection(c, width)

    def _fill_pairs(self) -> None:
        m = self.matrix
        self.pairs.setSortingEnabled(False)
        self.pairs.setRowCount(0)
        pairs = sorted(m.pairs(), key=lambda p: (-p.count, p.a.path, p.b.path)) if m else []
        self._pairs = pairs
        self.pairs.setRowCount(len(pairs))
        for row, p in enumerate(pairs):
            a, b = QTableWidgetItem(p.a.name), QTableWidgetItem(p.b.name)
            a.setData(SORT_ROLE + 1, row)
            a.setToolTip(p.a.path)
            b.setToolTip(p.b.path)
            count = _NumberItem(f"{p.count:,}")
            count.setData(SORT_ROLE, p.count)
            jac = _NumberItem(jaccard_text(p.jaccard))
            jac.setData(SORT_ROLE, -1.0 if p.jaccard is None else p.jaccard)
            for number in (count, jac):
                number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for col, cell in enumerate((a, b, count, jac)):
                self.pairs.setItem(row, col, cell)
        self.pairs.setSortingEnabled(True)
        self.pairs.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        n = len(pairs)
        self.pairs_label.setText(
            f"<b>{n} pair{'s' if n != 1 else ''} of codes meet</b> "
            "<span style='color: gray'>(double-click: their passages)</span>"
            if n
            else "<b>No two codes meet</b> with these options."
        )

    def pair_at(self, row: int) -> Pair | None:
        item = self.pairs.item(row, 0) if row >= 0 else None
        return None if item is None else self._pairs[int(item.data(SORT_ROLE + 1))]

    def query_pair(self, row: int) -> None:
        pair = self.pair_at(row)
        if pair is not None and self.matrix is not None:
            self.queryRequested.emit(pair_query(pair), within(self.matrix))

    def _cell_activated(self, index: QModelIndex) -> None:
        """Double-click a cell off the diagonal: the passages where its two codes meet."""
        source = self.proxy.mapToSource(index)
        m = self.matrix
        if m is None or source.column() == 0 or source.row() == source.column() - 1:
            return
        a, b = m.codes[source.row()], m.codes[source.column() - 1]
        self.queryRequested.emit(f"{quoted(a.path)} AND {quoted(b.path)}", within(m))

    def _value_changed(self) -> None:
        self.model.set_matrix(self.matrix, jaccard=self.jaccard.isChecked())
        self._fit_columns()
        self._describe()
        self.figure = None
        self._draw_if_shown()

    # --- the heatmap ---------------------------------------------------------------------------
    def _draw_if_shown(self) -> None:
        if self.views.currentWidget() is self.area and self.figure is None:
            self.draw()

    def draw(self) -> None:
        """Draw the heatmap of the matrix shown, at its printed size."""
        if self.matrix is None:
            return
        try:
            fig = cooccurrence_chart(self.matrix, jaccard=self.jaccard.isChecked())
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

    # --- state ---------------------------------------------------------------------------------
    def _enable(self) -> None:
        has = self.matrix is not None and bool(self.matrix.codes)
        for button in self.export_buttons.values():
            button.setEnabled(has)

    def _on_changed(self, changes: Changes) -> None:
        if self.matrix is not None and (
            concerns_everything(changes)
            or changes.codings
            or changes.codes
            or changes.cases
            or changes.documents
        ):
            self.stale_bar.show()

    # --- export --------------------------------------------------------------------------------
    def export(self, suffix: str, path: str | Path | None = None) -> None:
        """Write the matrix shown (CSV/XLSX/DOCX) or its heatmap (PNG/SVG) in the background."""
        m = self.matrix
        if m is None or not m.codes:
            return
        jaccard = self.jaccard.isChecked()
        if path is None:
            kinds = {**TABLES, ".png": "PNG image (*.png)", ".svg": "SVG drawing (*.svg)"}
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export the co-occurrence", f"cooccurrence{suffix}", kinds[suffix]
            )
            if not chosen:
                return
            path = chosen if chosen.lower().endswith(suffix) else chosen + suffix
        target, name = Path(path), self.session.project.info().name

        def work(progress: Progress, cancel: CancelCheck) -> Path:
            if suffix in (".png", ".svg"):
                with _SAVING:
                    return save_chart(cooccurrence_chart(m, jaccard=jaccard), target)
            from qualbench.exports.tables import write_cooccurrence

            value = "jaccard" if jaccard else "count"
            return write_cooccurrence(m, target, project=name, value=value)

        what = "heatmap" if suffix in (".png", ".svg") else "counts only"
        self._start(
            "Exporting the co-occurrence",
            work,
            lambda p: self.message.emit(f"Wrote {p} ({what}, no transcript text)"),
        )
