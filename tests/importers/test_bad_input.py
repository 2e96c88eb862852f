"""Bad input of every kind: one ImportProblem naming the file and the cause, never its text."""

from __future__ import annotations

import os
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import importers
from importers import ImportProblem, read_transcript
from importers.tables import read_table
from tests.importers.builders import (
    RECTANGLE,
    assert_problem,
    encrypt_pdf,
    make_pdf,
    new_docx,
    odt_paragraph,
    rtf,
    save_odt,
)

SECRET = "Zhanar confided the password was marigold"


def _docx(path: Path) -> None:
    document = new_docx()
    for n in range(40):
        document.add_paragraph(f"P{n % 3}: {SECRET} {n}")
    document.save(str(path))


def _odt(path: Path) -> None:
    save_odt(path, [odt_paragraph(f"P{n % 3}: {SECRET} {n}") for n in range(40)])


def _cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


Builder = Callable[[Path], None]


def _bytes(data: bytes) -> Builder:
    return lambda path: path.write_bytes(data)


def _then(first: Builder, second: Callable[[Path], None]) -> Builder:
    def build(path: Path) -> None:
        first(path)
        second(path)

    return build


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 8
NOISE = random.Random(7).randbytes(8192)
NOISE_WITHOUT_NUL = bytes(b or 1 for b in NOISE)
PDF = make_pdf([[f"P1: {SECRET}", "P2: And more words on this page."]])

CASES: list[tuple[str, Builder, tuple[str, ...]]] = [
    ("empty.txt", _bytes(b""), ("is empty",)),
    ("blank.txt", _bytes(b" \n\r\n\t  \n"), ("contains no text",)),
    ("bom-only.txt", _bytes(b"\xef\xbb\xbf"), ("contains no text",)),
    ("utf16-bom-only.txt", _bytes(b"\xff\xfe \x00\n\x00"), ("contains no text",)),
    ("picture.txt", _bytes(PNG), ("binary",)),
    ("noise.txt", _bytes(NOISE), ("binary",)),
    ("noise-no-nul.txt", _bytes(NOISE_WITHOUT_NUL), ("does not contain text",)),
    ("noise.md", _bytes(NOISE), ("binary",)),
    ("odd-utf16.txt", _bytes(b"\xff\xfeP\x001\x00:\x00 "), ("utf-16-le mark",)),
    ("empty.docx", _bytes(b""), ("is empty",)),
    ("cut.docx", _then(_docx, _cut_in_half), ("damaged or truncated",)),
    ("cut.odt", _then(_odt, _cut_in_half), ("damaged or truncated",)),
    ("text.docx", _bytes(f"P1: {SECRET}\n".encode()), ("not a .docx file", "renamed")),
    ("text.odt", _bytes(f"P1: {SECRET}\n".encode()), ("not a .odt file", "renamed")),
    ("docx-as.odt", _docx, ("not an OpenDocument",)),
    ("odt-as.docx", _odt, ("not a Word .docx",)),
    ("cut.pdf", _bytes(PDF[: len(PDF) // 2]), ("truncated",)),
    ("locked.pdf", _bytes(encrypt_pdf(PDF, user="pw", owner="pw")), ("encrypted", "password")),
    ("scan.pdf", _bytes(make_pdf([RECTANGLE])), ("no text layer", "OCR")),
    ("text.pdf", _bytes(f"P1: {SECRET}\n".encode()), ("not a PDF",)),
    ("text.rtf", _bytes(f"P1: {SECRET}\n".encode()), ("not an RTF",)),
    ("cut.rtf", _bytes(rtf(rf"\pard P1: {SECRET}\par")[:-40]), ("truncated",)),
    ("bad.vtt", _bytes(f"P1: {SECRET}\n".encode()), ("not a valid VTT",)),
    ("cues-only-junk.srt", _bytes(f"1\n{SECRET}\n".encode()), ("SRT",)),
    ("notes.xyz", _bytes(f"P1: {SECRET}\n".encode()), ("unsupported type .xyz", ".docx")),
    ("README", _bytes(f"P1: {SECRET}\n".encode()), ("unsupported type (no extension)",)),
]


@pytest.mark.parametrize(("name", "build", "causes"), CASES, ids=[c[0] for c in CASES])
def test_bad_file(tmp_path: Path, name: str, build: Builder, causes: tuple[str, ...]) -> None:
    path = tmp_path / name
    build(path)
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    message = assert_problem(excinfo, path, *causes, secret=SECRET)
    assert "marigold" not in message
    # No library exception chained to it (a traceback would show it, text and all).
    problem = excinfo.value
    assert problem.__cause__ is None
    assert problem.__context__ is None or problem.__suppress_context__


def test_missing_file(tmp_path: Path) -> None:
    for name in ("gone.txt", "gone.xyz", "gone"):
        path = tmp_path / name
        with pytest.raises(ImportProblem) as excinfo:
            read_transcript(path)
        assert_problem(excinfo, path, "does not exist")


def test_folder_given_as_a_file(tmp_path: Path) -> None:
    for name in ("Interviews", "looks-like.txt"):
        path = tmp_path / name
        path.mkdir()
        with pytest.raises(ImportProblem) as excinfo:
            read_transcript(path)
        assert_problem(excinfo, path, "is a folder")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "not a regular file")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "private.txt"
    path.write_text(f"P1: {SECRET}\n", "utf-8")
    path.chmod(0)
    try:
        with pytest.raises(ImportProblem) as excinfo:
            read_transcript(path)
        assert_problem(excinfo, path, "permission denied", secret=SECRET)
    finally:
        path.chmod(0o600)


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "MAX_FILE_BYTES", 2**20)
    path = tmp_path / "huge.txt"
    path.write_bytes(b"P1: words\n" * 200_000)
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "1 MB", "refused")


def test_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from importers import office

    path = tmp_path / "bomb.docx"
    _docx(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/media/padding.bin", b"\0" * 5_000_000)
    monkeypatch.setattr(office, "MAX_UNZIPPED_BYTES", 4_000_000)
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "would unpack to", "refusing")


def test_corrupt_member_of_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.docx"
    _docx(path)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("word/document.xml")
    data = bytearray(path.read_bytes())
    # Flip bytes inside the compressed document body, past its local header.
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    for i in range(middle, middle + 16):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "damaged", secret=SECRET)


def test_an_odf_file_of_another_kind(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet

    path = tmp_path / "sheet.odt"
    OpenDocumentSpreadsheet().save(str(path))
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "another kind", "spreadsheet")


def test_unexpected_library_errors_become_import_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importers import html

    def explode(path: Path) -> tuple[str, dict[str, str]]:
        raise RuntimeError(f"parser state dump: {SECRET}")

    monkeypatch.setattr(html, "read_html", explode)
    path = tmp_path / "page.html"
    path.write_text("<p>P1: hi</p>", "utf-8")
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "could not be read as html", "RuntimeError", secret=SECRET)


def test_csv_with_duplicate_column_names(tmp_path: Path) -> None:
    path = tmp_path / "attributes.csv"
    path.write_text(f"Participant,Age,Participant\nP1,34,{SECRET}\n", "utf-8")
    with pytest.raises(ImportProblem) as excinfo:
        read_table(path)
    assert_problem(excinfo, path, "duplicate column names", "Participant", secret=SECRET)


def test_problem_str_and_attributes(tmp_path: Path) -> None:
    problem = ImportProblem(tmp_path / "a.txt", "is empty")
    assert str(problem) == f"{tmp_path / 'a.txt'}: is empty"
    assert problem.reason == "is empty"
    assert problem.path == str(tmp_path / "a.txt")
