"""HTML: visible text with block elements as paragraphs (standard-library parser)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from importers.plaintext import decode_bytes

_BLOCK = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article blockquote pre dt dd dl "
    "header footer main aside figure figcaption hr address".split()
)
_HIDDEN = frozenset({"script", "style", "head", "template", "noscript", "svg"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.hidden = 0
        self.pre = 0
        self.in_title = False
        self.title = ""

    def _flush(self) -> None:
        text = "".join(self.current)
        if not self.pre:
            text = " ".join(text.split())
        if text.strip():
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self.pre += 1
        elif tag in {"td", "th"} and self.current:
            self.current.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
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
    """(text, title) of an HTML document."""
    parser = _TextParser()
    parser.feed(source)
    parser.close()
    parser._flush()
    return "\n\n".join(parser.blocks), " ".join(parser.title.split())


def read_html(path: Path) -> tuple[str, dict[str, str]]:
    """Visible text of an HTML file; the charset comes from a BOM, <meta charset> or detection."""
    data = path.read_bytes()
    m = _META_CHARSET.search(data[:4096])
    source = None
    if m:
        try:
            source = data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            source = None
    if source is None:
        source, _ = decode_bytes(data, path)
    text, title = html_to_text(source)
    return text, ({"title": title} if title else {})
