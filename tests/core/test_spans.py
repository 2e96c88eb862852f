"""Span helpers and the UTF-16 offset map."""

from __future__ import annotations

import pytest

from qualbench.spans import in_vivo_name, paragraph_span, snap_to_words, turn_span
from qualbench.utf16 import Utf16Map

TEXT = "P1: I don't carry it. The police—they search us.\nP2: Same here."


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (6, 9, "don't"),  # inside a word with an apostrophe
        (3, 12, "I don't"),  # spaces at the ends trimmed
        (3, 13, "I don't carry"),  # a word begun is completed
        (26, 31, "police"),
        (0, 0, ""),
    ],
)
def test_snap_to_words(start: int, end: int, expected: str) -> None:
    s, e = snap_to_words(TEXT, start, end)
    assert TEXT[s:e] == expected


def test_paragraph_and_turn_spans() -> None:
    s, e = paragraph_span(TEXT, 10)
    assert TEXT[s:e] == TEXT.split("\n")[0]
    s, e = paragraph_span(TEXT, len(TEXT))
    assert TEXT[s:e] == "P2: Same here."
    turns = [(0, 4, 48), (49, 53, len(TEXT))]
    assert turn_span(turns, 10) == (4, 48)
    assert turn_span(turns, 50) == (53, len(TEXT))
    assert turn_span([(5, 9, 20)], 2) is None


def test_in_vivo_name() -> None:
    assert in_vivo_name('  "the police   search us."  ') == "the police search us"
    long = in_vivo_name("word " * 40)
    assert len(long) <= 61 and long.endswith("…")
    assert " > " not in in_vivo_name("a > b")


def test_utf16_map_round_trips_around_astral_characters() -> None:
    text = "ab😀cd🎉e"
    m = Utf16Map(text)
    units = text.encode("utf-16-le")
    for cp in range(len(text) + 1):
        u = m.to_utf16(cp)
        assert units[: 2 * u].decode("utf-16-le") == text[:cp]
        assert m.to_code_points(u) == cp
    assert m.to_code_points(3) == 2  # inside the first pair rounds down
    plain = Utf16Map("plain text")
    assert plain.identity and plain.to_utf16(5) == 5
