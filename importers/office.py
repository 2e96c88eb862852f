"""Word processor files: .docx (python-docx), .odt (odfpy), .rtf (striprtf).

Paragraphs become paragraphs separated by a blank line; tables become text row by row (a
transcript laid out as a table of speaker | words, or time | speaker | words, becomes
``speaker: words`` lines so that speaker turns are found); headers, footers, comments and
footnotes are left out.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from importers.plaintext import decode_bytes
from importers.speakers import parse_timestamp
from importers.transcript import ImportProblem

# A .docx/.odt is a zip; refuse members that would inflate beyond this (zip bombs).
MAX_UNZIPPED_BYTES = 1 << 30
_TIME_CELL = re.compile(r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?")


def _check_zip(path: Path, kind: str) -> None:
    """Refuse what is not a zip, is cut short, fails its checksums or would unpack too large."""
    with path.open("rb") as f:
        head = f.read(4)
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise ImportProblem(
            path, f"is not a {kind} file (no zip archive inside; renamed from another type?)"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if total > MAX_UNZIPPED_BYTES:
                raise ImportProblem(
                    path,
                    f"would unpack to {total // 2**20} MB; refusing "
                    f"(limit {MAX_UNZIPPED_BYTES // 2**20} MB)",
                )
            bad = zf.testzip()
    except zipfile.BadZipFile:
        raise ImportProblem(
            path, f"is damaged or truncated: not a readable {kind} (zip) file"
        ) from None
    except (OSError, EOFError, zipfile.LargeZipFile, zlib.error) as exc:
        raise ImportProblem(path, f"is damaged or truncated ({type(exc).__name__})") from None
    if bad is not None:
        raise ImportProblem(path, f"is damaged: the part {bad!r} of the {kind} fails its checksum")


# Cells of a header row over a transcript table (``Time | Speaker | Text``).
# fmt: off
_HEADER_CELLS = frozenset((
    "speaker", "speakers", "name", "who", "person", "role", "participant", "time", "timestamp",
    "start", "timecode", "text", "words", "transcript", "transcription", "utterance",
    "content", "speech", "dialogue", "what", "said",
))
# fmt: on


def _is_time(cell: str) -> bool:
    return parse_timestamp(cell.strip("[]()")) is not None


def _is_header(row: Sequence[str], *, time_col: int | None) -> bool:
    if time_col is not None and row[time_col] and not _is_time(row[time_col]):
        return True  # a first row whose time cell is no time names the columns
    return all(c.casefold().strip(" :") in _HEADER_CELLS for c in row if c)


def _time_column(rows: Sequence[Sequence[str]]) -> int | None:
    """Which of the first two columns holds times (``time | speaker | words`` or
    ``speaker | time | words``), judged on the rows after a possible header."""
    for col in (0, 1):
        cells = [r[col] for r in rows[1:] if r[col]]
        if cells and all(_is_time(c) for c in cells) and len(cells) >= len(rows[1:]) / 2:
            return col
    return None


def rows_to_text(rows: Sequence[Sequence[str]]) -> list[str]:
    """Lines for a table. A transcript laid out as ``speaker | words`` or ``time | speaker |
    words`` (or ``speaker | time | words``) becomes ``[time] speaker: words`` lines, so that its
    turns are found; other tables become tab-separated lines.

    A header row over such a table stays a tab-separated line, so that ``Speaker | Text`` does
    not become a turn of a speaker called "Speaker".
    """
    rows = [[" ".join(c.split()) if len(c) < 60 else c.strip() for c in r] for r in rows]
    rows = [r for r in rows if any(r)]
    widths = {len(r) for r in rows}
    if len(rows) >= 2 and widths in ({2}, {3}):
        time_col = _time_column(rows) if widths == {3} else None
        if widths == {3} and time_col is None:
            return ["\t".join(r) for r in rows]
        label_col = 0 if time_col != 0 else 1
        head = [rows[0]] if _is_header(rows[0], time_col=time_col) else []
        body = rows[len(head) :]
        short = sum(1 for r in body if 0 < len(r[label_col]) <= 40 and "\n" not in r[label_col])
        if body and short >= 0.8 * len(body):
            out = ["\t".join(r) for r in head]
            for r in body:
                time = r[time_col].strip("[]()") if time_col is not None else ""
                # "INTERVIEWER:" or "**P1**" in the speaker cell: the label is the name.
                label, words = r[label_col].replace("**", "").strip().rstrip(":").strip(), r[-1]
                if time and _is_time(time):
                    out.append(f"[{time}] {label}: {words}" if label else f"[{time}] {words}")
                elif label:
                    out.append(f"{label}: {words}")
                else:
                    out.append(words)
            return out
    return ["\t".join(r) for r in rows]


# --- .docx -------------------------------------------------------------------------------------


def read_docx(path: Path) -> tuple[str, dict[str, str]]:
    """Body paragraphs and tables of a .docx in document order, with its core properties.

    The body XML is walked directly: python-docx's ``paragraph.text`` drops tracked insertions
    and content controls, and ``iter_inner_content`` skips paragraphs inside block controls.
    """
    _check_zip(path, ".docx")
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
        blocks = list(_docx_blocks(document.element.body))
        props = document.core_properties
        found = (("title", props.title), ("author", props.author), ("created", props.created))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ImportProblem(path, f"is not a Word .docx document ({type(exc).__name__})") from None
    except Exception as exc:  # lxml errors on a damaged part; never show a traceback
        raise ImportProblem(path, f"is damaged: {type(exc).__name__} while reading it") from None
    meta = {key: _meta_value(value) for key, value in found if value}
    return "\n\n".join(b for b in blocks if b.strip()), meta


def _meta_value(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value).strip()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Inside a paragraph: deleted text, properties, drawings and text boxes (which Word also writes
# twice, as mc:Choice and mc:Fallback), field codes and note/comment marks are not words.
_DOCX_SKIP_TAGS = (
    "del moveFrom pPr rPr drawing pict object instrText delText sym "
    "footnoteReference endnoteReference commentReference"
)
_DOCX_SKIP = frozenset(_W + tag for tag in _DOCX_SKIP_TAGS.split()) | {_MC + "AlternateContent"}
# Wrappers whose content counts as if it stood in their place.
_DOCX_WRAPPERS = frozenset(_W + tag for tag in ("sdt", "sdtContent", "customXml", "smartTag"))


def _docx_inline(element: Any, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _DOCX_SKIP:
            continue  # comments and processing instructions have a non-string tag
        if tag == _W + "t":
            out.append(child.text or "")
        elif tag == _W + "tab":
            out.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        else:
            _docx_inline(child, out)


def _docx_children(element: Any, tag: str) -> Iterator[Any]:
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _DOCX_WRAPPERS:
            yield from _docx_children(child, tag)


def _docx_blocks(element: Any) -> Iterator[str]:
    for child in element:
        if child.tag == _W + "p":
            out: list[str] = []
            _docx_inline(child, out)
            yield "".join(out)
        elif child.tag == _W + "tbl":
            rows = [
                ["\n".join(_docx_blocks(tc)) for tc in _docx_children(tr, _W + "tc")]
                for tr in _docx_children(child, _W + "tr")
            ]
            yield "\n\n".join(rows_to_text(rows))
        elif child.tag in _DOCX_WRAPPERS:
            yield from _docx_blocks(child)


# --- .odt --------------------------------------------------------------------------------------

_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_SKIP = {(_ODF_OFFICE, "annotation"), (_ODF_TEXT, "note"), (_ODF_TEXT, "tracked-changes")}


def _odf_inline(node: Any) -> str:
    parts: list[str] = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
            continue
        qname = getattr(child, "qname", None)
        if qname in _SKIP:
            continue
        if qname == (_ODF_TEXT, "s"):
            parts.append(" " * int(child.getAttribute("c") or 1))
        elif qname == (_ODF_TEXT, "tab"):
            parts.append("\t")
        elif qname == (_ODF_TEXT, "line-break"):
            parts.append("\n")
        else:
            parts.append(_odf_inline(child))
    return "".join(parts)


def _odf_blocks(node: Any) -> Iterator[str]:
    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname is None or qname in _SKIP:
            continue
        if qname in {(_ODF_TEXT, "p"), (_ODF_TEXT, "h")}:
            yield _odf_inline(child)
        elif qname == (_ODF_TABLE, "table"):
            rows = []
            for row in _descendants(child, (_ODF_TABLE, "table-row")):
                cells = [
                    c
                    for c in row.childNodes
                    if getattr(c, "qname", None) == (_ODF_TABLE, "table-cell")
                ]
                rows.append(["\n".join(_odf_blocks(c)) for c in cells])
            yield "\n\n".join(rows_to_text(rows))
        else:
            yield from _odf_blocks(child)


def _descendants(node: Any, qname: tuple[str, str]) -> Iterator[Any]:
    for child in node.childNodes:
        if getattr(child, "qname", None) == qname:
            yield child
        elif getattr(child, "qname", None) != (_ODF_TABLE, "table"):
            yield from _descendants(child, qname)


def read_odt(path: Path) -> tuple[str, dict[str, str]]:
    """Body text of an OpenDocument text file, in order."""
    _check_zip(path, ".odt")
    from odf.opendocument import load

    try:
        document = load(str(path))
    except KeyError:
        raise ImportProblem(path, "is not an OpenDocument text file (no content.xml)") from None
    except Exception as exc:  # expat/odfpy errors on damaged XML
        raise ImportProblem(path, f"is damaged: {type(exc).__name__} while reading it") from None
    if "opendocument.text" not in (document.mimetype or ""):
        raise ImportProblem(
            path, f"is an OpenDocument file of another kind ({document.mimetype}), not text"
        )
    blocks = [b for b in _odf_blocks(document.text) if b.strip()]
    meta: dict[str, str] = {}
    for element, key in (
        ("title", "title"),
        ("initial-creator", "author"),
        ("creation-date", "created"),
    ):
        found = [
            n for n in document.meta.childNodes if getattr(n, "tagName", "").endswith(":" + element)
        ]
        if found:
            meta[key] = _odf_inline(found[0]).strip()
    return "\n\n".join(blocks), meta


# --- .rtf --------------------------------------------------------------------------------------


_RTF_ESCAPED = re.compile(rb"\\[\\{}]")


def read_rtf(path: Path) -> tuple[str, dict[str, str]]:
    """Text of an RTF file (striprtf); RTF is 7-bit, code page escapes are decoded."""
    data = path.read_bytes()
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ImportProblem(path, "is not an RTF file (it does not start with {\\rtf)")
    plain = _RTF_ESCAPED.sub(b"", data)
    if plain.count(b"{") > plain.count(b"}"):
        # The outer group closes at the very end: a file cut short has open groups.
        raise ImportProblem(path, "is truncated: its RTF groups are not closed")
    from striprtf.striprtf import rtf_to_text

    raw, _ = decode_bytes(data, path)
    try:
        text: str = rtf_to_text(raw, errors="replace")  # type: ignore[no-untyped-call]
    except Exception as exc:  # striprtf raises plain exceptions on malformed input
        raise ImportProblem(path, f"is damaged RTF ({type(exc).__name__})") from None
    return text, {}
