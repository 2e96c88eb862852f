"""Which codings a report counts, as ticks in a tree bound to
:class:`qualbench.reports.filters.Filters`: codes (with their sub-codes), coders, documents,
document kinds, attribute values and origin. Nothing ticked in a group means all of it; so does
everything ticked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qualbench.changes import Changes
from qualbench.model import KIND_LABELS, KINDS
from qualbench.reports.filters import AttributeValue, Filters
from qualbench.services.cases import attribute_names, values_of
from qualbench.services.codes import code_tree
from qualbench.services.documents import list_documents
from qualbench.workspace import coder_counts
from ui.session import ProjectSession, concerns_everything

GROUPS = {
    "codes": "Codes (with their sub-codes)",
    "coders": "Coders",
    "documents": "Documents",
    "kinds": "Document kinds",
    "attributes": "Attribute values",
    "origins": "Origin of the codings",
}
ORIGINS = {"manual": "coded by hand", "imported": "imported", "auto": "auto-coded"}
KEY = Qt.ItemDataRole.UserRole  # (group, value) of a tickable item


class FiltersPanel(QWidget):
    """A tree of ticks; ``filters()`` is the Filters they make, ``summary()`` says it in words."""

    changed = Signal()

    def __init__(
        self,
        session: ProjectSession,
        *,
        groups: tuple[str, ...] = tuple(GROUPS),
        expanded: tuple[str, ...] = (),
        title: str = "Which codings count",
        labels: dict[str, str] | None = None,
        everything: str = "Counting every coding.",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.groups = groups
        self.labels = {**GROUPS, **(labels or {})}  # a group's title in the tree
        self.everything = everything  # the summary when nothing is ticked
        self._expanded = set(expanded)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: palette(placeholder-text)")
        clear = self.clear_button = QPushButton("Count everything")
        clear.setToolTip("Untick every filter")
        clear.clicked.connect(self.clear)
        top = QHBoxLayout()
        top.addWidget(QLabel(f"<b>{title}</b>"), 1)
        top.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.label)
        self._timer = QTimer(self)  # one signal for the many itemChanged of a parent tick
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._emit)
        self.tree.itemChanged.connect(lambda *_: self._timer.start())
        session.changed.connect(self._on_changed)
        self.reload()

    # --- the tree ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Fill the tree from the project, keeping what was ticked."""
        ticked = self.ticked()
        expanded = {h.data(0, KEY)[1] for h in self._heads() if h.isExpanded()} | self._expanded
        self._expanded = set()
        with self.session.read() as s:
            content = _content(s, self.groups)
        self.tree.blockSignals(True)
        self.tree.clear()
        for group in self.groups:
            head = QTreeWidgetItem([self.labels[group]])
            head.setData(0, KEY, ("group", group))
            head.setFlags(
                head.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate
            )
            head.setCheckState(0, Qt.CheckState.Unchecked)
            self.tree.addTopLevelItem(head)
            self._add(head, group, content[group], ticked.get(group, set()))
            head.setExpanded(group in expanded)
            if group in expanded and group == "codes":
                self.tree.expandRecursively(self.tree.indexFromItem(head))
            head.setDisabled(head.childCount() == 0)
        self.tree.blockSignals(False)
        self._update_label()

    def _add(
        self, parent: QTreeWidgetItem, group: str, entries: list[Any], ticked: set[Any]
    ) -> None:
        for label, value, children in entries:
            item = QTreeWidgetItem([label])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            if value is None:  # a heading (an attribute): ticks its values
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsAutoTristate)
            else:
                item.setData(0, KEY, (group, value))
            if children:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsAutoTristate)
            parent.addChild(item)
            item.setCheckState(
                0, Qt.CheckState.Checked if value in ticked else Qt.CheckState.Unchecked
            )
            if children:
                self._add(item, group, children, ticked)

    def _heads(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def ticked(self) -> dict[str, set[Any]]:
        """The ticked values of each group (a ticked code stands for its sub-codes)."""
        found: dict[str, set[Any]] = {}

        def walk(item: QTreeWidgetItem) -> None:
            for child in _children(item):
                key = child.data(0, KEY)
                if child.checkState(0) == Qt.CheckState.Checked and key is not None:
                    found.setdefault(key[0], set()).add(key[1])
                    if key[0] == "codes":
                        continue  # its sub-codes come with it
                if child.checkState(0) != Qt.CheckState.Unchecked:
                    walk(child)

        for head in self._heads():
            if head.checkState(0) == Qt.CheckState.PartiallyChecked:  # all ticked: no filter
                walk(head)
        return found

    def tick(self, group: str, values: list[Any]) -> None:
        """Tick these values of a group (and nothing else in it)."""
        wanted = set(values)

        def walk(item: QTreeWidgetItem) -> None:
            for child in _children(item):
                key = child.data(0, KEY)
                if key is not None and child.childCount() == 0:
                    on = key[1] in wanted
                    child.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                elif key is not None and key[1] in wanted:
                    child.setCheckState(0, Qt.CheckState.Checked)
                else:
                    if key is not None:
                        child.setCheckState(0, Qt.CheckState.Unchecked)
                    walk(child)

        for head in self._heads():
            if head.data(0, KEY)[1] == group:
                head.setCheckState(0, Qt.CheckState.Unchecked)
                walk(head)
        self._emit()

    def clear(self) -> None:
        self.tree.blockSignals(True)
        for head in self._heads():
            head.setCheckState(0, Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)
        self._emit()

    def _emit(self) -> None:
        self._timer.stop()
        self._update_label()
        self.changed.emit()

    def _on_changed(self, changes: Changes) -> None:
        if (
            concerns_everything(changes)
            or changes.codes
            or changes.coders
            or changes.documents
            or changes.cases
        ):
            self.reload()

    # --- what it means ------------------------------------------------------------------------
    def filters(self) -> Filters:
        t = self.ticked()
        attributes: dict[tuple[str, str], list[str]] = {}
        for scope, name, value in sorted(t.get("attributes", ())):
            attributes.setdefault((scope, name), []).append(value)
        return Filters(
            coders=tuple(sorted(t.get("coders", ()))),
            code_ids=tuple(sorted(t.get("codes", ()))),
            document_ids=tuple(sorted(t.get("documents", ()))),
            origins=tuple(sorted(t.get("origins", ()))),
            kinds=tuple(sorted(t.get("kinds", ()))),
            attributes=tuple(
                AttributeValue(name=name, values=tuple(values), scope=scope)
                for (scope, name), values in attributes.items()
            ),
        )

    def summary(self) -> str:
        """The filters in words: "Counting every coding." or "Only: coder ana; ..."."""
        parts = []
        labels = self._labels()
        for group, values in self.ticked().items():
            names = sorted(labels.get((group, v), str(v)) for v in values)
            parts.append(f"{self.labels[group].split(' (')[0].lower()}: {', '.join(names)}")
        return "Only " + "; ".join(parts) + "." if parts else self.everything

    def _labels(self) -> dict[tuple[str, Any], str]:
        out: dict[tuple[str, Any], str] = {}

        def walk(item: QTreeWidgetItem) -> None:
            for child in _children(item):
                key = child.data(0, KEY)
                if key is not None:
                    text = child.text(0)
                    if key[0] == "attributes":
                        text = f"{key[1][1]} = {key[1][2]}"
                    out[key] = text
                walk(child)

        for head in self._heads():
            walk(head)
        return out

    def _update_label(self) -> None:
        self.label.setText(self.summary())


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    children = (item.child(i) for i in range(item.childCount()))
    return [child for child in children if child is not None]


def _content(s: Any, groups: tuple[str, ...]) -> dict[str, list[Any]]:
    """(label, value, children) entries of each group, from the project."""
    out: dict[str, list[Any]] = {}
    if "codes" in groups:
        nodes = code_tree(s)
        by_parent: dict[int | None, list[Any]] = {}
        for n in nodes:
            by_parent.setdefault(n.parent_id if n.depth else None, []).append(n)

        def entries(parent: int | None) -> list[Any]:
            return [(n.name, n.id, entries(n.id)) for n in by_parent.get(parent, [])]

        out["codes"] = entries(None)
    if "coders" in groups:
        out["coders"] = [
            (f"{name}  ({n:,} codings)", name, []) for _, name, n in coder_counts(s) if n
        ]
    if "documents" in groups:
        out["documents"] = [(d.name, d.id, []) for d in list_documents(s)]
    if "kinds" in groups:
        out["kinds"] = [(KIND_LABELS[k], k, []) for k in KINDS]
    if "attributes" in groups:
        attrs: list[Any] = []
        for scope, whose in (("document", "documents"), ("case", "participants")):
            values = values_of(s, scope=scope)
            for name in attribute_names(s, scope=scope):
                found = sorted({v[name] for v in values.values() if v.get(name)}, key=str.casefold)
                if found:
                    children: list[Any] = [(v, (scope, name, v), []) for v in found]
                    attrs.append((f"{name} ({whose})", None, children))
        out["attributes"] = attrs
    if "origins" in groups:
        out["origins"] = [(label, key, []) for key, label in ORIGINS.items()]
    return out


def stale_bar(
    again: Callable[[], object],
    text: str = "The project has changed since these counts.",
    button_text: str = "Count again",
) -> QWidget:
    """A hidden bar saying the shown results are out of date, with a "Count again" button."""
    bar = QWidget()
    layout = QHBoxLayout(bar)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(text)
    label.setStyleSheet("color: #b35900")
    button = QPushButton(button_text)
    button.clicked.connect(lambda checked=False: again())
    layout.addWidget(label, 1)
    layout.addWidget(button)
    bar.hide()
    return bar
