"""Search across documents and keyword-in-context (KWIC) lists.

Modes: ``exact`` text, whole ``word``, ``lemma`` (every form of a word: "arrest" finds
"arrested" and "Arrests"; needs the stored analysis), ``regex`` and ``fuzzy`` (rapidfuzz ratio
of the query against runs of as many words). Speaker labels are not searched: they are not
what was said. A `Scope` restricts where hits count: documents,
kinds and attribute values (as the reports' `Filters`), speakers, and the text coded with some
codes. Hits can be expanded to a unit (word, sentence, paragraph, speaker turn) to be coded.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from qualbench.db import CASES, CODING, DOCUMENT, TEXT_ANALYSIS, TURN
from qualbench.errors import UserError
from qualbench.nlp.cache import DocTokens, load_tokens
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.reports.filters import Filters, plain_rows
from qualbench.segments import paragraphs

if TYPE_CHECKING:
    from sqlmodel import Session

MODES = ("exact", "word", "lemma", "regex", "fuzzy")
MODE_LABELS = {
    "exact": "exact text",
    "word": "whole word",
    "lemma": "all forms of the word (lemma)",
    "regex": "regular expression",
    "fuzzy": "fuzzy (similar spelling)",
}
UNITS = ("hit", "word", "sentence", "paragraph", "turn")
SORTS = ("document", "left", "hit", "right", "speaker")
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_LITERAL = re.compile(r"(?:\\.|[^\\()\[\]|*+?{}^$.])*")  # escapes and plain characters only
Span = tuple[int, int]


@dataclass(frozen=True)
class Query:
    text: str
    mode: str = "lemma"
    case_sensitive: bool = False
    min_score: float = 85.0  # fuzzy: rapidfuzz ratio, 0-100

    def problems(self) -> list[str]:
        out = []
        if not self.text.strip():
            out.append("the search text is empty")
        if self.mode not in MODES:
            out.append(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not 0 < self.min_score <= 100:
            out.append(f"the fuzzy score must be between 1 and 100, not {self.min_score:g}")
        return out

    def describe(self) -> str:
        case = ", case-sensitive" if self.case_sensitive and self.mode != "lemma" else ""
        score = f", score ≥ {self.min_score:g}" if self.mode == "fuzzy" else ""
        return f"{self.text!r} ({MODE_LABELS.get(self.mode, self.mode)}{case}{score})"


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


@dataclass(frozen=True)
class Hit:
    document_id: int
    document: str
    start: int
    end: int
    left: str
    match: str
    right: str
    speaker: str = ""
    participant: str = ""
    score: float = 100.0


@dataclass
class SearchResult:
    query: Query
    conditions: list[str]
    hits: list[Hit]
    documents_searched: int
    not_analysed: list[str] = field(default_factory=list)  # left out of a lemma search
    truncated: bool = False


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


def search(
    session: Session,
    query: Query,
    scope: Scope = Scope(),
    *,
    context: int = 60,
    limit: int | None = None,
    corpus: Corpus | None = None,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> SearchResult:
    """Every hit of ``query`` in ``scope``, in document order, with ``context`` characters each
    side. A lemma search reads the stored analysis; documents without one are listed in
    ``not_analysed``. ``corpus`` keeps what was read for the next search."""
    if problems := query.problems():
        raise UserError("; ".join(problems))
    corpus = corpus or Corpus()
    docs, conditions = documents_in_scope(session, scope, corpus)
    if query.mode == "lemma":
        tokens = corpus.tokens(session, [d.id for d in docs])
        not_analysed = [d.name for d in docs if d.id not in tokens]
        docs = [d for d in docs if d.id in tokens]
        finder = _lemma_finder(session, query, tokens)
    else:
        not_analysed = []
        finder = _finder(query, docs)
    hits: list[Hit] = []
    truncated = False
    for n, doc in enumerate(docs):
        if n % 50 == 0:
            if cancel():
                raise Cancelled
            progress(n, len(docs), "Searching")
        for start, end, score in finder(doc):
            if not inside(doc, start, end) or _in_label(doc, start):
                continue
            hits.append(_hit(doc, start, end, score, context))
            if limit is not None and len(hits) >= limit:
                truncated = True
                break
        if truncated:
            break
    progress(len(docs), len(docs), "Searching")
    return SearchResult(query, conditions, hits, len(docs), not_analysed, truncated)


# --- where to look -------------------------------------------------------------------------------


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


def _clip(spans: list[list[int]], within: list[Span]) -> list[Span]:
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


def _in_label(doc: Doc, start: int) -> bool:
    """Whether ``start`` falls in a speaker label ("P3:", "[00:01:02] Maria:"): labels are not
    what was said, and a search for a participant's name should not list every turn of theirs."""
    i = bisect.bisect_right(doc.turns, (start, float("inf"))) - 1
    return i >= 0 and doc.turns[i][0] <= start < doc.turns[i][1]


