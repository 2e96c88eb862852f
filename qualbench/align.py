"""Re-anchor codings onto an edited copy of a document's text.

When a coder's copy of a document differs slightly from the lead's (a typo fixed, a line
re-wrapped, a word inserted), each coding's ``[start, end)`` must be carried over to the other
text, or reported as impossible with a reason: never silently dropped or shifted.
``TextAlignment`` aligns the two texts once; ``place`` maps one span and checks the result.

The texts are aligned coarse to fine. Lines, encoded as one code point each, are aligned with
rapidfuzz's Levenshtein (C speed, banded by the number of edits); each run of changed lines is
aligned again by whitespace-separated words, and each run of changed words character by
character. Unchanged lines and words never reach the character level, so the cost follows the
size of the edits rather than of the text. A changed region too large to align by characters
(only between very different texts) stays one replaced block, which ``place`` maps
proportionally and then rejects by similarity. Offsets are code points throughout.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, count

from rapidfuzz.distance import Indel, Levenshtein

# Line, then word units; a region below both levels is aligned by characters.
_LEVELS = (re.compile(r"(\n)"), re.compile(r"(\s+)"))
# A changed region whose two lengths multiply to at most this is aligned by characters at once
# (fast, and finer than going through words).
_CHARS_AT_ONCE = 250_000
# Beyond this product a changed region is not aligned by characters: one replaced block.
_CHARS_AT_MOST = 400_000_000
# Beyond this product two span texts are compared through the alignment, not character by character.
_COMPARE_AT_MOST = 400_000_000
# text_similarity compares by characters below this many words (and this many characters).
_FEW_WORDS, _FEW_CHARS = 100, 20_000
# Units are encoded as code points; surrogates are skipped, so this many distinct units fit.
_MAX_UNITS = 0x110000 - 0x800
# Copies of a span's text looked at around its mapped place (repetitive text only).
_MAX_NEARBY = 64

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
    return Placement(None, None, "unplaced", round(similarity, 4), reason)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_'’-" or unicodedata.category(ch).startswith("M")


def _cuts_word(text: str, pos: int) -> bool:
    """Whether ``pos`` falls between two characters of one word."""
    return 0 < pos < len(text) and _is_word(text[pos - 1]) and _is_word(text[pos])


def _squash(text: str) -> str:
    """The text with every run of whitespace one space, and none at its ends."""
    return " ".join(text.split())


def _encode(
    units_a: Sequence[str], units_b: Sequence[str], *, unique_only: bool = False
) -> tuple[Sequence[int] | str, Sequence[int] | str]:
    """Both unit lists as one code point per unit, so that rapidfuzz compares units as it
    compares characters. With ``unique_only``, only units found exactly once in each list can
    match: a repeated line ("Yes.", the same question asked twice) must not anchor the
    alignment at the wrong occurrence."""
    vocab: dict[str, int] = {}
    if unique_only:
        count_a, count_b = Counter(units_a), Counter(units_b)
        for unit, n in count_a.items():
            if n == 1 and count_b[unit] == 1:
                vocab[unit] = len(vocab)
        fresh = count(len(vocab))  # every other unit gets a code of its own
        ids_a = [vocab[unit] if unit in vocab else next(fresh) for unit in units_a]
        ids_b = [vocab[unit] if unit in vocab else next(fresh) for unit in units_b]
        size = next(fresh)
    else:
        ids_a = [vocab.setdefault(unit, len(vocab)) for unit in units_a]
        ids_b = [vocab.setdefault(unit, len(vocab)) for unit in units_b]
        size = len(vocab)
    if size > _MAX_UNITS:
        return ids_a, ids_b  # rapidfuzz hashes them instead: slower, same result
    return _as_text(ids_a), _as_text(ids_b)


def _as_text(ids: list[int]) -> str:
    return "".join([chr(i if i < 0xD800 else i + 0x800) for i in ids])


def _units(text: str, lo: int, hi: int, level: int) -> tuple[list[str], list[int], list[int]]:
    """The units of ``text[lo:hi]`` at ``level`` with their absolute starts and ends."""
    parts = _LEVELS[level].split(text[lo:hi])
    offsets = list(accumulate(map(len, parts), initial=lo))
    return parts[0::2], offsets[0::2], offsets[1::2]


class _Aligner:
    """Builds the list of blocks that cover both texts in order."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.blocks: list[Block] = []
        self.region(0, len(old), 0, len(new), 0)

    def emit(self, a0: int, a1: int, b0: int, b1: int, equal: bool) -> None:
        if a0 == a1 and b0 == b1:
            return
        if equal and self.blocks and self.blocks[-1][4]:
            self.blocks[-1] = (self.blocks[-1][0], a1, self.blocks[-1][2], b1, True)
        else:
            self.blocks.append((a0, a1, b0, b1, equal))

    def region(self, a0: int, a1: int, b0: int, b1: int, level: int) -> None:
        if a0 == a1 or b0 == b1:
            self.emit(a0, a1, b0, b1, False)
        elif self.old[a0:a1] == self.new[b0:b1]:
            self.emit(a0, a1, b0, b1, True)
        elif level >= len(_LEVELS) or (a1 - a0) * (b1 - b0) <= _CHARS_AT_ONCE:
            self.chars(a0, a1, b0, b1)
        else:
            self.units(a0, a1, b0, b1, level)

    def chars(self, a0: int, a1: int, b0: int, b1: int) -> None:
        if (a1 - a0) * (b1 - b0) > _CHARS_AT_MOST:
            self.emit(a0, a1, b0, b1, False)
            return
        for op in Levenshtein.opcodes(self.old[a0:a1], self.new[b0:b1]):
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
        if len(units_a) == 1 and len(units_b) == 1:
            self.region(a0, a1, b0, b1, level + 1)
            return
        encoded_a, encoded_b = _encode(units_a, units_b, unique_only=level == 0)
        done_a, done_b = a0, b0
        for op in Levenshtein.opcodes(encoded_a, encoded_b):
            if op.tag != "equal":
                continue
            i1, i2, j1, j2 = op.src_start, op.src_end, op.dest_start, op.dest_end
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
        new_start, start_clean = self._map(start, is_end=False)
        new_end, end_clean = self._map(end, is_end=True)
        snapped = self._snap_start(new_start, new_end, old, start)
        start_clean, new_start = start_clean and snapped == new_start, snapped
        snapped = self._snap_end(new_end, new_start, old, end)
        end_clean, new_end = end_clean and snapped == new_end, snapped
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
            reason += f"; its {' and '.join(edges)} lay in edited text, snapped to a word boundary"
        return Placement(new_start, new_end, "adjusted", round(similarity, 4), reason)

    def _map(self, offset: int, *, is_end: bool) -> tuple[int, bool]:
        """The new offset of a span's start (or end) and whether its first (or last) character
        is unchanged; an edited one maps to the matching point of the replacement."""
        a0, a1, b0, b1, equal = self._blocks[bisect_right(self._starts, offset - is_end) - 1]
        if equal:
            return b0 + offset - a0, True
        scaled = (offset - a0) * (b1 - b0)
        return b0 + (-(-scaled // (a1 - a0)) if is_end else scaled // (a1 - a0)), False

    def _snap_start(self, pos: int, limit: int, old: str, start: int) -> int:
        new = self._new
        if not _cuts_word(old, start):
            while _cuts_word(new, pos):
                pos -= 1
        if not old[start].isspace():
            while pos < limit and new[pos].isspace():
                pos += 1
        return pos

    def _snap_end(self, pos: int, limit: int, old: str, end: int) -> int:
        new = self._new
        if not _cuts_word(old, end):
            while _cuts_word(new, pos):
                pos += 1
        if not old[end - 1].isspace():
            while pos > limit and new[pos - 1].isspace():
                pos -= 1
        return pos

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
            if fits and (_cuts_word(new, found), _cuts_word(new, found + size)) <= cuts:
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
    document scores near 1, a different document of the same kind far lower. Short texts are
    compared by characters, longer ones by words (about 10 ms per 100,000 characters)."""
    if a == b:
        return 1.0
    words_a, words_b = a.split(), b.split()
    if min(len(words_a), len(words_b)) < _FEW_WORDS and max(len(a), len(b)) <= _FEW_CHARS:
        return float(Indel.normalized_similarity(" ".join(words_a), " ".join(words_b)))
    return float(Indel.normalized_similarity(*_encode(words_a, words_b)))
