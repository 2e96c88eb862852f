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
    """UTF-16 LE/BE without BOM shows as NUL bytes in every other position for Latin text."""
    head = data[:4096]
    if len(head) < 4 or len(data) % 2:
        return None
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = len(head) // 2
    if odd > half * 0.6 and even < half * 0.1:
        return "utf-16-le"
    if even > half * 0.6 and odd < half * 0.1:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode text file bytes; returns (text, encoding). Raises ImportProblem for non-text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding + " (BOM)"
            except UnicodeDecodeError as exc:
                raise ImportProblem(path, f"starts with a {encoding} mark but is not {encoding} text ({exc.reason} at byte {exc.start})") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:65536]:
        raise ImportProblem(path, "is a binary file, not text")
    from charset_normalizer import from_bytes  # imported here: only legacy files need it

    best = from_bytes(data[: 4 * 1024 * 1024]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
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
