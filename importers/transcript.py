"""The transcript value every importer returns, and the text normalisation they all share."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


class ImportProblem(Exception):
    """A file cannot be imported; the message names the file and the cause, in one line.

    It never contains transcript text: messages end up in logs and reports.
    """

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type[ImportProblem], tuple[str, str]]:
        return (type(self), (self.path, self.reason))  # picklable across worker processes


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn: ``[start, end)`` in code points, label included.

    ``body_start`` is where the spoken words begin (after the label and timestamp), so that
    "code the whole turn" codes what was said, not ``P3:``.
    """

    start: int
    body_start: int
    end: int
    speaker: str
    timestamp_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    """What an importer makes of one file: normalised text, speaker turns, metadata."""

    text: str
    turns: tuple[Turn, ...] = ()
    source_name: str = ""
    source_sha256: str = ""
    format: str = ""
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Picklable (files are read in worker processes): the read-only metadata view is not.
        return (
            _transcript,
            (
                self.text,
                self.turns,
                self.source_name,
                self.source_sha256,
                self.format,
                dict(self.metadata),
                self.warnings,
            ),
        )

    @property
    def content_sha256(self) -> str:
        return content_hash(self.text)

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speaker labels in order of first appearance."""
        return tuple(dict.fromkeys(t.speaker for t in self.turns))


def _transcript(
    text: str,
    turns: tuple[Turn, ...],
    source_name: str,
    source_sha256: str,
    fmt: str,
    metadata: dict[str, str],
    warnings: tuple[str, ...],
) -> Transcript:
    return Transcript(
        text, turns, source_name, source_sha256, fmt, MappingProxyType(metadata), warnings
    )


def content_hash(text: str) -> str:
    """SHA-256 of the normalised text; how QualBench recognises the same document anywhere."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SURROGATE = re.compile("[\ud800-\udfff]")


def normalise_text(text: str) -> str:
    """LF line ends, no BOM, NFC, no NUL; the form in which document text is stored for good.

    Offsets into a document are code points into this string, so it must never change after
    import: every importer passes its text through here exactly once.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Line/paragraph separators and form feeds (PDF page breaks) become plain line breaks.
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\f", "\n")
    text = text.replace("\x00", "")
    if _SURROGATE.search(text):
        # UTF-16 halves (RTF ``\u-10179?``): pair them; a lone half cannot be stored as UTF-8.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return unicodedata.normalize("NFC", text)


_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def looks_binary(text: str) -> bool:
    """True when decoded text is mostly control characters, i.e. the file was not text."""
    if not text:
        return False
    sample = text[:65536]
    bad = len(_NOT_TEXT.findall(sample))
    return bad > max(8, len(sample) // 100)
