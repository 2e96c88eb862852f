"""Position conventions: exact maps between file units, raw text and our normalised text, the
detection of a file's convention, and export positions for each profile."""

from __future__ import annotations

import random
import unicodedata

import pytest

from importers import normalise_text
from qualbench.refi.positions import (
    CONVENTIONS,
    PROFILES,
    Convention,
    ExportPositions,
    NormMap,
    Placed,
    SourceText,
    UnitMap,
    detect,
    prior_for,
)

ALPHABET = [
    "a", "b", " ", "é", "e\u0301", "\u0308", "\r\n", "\r", "\n", "\u2028", "\u2029", "\f",
    "\x00", "😀", "👨‍👩‍👧", "\U0001d11e", "ह", "\u093f", "\u1100\u1161", "Å", "\u212b", "ﬁ",
    "\u0345\u0301", "Ω", "\u2126", "z",
]  # fmt: skip


def random_text(rng: random.Random, n: int) -> str:
    text = "".join(rng.choice(ALPHABET) for _ in range(n))
    return ("\ufeff" + text) if rng.random() < 0.3 else text


def units_of(text: str, i: int, c: Convention) -> int:
    """The convention's count of text[:i], computed the slow, obvious way."""
    head = text[:i]
    if text.startswith("\ufeff") and not c.bom_counted and i > 0:
        head = head[1:]
    if c.crlf_one:
        head = head.replace("\r\n", "\n")
    return len(head.encode("utf-16-le")) // 2 if c.utf16 else len(head)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_unit_map_matches_the_obvious_count(convention: Convention) -> None:
    rng = random.Random(7)
    for _ in range(200):
        text = random_text(rng, rng.randint(0, 30))
        m = UnitMap(text, convention)
        for i in range(len(text) + 1):
            if convention.crlf_one and text[i - 1 : i + 1] == "\r\n":
                continue  # between the CR and the LF of a break counted once: no position
            u = units_of(text, i, convention)
            assert m.to_units(i) == u
            back, exact = m.to_index(u)
            assert exact and m.to_units(back) == u and back <= i


def test_unit_map_flags_positions_inside_an_emoji() -> None:
    m = UnitMap("a😀b", Convention(utf16=True))
    assert m.to_index(1) == (1, True)
    assert m.to_index(2) == (2, False)  # between the two halves: the index after the emoji
    assert m.to_index(3) == (2, True)
    assert m.units == 4


def test_norm_map_reproduces_normalise_text_and_maps_stable_points() -> None:
    rng = random.Random(11)
    for _ in range(400):
        raw = random_text(rng, rng.randint(0, 40))
        m = NormMap(raw)
        assert m.text == normalise_text(raw)
        assert m(0) == 0 and m(len(raw)) == len(m.text)
        previous = 0
        for i in range(len(raw) + 1):
            assert m(i) >= previous  # monotone
            previous = m(i)
            stable = i == len(raw) or (raw[i] in "abz " and not (i > 0 and raw[i - 1] == "\r"))
            if stable:
                assert m(i) == len(normalise_text(raw[:i])), (raw, i)


def test_characters_below_u0300_are_stable_starters() -> None:
    """NormMap composes run by run on this property of Unicode; prove it for this Python."""
    for c in map(chr, range(0x300)):
        assert unicodedata.combining(c) == 0 and unicodedata.normalize("NFC", c) == c
    seconds = {
        int(d.split()[1], 16)
        for c in range(0x110000)
        if (d := unicodedata.decomposition(chr(c)))
        and not d.startswith("<")
        and len(d.split()) == 2
    }
    assert min(seconds) >= 0x300


