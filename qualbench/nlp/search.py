"""Search across documents and keyword-in-context (KWIC) lists.

Modes: ``exact`` text, whole ``word``, ``lemma`` (every form of a word: "arrest" finds
"arrested" and "Arrests"; needs the stored analysis), ``regex`` and ``fuzzy`` (rapidfuzz ratio
of the query against runs of as many words). Speaker labels are not searched: they are not
what was said. A `Scope` restricts where hits count: documents,
kinds and attribute values (as the reports' `Filters`), speakers, and the text coded with some
codes (`qualbench.nlp.scope`). Hits are expanded to units with `qualbench.nlp.units`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualbench.errors import UserError
from qualbench.nlp.cache import DocTokens
from qualbench.nlp.scope import Corpus, Doc, Scope, documents_in_scope, in_label, inside
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress

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
SORTS = ("document", "left", "hit", "right", "speaker")
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_LITERAL = re.compile(r"(?:\\.|[^\\()\[\]|*+?{}^$.])*")  # escapes and plain characters only


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


def search(
    session: Session,
    query: Query,
    scope: Scope = Scope(),  # noqa: B008 - frozen
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
            if not inside(doc, start, end) or in_label(doc, start):
                continue
            hits.append(_hit(doc, start, end, score, context))
            if limit is not None and len(hits) >= limit:
                truncated = True
                break
        if truncated:
            break
    progress(len(docs), len(docs), "Searching")
    return SearchResult(query, conditions, hits, len(docs), not_analysed, truncated)


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
