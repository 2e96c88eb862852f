"""Rule-based auto-coding: rules find spans for codes, which become suggestions to review.

- `SpeakerRule`: every turn of some speakers (labels or participant names) or of the
  participants with an attribute value (``case:role=moderator``): the turn's words.
- `KeywordRule`: each code's keywords and phrases from the codebook, matched on lemmas (so
  "arrest" finds "arrested" and "Arrests"; a keyword ending in ``*`` is a prefix: "arrest*"),
  expanded to a unit. All keywords of all codes are found in one pass over each document's
  stored lemma stream: a lemma-level phrase matcher, the same matches spaCy's PhraseMatcher on
  ``LEMMA`` gives, without parsing the documents again.
- `RegexRule`: a regular expression, expanded to a unit.

In documents with speaker turns, keyword and pattern rules look only at what is said: headings
and notes outside every turn, and the speaker labels, are left out.

`find_candidates` runs rules (read only); `qualbench.suggestions.save_suggestions` saves them.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from qualbench.db import CASES, CODE, DOCUMENT, TURN
from qualbench.errors import UserError
from qualbench.nlp.cache import DocTokens, unanalysed
from qualbench.nlp.scope import Corpus, Doc, Scope, documents_in_scope, inside
from qualbench.nlp.search import Query, lemma_matches, query_lemmas, search
from qualbench.nlp.units import UNITS, expand, expand_each
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.reports.filters import AttributeValue
from qualbench.services.codes import code_paths
from qualbench.suggestions import Candidate

if TYPE_CHECKING:
    from sqlmodel import Session

RULE_UNITS = UNITS


@dataclass(frozen=True)
class SpeakerRule:
    code_id: int
    speakers: tuple[str, ...] = ()
    attribute: AttributeValue | None = None


@dataclass(frozen=True)
class KeywordRule:
    code_ids: tuple[int, ...] = ()  # default: every code that has keywords
    unit: str = "sentence"


@dataclass(frozen=True)
class RegexRule:
    pattern: str
    code_id: int
    unit: str = "sentence"
    case_sensitive: bool = False


Rule = SpeakerRule | KeywordRule | RegexRule


@dataclass
class Found:
    candidates: list[Candidate] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # each rule in words
    not_analysed: list[str] = field(default_factory=list)


def find_candidates(
    session: Session,
    rules: Sequence[Rule],
    scope: Scope = Scope(),  # noqa: B008 - frozen
    *,
    corpus: Corpus | None = None,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> Found:
    """The spans ``rules`` propose within ``scope``; nothing is written. ``corpus`` keeps what
    was read for later searches and runs."""
    corpus = corpus or Corpus()
    found = Found()
    paths = code_paths(session)
    for rule in rules:
        if isinstance(rule, SpeakerRule):
            _speakers(session, rule, paths, found)
        elif isinstance(rule, KeywordRule):
            _keywords(session, rule, scope, corpus, paths, found, progress, cancel)
        else:
            _regex(session, rule, scope, corpus, paths, found, progress, cancel)
    return found


def _unit(unit: str) -> str:
    if unit not in RULE_UNITS:
        raise UserError(f"unit must be one of {', '.join(RULE_UNITS)}, not {unit!r}")
    return unit


def _code(paths: dict[int, str], code_id: int) -> str:
    if code_id not in paths:
        raise UserError(f"code {code_id} does not exist")
    return paths[code_id]


def _speakers(session: Session, rule: SpeakerRule, paths: dict[int, str], found: Found) -> None:
    from qualbench.reports.filters import _owners, _scope_of  # the reports' attribute matching

    _code(paths, rule.code_id)
    wanted = {s.casefold().strip() for s in rule.speakers if s.strip()}
    owners: set[int] | None = None
    what = []
    if wanted:
        what.append("speaker " + " or ".join(rule.speakers))
    if rule.attribute is not None:
        a = rule.attribute
        if _scope_of(session, a) != "case":
            raise UserError(
                f"{a.name!r} is not a participant attribute; speaker rules use case:NAME=VALUE"
            )
        owners = _owners(session, "case", a.name, a.values)
        what.append(f"participants with {a.name} = {' or '.join(a.values)}")
    if not what:
        raise UserError("a speaker rule needs speakers or a participant attribute")
    rows = session.execute(
        select(
            TURN.c.document_id,
            TURN.c.body_start,
            TURN.c.end,
            TURN.c.speaker,
            CASES.c.name,
            TURN.c.case_id,
            DOCUMENT.c.text,
        )
        .join(DOCUMENT, DOCUMENT.c.id == TURN.c.document_id)
        .outerjoin(CASES, CASES.c.id == TURN.c.case_id)
        .order_by(TURN.c.document_id, TURN.c.start)
    ).all()
    known = {r[3].casefold() for r in rows} | {r[4].casefold() for r in rows if r[4]}
    if unknown := [sp for sp in rule.speakers if sp.casefold().strip() not in known]:
        raise UserError(f"no speaker or participant {unknown[0].strip()!r} in the project")
    words = " and ".join(what)
    description = f"{words} → turn ({paths[rule.code_id]})"
    found.rules.append(description)
    for d, b, z, speaker, case, case_id, text in rows:
        if wanted and speaker.casefold() not in wanted and (case or "").casefold() not in wanted:
            continue
        if owners is not None and case_id not in owners:
            continue
        while b < z and text[b].isspace():
            b += 1
        while z > b and text[z - 1].isspace():
            z -= 1
        if b < z:
            found.candidates.append(Candidate(d, b, z, rule.code_id, "speaker", words))


def code_keywords(session: Session, code_ids: Sequence[int] = ()) -> dict[int, list[str]]:
    """Each code's keywords (codes without any left out)."""
    out = {}
    for cid, raw in session.execute(select(CODE.c.id, CODE.c.keywords_json).order_by(CODE.c.id)):
        if code_ids and cid not in code_ids:
            continue
        words = [str(k).strip() for k in json.loads(raw or "[]") if str(k).strip()]
        if words:
            out[cid] = words
    return out


