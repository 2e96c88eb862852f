"""Reading a manuscript for quote checking: the quotations of a .docx, .txt or .md paper
(text in quotation marks and block quotes) with the citation that follows each.

Scare quotes (fewer than ``min_words`` words) are left out; tracked insertions in a .docx count
and deletions do not. Errors name the file and the problem, never its text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualbench.errors import UserError

MIN_WORDS = 4
BLOCK_INDENT_EMU = 365_760  # 0.4 inch
# elision marks: [...], (...), [ … ], …, ...
_ELISION = re.compile(
    r"\[\s*(?:\.\s*){2,3}\.?\s*\]|\(\s*(?:\.\s*){2,3}\.?\s*\)|\[\s*…\s*\]|\(\s*…\s*\)|…|\.\s?\.\s?\."
)


class ManuscriptError(UserError):
    """The manuscript cannot be read (missing, empty, encrypted, not a .docx ...)."""


@dataclass(frozen=True, slots=True)
class ManuscriptQuote:
    """A quotation found in the manuscript; ``paragraph`` counts non-empty paragraphs from 1."""

    number: int
    text: str
    paragraph: int
    block: bool = False
    citation: str = ""
    attributed_to: str = ""


# --- reading the manuscript --------------------------------------------------------------------


def read_manuscript(path: str | Path, *, min_words: int = MIN_WORDS) -> list[ManuscriptQuote]:
    """The quotations of a .docx, .txt or .md manuscript, in reading order."""
    path = Path(path)
    if min_words < 1:
        raise UserError("the minimum number of words in a quote must be at least 1")
    suffix = path.suffix.lower()
    if not path.exists():
        raise ManuscriptError(f"{path}: does not exist")
    if path.is_dir():
        raise ManuscriptError(f"{path}: is a folder, not a manuscript file")
    if suffix not in (".docx", ".txt", ".text", ".md", ".markdown"):
        raise ManuscriptError(
            f"{path}: has an unsupported type {suffix or '(no extension)'}; use .docx, .txt or .md"
        )
    if path.stat().st_size == 0:
        raise ManuscriptError(f"{path}: is empty")
    paragraphs = _docx_paragraphs(path) if suffix == ".docx" else _text_paragraphs(path)
    if not any(text.strip() for text, _ in paragraphs):
        raise ManuscriptError(f"{path}: contains no text")
    return find_quotes(paragraphs, min_words=min_words)


def _docx_paragraphs(path: Path) -> list[tuple[str, bool]]:
    """(text, is a block quote) of the body's paragraphs, in tables and content controls too;
    tracked insertions count, tracked deletions do not."""
    with path.open("rb") as f:
        if f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # an OLE file, not a zip
            if "EncryptionInfo".encode("utf-16-le") in path.read_bytes():
                raise ManuscriptError(f"{path}: is password-protected; save an unprotected copy")
            raise ManuscriptError(f"{path}: is an old binary Word file (.doc); save it as .docx")
    from importers.office import _W, _check_zip, _docx_children, _docx_inline

    _check_zip(path, ".docx")  # not a zip, truncated, bad checksums, zip bomb
    import docx
    from docx.text.paragraph import Paragraph

    out: list[tuple[str, bool]] = []

    def walk(element: Any, parent: Any) -> None:
        for child in element:
            if child.tag == _W + "p":
                words: list[str] = []
                _docx_inline(child, words)
                out.append(("".join(words), _is_block_quote(Paragraph(child, parent))))
            elif child.tag == _W + "tbl":
                for row in _docx_children(child, _W + "tr"):
                    for cell in _docx_children(row, _W + "tc"):
                        walk(cell, parent)
            elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
                walk(child, parent)

    try:
        document = docx.Document(str(path))
        walk(document.element.body, document._body)
    except Exception as exc:  # lxml or python-docx on a damaged file: never a traceback
        raise ManuscriptError(
            f"{path}: is not a readable Word document ({type(exc).__name__})"
        ) from None
    return out


def _is_block_quote(paragraph: Any) -> bool:
    """A Quote/Intense Quote style (or one based on it), or a left indent of 0.4 inch or more
    on a paragraph that is no list item or heading."""
    styles, indent, style = [], paragraph.paragraph_format.left_indent, paragraph.style
    while style is not None:
        styles.append((style.name or "").casefold())
        indent = style.paragraph_format.left_indent if indent is None else indent
        style = style.base_style
    if any(s in ("quote", "intense quote", "block text") for s in styles):
        return True
    p_pr = paragraph._p.pPr
    if any("list" in s or "heading" in s or s == "title" for s in styles) or (
        p_pr is not None and p_pr.numPr is not None
    ):
        return False
    return indent is not None and int(indent) >= BLOCK_INDENT_EMU


_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


def _text_paragraphs(path: Path) -> list[tuple[str, bool]]:
    """Paragraphs are separated by blank lines (or are lines, in a file without blank lines);
    lines starting with ``>`` are block quotes; Markdown emphasis is dropped."""
    from importers.plaintext import decode_bytes
    from importers.transcript import looks_binary, normalise_text

    text = normalise_text(decode_bytes(path.read_bytes(), path)[0])
    if looks_binary(text):
        raise ManuscriptError(f"{path}: does not contain text")
    markdown = path.suffix.lower() in (".md", ".markdown")
    lines = text.split("\n")
    each_line = all(line.strip() for line in lines)
    out: list[tuple[str, bool]] = []
    current: list[str] = []
    block = False
    for line in [*lines, ""]:
        quoted = line.lstrip().startswith(">")
        if not line.strip() or quoted != block or each_line:
            if current:
                out.append((" ".join(current), block))
            current = []
        if line.strip():
            block = quoted
            body = line.lstrip().lstrip(">").strip()
            current.append(_EMPHASIS.sub(r"\2", body) if markdown else body)
    return out


# Double marks: “…”, „…“ / „…”, «…», "…", ”…” (Swedish). Single marks: an opener after a
# non-word, a closer not followed by a letter (the ’ of don’t closes nothing).
_DOUBLE = re.compile(r'“([^“”]+)”|„([^„“”]+)[“”]|«\s?([^«»]+?)\s?»|"([^"]+)"|”([^“”]+)”')
_SINGLE = re.compile(r"(?<![\w'’‘])['‘](?=\S)(.+?)(?<=\S)['’](?![\w'’])")
_CITE_AFTER = re.compile(r"\s*[,.;:]?\s*(?:\(([^()]{1,120})\)|(?:—|–|--?)\s*([^()\n.;]{1,60}))")
_CITE_END = re.compile(r"\s*\(([^()]{1,120})\)\s*\.?\s*$")
_CITE_DASH = re.compile(r"\s+(?:—|–|--)\s*([^—–\n.!?()]{1,40})$")
_COUNT_WORDS = re.compile(r"\w+(?:['’]\w+)*")
_PARTICIPANT = re.compile(
    r"(?i)\b(?:participant|respondent|interviewee|informant|p|r)\s*[-#]?\s*\d+\b"
)
_NAME = re.compile(r"^\s*([A-ZÀ-Þ][\w'’-]+)\b")
_NOT_NAMES = frozenset({
    "interview", "interviews", "focus", "group", "fg", "transcript", "participant", "respondent",
    "interviewee", "informant", "female", "male", "woman", "man", "women", "men", "age", "aged",
    "site", "wave", "time", "see", "cf", "ibid", "emphasis", "original", "translated",
})  # fmt: skip
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


def find_quotes(
    paragraphs: Sequence[tuple[str, bool]], *, min_words: int = MIN_WORDS
) -> list[ManuscriptQuote]:
    """Quotations of ``min_words`` words or more in (text, is block quote) paragraphs; shorter
    quoted phrases (scare quotes, terms) are left out. A citation right after the quote
    (``(P12, interview)``, ``— Participant 3``) names who said it."""
    found: list[ManuscriptQuote] = []
    paras = [(t, b) for t, b in paragraphs if t.strip()]
    for i, (text, block) in enumerate(paras):
        if block:
            body, citation = text.strip(), ""
            m = _CITE_END.search(body) or _CITE_DASH.search(body)
            if m and (m.re is _CITE_END or _attribution(m.group(1))):
                citation, body = m.group(1).strip(), body[: m.start()].strip()
            elif i + 1 < len(paras) and not paras[i + 1][1]:  # "— P3" as the next paragraph
                nxt = paras[i + 1][0].strip()
                if len(nxt.split()) <= 12 and (nxt[:1] in "—–-" or nxt[:1] + nxt[-1:] == "()"):
                    citation = nxt.strip("—–-() ")
            if len(body) > 1 and body[0] in "“„«\"'‘" and body[-1] in "”“»\"'’":
                body = body[1:-1].strip()
            spans = [(body, citation, min_words)]
        else:
            spans = _inline_quotes(text, min_words)
        for quote, citation, least in spans:
            if len(_COUNT_WORDS.findall(_ELISION.sub(" ", quote))) >= least:
                n = len(found) + 1
                found.append(
                    ManuscriptQuote(n, quote, i + 1, block, citation, _attribution(citation))
                )
    return found


def _inline_quotes(text: str, min_words: int) -> list[tuple[str, str, int]]:
    """(quote, citation, least words) of a paragraph's quoted passages; single marks need four
    words at least, whatever ``min_words`` says (they are apostrophes too)."""
    spans: list[tuple[int, int, str, int]] = []
    masked = list(text)
    for m in _DOUBLE.finditer(text):
        spans.append((m.start(), m.end(), next(g for g in m.groups() if g), min_words))
        masked[m.start() : m.end()] = " " * (m.end() - m.start())  # no single quotes inside
    single = max(MIN_WORDS, min_words)
    spans += [(m.start(), m.end(), m.group(1), single) for m in _SINGLE.finditer("".join(masked))]
    out = []
    for _, end, quote, least in sorted(spans):
        c = _CITE_AFTER.match(text, end)
        cited = (c.group(1) or c.group(2) or "").strip() if c else ""
        cited = cited if c and (c.group(1) or _PARTICIPANT.search(cited)) else ""
        out.append((quote.strip(), cited, least))
    return out


def _attribution(citation: str) -> str:
    """The participant a citation names (``P12``, ``Participant 3``, a pseudonym), or ''."""
    m = _PARTICIPANT.search(citation)
    if m:
        return m.group(0)
    m = _NAME.match(citation)
    if m and not _YEAR.search(citation) and m.group(1).casefold() not in _NOT_NAMES:
        return m.group(1)
    return ""


def _same_person(ref: str, names: Sequence[str]) -> bool | None:
    """Does a citation's participant match the speaker/participant names? None: cannot tell."""
    digits = re.findall(r"\d+", ref)
    if digits:
        numbered = [re.findall(r"\d+", n) for n in names if re.search(r"\d", n)]
        return any(digits[-1] in d for d in numbered) if numbered else None
    words = {w.casefold() for n in names for w in re.findall(r"\w+", n)}
    return ref.casefold() in words if words else None
