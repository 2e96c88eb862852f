"""Where a REFI-QDA selection starts and ends, in the file's units and in ours.

QualBench offsets are code points into a document's stored text (LF line breaks, no BOM, NFC).
A REFI file counts positions in the plain text it carries, and the tools disagree on how:

- the standard (REFI-QDA 1.5, section 10.2): Unicode code points, the first one is 0;
- NVivo: UTF-16 code units (an emoji counts two), a CR LF line break counts two, a byte-order
  mark is not counted;
- ATLAS.ti: writes CR LF into the text but counts each line break as one position;
- MAXQDA: expects CR LF line breaks, counted as two.

A :class:`Convention` is one such reading (UTF-16 or code points; CR LF as one or two; BOM counted
or not). On import, :func:`detect` tries every convention on every selection of the file and
keeps the one under which selections start and end between words (not inside a word, a line
break, an emoji or before a combining mark) and under which the text a selection covers begins
with the selection's name where the tool wrote the covered text there (ATLAS.ti, NVivo). The
convention the producing tool is known for (``Project/@origin``) is kept unless another fits
clearly better: a boundary between words scores 1, a name that matches 4, a selection beyond
the text -4, and another convention must lead by more than 2 points or 5% of the boundaries;
ties go to the producing tool's convention, then to the standard's, NVivo's and ATLAS.ti's. At
most 2000 selections, spread over the sources, are scored. Then every position goes through two exact maps:
:class:`UnitMap` (file units -> code points of the raw text) and :class:`NormMap` (raw text ->
the normalised text we store, through BOM removal, CR LF -> LF, NFC composition). A position
inside an emoji rounds outwards (the start down, the end up).

On export, :class:`Profile` says which text we write and how we count: we export the stored
text (LF), or for the NVivo, MAXQDA and ATLAS.ti profiles the same text with CR LF line breaks;
positions are code points of the text we write (standard, maxqda), UTF-16 units of it (nvivo),
or code points with each CR LF counted once, i.e. code points of our stored text (atlas).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from importers import normalise_text


@dataclass(frozen=True)
class Convention:
    """How positions count characters."""

    utf16: bool = False  # UTF-16 code units: characters beyond U+FFFF count two
    crlf_one: bool = False  # a CR LF line break counts as one position
    bom_counted: bool = False  # a leading byte-order mark is position 0

    def describe(self) -> str:
        return ", ".join(
            (
                "UTF-16 code units" if self.utf16 else "Unicode code points",
                "a CR LF line break counted as one" if self.crlf_one else "CR LF counted as two",
                "the byte-order mark counted"
                if self.bom_counted
                else "the byte-order mark not counted",
            )
        )


CONVENTIONS = tuple(
    Convention(u, c, b) for u in (False, True) for c in (False, True) for b in (False, True)
)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# What real tools write: the standard (and QualCoder, MAXQDA), NVivo, ATLAS.ti.
KNOWN = (Convention(), Convention(utf16=True), Convention(crlf_one=True))


class UnitMap:
    """Positions in a convention's units <-> code-point indices of one text (exact, and free for
    text where the convention changes nothing)."""

    def __init__(self, text: str, convention: Convention) -> None:
        self.length = len(text)
        points: list[tuple[int, int]] = []  # (index, weight) of characters not counting one
        if text.startswith("\ufeff") and not convention.bom_counted:
            points.append((0, 0))
        if convention.crlf_one and "\r\n" in text:
            points += [(m.start(), 0) for m in re.finditer("\r\n", text)]
        if convention.utf16 and not text.isascii():
            points += [(m.start(), 2) for m in _ASTRAL.finditer(text)]
        points.sort()
        self._at = [i for i, _ in points]
        self._delta = [0]  # units minus code points before each irregular character
        for _, w in points:
            self._delta.append(self._delta[-1] + w - 1)
        self._ends = [i + d for i, d in zip(self._at, self._delta, strict=False)]

    @property
    def units(self) -> int:
        return self.to_units(self.length)

    def to_units(self, index: int) -> int:
        """Code-point index -> units."""
        return index + self._delta[bisect.bisect_left(self._at, index)]

    def to_index(self, units: int) -> tuple[int, bool]:
        """Units -> the first code-point index at that position; ``exact`` is False when the
        position falls inside a character that counts two (the index after it is returned)."""
        k = bisect.bisect_left(self._ends, units)
        lower = self._at[k - 1] + 1 if k > 0 else 0
        index = max(lower, units - self._delta[k])
        return index, index + self._delta[k] == units


_REPLACE = re.compile("\r\n|[\r\u2028\u2029\f\x00]")
_OUT = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n", "\f": "\n", "\x00": ""}
_NOT_LATIN = re.compile("[^\x00-\u02ff]+")  # below U+0300 every character is a stable starter


class NormMap:
    """Code-point indices of a raw text -> indices into ``normalise_text(raw)`` (``.text``).

    Each step of the normalisation (BOM, line breaks, separators, NUL, NFC) is mapped exactly;
    an index inside a CR LF pair maps to the line break. NFC is applied run by run: characters
    below U+0300 neither change nor combine with what precedes them, so each run of other
    characters, with the character before it, normalises on its own.
    """

    def __init__(self, raw: str) -> None:
        starts: list[int] = []
        lengths: list[int] = []
        outs: list[int] = []  # where each replacement's output starts in the intermediate text
        shift: list[int] = []  # total length change after each replacement
        pieces: list[str] = []
        last = 0
        total = 0
        reps = list(_REPLACE.finditer(raw))
        if raw.startswith("\ufeff"):
            reps.insert(0, re.match("\ufeff", raw))  # type: ignore[arg-type]
        for m in reps:
            out = _OUT.get(m.group(), "")
            pieces.append(raw[last : m.start()])
            starts.append(m.start())
            lengths.append(m.end() - m.start())
            outs.append(m.start() + total)
            total += len(out) - (m.end() - m.start())
            shift.append(total)
            pieces.append(out)
            last = m.end()
        pieces.append(raw[last:])
        middle = "".join(pieces)
        self._a = (starts, lengths, outs, shift)
        self._segments: tuple[list[int], list[int], list[int], list[list[int]]] = ([], [], [], [])
        if unicodedata.is_normalized("NFC", middle):
            self.text = middle
        else:
            self.text = self._compose(middle)
        if self.text != normalise_text(raw):
            raise ValueError("the text cannot be mapped onto its normalised form")

    def _compose(self, text: str) -> str:
        seg_a, seg_shift, seg_len, seg_offsets = self._segments
        pieces: list[str] = []
        last = 0
        total = 0
        for m in _NOT_LATIN.finditer(text):
            a = max(last, m.start() - 1)
            part = text[a : m.end()]
            composed = unicodedata.normalize("NFC", part)
            if composed == part:
                continue
            pieces.append(text[last:a])
            if len(part) <= 2000:
                offsets, high = [], 0
                for j in range(len(part) + 1):
                    high = max(high, len(unicodedata.normalize("NFC", part[:j])))
                    offsets.append(min(high, len(composed)))
                offsets[-1] = len(composed)
            else:
                offsets = [round(j * len(composed) / len(part)) for j in range(len(part) + 1)]
            seg_a.append(a)
            seg_shift.append(total)
            seg_len.append(len(part))
            seg_offsets.append(offsets)
            total += len(composed) - len(part)
            pieces.append(composed)
            last = m.end()
        pieces.append(text[last:])
        return "".join(pieces)

    def __call__(self, index: int) -> int:
        starts, lengths, outs, shift = self._a
        k = bisect.bisect_right(starts, index) - 1
        inside_replacement = k >= 0 and index < starts[k] + lengths[k]
        middle = outs[k] if inside_replacement else index + (shift[k] if k >= 0 else 0)
        seg_a, seg_shift, seg_len, seg_offsets = self._segments
        s = bisect.bisect_right(seg_a, middle) - 1
        if s < 0:
            return middle
        inside = middle - seg_a[s]
        if inside <= seg_len[s]:
            return seg_a[s] + seg_shift[s] + seg_offsets[s][inside]
        return middle + seg_shift[s] + seg_offsets[s][-1] - seg_len[s]


# --- placing a file's selections ---------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    start: int
    end: int
    rounded: bool  # a position fell inside an emoji or a line break and was rounded outwards


class SourceText:
    """One source's raw text read under a convention: positions -> our stored text's offsets."""

    def __init__(self, raw: str, convention: Convention) -> None:
        self.raw = raw
        self.units = UnitMap(raw, convention)
        self.norm = NormMap(raw)

    @property
    def text(self) -> str:
        return self.norm.text

    def place(self, start: int, end: int) -> Placed | str:
        """Our span for a selection, or why it cannot be placed."""
        if start < 0 or end < start:
            return "has negative or reversed positions"
        if end > self.units.units:
            return "ends beyond the text"
        a, exact_a = self.units.to_index(start)
        b, exact_b = self.units.to_index(end)
        if not exact_a:
            a -= 1
        split = 0 < b < len(self.raw) and self.raw[b - 1] == "\r" and self.raw[b] == "\n"
        s, e = self.norm(a), self.norm(b)
        if split:
            e = self.norm(b + 1)  # an end between CR and LF takes the whole line break
        if s >= e:
            return "covers no text once line breaks are normalised"
        return Placed(s, e, not (exact_a and exact_b) or split)


# --- detection ----------------------------------------------------------------------------------


@dataclass
class Fit:
    """How well one convention places a file's selections."""

    convention: Convention
    boundaries: int = 0
    clean: int = 0  # boundaries between words
    names_checked: int = 0
    names_matched: int = 0
    outside: int = 0  # selections beyond the text

    @property
    def score(self) -> float:
        return self.clean + 4 * self.names_matched - 4 * self.outside

    def describe(self) -> str:
        out = f"{self.clean} of {self.boundaries} selection boundaries between words"
        if self.names_checked:
            out += f", {self.names_matched} of {self.names_checked} selection names match the text"
        if self.outside:
            out += f", {self.outside} selections beyond the text"
        return out


