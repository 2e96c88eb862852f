"""Codings as CSV (document, start, end, code, coder, text, ...): export, and import with checks.

On import, a row locates its span by ``start``/``end`` (and, if ``text`` is given too, the text
there must match, so drifted offsets are caught) or, without offsets, by quoting ``text`` (or a
``quote`` column, with an ``occurrence`` column when the text occurs more than once). Every
row is checked before anything is written; bad rows (the first ten) are listed with their row
numbers and reject the whole file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from qualbench.db import CODER, CODING, DOCUMENT, MEMO
from qualbench.exports import ExportError, atomic_path
from qualbench.model import ORIGINS
from qualbench.services.codes import code_paths, resolve_code
from qualbench.services.coding import (
    CodingError,
    NewCoding,
    check_span,
    find_quote,
    get_or_create_coder,
)
from qualbench.services.documents import NotFound

HEADER = ("document", "start", "end", "code", "coder", "text", "origin", "memo", "id")


class CodingsFileError(ValueError):
    """The codings file is invalid; the message names the file, the row and the problem."""


def _coding_rows(session: Session) -> Iterator[list[object]]:
    """One row per coding (HEADER order), document by document."""
    paths = code_paths(session)
    docs = dict(
        session.execute(
            select(DOCUMENT.c.id, DOCUMENT.c.name).order_by(DOCUMENT.c.position, DOCUMENT.c.id)
        ).all()
    )
    coders = dict(session.execute(select(CODER.c.id, CODER.c.name)).all())
    memos: dict[int, list[str]] = {}
    for cid, text in session.execute(
        select(MEMO.c.coding_id, MEMO.c.text)
        .where(MEMO.c.coding_id.is_not(None))
        .order_by(MEMO.c.id)
    ):
        memos.setdefault(cid, []).append(text)
    for doc_id in docs:
        text = session.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == doc_id)).scalar_one()
        for r in session.execute(
            select(CODING)
            .where(CODING.c.document_id == doc_id)
            .order_by(CODING.c.start, CODING.c.end, CODING.c.id)
        ):
            yield [
                docs[doc_id], r.start, r.end, paths.get(r.code_id, ""), coders[r.coder_id],
                text[r.start : r.end], r.origin, "\n".join(memos.get(r.id, [])), r.uuid,
            ]  # fmt: skip


def export_codings(session: Session, path: str | Path) -> int:
    """Write every coding to .csv or .xlsx; returns how many."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise ExportError(
            f"{path}: codings are written as .csv or .xlsx, not {suffix or 'no extension'}"
        )
    with atomic_path(path) as tmp:
        if suffix == ".xlsx":
            from qualbench.exports.xlsx import write_sheets

            rows = list(_coding_rows(session))
            about = [("Contents", "Codings with the coded text: contains verbatim transcript text")]
            write_sheets(tmp, [("Codings", list(HEADER), rows)], about=about)
            return len(rows)
        count = 0
        with tmp.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            for row in _coding_rows(session):
                w.writerow(row)
                count += 1
        return count


def read_codings(
    session: Session,
    path: str | Path,
    *,
    default_coder: str | None = None,
    create_codes: bool = False,
    default_origin: str = "imported",
) -> list[NewCoding]:
    """Parse and check a codings CSV/XLSX against the project; raises CodingsFileError.

    Coders named in the file are added to the project (inside the caller's transaction).
    """
    from importers import ImportProblem
    from importers.tables import read_table

    path = Path(path)
    try:
        table = read_table(path)
    except ImportProblem as exc:
        raise CodingsFileError(str(exc)) from None
    cols = {c.casefold(): c for c in table.columns}
    if "document" not in cols or "code" not in cols:
        raise CodingsFileError(
            f"{path}: needs at least the columns document and code (and start/end or text)"
        )
    has_span = "start" in cols and "end" in cols
    text_col = cols.get("text") or cols.get("quote")
    if not has_span and not text_col:
        raise CodingsFileError(f"{path}: needs start and end columns, or a text (quote) column")
    if "coder" not in cols and not default_coder:
        raise CodingsFileError(
            f"{path}: has no coder column; say which coder these codings are from"
        )

    doc_cache: dict[str, tuple[int, str]] = {}
    code_cache: dict[str, int] = {}
    coder_cache: dict[str, int] = {}
    out: list[NewCoding] = []
    problems: list[str] = []
    for n, rec in table.numbered_records():

        def get(key: str, rec: dict[str, str] = rec) -> str:
            return rec.get(cols.get(key, ""), "").strip()

        try:
            doc_id, doc_text = _document(session, get("document"), doc_cache)
            code_ref = get("code")
            if code_ref not in code_cache:
                code_cache[code_ref] = _code(session, code_ref, create=create_codes)
            coder_name = get("coder") or default_coder or ""
            if coder_name not in coder_cache:
                coder_cache[coder_name] = get_or_create_coder(session, coder_name)[0]
            quote = rec.get(text_col, "") if text_col else ""
            if has_span and get("start") and get("end"):
                try:
                    start, end = int(get("start")), int(get("end"))
                except ValueError:
                    raise CodingError("start and end must be whole numbers") from None
                check_span(len(doc_text), start, end)
                if quote.strip() and " ".join(quote.split()) != " ".join(
                    doc_text[start:end].split()
                ):
                    raise CodingError(f"the text at {start}-{end} is not the text given in the row")
            elif quote.strip():
                occurrence = int(get("occurrence")) if get("occurrence").isdigit() else None
                start, end = find_quote(doc_text, quote, occurrence=occurrence)
            else:
                raise CodingError("has neither a span nor a text to locate")
            origin = get("origin") or default_origin
            if origin not in ORIGINS:
                raise CodingError(f"origin {origin!r} is not one of {', '.join(ORIGINS)}")
        except (CodingError, NotFound, ValueError) as exc:
            problems.append(f"row {n}: {exc}")
            if len(problems) >= _MAX_PROBLEMS:
                break
            continue
        out.append(
            NewCoding(
                doc_id,
                start,
                end,
                code_cache[code_ref],
                coder_cache[coder_name],
                origin,
                get("memo"),
            )
        )
    if problems:
        more = " (stopped there)" if len(problems) >= _MAX_PROBLEMS else ""
        raise CodingsFileError(f"{path}: {'; '.join(problems)}{more}; nothing was imported")
    return out


_MAX_PROBLEMS = 10


def _document(session: Session, ref: str, cache: dict[str, tuple[int, str]]) -> tuple[int, str]:
    if ref not in cache:
        from qualbench.services.documents import resolve_document

        doc_id = resolve_document(session, ref)
        text = session.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == doc_id)).scalar_one()
        cache[ref] = (doc_id, text)
    return cache[ref]


def _code(session: Session, ref: str, *, create: bool) -> int:
    try:
        return resolve_code(session, ref)
    except NotFound:
        if not create:
            raise
    from qualbench.services.codes import create_code, split_path

    parent = None
    parts = split_path(ref)
    for depth in range(len(parts)):
        path = " > ".join(parts[: depth + 1])
        try:
            parent = resolve_code(session, path)
        except NotFound:
            parent = create_code(session, name=parts[depth], parent_id=parent)[0]
    assert parent is not None
    return parent
