"""Find speaker turns in transcript text written in the usual conventions.

Recognised, at the start of a line:

- ``INTERVIEWER: ...``, ``P1: ...``, ``Participant 3: ...``, ``Q: ...``, ``**Moderator:** ...``
- ``[00:01:23] Name: ...``, ``00:01:23 Name: ...``, ``(01:23) Name: ...``
- ``Name (00:01:23): ...``, ``Name [00:01:23]: ...``
- a header line with the speaker and a time and the words on the following lines, as Otter,
  Teams and Zoom write them: ``Speaker 1  0:03`` / ``Smith, John   00:01:23`` / ``[Name] 10:15:31``
  / ``00:01:23 Name``.

A plain ``Word:`` is only taken as a speaker when it is a usual role label (interviewer, P3,
respondent, Q, ...), when it recurs, or when other speakers were already found and it looks like
a name; so ``Date: 3 May`` in a header or ``He said: go`` in a turn are not speakers. Lines
without a label continue the current turn. Consecutive turns of one speaker are one turn.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from importers.transcript import Turn

_TS = r"(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)"
# A label starts with a letter and is at most 40 characters of letters, digits, spaces and the
# punctuation names use. Commas (``Smith, John``) only where a time stamp makes it unambiguous.
_LABEL = r"(?P<label>[^\W\d_][\w.'’\- ]{0,39}?)"
_LABEL_COMMA = r"(?P<label>[^\W\d_][\w.'’\-, ]{0,39}?)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # [00:01:23] Name: words   /   00:01:23 - Name: words
    ("stamped", re.compile(rf"[ \t]*[\[(]?{_TS}[\])]?[ \t]*[-–]?[ \t]*{_LABEL_COMMA}[ \t]*:(?:[ \t]+|$)")),
    # Name (00:01:23): words
    ("stamped", re.compile(rf"[ \t]*{_LABEL_COMMA}[ \t]*[\[(]{_TS}[\])][ \t]*:(?:[ \t]+|$)")),
    # Header lines, words follow on the next lines.
    ("header", re.compile(rf"[ \t]*{_LABEL_COMMA}[ \t]+[\[(]?{_TS}[\])]?[ \t]*$")),
    ("header", re.compile(rf"[ \t]*[\[(]?{_TS}[\])]?[ \t]+{_LABEL_COMMA}[ \t]*$")),
    ("header", re.compile(rf"[ \t]*\[{_LABEL_COMMA}\][ \t]+{_TS}[ \t]*$")),
    # Name: words   /   **Name:** words   /   **Name**: words
    ("plain", re.compile(rf"[ \t]*(?:\*\*|__)?{_LABEL}(?:\*\*|__)?[ \t]*:(?:\*\*|__)?(?:[ \t]+|$)")),
)

_ROLE = re.compile(
    r"(interviewer|interviewee|moderator|facilitator|respondent|participant|speaker|researcher"
    r"|informant|host|guest|translator|interpreter|note[- ]?taker|observer)"
    r"(\s*\d+|\s+[A-Z])?"
    r"|[A-Z]{1,3}\s?\d{1,3}"  # P1, R12, FG2, P 3
    r"|[A-Z]|Int|Resp|IV|IP|Mod",
    re.IGNORECASE,
)
_ROLE_WORDS = frozenset(
    {"interviewer", "moderator", "facilitator", "researcher", "host", "i", "q", "int", "iv", "mod"}
)
_NOT_SPEAKERS = frozenset(
    "note notes date time location place site title duration transcript transcriber transcription "
    "subject topic re summary keywords source file recording audio video language interview "
    "session project study start end tags example examples warning comment comments context "
    "page chapter section figure table http https mailto update edit edited".split()
)


@dataclass(frozen=True, slots=True)
class _Mark:
    """A line that may open a turn."""

    kind: str
    key: str
    label: str
    start: int
    body_start: int
    line_end: int
    timestamp_ms: int | None


def parse_timestamp(value: str) -> int | None:
    """``1:02:03.5`` / ``01:02`` / ``00:00:05,120`` -> milliseconds, or None if it is no time."""
    main, _, frac = value.replace(",", ".").partition(".")
    parts = [int(p) for p in main.split(":")]
    if any(p >= 60 for p in parts[1:]):
        return None
    seconds = 0
    for p in parts:
        seconds = seconds * 60 + p
    millis = int((frac + "00")[:3]) if frac else 0
    return seconds * 1000 + millis


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _match_line(line: str, offset: int) -> _Mark | None:
    if ":" not in line:
        return None
    for kind, pattern in _PATTERNS:
        m = pattern.match(line)
        if not m:
            continue
        label = " ".join(m["label"].replace("**", "").split()).strip(" ,.-")
        if not label or len(label.split()) > 5:
            continue
        ts = m.groupdict().get("ts")
        millis = parse_timestamp(ts) if ts else None
        if ts and millis is None:
            continue
        return _Mark(kind, _label_key(label), label, offset, offset + m.end(), offset + len(line), millis)
    return None


def _looks_like_name(label: str) -> bool:
    words = label.split()
    return len(words) <= 3 and all(w[:1].isupper() for w in words)


def _accepted_keys(marks: list[_Mark]) -> set[str]:
    counts = Counter(m.key for m in marks)
    accepted = {m.key for m in marks if m.kind != "plain"}
    for m in marks:
        if m.kind == "plain" and m.key not in _NOT_SPEAKERS and (
            _ROLE.fullmatch(m.label) or counts[m.key] >= 2
        ):
            accepted.add(m.key)
    if len(accepted) >= 2:
        # A speaker who talks once ("Anna: ...") in a transcript with other speakers.
        first = min((m.start for m in marks if m.key in accepted), default=0)
        for m in marks:
            if (
                m.kind == "plain"
                and m.start > first
                and m.key not in _NOT_SPEAKERS
                and _looks_like_name(m.label)
            ):
                accepted.add(m.key)
    return accepted


def find_turns(text: str) -> tuple[Turn, ...]:
    """Speaker turns of ``text`` (already normalised), in order, non-overlapping."""
    marks: list[_Mark] = []
    lines: list[tuple[int, int]] = []  # (start, end) of every line
    offset = 0
    for line in text.split("\n"):
        lines.append((offset, offset + len(line)))
        mark = _match_line(line, offset)
        if mark is not None:
            marks.append(mark)
        offset += len(line) + 1
    accepted = _accepted_keys(marks)
    openers = [m for m in marks if m.key in accepted]
    if not openers:
        return ()

    names: dict[str, str] = {}
    turns: list[Turn] = []
    boundaries = [m.start for m in openers[1:]] + [len(text)]
    for mark, limit in zip(openers, boundaries, strict=True):
        end = limit
        while end > mark.start and text[end - 1].isspace():
            end -= 1
        body_start = mark.line_end if mark.kind == "header" else mark.body_start
        # Words start at the next non-blank character (for header lines: on the next line).
        while body_start < end and text[body_start].isspace():
            body_start += 1
        body_start = min(body_start, end)
        speaker = names.setdefault(mark.key, mark.label)
        if turns and turns[-1].speaker == speaker:
            prev = turns[-1]
            turns[-1] = Turn(prev.start, prev.body_start, end, speaker, prev.timestamp_ms)
        else:
            turns.append(Turn(mark.start, body_start, end, speaker, mark.timestamp_ms))
    return tuple(turns)
