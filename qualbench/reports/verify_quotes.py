"""Check the quotations in a manuscript against the project's transcripts.

Writers quote participants; quotes drift (edited, shortened, mis-attributed). This finds the
quoted passages of a manuscript (.docx, .txt, .md: text in quotation marks, block quotes) and
locates each in the stored text of every document: ``exact``, ``altered`` (with a word-level
diff) or ``not found`` (with the most similar passage, if any).

Both sides are cut into lowercased word tokens (letters and digits; quotation marks,
apostrophes, dashes, punctuation and white space separate words), so typography, case and line
breaks do not matter when locating. A quote is split at elision marks (``...``, ``…``,
``[...]``) into pieces that must appear in order, near each other, in one document; bracketed
text (``[the police]``) is a wildcard standing for up to six transcript words.

1. Candidates: the quotes' word trigrams (bigrams too for very short quotes) are hashed; each
   document is read once and its words hashed with numpy (no Python object per word). Every
   trigram hit votes for a diagonal (document position minus position in the quote); per
   document, each quote keeps its diagonal with most hits, and its best few places over all
   documents are aligned. A place is found however common its words are elsewhere.
2. Alignment: each place is aligned to the quote piece by piece (longest piece first) by a
   small dynamic programme over word tokens (transcript words before and after are free; a
   bracket absorbs 0-6 words), rapidfuzz narrowing long regions first. Tokens keep their
   code-point offsets in the stored text, so the location is exact.
3. Status: ``exact`` when every word matches and the text is the same once quotation marks,
   apostrophes, dashes and white space are made plain (elisions and brackets honoured; a
   piece's first letter may change case); ``altered`` when the similarity (rapidfuzz ratio of
   the words) reaches ``min_score``; else ``not found``.

The report holds transcript text (quotes, diffs); error messages never do.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from qualbench.db import CASES, DOCUMENT
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.reports.excerpts import _DocContext
from qualbench.reports.manuscripts import (
    _ELISION,
    MIN_WORDS,
    ManuscriptError,
    ManuscriptQuote,
    _same_person,
    find_quotes,
    read_manuscript,
)
from qualbench.services.documents import document_text

__all__ = [
    "ALTERED",
    "EXACT",
    "MIN_WORDS",
    "NOT_FOUND",
    "DiffOp",
    "ManuscriptError",
    "ManuscriptQuote",
    "QuoteCheck",
    "QuoteReport",
    "describe",
    "find_quotes",
    "read_manuscript",
    "report_dict",
    "verify_manuscript",
    "verify_quotes",
    "write_quote_report",
]

EXACT, ALTERED, NOT_FOUND = "exact", "altered", "not found"
FORMATS = (".csv", ".xlsx")
BRACKET_WORDS = 6  # transcript words one bracketed insertion may stand for
CANDIDATES = 3  # places aligned per quote, and up to TIED ones scoring as high as the best
TIED = 12
_Array = Any  # numpy arrays (numpy is imported where it is used)


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One difference between a quote and its transcript passage, in quote order.

    ``changed``, ``added`` (words only in the quote), ``removed`` (transcript words left out
    without an elision mark) and ``punctuation`` (same words; punctuation or case differ) are
    alterations; ``elision`` and ``bracket`` are the writer's marked, intended changes."""

    kind: str
    quote: str
    source: str

    @property
    def intended(self) -> bool:
        return self.kind in ("elision", "bracket")


@dataclass(slots=True)
class QuoteCheck:
    """Where a quote was found and how it differs. ``start``/``end`` are code points into the
    document's text (end exclusive), from the first to the last quoted word; ``pieces`` has one
    span per piece of an elided quote. For ``not found`` the location is the most similar
    passage, if one reached the candidate score."""

    number: int
    quote: str
    manuscript_paragraph: int
    block: bool
    status: str
    score: float = 0.0
    document: str = ""
    document_id: int | None = None
    start: int | None = None
    end: int | None = None
    pieces: tuple[tuple[int, int], ...] = ()
    speaker: str = ""
    participant: str = ""
    timestamp_ms: int | None = None
    paragraph: int | None = None
    diff: tuple[DiffOp, ...] = ()
    citation: str = ""
    attributed_to: str = ""
    attribution_mismatch: bool | None = None
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class QuoteReport:
    manuscript: str
    checks: list[QuoteCheck] = field(default_factory=list)
    documents: int = 0
    words: int = 0

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)


