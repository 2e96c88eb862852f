"""Build real fixture files (PDF by hand, .docx, .odt, .rtf) for the importer tests.

All fixture text is invented for these tests: fictional interview lines, no real transcripts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pytest

from importers import ImportProblem

# --- problems -----------------------------------------------------------------------------------


def assert_problem(
    excinfo: pytest.ExceptionInfo[ImportProblem],
    path: Path,
    *causes: str,
    secret: str | None = None,
) -> str:
    """The message is one line, names the file, says the cause, and never quotes the text."""
    message = str(excinfo.value)
    assert "\n" not in message
    assert path.name in message
    assert excinfo.value.path == str(path)
    lowered = message.casefold()
    for cause in causes:
        assert cause.casefold() in lowered, f"{cause!r} not in {message!r}"
    if secret:
        assert secret not in message
    # No traceback-ish leftovers from a library.
    assert "Traceback" not in message
    return message


# --- PDF ----------------------------------------------------------------------------------------


def _pdf_string(line: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding, with (, ) and \\ escaped."""
    out = bytearray(b"(")
    for byte in line.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b")")


def text_stream(lines: Sequence[str]) -> bytes:
    """A content stream that writes ``lines`` top to bottom in 12 pt Helvetica."""
    ops = [b"BT", b"/F1 12 Tf", b"16 TL", b"72 720 Td"]
    for line in lines:
        ops.append(_pdf_string(line) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


RECTANGLE = b"0.2 0.4 0.8 rg\n100 300 300 200 re f\n0 0 0 RG 2 w 90 290 320 220 re S"


def make_pdf(pages: Sequence[Sequence[str] | bytes], *, title: str | None = None) -> bytes:
    """A minimal valid PDF 1.4: one page per entry (lines of text, or a raw content stream).

    Objects: 1 catalog, 2 page tree, 3 Helvetica, then page + contents per page, then info.
    """
    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for i, page in enumerate(pages):
        stream = page if isinstance(page, bytes) else text_stream(page)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info_ref = b""
    if title is not None:
        objects.append(b"<< /Title " + _pdf_string(title) + b" /Producer (QualBench tests) >>")
        info_ref = b" /Info %d 0 R" % len(objects)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R" % (len(objects) + 1) + info_ref + b" >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def encrypt_pdf(data: bytes, *, user: str, owner: str) -> bytes:
    """The same pages, encrypted by pypdf (RC4: needs no crypto library)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user, owner_password=owner)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- .docx --------------------------------------------------------------------------------------


def new_docx(header: str = "", footer: str = "") -> object:
    """A python-docx Document with an optional page header and footer."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    return document


def add_docx_table(document: object, rows: Sequence[Sequence[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[attr-defined]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


# --- .odt ---------------------------------------------------------------------------------------


def odt_paragraph(*parts: object, heading: int = 0) -> object:
    """A text:p (or text:h) from strings and odfpy elements."""
    from odf import text

    element = text.H(outlinelevel=heading) if heading else text.P()
    for part in parts:
        if isinstance(part, str):
            element.addText(part)
        else:
            element.addElement(part)
    return element


def odt_table(rows: Sequence[Sequence[str]]) -> object:
    from odf import table, text

    t = table.Table(name="Transcript")
    t.addElement(table.TableColumn(numbercolumnsrepeated=len(rows[0])))
    for row in rows:
        tr = table.TableRow()
        for value in row:
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            tr.addElement(cell)
        t.addElement(tr)
    return t


def save_odt(path: Path, blocks: Sequence[object], *, title: str = "") -> Path:
    from odf import dc
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    if title:
        document.meta.addElement(dc.Title(text=title))
    for block in blocks:
        document.text.addElement(block)
    document.save(str(path))
    return path


# --- .rtf ---------------------------------------------------------------------------------------


def rtf(body: str) -> bytes:
    """A Windows-1252 RTF document around ``body`` (RTF control words, written by hand)."""
    head = (
        r"{\rtf1\ansi\ansicpg1252\deff0"
        r"{\fonttbl{\f0\fswiss Helvetica;}}"
        r"{\info{\title Test interview}{\author Nobody}}"
        r"{\header\pard\plain PAGE HEADER MUST NOT APPEAR\par}"
        r"{\footer\pard\plain PAGE FOOTER MUST NOT APPEAR\par}"
        "\n"
    )
    return (head + body + "}").encode("ascii")


# --- turns --------------------------------------------------------------------------------------


def turns_of(transcript: object) -> list[tuple[str, str, int | None]]:
    """(speaker, spoken words, timestamp) of every turn, after checking the turn invariants."""
    text: str = transcript.text  # type: ignore[attr-defined]
    out = []
    previous_end = 0
    for turn in transcript.turns:  # type: ignore[attr-defined]
        assert previous_end <= turn.start <= turn.body_start <= turn.end <= len(text), turn
        assert not text[turn.start].isspace(), turn
        body = text[turn.body_start : turn.end]
        assert body == body.strip(), turn
        out.append((turn.speaker, body, turn.timestamp_ms))
        previous_end = turn.end
    return out


def labels_of(transcript: object) -> list[str]:
    """What stands before the words of each turn (label, timestamp, punctuation)."""
    text: str = transcript.text  # type: ignore[attr-defined]
    return [text[t.start : t.body_start] for t in transcript.turns]  # type: ignore[attr-defined]