def _hit(doc: Doc, start: int, end: int, score: float, context: int) -> Hit:
    text = doc.text
    left = " ".join(text[max(0, start - context) : start].split())
    right = " ".join(text[end : end + context].split())
    if text[start - 1 : start].isspace() and left:
        left += " "
    if text[end : end + 1].isspace() and right:
        right = " " + right
    speaker = participant = ""
    i = bisect.bisect_right(doc.turns, (start, float("inf"))) - 1
    if i >= 0 and start < doc.turns[i][2]:
        speaker, participant = doc.turns[i][3], doc.turns[i][4]
    return Hit(
        doc.id,
        doc.name,
        start,
        end,
        left,
        " ".join(text[start:end].split()),
        right,
        speaker,
        participant,
        score,
    )


# --- how to find ---------------------------------------------------------------------------------

Finder = Callable[[Doc], list[tuple[int, int, float]]]


def _finder(query: Query, docs: Sequence[Doc]) -> Finder:
    flags = 0 if query.case_sensitive else re.IGNORECASE
    if query.mode == "fuzzy":
        return _fuzzy_finder(query, docs)
    if query.mode == "regex":
        try:
            pattern = re.compile(query.text, flags | re.MULTILINE)
        except re.error as exc:
            raise UserError(f"The regular expression {query.text!r} is not valid: {exc}") from exc
    elif query.mode == "word":
        pattern = re.compile(rf"(?<!\w){_phrase(query.text)}(?!\w)", flags)
    else:
        pattern = re.compile(_phrase(query.text), flags)

    def find(doc: Doc) -> list[tuple[int, int, float]]:
        return [
            (m.start(), m.end(), 100.0) for m in pattern.finditer(doc.text) if m.end() > m.start()
        ]

    return find


def _phrase(text: str) -> str:
    """The query as a pattern in which any run of white space matches any other (a phrase may
    be broken over a line in the transcript)."""
    return r"\s+".join(re.escape(w) for w in text.split())


def _fuzzy_finder(query: Query, docs: Sequence[Doc]) -> Finder:
    """Runs of as many words as the query, scored with rapidfuzz's ratio on lower-cased text;
    each distinct run is scored once across all documents."""
    from rapidfuzz import fuzz, process

    words = query.text.split()
    k = len(words)
    wanted = " ".join(words) if query.case_sensitive else " ".join(words).casefold()
    runs: dict[int, list[tuple[int, int, str]]] = {}
    distinct: set[str] = set()
    for doc in docs:
        found = [(m.start(), m.end()) for m in _WORD.finditer(doc.text)]
        items = []
        for i in range(len(found) - k + 1):
            a, z = found[i][0], found[i + k - 1][1]
            key = " ".join(doc.text[s:e] for s, e in found[i : i + k])
            if not query.case_sensitive:
                key = key.casefold()
            items.append((a, z, key))
            distinct.add(key)
        runs[doc.id] = items
    scores = {
        key: score
        for key, score, _ in process.extract(
            wanted, list(distinct), scorer=fuzz.ratio, score_cutoff=query.min_score, limit=None
        )
    }

    def find(doc: Doc) -> list[tuple[int, int, float]]:
        return [
            (a, z, round(scores[key], 1)) for a, z, key in runs.get(doc.id, []) if key in scores
        ]

    return find


