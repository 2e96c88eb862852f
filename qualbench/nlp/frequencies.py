"""Word frequencies by lemma from the stored analysis, optionally in columns by document,
document kind or an attribute (of documents, or of the participants speaking).

Counted: tokens with at least one letter (no punctuation, no bare numbers), stop words left out
unless asked; in documents with speaker turns only what is said (no speaker labels, headings or
notes outside the turns); within the same `Scope` as search (documents, kinds, attribute values, speakers,
coded text). No transcript text beyond single words leaves this module.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import and_, select

from qualbench.db import ATTRIBUTE, CASE_VALUE, DOCUMENT, DOCUMENT_VALUE, TURN
from qualbench.errors import UserError
from qualbench.model import KIND_LABELS
from qualbench.nlp.cache import unanalysed
from qualbench.nlp.scope import Corpus, Scope, documents_in_scope
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress

if TYPE_CHECKING:
    from sqlmodel import Session

BY_FIXED = ("", "document", "kind")
# Sounds of speech transcribed as words; left out with the stop words (spaCy's list has none).
FILLERS = frozenset(
    [
        "uh",
        "um",
        "er",
        "erm",
        "ah",
        "eh",
        "hmm",
        "hm",
        "mm",
        "mmm",
        "mhm",
        "uh-huh",
        "mm-hmm",
        "huh",
        "oh",
        "yeah",
        "okay",
        "ok",
    ]
)
NO_VALUE = "(no value)"


@dataclass(frozen=True)
class FrequencyRow:
    lemma: str
    total: int
    documents: int  # documents it occurs in
    by: dict[str, int]  # column -> count
    forms: tuple[str, ...] = ()  # the most frequent written forms, lower-cased


@dataclass
class FrequencyTable:
    by: str  # "" (no columns), "document", "kind", or an attribute ("country", "case:gender")
    columns: list[str]
    rows: list[FrequencyRow]
    tokens: int  # words counted (after the exclusions)
    documents: int
    stop_words: bool
    conditions: list[str] = field(default_factory=list)
    not_analysed: list[str] = field(default_factory=list)
    column_tokens: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        stops = (
            "stop words included"
            if self.stop_words
            else "stop words and fillers (uh, um, yeah, okay ...) left out"
        )
        return (
            f"Words by lemma (all forms of a word counted together), {stops}, punctuation and "
            f"numbers left out; {self.tokens:,} words in {self.documents} documents"
        )


def word_frequencies(
    session: Session,
    scope: Scope = Scope(),  # noqa: B008 - frozen
    *,
    by: str = "",
    stop_words: bool = False,
    min_count: int = 1,
    limit: int | None = None,
    corpus: Corpus | None = None,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> FrequencyTable:
    """Lemma counts over the analysed documents in ``scope``, most frequent first."""
    corpus = corpus or Corpus()
    docs, conditions = documents_in_scope(session, scope, corpus)
    missing = set(unanalysed(session, [d.id for d in docs]))
    not_analysed = [d.name for d in docs if d.id in missing]
    docs = [d for d in docs if d.id not in missing]
    column_of_doc, case_columns, columns = _columns(session, by, [d.id for d in docs])
    totals: Counter[str] = Counter()
    per: dict[str, Counter[str]] = {c: Counter() for c in columns}
    seen_in: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    column_tokens: Counter[str] = Counter()
    counted = 0
    for n in range(0, len(docs), 64):
        if cancel():
            raise Cancelled
        progress(n, len(docs), "Counting words")
        chunk = docs[n : n + 64]
        tokens = corpus.tokens(session, [d.id for d in chunk])
        for doc in chunk:
            t = tokens[doc.id]
            turns = (
                [(a, z, cid) for a, z, cid in case_columns.get(doc.id, [])] if case_columns else []
            )
            starts = [a for a, _, _ in turns]
            bodies = [(b, z) for _, b, z, _, _ in doc.turns]  # what is said, labels left out
            here: set[str] = set()
            for (a, z), lem, stop in zip(t.spans.tolist(), t.lemma_list, t.stops, strict=True):
                if not any(c.isalpha() for c in lem):
                    continue
                if not stop_words and (stop or doc.text[a:z].lower() in FILLERS):
                    continue  # the written word: the lookup makes "yeah" the lemma "yes"
                if doc.allowed is not None and not _within(doc.allowed, a, z):
                    continue
                if bodies and not _within(bodies, a, z):
                    continue
                if case_columns:
                    i = bisect.bisect_right(starts, a) - 1
                    if i < 0 or a >= turns[i][1]:
                        continue
                    column = turns[i][2]
                else:
                    column = column_of_doc.get(doc.id, "")
                totals[lem] += 1
                counted += 1
                if column:
                    per.setdefault(column, Counter())[lem] += 1
                    column_tokens[column] += 1
                here.add(lem)
                word = doc.text[a:z].lower()
                if word != lem:
                    forms.setdefault(lem, Counter())[word] += 1
            seen_in.update(here)
    progress(len(docs), len(docs), "Counting words")
    ranked = [(lem, c) for lem, c in totals.most_common() if c >= min_count]
    if limit is not None:
        ranked = ranked[:limit]
    columns = [c for c in columns if c in per]
    rows = [
        FrequencyRow(
            lemma=lem,
            total=c,
            documents=seen_in[lem],
            by={col: per[col][lem] for col in columns if per[col][lem]},
            forms=tuple(w for w, _ in forms.get(lem, Counter()).most_common(4)),
        )
        for lem, c in ranked
    ]
    return FrequencyTable(
        by=by,
        columns=columns,
        rows=rows,
        tokens=counted,
        documents=len(docs),
        stop_words=stop_words,
        conditions=conditions,
        not_analysed=not_analysed,
        column_tokens=dict(column_tokens),
    )


def _within(allowed: list[tuple[int, int]], a: int, z: int) -> bool:
    i = bisect.bisect_right(allowed, (a, float("inf"))) - 1
    return i >= 0 and allowed[i][0] <= a and z <= allowed[i][1]


def _columns(
    session: Session, by: str, doc_ids: list[int]
) -> tuple[dict[int, str], dict[int, list[tuple[int, int, str]]], list[str]]:
    """Column per document, or per participant turn (``case:NAME``), and the column order."""
    if by in ("", None):
        return {}, {}, []
    if by == "document":
        names = dict(session.execute(select(DOCUMENT.c.id, DOCUMENT.c.name)).all())
        return {d: names[d] for d in doc_ids}, {}, [names[d] for d in doc_ids]
    if by == "kind":
        kinds = dict(session.execute(select(DOCUMENT.c.id, DOCUMENT.c.kind)).all())
        of = {d: str(KIND_LABELS.get(kinds[d], kinds[d])) for d in doc_ids}
        return of, {}, sorted(set(of.values()))
    scope, colon, name = by.partition(":")
    if not colon:
        scope, name = "", by
    found = dict(
        session.execute(
            select(ATTRIBUTE.c.scope, ATTRIBUTE.c.id).where(ATTRIBUTE.c.name == name)
        ).all()
    )
    if scope and scope not in ("document", "case"):
        raise UserError(f"{by!r}: the prefix must be document: or case:")
    if not found or (scope and scope not in found):
        raise UserError(f"no attribute {name!r} to make columns of")
    if not scope:
        if len(found) > 1:
            raise UserError(
                f"{name!r} is an attribute of documents and of participants; say document:{name} or case:{name}"
            )
        scope = next(iter(found))
    attr = found[scope]
    if scope == "document":
        values = dict(
            session.execute(
                select(DOCUMENT_VALUE.c.document_id, DOCUMENT_VALUE.c.value).where(
                    DOCUMENT_VALUE.c.attribute_id == attr
                )
            ).all()
        )
        of = {d: str(values.get(d) or "").strip() or NO_VALUE for d in doc_ids}
        return of, {}, sorted(set(of.values()), key=str.casefold)
    values = dict(
        session.execute(
            select(CASE_VALUE.c.case_id, CASE_VALUE.c.value).where(
                CASE_VALUE.c.attribute_id == attr
            )
        ).all()
    )
    turns: dict[int, list[tuple[int, int, str]]] = {}
    wanted = set(doc_ids)
    for d, a, z, case_id in session.execute(
        select(TURN.c.document_id, TURN.c.start, TURN.c.end, TURN.c.case_id)
        .where(and_(TURN.c.case_id.is_not(None)))
        .order_by(TURN.c.document_id, TURN.c.start)
    ):
        if d in wanted:
            turns.setdefault(d, []).append((a, z, (values.get(case_id) or "").strip() or NO_VALUE))
    columns = sorted({c for ts in turns.values() for _, _, c in ts}, key=str.casefold)
    return {}, turns, columns
