"""Plain text and Markdown: decode the bytes (BOMs, UTF-8, UTF-16, legacy code pages)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from importers.transcript import ImportProblem

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 LE/BE without BOM: NUL bytes (high bytes of ASCII spaces, digits, line ends) sit
    on one side of each byte pair only. Latin text has a NUL in every pair, Cyrillic or Chinese
    text only around spaces and line ends; text in other encodings has no NUL at all.
    """
    head = data[:65536]
    if len(head) < 4 or len(data) % 2:
        return None
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    if even + odd < max(2, len(head) // 200):
        return None  # a stray NUL in a UTF-8 file does not make it UTF-16
    if odd >= 0.9 * (even + odd):
        return "utf-16-le"
    if even >= 0.9 * (even + odd):
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode text file bytes; returns (text, encoding). Raises ImportProblem for non-text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding + " (BOM)"
            except UnicodeDecodeError as exc:
                raise ImportProblem(
                    path,
                    f"starts with a {encoding} mark but is not {encoding} text "
                    f"({exc.reason} at byte {exc.start})",
                ) from None
    # Before UTF-8: ASCII in UTF-16 is valid UTF-8 too (NUL bytes), but the wrong reading.
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:65536]:
        raise ImportProblem(path, "is a binary file, not text")
    return _decode_legacy(data)


# Share of letters that may be non-ASCII in Western text read as cp1252 (French has about 4%);
# text in another code page read as cp1252 is mostly accented letters (Cyrillic: nearly all).
_MAX_NON_ASCII_LETTERS = 0.3


def _reads_as_western(text: str) -> bool:
    sample = text[: 1 << 20]
    letters = non_ascii = 0
    for ch in sample:
        if ch.isalpha():
            letters += 1
            non_ascii += ch > "\x7f"
    return non_ascii <= letters * _MAX_NON_ASCII_LETTERS


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """A file in an 8-bit code page: Windows Western when it reads as such, else detection.

    charset-normalizer alone guesses short Western files as cp932, big5 or cp1257, so cp1252
    (which includes Latin-1's letters) is tried first.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _reads_as_western(text):
        return text, "cp1252"
    from charset_normalizer import from_bytes  # imported here: only legacy files need it

    best = from_bytes(data[: 4 * 1024 * 1024]).best()
    if best is not None:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    if text is not None:
        return text, "cp1252"
    return data.decode("latin-1"), "latin-1"


_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+", re.MULTILINE)
_MD_QUOTE = re.compile(r"^>[ \t]?", re.MULTILINE)
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")


def markdown_to_text(source: str) -> str:
    """Strip the Markdown a transcript uses (bold labels, headings, quotes, links), keep words."""
    text = _MD_LINK.sub(r"\1", source)
    text = _MD_EMPHASIS.sub(r"\2", text)
    text = _MD_HEADING.sub("", text)
    return _MD_QUOTE.sub("", text)
