"""PDF text layer (pypdf). Scanned PDFs without text and encrypted PDFs get a clear message."""

from __future__ import annotations

import logging
from pathlib import Path

from importers.transcript import ImportProblem

# Fewer visible characters than this per page means there is no usable text layer.
_MIN_CHARS_PER_PAGE = 20


def read_pdf(path: Path) -> tuple[str, dict[str, str]]:
    """Text of every page, pages separated by a blank line, with the document's title/author."""
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise ImportProblem(path, "is not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise ImportProblem(path, "is truncated or damaged: the PDF has no end-of-file marker")

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are about structure, not us
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                # Many PDFs are "encrypted" with an owner password only; they open with "".
                ok = reader.decrypt("")
            except (NotImplementedError, PdfReadError) as exc:
                raise ImportProblem(path, f"is an encrypted PDF that cannot be opened ({exc})") from None
            if not ok:
                raise ImportProblem(path, "is an encrypted PDF: remove the password and import it again")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except ImportProblem:
        raise
    except FileNotDecryptedError:
        raise ImportProblem(path, "is an encrypted PDF: remove the password and import it again") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise ImportProblem(path, f"is a damaged PDF ({type(exc).__name__})") from None

    visible = sum(len("".join(p.split())) for p in pages)
    if not pages or visible < _MIN_CHARS_PER_PAGE * len(pages):
        raise ImportProblem(
            path,
            f"has no text layer ({len(pages)} page(s), {visible} characters): it looks scanned; "
            "run OCR on it first (e.g. ocrmypdf) and import the result",
        )
    meta: dict[str, str] = {"pages": str(len(pages))}
    if info is not None:
        for key, value in (("title", info.title), ("author", info.author)):
            if value:
                meta[key] = str(value)
    return "\n\n".join(p.strip("\n") for p in pages), meta