def query_lemmas(session: Session, text: str) -> list[str]:
    """The query's words as lemma patterns: each word lemmatized with the project's pipeline
    (``arrests`` -> ``arrest``); a word ending in ``*`` stays a prefix of lemmas (``arrest*``)."""
    from qualbench.nlp.cache import project_language
    from qualbench.nlp.pipeline import analyse

    lang = project_language(session)
    out: list[str] = []
    for word in text.split():
        if word.endswith("*") and len(word) > 1:
            out.append(re.escape(word[:-1].lower()) + r"[^\n]*")
            continue
        found = next(analyse([word], lang=lang))
        out.extend(re.escape(lem) for _, _, lem, _ in found.tokens)
    return out


def lemma_pattern(session: Session, text: str) -> re.Pattern[str]:
    """A pattern over a document's newline-joined lemmas that matches the query's lemmas."""
    parts = query_lemmas(session, text)
    if not parts:
        raise UserError(f"{text!r} has no words to search for")
    return re.compile(r"(?m)^" + r"\n".join(parts) + r"$")


def literal_lemmas(pattern: re.Pattern[str]) -> str | None:
    """The lemma sequence a pattern from `lemma_pattern` stands for when it has no wildcard
    (then a plain string search finds it, many times faster than the pattern), else None."""
    body = pattern.pattern.removeprefix("(?m)^").removesuffix("$")
    if not _LITERAL.fullmatch(body):  # a wildcard, an alternation: any other pattern
        return None
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), body)


def lemma_matches(
    pattern: re.Pattern[str], tokens: DocTokens, *, with_text: bool = False
) -> list[Any]:
    """Token spans (first token's start, last token's end) of every match in one document;
    with ``with_text``, (start, end, the matched lemmas joined by newlines)."""
    lemmas = tokens.lemmas
    spans = tokens.spans
    out: list[Any] = []
    literal = literal_lemmas(pattern)
    if literal is not None:
        starts = _literal_starts(lemmas, literal)
        extra = literal.count("\n")
        index = last = 0
        for pos in starts:
            index += lemmas.count("\n", last, pos)
            last = pos
            a, z = int(spans[index][0]), int(spans[index + extra][1])
            out.append((a, z, literal) if with_text else (a, z))
        return out
    index = 0
    last = 0
    for m in pattern.finditer(lemmas):
        index += lemmas.count("\n", last, m.start())
        last = m.start()
        text = m.group()
        final = index + text.count("\n")
        a, z = int(spans[index][0]), int(spans[final][1])
        out.append((a, z, text) if with_text else (a, z))
    return out


def _literal_starts(lemmas: str, literal: str) -> list[int]:
    """Where ``literal`` stands as whole lemmas in the newline-joined ``lemmas``."""
    out = []
    n = len(literal)
    pos = lemmas.find(literal)
    while pos >= 0:
        before = pos == 0 or lemmas[pos - 1] == "\n"
        after = pos + n == len(lemmas) or lemmas[pos + n] == "\n"
        if before and after:
            out.append(pos)
        pos = lemmas.find(literal, pos + 1)
    return out


def _lemma_finder(session: Session, query: Query, tokens: dict[int, DocTokens]) -> Finder:
    pattern = lemma_pattern(session, query.text)

    def find(doc: Doc) -> list[tuple[int, int, float]]:
        t = tokens.get(doc.id)
        return [] if t is None else [(a, z, 100.0) for a, z in lemma_matches(pattern, t)]

    return find


# --- sorting and units ---------------------------------------------------------------------------


def sort_hits(hits: Sequence[Hit], by: str = "document") -> list[Hit]:
    """``document`` (order in the project), ``left`` (by the words just before the hit, nearest
    first, as concordancers sort), ``hit``, ``right`` or ``speaker``."""
    if by not in SORTS:
        raise UserError(f"sort must be one of {', '.join(SORTS)}")
    if by == "document":
        return list(hits)
    keys: dict[str, Callable[[Hit], object]] = {
        "left": lambda h: [w.casefold() for w in reversed(h.left.split())],
        "hit": lambda h: h.match.casefold(),
        "right": lambda h: h.right.casefold(),
        "speaker": lambda h: (h.speaker.casefold(), h.participant.casefold()),
    }
    return sorted(hits, key=keys[by])  # type: ignore[arg-type]


