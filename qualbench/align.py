"""Re-anchor codings onto an edited copy of a document's text.

When a coder's copy of a document differs slightly from the lead's (a typo fixed, a line
re-wrapped, a word inserted), each coding's ``[start, end)`` must be carried over to the other
text, or reported as impossible with a reason: never silently dropped or shifted.
``TextAlignment`` aligns the two texts once; ``place`` maps one span and checks the result.

The alignment tiles both texts with blocks, alternately equal and changed. It goes coarse to
fine, each level only inside what the level above left unmatched, so its cost follows the size of
the edits rather than of the text:

1. lines found exactly once in each text, the longest sequence of them both agree on (patience
   diff: a repeated line, such as the same interview question, never anchors the wrong place);
2. the same with whitespace-separated words (a re-wrapped line changes no word);
3. all words, then characters, with rapidfuzz in C: ``Indel`` (longest common subsequence)
   while its bit matrix stays small, else ``Levenshtein`` (banded by the number of edits, linear
   memory); words are encoded as one code point each to be compared like characters.

Equal blocks shorter than the changes around them, and not whole words, are then folded into
the changes (chance letters matched inside rewritten text). A changed region too large to align
by characters (only between very different texts) stays one block.

``place`` maps an edge whose character is unchanged exactly. An edge inside a change goes to
the word boundary near the proportional point that makes the span's edge text closest to the
old. The span's old and new texts are then compared (whitespace runs count as one space), and
anything below the threshold is reported unplaced, with what happened to it in plain words.
Offsets are code points throughout.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from rapidfuzz.distance import Indel, LCSseq, Levenshtein, Opcodes

_LINES, _WORDS = re.compile(r"(\n)"), re.compile(r"(\s+)")
# How each level splits a region into units, and whether only units found once on each side match.
_LEVELS = ((_LINES, True), (_WORDS, True), (_WORDS, False))
# Beyond this product a changed region is not aligned by characters: one replaced block.
_CHARS_AT_MOST = 400_000_000
# Indel keeps a bit matrix of this many cells at most (25 MB); Levenshtein beyond.
_INDEL_CELLS = 200_000_000
# Beyond this product two span texts are compared through the alignment, not character by character.
_COMPARE_AT_MOST = 400_000_000
# text_similarity compares by characters below this many words (and this many characters).
_FEW_WORDS, _FEW_CHARS = 100, 20_000
# A unique line or word anchors the alignment only with its equal neighbours this long.
_MIN_ANCHOR = 48
# An edge inside a change is looked for this far around its proportional place, among this many
# positions at most, comparing this many characters at the span's edge.
_EDGE_REACH, _EDGE_CANDIDATES, _EDGE_WINDOW = 200, 24, 80
# Units are encoded as code points; surrogates are skipped, so this many distinct units fit.
_MAX_UNITS = 0x110000 - 0x800
# Copies of a span's text looked at around its mapped place (repetitive text only).
_MAX_NEARBY = 64

Run = tuple[int, int, int, int]  # units [i1, i2) of one side equal to units [j1, j2) of the other
Block = tuple[int, int, int, int, bool]  # old start, old end, new start, new end, equal


@dataclass(frozen=True)
class Placement:
    """Where a span of the old text lies in the new text, or why it cannot be placed.

    ``status``: "exact" (same offsets, same text), "moved" (same text, other offsets),
    "adjusted" (its boundaries or its text changed slightly; ``reason`` says how) or
    "unplaced" (``start`` and ``end`` are None; ``reason`` says why)."""

    start: int | None
    end: int | None
    status: str
    similarity: float
    reason: str = ""


def _unplaced(similarity: float, reason: str) -> Placement:
    return Placement(None, None, "unplaced", similarity, reason)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_'’-" or unicodedata.category(ch).startswith("M")


def _kind(ch: str) -> str:
    """ "w" for a word character, "s" for a space, "p" for anything else (punctuation, emoji)."""
    return "w" if _is_word(ch) else "s" if ch.isspace() else "p"


def _cuts_word(text: str, pos: int) -> bool:
    """Whether ``pos`` falls between two characters of one word."""
    return 0 < pos < len(text) and _is_word(text[pos - 1]) and _is_word(text[pos])


def _squash(text: str) -> str:
    """The text with every run of whitespace one space, and none at its ends."""
    return " ".join(text.split())


def _encode(units_a: Sequence[str], units_b: Sequence[str]) -> tuple[Sequence[Hashable], ...]:
    """Both unit lists as one code point per distinct unit, so that rapidfuzz compares units
    as fast as it compares characters."""
    vocab: dict[str, int] = {}
    ids_a = [vocab.setdefault(unit, len(vocab)) for unit in units_a]
    ids_b = [vocab.setdefault(unit, len(vocab)) for unit in units_b]
    if len(vocab) > _MAX_UNITS:
        return ids_a, ids_b  # rapidfuzz hashes them instead: slower, same result
    return tuple(
        "".join([chr(i if i < 0xD800 else i + 0x800) for i in ids]) for ids in (ids_a, ids_b)
    )


def _opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> Opcodes:
    """An alignment of two sequences: the longest common subsequence where affordable."""
    if len(a) * len(b) <= _INDEL_CELLS:
        return Indel.opcodes(a, b)
    return Levenshtein.opcodes(a, b)


def _equal_runs(units_a: Sequence[str], units_b: Sequence[str]) -> list[Run]:
    return [
        (op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in _opcodes(*_encode(units_a, units_b))
        if op.tag == "equal"
    ]


def _unique_runs(units_a: Sequence[str], units_b: Sequence[str]) -> list[Run]:
    """Anchors for a patience diff: units found exactly once on each side, the longest sequence
    of them in an order both sides agree on, each widened over the equal units around it."""
    count_a, count_b = Counter(units_a), Counter(units_b)
    where_b = {unit: j for j, unit in enumerate(units_b) if count_b[unit] == 1}
    pairs = [(i, where_b[u]) for i, u in enumerate(units_a) if count_a[u] == 1 and u in where_b]
    tails: list[int] = []  # tails[k]: the pair ending the best increasing chain of k + 1 pairs
    tail_js: list[int] = []
    back = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tail_js, j)
        back[n] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(n)
            tail_js.append(j)
        else:
            tails[k], tail_js[k] = n, j
    chain, n = [], tails[-1] if tails else -1
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    chain.reverse()
    runs: list[Run] = []
    for k, (i, j) in enumerate(chain):  # widened up to the runs before and after, never over
        i1, j1 = i, j
        low_a, low_b = (runs[-1][1], runs[-1][3]) if runs else (0, 0)
        while i1 > low_a and j1 > low_b and units_a[i1 - 1] == units_b[j1 - 1]:
            i1, j1 = i1 - 1, j1 - 1
        i2, j2 = i + 1, j + 1
        high_a, high_b = chain[k + 1] if k + 1 < len(chain) else (len(units_a), len(units_b))
        while i2 < high_a and j2 < high_b and units_a[i2] == units_b[j2]:
            i2, j2 = i2 + 1, j2 + 1
        runs.append((i1, i2, j1, j2))
    return runs


def _units(text: str, lo: int, hi: int, level: int) -> tuple[list[str], list[int], list[int]]:
    """The units of ``text[lo:hi]`` at ``level`` with their absolute starts and ends."""
    parts = _LEVELS[level][0].split(text[lo:hi])
    offsets = list(accumulate(map(len, parts), initial=lo))
    return parts[0::2], offsets[0::2], offsets[1::2]


def _merge_small_equalities(blocks: list[Block], old: str, new: str) -> list[Block]:
    """Fold each equal block no longer than the changes on both its sides into one change,
    unless it is made of whole words: letters matched inside rewritten text are chance, and
    would mislead the mapping of a span's edges (the semantic cleanup of diff-match-patch)."""
    out: list[Block] = []
    for block in blocks:
        out.append(block)
        while len(out) >= 3 and not out[-1][4] and out[-2][4] and not out[-3][4]:
            left, (a0, a1, b0, b1, _), right = out[-3:]
            if a1 - a0 > max(left[1] - left[0], left[3] - left[2]):
                break
            if a1 - a0 > max(right[1] - right[0], right[3] - right[2]):
                break
            cuts = (
                _cuts_word(old, a0),
                _cuts_word(old, a1),
                _cuts_word(new, b0),
                _cuts_word(new, b1),
            )
            if not any(cuts) and any(map(_is_word, old[a0:a1])):
                break
            out[-3:] = [(left[0], right[1], left[2], right[3], False)]
    return out


