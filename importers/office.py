"""Word processor files: .docx (python-docx), .odt (odfpy), .rtf (striprtf).

Paragraphs become paragraphs separated by a blank line; tables become text row by row (a
transcript laid out as a table of speaker | words, or time | speaker | words, becomes
``speaker: words`` lines so that speaker turns are found); headers, footers, comments and
footnotes are left out.
"""

from __future__ import annotations

import re
import zipfile
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
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
            bad = zf.testzip()
    except zipfile.BadZipFile:
        raise ImportProblem(path, f"is damaged or truncated: not a readable {kind} (zip) file") from None
    except (OSError, EOFError, zipfile.LargeZipFile) as exc:
        raise ImportProblem(path, f"is damaged or truncated ({type(exc).__name__})") from None
    if bad is not None:
        raise ImportProblem(path, f"is damaged: the part {bad!r} of the {kind} fails its checksum")
    if total > MAX_UNZIPPED_BYTES:
        raise ImportProblem(path, f"would unpack to {total // 2**20} MB; refusing (limit {MAX_UNZIPPED_BYTES // 2**20} MB)")


def rows_to_text(rows: Sequence[Sequence[str]]) -> list[str]:
    """Lines for a table. Speaker/time columns become ``[time] speaker: words``."""
    rows = [[" ".join(c.split()) if len(c) < 60 else c.strip() for c in r] for r in rows]
    rows = [r for r in rows if any(r)]
    widths = {len(r) for r in rows}
    if len(rows) >= 2 and widths <= {2, 3}:
        label_col = 0 if widths == {2} else 1
        labels = [r[label_col] for r in rows if len(r) > label_col]
        times_ok = widths == {2} or all(_TIME_CELL.fullmatch(r[0]) or not r[0] for r in rows[1:])
        short = sum(1 for lab in labels if 0 < len(lab) <= 40 and "\n" not in lab)
        if times_ok and short >= 0.8 * len(rows):
            out = []
            for r in rows:
                time = r[0] if len(r) == 3 else ""
                label, words = r[label_col], r[-1]
                if time and parse_timestamp(time.strip("[]()")) is not None:
                    out.append(f"[{time.strip('[]()')}] {label}: {words}")
                elif label:
                    out.append(f"{label}: {words}")
                else:
                    out.append(words)
            return out
    return ["\t".join(r) for r in rows]


# --- .docx -------------------------------------------------------------------------------------


def read_docx(path: Path) -> tuple[str, dict[str, str]]:
    """Body paragraphs and tables of a .docx in document order, with its core properties."""
    _check_zip(path, ".docx")
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ImportProblem(path, f"is not a Word .docx document ({type(exc).__name__})") from None
    except Exception as exc:  # lxml errors on a damaged part; never show a traceback
        raise ImportProblem(path, f"is damaged: {type(exc).__name__} while reading it") from None

    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.append(item.text)
        elif isinstance(item, Table):
            rows = [[cell.text for cell in _unique_cells(row.cells)] for row in item.rows]
            blocks.append("\n\n".join(rows_to_text(rows)))
    props = document.core_properties
    meta = {
        key: str(value)
        for key, value in (("title", props.title), ("author", props.author), ("created", props.created))
        if value
    }
    return "\n\n".join(b for b in blocks if b.strip()), meta


def _unique_cells(cells: Sequence[Any]) -> list[Any]:
    """Merged cells repeat in python-docx's row.cells; keep each once."""
    seen: list[Any] = []
    for cell in cells:
        if not any(cell._tc is s._tc for s in seen):
            seen.append(cell)
    return seen


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
                cells = [c for c in row.childNodes if getattr(c, "qname", None) == (_ODF_TABLE, "table-cell")]
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
        raise ImportProblem(path, f"is an OpenDocument file of another kind ({document.mimetype}), not text")
    blocks = [b for b in _odf_blocks(document.text) if b.strip()]
    meta: dict[str, str] = {}
    for element, key in (("title", "title"), ("initial-creator", "author"), ("creation-date", "created")):
        found = [n for n in document.meta.childNodes if getattr(n, "tagName", "").endswith(":" + element)]
        if found:
            meta[key] = _odf_inline(found[0]).strip()
    return "\n\n".join(blocks), meta


# --- .rtf --------------------------------------------------------------------------------------


def read_rtf(path: Path) -> tuple[str, dict[str, str]]:
    """Text of an RTF file (striprtf); RTF is 7-bit, code page escapes are decoded."""
    data = path.read_bytes()
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ImportProblem(path, "is not an RTF file (it does not start with {\\rtf)")
    if data.count(b"{") - data.count(b"\\{") > data.count(b"}") - data.count(b"\\}") + 2:
        raise ImportProblem(path, "is truncated: its RTF groups are not closed")
    from striprtf.striprtf import rtf_to_text

    raw, _ = decode_bytes(data, path)
    try:
        text = rtf_to_text(raw, errors="replace")
    except Exception as exc:  # striprtf raises plain exceptions on malformed input
        raise ImportProblem(path, f"is damaged RTF ({type(exc).__name__})") from None
    return text, {}
