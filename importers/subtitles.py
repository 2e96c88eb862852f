"""WebVTT and SubRip: cues become a readable transcript with speaker turns and times.

Each turn is one paragraph ``[hh:mm:ss] Speaker: words`` (cues of one speaker joined). Speakers
come from VTT voice tags (``<v Name>``, Teams), or a ``Name:`` at the start of a cue (Zoom). Cues
without any speaker are grouped into paragraphs, a new one after a pause of two seconds.
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from importers.plaintext import decode_bytes
from importers.speakers import is_speaker_label, parse_timestamp
from importers.transcript import ImportProblem, Turn, normalise_text

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>(.*?)(?:</v>|(?=<v[ \t.])|\Z)", re.DOTALL)
_TAG = re.compile(r"</?[a-z][^>]*>|<\d{1,2}:\d{2}[^>]*>", re.IGNORECASE)
_ZOOM_LABEL = re.compile(r"([^\W\d_][\w.'’\- ]{0,39}?):[ \t]+")
_PAUSE_MS = 2000


@dataclass
class _Segment:
    speaker: str | None
    start_ms: int
    end_ms: int
    words: list[str]


def _clean(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def _name(raw: str) -> str:
    """A speaker name as stored: one space between words, NFC (so one person is one speaker)."""
    return normalise_text(" ".join(raw.split()))


def _zoom_label(text: str) -> tuple[str, str] | None:
    """(label, words) when a cleaned cue starts with ``Name: ``."""
    m = _ZOOM_LABEL.match(text)
    if m and len(m.group(1).split()) <= 4:
        return m.group(1).strip(), text[m.end() :]
    return None


def _cue_segments(
    raw: str, start_ms: int, end_ms: int, is_speaker: Callable[[str], bool]
) -> list[_Segment]:
    voices = list(_VOICE.finditer(raw))
    if voices:
        return [
            _Segment(_name(v.group(1)), start_ms, end_ms, [_clean(v.group(2))])
            for v in voices
            if _clean(v.group(2))
        ]
    text = _clean(raw)
    if not text:
        return []
    labelled = _zoom_label(text)
    if labelled and is_speaker(labelled[0]):
        return [_Segment(_name(labelled[0]), start_ms, end_ms, [labelled[1]])]
    return [_Segment(None, start_ms, end_ms, [text])]


def _clock(ms: int) -> str:
    s = ms // 1000
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def read_subtitles(path: Path, kind: str) -> tuple[str, tuple[Turn, ...], dict[str, str]]:
    """Text and turns of a .vtt or .srt file."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    source, _ = decode_bytes(path.read_bytes(), path)
    try:
        captions = list(webvtt.from_buffer(io.StringIO(source), format=kind).captions)
    except (MalformedFileError, MalformedCaptionError) as exc:
        # The library's message may quote the file; the kind of error is enough.
        raise ImportProblem(
            path, f"is not a valid {kind.upper()} file ({type(exc).__name__})"
        ) from None
    if not captions:
        raise ImportProblem(path, f"has no {kind.upper()} cues (empty, truncated or not subtitles)")

    # ``Anna: words`` starts most Zoom cues; ``He said: go`` in one cue names nobody.
    labels = Counter(
        found[0].casefold()
        for cap in captions
        if not _VOICE.search(cap.raw_text) and (found := _zoom_label(_clean(cap.raw_text)))
    )

    def is_speaker(label: str) -> bool:
        return is_speaker_label(label, recurs=labels[label.casefold()] >= 2)

    merged: list[_Segment] = []
    for cap in captions:
        start = parse_timestamp(cap.start) or 0
        end = parse_timestamp(cap.end) or start
        for seg in _cue_segments(cap.raw_text, start, end, is_speaker):
            prev = merged[-1] if merged else None
            if prev is not None and seg.speaker is None and prev.speaker is not None:
                seg.speaker = prev.speaker  # a cue without a name continues the speaker
            if (
                prev is not None
                and prev.speaker == seg.speaker
                and (seg.speaker is not None or seg.start_ms - prev.end_ms < _PAUSE_MS)
            ):
                prev.words.extend(seg.words)
                prev.end_ms = seg.end_ms
            else:
                merged.append(seg)

    parts: list[str] = []
    turns: list[Turn] = []
    pos = 0
    for seg in merged:
        # Normalised piece by piece so that the offsets count the stored code points.
        speaker = seg.speaker or ""
        head = f"[{_clock(seg.start_ms)}] " + (f"{speaker}: " if speaker else "")
        para = head + normalise_text(" ".join(seg.words))
        if speaker:
            turns.append(Turn(pos, pos + len(head), pos + len(para), speaker, seg.start_ms))
        parts.append(para)
        pos += len(para) + 2
    meta = {"cues": str(len(captions))}
    return "\n\n".join(parts), tuple(turns), meta
