"""REFI Cases as QualBench participants: which speaker turns of a new document are whose.

QualBench links a participant to the text through speaker turns; REFI links a case to whole
sources (SourceRef) or to selections (SelectionRef). On import (see ``apply.py``):

- a case with no name, or the name of its one source, and no selections is MAXQDA's and
  Quirkos's way of giving a document variables: its values become document attributes;
- each selection of a case is a turn of that participant: a turn the transcript's speaker
  labels give with exactly that span keeps its label (QualBench's own exports name these
  selections after the label, so a round trip gives back the same turns); otherwise the span
  becomes a turn of its own, unless it overlaps one already placed;
- a case covering a whole source speaks all of a document that has no turns, or is the one
  participant of a document whose other speakers are interviewers or moderators; in a
  document with several participants it cannot be placed, and the report says so.

Links to documents the project already had are not applied: their turns stay as they are.
"""

from __future__ import annotations

from collections import defaultdict

from importers import Turn
from qualbench.refi import model
from qualbench.refi.parse import clean
from qualbench.refi.positions import SourceText
from qualbench.refi.report import RefiReport
from qualbench.services.cases import role_of


def _same(a: str, b: str) -> bool:
    def key(x: str) -> str:
        x = clean(x).casefold()
        return x.rsplit(".", 1)[0] if "." in x[1:] else x

    return key(a) == key(b)


class CaseLinks:
    """The cases of a file and what they cover, resolved against its sources."""

    def __init__(self, p: model.Project, report: RefiReport) -> None:
        self.p = p
        self.r = report
        self.ours = "qualbench" in p.origin.casefold()
        self.case_names: dict[str, str] = {}  # case guid -> participant name (set by the writer)
        sources = {s.guid: s for s in p.sources}
        self.document_cases: dict[str, str] = {}  # case guid -> the source it describes
        for c in p.cases:
            if not c.selection_refs and len(c.source_refs) == 1:
                src = sources.get(c.source_refs[0])
                if src is not None and (not c.name.strip() or _same(c.name, src.name)):
                    self.document_cases[c.guid] = src.guid
        index = {sel.guid: (src.guid, sel) for src in p.sources for sel in src.selections}
        self.selections: set[str] = set()  # selections that are cases' turns
        self.spans: dict[str, list[tuple[model.Selection, str]]] = defaultdict(list)
        self.whole: dict[str, list[str]] = defaultdict(list)
        missing = 0
        for c in p.cases:
            if c.guid in self.document_cases:
                continue
            for ref in c.selection_refs:
                hit = index.get(ref)
                if hit is None:
                    missing += 1
                    continue
                self.selections.add(ref)
                self.spans[hit[0]].append((hit[1], c.guid))
            for ref in c.source_refs:
                if ref in sources:
                    self.whole[ref].append(c.guid)
                else:
                    missing += 1
        report.lose("case links", missing, "they point to selections or sources not imported")

    def document_values(self, source: str) -> list[model.Value]:
        """Values of the cases that stand for this source's variables."""
        return [
            v for c in self.p.cases if self.document_cases.get(c.guid) == source for v in c.values
        ]

    def unlinked(
        self,
        source: str,
        text: SourceText,
        turns: list[tuple[int, int, int | None]],
        case_ids: dict[str, int],
    ) -> None:
        """Report the case links of a source whose document the project already had: links its
        turns already carry (a file imported twice) are fine, the others are not applied."""
        spans = {(a, b, c) for a, b, c in turns}
        speaking = {c for _, _, c in turns}
        missing = 0
        for sel, case in self.spans.get(source, []):
            placed = text.place(sel.start, sel.end)
            ok = (
                not isinstance(placed, str)
                and (placed.start, placed.end, case_ids.get(case)) in spans
            )
            missing += not ok
        missing += sum(
            1 for case in self.whole.get(source, []) if case_ids.get(case) not in speaking
        )
        self.r.lose(
            "case links", missing, "their document was already in the project; its turns were kept"
        )

    def turns(
        self, source: str, text: SourceText, auto: tuple[Turn, ...]
    ) -> tuple[tuple[Turn, ...], dict[str, str]]:
        """(turns, speaker label -> participant name) for a new document."""
        labels: dict[str, str] = {}
        spans: dict[tuple[int, int], tuple[str, str]] = {}
        for sel, case in self.spans.get(source, []):
            name = self.case_names.get(case)
            placed = text.place(sel.start, sel.end)
            if name is None:
                continue
            if isinstance(placed, str):
                self.r.lose("participant turns", 1, f"their selection {placed}")
                continue
            label = clean(sel.name, 200) if self.ours and sel.name.strip() else name
            spans.setdefault((placed.start, placed.end), (name, label))
        for case in self.whole.get(source, []):
            name = self.case_names.get(case)
            if name is None:
                continue
            speakers = {t.speaker for t in auto if role_of(t.speaker) == "participant"}
            if not auto and not spans:
                spans[(0, len(text.text))] = (name, name)
            elif len(speakers) == 1 and not spans:
                labels.setdefault(speakers.pop(), name)
            else:
                self.r.lose(
                    "links of participants to whole documents",
                    1,
                    "the document has several speakers; QualBench links participants to turns",
                )
        if not spans:
            return auto, labels
        out: list[Turn] = []
        used: set[tuple[int, int]] = set()
        clashes = 0
        for t in auto:
            hit = spans.get((t.start, t.end))
            if hit is not None:
                used.add((t.start, t.end))
                clashes += labels.setdefault(t.speaker, hit[0]) != hit[0]
                out.append(t)
            elif not any(a < t.end and t.start < b for a, b in spans):
                out.append(t)
        for (a, b), (name, label) in sorted(spans.items()):
            if (a, b) in used:
                continue
            if any(t.start < b and a < t.end for t in out):
                clashes += 1
                continue
            if labels.get(label, name) != name:
                label = name
            if labels.get(label, name) != name:
                clashes += 1
                continue
            labels[label] = name
            out.append(Turn(a, a, b, label))
        self.r.lose(
            "participant turns",
            clashes,
            "they overlap another speaker's turn or share a label with another participant",
        )
        out.sort(key=lambda t: (t.start, t.end))
        return tuple(out), labels
