"""Where a search, a word count or an auto-coding rule looks: the `Scope` (documents, kinds,
attribute values, speakers in or out, coded text) resolved against a project into `Doc`s, each
with the stretches of text that count; and the `Corpus`, what searches read (texts, turns, the
stored analysis), kept between them."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from qualbench.db import CASES, CODING, DOCUMENT, TEXT_ANALYSIS, TURN
from qualbench.errors import UserError
from qualbench.nlp.cache import DocTokens, load_tokens
from qualbench.reports.filters import Filters, plain_rows

if TYPE_CHECKING:
    from sqlmodel import Session

Span = tuple[int, int]


@dataclass(frozen=True)
class Scope:
    """Where hits count. ``filters`` picks documents (ids, kinds, attribute values; participant
    attributes keep the turns of matching participants) and, with ``filters.code_ids``, keeps
    hits inside the text coded with those codes (by ``filters.coders``/``origins`` when given).
    ``speakers`` keeps hits in the turns of those speaker labels or participant names;
    ``not_speakers`` leaves out the turns of those (the moderator's questions)."""

    filters: Filters = field(default_factory=Filters)
    speakers: Sequence[str] = ()
    not_speakers: Sequence[str] = ()  # leave out what these say (e.g. the moderator)


@dataclass
class Doc:
    """What a document's hits are checked against: its turns and the allowed stretches."""

    id: int
    name: str
    text: str
    turns: list[tuple[int, int, int, str, str]]  # start, body_start, end, speaker, participant
    allowed: list[Span] | None  # None: everywhere


class Corpus:
    """What searches read, kept between them: each document's text and speaker turns, and its
    stored analysis. A document's text never changes, so a later search re-reads only what did:
    documents added, analyses made again, turns given to other participants (checked with one
    aggregate query). The app keeps one per open project; the command line makes a fresh one.
    Safe to share between threads (one search reads it at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._texts: dict[int, str] = {}
        self._turns: dict[int, list[tuple[int, int, int, str, int | None]]] = {}
        self._turn_stamp: tuple[Any, ...] | None = None
        self._tokens: dict[int, DocTokens] = {}
        self._token_stamp: dict[int, Any] = {}

    def texts(self, session: Session, ids: Sequence[int]) -> dict[int, str]:
        with self._lock:
            want = [d for d in ids if d not in self._texts]
            for i in range(0, len(want), 500):
                chunk = want[i : i + 500]
                self._texts.update(
                    plain_rows(
                        session,
                        select(DOCUMENT.c.id, DOCUMENT.c.text).where(DOCUMENT.c.id.in_(chunk)),
                    )
                )
            return {d: self._texts[d] for d in ids if d in self._texts}

    def turns(self, session: Session) -> dict[int, list[tuple[int, int, int, str, int | None]]]:
        """document id -> (start, body_start, end, speaker, case id), in order."""
        with self._lock:
            stamp = tuple(
                session.execute(
                    select(
                        func.count(),
                        func.coalesce(func.sum(TURN.c.id), 0),
                        func.coalesce(
                            func.sum(func.coalesce(TURN.c.case_id, 0) * (TURN.c.id % 997 + 1)), 0
                        ),
                    )
                ).one()
            )
            if stamp != self._turn_stamp:
                turns: dict[int, list[tuple[int, int, int, str, int | None]]] = {}
                for d, a, b, z, speaker, case_id in plain_rows(
                    session,
                    select(
                        TURN.c.document_id,
                        TURN.c.start,
                        TURN.c.body_start,
                        TURN.c.end,
                        TURN.c.speaker,
                        TURN.c.case_id,
                    ).order_by(TURN.c.document_id, TURN.c.start),
                ):
                    turns.setdefault(d, []).append((a, b, z, speaker, case_id))
                self._turns, self._turn_stamp = turns, stamp
            return self._turns

    def tokens(self, session: Session, ids: Sequence[int]) -> dict[int, DocTokens]:
        """The stored analyses of ``ids`` (those that have one)."""
        with self._lock:
            stamps = dict(
                plain_rows(session, select(TEXT_ANALYSIS.c.document_id, TEXT_ANALYSIS.c.created))
            )
            for d in [d for d in self._tokens if stamps.get(d) != self._token_stamp.get(d)]:
                del self._tokens[d]
            want = [d for d in ids if d in stamps and d not in self._tokens]
            if want:
                self._tokens.update(load_tokens(session, want))
                self._token_stamp.update({d: stamps[d] for d in want})
            return {d: self._tokens[d] for d in ids if d in self._tokens}


def documents_in_scope(
    session: Session, scope: Scope, corpus: Corpus | None = None
) -> tuple[list[Doc], list[str]]:
    """The documents ``scope`` allows, in project order, each with the stretches hits must lie
    in (None: anywhere), and the conditions in words."""
    corpus = corpus or Corpus()
    f = scope.filters
    doc_filters = Filters(document_ids=f.document_ids, kinds=f.kinds, attributes=f.attributes)
    sel = doc_filters.select(session)
    conditions = list(sel.conditions)
    stmt = select(DOCUMENT.c.id, DOCUMENT.c.name).order_by(DOCUMENT.c.position, DOCUMENT.c.id)
    if sel.document_ids is not None:
        stmt = stmt.where(DOCUMENT.c.id.in_(sorted(sel.document_ids)))
    rows = plain_rows(session, stmt)
    ids = [r[0] for r in rows]
    texts = corpus.texts(session, ids)
    cases = dict(plain_rows(session, select(CASES.c.id, CASES.c.name)))
    turns: dict[int, list[tuple[int, int, int, str, str, int | None]]] = {
        d: [(a, b, z, speaker, cases.get(case_id, "") if case_id else "", case_id)
            for a, b, z, speaker, case_id in ts]
        for d, ts in corpus.turns(session).items()
    }  # fmt: skip
    wanted_speakers = {s.casefold().strip() for s in scope.speakers if s.strip()}
    left_out = {s.casefold().strip() for s in scope.not_speakers if s.strip()}
    if wanted_speakers or left_out:
        known = {t[3].casefold() for ts in turns.values() for t in ts} | {
            t[4].casefold() for ts in turns.values() for t in ts if t[4]
        }
        named = [*scope.speakers, *scope.not_speakers]
        if unknown := [sp for sp in named if sp.strip() and sp.casefold().strip() not in known]:
            raise UserError(f"no speaker or participant {unknown[0].strip()!r} in the project")
    if wanted_speakers:
        conditions.append("speaker " + " or ".join(scope.speakers))
    if left_out:
        conditions.append("not what " + " or ".join(scope.not_speakers) + " say")
    coded: dict[int, list[Span]] | None = None
    if f.code_ids:
        code_sel = Filters(coders=f.coders, code_ids=f.code_ids, origins=f.origins).select(session)
        coded = {}
        where = code_sel.own
        if len(ids) < 30_000:
            where = and_(where, CODING.c.document_id.in_(ids))
        for d, a, z in session.execute(
            select(CODING.c.document_id, CODING.c.start, CODING.c.end).where(where)
        ):
            coded.setdefault(d, []).append((a, z))
        conditions.append(
            "inside text coded with the chosen code"
            + ("s" if len(f.code_ids) > 1 else "")
            + (" by " + " or ".join(f.coders) if f.coders else "")
        )
    out = []
    for d, name in rows:
        text = texts[d]
        ts = turns.get(d, [])
        allowed: list[Span] | None = None
        if wanted_speakers or left_out or sel.case_ids is not None:
            allowed = [
                (a, z)
                for a, _b, z, speaker, case, case_id in ts
                if (
                    not wanted_speakers
                    or speaker.casefold() in wanted_speakers
                    or case.casefold() in wanted_speakers
                )
                and not (speaker.casefold() in left_out or (case and case.casefold() in left_out))
                and (sel.case_ids is None or case_id in sel.case_ids)
            ]
        if coded is not None:
            spans = _union(coded.get(d, []))
            allowed = spans if allowed is None else _intersect(allowed, spans)
        if allowed is not None and not allowed:
            continue
        out.append(Doc(d, name, text, [t[:5] for t in ts], allowed))
    return out, conditions


def _union(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, z in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], z))
        else:
            out.append((a, z))
    return out


def _intersect(xs: list[Span], ys: list[Span]) -> list[Span]:
    out = []
    i = j = 0
    xs, ys = _union(xs), _union(ys)
    while i < len(xs) and j < len(ys):
        a, z = max(xs[i][0], ys[j][0]), min(xs[i][1], ys[j][1])
        if a < z:
            out.append((a, z))
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return out


def clip(spans: list[list[int]], within: list[Span]) -> list[Span]:
    """The parts of sorted, non-overlapping ``spans`` inside sorted, non-overlapping ``within``
    (sentences cut at paragraph ends), in one pass over both."""
    out: list[Span] = []
    j = 0
    for a, z in spans:
        while j < len(within) and within[j][1] <= a:
            j += 1
        k = j
        while k < len(within) and within[k][0] < z:
            lo, hi = max(a, within[k][0]), min(z, within[k][1])
            if lo < hi:
                out.append((lo, hi))
            k += 1
    return out


def inside(doc: Doc, start: int, end: int) -> bool:
    if doc.allowed is None:
        return True
    i = bisect.bisect_right(doc.allowed, (start, float("inf"))) - 1
    return i >= 0 and doc.allowed[i][0] <= start and end <= doc.allowed[i][1]


def in_label(doc: Doc, start: int) -> bool:
    """Whether ``start`` falls in a speaker label ("P3:", "[00:01:02] Maria:"): labels are not
    what was said, and a search for a participant's name should not list every turn of theirs."""
    i = bisect.bisect_right(doc.turns, (start, float("inf"))) - 1
    return i >= 0 and doc.turns[i][0] <= start < doc.turns[i][1]


def speaker_names(session: Session) -> list[str]:
    """Every speaker label and participant name in the project, sorted, each once (what the
    speaker fields of search and auto-coding accept)."""
    labels = {str(r[0]) for r in plain_rows(session, select(TURN.c.speaker).distinct())}
    names = {
        str(r[0])
        for r in plain_rows(
            session,
            select(CASES.c.name).where(CASES.c.id.in_(select(TURN.c.case_id).distinct())),
        )
    }
    seen: dict[str, str] = {}
    for name in sorted(labels | names, key=str.casefold):
        seen.setdefault(name.casefold(), name)
    return list(seen.values())
