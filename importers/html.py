"""HTML: visible text with block elements as paragraphs (standard-library parser)."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path

from importers.office import rows_to_text
from importers.plaintext import decode_bytes

# fmt: off
_BLOCK = frozenset((
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "article", "blockquote", "pre", "dt", "dd", "dl", "header", "footer", "main", "aside",
    "figure", "figcaption", "hr", "address", "caption",
))
# fmt: on
_HIDDEN = frozenset({"script", "style", "head", "template", "noscript", "svg"})
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


class _TextParser(HTMLParser):
    """Collects blocks: paragraphs as strings, table rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str | list[str]] = []
        self.current: list[str] = []
        self.row: list[str] | None = None  # the open table row
        self.cell: list[str] | None = None  # paragraphs of the open cell
        self.hidden = 0
        self.pre = 0
        self.in_title = False
        self.title = ""

    def _flush(self) -> None:
        text = "".join(self.current)
        self.current = []
        if not self.pre:
            text = " ".join(text.split())
        if not text.strip():
            return
        if self.cell is not None:
            self.cell.append(text)
        else:
            self.blocks.append(text)

    def _end_cell(self) -> None:
        self._flush()
        if self.cell is not None and self.row is not None:
            self.row.append("\n".join(self.cell))
        self.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self.row:
            self.blocks.append(self.row)
        self.row = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in {"tr", "table"}:
            self._end_row()
            self._flush()
            if tag == "tr":
                self.row = []
        elif tag in {"td", "th"}:
            self._end_cell()
            if self.row is None:
                self.row = []
            self.cell = []
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in {"tr", "table"}:
            self._end_row()
        elif tag in {"td", "th"}:
            self._end_cell()
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.hidden:
            self.current.append(data)


def html_to_text(source: str) -> tuple[str, str]:
    """(text, title) of an HTML document; tables as in Word files (``speaker: words`` rows)."""
    parser = _TextParser()
    parser.feed(source)
    parser.close()
    parser._end_row()
    parser._flush()
    parts: list[str] = []
    rows: list[list[str]] = []
    for block in [*parser.blocks, ""]:
        if isinstance(block, list):
            rows.append(block)
            continue
        if rows:
            parts.extend(rows_to_text(rows))
            rows = []
        if block:
            parts.append(block)
    return "\n\n".join(parts), " ".join(parser.title.split())


def read_html(path: Path) -> tuple[str, dict[str, str]]:
    """Visible text of an HTML file; the charset comes from a BOM, <meta charset> or detection."""
    data = path.read_bytes()
    m = _META_CHARSET.search(data[:4096])
    source = None
    if m and not data.startswith(_BOMS):  # a byte order mark outranks the declaration
        try:
            source = data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            source = None
    if source is None:
        source, _ = decode_bytes(data, path)
    text, title = html_to_text(source)
    return text, ({"title": title} if title else {})
