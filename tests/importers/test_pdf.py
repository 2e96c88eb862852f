"""PDF text layers (pypdf) from minimal PDFs written by hand; encrypted and scanned-like files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from importers import ImportProblem, read_transcript
from tests.importers.builders import (
    RECTANGLE,
    assert_problem,
    encrypt_pdf,
    make_pdf,
    turns_of,
)

PAGES = [
    [
        "Interviewer: Where do you buy your groceries?",
        "Participant: At the market (usually) on Saturdays.",
        "It is cheaper than the shop.",
    ],
    [
        "Interviewer: And in winter?",
        "Participant: The caf\u00e9 next door \u2014 it\u2019s warm.",
    ],
]


def _write(tmp_path: Path, data: bytes, name: str = "interview.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_helper_writes_a_pdf_pypdf_reads() -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(make_pdf(PAGES, title="Groceries")))
    assert len(reader.pages) == 2
    assert "At the market (usually)" in reader.pages[0].extract_text()
    assert reader.metadata is not None
    assert reader.metadata.title == "Groceries"


def test_pages_become_text_with_turns(tmp_path: Path) -> None:
    t = read_transcript(_write(tmp_path, make_pdf(PAGES, title="Groceries")))
    assert t.format == "pdf"
    assert t.metadata["pages"] == "2"
    assert t.metadata["title"] == "Groceries"
    assert t.text == (
        "Interviewer: Where do you buy your groceries?\n"
        "Participant: At the market (usually) on Saturdays.\n"
        "It is cheaper than the shop.\n\n"
        "Interviewer: And in winter?\n"
        "Participant: The caf\u00e9 next door \u2014 it\u2019s warm."
    )
    assert turns_of(t) == [
        ("Interviewer", "Where do you buy your groceries?", None),
        (
            "Participant",
            "At the market (usually) on Saturdays.\nIt is cheaper than the shop.",
            None,
        ),
        ("Interviewer", "And in winter?", None),
        ("Participant", "The caf\u00e9 next door \u2014 it\u2019s warm.", None),
    ]


def test_a_blank_page_between_text_pages_is_fine(tmp_path: Path) -> None:
    data = make_pdf([PAGES[0], RECTANGLE, PAGES[1]])
    t = read_transcript(_write(tmp_path, data))
    assert t.metadata["pages"] == "3"
    assert t.speakers == ("Interviewer", "Participant")


def test_encrypted_with_a_user_password_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, encrypt_pdf(make_pdf(PAGES), user="secret", owner="secret"))
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "encrypted", "password", secret="groceries")


def test_encrypted_with_an_owner_password_only_imports(tmp_path: Path) -> None:
    path = _write(tmp_path, encrypt_pdf(make_pdf(PAGES), user="", owner="owner-only"))
    t = read_transcript(path)
    assert t.speakers == ("Interviewer", "Participant")
    assert "At the market (usually) on Saturdays." in t.text


def test_a_pdf_without_text_is_refused_as_scanned(tmp_path: Path) -> None:
    path = _write(tmp_path, make_pdf([RECTANGLE, RECTANGLE]), "scan.pdf")
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "no text layer", "2 page(s)", "OCR")


def test_a_short_but_real_text_layer_is_not_called_scanned(tmp_path: Path) -> None:
    path = _write(tmp_path, make_pdf([["P1: Yes.", "P2: No."]]), "short.pdf")
    t = read_transcript(path)
    assert turns_of(t) == [("P1", "Yes.", None), ("P2", "No.", None)]


def test_a_mostly_scanned_pdf_with_a_typed_cover_page_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, make_pdf([PAGES[0], RECTANGLE, RECTANGLE]), "mixed.pdf")
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "no text layer on 2 of 3 page(s)", "OCR", secret="market")


def test_truncated_pdf(tmp_path: Path) -> None:
    data = make_pdf(PAGES)
    path = _write(tmp_path, data[: len(data) // 2], "cut.pdf")
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "truncated", secret="groceries")


def test_pdf_with_a_broken_xref_but_an_end_marker(tmp_path: Path) -> None:
    data = make_pdf(PAGES)
    broken = data.replace(b"xref\n", b"xrfe\n").replace(b"/Root 1 0 R", b"/Root 9 0 R")
    path = _write(tmp_path, broken, "broken.pdf")
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "PDF", secret="groceries")


def test_not_a_pdf(tmp_path: Path) -> None:
    path = _write(tmp_path, b"Interviewer: this is text, not a PDF\n", "fake.pdf")
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "not a PDF", secret="Interviewer")


def test_encryption_pypdf_cannot_handle_gets_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AES needs the optional ``cryptography`` package; without it pypdf raises its own error."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    def refuse(self: object, password: str) -> object:
        raise DependencyError("cryptography is required for AES algorithm")

    path = _write(tmp_path, encrypt_pdf(make_pdf(PAGES), user="", owner="o"), "aes.pdf")
    monkeypatch.setattr(PdfReader, "decrypt", refuse)
    with pytest.raises(ImportProblem) as excinfo:
        read_transcript(path)
    assert_problem(excinfo, path, "encrypted")
