"""The Documents panel: documents grouped by kind or an attribute, with a filter and coding
counts; below, the participants of the open document with their attributes, editable."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from qualbench import undo
from qualbench.changes import Changes
from qualbench.db import CASES, TURN
from qualbench.model import KIND_LABELS
from qualbench.services.cases import attribute_names, values_of
from qualbench.services.documents import list_documents
from ui.session import ProjectSession, concerns_everything

ID_ROLE = Qt.ItemDataRole.UserRole + 1
NO_GROUP = "(no grouping)"
BY_KIND = "Kind"


class DocumentsPanel(QWidget):
    """Documents and their participants; emits the document to open."""

    documentActivated = Signal(int)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.current_document: int | None = None

        self.group_by = QComboBox()
        self.group_by.setToolTip("Group documents by")
        self.group_by.currentTextChanged.connect(lambda _: self.refresh())
        self.filter = QLineEdit(placeholderText="Filter documents…")
        self.filter.setClearButtonEnabled(True)

        self.model = QStandardItemModel(0, 3)
        self.model.setHorizontalHeaderLabels(["Document", "Codings", "Attributes"])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter.textChanged.connect(self._filter)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.header().resizeSection(0, 170)
        self.tree.activated.connect(self._activated)
        self.tree.clicked.connect(self._activated)

        self.people = QStandardItemModel()
        self.people_view = QTableView()
        self.people_view.setModel(self.people)
        self.people_view.verticalHeader().hide()
        self.people_view.horizontalHeader().setStretchLastSection(True)
        self.people_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.people.itemChanged.connect(self._person_edited)
        self.people_view.setTabKeyNavigation(False)  # Tab leaves the table (no keyboard trap)
        self.people_label = QLabel("Participants")
        add_attr = QPushButton("Add attribute…")
        add_attr.clicked.connect(self.add_attribute)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Group by"))
        row.addWidget(self.group_by, 1)
        top_layout.addLayout(row)
        top_layout.addWidget(self.filter)
        top_layout.addWidget(self.tree)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.people_label, 1)
        head.addWidget(add_attr)
        bottom_layout.addLayout(head)
        bottom_layout.addWidget(self.people_view)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("documents-split")
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)

        self._loading = False
        session.changed.connect(self._on_changed)
        self._fill_group_choices()
        self.refresh()

    # --- documents ---------------------------------------------------------------------------
    def _fill_group_choices(self) -> None:
        with self.session.read() as s:
            names = attribute_names(s, scope="document")
        current = self.group_by.currentText() or BY_KIND
        self.group_by.blockSignals(True)
        self.group_by.clear()
        self.group_by.addItems([BY_KIND, *names, NO_GROUP])
        self.group_by.setCurrentText(current if current in [BY_KIND, *names, NO_GROUP] else BY_KIND)
        self.group_by.blockSignals(False)

    def refresh(self) -> None:
        with self.session.read() as s:
            rows = list_documents(s)
            attrs = values_of(s, scope="document")
        by = self.group_by.currentText() or BY_KIND
        self.model.removeRows(0, self.model.rowCount())
        groups: dict[str, QStandardItem] = {}
        for r in rows:
            values = attrs.get(r.id, {})
            if by == NO_GROUP:
                parent = self.model.invisibleRootItem()
            else:
                key = (
                    KIND_LABELS.get(r.kind, r.kind)
                    if by == BY_KIND
                    else values.get(by, "(no value)")
                )
                if key not in groups:
                    groups[key] = QStandardItem(key)
                    groups[key].setEditable(False)
                    font = groups[key].font()
                    font.setBold(True)
                    groups[key].setFont(font)
                    self.model.appendRow([groups[key], QStandardItem(""), QStandardItem("")])
                parent = groups[key]
            item = QStandardItem(r.name)
            item.setData(r.id, ID_ROLE)
            tip = [
                f"<b>{r.name}</b>",
                f"{KIND_LABELS.get(r.kind, r.kind)}, {r.word_count:,} words, {r.turns} turns, {r.speakers} speakers",
            ]
            tip += [f"{k}: {v}" for k, v in values.items()]
            item.setToolTip("<br>".join(tip))
            count = QStandardItem(str(r.codings) if r.codings else "")
            count.setData(
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                Qt.ItemDataRole.TextAlignmentRole,
            )
            shown = QStandardItem(" · ".join(v for k, v in values.items() if k != by))
            shown.setToolTip(item.toolTip())
            parent.appendRow([item, count, shown])
        for key, group in groups.items():
            n = group.rowCount()
            group.setText(f"{key} ({n})")
        self.tree.expandAll()
        self._select_current()

    def _select_current(self) -> None:
        if self.current_document is None:
            return
        for match in self.model.match(
            self.model.index(0, 0), ID_ROLE, self.current_document, 1, Qt.MatchFlag.MatchRecursive
        ):
            self.tree.setCurrentIndex(self.proxy.mapFromSource(match))

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self.tree.expandAll()

    def _activated(self, index: QModelIndex) -> None:
        doc_id = index.siblingAtColumn(0).data(ID_ROLE)
        if doc_id is not None:
            self.documentActivated.emit(int(doc_id))

    def show_document(self, document_id: int | None) -> None:
        self.current_document = document_id
        self._select_current()
        self.refresh_people()

    # --- participants --------------------------------------------------------------------------
    def refresh_people(self) -> None:
        self._loading = True
        try:
            with self.session.read() as s:
                names = attribute_names(s, scope="case")
                q = select(CASES.c.id, CASES.c.name).order_by(CASES.c.name)
                if self.current_document is not None:
                    in_doc = select(TURN.c.case_id).where(
                        TURN.c.document_id == self.current_document
                    )
                    q = q.where(CASES.c.id.in_(in_doc))
                cases = s.execute(q).all()
                values = values_of(s, scope="case", owner_ids=[c[0] for c in cases])
            self.people.clear()
            self.people.setHorizontalHeaderLabels(["Participant", *names])
            for case_id, name in cases:
                row = [QStandardItem(name)]
                row[0].setData(case_id, ID_ROLE)
                for attr in names:
                    cell = QStandardItem(values.get(case_id, {}).get(attr, ""))
                    cell.setData(case_id, ID_ROLE)
                    row.append(cell)
                self.people.appendRow(row)
            what = "in this document" if self.current_document is not None else "in the project"
            self.people_label.setText(f"Participants {what} ({len(cases)})")
            self.people_view.resizeColumnsToContents()
        finally:
            self._loading = False

    def _person_edited(self, item: QStandardItem) -> None:
        if self._loading:
            return
        case_id = item.data(ID_ROLE)
        if case_id is None:
            return
        if item.column() == 0:
            self.session.run(undo.rename_case(int(case_id), item.text()))
        else:
            attr = self.people.horizontalHeaderItem(item.column()).text()
            self.session.run(
                undo.set_values(scope="case", owner_id=int(case_id), values={attr: item.text()})
            )

    def add_attribute(self) -> None:
        name, ok = QInputDialog.getText(
            self, "Add attribute", "Attribute of participants (e.g. gender, age group):"
        )
        if ok and name.strip():
            self.people.setColumnCount(self.people.columnCount() + 1)
            self.people.setHorizontalHeaderItem(
                self.people.columnCount() - 1, QStandardItem(name.strip())
            )

    def _on_changed(self, changes: Changes) -> None:
        if (
            concerns_everything(changes)
            or changes.documents
            or changes.attributes
            or changes.codings
        ):
            if concerns_everything(changes) or changes.attributes:
                self._fill_group_choices()
            self.refresh()
        if concerns_everything(changes) or changes.cases or changes.attributes or changes.documents:
            self.refresh_people()
