"""The two settings of the quote basket's exports: the citation template (edited with a live
preview on the selected quote and the list of fields it can use) and the names replaced when an
export pseudonymises. Both are saved with the project as undoable commands of the session."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qualbench import undo
from qualbench.changes import Changes
from qualbench.errors import UserError
from qualbench.pseudonyms import PLACEHOLDER, NameRow, list_names
from qualbench.quotes import BasketItem, citation, citation_fields, citation_template
from ui.session import ProjectSession, concerns_everything

RED = "#c0392b"


class CitationEditor(QWidget):
    """The project's citation template: typed, previewed on the selected quote as you type,
    saved with Use (Enter) or set back to the built-in default."""

    message = Signal(str)
    edited = Signal()  # the template as typed changed (the export preview follows it)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.quote: BasketItem | None = None
        self._checked: dict[str, Any] = {}  # template -> Citation, or the UserError it raises
        self.template = QLineEdit()
        self.template.setPlaceholderText("e.g. ({participant}, {gender}, {age}, {document})")
        self.use_button = QPushButton("Use")
        self.use_button.setToolTip("Make it the project's citation (undoable)")
        self.use_button.clicked.connect(lambda: self.set_template())
        default = QPushButton("Default")
        default.setToolTip("Back to the built-in citation")
        default.clicked.connect(lambda: self.set_template(""))
        self.template.returnPressed.connect(lambda: self.set_template())
        self.template.textChanged.connect(lambda _: self._preview())
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        self.fields = QListWidget()
        self.fields.setToolTip("Double-click a field to put it in the template")
        self.fields.itemDoubleClicked.connect(self.insert_field)
        row = QHBoxLayout()
        row.addWidget(self.template, 1)
        row.addWidget(self.use_button)
        row.addWidget(default)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.preview)
        layout.addWidget(QLabel("Fields (double-click to insert; a missing value drops its part):"))
        layout.addWidget(self.fields, 1)
        session.changed.connect(self._on_changed)
        self.reload()

    def reload(self) -> None:
        """The saved template (unless one is being typed) and the fields of the project."""
        with self.session.read() as s:
            template = citation_template(s)
            fields = citation_fields(s)
        if not (self.template.hasFocus() and self.template.isModified()):
            self.template.setText(template)
            self.template.setModified(False)
        self.fields.clear()
        for name, what in fields:
            entry = QListWidgetItem(f"{{{name}}} — {what}")
            entry.setData(Qt.ItemDataRole.UserRole, name)
            self.fields.addItem(entry)
        self._preview()

    def field_names(self) -> list[str]:
        entries = (self.fields.item(i) for i in range(self.fields.count()))
        return [str(e.data(Qt.ItemDataRole.UserRole)) for e in entries if e is not None]

    def insert_field(self, entry: QListWidgetItem) -> None:
        self.template.insert("{" + str(entry.data(Qt.ItemDataRole.UserRole)) + "}")
        self.template.setFocus()

    def set_quote(self, item: BasketItem | None) -> None:
        """The quote whose citation the preview shows."""
        self.quote = item
        self._preview()

    def citation(self) -> Any:
        """The template as typed, checked (cached): a Citation, or the UserError saying what is
        wrong with it."""
        template = self.template.text()
        if template not in self._checked:
            try:
                with self.session.read() as s:
                    self._checked[template] = citation(s, template)
            except UserError as exc:
                self._checked[template] = exc
        return self._checked[template]

    def _preview(self) -> None:
        cite, item = self.citation(), self.quote
        if isinstance(cite, UserError):
            text = str(cite)
            self.preview.setText(
                f"<span style='color: {RED}'>{html.escape(text[:1].upper() + text[1:])}.</span>"
            )
        elif item is None:
            self.preview.setText(
                "<span style='color: gray'>Select a quote to see its citation.</span>"
            )
        else:
            result = str(cite(item.context))
            shown = html.escape(result) if result else "<i>(nothing: every field is empty)</i>"
            self.preview.setText(f"Quote {item.number} is cited as: <b>{shown}</b>")
        self.use_button.setEnabled(not isinstance(cite, UserError))
        self.edited.emit()

    def set_template(self, template: str | None = None) -> None:
        """Make the template as typed (or '' = the built-in default) the project's citation;
        one with a mistake is not saved (the preview says what is wrong)."""
        if template is None and isinstance(self.citation(), UserError):
            return
        text = self.template.text() if template is None else template
        if self.session.run(undo.set_citation_template(text)):
            self.template.setModified(False)
            self.reload()
            self.message.emit("The citation template is saved with the project.")

    def _on_changed(self, changes: Changes) -> None:
        if concerns_everything(changes) or changes.project or changes.attributes:
            self._checked.clear()
            self.reload()


class NamesEditor(QWidget):
    """The names replaced on export: add (or change the replacement of) a name, remove one."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.names: list[NameRow] = []
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Name in the transcripts", "Replaced by"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Name, e.g. Aigerim")
        self.replacement = QLineEdit()
        self.replacement.setPlaceholderText(f"Replacement (empty: {PLACEHOLDER})")
        self.add_button = QPushButton("Add / change")
        self.add_button.clicked.connect(lambda: self.add_name())
        self.replacement.returnPressed.connect(lambda: self.add_name())
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(lambda: self.remove_name())
        row = QHBoxLayout()
        row.addWidget(self.name, 1)
        row.addWidget(self.replacement, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        note = QLabel(
            "Replaced in every export that pseudonymises (whole words, any case); speakers "
            "named in the transcripts become their participant's pseudonym."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        session.changed.connect(self._on_changed)
        self.reload()

    def reload(self) -> None:
        with self.session.read() as s:
            self.names = list_names(s)
        self.table.setRowCount(len(self.names))
        for row, n in enumerate(self.names):
            self.table.setItem(row, 0, QTableWidgetItem(n.name))
            replaced = QTableWidgetItem(n.replacement or PLACEHOLDER)
            if not n.replacement:
                replaced.setForeground(QColor("#888888"))
            self.table.setItem(row, 1, replaced)
        self.remove_button.setEnabled(bool(self.table.selectedItems()))

    def _selected(self) -> None:
        row = self.table.currentRow()
        chosen = bool(self.table.selectedItems()) and 0 <= row < len(self.names)
        self.remove_button.setEnabled(chosen)
        if chosen:
            self.name.setText(self.names[row].name)
            self.replacement.setText(self.names[row].replacement)

    def add_name(self, name: str | None = None, replacement: str | None = None) -> bool:
        """Add a name to replace on export (or change its replacement; '' = the placeholder)."""
        name = self.name.text() if name is None else name
        replacement = self.replacement.text() if replacement is None else replacement
        if not name.strip():
            self.name.setFocus()
            return False
        if self.session.run(undo.set_name(name, replacement)):
            self.name.clear()
            self.replacement.clear()
            return True
        return False

    def remove_name(self, name_id: int | None = None) -> None:
        if name_id is None:
            row = self.table.currentRow()
            if not 0 <= row < len(self.names):
                return
            name_id = self.names[row].id
        self.session.run(undo.remove_name(name_id))

    def _on_changed(self, changes: Changes) -> None:
        if concerns_everything(changes) or changes.names:
            self.reload()