# --- quotes as pieces ----------------------------------------------------------------------------

_BRACKET = re.compile(r"\[[^\[\]]*\]")
_EDITORIAL = re.compile(r"(?i)\[\s*(?:sic!?|emphasis (?:added|in original)|original emphasis)\s*\]")
_INLINE_BRACKET = re.compile(r"(?<=\w)\[(\w{1,3})\]|\[(\w{1,3})\](?=\w)")  # [T]he, love[d]
_WORD = re.compile(r"\w+")
_TYPO = str.maketrans(
    dict.fromkeys("‘’‚‛ʼ´`′‹›", "'")
    | dict.fromkeys("“”„‟«»″", '"')
    | dict.fromkeys("‐‑‒–—―−", "-")
    | dict.fromkeys("\u00a0\u2009\u202f\u2007", " ")
    | {"…": "..."}
)
_DASHES = re.compile(r"\s*-+\s*")


def _plain(text: str) -> str:
    """Text with typographic quotes, apostrophes, dashes and white space made plain."""
    return _DASHES.sub("-", " ".join(text.translate(_TYPO).split()))


@dataclass
class _Piece:
    """The text of a quote between elision marks: its words and brackets in order."""

    text: str
    words: list[tuple[str, int, int]] = field(default_factory=list)  # key, start, end in text
    brackets: list[str] = field(default_factory=list)
    items: list[tuple[int, int]] = field(default_factory=list)  # (0, word no.) or (1, bracket no.)
    runs: list[str] = field(default_factory=list)  # the text between brackets


def _pieces(quote: str) -> tuple[list[_Piece], list[str]]:
    """The pieces between elision marks, and the marks between them."""
    text = _EDITORIAL.sub(" ", unicodedata.normalize("NFC", quote))
    text = _INLINE_BRACKET.sub(lambda m: m.group(1) or m.group(2), text)
    pieces: list[_Piece] = []
    marks: list[str] = []
    pos, pending = 0, ""
    for m in [*_ELISION.finditer(text), None]:
        piece = _Piece(text[pos : m.start() if m else len(text)])
        at = 0
        for b in [*_BRACKET.finditer(piece.text), None]:
            stop = b.start() if b else len(piece.text)
            piece.runs.append(piece.text[at:stop])
            for w in _WORD.finditer(piece.text, at, stop):
                piece.items.append((0, len(piece.words)))
                piece.words.append((w.group().lower(), w.start(), w.end()))
            if b:
                piece.items.append((1, len(piece.brackets)))
                piece.brackets.append(b.group())
                at = b.end()
        if piece.words:
            marks += [pending] if pieces else []
            pieces.append(piece)
        if m:
            pending, pos = m.group(), m.end()
    return pieces, marks


# --- scanning the transcripts ------------------------------------------------------------------

# Lowercased UTF-8: ASCII letters, digits, _ and all non-ASCII bytes are word bytes; the rest
# separate words, as do (blanked later) U+0080-U+00BF, U+2000-U+203F (quotes, dashes, ellipsis,
# no-break spaces) and ʼ.
_TAB = bytes(
    c if c >= 128 or chr(c).isalnum() or c == 95 else 32 for c in bytes(range(256)).lower()
)
_CHUNK = 1 << 20  # bytes hashed at a time (the power table's size)
_BITS = (1 << 20) - 1  # low bits of the shingle hashes: a first filter
_BAND = 4  # words of slack on a diagonal
_P, _A, _B = 1_099_511_628_211, 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F


def _scan_bytes(text: str) -> bytes:
    low = text.lower()
    if len(low) != len(text):  # a letter that lowers to two code points (İ): keep 1:1
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.encode("utf-8")