class _Aligner:
    """Builds the blocks that tile both texts in order, alternately equal and changed."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.blocks: list[Block] = []
        self.region(0, len(old), 0, len(new), 0)
        self.blocks = _merge_small_equalities(self.blocks, old, new)

    def emit(self, a0: int, a1: int, b0: int, b1: int, equal: bool) -> None:
        if a0 == a1 and b0 == b1:
            return
        if self.blocks and self.blocks[-1][4] == equal:  # one block for a run of the same kind
            self.blocks[-1] = (self.blocks[-1][0], a1, self.blocks[-1][2], b1, equal)
        else:
            self.blocks.append((a0, a1, b0, b1, equal))

    def region(self, a0: int, a1: int, b0: int, b1: int, level: int) -> None:
        if a0 == a1 or b0 == b1:
            self.emit(a0, a1, b0, b1, False)
        elif self.old[a0:a1] == self.new[b0:b1]:
            self.emit(a0, a1, b0, b1, True)
        elif level >= len(_LEVELS):
            self.chars(a0, a1, b0, b1)
        else:
            self.units(a0, a1, b0, b1, level)

    def chars(self, a0: int, a1: int, b0: int, b1: int) -> None:
        if (a1 - a0) * (b1 - b0) > _CHARS_AT_MOST:
            self.emit(a0, a1, b0, b1, False)
            return
        for op in _opcodes(self.old[a0:a1], self.new[b0:b1]):
            self.emit(
                a0 + op.src_start,
                a0 + op.src_end,
                b0 + op.dest_start,
                b0 + op.dest_end,
                op.tag == "equal",
            )

    def units(self, a0: int, a1: int, b0: int, b1: int, level: int) -> None:
        units_a, starts_a, ends_a = _units(self.old, a0, a1, level)
        units_b, starts_b, ends_b = _units(self.new, b0, b1, level)
        runs: list[Run] = []
        if len(units_a) > 1 or len(units_b) > 1:
            if _LEVELS[level][1]:  # a short line or word found once on each side may be chance
                runs = _unique_runs(units_a, units_b)
                runs = [r for r in runs if ends_a[r[1] - 1] - starts_a[r[0]] >= _MIN_ANCHOR]
            else:
                runs = _equal_runs(units_a, units_b)
        done_a, done_b = a0, b0
        for i1, i2, j1, j2 in runs:
            self.region(done_a, starts_a[i1], done_b, starts_b[j1], level + 1)
            done_a, done_b = ends_a[i2 - 1], ends_b[j2 - 1]
            if self.old[starts_a[i1] : done_a] == self.new[starts_b[j1] : done_b]:
                self.emit(starts_a[i1], done_a, starts_b[j1], done_b, True)
                continue
            for k in range(i2 - i1):  # equal units, some separators differ (re-wrapped lines)
                i, j = i1 + k, j1 + k
                self.emit(starts_a[i], ends_a[i], starts_b[j], ends_b[j], True)
                if k + 1 < i2 - i1:
                    self.region(
                        ends_a[i], starts_a[i + 1], ends_b[j], starts_b[j + 1], len(_LEVELS)
                    )
        self.region(done_a, a1, done_b, b1, level + 1)


class TextAlignment:
    """Maps offsets of an old text onto a new text (built once per document pair)."""

    def __init__(self, old: str, new: str) -> None:
        self._old, self._new = old, new
        self._blocks = _Aligner(old, new).blocks
        self._starts = [block[0] for block in self._blocks]
        matched = sum(a1 - a0 for a0, a1, _, _, equal in self._blocks if equal)
        total = len(old) + len(new)
        self._similarity = 2 * matched / total if total else 1.0

    @property
    def similarity(self) -> float:
        """Whole-text similarity 0..1: the share of both texts' characters the alignment matched."""
        return self._similarity

    def place(self, start: int, end: int, *, min_similarity: float = 0.85) -> Placement:
        """Where the old span ``[start, end)`` lies in the new text; "unplaced" with a reason when
        its text there would be less similar than ``min_similarity`` (0..1, whitespace-only
        differences count as equal)."""
        if not 0.0 <= min_similarity <= 1.0:
            raise ValueError(f"min_similarity must be between 0 and 1, not {min_similarity}")
        old, new = self._old, self._new
        if not 0 <= start < end <= len(old):
            return _unplaced(
                0.0, f"the span {start}–{end} is empty or outside the text ({len(old)} characters)"
            )
        text = old[start:end]
        if all(b[2] == b[3] for b in self._overlapping(start, end)):
            return _unplaced(0.0, "the passage was deleted")
        new_start, start_clean = self._map(start, is_end=False)
        new_end, end_clean = self._map(end, is_end=True)
        if not start_clean:
            new_start = self._best_edge(start, end, new_start, new_end, is_end=False)
        if not end_clean:
            new_end = self._best_edge(start, end, new_start, new_end, is_end=True)
        if start_clean and not _cuts_word(old, start):  # a word grown at an edge is taken whole
            while _cuts_word(new, new_start):
                new_start, start_clean = new_start - 1, False
        if end_clean and not _cuts_word(old, end):
            while _cuts_word(new, new_end):
                new_end, end_clean = new_end + 1, False
        if new_start < new_end and new[new_start:new_end] != text:
            nearby = self._nearby_copy(start, end, new_start, new_end)
            if nearby is not None:
                (new_start, new_end), start_clean, end_clean = nearby, True, True
        placed = new[new_start:new_end]
        if new_start >= new_end or (text.strip() and not placed.strip()):
            return _unplaced(0.0, "the passage was deleted")
        if placed == text:
            status = "exact" if (new_start, new_end) == (start, end) else "moved"
            return Placement(new_start, new_end, status, 1.0)
        similarity = self._compare(start, end, new_start, new_end)
        if similarity < min_similarity:
            return _unplaced(
                similarity, self._why_unplaced(start, end, new_start, new_end, similarity)
            )
        if similarity == 1.0:
            reason = "only spaces or line breaks changed"
        else:
            reason = f"the text changed slightly (similarity {similarity:.2f})"
        edges = [n for n, clean in (("start", start_clean), ("end", end_clean)) if not clean]
        if edges:
            reason += (
                f"; its {' and '.join(edges)} lay in edited text and was set to the closest match"
            )
        return Placement(new_start, new_end, "adjusted", similarity, reason)

    def _map(self, offset: int, *, is_end: bool) -> tuple[int, bool]:
        """The new offset of a span's start (or end), and whether its first (or last) character
        is unchanged; inside a change, the proportional point (the edge of a replacement)."""
        a0, a1, b0, b1, equal = self._blocks[bisect_right(self._starts, offset - is_end) - 1]
        if equal:
            return b0 + offset - a0, True
        scaled = (offset - a0) * (b1 - b0)
        return b0 + (-(-scaled // (a1 - a0)) if is_end else scaled // (a1 - a0)), False

    def _best_edge(
        self, start: int, end: int, new_start: int, new_end: int, *, is_end: bool
    ) -> int:
        """For an edge inside a change: among the positions within 200 characters of the
        proportional guess that cut no word and add no space the old edge did not, the one that
        makes the span's first (or last) 80 characters closest to the old, up to where the
        alignment maps their other end. A missing old character costs twice an extra new one
        (words inserted inside a span belong to it, its own words should not be dropped), and an
        edge character of another kind (a word ending where the old one ended with a full stop)
        costs two more; each character away from the guess (the edge of a replacement) costs
        half of one, and text taken in beyond the guess costs double unless the old edge has it."""
        old, new = self._old, self._new
        guess, edge = (new_end, end) if is_end else (new_start, start)
        cuts, spaced = _cuts_word(old, edge), old[edge - is_end].isspace()
        lo, hi = (new_start, guess + _EDGE_REACH) if is_end else (guess - _EDGE_REACH, new_end)
        positions = range(
            max(lo, guess - _EDGE_REACH, 0), min(hi, guess + _EDGE_REACH, len(new)) + 1
        )
        if is_end:
            fits = [q for q in positions if q == 0 or spaced or not new[q - 1].isspace()]
        else:
            fits = [q for q in positions if q == len(new) or spaced or not new[q].isspace()]
        fits = [q for q in fits if cuts or not _cuts_word(new, q)] or [guess]
        window = min(end - start, _EDGE_WINDOW)
        if is_end:
            old_part, far = _squash(old[end - window : end]), new_start
            if window < end - start:
                far = self._map(end - window, is_end=False)[0]
        else:
            old_part, far = _squash(old[start : start + window]), new_end
            if window < end - start:
                far = self._map(start + window, is_end=True)[0]

        old_kind = _kind(old[edge - is_end])

        def cost(q: int) -> int:
            part = _squash(new[far:q] if is_end else new[q:far])
            common = LCSseq.similarity(old_part, part)
            kind = _kind(new[q - is_end]) if 0 <= q - is_end < len(new) else ""
            edits = len(part) + 2 * len(old_part) - 3 * common + 2 * (kind != old_kind)
            beyond = _squash(new[guess:q] if is_end else new[q:guess])  # the neighbour's, likely
            edits += len(beyond) - LCSseq.similarity(beyond, old_part)
            return 2 * edits + abs(q - guess)

        return min(sorted(fits, key=lambda q: abs(q - guess))[:_EDGE_CANDIDATES], key=cost)

    def _nearby_copy(self, start: int, end: int, lo: int, hi: int) -> tuple[int, int] | None:
        """The closest exact copy of the old span's text that overlaps most of ``[lo, hi)`` and
        cuts no word the span did not cut: where an edit touches a span's edge in repetitive
        text, the alignment may slide it into the span."""
        old, new = self._old, self._new
        text, size = old[start:end], end - start
        cuts = (_cuts_word(old, start), _cuts_word(old, end))
        window_end = min(len(new), hi + size - 1)
        best: tuple[int, int] | None = None
        found = new.find(text, max(0, lo - size + 1), window_end)
        for _ in range(_MAX_NEARBY):
            if found < 0:
                break
            overlap = min(found + size, hi) - max(found, lo)
            cost = abs(found - lo) + abs(found + size - hi)
            fits = 2 * overlap >= min(size, hi - lo) and (best is None or cost < best[0])
            cut = (_cuts_word(new, found), _cuts_word(new, found + size))
            if fits and all(c <= allowed for c, allowed in zip(cut, cuts, strict=True)):
                best = (cost, found)
            found = new.find(text, found + 1, window_end)
        return None if best is None else (best[1], best[1] + size)

    def _overlapping(self, start: int, end: int) -> list[Block]:
        first = max(0, bisect_right(self._starts, start) - 1)
        last = bisect_right(self._starts, end - 1)
        return [block for block in self._blocks[first:last] if block[1] > start]

    def _compare(self, start: int, end: int, new_start: int, new_end: int) -> float:
        """Similarity 0..1 of the old and new span texts, whitespace runs counted as one space;
        for very long spans, from the alignment (a lower bound, at no cost)."""
        a, b = _squash(self._old[start:end]), _squash(self._new[new_start:new_end])
        if a == b:
            return 1.0
        if len(a) * len(b) <= _COMPARE_AT_MOST:
            return float(Indel.normalized_similarity(a, b))
        matched = 0
        for a0, a1, b0, _, equal in self._overlapping(start, end):
            if equal:
                lo, hi = max(a0, start), min(a1, end)
                matched += max(0, min(b0 + hi - a0, new_end) - max(b0 + lo - a0, new_start))
        return 2 * matched / (end - start + new_end - new_start)

    def _why_unplaced(
        self, start: int, end: int, new_start: int, new_end: int, similarity: float
    ) -> str:
        """Plain words for what happened to a passage: deleted, added to or rewritten."""
        a, b = _squash(self._old[start:end]), _squash(self._new[new_start:new_end])
        if len(a) * len(b) <= _COMPARE_AT_MOST:
            changes = [
                (op.src_end - op.src_start, op.dest_end - op.dest_start)
                for op in Levenshtein.opcodes(a, b)
                if op.tag != "equal"
            ]
        else:  # a span of tens of thousands of characters: from the alignment
            changes = [
                (min(a1, end) - max(a0, start), b1 - b0)
                for a0, a1, b0, b1, equal in self._overlapping(start, end)
                if not equal
            ]
        deleted = rewritten = added = 0
        for size_a, size_b in changes:
            if size_b == 0:
                deleted += size_a
            elif size_a == 0:
                added += size_b
            else:
                rewritten += size_a
                added += max(0, size_b - size_a)
        if deleted >= max(rewritten, added) and 10 * len(b) <= len(a):
            return "the passage was deleted"  # but for a few characters
        if deleted >= max(rewritten, added):
            what = "most of" if 2 * deleted >= len(a) else "part of"
            what += " the passage was deleted"
        elif added > rewritten:
            what = "text was added to the passage"
        else:
            what = "the passage was rewritten"
        return f"{what} (similarity {similarity:.2f})"


def text_similarity(a: str, b: str) -> float:
    """How alike two texts are, 0..1, in word order (whitespace ignored): an edited copy of a
    document scores near 1, a different document of the same kind far lower, even one built
    from the same phrases. The longest common subsequence of words (of characters for short
    texts); quadratic but bit-parallel: 10 ms for 100,000 characters, 0.7 s for 1,000,000."""
    if a == b:
        return 1.0
    words_a, words_b = a.split(), b.split()
    if min(len(words_a), len(words_b)) < _FEW_WORDS and max(len(a), len(b)) <= _FEW_CHARS:
        return float(Indel.normalized_similarity(" ".join(words_a), " ".join(words_b)))
    encoded_a, encoded_b = _encode(words_a, words_b)
    return float(Indel.normalized_similarity(encoded_a, encoded_b))