def _wordish(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


def _clean(raw: str, index: int, exact: bool) -> bool:
    if index <= 0 or index >= len(raw):
        return index in (0, len(raw)) and exact
    if not exact or (raw[index - 1] == "\r" and raw[index] == "\n"):
        return False
    if unicodedata.category(raw[index])[0] == "M":
        return False
    return not (_wordish(raw[index - 1]) and _wordish(raw[index]))


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def name_hint(name: str) -> str:
    """A selection name as evidence: the text a tool wrote there, without a trailing ellipsis;
    "" when too short to tell anything."""
    hint = _squash(name).rstrip(".… ")
    return hint if len(hint) >= 4 else ""


def fit(raw: str, selections: Sequence[tuple[int, int, str]], convention: Convention) -> Fit:
    """Score one convention on one source's selections ((start, end, name) in file units)."""
    units = UnitMap(raw, convention)
    result = Fit(convention)
    limit = units.units
    for start, end, name in selections:
        if start < 0 or end < start or end > limit:
            result.outside += 1
            continue
        a, exact_a = units.to_index(start)
        b, exact_b = units.to_index(end)
        result.boundaries += 2
        result.clean += _clean(raw, a, exact_a) + _clean(raw, b, exact_b)
        hint = name_hint(name)
        if hint:
            result.names_checked += 1
            result.names_matched += _squash(raw[a:b]).startswith(hint)
    return result


def _relevant(raw: str, c: Convention) -> Convention:
    """The convention reduced to what matters for this text (the same map, computed once)."""
    return Convention(
        c.utf16 and _ASTRAL.search(raw) is not None,
        c.crlf_one and "\r\n" in raw,
        c.bom_counted and raw.startswith("\ufeff"),
    )


@dataclass
class Detection:
    convention: Convention
    fits: dict[Convention, Fit]
    decided_by: str  # "the best fit", "the producing tool's convention ...", "nothing ..."
    features: frozenset[str] = frozenset()  # "astral", "crlf", "bom": where conventions differ

    def describe(self) -> str:
        chosen = self.fits[self.convention]
        if not chosen.boundaries and not chosen.outside:
            return "positions: no selections on a plain text to tell how the file counts them"
        c = self.convention
        parts = ["UTF-16 code units" if c.utf16 else "Unicode code points"]
        if "crlf" in self.features:
            parts.append(
                "a CR LF line break counted as one" if c.crlf_one else "CR LF counted as two"
            )
        if "bom" in self.features:
            parts.append("the byte-order mark counted" if c.bom_counted else "the BOM not counted")
        out = f"positions read as {', '.join(parts)} ({self.decided_by}: {chosen.describe()})"
        if not self.features:
            out += "; the texts have no emoji, CR LF or byte-order mark, where conventions differ"
        return out


EVIDENCE = 2000  # selections looked at, at most (spread over the sources): plenty to decide


def detect(
    sources: Sequence[tuple[str, Sequence[tuple[int, int, str]]]], prior: Convention
) -> Detection:
    """The convention that best fits every source's selections (see the module docstring)."""
    totals = {c: Fit(c) for c in CONVENTIONS}
    features: set[str] = set()
    per_source = max(20, EVIDENCE // max(1, len(sources)))
    for raw, every in sources:
        step = max(1, len(every) // per_source)
        selections = every[::step]
        if not selections:
            continue
        features.update(
            name
            for name, present in (
                ("astral", _ASTRAL.search(raw) is not None),
                ("crlf", "\r\n" in raw),
                ("bom", raw.startswith("\ufeff")),
            )
            if present
        )
        cache: dict[Convention, Fit] = {}
        for c in CONVENTIONS:
            key = _relevant(raw, c)
            if key not in cache:
                cache[key] = fit(raw, selections, key)
            f, t = cache[key], totals[c]
            t.boundaries += f.boundaries
            t.clean += f.clean
            t.names_checked += f.names_checked
            t.names_matched += f.names_matched
            t.outside += f.outside
    # Ties go to the producing tool's convention, then to those tools are known to write.
    order = [prior, *KNOWN, *CONVENTIONS]
    ranked = sorted(CONVENTIONS, key=lambda c: (-totals[c].score, order.index(c)))
    best = ranked[0]
    margin = max(2.0, 0.05 * totals[prior].boundaries)
    found = frozenset(features)
    if all(totals[c].score == totals[prior].score for c in CONVENTIONS):
        return Detection(prior, totals, "the producing tool's convention", found)
    if totals[best].score - totals[prior].score <= margin:
        return Detection(prior, totals, "the producing tool's convention, which fits", found)
    return Detection(best, totals, "the best fit", found)


# --- export -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """How an export writes text and counts positions, for one kind of receiving tool."""

    name: str
    convention: Convention
    crlf: bool  # write CR LF line breaks
    description: str


PROFILES = {
    p.name: p
    for p in (
        Profile(
            "standard",
            Convention(),
            False,
            "code points of the exported text, which is our stored text (LF line breaks)",
        ),
        Profile(
            "nvivo",
            Convention(utf16=True),
            True,
            "text with CR LF line breaks; UTF-16 code units, each CR LF counted as two (as NVivo)",
        ),
        Profile(
            "maxqda",
            Convention(),
            True,
            "text with CR LF line breaks; code points, each CR LF counted as two (as MAXQDA expects)",
        ),
        Profile(
            "atlas",
            Convention(crlf_one=True),
            True,
            "text with CR LF line breaks; code points, each CR LF counted as one (as ATLAS.ti)",
        ),
    )
}


def prior_for(origin: str) -> Convention:
    """The convention the producing tool (``Project/@origin``) is known to write."""
    o = origin.casefold()
    if "qualbench" in o:
        m = re.search(r"profile:?\s*(\w+)", o)
        return PROFILES[m.group(1)].convention if m and m.group(1) in PROFILES else Convention()
    if "nvivo" in o:
        return Convention(utf16=True)
    if "atlas" in o:
        return Convention(crlf_one=True)
    return Convention()


class ExportPositions:
    """Our offsets into a document's stored text -> positions in the text a profile exports."""

    def __init__(self, text: str, profile: Profile) -> None:
        self.text = text.replace("\n", "\r\n") if profile.crlf else text
        self._lf = [m.start() for m in re.finditer("\n", text)] if profile.crlf else []
        self._units = UnitMap(self.text, profile.convention)

    def __call__(self, offset: int) -> int:
        return self._units.to_units(offset + bisect.bisect_left(self._lf, offset))
