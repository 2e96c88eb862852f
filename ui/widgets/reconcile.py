"""Reconciliation: the coders' disagreements in a list; the selected one shown side by side (each
coder's codings highlighted in the unit) and in the transcript; the lead takes A, B, both or
neither with a button or a key. Each decision is an undoable core command, saved at once."""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qualbench import undo
from qualbench.changes import Changes
from qualbench.progress import CancelCheck, Progress
from qualbench.reconcile import Item, Reconciliation, decisions, reconciliation
from qualbench.services.documents import document_text
from qualbench.workspace import code_colors
from ui.session import ProjectSession, concerns_everything
from ui.tasks import Starter

CONTEXT = 120  # characters of context shown before and after the unit


def decision_text(chosen: tuple[str, ...] | None) -> str:
    if chosen is None:
        return "open"
    return "took " + (" and ".join(chosen) if chosen else "neither")


class ReconcilePanel(QWidget):
    jumpRequested = Signal(int, int, int)  # document id, start, end

    def __init__(
        self, session: ProjectSession, start: Starter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._start = start
        self.state: Reconciliation | None = None
        self.shown: list[int] = []  # indexes into state.items, as the table lists them
        self._texts: dict[int, str] = {}
        self._colors: dict[int, tuple[str, str]] = {}
        self._number_keys: list[QAction] = []

        self.title = QLabel("No reconciliation open: Team › Intercoder agreement…, then Reconcile.")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.filter = QComboBox()
        self.filter.addItem("All disagreements", "all")
        self.filter.addItem("Open only", "open")
        self.filter.addItem("Decided only", "decided")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.filter)

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["#", "Document", "Code", "Coded by", "Decision"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideLeft)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        self.sides = QHBoxLayout()
        self.views: list[tuple[QLabel, QTextBrowser]] = []
        self.buttons = QHBoxLayout()
        self.take_buttons: list[QPushButton] = []
        self.both_button = QPushButton("Both  [B]")
        self.neither_button = QPushButton("Neither  [N]")
        self.next_button = QPushButton("Next open  [J]")
        compare = QWidget()
        c_layout = QVBoxLayout(compare)
        c_layout.setContentsMargins(0, 0, 0, 0)
        self.unit_label = QLabel()
        self.unit_label.setWordWrap(True)
        self.unit_label.setTextFormat(Qt.TextFormat.RichText)
        c_layout.addWidget(self.unit_label)
        c_layout.addLayout(self.sides, 1)
        c_layout.addLayout(self.buttons)

        split = QSplitter()
        split.setObjectName("reconcile-split")
        split.addWidget(self.table)
        split.addWidget(compare)
        split.setStretchFactor(1, 1)
        split.setSizes([430, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self.filter.currentIndexChanged.connect(self._fill_table)
        self.table.itemSelectionChanged.connect(self._selected)
        self.both_button.clicked.connect(self.take_all)
        self.neither_button.clicked.connect(lambda: self.decide(()))
        self.next_button.clicked.connect(self.next_open)
        session.changed.connect(self._on_changed)
        for key, slot in (
            ("B", self.take_all),
            ("N", lambda: self.decide(())),
            ("J", self.next_open),
        ):
            self._key(key, slot)
        self._enable(False)

    def _key(self, key: str, slot: Callable[[], object]) -> QAction:
        action = QAction(self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda checked=False: slot())
        self.addAction(action)
        return action

    # --- loading --------------------------------------------------------------------------------
    def open_consensus(self, name: str) -> None:
        project = self.session.project

        def work(progress: Progress, cancel: CancelCheck) -> Reconciliation:
            with project.read() as s:
                return reconciliation(s, name, progress=progress, cancel=cancel)

        self._start("Finding disagreements", work, self.show_state)

    def show_state(self, state: Reconciliation) -> None:
        self.state = state
        self._texts.clear()
        with self.session.read() as s:
            self._colors = code_colors(s)
        self._build_sides(list(state.options.coders))
        self._fill_table()

    def _build_sides(self, coders: list[str]) -> None:
        for label, view in self.views:
            label.deleteLater()
            view.deleteLater()
        for b in self.take_buttons:
            b.deleteLater()
        for action in self._number_keys:
            self.removeAction(action)
        self._number_keys = []
        self.views, self.take_buttons = [], []
        while self.sides.count():
            self.sides.takeAt(0)
        while self.buttons.count():
            self.buttons.takeAt(0)
        for n, coder in enumerate(coders, start=1):
            column = QVBoxLayout()
            label = QLabel(f"<b>{html.escape(coder)}</b>")
            label.setTextFormat(Qt.TextFormat.RichText)
            view = QTextBrowser()
            view.setOpenLinks(False)
            column.addWidget(label)
            column.addWidget(view, 1)
            self.sides.addLayout(column, 1)
            self.views.append((label, view))
            button = QPushButton(f"Take {coder}  [{n}]" if n <= 9 else f"Take {coder}")
            button.clicked.connect(partial(self._take_clicked, coder))
            self.take_buttons.append(button)
            self.buttons.addWidget(button)
            if n <= 9:
                self._number_keys.append(self._key(str(n), partial(self.decide, (coder,))))
        self.both_button.setText("Both  [B]" if len(coders) == 2 else "All who coded it  [B]")
        self.buttons.addWidget(self.both_button)
        self.buttons.addWidget(self.neither_button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.next_button)

    def _fill_table(self) -> None:
        state = self.state
        if state is None:
            return
        keep = self.current()
        mode = self.filter.currentData()
        self.shown = [
            i
            for i, item in enumerate(state.items)
            if mode == "all" or (mode == "open") == (item.chosen is None)
        ]
        self.table.setRowCount(len(self.shown))
        for row, i in enumerate(self.shown):
            item = state.items[i]
            cells = [
                str(i + 1),
                item.document,
                item.code,
                ", ".join(item.coded_by),
                decision_text(item.chosen),
            ]
            for col, value in enumerate(cells):
                cell = QTableWidgetItem(value)
                if col == 0:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, cell)
        self._update_title()
        if keep is not None and keep in self.shown:
            self.table.selectRow(self.shown.index(keep))
        elif self.shown:
            self.table.selectRow(0)
        else:
            self._show_item(None)

    def _update_title(self) -> None:
        state = self.state
        if state is None:
            return
        o = state.options
        self.title.setText(
            f"Consensus <b>{html.escape(state.consensus)}</b> of {html.escape(', '.join(o.coders))} "
            f"({html.escape(o.unit)} units): <b>{state.decided}</b> of {len(state.items)} disagreements decided"
        )

    def current(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.shown):
            return None
        return self.shown[rows[0].row()]

    def _selected(self) -> None:
        index = self.current()
        item = self.state.items[index] if self.state is not None and index is not None else None
        self._show_item(item)
        if item is not None:
            self.jumpRequested.emit(item.document_id, item.start, item.end)

    def _text(self, document_id: int) -> str:
        if document_id not in self._texts:
            with self.session.read() as s:
                self._texts[document_id] = document_text(s, document_id)
        return self._texts[document_id]

    def _show_item(self, item: Item | None) -> None:
        self._enable(item is not None)
        if item is None or self.state is None:
            self.unit_label.setText("")
            for _, view in self.views:
                view.clear()
            return
        text = self._text(item.document_id)
        color = self._colors.get(item.code_id, ("", "#888888"))[1]
        self.unit_label.setText(
            f"<span style='color:{color}'>■</span> <b>{html.escape(item.code)}</b> in "
            f"<b>{html.escape(item.document)}</b>, characters {item.start:,}–{item.end:,} · "
            f"{html.escape(decision_text(item.chosen))}"
        )
        lo, hi = max(0, item.start - CONTEXT), min(len(text), item.end + CONTEXT)
        for coder, (label, view) in zip(self.state.options.coders, self.views, strict=True):
            spans = [(c.start, c.end) for c in item.codings if c.coder == coder]
            coded = coder in item.coded_by
            label.setText(
                f"<b>{html.escape(coder)}</b> — "
                + (
                    "<span style='color:#1e7e34'>coded it</span>"
                    if coded
                    else "<span style='color:#c0392b'>did not code it</span>"
                )
            )
            view.setHtml(_passage(text, lo, hi, item.start, item.end, spans, color))
            view.scrollToAnchor("unit")

    def _enable(self, on: bool) -> None:
        for b in (*self.take_buttons, self.both_button, self.neither_button):
            b.setEnabled(on)

    # --- deciding -----------------------------------------------------------------------------
    def decide(self, take: tuple[str, ...]) -> None:
        index = self.current()
        if self.state is None or index is None:
            return
        item = self.state.items[index]
        command = undo.decide(
            consensus=self.state.consensus,
            document_id=item.document_id,
            start=item.start,
            end=item.end,
            code_id=item.code_id,
            take=take,
            decided_by=self.session.coder_id,
        )
        if self.session.run(command):
            self.next_open(after=index)

    def _take_clicked(self, coder: str, checked: bool = False) -> None:
        self.decide((coder,))

    def take_all(self) -> None:
        index = self.current()
        if self.state is not None and index is not None:
            self.decide(self.state.items[index].coded_by)

    def next_open(self, after: int | None = None) -> None:
        state = self.state
        if state is None:
            return
        start = self.current() if after is None else after
        start = -1 if start is None else start
        order = list(range(start + 1, len(state.items))) + list(range(start + 1))
        for i in order:
            if state.items[i].chosen is None and i in self.shown:
                self.table.selectRow(self.shown.index(i))
                return
        if after is not None and after in self.shown:
            self.table.selectRow(self.shown.index(after))

    def _on_changed(self, changes: Changes) -> None:
        state = self.state
        if state is None:
            return
        if changes.decisions and not concerns_everything(changes):
            self._reload_decisions()
        elif concerns_everything(changes) or changes.codings or changes.codes:
            try:
                with self.session.read() as s:
                    fresh = reconciliation(s, state.consensus)
            except LookupError:
                self.state = None
                self.table.setRowCount(0)
                return
            self.show_state(fresh) if [i.code_id for i in fresh.items] != [
                i.code_id for i in state.items
            ] else self._reload_decisions(fresh)

    def _reload_decisions(self, fresh: Reconciliation | None = None) -> None:
        state = fresh or self.state
        if state is None:
            return
        with self.session.read() as s:
            chosen = decisions(s, state.consensus)
        from dataclasses import replace

        state.items = [
            replace(i, chosen=chosen.get((i.document_id, i.start, i.end, i.code_id)))
            for i in state.items
        ]
        self.state = state
        self._fill_table()


def _tint(color: str, share: float = 0.35) -> str:
    """The code's colour mixed with white, as a highlight that keeps the text readable."""
    c = color.lstrip("#")
    if len(c) != 6:
        return "#dddddd"
    rgb = [int(c[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(v * share + 255 * (1 - share)):02x}" for v in rgb)


def _passage(
    text: str, lo: int, hi: int, start: int, end: int, spans: list[tuple[int, int]], color: str
) -> str:
    """The unit with some context; this coder's codings of the code highlighted."""
    marks = sorted({lo, hi, start, end, *(max(lo, min(hi, p)) for a, z in spans for p in (a, z))})
    out = []
    for a, z in itertools.pairwise(marks):
        piece = html.escape(text[a:z]).replace("\n", "<br>")
        inside = start <= a and z <= end
        if a == start:
            out.append("<a name='unit'></a>")
        coded = any(s <= a and z <= e for s, e in spans)
        style = []
        if not inside:
            style.append("color:#999999")
        if coded:
            style.append(f"background-color:{_tint(color)}; text-decoration: underline")
        out.append(f"<span style='{';'.join(style)}'>{piece}</span>" if style else piece)
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(text) else ""
    return f"<div style='font-size: 11pt; line-height: 140%'>{prefix}{''.join(out)}{suffix}</div>"
