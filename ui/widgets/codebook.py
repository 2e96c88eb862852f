"""The Codes panel: the codebook tree with colours, pins and counts, a filter, the selected
code's definition and criteria, and the actions that change the codebook (all undoable)."""

from __future__ import annotations

import html

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from qualbench import undo
from qualbench.changes import Changes
from qualbench.services.codes import CodeNode, code_tree, descendants, usage
from qualbench.workspace import code_counts
from ui.models.codes import CODE_ID_ROLE, CodesModel
from ui.session import ProjectSession, concerns_everything
from ui.settings import pinned_codes, set_pinned_codes


class CodesPanel(QWidget):
    """Codebook tree and editing; emits the selected code ids."""

    selectionChangedIds = Signal(list)
    codeActivated = Signal(int)  # double-click: apply to the text selection

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = CodesModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(0)
        self.nodes: dict[int, CodeNode] = {}

        self.filter = QLineEdit(placeholderText="Filter codes…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)

        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.doubleClicked.connect(self._double_clicked)
        self.tree.setExpandsOnDoubleClick(False)  # double-click applies the code
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.selectionModel().selectionChanged.connect(self._selection_changed)

        self.details = QTextBrowser()
        self.details.setOpenExternalLinks(False)
        self.details.setPlaceholderText("Select a code to see its definition and criteria.")

        self.toolbar = QToolBar()
        self.toolbar.setIconSize(self.toolbar.iconSize() * 0.8)
        self.actions_by_name: dict[str, QAction] = {}
        # Shortcuts (Ctrl+Shift+N, F2) belong to the window's Codebook menu, not to these.
        for name, text, slot in (
            ("new", "New", self.new_code),
            ("sub", "Sub-code", self.new_subcode),
            ("rename", "Rename (F2)", self.rename_selected),
            ("color", "Colour", self.recolour_selected),
            ("merge", "Merge", self.merge_selected),
            ("delete", "Delete", self.delete_selected),
            ("pin", "Pin to key…", self.pin_selected),
        ):
            action = QAction(text, self)
            action.triggered.connect(lambda checked=False, f=slot: f())
            self.actions_by_name[name] = action
        for name in ("new", "sub", "color", "merge", "delete"):
            self.toolbar.addAction(self.actions_by_name[name])
        self.lead_note = QLabel("The team's lead keeps this codebook.")
        self.lead_note.setWordWrap(True)
        self.lead_note.setStyleSheet("color: gray")
        self.lead_note.hide()

        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("codes-split")
        split.addWidget(self.tree)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.lead_note)
        layout.addWidget(split)

        self.model.moveRequested.connect(self._move)
        self.model.renameRequested.connect(lambda cid, name: self.edit_code(cid, name=name))
        self._refresh_pending = False  # a refresh waits while a name is being edited
        self.tree.itemDelegate().closeEditor.connect(self._editor_closed)
        session.changed.connect(self._on_changed)
        self.refresh()

    # --- data ------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._editing():  # a rename in progress keeps its editor (and the version it began on)
            self._refresh_pending = True
            return
        self._refresh_pending = False
        selected = self.selected_ids()
        collapsed = [
            cid
            for cid in self.nodes
            if (index := self.proxy.mapFromSource(self.model.index_of(cid))).isValid()
            and self.model.hasChildren(self.model.index_of(cid))
            and not self.tree.isExpanded(index)
        ]
        with self.session.read() as s:
            nodes = code_tree(s)
            counts = code_counts(s)
        self.nodes = {n.id: n for n in nodes}
        self.model.set_codes(nodes, counts, self.pins())
        self.tree.expandAll()
        for cid in collapsed:  # what the user folded stays folded
            self.tree.collapse(self.proxy.mapFromSource(self.model.index_of(cid)))
        self.select_codes(selected)

    def _editing(self) -> bool:
        return self.tree.state() == QAbstractItemView.State.EditingState

    def _editor_closed(self, *_: object) -> None:
        if self._refresh_pending:
            QTimer.singleShot(0, self.refresh)  # once the editor is gone

    def set_can_edit(self, on: bool) -> None:
        """A team coder reads the codebook: no renames, moves or other edits offered (the
        server refuses them anyway); pins, filtering and coding by drag and drop stay."""
        for name in ("new", "sub", "rename", "color", "merge", "delete"):
            action = self.actions_by_name[name]
            action.setEnabled(on)
            action.setToolTip("" if on else "Only the team's lead changes the codebook")
        self.toolbar.setVisible(on)
        self.lead_note.setVisible(not on)
        self.model.editable = on
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            if on
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )

    def pins(self) -> dict[int, int]:
        """Code id -> number key (1..9) for this project's pinned codes."""
        by_uuid = {n.uuid: n.id for n in self.nodes.values()}
        slots = pinned_codes(self.session.project.info().uuid)
        return {by_uuid[u]: i + 1 for i, u in enumerate(slots) if u in by_uuid}

    def pinned(self, key: int) -> int | None:
        return next((cid for cid, k in self.pins().items() if k == key), None)

    def _on_changed(self, changes: Changes) -> None:
        if concerns_everything(changes) or changes.codes:
            self.refresh()
        elif changes.codings or changes.documents:
            with self.session.read() as s:
                self.model.set_counts(code_counts(s))

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if text:
            self.tree.expandAll()

    # --- selection -------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = self.tree.selectionModel().selectedRows(0) if self.tree.selectionModel() else []
        return [int(i.data(CODE_ID_ROLE)) for i in rows if i.data(CODE_ID_ROLE) is not None]

    def select_codes(self, ids: list[int]) -> None:
        sel = self.tree.selectionModel()
        sel.clearSelection()
        for i, cid in enumerate(ids):
            index = self.proxy.mapFromSource(self.model.index_of(cid))
            if index.isValid():
                flags = (
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows
                )
                sel.select(index, flags)
                if i == 0:
                    self.tree.setCurrentIndex(index)
                    self.tree.scrollTo(index)

    def _selection_changed(self, *_: object) -> None:
        ids = self.selected_ids()
        self._show_details(self.nodes.get(ids[0]) if ids else None)
        self.selectionChangedIds.emit(ids)

    def _double_clicked(self, index: QModelIndex) -> None:
        cid = index.data(CODE_ID_ROLE)
        if cid is not None:
            self.codeActivated.emit(int(cid))

    def _show_details(self, node: CodeNode | None) -> None:
        if node is None:
            self.details.clear()
            return
        parts = [
            f"<h3 style='margin:0'><span style='color:{node.color}'>■</span> {html.escape(node.path)}</h3>"
        ]
        for label, text in (
            ("Definition", node.definition),
            ("Include when", node.inclusion),
            ("Exclude when", node.exclusion),
            ("Example", node.example),
        ):
            if text:
                body = f"<i>{html.escape(text)}</i>" if label == "Example" else html.escape(text)
                parts.append(f"<p style='margin:6px 0 0 0'><b>{label}:</b> {body}</p>")
        if node.keywords:
            parts.append(
                f"<p style='margin:6px 0 0 0'><b>Keywords:</b> {html.escape(', '.join(node.keywords))}</p>"
            )
        self.details.setHtml("".join(parts))

    # --- actions ----------------------------------------------------------------------------
    def ask_text(self, title: str, label: str, value: str = "") -> str | None:
        text, ok = QInputDialog.getText(self, title, label, text=value)
        return text.strip() if ok and text.strip() else None

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
        )
        return answer == QMessageBox.StandardButton.Yes

    def ask_color(self, current: str) -> str | None:
        color = QColorDialog.getColor(QColor(current), self, "Code colour")
        return color.name().upper() if color.isValid() else None

    def ask_item(self, title: str, label: str, items: list[str]) -> str | None:
        item, ok = QInputDialog.getItem(self, title, label, items, 0, False)
        return item if ok else None

    def new_code(self, *, parent_id: int | None = None) -> None:
        name = self.ask_text("New code", "Name of the new code:")
        if name:
            command = undo.create_code(name=name, parent_id=parent_id)
            if self.session.run(command):
                self.select_codes(sorted(command.changes.codes))

    def new_subcode(self) -> None:
        ids = self.selected_ids()
        self.new_code(parent_id=ids[0] if ids else None)

    def rename_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.tree.edit(self.proxy.mapFromSource(self.model.index_of(ids[0])))

    def recolour_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        node = self.nodes[ids[0]]  # the version the edit begins from, before the dialog
        if color := self.ask_color(node.color):
            self.edit_code(node.id, version=node.version, color=color)

    def edit_code(self, code_id: int, *, version: int | None = None, **fields: object) -> bool:
        """Rename or recolour a code, undoably. The edit carries the code's version when it
        began, so on a team server a concurrent edit by someone else is a conflict (theirs
        stays, ours is kept as a memo on the code) rather than silently overwritten."""
        node = self.nodes.get(code_id)
        if version is None and node is not None:
            version = node.version
        done = self.session.run(
            undo.update_code(
                code_id, expected_version=version, editor_id=self.session.coder_id, **fields
            )
        )
        if not done:  # refused or in conflict (the message was shown): show what is there now
            self.session.notify_everything()
        return done

    def merge_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        others = [n for n in self.nodes.values() if n.id not in ids]
        choice = self.ask_item(
            "Merge codes",
            f"Merge {', '.join(self.nodes[i].name for i in ids)} into:",
            [n.path for n in others],
        )
        target = next((n for n in others if n.path == choice), None)
        if target is not None:
            self.session.run(undo.merge_codes(ids, target.id))

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        with self.session.read() as s:
            subtree = sorted({d for cid in ids for d in descendants(s, cid)})
            codings, memos = usage(s, subtree)
        names = ", ".join(self.nodes[i].name for i in ids)
        extra = len(subtree) - len(ids)
        text = (
            f"Delete {names}"
            + (f" and {extra} sub-code{'s' if extra != 1 else ''}" if extra else "")
            + f"?\n\nThis removes {codings} coding{'s' if codings != 1 else ''} and {memos} code memo"
            + ("s" if memos != 1 else "")
            + ". You can undo it (Ctrl+Z)."
        )
        if self.confirm("Delete code", text):
            self.session.run(undo.delete_codes(ids))

    def pin_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        key = self.ask_item("Pin code", "Number key for this code:", [str(i) for i in range(1, 10)])
        if key:
            self.pin(ids[0], int(key))

    def pin(self, code_id: int, key: int) -> None:
        project_uuid = self.session.project.info().uuid
        slots = pinned_codes(project_uuid)
        uuid = self.nodes[code_id].uuid
        slots = ["" if s == uuid else s for s in slots]
        slots[key - 1] = uuid
        set_pinned_codes(project_uuid, slots)
        self.model.set_pins(self.pins())

    def _move(self, code_id: int, parent_id: int | None, position: int) -> None:
        self.session.run(
            undo.move_code(
                code_id, parent_id=parent_id, position=None if position < 0 else position
            )
        )

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for name in ("new", "sub", "rename", "color", "merge", "pin", "delete"):
            menu.addAction(self.actions_by_name[name])
        menu.exec(self.tree.viewport().mapToGlobal(pos))
