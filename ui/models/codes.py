"""The codebook as a Qt tree model: name with colour and pin number, number of codings.

Thin adapter: it holds code nodes fetched through the core and turns drags and drops into
requests (signals); the panel runs the commands.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from qualbench.services.codes import CodeNode

CODE_MIME = "application/x-qualbench-code-ids"
SPAN_MIME = "application/x-qualbench-span"  # "document id,start,end" of text being dragged
CODE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def encode_code_ids(ids: list[int]) -> QMimeData:
    mime = QMimeData()
    mime.setData(CODE_MIME, ",".join(str(i) for i in ids).encode("utf-8"))
    return mime


def decode_code_ids(mime: QMimeData) -> list[int]:
    if not mime.hasFormat(CODE_MIME):
        return []
    raw = bytes(mime.data(CODE_MIME).data()).decode("utf-8")
    return [int(x) for x in raw.split(",") if x.strip().isdigit()]


class CodesModel(QAbstractItemModel):
    """Tree of codes. Column 0: name; column 1: codings."""

    moveRequested = Signal(int, object, int)  # code id, new parent id or None, position
    renameRequested = Signal(int, str)
    spanDropped = Signal(list, int, int, int)  # code ids, document id, start, end

    def __init__(self) -> None:
        super().__init__()
        self._nodes: dict[int, CodeNode] = {}
        self._roots: list[CodeNode] = []
        self._counts: dict[int, int] = {}
        self._pins: dict[int, int] = {}  # code id -> key 1..9
        self._totals: dict[int, int] = {}  # codings including sub-codes
        self.editable = True  # False for a team coder: no renames, no moves (spans still drop)

    # --- data in -------------------------------------------------------------------------
    def set_codes(
        self, nodes: list[CodeNode], counts: dict[int, int], pins: dict[int, int]
    ) -> None:
        self.beginResetModel()
        self._nodes = {n.id: n for n in nodes}
        self._roots = [n for n in nodes if n.parent_id is None or n.parent_id not in self._nodes]
        self._counts = counts
        self._pins = pins
        self._totals = self._subtotals()
        self.endResetModel()

    def set_counts(self, counts: dict[int, int]) -> None:
        self._counts = counts
        self._totals = self._subtotals()
        self._emit_all(1)

    def _subtotals(self) -> dict[int, int]:
        """Codings of each code with all its sub-codes."""
        totals: dict[int, int] = {}

        def total(node: CodeNode) -> int:
            totals[node.id] = self._counts.get(node.id, 0) + sum(total(c) for c in node.children)
            return totals[node.id]

        for root in self._roots:
            total(root)
        return totals

    def set_pins(self, pins: dict[int, int]) -> None:
        self._pins = pins
        self._emit_all(0)

    def _emit_all(self, column: int) -> None:
        def walk(parent: QModelIndex) -> None:
            rows = self.rowCount(parent)
            if rows:
                self.dataChanged.emit(
                    self.index(0, column, parent), self.index(rows - 1, column, parent)
                )
                for r in range(rows):
                    walk(self.index(r, 0, parent))

        walk(QModelIndex())

    def node(self, index: Index) -> CodeNode | None:
        return self._nodes.get(index.internalId()) if index.isValid() else None

    def index_of(self, code_id: int) -> QModelIndex:
        node = self._nodes.get(code_id)
        if node is None:
            return QModelIndex()
        siblings = self._children(node.parent_id if node.parent_id in self._nodes else None)
        return self.createIndex(siblings.index(node), 0, node.id)

    def _children(self, parent_id: int | None) -> list[CodeNode]:
        return self._roots if parent_id is None else self._nodes[parent_id].children

    # --- QAbstractItemModel ------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        items = self._children(self.node(parent).id if parent.isValid() else None)  # type: ignore[union-attr]
        if 0 <= row < len(items):
            return self.createIndex(row, column, items[row].id)
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        node = self.node(index)
        if node is None or node.parent_id not in self._nodes:
            return QModelIndex()
        return self.index_of(node.parent_id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(self.node(parent).id if parent.isValid() else None))  # type: ignore[union-attr]

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Code", "Codings")[section]
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and section == 1
        ):
            return "Codings of the code; for a parent, in brackets: with all its sub-codes"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        col = index.column()
        if role == CODE_ID_ROLE:
            return node.id
        if col == 0:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
                pin = self._pins.get(node.id)
                return (
                    f"{node.name}  [{pin}]"
                    if pin and role == Qt.ItemDataRole.DisplayRole
                    else node.name
                )
            if role == Qt.ItemDataRole.DecorationRole:
                return QColor(node.color)
            if role == Qt.ItemDataRole.ToolTipRole:
                tip = f"<b>{_esc(node.path)}</b>"
                if node.definition:
                    tip += f"<br>{_esc(node.definition)}"
                return tip
        if col == 1:
            count, total = self._counts.get(node.id, 0), self._totals.get(node.id, 0)
            if role == Qt.ItemDataRole.DisplayRole:
                if node.children and total != count:
                    return f"{count or ''} ({total})".strip()
                return str(count) if count else ""
            if role == Qt.ItemDataRole.ToolTipRole and node.children:
                return f"{count} codings of this code, {total} with its sub-codes"
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
                return font
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        node = self.node(index)
        if node is None or role != Qt.ItemDataRole.EditRole or index.column() != 0:
            return False
        name = str(value).strip()
        if name and name != node.name:
            self.renameRequested.emit(node.id, name)  # the change comes back through Changes
        return False

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        flags = (
            base
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
        )
        if index.column() == 0 and self.editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    # --- drag and drop -------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [CODE_MIME, SPAN_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        ids = list(dict.fromkeys(n.id for i in indexes if (n := self.node(i)) is not None))
        return encode_code_ids(ids)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if data.hasFormat(SPAN_MIME):
            return self.node(parent) is not None  # text goes onto a code
        return self.editable and data.hasFormat(CODE_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if data.hasFormat(SPAN_MIME):  # text dragged from the transcript onto a code: code it
            target = self.node(parent)
            raw = bytes(data.data(SPAN_MIME).data()).decode("utf-8").split(",")
            if target is not None and len(raw) == 3 and all(x.strip().isdigit() for x in raw):
                self.spanDropped.emit([target.id], int(raw[0]), int(raw[1]), int(raw[2]))
            return False
        ids = decode_code_ids(data)
        if not ids or action != Qt.DropAction.MoveAction:
            return False
        target = self.node(parent)
        parent_id = target.id if target is not None else None
        for offset, code_id in enumerate(ids):
            if code_id != parent_id:
                self.moveRequested.emit(code_id, parent_id, row + offset if row >= 0 else -1)
        return False  # the tree is rebuilt from the project when the move is done


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
