"""Search across the documents, shown keyword-in-context: exact text, whole words, every form
of a word (lemma), regular expressions or similar spellings, within the documents, speakers and
coded text chosen. Hits open in the transcript, export to CSV/XLSX, and can be coded (each hit,
or its word, sentence, paragraph or speaker turn) as one undoable action."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from qualbench import undo
from qualbench.changes import Changes
from qualbench.exports.kwic import write_kwic
from qualbench.nlp.scope import Corpus, Scope
from qualbench.nlp.search import (
    MODE_LABELS,
    MODES,
    Query,
    SearchResult,
    search,
)
from qualbench.nlp.units import expand
from qualbench.progress import CancelCheck, Cancelled, Progress
from ui.session import ProjectSession, concerns_everything, user_message
from ui.tasks import Starter
from ui.widgets.explore_common import (
    UNIT_LABELS,
    AnalysisBar,
    CodeCombo,
    SpeakersCompleter,
    ask_export_path,
    scope_filters,
    speakers_of,
)
from ui.widgets.explore_kwic import KwicModel, KwicView
from ui.widgets.report_filters import stale_bar

MAX_HITS = 100_000
CONTEXT = 60
ERROR_COLOUR = "#c0392b"


class SearchPanel(QWidget):
    """The query on top, where to look on the left, the hits and what to do with them."""

    message = Signal(str)
    jumpRequested = Signal(int, int, int)  # document id, start, end

    def __init__(
        self,
        session: ProjectSession,
        start: Starter,
        parent: QWidget | None = None,
        *,
        corpus: Corpus | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._start = start
        self.corpus = corpus or Corpus()  # kept between searches: only changes are read again
        self.result: SearchResult | None = None
        self.error = ""  # why the last search did not run ('' = it did)
        self._generation = 0

        self.query = QLineEdit()
        self.query.setPlaceholderText("A word, a phrase or a pattern, e.g.  arrest  or  police car")
        self.query.setClearButtonEnabled(True)
        self.query.returnPressed.connect(self.run)
        self.mode = QComboBox()
        for mode in MODES:
            self.mode.addItem(MODE_LABELS[mode], mode)
        self.mode.setCurrentIndex(self.mode.findData("lemma"))
        self.mode.setToolTip(
            "Lemma: 'arrest' also finds 'arrested' and 'arrests' (end a word with * for a prefix)"
        )
        self.case = QCheckBox("Match case")
        self.score = QSpinBox()
        self.score.setRange(1, 100)
        self.score.setValue(85)
        self.score.setPrefix("similarity ≥ ")
        self.score.setToolTip("How alike a run of words must be to the query (rapidfuzz ratio)")
        self.speakers = QLineEdit()
        SpeakersCompleter(session, self.speakers)
        self.speakers.setPlaceholderText("Everyone (or: speaker labels / participants, by commas)")
        self.speakers.setClearButtonEnabled(True)
        self.speakers.returnPressed.connect(self.run)
        self.run_button = QPushButton("Search")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.mode.currentIndexChanged.connect(lambda *_: self._mode_changed())
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Find</b>"))
        top.addWidget(self.query, 3)
        top.addWidget(self.mode)
        top.addWidget(self.case)
        top.addWidget(self.score)
        top.addWidget(self.run_button)
        who = QHBoxLayout()
        who.addWidget(QLabel("Spoken by:"))
        who.addWidget(self.speakers, 1)

        self.filters = scope_filters(self.session, "Where to search")
        self.summary = QLabel(
            "Type a word and press Enter. Every form of it is found in the documents ticked on "
            "the left (nothing ticked: all of them)."
        )
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.analysis = AnalysisBar(session, start, "searched")
        self.analysis.analysed.connect(lambda _run: self.run())
        self.analysis.message.connect(self.message)
        self.stale = stale_bar(
            self.run, "The project has changed since this search.", "Search again"
        )
        self.model = KwicModel(self)
        self.table = KwicView(self.model)
        self.table.activated.connect(self.jump)  # double-click or Enter
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())

        self.code = CodeCombo(session)
        self.unit = QComboBox()
        for key, label in UNIT_LABELS.items():
            self.unit.addItem(label, key)
        self.unit.setCurrentIndex(self.unit.findData("sentence"))
        self.code_selected_button = QPushButton("Code selected")
        self.code_selected_button.setToolTip("Your own (manual) codings; Ctrl+Z undoes them")
        self.code_selected_button.clicked.connect(lambda: self.code_hits(selected=True))
        self.code_all_button = QPushButton("Code all")
        self.code_all_button.setToolTip(
            "Every hit, marked as auto-coded (origin 'auto'); Ctrl+Z undoes them"
        )
        self.code_all_button.clicked.connect(lambda: self.code_hits(selected=False))
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("The hits with their context to CSV or Excel")
        self.export_button.clicked.connect(lambda: self.export())
        coding = QHBoxLayout()
        coding.addWidget(QLabel("Code each hit's"))
        coding.addWidget(self.unit)
        coding.addWidget(QLabel("as"))
        coding.addWidget(self.code, 1)
        coding.addWidget(self.code_selected_button)
        coding.addWidget(self.code_all_button)
        coding.addSpacing(16)
        coding.addWidget(self.export_button)
        note = QLabel(
            "Coding selected hits makes your own codings; coding all hits marks them "
            "auto-coded (origin “auto”), so reports and agreement can tell them apart."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text)")

        left = QWidget()
        l_layout = QVBoxLayout(left)
        l_layout.setContentsMargins(0, 0, 4, 0)
        l_layout.addWidget(self.filters, 1)
        right = QWidget()
        r_layout = QVBoxLayout(right)
        r_layout.setContentsMargins(4, 0, 0, 0)
        r_layout.addWidget(self.summary)
        r_layout.addWidget(self.analysis)
        r_layout.addWidget(self.stale)
        r_layout.addWidget(self.table, 1)
        r_layout.addLayout(coding)
        r_layout.addWidget(note)
        split = QSplitter()
        split.setObjectName("explore-search-split")
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([270, 990])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(who)
        layout.addWidget(split, 1)
        session.changed.connect(self._on_changed)
        self._mode_changed()
        self._enable()

    # --- the query -----------------------------------------------------------------------------
    def _mode_changed(self) -> None:
        mode = self.mode.currentData()
        self.score.setEnabled(mode == "fuzzy")
        self.case.setEnabled(mode != "lemma")
        self.case.setToolTip("Lemmas are compared in lower case" if mode == "lemma" else "")

    def current_query(self) -> Query:
        return Query(
            self.query.text(),
            mode=str(self.mode.currentData()),
            case_sensitive=self.case.isChecked(),
            min_score=float(self.score.value()),
        )

    def current_scope(self) -> Scope:
        return Scope(filters=self.filters.filters(), speakers=speakers_of(self.speakers.text()))

    def set_query(self, text: str, *, mode: str = "lemma") -> None:
        self.query.setText(text)
        self.mode.setCurrentIndex(self.mode.findData(mode))

    def search_lemma(self, lemma: str) -> None:
        """Run a lemma search for one word (a row of the word frequencies)."""
        self.set_query(lemma, mode="lemma")
        self.run()

    # --- running -------------------------------------------------------------------------------
    def run(self) -> None:
        """Search in the background; a mistake in the query is said above the table."""
        query, scope = self.current_query(), self.current_scope()
        if problems := query.problems():
            self._show_error("; ".join(problems).capitalize() + ".")
            self.query.setFocus()
            return
        project = self.session.project
        self._generation += 1
        generation = self._generation

        def work(progress: Progress, cancel: CancelCheck) -> SearchResult | str:
            with project.read() as s:
                try:
                    result = search(
                        s, query, scope, context=CONTEXT, limit=MAX_HITS, corpus=self.corpus,
                        progress=progress, cancel=cancel,
                    )  # fmt: skip
                except Cancelled:
                    raise
                except Exception as exc:
                    if (message := user_message(exc)) is None:
                        raise
                    return message  # shown above the table, not in a dialog
            return result

        def done(result: SearchResult | str) -> None:
            if generation != self._generation:
                return
            if isinstance(result, str):
                self._show_error(result)
            else:
                self.show_result(result)

        self._start("Searching", work, done)

    def _show_error(self, message: str) -> None:
        self.error = message
        self.summary.setText(f"<span style='color: {ERROR_COLOUR}'>{html.escape(message)}</span>")

    def show_result(self, result: SearchResult) -> None:
        self.result, self.error = result, ""
        self.stale.hide()
        self.model.set_hits(result.hits, show_score=result.query.mode == "fuzzy")
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.fit_columns()
        self.analysis.show_for(result.not_analysed)
        self.summary.setText(self.describe(result))
        if result.hits:
            self.table.selectRow(0)
        self._enable()

    @staticmethod
    def describe(result: SearchResult) -> str:
        n, docs = len(result.hits), len({h.document_id for h in result.hits})
        found = (
            f"<b>{n:,} hit{'s' if n != 1 else ''}</b> in {docs} document{'s' if docs != 1 else ''}"
            if n
            else "<b>No hits</b>"
        )
        if result.truncated:
            found += f" (stopped at {MAX_HITS:,})"
        where = "; ".join(result.conditions) or "all documents"
        searched = result.documents_searched
        return (
            f"{found} for {html.escape(result.query.describe())} "
            f"<span style='color: gray'>({html.escape(where)}; {searched} document"
            f"{'s' if searched != 1 else ''} searched)</span>"
        )

    # --- the hits ------------------------------------------------------------------------------
    def jump(self, index: QModelIndex) -> None:
        h = self.model.hit(index.row()) if index.isValid() else None
        if h is not None:
            self.jumpRequested.emit(h.document_id, h.start, h.end)

    def selected_hits(self) -> list[Any]:
        return [h for r in self.table.selected_rows() if (h := self.model.hit(r)) is not None]

    def _enable(self) -> None:
        n = len(self.model.hits)
        chosen = len(self.table.selected_rows())
        self.export_button.setEnabled(bool(n))
        self.code_all_button.setEnabled(bool(n))
        self.code_all_button.setText(f"Code all {n:,}" if n else "Code all")
        self.code_selected_button.setEnabled(bool(chosen))
        self.code_selected_button.setText(
            f"Code {chosen:,} selected" if chosen else "Code selected"
        )

    def code_hits(self, *, selected: bool = True) -> None:
        """Code the selected hits (manual codings) or all of them (auto), each expanded to the
        chosen unit, as one undoable action."""
        hits = self.selected_hits() if selected else list(self.model.hits)
        code_id, unit = self.code.code_id(), str(self.unit.currentData())
        if not hits or code_id is None:
            return
        project, path = self.session.project, self.code.path()
        origin = "manual" if selected else "auto"

        def work(progress: Progress, cancel: CancelCheck) -> list[tuple[int, int, int]]:
            with project.read() as s:
                return expand(s, hits, unit, corpus=self.corpus)

        def done(spans: list[tuple[int, int, int]]) -> None:
            n = len(spans)
            command = undo.code_spans(
                spans,
                code_id=code_id,
                coder_id=self.session.coder_id,
                origin=origin,
                label=f"Code {n} search hit{'s' if n != 1 else ''} with {path}",
            )
            if not self.session.run(command):
                return
            added = int(command.result.get("inserted", 0))
            had = int(command.result.get("already_present", 0))
            text = (
                f"Coded {added} passage{'s' if added != 1 else ''} with {path}"
                + (" (auto-coded)" if origin == "auto" else "")
                + (f"; {had} already had it" if had else "")
                + ". Ctrl+Z undoes this."
            )
            self.message.emit(text)

        self._start("Coding the hits", work, done)

    def _on_changed(self, changes: Changes) -> None:
        if self.result is None:
            return
        coded_filter = bool(self.filters.filters().code_ids)
        if (
            concerns_everything(changes)
            or changes.documents
            or changes.cases
            or (coded_filter and changes.codings)
        ):
            self.stale.show()

    # --- export --------------------------------------------------------------------------------
    def export(self, path: str | Path | None = None) -> None:
        """The hits in the order shown, to CSV or XLSX (the file holds transcript text)."""
        result = self.result
        if result is None or not self.model.hits:
            return
        if path is None:
            path = ask_export_path(
                self, "Export the hits (the file contains transcript text)", "search-hits.xlsx"
            )
            if path is None:
                return
        shown = SearchResult(
            result.query, result.conditions, list(self.model.hits), result.documents_searched,
            result.not_analysed, result.truncated,
        )  # fmt: skip
        project, target = self.session.project, Path(path)

        def work(progress: Progress, cancel: CancelCheck) -> Path:
            return write_kwic(shown, target, project=project.info().name)

        n = len(shown.hits)
        self._start(
            "Exporting the hits",
            work,
            lambda p: self.message.emit(
                f"Wrote {n:,} hit{'s' if n != 1 else ''} to {p} (contains transcript text)."
            ),
        )