def expand(
    session: Session,
    hits: Sequence[Hit] | Sequence[tuple[int, int, int]],
    unit: str,
    *,
    tokens: dict[int, DocTokens] | None = None,
) -> list[tuple[int, int, int]]:
    """(document_id, start, end) of the ``unit`` around each hit, without repeats, sorted.

    ``word``: the whole words the hit touches; ``sentence``: the stored analysis' sentences
    (the document's own sentence rule when it has none), never beyond the paragraph;
    ``paragraph``: the line, its speaker label left out; ``turn``: the speaker's words (for a
    hit outside every turn, and in a document without turns: the paragraph)."""
    return sorted(set(expand_each(session, hits, unit, tokens=tokens)))


def expand_each(
    session: Session,
    hits: Sequence[Hit] | Sequence[tuple[int, int, int]],
    unit: str,
    *,
    tokens: dict[int, DocTokens] | None = None,
) -> list[tuple[int, int, int]]:
    """`expand`, one result per hit in the order given (repeats kept)."""
    if unit not in UNITS:
        raise UserError(f"unit must be one of {', '.join(UNITS)}")
    spans = [(h.document_id, h.start, h.end) if isinstance(h, Hit) else h for h in hits]
    if unit == "hit":
        return spans
    per_doc: dict[int, tuple[str, list[Span], list[int], list[Span], list[int]]] = {}
    out = []
    for d, a, z in spans:
        if d not in per_doc:
            text = session.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == d)).scalar_one()
            turns = [
                (ta, tb, tz)
                for ta, tb, tz in session.execute(
                    select(TURN.c.start, TURN.c.body_start, TURN.c.end)
                    .where(TURN.c.document_id == d)
                    .order_by(TURN.c.start)
                )
            ]
            stored = (tokens or {}).get(d)
            units = _units(session, d, text, turns, unit, stored)
            fallback = _units(session, d, text, turns, "paragraph", None) if unit == "turn" else []
            per_doc[d] = (
                text, units, [u[0] for u in units], fallback, [u[0] for u in fallback]
            )  # fmt: skip
        text, units, starts, fallback, fallback_starts = per_doc[d]
        covered = _cover(text, units, starts, unit, a, z)
        if covered == (a, z) and fallback:  # outside every turn (a heading): its paragraph
            covered = _cover(text, fallback, fallback_starts, "paragraph", a, z)
        out.append((d, *covered))
    return out


def _units(
    session: Session,
    doc_id: int,
    text: str,
    turns: list[tuple[int, int, int]],
    unit: str,
    stored: DocTokens | None,
) -> list[Span]:
    from qualbench.segments import unit_spans

    labels = sorted((a, b) for a, b, _ in turns if b > a)
    if unit == "word":
        return []
    if unit == "sentence":
        if stored is None:
            stored = load_tokens(session, [doc_id]).get(doc_id)
        if stored is None or not len(stored.sentences):
            return unit_spans(text, turns, "sentence")[0]
        return _clip(stored.sentences.tolist(), paragraphs(text, labels))
    return unit_spans(text, turns, unit)[0]


def _cover(text: str, units: list[Span], starts: list[int], unit: str, a: int, z: int) -> Span:
    """The smallest run of whole units holding [a, z); a hit end in a gap between units (a
    speaker label) stays where it is."""
    if unit == "word":
        while a > 0 and _word_char(text[a - 1]):
            a -= 1
        while z < len(text) and _word_char(text[z]):
            z += 1
        return a, z
    i = bisect.bisect_right(starts, a) - 1
    j = bisect.bisect_left(starts, z) - 1
    start = min(a, units[i][0]) if i >= 0 and units[i][1] > a else a
    end = max(z, units[j][1]) if j >= 0 else z
    return start, end


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "_'’-"