class _Hasher:
    """Word tokens of a text as 64-bit polynomial hashes, computed with numpy."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        self.pow = np.cumprod(np.full(_CHUNK + 2, _P, dtype=np.uint64))  # pow[k] = P**(k+1)

    def tokens(self, raw: bytes) -> tuple[_Array, _Array, _Array]:
        """Hashes, byte starts and byte ends of the words of ``_scan_bytes`` output."""
        np = self.np
        b = np.frombuffer(raw.translate(_TAB), dtype=np.uint8).copy()
        for lead, size, follows in ((0xC2, 2, None), (0xE2, 3, 0x80), (0xCA, 2, 0xBC)):
            if b.size >= size:
                nxt = b[1 : b.size - size + 2]
                at = (b[: b.size - size + 1] == lead) & (
                    (nxt & 0xC0) == 0x80 if follows is None else nxt == follows
                )
                for k in range(size):
                    b[np.flatnonzero(at) + k] = 32
        parts, pos = [], 0
        while pos < b.size:  # chunks end at a space
            stop = min(b.size, pos + _CHUNK)
            spaces = np.flatnonzero(b[pos:stop] == 32) if stop < b.size else None
            stop = pos + int(spaces[-1]) + 1 if spaces is not None and spaces.size else stop
            parts.append(self._chunk(b[pos:stop], pos))
            pos = stop
        if not parts:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, np.int64), np.zeros(0, np.int64)
        hashes, starts, ends = (np.concatenate(x) for x in zip(*parts, strict=True))
        return hashes, starts, ends

    def _chunk(self, b: _Array, offset: int) -> tuple[_Array, _Array, _Array]:
        np = self.np
        edges = np.diff((b != 32).view(np.int8), prepend=np.int8(0), append=np.int8(0))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        acc = np.zeros(b.size + 1, dtype=np.uint64)
        np.cumsum(b.astype(np.uint64) * self.pow[: b.size], out=acc[1:])
        hashes = (acc[ends] - acc[starts]) * self.pow[_CHUNK - starts]  # the same for any start
        return hashes, starts + offset, ends + offset

    def grams(self, h: _Array, n: int) -> _Array:
        np = self.np
        if h.size < n:
            return np.zeros(0, dtype=np.uint64)
        if n == 3:
            return h[:-2] * np.uint64(_A) + h[1:-1] * np.uint64(_B) + h[2:]
        return h[:-1] * np.uint64(_A) + h[1:]


@dataclass
class _Quote:
    source: ManuscriptQuote
    pieces: list[_Piece]
    marks: list[str]
    length: int = 0  # scan tokens, a bracket counted as three
    shingles: list[tuple[int, int, int]] = field(default_factory=list)  # (n, hash, offset)


def _prepare(quote: ManuscriptQuote, hasher: _Hasher) -> _Quote:
    q = _Quote(quote, *_pieces(quote.text))
    grams: dict[int, list[tuple[int, int, int]]] = {3: [], 2: []}
    for run in (run for p in q.pieces for run in p.runs):
        h = hasher.tokens(_scan_bytes(run))[0]
        for n in (3, 2):
            grams[n] += [(n, int(g), q.length + i) for i, g in enumerate(hasher.grams(h, n))]
        q.length += int(h.size)
    q.length += 3 * sum(len(p.brackets) for p in q.pieces)
    q.shingles = grams[3] + (grams[2] if len(grams[3]) < 3 else [])
    return q


def _candidates(
    session: Session, quotes: list[_Quote], hasher: _Hasher, tick: Any
) -> tuple[list[tuple[int, str]], int, dict[int, list[tuple[int, int]]]]:
    """One pass over every document: (id, name) of each, words seen, and per quote its best
    places as (document index, first scan token)."""
    np = hasher.np
    owners: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for qi, q in enumerate(quotes):
        for n, h, off in q.shingles:
            owners.setdefault((n, h), []).append((qi, off))
    keys = {n: np.array(sorted(h for m, h in owners if m == n), dtype=np.uint64) for n in (3, 2)}
    lists = [owners[(n, int(h))] for n in (3, 2) for h in keys[n]]
    ptr = np.append(0, np.cumsum([len(x) for x in lists])).astype(np.int64)
    own = tuple(np.array([x[i] for y in lists for x in y], dtype=np.int64) for i in (0, 1))
    base = {3: 0, 2: len(keys[3])}
    seen = {n: np.zeros(_BITS + 1, dtype=bool) for n in (3, 2)}
    for n in (3, 2):
        seen[n][keys[n] & np.uint64(_BITS)] = True
    docs: list[tuple[int, str]] = []
    best: list[tuple[_Array, ...]] = []  # per document: document, quote, score, diagonal
    words = 0
    rows = session.execute(
        select(DOCUMENT.c.id, DOCUMENT.c.name, DOCUMENT.c.text)
        .order_by(DOCUMENT.c.position, DOCUMENT.c.id)
        .execution_options(yield_per=32)
    )
    for doc_id, name, text in rows:
        tick()
        h = hasher.tokens(_scan_bytes(text))[0]
        words += int(h.size)
        pos, kid = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for n in (3, 2):
            if keys[n].size:
                g = hasher.grams(h, n)
                maybe = np.flatnonzero(seen[n][g & np.uint64(_BITS)])
                idx = np.minimum(np.searchsorted(keys[n], g[maybe]), keys[n].size - 1)
                hit = keys[n][idx] == g[maybe]
                pos.append(maybe[hit])
                kid.append(idx[hit] + base[n])
        if sum(x.size for x in pos):
            q, score, band = _bands(np, np.concatenate(pos), np.concatenate(kid), ptr, own)
            best.append((np.full(q.size, len(docs)), q, score, band))
        docs.append((int(doc_id), str(name)))
    out: dict[int, list[tuple[int, int]]] = {}
    if best:
        d, q, score, band = (np.concatenate(x) for x in zip(*best, strict=True))
        top: dict[int, int] = {}
        for i in np.lexsort((d, -score, q)).tolist():  # per quote: best, then earlier documents
            qi = int(q[i])
            places = out.setdefault(qi, [])
            top.setdefault(qi, int(score[i]))
            if len(places) < CANDIDATES or (score[i] == top[qi] and len(places) < TIED):
                places.append((int(d[i]), int(band[i]) * _BAND))
    return docs, words, out


def _bands(
    np: Any, pos: _Array, kid: _Array, ptr: _Array, own: tuple[_Array, ...]
) -> tuple[_Array, _Array, _Array]:
    """Each quote's best place in one document: the diagonal (document position minus position
    in the quote, in bands of a few words to allow small changes) with most shingle hits, in
    that band and the next."""
    many = ptr[kid + 1] - ptr[kid]
    rep = np.repeat(np.arange(kid.size), many)
    at = ptr[kid][rep] + np.arange(rep.size) - np.repeat(np.cumsum(many) - many, many)
    band = (pos[rep] - own[1][at]) // _BAND + (1 << 30)
    packed = np.sort(own[0][at] << 31 | band)
    heads = np.flatnonzero(np.append(True, packed[1:] != packed[:-1]))
    keys, counts = packed[heads], np.diff(np.append(heads, packed.size))
    nxt = np.minimum(np.searchsorted(keys, keys + 1), keys.size - 1)
    score = counts + np.where(keys[nxt] == keys + 1, counts[nxt], 0)
    q = keys >> 31
    order = np.lexsort((-score, q))
    pick = order[np.append(True, q[order][1:] != q[order][:-1])]
    return q[pick], score[pick], (keys[pick] & ((1 << 31) - 1)) - (1 << 30)


# --- aligning a candidate region ----------------------------------------------------------------

_DIAG, _DEL, _INS = 0, 1, 2
Op = tuple[str, int, int, int]  # (eq|sub|del|ins|brk, quote item, region start, region end)


def _align(piece: _Piece, keys: Sequence[str], lo: int, hi: int, *, last: bool) -> list[Op]:
    """Best placement of a piece in keys[lo:hi] (the last of equals if ``last``): transcript
    words before and after are free, a bracket absorbs up to BRACKET_WORDS words, a changed or
    added word costs 1, a transcript word left out 0.9 ("had [already] left" keeps "left")."""
    qwords = [w for w, _, _ in piece.words]
    if hi - lo > 3 * len(qwords) + 40:  # narrow a long region with rapidfuzz first
        from rapidfuzz import fuzz

        found = fuzz.partial_ratio_alignment(qwords, list(keys[lo:hi]), processor=None)
        reach = len(qwords) // 2 + BRACKET_WORDS * len(piece.brackets) + 10
        if found is not None:
            lo, hi = max(lo, lo + found.dest_start - reach), min(hi, lo + found.dest_end + reach)
    n = hi - lo
    prev = [0.0] * (n + 1)
    backs: list[list[int]] = []
    for kind, idx in piece.items:
        cur, back = [float("inf")] * (n + 1), [0] * (n + 1)
        if kind == 0:
            key = qwords[idx]
            cur[0], back[0] = prev[0] + 1.0, _DEL
            for j in range(1, n + 1):
                best, b = prev[j - 1] + (0.0 if keys[lo + j - 1] == key else 1.0), _DIAG
                if prev[j] + 1.0 < best:
                    best, b = prev[j] + 1.0, _DEL
                if cur[j - 1] + 0.9 < best:
                    best, b = cur[j - 1] + 0.9, _INS
                cur[j], back[j] = best, b
        else:
            for j in range(n + 1):
                best, b = prev[j], -1
                for t in range(1, min(BRACKET_WORDS, j) + 1):
                    if prev[j - t] + 0.01 * t < best:
                        best, b = prev[j - t] + 0.01 * t, -1 - t
                cur[j], back[j] = best, b
        backs.append(back)
        prev = cur
    ends = [j for j, v in enumerate(prev) if v - min(prev) < 1e-9]
    j = ends[-1] if last else ends[0]
    ops: list[Op] = []
    for i in range(len(piece.items), 0, -1):
        kind, idx = piece.items[i - 1]
        while kind == 0 and backs[i - 1][j] == _INS:
            ops.append(("ins", -1, lo + j - 1, lo + j))
            j -= 1
        b = backs[i - 1][j]
        if kind == 1:
            ops.append(("brk", idx, lo + j + b + 1, lo + j))
            j += b + 1
        elif b == _DIAG:
            ops.append(
                ("eq" if keys[lo + j - 1] == qwords[idx] else "sub", idx, lo + j - 1, lo + j)
            )
            j -= 1
        else:
            ops.append(("del", idx, -1, -1))
    return ops[::-1]


@dataclass
class _Match:
    score: float
    doc: int
    ops: list[list[Op]]  # per piece
    starts: list[int]  # code points of the region's words
    ends: list[int]
    spans: list[tuple[int, int]]  # per piece; (-1, -1) when nothing of it was placed


def _match_region(q: _Quote, text: str, c0: int, c1: int, doc: int, max_gap: int) -> _Match:
    """Align every piece of a quote inside text[c0:c1]: the longest piece first, then the
    others outwards from it, each within ``max_gap`` words of its neighbour."""
    from rapidfuzz import fuzz

    found = list(_WORD.finditer(text, c0, c1))
    keys = [m.group().lower() for m in found]
    anchor = max(range(len(q.pieces)), key=lambda k: len(q.pieces[k].words))
    placed: dict[int, list[Op]] = {}
    bounds: dict[int, tuple[int, int]] = {}
    for k in [anchor, *range(anchor + 1, len(q.pieces)), *range(anchor - 1, -1, -1)]:
        reach = max_gap + 2 * len(q.pieces[k].words) + 10
        if k == anchor:
            lo, hi = 0, len(keys)
        elif k > anchor:
            lo = bounds[k - 1][1]
            hi = min(len(keys), lo + reach)
        else:
            hi = bounds[k + 1][0]
            lo = max(0, hi - reach)
        placed[k] = _align(q.pieces[k], keys, lo, hi, last=k < anchor)
        used = [r for op, _, r0, r1 in placed[k] if op != "del" for r in range(r0, r1)]
        bounds[k] = (min(used), max(used) + 1) if used else (lo, lo)
    ops = [placed[k] for k in range(len(q.pieces))]
    quoted = " ".join(w for p in q.pieces for w, _, _ in p.words)
    said = " ".join(keys[r] for piece in ops for op, _, r, _ in piece if op in ("eq", "sub", "ins"))
    starts, ends = [m.start() for m in found], [m.end() for m in found]
    spans = [
        (starts[a], ends[b - 1]) if b > a else (-1, -1)
        for a, b in map(bounds.__getitem__, range(len(ops)))
    ]
    return _Match(
        round(fuzz.ratio(quoted, said), 1) if said else 0.0, doc, ops, starts, ends, spans
    )


def _diff(match: _Match, q: _Quote, text: str) -> list[DiffOp]:
    """The alterations and the intended changes (elisions, brackets), in quote order."""
    starts, ends = match.starts, match.ends
    out: list[DiffOp] = []

    def source(r0: int, r1: int) -> str:  # with the punctuation attached to its edge words
        if r1 <= r0:
            return ""
        a, b = starts[r0], ends[r1 - 1]
        while a > 0 and not text[a - 1].isspace() and not text[a - 1].isalnum():
            a -= 1
        while b < len(text) and not text[b].isspace() and not text[b].isalnum():
            b += 1
        return " ".join(text[a:b].split())

    for k, (piece, ops) in enumerate(zip(q.pieces, match.ops, strict=True)):
        if k:
            (_, gap_start), (gap_end, _) = match.spans[k - 1], match.spans[k]
            skipped = text[gap_start:gap_end] if 0 <= gap_start <= gap_end else ""
            out.append(DiffOp("elision", q.marks[k - 1], " ".join(skipped.split()).strip(" ,.;:")))
        i = 0
        while i < len(ops):
            j = i + 1
            if ops[i][0] == "brk":
                out.append(DiffOp("bracket", piece.brackets[ops[i][1]], source(*ops[i][2:])))
            elif ops[i][0] == "eq":
                while j < len(ops) and ops[j][0] == "eq":
                    j += 1
                out += _punctuation(piece, ops[i:j], text, starts, ends)
            else:
                while j < len(ops) and ops[j][0] in ("sub", "del", "ins"):
                    j += 1
                qs = [o[1] for o in ops[i:j] if o[1] >= 0]
                rs = [o[2] for o in ops[i:j] if o[2] >= 0]
                said = piece.text[piece.words[qs[0]][1] : piece.words[qs[-1]][2]] if qs else ""
                kind = "changed" if qs and rs else "added" if qs else "removed"
                out.append(
                    DiffOp(kind, " ".join(said.split()), source(rs[0], rs[-1] + 1) if rs else "")
                )
            i = j
    return out


def _punctuation(
    piece: _Piece, run: list[Op], text: str, starts: list[int], ends: list[int]
) -> list[DiffOp]:
    """Differences of punctuation or case inside a run of equal words."""
    (_, q0, r0, _), (_, q1, r1, _) = run[0], run[-1]
    said = _plain(piece.text[piece.words[q0][1] : piece.words[q1][2]])
    there = _plain(text[starts[r0] : ends[r1]])
    if q0 == 0 and said[:1].casefold() == there[:1].casefold():
        said = there[:1] + said[1:]  # a quote may capitalise its first letter
    if said == there:
        return []
    a, b = said.split(), there.split()
    return [
        DiffOp("punctuation", " ".join(a[i1:i2]), " ".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        if tag != "equal"
    ]


# --- the whole check ---------------------------------------------------------------------------


def verify_quotes(
    session: Session,
    quotes: Sequence[ManuscriptQuote],
    *,
    manuscript: str = "",
    min_score: float = 70.0,
    candidate_score: float = 40.0,
    max_gap: int = 300,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> QuoteReport:
    """Locate each quote in the project's documents and say whether it is exact, altered or
    not found. ``max_gap`` is how many words an elision may skip. Raises ``Cancelled``."""
    hasher = _Hasher()
    prepared = [_prepare(q, hasher) for q in quotes]
    total_docs = session.execute(select(func.count()).select_from(DOCUMENT)).scalar_one()
    total, done = total_docs + len(prepared), 0

    def tick() -> None:
        nonlocal done
        if cancel():
            raise Cancelled("quote verification cancelled")
        progress(done, total, "documents" if done < total_docs else "quotes")
        done += 1

    docs, words, regions = _candidates(session, prepared, hasher, tick)
    report = QuoteReport(manuscript, [], len(docs), words)
    found = _Documents(session, docs, hasher)
    for qi, q in enumerate(prepared):
        tick()
        matches: list[_Match] = []
        for rank, (d, first) in enumerate(regions.get(qi, [])):
            if rank >= CANDIDATES and any(m.score == 100.0 for m in matches):
                break  # places tied with the best are looked at until one is exact
            matches.append(found.match(q, d, first, max_gap))
        report.checks.append(found.check(q, matches, min_score, candidate_score))
    progress(total, total, "done")
    return report


class _Documents:
    """Texts, scan tokens and turns of the documents where quotes may be, read once each."""

    def __init__(self, session: Session, docs: list[tuple[int, str]], hasher: _Hasher) -> None:
        self.session, self.docs, self.hasher = session, docs, hasher
        self.texts: dict[int, tuple[str, bytes, _Array, _Array]] = {}
        self.contexts: dict[int, _DocContext] = {}
        self.case_names = dict(session.execute(select(CASES.c.id, CASES.c.name)).all())

    def match(self, q: _Quote, d: int, first: int, max_gap: int) -> _Match:
        if d not in self.texts:
            text = document_text(self.session, self.docs[d][0])
            raw = _scan_bytes(text)
            self.texts[d] = (text, raw, *self.hasher.tokens(raw)[1:])
        text, raw, starts, ends = self.texts[d]
        reach = 10 + BRACKET_WORDS * sum(len(p.brackets) for p in q.pieces) + len(q.marks) * max_gap
        t0 = min(max(0, first - reach), int(starts.size) - 1)
        t1 = min(int(starts.size) - 1, max(t0, first + q.length + reach))
        b0, b1 = int(starts[t0]), int(ends[t1])
        c0 = len(raw[:b0].decode("utf-8", "ignore"))  # word edges are character edges
        c1 = c0 + len(raw[b0:b1].decode("utf-8", "ignore"))
        return _match_region(q, text, c0, c1, d, max_gap)

    def who(self, m: _Match, at: int) -> tuple[str, str, int | None]:
        """Speaker, participant and time stamp at an offset of a match's document."""
        if m.doc not in self.contexts:
            doc_id, text = self.docs[m.doc][0], self.texts[m.doc][0]
            self.contexts[m.doc] = _DocContext(self.session, doc_id, text)
        speaker, case_id, ts = self.contexts[m.doc].turn_at(at)
        return speaker, self.case_names.get(case_id, "") if case_id else "", ts

    def check(
        self, q: _Quote, matches: list[_Match], min_score: float, candidate_score: float
    ) -> QuoteCheck:
        src = q.source
        check = QuoteCheck(
            src.number, src.text, src.paragraph, src.block, NOT_FOUND,
            citation=src.citation, attributed_to=src.attributed_to,
        )  # fmt: skip
        notes = [] if q.shingles else ["too few consecutive words to search for"]
        matches = [m for m in matches if any(a >= 0 for a, _ in m.spans)]
        top = max((m.score for m in matches), default=0.0)
        if top < candidate_score or not matches:
            check.notes = (*notes, "no similar passage in the project")
            return check
        tied = [m for m in matches if m.score == top]
        best = tied[0]  # among equals, the place spoken by the participant the paper names
        for m in tied if src.attributed_to and len(tied) > 1 else ():
            if _same_person(src.attributed_to, self.who(m, _first(m))[:2]):
                best = m
                break
        text = self.texts[best.doc][0]
        diff = _diff(best, q, text)
        spans = [s for s in best.spans if s[0] >= 0]
        start, end = spans[0][0], spans[-1][1]
        tail = q.pieces[-1].text[q.pieces[-1].words[-1][2] :].strip()
        if tail and _plain(text[end : end + len(tail)]) == _plain(tail):
            end += len(tail)  # the quote's closing punctuation, as in the transcript
        altered = any(not op.intended for op in diff)
        check.status = NOT_FOUND if top < min_score else ALTERED if altered else EXACT
        check.score, check.diff, check.pieces = top, tuple(diff), tuple(spans)
        check.document_id, check.document = self.docs[best.doc]
        check.start, check.end = start, end
        check.speaker, check.participant, check.timestamp_ms = self.who(best, start)
        check.paragraph = self.contexts[best.doc].paragraph_at(start)
        if check.status == NOT_FOUND:
            notes.append(f"not found; the most similar passage (score {top:g}) is shown")
        elif self.who(best, end - 1) != (check.speaker, check.participant, check.timestamp_ms):
            notes.append("the passage runs over more than one speaker turn")
        for m in tied if top == 100.0 else ():
            if m is not best and (m.doc, m.spans) != (best.doc, best.spans):
                notes.append(f"the same words also occur in {self.docs[m.doc][1]} at {_first(m)}")
        names = (check.speaker, check.participant)
        if check.status != NOT_FOUND and src.attributed_to and any(names):
            same = _same_person(src.attributed_to, names)
            check.attribution_mismatch = None if same is None else not same
            if same is False:
                notes.append(
                    f"the manuscript attributes it to {src.attributed_to}; in the transcript "
                    f"the speaker is {check.speaker or check.participant}"
                )
        check.notes = tuple(notes)
        return check


