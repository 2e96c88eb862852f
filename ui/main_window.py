"""The coding workspace: documents and codes on the left, the transcript with its coding margin
in the middle, retrieved excerpts and memos below. Menus list every action with its shortcut;
the coding actions themselves live in :mod:`ui.coding`."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from qualbench.changes import Changes
from qualbench.services.codes import descendants
from qualbench.services.coding import get_or_create_coder
from qualbench.workspace import (
    DocumentView,
    code_colors,
    coders,
    coding_details,
    document_codings,
    document_view,
)
from ui.coding import CodingController
from ui.live import LiveUpdates
from ui.menus import build_menus
from ui.session import ProjectSession, concerns_everything
from ui.settings import set_coder_name, settings
from ui.widgets.agreement import AgreementDialog
from ui.widgets.codebook import CodesPanel
from ui.widgets.documents import DocumentsPanel
from ui.widgets.find import FindBar
from ui.widgets.memo import MemoPanel
from ui.widgets.palette import QuickCodePalette
from ui.widgets.reconcile import ReconcilePanel
from ui.widgets.retrieval import RetrievalPanel
from ui.widgets.transcript import TranscriptView


class MainWindow(QMainWindow):
    """One window per open project."""

    openRequested = Signal(str)  # a project path to switch to (File > Open / Recent / New)
    serverOpenRequested = Signal(str, str)  # a server URL and a password for it ("": none)

    def __init__(self, session: ProjectSession, *, path: Path | None = None) -> None:
        super().__init__()
        self.session = session
        self.path = path
        self.document: DocumentView | None = None
        self.visible_coders: set[int] | None = None
        self._tasks: list[object] = []
        self.import_report: QMessageBox | None = None
        self.copies_report: QMessageBox | None = None
        self.merge_wizard: QWidget | None = None
        self.agreement_dialog: AgreementDialog | None = None
        self.reconcile: ReconcilePanel | None = None
        self.server_dialog: QWidget | None = None
        self.live: LiveUpdates | None = None
        self.recent_menu: QMenu
        self.coders_menu: QMenu
        self.undo_action: QAction
        self.redo_action: QAction
        self.snap_action: QAction
        self.only_selected_action: QAction
        self.change_coder_action: QAction
        self.codebook_actions: list[QAction] = []  # what changes the codebook (lead only)

        self.view = TranscriptView()
        self.view.details = self._details
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setContentsMargins(8, 6, 8, 2)
        self.find_bar = FindBar(
            lambda: self.document.text if self.document else "",
            lambda: (self.view.selected_span() or (self.view.cursor_offset(),))[0],
            lambda a, z: self.view.select_span(a, z, flash=False),
        )
        center = QWidget()
        layout = QVBoxLayout(center)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(center)

        self.documents = DocumentsPanel(session)
        self.codes = CodesPanel(session)
        self.retrieval = RetrievalPanel(session)
        self.memos = MemoPanel(session)
        self.quick_palette = QuickCodePalette(self)
        self.coding = CodingController(self)
        self.docks: dict[str, QDockWidget] = {}
        left, bottom = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        self._dock("documents", "Documents", self.documents, left)
        self._dock("codes", "Codes", self.codes, left)
        self._dock("retrieval", "Retrieved excerpts", self.retrieval, bottom)
        self._dock("memos", "Memos", self.memos, bottom)
        # Excerpts and memos share the bottom: the transcript keeps the width on a laptop.
        self.splitDockWidget(
            self.docks["retrieval"], self.docks["memos"], Qt.Orientation.Horizontal
        )
        self.resizeDocks(
            [self.docks["documents"], self.docks["codes"]], [440, 420], Qt.Orientation.Vertical
        )
        self.resizeDocks([self.docks["documents"]], [320], Qt.Orientation.Horizontal)
        self.resizeDocks(
            [self.docks["retrieval"], self.docks["memos"]], [700, 340], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.docks["retrieval"]], [230], Qt.Orientation.Vertical)

        self.server_status = QLabel()
        self.server_status.setVisible(session.is_team)
        self.statusBar().addPermanentWidget(self.server_status)
        self.coder_label = QLabel()
        self.statusBar().addPermanentWidget(self.coder_label)
        build_menus(self)
        self._connect()
        self._update_title()
        self._update_undo()
        self._update_coder_label()
        self._apply_role()
        self._restore_layout()
        QTimer.singleShot(0, self._open_first_document)
        if session.is_team:
            self.live = LiveUpdates(session, self)
            self.live.status.connect(self._server_status)
            self._server_status(True, "")
            self.live.start()

    def _connect(self) -> None:
        s, c = self.session, self.coding
        s.changed.connect(self._on_changed)
        s.undo_state_changed.connect(self._update_undo)
        s.error.connect(self.show_error)
        self.documents.documentActivated.connect(self.open_document)
        self.codes.selectionChangedIds.connect(self._codes_selected)
        self.codes.codeActivated.connect(lambda cid: c.apply([cid]))
        self.codes.model.spanDropped.connect(c.span_dropped)
        self.retrieval.jumpRequested.connect(self.jump_to)
        self.quick_palette.codeChosen.connect(c.palette_chose)
        self.quick_palette.createRequested.connect(c.palette_create)
        self.view.codesDropped.connect(lambda ids: c.apply([int(i) for i in ids]))
        self.view.codingActivated.connect(c.focus)
        self.view.codingMenuRequested.connect(c.coding_menu)
        self.view.textMenuRequested.connect(c.text_menu)
        self.view.selectionSpanChanged.connect(self._selection_changed)
        self.view.keyPressedForCoding.connect(c.key)

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
        self.stop_live()
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        for split in self.findChildren(QSplitter):
            if split.objectName():
                s.setValue(f"window/{split.objectName()}", split.saveState())
        s.setValue("window/margin-width", self.view.margin_width())
        super().closeEvent(event)

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
        self.documents.show_document(document_id)
        self.memos.show_target("document", document_id, f"Document: {self.document.name}")
        self.memos.show_target("coding", None, "")
        self._update_header()
        settings().setValue(f"last-document/{self.session.project.info().uuid}", document_id)

    def _update_header(self) -> None:
        """Document name, kind, size, who speaks, and what is hidden from view."""
        doc = self.document
        if doc is None:
            return
        people = sorted({t.participant or t.speaker for t in doc.turns})
        parts = [doc.kind.replace("_", " "), f"{len(doc.text.split()):,} words"]
        if people:
            parts.append(", ".join(people[:8]) + (" …" if len(people) > 8 else ""))
        hidden = []
        if self.visible_coders is not None:
            with self.session.read() as s:
                names = [n for i, n in coders(s) if i in self.visible_coders]
            hidden.append(f"showing codings of {', '.join(names) or 'nobody'} only")
        if self.only_selected_action.isChecked():
            hidden.append("showing only the selected codes")
        warn = (
            f" · <b style='color: #c0392b'>{html.escape('; '.join(hidden))}</b>" if hidden else ""
        )
        self.header.setText(
            f"<b style='font-size: 13pt'>{html.escape(doc.name)}</b>"
            f"<span style='color: gray'> · {html.escape(' · '.join(parts))}</span>{warn}"
        )

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
        if concerns_everything(changes) or changes.cases:
            self._refresh_turns()
        if concerns_everything(changes) or changes.codes or changes.coders:
            with self.session.read() as s:
                self.view.set_codes(code_colors(s))
            self._reload_codings()
        elif changes.codings or (changes.documents and self.document.id in changes.documents):
            self._reload_codings(changes.codings or None)
        if changes.memos and not changes.codings:
            self._reload_codings(frozenset())  # memo markers: the view redraws marks that changed

    def _refresh_turns(self) -> None:
        """Participants were renamed or joined: the header and tooltips name them anew."""
        if self.document is not None:
            with self.session.read() as s:
                self.document = document_view(s, self.document.id)
            self._update_header()

    def jump_to(self, document_id: int, start: int, end: int) -> None:
        if self.document is None or self.document.id != document_id:
            self.open_document(document_id)
        self.view.select_span(start, end, flash=True)
        ids = list(self.view.coding_ids_at(start))
        if ids:
            self.coding.focus(ids[0])

    def show_reconciliation(self, consensus: str) -> ReconcilePanel:
        """The reconciliation panel (made on first use, beside the excerpts) on ``consensus``."""
        if self.reconcile is None:
            from ui.tasks import starter

            self.reconcile = ReconcilePanel(self.session, starter(self))
            self.reconcile.jumpRequested.connect(self.jump_to)
            self._dock(
                "reconcile",
                "Reconciliation",
                self.reconcile,
                Qt.DockWidgetArea.BottomDockWidgetArea,
            )
            self.tabifyDockWidget(self.docks["retrieval"], self.docks["reconcile"])
            self.resizeDocks([self.docks["reconcile"]], [330], Qt.Orientation.Vertical)
        self.docks["reconcile"].show()
        self.docks["reconcile"].raise_()
        self.reconcile.open_consensus(consensus)
        return self.reconcile

    def _selection_changed(self, start: int, end: int) -> None:
        if end > start and self.document is not None:
            words = len(self.document.text[start:end].split())
            self.statusBar().showMessage(f"Selected {words} word{'s' if words != 1 else ''}")
        else:
            self.statusBar().clearMessage()

    def _codes_selected(self, ids: list[int]) -> None:
        self.retrieval.set_codes(ids)
        if ids and ids[0] in self.codes.nodes:
            self.memos.show_target("code", ids[0], f"Code: {self.codes.nodes[ids[0]].path}")
        else:
            self.memos.show_target("code", None, "")
        if self.only_selected_action.isChecked():
            self.show_only_selected_codes(True)

    def show_coding_memo(self) -> None:
        self.docks["memos"].show()
        self.memos.setCurrentIndex(3)
        self.memos.editors["coding"].editor.setFocus()

    # --- what is shown ------------------------------------------------------------------------
    def fill_coders_menu(self) -> None:
        self.coders_menu.clear()
        with self.session.read() as s:
            people = coders(s)
        all_ids = [p for p, _ in people]
        for coder_id, name in people:
            action = QAction(name, self.coders_menu, checkable=True)
            action.setChecked(self.visible_coders is None or coder_id in self.visible_coders)
            action.toggled.connect(lambda on, c=coder_id: self.show_coder(c, on, all_ids))
            self.coders_menu.addAction(action)

    def show_coder(self, coder_id: int, visible: bool, all_ids: list[int]) -> None:
        current = set(all_ids) if self.visible_coders is None else set(self.visible_coders)
        (current.add if visible else current.discard)(coder_id)
        self.visible_coders = None if current >= set(all_ids) else current
        self.view.set_visible_coders(self.visible_coders)
        self._update_header()

    def show_only_selected_codes(self, on: bool) -> None:
        ids: set[int] | None = None
        if on:
            with self.session.read() as s:
                ids = {d for cid in self.codes.selected_ids() for d in descendants(s, cid)}
        self.view.set_visible_codes(ids)
        self._update_header()

    def toggle_focus(self) -> None:
        hide = any(d.isVisible() for d in self.docks.values())
        for dock in self.docks.values():
            dock.setVisible(not hide)

    # --- window -------------------------------------------------------------------------------
    def change_coder(self) -> None:
        name, ok = QInputDialog.getText(
            self,
            "Coder",
            "Your name or initials (recorded with every coding):",
            text=self.session.coder_name,
        )
        name = " ".join(name.split())
        if not ok or not name or name == self.session.coder_name:
            return
        with self.session.project.write() as s:
            coder_id, changes = get_or_create_coder(s, name)
        self.session.coder_name, self.session.coder_id = name, coder_id
        set_coder_name(name)
        self._update_coder_label()
        self.session.notify(changes)

    def _update_coder_label(self) -> None:
        member = self.session.member
        role = f" · {member.role}" if member is not None else ""
        self.coder_label.setText(
            f"Coding as <b>{html.escape(self.session.coder_name)}</b>{html.escape(role)}"
        )

    def _update_title(self) -> None:
        name = self.session.project.info().name
        if self.path:
            where = f" — {self.path}"
        elif self.session.project.path is None:  # a server project: login@host:port/database
            url = self.session.project.engine.url
            where = f" — {url.username}@{url.host}:{url.port or 5432}/{url.database}"
        else:
            where = ""
        member = self.session.member
        role = f" · {member.role}" if member is not None else ""
        self.setWindowTitle(f"{name}{where}{role} — QualBench")

    def _apply_role(self) -> None:
        """A team coder reads the codebook but does not change it (the server refuses anyway);
        the coder is the login, not a name to change."""
        lead = self.session.can_edit_codebook
        self.codes.set_can_edit(lead)
        for action in self.codebook_actions:
            action.setEnabled(lead)
            if not lead:
                action.setStatusTip("Only the team's lead changes the codebook")
        if self.session.is_team:
            self.change_coder_action.setEnabled(False)
            self.change_coder_action.setStatusTip("On a team server you code as your login")

    def _server_status(self, connected: bool, note: str) -> None:
        if connected:
            self.server_status.setText("<span style='color:#27ae60'>●</span> Team server")
            self.server_status.setToolTip(
                "Connected: other members' changes appear here within a few seconds"
            )
        else:
            self.server_status.setText("<span style='color:#c0392b'>●</span> Reconnecting…")
            self.server_status.setToolTip(note)
        if note:
            self.statusBar().showMessage(note, 15000)

    def stop_live(self) -> None:
        """No more live updates (the project closes)."""
        if self.live is not None:
            self.live.stop()

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
        rows: dict[str, str] = {}
        for menu in self.menuBar().findChildren(QMenu):
            for action in menu.actions():
                if not action.shortcut().isEmpty() and action.text():
                    label = action.text().replace("&", "")
                    keys = ", ".join(k.toString() for k in action.shortcuts())
                    rows.setdefault(label, keys)
        rows.update(
            {
                "Apply a pinned code (in the text)": "1 … 9",
                "In-vivo code (in the text)": "V",
                "Quick-code palette (in the text)": "Q",
                "Select a coding": "click its bar, or Ctrl+click the text",
                "Apply and keep the palette open": "Shift+Enter",
                "Rename a code (in the Codes panel)": "F2",
            }
        )
        table = "".join(
            f"<tr><td>{html.escape(k)}</td><td><b>{html.escape(v)}</b></td></tr>"
            for k, v in rows.items()
        )
        QMessageBox.information(self, "Keyboard shortcuts", f"<table cellspacing=6>{table}</table>")

    def show_about(self) -> None:
        from qualbench import __version__

        QMessageBox.about(
            self,
            "About QualBench",
            f"<b>QualBench {__version__}</b><br>An offline workbench for qualitative research.<br>"
            "No network, no telemetry: your transcripts stay on this computer.",
        )
