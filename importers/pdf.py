"""PDF text layer (pypdf). Scanned PDFs without text and encrypted PDFs get a clear message."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from importers.transcript import ImportProblem

# A page with no visible character has no text layer; a file where most pages have none is
# a scan (maybe with a typed cover page), and importing it would silently lose its pages.
_ENCRYPTED = "is an encrypted PDF: remove the password and import it again"


def read_pdf(path: Path) -> tuple[str, dict[str, str]]:
    """Text of every page, pages separated by a blank line, with the document's title/author."""
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise ImportProblem(path, "is not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise ImportProblem(path, "is truncated or damaged: the PDF has no end-of-file marker")

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are about structure, not us
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an owner password only; they open with "".
            try:
                ok = reader.decrypt("")
            except DependencyError:
                raise ImportProblem(
                    path,
                    "is an encrypted PDF (AES) that needs the optional 'cryptography' package; "
                    "install it or remove the encryption",
                ) from None
            except NotImplementedError:
                raise ImportProblem(path, "is encrypted in a way that cannot be opened") from None
            if not ok:
                raise ImportProblem(path, _ENCRYPTED)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        title, author = (info.title, info.author) if info is not None else (None, None)
    except ImportProblem:
        raise
    except FileNotDecryptedError:
        raise ImportProblem(path, _ENCRYPTED) from None
    except Exception as exc:  # pypdf raises many kinds on damaged files; never show a traceback
        raise ImportProblem(path, f"is a damaged PDF ({type(exc).__name__})") from None

    empty = sum(1 for p in pages if not p.strip())
    if not pages or empty * 2 > len(pages):
        where = f"on {empty} of {len(pages)} page(s)" if 0 < empty < len(pages) else ""
        raise ImportProblem(
            path,
            f"has no text layer {where or f'({len(pages)} page(s))'}: it looks scanned; "
            "run OCR on it first (e.g. ocrmypdf) and import the result",
        )
    meta: dict[str, str] = {"pages": str(len(pages))}
    for key, value in (("title", title), ("author", author)):
        if value:
            meta[key] = str(value)
    return "\n\n".join(p.strip("\n") for p in pages), meta
