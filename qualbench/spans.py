"""Spans of text a coder means: snapped to whole words, a paragraph, a speaker turn.

Offsets are code points into a document's text, end exclusive, as everywhere in QualBench.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"\w", re.UNICODE)


def _is_word(ch: str) -> bool:
    return bool(_WORD.match(ch)) or ch in "'’-"


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words and trim spaces at its ends; an empty or
    whitespace-only span comes back unchanged."""
    start, end = max(0, start), min(len(text), end)
    if not text[start:end].strip():
        return start, end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while start > 0 and _is_word(text[start - 1]) and _is_word(text[start]):
        start -= 1
    while end < len(text) and _is_word(text[end - 1]) and _is_word(text[end]):
        end += 1
    return start, end


def paragraph_span(text: str, offset: int) -> tuple[int, int]:
    """The line (paragraph) holding ``offset``, without its line break and outer spaces."""
    offset = max(0, min(offset, len(text)))
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    end = len(text) if end < 0 else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def turn_span(turns: Sequence[tuple[int, int, int]], offset: int) -> tuple[int, int] | None:
    """The words of the speaker turn holding ``offset``: ``turns`` are (start, body_start, end)
    sorted by start; None outside every turn."""
    for start, body_start, end in turns:
        if start <= offset < end or (offset == end and end > start):
            return (body_start, end) if body_start < end else None
        if start > offset:
            break
    return None


def in_vivo_name(text: str, *, limit: int = 60) -> str:
    """A code name made from selected words: one line, no outer punctuation, at most ``limit``
    characters (cut at a word)."""
    name = " ".join(text.split()).strip(" .,;:!?\"'“”‘’()[]«»-–—")
    if len(name) > limit:
        name = name[:limit].rsplit(" ", 1)[0].rstrip(" .,;:") + "…"
    return name.replace(" > ", " – ")
