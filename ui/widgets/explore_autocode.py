"""Auto-coding rules that make suggestions for the coder to review (never codings at once):
every turn of some speakers, the codebook's keywords (every form of each word), a regular
expression. The rules run in the background; their matches are saved as the coder's pending
suggestions in one undoable action, and listed below for review."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from qualbench import undo
from qualbench.changes import Changes
from qualbench.nlp.autocode import Found, KeywordRule, RegexRule, Rule, SpeakerRule, find_candidates
from qualbench.nlp.scope import Corpus, Scope
from qualbench.progress import CancelCheck, Cancelled, Progress
from qualbench.reports.filters import AttributeValue
from qualbench.services.cases import attribute_names, values_of
from qualbench.services.codes import code_tree
from qualbench.suggestions import SuggestRun
from ui.session import ProjectSession, concerns_everything, user_message
from ui.tasks import Starter
from ui.widgets.explore_common import (
    UNIT_LABELS,
    AnalysisBar,
    CodeCombo,
    SpeakersCompleter,
    speakers_of,
)
from ui.widgets.explore_review import ReviewPanel

ERROR_COLOUR = "#c0392b"


def _units(default: str) -> QComboBox:
    combo = QComboBox()
    for key, label in UNIT_LABELS.items():
        combo.addItem(label, key)
    combo.setCurrentIndex(combo.findData(default))
    return combo


class RulesPanel(QWidget):
    """Three kinds of rule, each ticked on or off, and the button that runs them."""

    message = Signal(str)
    suggested = Signal(object)  # the SuggestRun of a run that saved suggestions

    def __init__(
        self, session: ProjectSession, start: Starter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.corpus = Corpus()  # the window gives its own, shared with the other tabs
        self._start = start
        self.last: SuggestRun | None = None

        self.speaker_box = QGroupBox("Everything some speakers say")
        self.speaker_box.setCheckable(True)
        self.speaker_box.setChecked(False)
        self.speakers = QLineEdit()
        SpeakersCompleter(session, self.speakers)
        self.speakers.setPlaceholderText("labels or participants, by commas, e.g. Interviewer")
        self.attribute = QComboBox()
        self.value = QComboBox()
        self.attribute.currentIndexChanged.connect(lambda *_: self._fill_values())
        self.speaker_code = CodeCombo(session)
        form = QFormLayout(self.speaker_box)
        form.addRow("Speakers:", self.speakers)
        form.addRow("or participants with:", self.attribute)
        form.addRow("equal to:", self.value)
        form.addRow("Code each turn as:", self.speaker_code)

        self.keyword_box = QGroupBox("The codebook's keywords (every form of each word)")
        self.keyword_box.setCheckable(True)
        self.keyword_codes = QListWidget()
        self.keyword_codes.setToolTip("Codes with keywords in the codebook; untick to leave out")
        self.keyword_unit = _units("sentence")
        k_layout = QVBoxLayout(self.keyword_box)
        k_layout.addWidget(self.keyword_codes, 1)
        k_row = QHBoxLayout()
        k_row.addWidget(QLabel("Suggest the"))
        k_row.addWidget(self.keyword_unit)
        k_row.addWidget(QLabel("around each keyword"), 1)
        k_layout.addLayout(k_row)

        self.regex_box = QGroupBox("A pattern (regular expression)")
        self.regex_box.setCheckable(True)
        self.regex_box.setChecked(False)
        self.pattern = QLineEdit()
        self.pattern.setPlaceholderText(r"e.g.  \bpolice (car|station)\b")
        self.regex_code = CodeCombo(session)
        self.regex_unit = _units("sentence")
        self.regex_case = QCheckBox("Match case")
        r_form = QFormLayout(self.regex_box)
        r_form.addRow("Pattern:", self.pattern)
        r_form.addRow("", self.regex_case)
        r_form.addRow("Suggest the:", self.regex_unit)
        r_form.addRow("Code as:", self.regex_code)

        self.left_out = QLineEdit()
        SpeakersCompleter(session, self.left_out)
        self.left_out.setObjectName("autocode-left-out")
        self.left_out.setPlaceholderText("nobody (or: speakers / participants, by commas)")
        self.left_out.setToolTip(
            "Keywords and patterns are not looked for in what these speakers say, "
            "e.g. the moderator's questions"
        )
        self.run_button = QPushButton("Find suggestions")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Run the ticked rules; what they find waits for your review")
        self.run_button.clicked.connect(self.run)
        self.summary = QLabel(
            "Suggestions are yours to accept or reject below; only accepted ones become "
            "codings (marked auto-coded). Rejected ones are not proposed again."
        )
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.analysis = AnalysisBar(session, start, "matched")
        self.analysis.analysed.connect(lambda _run: self.run())
        self.analysis.message.connect(self.message)
        boxes = QHBoxLayout()
        boxes.addWidget(self.keyword_box, 4)
        boxes.addWidget(self.speaker_box, 3)
        boxes.addWidget(self.regex_box, 3)
        leave = QHBoxLayout()
        leave.addWidget(QLabel("Keywords and patterns: leave out what these say:"))
        leave.addWidget(self.left_out, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.run_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(boxes, 1)
        layout.addLayout(leave)
        layout.addLayout(bottom)
        layout.addWidget(self.analysis)
        session.changed.connect(self._on_changed)
        self._load()

    # --- choices from the project ----------------------------------------------------------------
    def _load(self) -> None:
        ticked = self.keyword_ids() if self.keyword_codes.count() else None
        with self.session.read() as s:
            nodes = [n for n in code_tree(s) if n.keywords]
            names = attribute_names(s, scope="case")
            self._values = values_of(s, scope="case")
        self.keyword_codes.clear()
        for n in nodes:
            item = QListWidgetItem("    " * n.depth + f"{n.name}  ({len(n.keywords)})")
            item.setData(Qt.ItemDataRole.UserRole, n.id)
            item.setToolTip(f"{n.path}: " + ", ".join(n.keywords))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = ticked is None or n.id in ticked
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.keyword_codes.addItem(item)
        current = self.attribute.currentData()
        self.attribute.blockSignals(True)
        self.attribute.clear()
        self.attribute.addItem("(no attribute)", None)
        for name in names:
            self.attribute.addItem(name, name)
        self.attribute.setCurrentIndex(max(self.attribute.findData(current), 0))
        self.attribute.blockSignals(False)
        self._fill_values()

    def _fill_values(self) -> None:
        name = self.attribute.currentData()
        current = self.value.currentText()
        self.value.clear()
        self.value.setEnabled(name is not None)
        if name is None:
            return
        found = sorted({v[name] for v in self._values.values() if v.get(name)}, key=str.casefold)
        self.value.addItems(found)
        if current in found:
            self.value.setCurrentText(current)

    def _on_changed(self, changes: Changes) -> None:
        if concerns_everything(changes) or changes.codes or changes.attributes or changes.cases:
            self._load()

    def keyword_ids(self) -> list[int]:
        out = []
        for i in range(self.keyword_codes.count()):
            item = self.keyword_codes.item(i)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    # --- the rules -------------------------------------------------------------------------------
    def rules(self) -> tuple[list[Rule], str]:
        """The ticked rules, or what is missing to run them."""
        rules: list[Rule] = []
        if self.keyword_box.isChecked():
            ids = self.keyword_ids()
            if not ids:
                return [], "Tick at least one code whose keywords to look for."
            everything = len(ids) == self.keyword_codes.count()
            rules.append(
                KeywordRule(() if everything else tuple(ids), str(self.keyword_unit.currentData()))
            )
        if self.speaker_box.isChecked():
            code, name = self.speaker_code.code_id(), self.attribute.currentData()
            attribute = (
                AttributeValue(name, (self.value.currentText(),), "case")
                if name is not None and self.value.currentText()
                else None
            )
            speakers = speakers_of(self.speakers.text())
            if code is None or not (speakers or attribute):
                return [], "The speaker rule needs speakers or a participant attribute, and a code."
            rules.append(SpeakerRule(code, speakers, attribute))
        if self.regex_box.isChecked():
            code = self.regex_code.code_id()
            if code is None or not self.pattern.text().strip():
                return [], "The pattern rule needs a pattern and a code."
            rules.append(
                RegexRule(
                    self.pattern.text(), code, str(self.regex_unit.currentData()),
                    self.regex_case.isChecked(),
                )
            )  # fmt: skip
        if not rules:
            return [], "Tick a rule to run."
        return rules, ""

    def run(self) -> None:
        """Find what the rules propose (background), then save it as suggestions (undoable)."""
        rules, problem = self.rules()
        if problem:
            self._show_error(problem)
            return
        project = self.session.project
        scope = Scope(not_speakers=speakers_of(self.left_out.text()))

        def work(progress: Progress, cancel: CancelCheck) -> Found | str:
            with project.read() as s:
                try:
                    return find_candidates(
                        s, rules, scope, corpus=self.corpus, progress=progress, cancel=cancel
                    )
                except Cancelled:
                    raise
                except Exception as exc:
                    if (message := user_message(exc)) is None:
                        raise
                    return message

        self._start("Finding suggestions", work, self._found)

    def _found(self, found: Found | str) -> None:
        if isinstance(found, str):
            self._show_error(found)
            return
        self.analysis.show_for(found.not_analysed)
        rules = "; ".join(found.rules)
        if not found.candidates:
            self.summary.setText(f"<b>The rules found nothing.</b> ({html.escape(rules)})")
            return
        command = undo.suggest(found.candidates, coder_id=self.session.coder_id)
        if not self.session.run(command):
            return
        run: SuggestRun = command.result["run"]
        run.rules, run.not_analysed = found.rules, found.not_analysed
        self.last = run
        self.summary.setText(self.describe(run))
        self.message.emit(run.summary() + "." + (" Ctrl+Z undoes this." if run.new else ""))
        self.suggested.emit(run)

    @staticmethod
    def describe(run: SuggestRun) -> str:
        by_code = ", ".join(
            f"{html.escape(path)} {n}"
            for path, n in sorted(run.new_by_code.items(), key=lambda kv: -kv[1])[:6]
        )
        more = ", …" if len(run.new_by_code) > 6 else "."
        return (
            f"<b>{html.escape(run.summary())}.</b>"
            + (f" New by code: {by_code}{more}" if by_code else "")
            + f"<br><span style='color: gray'>Rules: {html.escape('; '.join(run.rules))}</span>"
        )

    def _show_error(self, message: str) -> None:
        self.summary.setText(f"<span style='color: {ERROR_COLOUR}'>{html.escape(message)}</span>")


class AutocodePanel(QWidget):
    """The rules on top, the review list below."""

    message = Signal(str)
    jumpRequested = Signal(int, int, int)

    def __init__(
        self,
        session: ProjectSession,
        start: Starter,
        parent: QWidget | None = None,
        *,
        corpus: Corpus | None = None,
    ) -> None:
        super().__init__(parent)
        self.rules = RulesPanel(session, start)
        self.rules.corpus = corpus or Corpus()
        self.review = ReviewPanel(session)
        self.rules.message.connect(self.message)
        self.review.message.connect(self.message)
        self.review.jumpRequested.connect(self.jumpRequested)
        self.rules.suggested.connect(self._suggested)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("explore-autocode-split")
        split.addWidget(self.rules)
        split.addWidget(self.review)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)

    def _suggested(self, run: Any) -> None:
        if run.new:
            self.review.show_status("pending")
