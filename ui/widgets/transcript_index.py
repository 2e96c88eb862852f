"""What the transcript view draws, without Qt: codings as spans in Qt positions, an interval
index that finds the spans touching a range, and greedy lanes for the coding margin.

Positions here are UTF-16 units (Qt's), converted once when codings arrive; the public API of
:class:`~ui.widgets.transcript.TranscriptView` speaks code points.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from qualbench.workspace import CodingMark, TurnMark

# Two spans closer than this (in characters) never share a lane: on screen they could touch the
# same line, and two bars in one lane on one line read as one coding.
LANE_GAP = 60
# Spans longer than this (and than 98% of the others) go to a small bucket scanned linearly, so
# that the bisect window of the short ones stays narrow.
LONG_MIN = 2048


@dataclass(frozen=True, slots=True)
class Span:
    """A coding as the view draws it: ``[start, end)`` in UTF-16 units."""

    id: int
    start: int
    end: int
    code_id: int
    coder_id: int
    has_memo: bool


def _order(s: Span) -> tuple[int, int, int]:
    return (s.start, -s.end, s.id)  # outer (earlier, longer) spans first


def _span(m: CodingMark, to_qt: Callable[[int], int]) -> Span:
    return Span(m.id, to_qt(m.start), to_qt(m.end), m.code_id, m.coder_id, m.has_memo)


class IntervalIndex:
    """Spans sorted by start; :meth:`overlapping` costs O(log n + k), :meth:`updated` O(n)
    list copies (no re-sort) for a few changed spans."""

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        items = sorted((s for s in spans if s.end > s.start), key=_order)
        lengths = sorted(s.end - s.start for s in items)
        self._limit = max(LONG_MIN, lengths[int(len(lengths) * 0.98)]) if lengths else LONG_MIN
        self.spans: list[Span] = items
        self._keys = [_order(s) for s in items]
        self._short = [s for s in items if s.end - s.start <= self._limit]
        self._short_keys = [_order(s) for s in self._short]
        self._starts = [s.start for s in self._short]
        self._long = [s for s in items if s.end - s.start > self._limit]
        self._max_len = max((s.end - s.start for s in self._short), default=0)

    def __len__(self) -> int:
        return len(self.spans)

    def overlapping(self, a: int, z: int) -> list[Span]:
        """Spans with ``start < z`` and ``end > a``, outer ones first."""
        lo = bisect.bisect_left(self._starts, a - self._max_len)
        hi = bisect.bisect_left(self._starts, z)
        found = [s for s in self._short[lo:hi] if s.end > a]
        if self._long:
            found += [s for s in self._long if s.start < z and s.end > a]
            found.sort(key=_order)
        return found

    def at(self, pos: int) -> list[Span]:
        """Spans covering the character at ``pos``."""
        return self.overlapping(pos, pos + 1)

    def updated(self, *, remove: Iterable[Span] = (), add: Iterable[Span] = ()) -> IntervalIndex:
        """A copy without ``remove`` (those present) and with ``add``."""
        new = IntervalIndex()
        new._limit = self._limit
        new.spans, new._keys = list(self.spans), list(self._keys)
        new._short, new._short_keys, new._starts = (
            list(self._short),
            list(self._short_keys),
            list(self._starts),
        )
        new._long = list(self._long)
        new._max_len = self._max_len
        for s in remove:
            new._remove(s)
        for s in add:
            if s.end > s.start:
                new._insert(s)
        return new

    def _insert(self, s: Span) -> None:
        key = _order(s)
        i = bisect.bisect_left(self._keys, key)
        self.spans.insert(i, s)
        self._keys.insert(i, key)
        if s.end - s.start > self._limit:
            self._long.append(s)
            return
        j = bisect.bisect_left(self._short_keys, key)
        self._short.insert(j, s)
        self._short_keys.insert(j, key)
        self._starts.insert(j, s.start)
        self._max_len = max(self._max_len, s.end - s.start)

    def _remove(self, s: Span) -> None:
        key = _order(s)
        i = bisect.bisect_left(self._keys, key)
        if i == len(self._keys) or self._keys[i] != key:
            return
        del self.spans[i], self._keys[i]
        if s.end - s.start > self._limit:
            self._long = [x for x in self._long if x.id != s.id]
            return
        j = bisect.bisect_left(self._short_keys, key)
        del self._short[j], self._short_keys[j], self._starts[j]
        if s.end - s.start == self._max_len:
            self._max_len = max((x.end - x.start for x in self._short), default=0)


def pack_lanes(spans: Sequence[Span], *, gap: int = LANE_GAP) -> dict[int, int]:
    """Greedy first-fit lanes for spans sorted by start: each gets the lowest lane free
    (``gap`` characters after the lane's previous span)."""
    lanes: dict[int, int] = {}
    busy: list[tuple[int, int]] = []  # (end + gap, lane)
    free: list[int] = []
    count = 0
    for s in spans:
        while busy and busy[0][0] <= s.start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane, count = count, count + 1
        lanes[s.id] = lane
        heapq.heappush(busy, (s.end + gap, lane))
    return lanes


def first_free_lane(
    span: Span, index: IntervalIndex, lanes: dict[int, int], *, gap: int = LANE_GAP
) -> int:
    """The lowest lane no neighbour of ``span`` uses (an added coding keeps others in place)."""
    used = {
        lanes[n.id]
        for n in index.overlapping(span.start - gap, span.end + gap)
        if n.id != span.id and n.id in lanes
    }
    lane = 0
    while lane in used:
        lane += 1
    return lane


def initials(name: str) -> str:
    """``Ana Lima`` -> ``AL``; a single word keeps up to three letters (``ben`` -> ``ben``)."""
    words = name.split()
    if len(words) > 1:
        return "".join(w[0] for w in words[:3]).upper()
    return name[:3]


class CodingState:
    """The codings, codes, coders, filters and focus of one transcript view."""

    def __init__(self) -> None:
        self.marks: dict[int, CodingMark] = {}
        self.spans: dict[int, Span] = {}  # every coding, visible or not
        self.index = IntervalIndex()  # visible codings only
        self.lanes: dict[int, int] = {}
        self.lane_count = 0
        self.codes: dict[int, tuple[str, str]] = {}
        self.coders: dict[int, str] = {}
        self.visible_coders: frozenset[int] | None = None
        self.visible_codes: frozenset[int] | None = None
        self.focused: int | None = None
        self._label_starts: list[int] = []
        self._label_ends: list[int] = []
        self._coders_for: IntervalIndex | None = None
        self._coders_count = 0

    # --- turns -------------------------------------------------------------------------------

    def set_turns(self, turns: Sequence[TurnMark], to_qt: Callable[[int], int]) -> None:
        """Remember the label regions ``[start, body_start)`` of the speaker turns."""
        labels = sorted(
            (to_qt(t.start), to_qt(t.body_start)) for t in turns if t.body_start > t.start
        )
        self._label_starts = [a for a, _ in labels]
        self._label_ends = [z for _, z in labels]

    def labels_in(self, a: int, z: int) -> list[tuple[int, int]]:
        """Turn label regions overlapping ``[a, z)``."""
        out = []
        i = bisect.bisect_right(self._label_ends, a)
        while i < len(self._label_starts) and self._label_starts[i] < z:
            out.append((self._label_starts[i], self._label_ends[i]))
            i += 1
        return out

    # --- codings -----------------------------------------------------------------------------

    def is_visible(self, s: Span) -> bool:
        return (self.visible_coders is None or s.coder_id in self.visible_coders) and (
            self.visible_codes is None or s.code_id in self.visible_codes
        )

    def set_marks(
        self,
        marks: Sequence[CodingMark],
        to_qt: Callable[[int], int],
        *,
        changed: Iterable[int] | None = None,
    ) -> list[tuple[int, int]]:
        """Replace the codings; return the ranges (Qt positions) whose drawing changed, or
        ``[]`` with ``changed=None`` (then everything is redrawn and lanes are re-packed)."""
        old, old_marks = self.spans, self.marks
        self.marks = {m.id: m for m in marks}
        if self.focused is not None and self.focused not in self.marks:
            self.focused = None
        if changed is None:
            self.spans = {m.id: _span(m, to_qt) for m in marks}
            self.refilter()
            return []
        # what the caller listed, plus any mark that differs (a recode, a memo flag, an
        # addition or removal left out): about a millisecond for 5,000 codings
        ids = set(changed) | {i for i, m in self.marks.items() if old_marks.get(i) != m}
        ids |= old_marks.keys() - self.marks.keys()
        spans = {
            m.id: s if m.id not in ids and (s := old.get(m.id)) is not None else _span(m, to_qt)
            for m in marks
        }
        self.spans = spans
        removed = [s for i in ids if (s := old.get(i)) is not None]
        added = [s for i in ids if (s := spans.get(i)) is not None]
        self.index = self.index.updated(
            remove=removed, add=[s for s in added if self.is_visible(s)]
        )
        lanes = self.lanes.copy()
        for s in removed:
            lanes.pop(s.id, None)
        for s in sorted(added, key=_order):
            if self.is_visible(s) and s.end > s.start:
                lanes[s.id] = first_free_lane(s, self.index, lanes)
        self.lanes = lanes
        self.lane_count = max(lanes.values(), default=-1) + 1
        return [(s.start, s.end) for s in removed + added]

    def refilter(self) -> None:
        """Rebuild the index and the lanes of the visible codings."""
        self.index = IntervalIndex(s for s in self.spans.values() if self.is_visible(s))
        self.lanes = pack_lanes(self.index.spans)
        self.lane_count = max(self.lanes.values(), default=-1) + 1

    def color(self, code_id: int) -> str | None:
        code = self.codes.get(code_id)
        return code[1] if code else None

    def label(self, s: Span) -> str:
        """A bar's label: the code's leaf name, and its coder's initials when codings of more
        than one coder are shown (two coders' "Police fear" must not look the same)."""
        name = self.code_name(s.code_id)
        if self._coders_shown() > 1:
            name += f" · {initials(self.coders.get(s.coder_id, ''))}"
        return name

    def _coders_shown(self) -> int:
        """How many coders' codings are drawn (cached per index: labels ask on every paint)."""
        if self._coders_for is not self.index:
            self._coders_for = self.index
            self._coders_count = len({x.coder_id for x in self.index.spans})
        return self._coders_count

    def code_name(self, code_id: int) -> str:
        """The code's leaf name (its path's last part)."""
        code = self.codes.get(code_id)
        return code[0].rsplit(">", 1)[-1].strip() if code else f"code {code_id}"