def _first(m: _Match) -> int:
    return next(a for a, _ in m.spans if a >= 0)


def verify_manuscript(
    session: Session,
    path: str | Path,
    *,
    min_words: int = MIN_WORDS,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> QuoteReport:
    """Read a manuscript's quotes and verify them (see :func:`verify_quotes`)."""
    quotes = read_manuscript(path, min_words=min_words)
    return verify_quotes(session, quotes, manuscript=str(path), progress=progress, cancel=cancel)


# --- output ------------------------------------------------------------------------------------

CONTENT_NOTE = "Contains verbatim transcript text (quotes). Handle as confidential research data."


def describe(op: DiffOp) -> str:
    """One line for a difference, e.g. ``changed "scared" (transcript: "frightened")``."""
    if op.kind == "elision":
        n = len(op.source.split())
        return f"elision {op.quote} (intended): leaves out {n} word{'s' if n != 1 else ''}"
    if op.kind == "bracket":
        return f'bracket {op.quote} (intended) stands for "{op.source}"'
    if op.kind == "added":
        return f'added "{op.quote}" (not in the transcript)'
    if op.kind == "removed":
        return f'removed "{op.source}" without an elision mark'
    return f'{op.kind} "{op.quote}" (transcript: "{op.source}")'


def report_dict(report: QuoteReport) -> dict[str, Any]:
    """Everything in the report, for JSON."""
    return {
        "manuscript": report.manuscript,
        "documents": report.documents,
        "words": report.words,
        "counts": {s: report.count(s) for s in (EXACT, ALTERED, NOT_FOUND)},
        "quotes": [asdict(c) for c in report.checks],
    }


def write_quote_report(report: QuoteReport, path: str | Path, *, project: str) -> Path:
    """Write the checks as .csv or .xlsx; an interrupted write leaves no file behind."""
    from qualbench.exports import ExportError, atomic_path

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{path}: unknown report format {suffix!r}; use {', '.join(FORMATS)}")
    header = [
        "quote no.", "manuscript paragraph", "block quote", "quote", "status", "score",
        "document", "start", "end", "speaker", "participant", "timestamp ms", "paragraph",
        "differences", "cited as", "attribution differs", "notes",
    ]  # fmt: skip
    rows = [
        [
            c.number, c.manuscript_paragraph, "yes" if c.block else "", c.quote, c.status,
            c.score, c.document, c.start, c.end, c.speaker, c.participant, c.timestamp_ms,
            c.paragraph, "\n".join(map(describe, c.diff)), c.attributed_to,
            {None: "", True: "yes", False: "no"}[c.attribution_mismatch], "\n".join(c.notes),
        ]
        for c in report.checks
    ]  # fmt: skip
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel reads UTF-8
                csv.writer(f).writerows([header, *rows])
        else:
            from qualbench.exports.xlsx import write_sheets

            about = [
                ("Contents", CONTENT_NOTE),
                ("Project", project),
                ("Manuscript", report.manuscript),
                ("Quotes", str(len(report.checks))),
                ("Checked", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            ]
            write_sheets(tmp, [("Quotes", header, rows)], about=about)
    return path
