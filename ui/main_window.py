"""The coding workspace: documents and codes on the left, the transcript with its coding margin
in the middle, excerpts below, memos on the right. Menus and shortcuts for everything."""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from qualbench import undo
from qualbench.changes import Changes
from qualbench.services.codes import code_tree
from qualbench.spans import in_vivo_name, paragraph_span, snap_to_words, turn_span
from qualbench.workspace import (
    DocumentView,
    code_colors,
    coders,
    coding_details,
    document_codings,
    document_view,
)
from ui import actions as file_actions
from ui.session import ProjectSession, concerns_everything
from ui.settings import settings
from ui.widgets.codebook import CodesPanel
from ui.widgets.documents import DocumentsPanel
from ui.widgets.memo import MemoPanel
from ui.widgets.palette import QuickCodePalette, choices_from
from ui.widgets.retrieval import RetrievalPanel
from ui.widgets.transcript import TranscriptView

MAX_RECENT_CODES = 9


class MainWindow(QMainWindow):
    """One window per open project."""

    openRequested = Signal(str)  # a project path to switch to (File > Open / Recent / New)

    def __init__(self, session: ProjectSession, *, path: Path | None = None) -> None:
        super().__init__()
        self.session = session
        self.path = path
        self.document: DocumentView | None = None
        self.recent_codes: list[int] = []
        self.visible_coders: set[int] | None = None
        self._tasks: list[object] = []
        self._palette_mode = "apply"  # or "recode" (then _palette_coding is the coding)
        self._palette_coding: int | None = None
        self.import_report: QMessageBox | None = None

        self.view = TranscriptView()
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setContentsMargins(8, 6, 8, 2)
        center = QWidget()
        layout = QVBoxLayout(center)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(center)

        self.documents = DocumentsPanel(session)
        self.codes = CodesPanel(session)
        self.retrieval = RetrievalPanel(session)
        self.memos = MemoPanel(session)
        self.quick_palette = QuickCodePalette(self)
        self.docks: dict[str, QDockWidget] = {}
        self._dock("documents", "Documents", self.documents, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("codes", "Codes", self.codes, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock(
            "retrieval",
            "Retrieved excerpts",
            self.retrieval,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self._dock("memos", "Memos", self.memos, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks(
            [self.docks["documents"], self.docks["codes"]], [280, 420], Qt.Orientation.Vertical
        )
        self.resizeDocks(
            [self.docks["documents"], self.docks["memos"]], [330, 300], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.docks["retrieval"]], [220], Qt.Orientation.Vertical)

        self.coder_label = QLabel()
        self.statusBar().addPermanentWidget(self.coder_label)
        self._build_menus()
        self._connect()
        self._update_title()
        self._update_undo()
        self.coder_label.setText(f"Coding as <b>{html.escape(session.coder_name)}</b>")
        self._restore_layout()
        QTimer.singleShot(0, self._open_first_document)

    # --- layout --------------------------------------------------------------------------------
    def _dock(self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{key}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        self.docks[key] = dock

    def _restore_layout(self) -> None:
        s = settings()
        geometry, state = s.value("window/geometry"), s.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        QTimer.singleShot(0, self._restore_splitters)  # once the docks have their size
        width = s.value("window/margin-width")
        if width is not None and str(width).isdigit():
            self.view.set_margin_width(int(width))

    def _restore_splitters(self) -> None:
        s = settings()
        for split in self.findChildren(QSplitter):
            saved = s.value(f"window/{split.objectName()}") if split.objectName() else None
            if isinstance(saved, QByteArray):
                split.restoreState(saved)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.memos.save_all()
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        for split in self.findChildren(QSplitter):
            if split.objectName():
                s.setValue(f"window/{split.objectName()}", split.saveState())
        s.setValue("window/margin-width", self.view.margin_width())
        super().closeEvent(event)

    # --- menus and actions ---------------------------------------------------------------------
    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: str | QKeySequence.StandardKey | None = None,
        *,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda checked=False: slot())
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        self._action(
            m, "&New project…", lambda: file_actions.new_project(self), QKeySequence.StandardKey.New
        )
        self._action(
            m,
            "&Open project…",
            lambda: file_actions.open_project_dialog(self),
            QKeySequence.StandardKey.Open,
        )
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(
            lambda: file_actions.fill_recent(self, self.recent_menu)
        )
        m.addSeparator()
        self._action(
            m,
            "&Import files…",
            lambda: file_actions.import_files(self, folder=False),
            "Ctrl+Shift+I",
        )
        self._action(m, "Import &folder…", lambda: file_actions.import_files(self, folder=True))
        self._action(
            m, "Import &attributes (CSV/XLSX)…", lambda: file_actions.import_attributes(self)
        )
        self._action(m, "Import &codebook…", lambda: file_actions.import_codebook(self))
        m.addSeparator()
        self._action(m, "Export code&book…", lambda: file_actions.export_codebook(self))
        self._action(m, "Export &excerpts…", lambda: file_actions.export_excerpts(self), "Ctrl+E")
        self._action(m, "Export theme &table…", lambda: file_actions.export_table(self))
        m.addSeparator()
        self._action(m, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        m = bar.addMenu("&Edit")
        self.undo_action = self._action(m, "Undo", self.session.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action(m, "Redo", self.session.redo, "Ctrl+Shift+Z")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        m.addSeparator()
        self._action(m, "Copy", lambda: self.view.text_edit.copy(), QKeySequence.StandardKey.Copy)

        m = bar.addMenu("&Code")
        self._action(
            m,
            "Apply code… (quick-code palette)",
            self.open_palette,
            "Ctrl+K",
            tip="Search codes by name or definition",
        )
        self._action(
            m, "Apply selected code(s) to selection", self.apply_selected_codes, "Ctrl+Return"
        )
        self._action(m, "In-vivo code (new code from the words)", self.in_vivo, "Ctrl+I")
        m.addSeparator()
        self._action(m, "Select speaker turn", self.select_turn, "Ctrl+T")
        self._action(m, "Select paragraph", self.select_paragraph, "Ctrl+Shift+P")
        self._action(
            m, "Code turn with selected code(s)", lambda: self.code_unit("turn"), "Ctrl+Shift+T"
        )
        self._action(
            m,
            "Code paragraph with selected code(s)",
            lambda: self.code_unit("paragraph"),
            "Ctrl+Alt+P",
        )
        m.addSeparator()
        self._action(m, "Remove selected coding", self.remove_focused, "Delete")
        self._action(m, "Recode selected coding…", self.recode_focused, "Ctrl+R")
        self._action(
            m, "Set selected coding's span to the selection", self.respan_focused, "Ctrl+Shift+R"
        )
        m.addSeparator()
        pins = m.addMenu("Pinned codes (keys 1–9)")
        for number in range(1, 10):
            self._action(
                pins, f"Apply pinned code {number}", partial(self.apply_pinned, number), str(number)
            )
        self._action(m, "Pin selected code to a key…", self.codes.pin_selected)
        self.snap_action = QAction("Snap selections to whole words", self, checkable=True)
        self.snap_action.setChecked(str(settings().value("snap", "true")) == "true")
        self.snap_action.toggled.connect(
            lambda on: settings().setValue("snap", "true" if on else "false")
        )
        m.addAction(self.snap_action)

        m = bar.addMenu("&View")
        for dock in self.docks.values():
            toggle = dock.toggleViewAction()
            toggle.setText(dock.windowTitle())
            m.addAction(toggle)
        self.coders_menu = m.addMenu("Show codings of")
        self.coders_menu.aboutToShow.connect(self._fill_coders_menu)
        self._action(m, "Focus on the transcript", self.toggle_focus, "F11")
        self._action(m, "Next excerpt", lambda: self.retrieval.step(1), "F8")
        self._action(m, "Previous excerpt", lambda: self.retrieval.step(-1), "Shift+F8")

        m = bar.addMenu("&Help")
        self._action(m, "Keyboard shortcuts", self.show_shortcuts, "F1")
        self._action(m, "About QualBench", self.show_about)

    def _connect(self) -> None:
        s = self.session
        s.changed.connect(self._on_changed)
        s.undo_state_changed.connect(self._update_undo)
        s.error.connect(self.show_error)
        self.documents.documentActivated.connect(self.open_document)
        self.codes.selectionChangedIds.connect(self._codes_selected)
        self.codes.codeActivated.connect(lambda cid: self.apply_codes([cid]))
        self.retrieval.jumpRequested.connect(self.jump_to)
        self.quick_palette.codeChosen.connect(
            lambda cid, keep: self.apply_codes([cid], palette=self._palette_mode)
        )
        self.quick_palette.createRequested.connect(self._create_from_palette)
        self.view.codesDropped.connect(lambda ids: self.apply_codes([int(i) for i in ids]))
        self.view.codingActivated.connect(self._coding_focused)
        self.view.codingMenuRequested.connect(self._coding_menu)
        self.view.textMenuRequested.connect(self._text_menu)
        self.view.selectionSpanChanged.connect(self._selection_changed)
        self.view.keyPressedForCoding.connect(self._key_for_coding)

    # --- documents -----------------------------------------------------------------------------
    def _open_first_document(self) -> None:
        last = settings().value(f"last-document/{self.session.project.info().uuid}")
        with self.session.read() as s:
            from qualbench.services.documents import list_documents

            docs = [d.id for d in list_documents(s)]
        if docs:
            wanted = (
                int(last)
                if last is not None and str(last).isdigit() and int(last) in docs
                else docs[0]
            )
            self.open_document(wanted)
        else:
            self.header.setText("<i>No documents yet: File › Import files… or Import folder…</i>")

    def open_document(self, document_id: int) -> None:
        with self.session.read() as s:
            self.document = document_view(s, document_id)
            marks = document_codings(s, document_id)
            codes = code_colors(s)
            names = dict(coders(s))
        self.view.set_document(self.document, marks, codes=codes, coders=names)
        self.view.set_visible_coders(self.visible_coders)
        self.view.details = self._details
        self.documents.show_document(document_id)
        self.memos.show_target("document", document_id, f"Document: {self.document.name}")
        self.memos.show_target("coding", None, "")
        people = sorted({t.participant or t.speaker for t in self.document.turns})
        self.header.setText(
            f"<b style='font-size: 13pt'>{html.escape(self.document.name)}</b>"
            f"<span style='color: gray'> · {self.document.kind.replace('_', ' ')}"
            f" · {len(self.document.text.split()):,} words"
            + (
                f" · {html.escape(', '.join(people[:8]))}{' …' if len(people) > 8 else ''}"
                if people
                else ""
            )
            + "</span>"
        )
        settings().setValue(f"last-document/{self.session.project.info().uuid}", document_id)

    def _details(self, coding_id: int) -> str:
        with self.session.read() as s:
            d = coding_details(s, coding_id)
        memo = "".join(f"<br><i>{html.escape(m[:200])}</i>" for _, m in d.memos)
        origin = "" if d.origin == "manual" else f" ({d.origin})"
        return (
            f"<b><span style='color:{d.color}'>■</span> {html.escape(d.code_path)}</b><br>"
            f"coded by {html.escape(d.coder)}{origin}, {d.created:%Y-%m-%d %H:%M}{memo}"
        )

    def _reload_codings(self, changed: frozenset[int] | None = None) -> None:
        if self.document is None:
            return
        with self.session.read() as s:
            marks = document_codings(s, self.document.id)
        self.view.set_codings(marks, changed=changed)

    def _on_changed(self, changes: Changes) -> None:
        if self.document is None:
            return
        if concerns_everything(changes) or changes.codes or changes.coders:
            with self.session.read() as s:
                self.view.set_codes(code_colors(s))
            self._reload_codings()
        elif changes.codings or (changes.documents and self.document.id in changes.documents):
            self._reload_codings(changes.codings or None)
        if changes.memos and not changes.codings:
            self._reload_codings(frozenset())  # memo markers: the view redraws marks that changed

    def jump_to(self, document_id: int, start: int, end: int) -> None:
        if self.document is None or self.document.id != document_id:
            self.open_document(document_id)
        self.view.select_span(start, end, flash=True)
        ids = list(self.view.coding_ids_at(start))
        if ids:
            self._coding_focused(ids[0])

    # --- coding ---------------------------------------------------------------------------------
    def _span(self) -> tuple[int, int] | None:
        span = self.view.selected_span()
        if span is None or self.document is None:
            return None
        if self.snap_action.isChecked():
            span = snap_to_words(self.document.text, *span)
        return span if span[0] < span[1] else None

    def apply_codes(self, code_ids: list[int], *, palette: str = "apply") -> None:
        if palette == "recode" and self._palette_coding is not None and code_ids:
            self.session.run(undo.recode(self._palette_coding, code_id=code_ids[0]))
            self._palette_mode, self._palette_coding = "apply", None
            return
        span = self._span()
        if self.document is None or not code_ids:
            return
        if span is None:
            self.statusBar().showMessage("Select some text first, then apply a code.", 4000)
            return
        if self.session.run(
            undo.apply_codes(
                document_id=self.document.id,
                start=span[0],
                end=span[1],
                code_ids=code_ids,
                coder_id=self.session.coder_id,
            )
        ):
            self.recent_codes = [*code_ids, *(c for c in self.recent_codes if c not in code_ids)][
                :MAX_RECENT_CODES
            ]
            names = ", ".join(self.codes.nodes[c].name for c in code_ids if c in self.codes.nodes)
            self.statusBar().showMessage(f"Coded {span[1] - span[0]} characters with {names}", 4000)

    def apply_selected_codes(self) -> None:
        self.apply_codes(self.codes.selected_ids())

    def apply_pinned(self, key: int) -> None:
        code_id = self.codes.pinned(key)
        if code_id is None:
            self.statusBar().showMessage(
                f"No code is pinned to {key}: select a code and use Code › Pin…", 4000
            )
            return
        self.apply_codes([code_id])

    def open_palette(self, *, mode: str = "apply", coding_id: int | None = None) -> None:
        self._palette_mode, self._palette_coding = mode, coding_id
        with self.session.read() as s:
            choices = choices_from(code_tree(s))
        pinned = [c for k in range(1, 10) if (c := self.codes.pinned(k)) is not None]
        rect = self.view.text_edit.cursorRect()
        at = self.view.text_edit.viewport().mapToGlobal(QPoint(rect.left(), rect.bottom() + 4))
        self.quick_palette.open(choices, first=[*self.recent_codes, *pinned], at=at)

    def _create_from_palette(self, name: str) -> None:
        span = self._span()
        if self.document is None or span is None:
            from qualbench.undo import create_code

            self.session.run(create_code(name=name))
            return
        self.session.run(
            undo.in_vivo(
                document_id=self.document.id,
                start=span[0],
                end=span[1],
                coder_id=self.session.coder_id,
                name=name,
            )
        )

    def in_vivo(self) -> None:
        span = self._span()
        if self.document is None or span is None:
            self.statusBar().showMessage("Select the words to turn into a code.", 4000)
            return
        name = in_vivo_name(self.document.text[span[0] : span[1]])
        parent = self.codes.selected_ids()
        self.session.run(
            undo.in_vivo(
                document_id=self.document.id, start=span[0], end=span[1], coder_id=self.session.coder_id,
                name=name, parent_id=None if not parent else parent[0],
            )
        )  # fmt: skip

    def _unit_span(self, unit: str) -> tuple[int, int] | None:
        if self.document is None:
            return None
        offset = self.view.cursor_offset()
        if unit == "paragraph":
            return paragraph_span(self.document.text, offset)
        return turn_span([(t.start, t.body_start, t.end) for t in self.document.turns], offset)

    def select_turn(self) -> None:
        span = self._unit_span("turn")
        if span:
            self.view.select_span(*span, flash=False)

    def select_paragraph(self) -> None:
        span = self._unit_span("paragraph")
        if span:
            self.view.select_span(*span, flash=False)

    def code_unit(self, unit: str) -> None:
        span = self._unit_span(unit)
        ids = self.codes.selected_ids()
        if span is None or not ids or self.document is None:
            self.statusBar().showMessage(
                f"Select code(s) in the Codes panel and put the cursor in a {unit}.", 4000
            )
            return
        self.session.run(
            undo.apply_codes(
                document_id=self.document.id,
                start=span[0],
                end=span[1],
                code_ids=ids,
                coder_id=self.session.coder_id,
            )
        )

    def _coding_focused(self, coding_id: int) -> None:
        self.view.focus_coding(coding_id)
        with self.session.read() as s:
            d = coding_details(s, coding_id)
        self.memos.show_target("coding", coding_id, f"Coding: {d.code_path} ({d.coder})")

    def remove_focused(self) -> None:
        coding = self.view.focused_coding()
        if coding is None:
            ids = self.view.coding_ids_at(self.view.cursor_offset())
            coding = ids[0] if len(ids) == 1 else None
        if coding is None:
            self.statusBar().showMessage(
                "Click a coding (its bar in the margin) to remove it.", 4000
            )
            return
        if self.session.run(undo.remove_coding(coding)):
            self.view.focus_coding(None)
            self.memos.show_target("coding", None, "")

    def recode_focused(self) -> None:
        coding = self.view.focused_coding()
        if coding is not None:
            self.open_palette(mode="recode", coding_id=coding)

    def respan_focused(self) -> None:
        coding, span = self.view.focused_coding(), self._span()
        if coding is not None and span is not None:
            self.session.run(undo.change_span(coding, start=span[0], end=span[1]))

    def _key_for_coding(self, event: QKeyEvent) -> None:
        key = event.key()
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and not event.modifiers():
            self.apply_pinned(key - Qt.Key.Key_0)
        elif key == Qt.Key.Key_V and not event.modifiers():
            self.in_vivo()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_focused()
        elif key == Qt.Key.Key_Q and not event.modifiers():
            self.open_palette()

    def _coding_menu(self, coding_id: int, pos: QPoint) -> None:
        self._coding_focused(coding_id)
        menu = QMenu(self)
        menu.addAction("Recode…", lambda: self.open_palette(mode="recode", coding_id=coding_id))
        set_span = menu.addAction("Set span to the selection", self.respan_focused)
        set_span.setEnabled(self._span() is not None)
        menu.addAction("Write a memo on this coding", self.show_coding_memo)
        menu.addSeparator()
        menu.addAction("Remove coding", self.remove_focused)
        menu.exec(pos)

    def show_coding_memo(self) -> None:
        self.docks["memos"].show()
        self.memos.setCurrentIndex(3)
        self.memos.editors["coding"].editor.setFocus()

    def _text_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        has_span = self._span() is not None
        for text, slot, enabled in (
            ("Apply code… (Ctrl+K)", self.open_palette, has_span),
            (
                "Apply selected code(s) (Ctrl+Enter)",
                self.apply_selected_codes,
                has_span and bool(self.codes.selected_ids()),
            ),
            ("In-vivo code (V)", self.in_vivo, has_span),
        ):
            menu.addAction(text, slot).setEnabled(enabled)
        recent = menu.addMenu("Apply recent code")
        for cid in self.recent_codes:
            if cid in self.codes.nodes:
                recent.addAction(
                    self.codes.nodes[cid].path, partial(self.apply_codes, [cid])
                ).setEnabled(has_span)
        recent.setEnabled(bool(self.recent_codes))
        menu.addSeparator()
        menu.addAction("Select speaker turn (Ctrl+T)", self.select_turn)
        menu.addAction("Select paragraph", self.select_paragraph)
        menu.addAction("Code turn with selected code(s)", lambda: self.code_unit("turn"))
        menu.addSeparator()
        menu.addAction("Copy", self.view.text_edit.copy).setEnabled(has_span)
        menu.exec(pos)

    def _selection_changed(self, start: int, end: int) -> None:
        if end > start:
            self.statusBar().showMessage(f"Selected {end - start} characters ({start}–{end})")
        else:
            self.statusBar().clearMessage()

    def _codes_selected(self, ids: list[int]) -> None:
        self.retrieval.set_codes(ids)
        if ids and ids[0] in self.codes.nodes:
            self.memos.show_target("code", ids[0], f"Code: {self.codes.nodes[ids[0]].path}")
        else:
            self.memos.show_target("code", None, "")

    # --- coders -----------------------------------------------------------------------------------
    def _fill_coders_menu(self) -> None:
        self.coders_menu.clear()
        with self.session.read() as s:
            people = coders(s)
        group = QActionGroup(self.coders_menu)
        group.setExclusive(False)
        for coder_id, name in people:
            action = QAction(name, self.coders_menu, checkable=True)
            action.setChecked(self.visible_coders is None or coder_id in self.visible_coders)
            action.toggled.connect(
                lambda on, c=coder_id, all_ids=[p for p, _ in people]: self.show_coder(
                    c, on, all_ids
                )
            )
            self.coders_menu.addAction(action)

    def show_coder(self, coder_id: int, visible: bool, all_ids: list[int]) -> None:
        current = set(all_ids) if self.visible_coders is None else set(self.visible_coders)
        (current.add if visible else current.discard)(coder_id)
        self.visible_coders = None if current >= set(all_ids) else current
        self.view.set_visible_coders(self.visible_coders)

    # --- window ------------------------------------------------------------------------------------
    def toggle_focus(self) -> None:
        hide = any(d.isVisible() for d in self.docks.values())
        for dock in self.docks.values():
            dock.setVisible(not hide)

    def _update_title(self) -> None:
        name = self.session.project.info().name
        where = f" — {self.path}" if self.path else ""
        self.setWindowTitle(f"{name}{where} — QualBench")

    def _update_undo(self) -> None:
        stack = self.session.stack
        self.undo_action.setEnabled(stack.can_undo)
        self.redo_action.setEnabled(stack.can_redo)
        self.undo_action.setText(f"Undo {stack.undo_label}" if stack.can_undo else "Undo")
        self.redo_action.setText(f"Redo {stack.redo_label}" if stack.can_redo else "Redo")

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        QMessageBox.warning(self, "QualBench", message)

    def show_shortcuts(self) -> None:
        rows = []
        for menu in self.menuBar().findChildren(QMenu):
            for action in menu.actions():
                if not action.shortcut().isEmpty() and action.text():
                    rows.append(
                        f"<tr><td>{html.escape(action.text())}</td><td><b>{action.shortcut().toString()}</b></td></tr>"
                    )
        extra = (
            "<tr><td>Apply pinned code (in the text)</td><td><b>1 … 9</b></td></tr>"
            "<tr><td>In-vivo code (in the text)</td><td><b>V</b></td></tr>"
            "<tr><td>Quick-code palette (in the text)</td><td><b>Q</b></td></tr>"
        )
        QMessageBox.information(
            self,
            "Keyboard shortcuts",
            f"<table cellspacing=6>{''.join(dict.fromkeys(rows))}{extra}</table>",
        )

    def show_about(self) -> None:
        from qualbench import __version__

        QMessageBox.about(
            self,
            "About QualBench",
            f"<b>QualBench {__version__}</b><br>An offline workbench for qualitative research.<br>"
            "No network, no telemetry: your transcripts stay on this computer.",
        )
