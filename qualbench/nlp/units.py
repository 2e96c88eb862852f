"""Units around search hits and rule matches: the word, the sentence (the stored analysis'
sentences cut at paragraph ends), the paragraph, the speaker turn; what gets coded."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from qualbench.db import DOCUMENT, TURN
from qualbench.errors import UserError
from qualbench.nlp.cache import DocTokens, load_tokens
from qualbench.nlp.scope import Corpus, Span, clip
from qualbench.nlp.search import Hit
from qualbench.segments import paragraphs

if TYPE_CHECKING:
    from sqlmodel import Session

UNITS = ("hit", "word", "sentence", "paragraph", "turn")


def expand(
    session: Session,
    hits: Sequence[Hit] | Sequence[tuple[int, int, int]],
    unit: str,
    *,
    corpus: Corpus | None = None,
) -> list[tuple[int, int, int]]:
    """(document_id, start, end) of the ``unit`` around each hit, without repeats, sorted.

    ``word``: the whole words the hit touches; ``sentence``: the stored analysis' sentences
    (the document's own sentence rule when it has none), never beyond the paragraph;
    ``paragraph``: the line, its speaker label left out; ``turn``: the speaker's words (for a
    hit outside every turn, and in a document without turns: the paragraph). A ``corpus``
    that a search or rule has filled gives the texts, turns and analysis without reading
    them again."""
    return sorted(set(expand_each(session, hits, unit, corpus=corpus)))


def expand_each(
    session: Session,
    hits: Sequence[Hit] | Sequence[tuple[int, int, int]],
    unit: str,
    *,
    corpus: Corpus | None = None,
) -> list[tuple[int, int, int]]:
    """`expand`, one result per hit in the order given (repeats kept)."""
    if unit not in UNITS:
        raise UserError(f"unit must be one of {', '.join(UNITS)}")
    spans = [(h.document_id, h.start, h.end) if isinstance(h, Hit) else h for h in hits]
    if unit == "hit":
        return spans
    per_doc: dict[int, tuple[str, list[Span], list[int], list[Span], list[int]]] = {}
    out = []
    all_turns = corpus.turns(session) if corpus is not None else None
    for d, a, z in spans:
        if d not in per_doc:
            if corpus is not None and all_turns is not None:
                text = corpus.texts(session, [d])[d]
                turns = [(ta, tb, tz) for ta, tb, tz, _, _ in all_turns.get(d, [])]
                stored = corpus.tokens(session, [d]).get(d)
            else:
                text, turns, stored = _read(session, d)
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


def _read(session: Session, d: int) -> tuple[str, list[tuple[int, int, int]], DocTokens | None]:
    """One document's text and turns, for a few hits without a corpus (the stored analysis is
    read by `_units` when the sentence unit needs it)."""
    text = session.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == d)).scalar_one()
    turns = [
        (ta, tb, tz)
        for ta, tb, tz in session.execute(
            select(TURN.c.start, TURN.c.body_start, TURN.c.end)
            .where(TURN.c.document_id == d)
            .order_by(TURN.c.start)
        )
    ]
    return text, turns, None


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
        return clip(stored.sentences.tolist(), paragraphs(text, labels))
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
