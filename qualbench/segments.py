"""Units of analysis cut from a document's text: sentences, paragraphs, speaker turns, the whole
document. Each unit is ``[start, end)`` in code points; units never include a speaker's label.

- paragraph: a non-empty line (as paragraph numbers in exports count them), without its label;
- sentence: a paragraph cut after ``.``, ``!``, ``?`` or ``…`` (and closing quotes or brackets)
  followed by white space: a fast rule, the same on every run;
- turn: the words of a speaker turn (documents without turns fall back to paragraphs);
- document: all of it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

UNITS = ("character", "sentence", "paragraph", "turn", "document")
# Group 1 ends the sentence; the white space after it belongs to neither sentence.
_SENTENCE_END = re.compile(r"([.!?…]+[\"'”’»)\]]*)\s+")
_LINE = re.compile(r"[^\n]+")

Span = tuple[int, int]


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraphs(text: str, labels: Sequence[Span] = ()) -> list[Span]:
    """Non-empty lines, each starting after the speaker label it may begin with."""
    starts = [a for a, _ in labels]
    out = []
    for m in _LINE.finditer(text):
        start, end = _strip(text, m.start(), m.end())
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and labels[i][0] <= start < labels[i][1]:
            start = min(end, labels[i][1])
            start, end = _strip(text, start, end)
        if start < end:
            out.append((start, end))
    return out


def sentences(text: str, labels: Sequence[Span] = ()) -> list[Span]:
    out = []
    find = _SENTENCE_END.finditer
    for start, end in paragraphs(text, labels):
        # A paragraph has no white space at either end, and a sentence end is followed by white
        # space that stops before text (or at the paragraph's end, which ends no sentence): so a
        # sentence runs from the text after one end to the punctuation of the next, unstripped.
        pos = start
        for m in find(text, start, end):
            stop = m.end()
            if stop < end:
                out.append((pos, m.end(1)))
                pos = stop
        out.append((pos, end))
    return out


def unit_spans(
    text: str, turns: Sequence[tuple[int, int, int]], unit: str
) -> tuple[list[Span], str]:
    """The units of one document, sorted, non-overlapping, and what they are.

    ``turns`` are (start, body_start, end). Returns (spans, description) where the description
    says when a fallback was used (turns requested in a document without turns)."""
    labels = sorted((s, b) for s, b, _ in turns if b > s)
    if unit == "document":
        return ([(0, len(text))] if text.strip() else []), "the whole document"
    if unit == "paragraph":
        return paragraphs(text, labels), "paragraphs (non-empty lines, speaker labels left out)"
    if unit == "sentence":
        return sentences(text, labels), "sentences (split after . ! ? …, speaker labels left out)"
    if unit == "turn":
        spans = sorted(_strip(text, b, e) for _, b, e in turns)
        spans = [(a, z) for a, z in spans if a < z]
        if spans:
            return spans, "speaker turns (their words, labels left out)"
        return paragraphs(text, labels), "paragraphs (this document has no speaker turns)"
    raise ValueError(f"unit must be one of {', '.join(UNITS)}")