def keyword_pattern(
    session: Session, keywords: dict[int, list[str]]
) -> tuple[
    re.Pattern[str], dict[str, list[tuple[int, str]]], list[tuple[re.Pattern[str], int, str]]
]:
    """One pattern over a lemma stream matching every keyword (longest phrases first), with
    the (code, keyword) pairs behind each exact lemma sequence, and the prefix keywords'
    own patterns (their matched text varies)."""
    exact: dict[str, list[tuple[int, str]]] = {}
    prefixes: list[tuple[re.Pattern[str], int, str]] = []
    parts: list[str] = []
    for cid, words in keywords.items():
        for word in words:
            lemmas = query_lemmas(session, word)
            if not lemmas:
                continue
            body = r"\n".join(lemmas)
            parts.append(body)
            if any(part.endswith(r"[^\n]*") for part in lemmas):
                prefixes.append((re.compile(body + r"\Z"), cid, word))
            else:
                key = "\n".join(re.sub(r"\\(.)", r"\1", p) for p in lemmas)
                exact.setdefault(key, []).append((cid, word))
    if not parts:
        raise UserError("none of the chosen codes has keywords in the codebook")
    unique = sorted(set(parts), key=lambda p: (-p.count(r"\n"), -len(p)))
    return re.compile(r"(?m)^(?:" + "|".join(unique) + r")$"), exact, prefixes


def _keywords(
    session: Session,
    rule: KeywordRule,
    scope: Scope,
    corpus: Corpus,
    paths: dict[int, str],
    found: Found,
    progress: Progress,
    cancel: CancelCheck,
) -> None:
    unit = _unit(rule.unit)
    for cid in rule.code_ids:
        _code(paths, cid)
    keywords = code_keywords(session, rule.code_ids)
    pattern, exact, prefixes = keyword_pattern(session, keywords)
    found.rules.append(
        f"codebook keywords of {len(keywords)} code{'s' if len(keywords) != 1 else ''}"
        f" (lemmas) → {unit}"
    )
    docs, _ = documents_in_scope(session, scope, corpus)
    missing = set(unanalysed(session, [d.id for d in docs]))
    found.not_analysed.extend(d.name for d in docs if d.id in missing)
    docs = [d for d in docs if d.id not in missing]
    hits: list[tuple[int, int, int, int, str]] = []
    for n in range(0, len(docs), 64):
        if cancel():
            raise Cancelled
        progress(n, len(docs), "Matching keywords")
        chunk = docs[n : n + 64]
        tokens = corpus.tokens(session, [d.id for d in chunk])
        for doc in chunk:
            hits.extend(
                h
                for h in _keyword_hits(doc.id, tokens[doc.id], pattern, exact, prefixes)
                if inside(doc, h[1], h[2]) and _spoken(doc, h[1])
            )
    covers = expand_each(session, [(d, a, z) for d, a, z, _, _ in hits], unit, corpus=corpus)
    for (d, a, z), (_, _, _, cid, word) in zip(covers, hits, strict=True):
        found.candidates.append(Candidate(d, a, z, cid, "keyword", f'keyword "{word}" → {unit}'))
    progress(len(docs), len(docs), "Matching keywords")


def _keyword_hits(
    doc_id: int,
    tokens: DocTokens,
    pattern: re.Pattern[str],
    exact: dict[str, list[tuple[int, str]]],
    prefixes: list[tuple[re.Pattern[str], int, str]],
) -> list[tuple[int, int, int, int, str]]:
    out = []
    spans = lemma_matches(pattern, tokens, with_text=True)
    for a, z, text in spans:
        for cid, word in exact.get(text, ()):
            out.append((doc_id, a, z, cid, word))
        for p, cid, word in prefixes:
            if p.match(text):
                out.append((doc_id, a, z, cid, word))
    return out


def _spoken(doc: Doc, start: int) -> bool:
    """In a document with speaker turns, only what is said counts: headings and notes outside
    every turn, and speaker labels, are left out."""
    if not doc.turns:
        return True
    i = bisect.bisect_right(doc.turns, (start, float("inf"))) - 1
    return i >= 0 and doc.turns[i][1] <= start < doc.turns[i][2]


def _regex(
    session: Session,
    rule: RegexRule,
    scope: Scope,
    corpus: Corpus,
    paths: dict[int, str],
    found: Found,
    progress: Progress,
    cancel: CancelCheck,
) -> None:
    unit = _unit(rule.unit)
    path = _code(paths, rule.code_id)
    result = search(
        session,
        Query(rule.pattern, mode="regex", case_sensitive=rule.case_sensitive),
        scope,
        context=0,
        corpus=corpus,
        progress=progress,
        cancel=cancel,
    )
    with_turns = corpus.turns(session)
    hits = [h for h in result.hits if h.speaker or h.document_id not in with_turns]
    words = f"pattern /{rule.pattern}/"
    found.rules.append(f"{words} → {unit} ({path})")
    for d, a, z in expand(session, hits, unit, corpus=corpus):
        found.candidates.append(Candidate(d, a, z, rule.code_id, "regex", f"{words} → {unit}"))