def test_place_rounds_outwards_and_maps_through_nfc() -> None:
    raw = "\ufeffcafe\u0301 😀 ok\r\nnext"
    t = SourceText(raw, Convention(utf16=True))
    assert t.text == "café 😀 ok\nnext"
    start = raw.index("😀") - 1  # units before the emoji: no astral character, BOM not counted
    # the selection starts between the emoji's two halves and ends between CR and LF
    placed = t.place(start + 1, start + 6)
    assert isinstance(placed, Placed) and placed.rounded
    assert t.text[placed.start : placed.end] == "😀 ok\n"
    # "cafe" + combining acute is "café" once composed, however much of it is selected
    assert t.place(0, 5) == t.place(0, 4) == Placed(0, 4, False)
    assert t.place(5, 3) == "has negative or reversed positions"
    assert t.place(0, 999) == "ends beyond the text"


def _selections(raw: str, phrases: list[str], c: Convention) -> list[tuple[int, int, str]]:
    out = []
    for p in phrases:
        i = raw.index(p)
        out.append((units_of(raw, i, c), units_of(raw, i + len(p), c), ""))
    return out


TEXT = (
    "\ufeffInterviewer: Where 🤔 did you stay 🏠 after release?\r\n"
    "P2: At a shelter 🛏️ for three nights, then with my aunt 👵 in town.\r\n"
    "Interviewer: And then?\r\n"
    "P2: Work at the market 🍎 and the police 🚓 left me alone.\r\n"
)
PHRASES = ["Where 🤔 did you stay 🏠", "shelter 🛏️ for three nights", "my aunt 👵 in town",
           "And then", "Work at the market 🍎", "police 🚓 left me alone"]  # fmt: skip


@pytest.mark.parametrize("truth", CONVENTIONS)
def test_detect_finds_the_convention_from_the_words(truth: Convention) -> None:
    detection = detect([(TEXT, _selections(TEXT, PHRASES, truth))], prior=Convention())
    assert detection.convention == truth
    chosen = detection.fits[truth]
    assert chosen.clean == chosen.boundaries == 2 * len(PHRASES)


def test_detect_uses_selection_names() -> None:
    """Text with one line break and no emoji: boundaries alone hardly tell CR LF readings
    apart; names (the covered text, as ATLAS.ti writes it) do."""
    raw = "A: yes\r\nB: no no no\r\n" * 3
    sels = []
    for n in range(3):
        i = raw.index("no no", n * 21)
        start = len(raw[:i].replace("\r\n", "\n"))
        sels.append((start, start + 5, "no no"))
    detection = detect([(raw, sels)], prior=Convention())
    assert detection.convention.crlf_one


def test_prior_wins_when_nothing_tells_them_apart() -> None:
    detection = detect([("plain ascii text", [(0, 5, "")])], prior=Convention(utf16=True))
    assert detection.convention == Convention(utf16=True)
    assert "no emoji, CR LF or byte-order mark" in detection.describe()


def test_priors_of_known_tools() -> None:
    assert prior_for("NVivo 12 (12.6.0.959)") == Convention(utf16=True)
    assert prior_for("ATLAS.ti for Windows 23.2.3") == Convention(crlf_one=True)
    assert prior_for("MAXQDA 2022 (Release 22.4.0)") == Convention()
    assert prior_for("QualBench 0.1.0 (REFI-QDA profile: nvivo)") == Convention(utf16=True)
    assert prior_for("QualBench 0.1.0 (REFI-QDA profile: atlas)") == Convention(crlf_one=True)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_export_positions_point_at_the_same_words(profile: str) -> None:
    text = normalise_text("Q: hi 😀 there\nA: ok 👍🏽 fine\n\nQ: café")
    to = ExportPositions(text, PROFILES[profile])
    assert ("\r\n" in to.text) == PROFILES[profile].crlf
    for word in ("hi 😀 there", "ok 👍🏽 fine", "fine\n\nQ: café", "café"):
        a, b = text.index(word), text.index(word) + len(word)
        back = SourceText(to.text, PROFILES[profile].convention).place(to(a), to(b))
        assert back == Placed(a, b, False)
    if profile == "nvivo":
        start = to(text.index("ok"))
        assert to.text.encode("utf-16-le")[2 * start : 2 * start + 4].decode("utf-16-le") == "ok"
