"""Turn codings into weighted patterns (one value per coder) for the statistics.

For units (sentences, paragraphs, turns, documents) a pattern is counted once per unit; for
characters, every stretch of text where the coders' codings do not change is one pattern
weighted by its length, so ten million characters cost a sweep over the coding boundaries, not
ten million steps.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

Span = tuple[int, int]
Pattern = tuple[Hashable | None, ...]


def covered_units(units: Sequence[Span], starts: Sequence[int], spans: Iterable[Span]) -> set[int]:
    """Indices of ``units`` (sorted, non-overlapping; ``starts`` their starts) that share at
    least one character with any of ``spans``."""
    out: set[int] = set()
    for a, z in spans:
        i = max(0, bisect.bisect_right(starts, a) - 1)
        while i < len(units) and units[i][0] < z:
            if units[i][1] > a:
                out.add(i)
            i += 1
    return out


def sweep(
    length: int, layers: Sequence[Sequence[tuple[int, int, Hashable]]]
) -> Counter[tuple[frozenset[Hashable], ...]]:
    """Characters of a text of ``length`` by what each layer (coder) has on them: for every
    stretch between coding boundaries, the set of labels (codes) each layer covers it with.

    Returns {(labels of layer 0, labels of layer 1, ...): number of characters}."""
    events: list[tuple[int, int, int, Hashable]] = []  # (position, +1/-1, layer, label)
    for layer, spans in enumerate(layers):
        for a, z, label in spans:
            a, z = max(0, a), min(length, z)
            if a < z:
                events.append((a, 1, layer, label))
                events.append((z, -1, layer, label))
    events.sort(key=lambda e: (e[0], e[1]))
    active: list[Counter[Hashable]] = [Counter() for _ in layers]
    out: Counter[tuple[frozenset[Hashable], ...]] = Counter()
    pos = 0
    i = 0
    while i < len(events):
        at = events[i][0]
        if at > pos:
            out[tuple(frozenset(k for k, n in c.items() if n > 0) for c in active)] += at - pos
            pos = at
        while i < len(events) and events[i][0] == at:
            _, step, layer, label = events[i]
            active[layer][label] += step
            i += 1
    if length > pos:
        out[tuple(frozenset() for _ in layers)] += length - pos
    return out
