"""Find speaker turns in transcript text written in the usual conventions.

Recognised, at the start of a line:

- ``INTERVIEWER: ...``, ``P1: ...``, ``Participant 3: ...``, ``Q: ...``, ``**Moderator:** ...``
- ``[00:01:23] Name: ...``, ``00:01:23 Name: ...``, ``(01:23) Name: ...``
- ``Name (00:01:23): ...``, ``Name [00:01:23]: ...``
- a header line with the speaker and a time and the words on the following lines, as Otter,
  Teams and Zoom write them: ``Speaker 1  0:03`` / ``Smith, John   00:01:23`` / ``[Name] 10:15:31``
  / ``00:01:23 Name``.
- a label alone on its line (``Interviewee``) with the words below, for a label that opens
  turns elsewhere in the same text.

A plain ``Word:`` is only taken as a speaker when it is a usual role label (interviewer, P3,
respondent, Q, ...), when it recurs and looks like a name or is one word, or when other speakers
were already found and it looks like a name; so ``Date: 3 May`` in a header or ``He said: go``
in a turn are not speakers. A label with a time needs to look like a name or recur, so that
``We begin at 9:30`` is no header. A turn starts at its label (indentation left out). Lines
without a label continue the current turn. Every label opens a turn, also when the same speaker
goes on: each labelled passage is shown and coded as it was written.
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

_PATTERNS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    # [00:01:23] Name: words   /   00:01:23 - Name: words
    (
        "stamped",
        re.compile(rf"[ \t]*[\[(]?{_TS}[\])]?[ \t]*[-–]?[ \t]*{_LABEL_COMMA}[ \t]*:(?:[ \t]+|$)"),
        True,
    ),
    # Name (00:01:23): words
    ("stamped", re.compile(rf"[ \t]*{_LABEL_COMMA}[ \t]*[\[(]{_TS}[\])][ \t]*:(?:[ \t]+|$)"), True),
    # Header lines, words follow on the next lines.
    ("header", re.compile(rf"[ \t]*{_LABEL_COMMA}[ \t]+[\[(]?{_TS}[\])]?[ \t]*$"), True),
    ("header", re.compile(rf"[ \t]*[\[(]?{_TS}[\])]?[ \t]+{_LABEL_COMMA}[ \t]*$"), True),
    ("header", re.compile(rf"[ \t]*\[{_LABEL_COMMA}\][ \t]+{_TS}[ \t]*$"), True),
    # Name: words   /   **Name:** words   /   **Name**: words
    (
        "plain",
        re.compile(rf"[ \t]*(?:\*\*|__)?{_LABEL}(?:\*\*|__)?[ \t]*:(?:\*\*|__)?(?:[ \t]+|$)"),
        False,
    ),
)
# A label alone on its line (``Interviewee``), words below: only for labels found elsewhere.
_BARE = re.compile(rf"[ \t]*{_LABEL}[ \t]*$")
_BARE_MAX_CHARS = 48
_BARE_PATTERNS = (("bare", _BARE, False),)
_TIMESTAMP = re.compile(r"(\d+(?::\d{1,2}){1,2})(?:[.,](\d{1,3}))?")

_ROLE = re.compile(
    r"(interviewer|interviewee|moderator|facilitator|respondent|participant|speaker|researcher"
    r"|informant|host|guest|translator|interpreter|note[- ]?taker|observer)"
    r"(\s*\d+|\s+[A-Z])?"
    r"|[A-Z]{1,3}\s?\d{1,3}"  # P1, R12, FG2, P 3
    r"|[A-Z]|Int|Resp|IV|IP|Mod",
    re.IGNORECASE,
)
# fmt: off
_NOT_SPEAKERS = frozenset((
    "note", "notes", "date", "time", "location", "place", "site", "title", "duration",
    "transcript", "transcriber", "transcription", "subject", "topic", "re", "summary",
    "keywords", "source", "file", "recording", "audio", "video", "language", "interview",
    "session", "project", "study", "start", "end", "tags", "example", "examples", "warning",
    "comment", "comments", "context", "page", "chapter", "section", "figure", "table", "http",
    "https", "mailto", "update", "edit", "edited",
))
# fmt: on


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
    m = _TIMESTAMP.fullmatch(value.strip())
    if m is None:
        return None
    parts = [int(p) for p in m[1].split(":")]
    if any(p >= 60 for p in parts[1:]):
        return None
    seconds = 0
    for p in parts:
        seconds = seconds * 60 + p
    millis = int((m[2] + "00")[:3]) if m[2] else 0
    return seconds * 1000 + millis


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _match_line(line: str, offset: int) -> _Mark | None:
    if ":" in line:
        candidates = _PATTERNS
    elif len(line) <= _BARE_MAX_CHARS:
        candidates = _BARE_PATTERNS
    else:
        return None
    for kind, pattern, has_ts in candidates:
        m = pattern.match(line)
        if not m:
            continue
        words = m["label"].replace("**", "").split()
        if not words or len(words) > 5:
            continue
        label = " ".join(words).strip(" ,.-")
        if not label or (kind == "bare" and len(label) < 2):
            continue
        millis = None
        if has_ts:
            millis = parse_timestamp(m["ts"])
            if millis is None:
                continue
        start = offset + len(line) - len(line.lstrip(" \t"))
        return _Mark(
            kind, label.casefold(), label, start, offset + m.end(), offset + len(line), millis
        )
    return None


# fmt: off
_PARTICLES = frozenset((
    "de", "da", "del", "della", "der", "den", "van", "von", "la", "le", "du", "di", "bin",
    "ibn", "al", "el", "y",
))
# fmt: on


def _looks_like_name(label: str, max_words: int = 4) -> bool:
    """``Anna``, ``Smith, John``, ``Dr. van Dijk``, ``Speaker 2``: capitalised words or numbers."""
    words = label.split()
    return len(words) <= max_words and all(
        w[:1].isupper() or w[:1].isdigit() or w in _PARTICLES for w in words
    )


def is_speaker_label(label: str, *, recurs: bool) -> bool:
    """Whether ``label`` starting a caption names a speaker (``Anna``, ``P2``, ``jsmith``)."""
    if _label_key(label) in _NOT_SPEAKERS:
        return False
    return bool(_ROLE.fullmatch(label)) or _looks_like_name(label) or (recurs and " " not in label)


def _accepted_keys(marks: list[_Mark]) -> set[str]:
    """Labels that are speakers; lines that merely look like ``Label:`` are left in the turns."""
    counts = Counter(m.key for m in marks if m.kind != "bare")
    accepted: set[str] = set()
    for m in marks:
        if m.kind == "bare" or m.key in _NOT_SPEAKERS or m.key in accepted:
            continue
        recurs = counts[m.key] >= 2
        if _ROLE.fullmatch(m.label):
            accepted.add(m.key)
        elif m.kind == "plain":
            # ``He said: go`` twice is still speech; a recurring ``Anna:`` or ``jsmith:`` is not.
            if recurs and (_looks_like_name(m.label) or " " not in m.label):
                accepted.add(m.key)
        elif recurs or _looks_like_name(m.label):
            # A time stamp makes a label likely, but ``We begin at 9:30`` is no speaker.
            accepted.add(m.key)
    if len(accepted) >= 2:
        # A speaker who talks once ("Anna: ...") in a transcript with other speakers.
        first = min((m.start for m in marks if m.key in accepted), default=0)
        for m in marks:
            if (
                m.kind == "plain"
                and m.start > first
                and m.key not in _NOT_SPEAKERS
                and _looks_like_name(m.label, max_words=3)
            ):
                accepted.add(m.key)
    return accepted


def find_turns(text: str) -> tuple[Turn, ...]:
    """Speaker turns of ``text`` (already normalised), in order, non-overlapping."""
    marks: list[_Mark] = []
    offset = 0
    for line in text.split("\n"):
        mark = _match_line(line, offset) if line else None
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
        body_start = mark.line_end if mark.kind in {"header", "bare"} else mark.body_start
        # Words start at the next non-blank character (for header lines: on the next line).
        while body_start < end and text[body_start].isspace():
            body_start += 1
        body_start = min(body_start, end)
        speaker = names.setdefault(mark.key, mark.label)
        if turns and turns[-1].speaker == speaker and turns[-1].body_start == turns[-1].end:
            # A label with no words (``P2:`` then ``P2: words``): one turn, words at the second.
            prev = turns[-1]
            turns[-1] = Turn(prev.start, body_start, end, speaker, prev.timestamp_ms)
        else:
            turns.append(Turn(mark.start, body_start, end, speaker, mark.timestamp_ms))
    return tuple(turns)
