"""WebVTT and SubRip: cues become a readable transcript with speaker turns and times.

Each turn is one paragraph ``[hh:mm:ss] Speaker: words`` (cues of one speaker joined). Speakers
come from VTT voice tags (``<v Name>``, Teams), or a ``Name:`` at the start of a cue (Zoom). Cues
without any speaker are grouped into paragraphs, a new one after a pause of two seconds.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from importers.plaintext import decode_bytes
from importers.speakers import parse_timestamp
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


def _cue_segments(raw: str, start_ms: int, end_ms: int) -> list[_Segment]:
    voices = list(_VOICE.finditer(raw))
    if voices:
        return [
            _Segment(" ".join(v.group(1).split()), start_ms, end_ms, [_clean(v.group(2))])
            for v in voices
            if _clean(v.group(2))
        ]
    text = _clean(raw)
    if not text:
        return []
    m = _ZOOM_LABEL.match(text)
    if m and len(m.group(1).split()) <= 4:
        return [_Segment(m.group(1).strip(), start_ms, end_ms, [text[m.end():]])]
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
        captions = list(webvtt.from_buffer(io.StringIO(source), format=kind))
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise ImportProblem(path, f"is not a valid {kind.upper()} file ({exc})") from None
    if not captions:
        raise ImportProblem(path, f"has no {kind.upper()} cues (empty, truncated or not subtitles)")

    merged: list[_Segment] = []
    for cap in captions:
        start = parse_timestamp(cap.start) or 0
        end = parse_timestamp(cap.end) or start
        for seg in _cue_segments(cap.raw_text, start, end):
            prev = merged[-1] if merged else None
            if prev is not None and seg.speaker is None and prev.speaker is not None:
                seg.speaker = prev.speaker  # a cue without a name continues the speaker
            if prev is not None and prev.speaker == seg.speaker and (
                seg.speaker is not None or seg.start_ms - prev.end_ms < _PAUSE_MS
            ):
                prev.words.extend(seg.words)
                prev.end_ms = seg.end_ms
            else:
                merged.append(seg)

    parts: list[str] = []
    turns: list[Turn] = []
    pos = 0
    for seg in merged:
        head = f"[{_clock(seg.start_ms)}] " + (f"{seg.speaker}: " if seg.speaker else "")
        para = normalise_text(head + " ".join(seg.words))
        if seg.speaker:
            turns.append(Turn(pos, pos + len(head), pos + len(para), seg.speaker, seg.start_ms))
        parts.append(para)
        pos += len(para) + 2
    meta = {"cues": str(len(captions))}
    return "\n\n".join(parts), tuple(turns), meta
