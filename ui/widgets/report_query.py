"""Coding queries: an expression of codes with AND / OR / NOT (typed with code-name completion,
or built with the helper buttons), evaluated by :func:`qualbench.reports.query.run_query` on the
coded text or within units, in the background. Mistakes are shown under the expression with
their position as you type; the passages found are listed with a preview, open in the
transcript, go to the quote basket, and export with citations and pseudonyms."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from qualbench.changes import Changes
from qualbench.progress import CancelCheck, Cancelled, Progress
from qualbench.reports.excerpts import Excerpt
from qualbench.reports.query import KEYWORDS, QUOTES, QueryError, QueryResult, parse_query, terms
from qualbench.reports.query import run_query as run_core_query
from qualbench.services.codes import code_tree, resolve_code
from qualbench.services.documents import NotFound, document_text
from ui.session import ProjectSession, concerns_everything
from ui.tasks import Starter
from ui.widgets.report_cooccurrence import quoted
from ui.widgets.report_filters import FiltersPanel

Index = QModelIndex | QPersistentModelIndex
WITHIN = {
    "span": "The coded text itself",
    "sentence": "Sentences",
    "paragraph": "Paragraphs",
    "turn": "Speaker turns",
    "document": "Whole documents",
}
WITHIN_TIPS = {
    "span": "A AND B: the words coded with both; A AND NOT B: coded A but not B",
    "sentence": "Each hit is a whole sentence in which the expression holds",
    "paragraph": "Each hit is a whole paragraph in which the expression holds",
    "turn": "Each hit is a whole speaker turn in which the expression holds",
    "document": "Each hit is a whole document in which the expression holds",
}
FORMATS = {
    ".docx": "Word (.docx)",
    ".xlsx": "Excel (.xlsx)",
    ".csv": "CSV (.csv)",
    ".html": "Web page (.html)",
    ".md": "Markdown (.md)",
}
CONTEXT = 300
ERROR_COLOUR = "#c0392b"
_AT = re.compile(r"^at character (\d+):\s*")


# --- the expression as text (pure helpers) ---------------------------------------------------------


def current_term(text: str, cursor: int) -> tuple[int, str]:
    """Where the code name being typed at ``cursor`` starts, and what is typed of it: the words
    after the last operator, bracket or closed quotation (an open quotation mark is part of it).
    """
    prefix = text[:cursor]
    i, start, n = 0, 0, len(prefix)
    while i < n:
        ch = prefix[i]
        if ch in QUOTES:
            close = prefix.find(QUOTES[ch], i + 1)
            if close < 0:
                return i, prefix[i:]
            i = start = close + 1
        elif ch in "()":
            i = start = i + 1
        elif ch.isspace():
            i += 1
        else:
            j = i
            while j < n and not prefix[j].isspace() and prefix[j] not in "()" + "".join(QUOTES):
                j += 1
            if prefix[i:j].upper() in KEYWORDS and j < n:  # a keyword already followed by more
                start = j
            i = j
    while start < n and prefix[start].isspace():
        start += 1
    return start, prefix[start:]


def typed_name(term: str) -> str:
    """The name in a term being typed, without an opening quotation mark."""
    return term[1:] if term[:1] in QUOTES else term


def insert_token(text: str, cursor: int, op: str) -> tuple[str, int]:
    """``text`` with an operator or bracket put in at ``cursor``, spaced as a query is written;
    and the cursor after it."""
    left, right = text[:cursor].rstrip(), text[cursor:].lstrip()
    space_before = bool(left) and not left.endswith("(") and op != ")"
    head = left + (" " if space_before else "") + op
    head += "" if op == "(" else " "
    return head + right, len(head)


def error_position(message: str) -> tuple[int | None, str]:
    """The 1-based position a QueryError names, and the message without it."""
    m = _AT.match(message)
    if m is None:
        return None, message
    return int(m.group(1)), message[m.end() :]


def _qt(text: str, offset: int) -> int:
    """A code point offset as a Qt (UTF-16) position."""
    return len(text[:offset].encode("utf-16-le")) // 2


def _py(text: str, position: int) -> int:
    """A Qt (UTF-16) position as a code point offset."""
    units = 0
    for i, ch in enumerate(text):
        if units >= position:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


# --- the editor -------------------------------------------------------------------------------------


def ranked(paths: list[str], typed: str) -> list[str]:
    """Code paths matching what is typed (anywhere, any case): those whose own name starts with
    it first, then those with a word starting with it, then the rest, each in codebook order."""
    key = typed.casefold().strip()

    def rank(path: str) -> int:
        folded = path.casefold()
        if folded.rsplit(" > ", 1)[-1].startswith(key):
            return 0
        return 1 if re.search(r"(?<!\w)" + re.escape(key), folded) else 2

    return sorted((p for p in paths if key in p.casefold()), key=rank)


class ExpressionEdit(QPlainTextEdit):
    """A query editor: code names complete as you type (Enter or Tab takes one), Enter runs."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setPlaceholderText("e.g.  “Police fear” AND (Housing OR Employment) AND NOT Gratitude")
        lines = 2
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 14)
        self.paths: list[str] = []
        self.matches = QStringListModel(self)  # the codes offered, best first
        self.completer = QCompleter(self.matches, self)
        self.completer.setWidget(self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.completer.activated.connect(self.insert_code)
        self._popup().installEventFilter(self)  # after the completer's own: sees keys first

    def expression(self) -> str:
        return self.toPlainText()

    def set_codes(self, paths: list[str]) -> None:
        self.paths = list(paths)

    def cursor_offset(self) -> int:
        return _py(self.toPlainText(), self.textCursor().position())

    def _popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None  # a completer always has its list
        return popup

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter or Tab in the list of codes takes the one highlighted."""
        if (
            watched is self._popup()
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
        ):
            current = self._popup().currentIndex()
            if current.isValid():
                self.insert_code(str(current.data()))
            else:
                self._popup().hide()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._popup().hide()
            self.submitted.emit()
            return
        super().keyPressEvent(event)
        if event.text() and (event.text().isprintable() or event.key() == Qt.Key.Key_Backspace):
            self.complete(minimum=2)

    def complete(self, *, minimum: int = 0) -> None:
        """Offer the codes matching the name being typed (all of them with ``minimum`` 0)."""
        _, term = current_term(self.toPlainText(), self.cursor_offset())
        name = typed_name(term).strip()
        popup = self._popup()
        found = ranked(self.paths, name) if len(name) >= minimum else []
        if not found or name.upper() in KEYWORDS:
            popup.hide()
            return
        self.matches.setStringList(found)
        self.completer.setCompletionPrefix("")
        rect = self.cursorRect()
        rect.setWidth(
            max(
                popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width() + 8,
                320,
            )
        )
        self.completer.complete(rect)
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))

    def insert_code(self, path: str) -> None:
        """Put a code (quoted) in place of the name being typed."""
        text, cursor = self.toPlainText(), self.cursor_offset()
        start, _ = current_term(text, cursor)
        rest = text[cursor:]
        tail = "" if rest[:1].isspace() else " "
        c = self.textCursor()
        c.setPosition(_qt(text, start))
        c.setPosition(_qt(text, cursor), QTextCursor.MoveMode.KeepAnchor)
        c.insertText(quoted(path) + tail)
        self.setTextCursor(c)
        self._popup().hide()

    def insert_token(self, token: str) -> None:
        text, cursor = self.toPlainText(), self.cursor_offset()
        new, at = insert_token(text, cursor, token)
        c = self.textCursor()
        c.select(QTextCursor.SelectionType.Document)
        c.insertText(new)  # one edit: Ctrl+Z in the editor takes it back
        c.setPosition(_qt(new, at))
        self.setTextCursor(c)
        self.setFocus()

    def mark(self, position: int | None) -> None:
        """Underline the character at a 1-based position in red (None: nothing)."""
        text = self.toPlainText()
        if position is None or not text.strip():
            self.setExtraSelections([])
            return
        if position > len(text.rstrip()):
            self.setExtraSelections([])  # nothing there to mark: the message says "at the end"
            return
        at = position - 1
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(_qt(text, at))
        cursor.setPosition(_qt(text, at + 1), QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor(ERROR_COLOUR))
        fmt.setBackground(QColor(192, 57, 43, 40))
        sel.cursor = cursor
        sel.format = fmt
        self.setExtraSelections([sel])


# --- the results ------------------------------------------------------------------------------------


def attributes_text(e: Excerpt) -> str:
    """The participant's and the document's attributes, as one line."""
    values = {**e.document_attributes, **e.participant_attributes}
    return " · ".join(f"{k}: {v}" for k, v in values.items() if v)


class ResultsModel(QAbstractTableModel):
    COLUMNS = ("Document", "Speaker", "Attributes", "Passage")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Excerpt] = []

    def set_rows(self, rows: list[Excerpt]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            place = e.timestamp or f"¶{e.paragraph}"
            return (
                e.document,
                f"{e.who or e.speaker or '–'} ({place})",
                attributes_text(e),
                " ".join(e.text.split())[:400],
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (2, 3):
            return attributes_text(e) if index.column() == 2 else e.text[:2000]
        return None


class QueryPanel(QWidget):
    """The expression and its options on top, the passages found below."""

    message = Signal(str)
    jumpRequested = Signal(int, int, int)  # document id, start, end

    def __init__(
        self, session: ProjectSession, start: Starter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._start = start
        self.result: QueryResult | None = None
        self.error = ""  # the message shown under the expression ('' = none)
        self._texts: dict[int, str] = {}
        self._generation = 0
        self.stale = False  # the project changed since the passages shown were found

        self.editor = ExpressionEdit()
        self.editor.submitted.connect(self.run)
        helpers = QHBoxLayout()
        helpers.setSpacing(4)
        self.helper_buttons: dict[str, QPushButton] = {}
        for token, tip in (
            ("AND", "Both: A AND B"),
            ("OR", "Either: A OR B"),
            ("NOT", "Without: A AND NOT B"),
            ("(", "Group: A AND (B OR C)"),
            (")", "Close the group"),
        ):
            button = QPushButton(token)
            button.setToolTip(tip)
            button.setFixedWidth(max(44, button.fontMetrics().horizontalAdvance(token) + 24))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda checked=False, t=token: self.editor.insert_token(t))
            self.helper_buttons[token] = button
            helpers.addWidget(button)
        insert = QPushButton("Insert code…")
        insert.setToolTip("Choose a code from the list (or type part of its name)")
        insert.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        insert.clicked.connect(self._insert_code)
        self.helper_buttons["code"] = insert
        helpers.addWidget(insert)
        helpers.addStretch(1)
        self.run_button = QPushButton("Run query")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Or press Enter in the expression")
        self.run_button.clicked.connect(self.run)
        helpers.addWidget(self.run_button)
        self.check = QLabel()
        self.check.setWordWrap(True)
        self.check.setTextFormat(Qt.TextFormat.RichText)
        self.check.hide()

        self.within = QComboBox()
        for key, label in WITHIN.items():
            self.within.addItem(label, key)
            self.within.setItemData(
                self.within.count() - 1, WITHIN_TIPS[key], Qt.ItemDataRole.ToolTipRole
            )
        self.rollup = QCheckBox("A code includes its sub-codes")
        self.filters = FiltersPanel(
            session,
            groups=("coders", "documents", "kinds", "attributes", "origins"),
            title="Which codings and texts count",
        )
        form = QFormLayout()
        form.addRow("Look in:", self.within)
        form.addRow(self.rollup)
        options = QWidget()
        o_layout = QVBoxLayout(options)
        o_layout.setContentsMargins(0, 0, 4, 0)
        o_layout.addLayout(form)
        o_layout.addWidget(self.filters, 1)

        self.summary = QLabel(
            "Write a query of codes above, e.g. two codes joined by AND, and run it: the "
            "passages where it holds are listed here."
        )
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.model = ResultsModel(self)
        self.sorted = QSortFilterProxyModel(self)
        self.sorted.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.sorted)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # document order to start with
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self.jump)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._preview())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)

        self.jump_button = QPushButton("Show in the transcript")
        self.jump_button.setToolTip("Or double-click the passage")
        self.jump_button.clicked.connect(lambda: self.jump(self.table.currentIndex()))
        self.basket_button = QPushButton("Add to quote basket")
        self.basket_button.setToolTip("The selected passages become candidate quotes")
        self.basket_button.clicked.connect(lambda: self.add_to_basket())
        self.format = QComboBox()
        for suffix, label in FORMATS.items():
            self.format.addItem(label, suffix)
        self.pseudonyms = QCheckBox("Pseudonymise names")
        self.pseudonyms.setToolTip("Speakers and the project's name list (Quote basket tab)")
        self.citations = QCheckBox("Cite each passage")
        self.citations.setToolTip("With the project's citation template (Quote basket tab)")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("The passages found, with where each is from")
        self.export_button.clicked.connect(lambda: self.export())
        buttons = QHBoxLayout()
        buttons.addWidget(self.jump_button)
        buttons.addWidget(self.basket_button)
        buttons.addStretch(1)
        buttons.addWidget(self.format)
        buttons.addWidget(self.pseudonyms)
        buttons.addWidget(self.citations)
        buttons.addWidget(self.export_button)

        results = QSplitter(Qt.Orientation.Vertical)
        results.setObjectName("reports-query-results")
        results.addWidget(self.table)
        results.addWidget(self.preview)
        results.setStretchFactor(0, 3)
        results.setStretchFactor(1, 2)
        right = QWidget()
        r_layout = QVBoxLayout(right)
        r_layout.setContentsMargins(4, 0, 0, 0)
        r_layout.addWidget(QLabel("<b>Query</b> (codes by name or path; AND, OR, NOT, brackets)"))
        r_layout.addWidget(self.editor)
        r_layout.addWidget(self.check)
        r_layout.addLayout(helpers)
        r_layout.addWidget(self.summary)
        r_layout.addWidget(results, 1)
        r_layout.addLayout(buttons)
        split = QSplitter()
        split.setObjectName("reports-query-split")
        split.addWidget(options)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([270, 930])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)

        self._timer = QTimer(self)  # check the expression once typing pauses
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.validate)
        self.editor.textChanged.connect(self._timer.start)
        session.changed.connect(self._on_changed)
        self._load_codes()
        self._enable()

    # --- the expression ------------------------------------------------------------------------
    def _load_codes(self) -> None:
        with self.session.read() as s:
            self.editor.set_codes([n.path for n in code_tree(s)])

    def _insert_code(self) -> None:
        self.editor.setFocus()
        self.editor.complete(minimum=0)

    def set_expression(self, expression: str) -> None:
        self.editor.setPlainText(expression)
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        self.validate()

    def validate(self) -> bool:
        """Check the expression (syntax, then the codes it names) and say what is wrong under
        it, with the place marked; True when it can run."""
        self._timer.stop()
        expression = self.editor.expression()
        if not expression.strip():
            self._show_check("", None)
            return False
        try:
            tree = parse_query(expression)
            with self.session.read() as s:
                for t in terms(tree):
                    try:
                        resolve_code(s, t.ref)
                    except NotFound as exc:
                        raise QueryError(f"at character {t.position}: {exc}") from None
        except QueryError as exc:
            position, what = error_position(str(exc))
            self._show_check(what, position)
            return False
        self._show_check("", None)
        return True

    def _show_check(self, problem: str, position: int | None) -> None:
        self.error = problem
        self.editor.mark(position if problem else None)
        if not problem:
            self.check.setText("")
            self.check.hide()
            return
        text = problem
        if position is not None and position > len(self.editor.expression().rstrip()):
            text = "at the end of the query: " + problem.removesuffix(
                ", found the end of the query"
            )
        elif position is not None:
            text = f"at character {position}: {problem}"
        self.check.setText(
            f"<span style='color: {ERROR_COLOUR}'>{html.escape(text[:1].upper() + text[1:])}</span>"
        )
        self.check.show()

    # --- running -------------------------------------------------------------------------------
    def run_expression(self, expression: str, *, within: str | None = None) -> None:
        """Run a query given as text (e.g. a pair of the co-occurrence tab), optionally
        looking in other units."""
        if within is not None:
            self.within.setCurrentIndex(self.within.findData(within))
        self.set_expression(expression)
        self.run()

    def run(self) -> None:
        """Run the expression in the background (its problems are shown, not run)."""
        if not self.validate():
            if not self.editor.expression().strip():
                self._show_check("the query is empty: name at least one code", None)
            self.editor.setFocus()
            return
        expression = self.editor.expression()
        within, rollup = str(self.within.currentData()), self.rollup.isChecked()
        filters, project = self.filters.filters(), self.session.project
        self._generation += 1
        generation = self._generation

        def work(progress: Progress, cancel: CancelCheck) -> QueryResult | QueryError:
            with project.read() as s:
                try:
                    result = run_core_query(
                        s, expression, within=within, filters=filters, rollup=rollup,
                        progress=progress, cancel=cancel,
                    )  # fmt: skip
                except QueryError as exc:
                    return exc  # shown under the expression, not in a dialog
            if cancel():
                raise Cancelled
            return result

        def done(result: QueryResult | QueryError) -> None:
            if generation != self._generation:
                return
            if isinstance(result, QueryError):
                position, what = error_position(str(result))
                self._show_check(what, position)
                return
            self.show_result(result)

        self._start("Running the query", work, done)

    def show_result(self, result: QueryResult) -> None:
        self.result = result
        self.stale = False
        self._texts.clear()
        self.model.set_rows(result.excerpts)
        n = len(result.excerpts)
        notes = "; ".join(result.notes + result.filters)
        self.summary.setText(
            (
                f"<b>{n:,} passage{'s' if n != 1 else ''}</b> in {result.documents} "
                f"document{'s' if result.documents != 1 else ''}"
                if n
                else "<b>No passages</b> match"
            )
            + f" · {html.escape(result.expression)} "
            + f"<span style='color: gray'>({html.escape(notes)})</span>"
        )
        header = self.table.horizontalHeader()
        self.table.resizeColumnsToContents()
        for col, most in ((0, 200), (1, 180), (2, 260)):
            header.resizeSection(col, min(header.sectionSize(col), most))
        if n:
            self.table.selectRow(0)
        else:
            self.preview.clear()
        self._enable()

    # --- the passages --------------------------------------------------------------------------
    def _row(self, index: QModelIndex) -> Excerpt | None:
        source = self.sorted.mapToSource(index) if index.model() is self.sorted else index
        rows = self.model.rows
        return rows[source.row()] if source.isValid() and source.row() < len(rows) else None

    def selected(self) -> list[Excerpt]:
        """The selected passages, in document order."""
        rows = {
            self.sorted.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()
        }
        return [self.model.rows[r] for r in sorted(rows) if r < len(self.model.rows)]

    def _preview(self) -> None:
        e = self._row(self.table.currentIndex())
        if e is None:
            self.preview.clear()
            return
        text = self._texts.get(e.document_id)
        if text is None:
            with self.session.read() as s:
                text = self._texts[e.document_id] = document_text(s, e.document_id)
        before = text[max(0, e.start - CONTEXT) : e.start]
        after = text[e.end : e.end + CONTEXT]
        body = (
            html.escape(("…" if e.start > CONTEXT else "") + before)
            + f"<b style='background-color: rgba(255, 210, 80, 90)'>{html.escape(e.text)}</b>"
            + html.escape(after + ("…" if e.end + CONTEXT < len(text) else ""))
        ).replace("\n", "<br>")
        place = e.timestamp or f"¶{e.paragraph}"
        ref = " · ".join(x for x in (e.who or e.speaker, e.document, place) if x)
        attrs = attributes_text(e)
        coders = f"; codings of {e.coder}" if e.coder else ""
        self.preview.setHtml(
            f"<p style='color: gray'>{html.escape(ref)}{html.escape(coders)}</p>"
            + (f"<p style='color: gray'>{html.escape(attrs)}</p>" if attrs else "")
            + f"<p>{body}</p>"
        )

    def jump(self, index: QModelIndex) -> None:
        e = self._row(index)
        if e is not None:
            self.jumpRequested.emit(e.document_id, e.start, e.end)

    def add_to_basket(self) -> str:
        """The selected passages into the quote basket (one undoable step)."""
        from ui.basket_actions import add_spans

        chosen = self.selected()
        if not chosen:
            return ""
        text = add_spans(self.session, [(e.document_id, e.start, e.end) for e in chosen])
        self.message.emit(text)
        return text

    def _enable(self) -> None:
        has = bool(self.model.rows)
        chosen = bool(self.table.selectionModel().selectedRows())
        self.jump_button.setEnabled(chosen)
        self.basket_button.setEnabled(chosen)
        self.export_button.setEnabled(has)

    def _on_changed(self, changes: Changes) -> None:
        everything = concerns_everything(changes)
        if everything or changes.codes:
            self._load_codes()
            if self.editor.expression().strip():
                self.validate()
        touched = changes.codings or changes.codes or changes.documents or changes.cases
        if self.result is not None and (everything or touched) and not self.stale:
            self.stale = True
            self.summary.setText(
                self.summary.text() + "<br><span style='color: #b35900'>The project has changed "
                "since this query ran: run it again to see the passages as they are now.</span>"
            )

    # --- export --------------------------------------------------------------------------------
    def export(self, path: str | Path | None = None) -> None:
        """Write the passages found (with their references) in the background."""
        result = self.result
        if result is None or not result.excerpts:
            return
        suffix = str(self.format.currentData())
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export the query's passages", f"query{suffix}", f"*{suffix}"
            )
            if not chosen:
                return
            path = chosen if chosen.lower().endswith(suffix) else chosen + suffix
        project, target = self.session.project, Path(path)
        pseudonymise, cite = self.pseudonyms.isChecked(), self.citations.isChecked()

        def work(progress: Progress, cancel: CancelCheck) -> Path:
            from qualbench.exports.excerpts import write_excerpts

            extra: dict[str, Any] = {}
            with project.read() as s:
                if pseudonymise:
                    from qualbench.pseudonyms import project_pseudonymiser

                    extra["pseudonymiser"] = project_pseudonymiser(s)
                if cite:
                    from qualbench.quotes import citation

                    extra["citation"] = citation(s)
                name = project.info().name
            return write_excerpts(
                result.excerpts, target, project=name, title=f"Coding query: {result.expression}",
                progress=progress, cancel=cancel, **extra,
            )  # fmt: skip

        names = "; names pseudonymised" if pseudonymise else ""
        n = len(result.excerpts)
        self._start(
            "Exporting the passages",
            work,
            lambda p: self.message.emit(
                f"Wrote {n} passage{'s' if n != 1 else ''} to {p} (contains transcript text{names})"
            ),
        )
