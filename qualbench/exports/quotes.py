"""The quote basket for the paper: DOCX (each quote a block quote with its citation, grouped by
section), Markdown, CSV and XLSX (one row per quote with its original and where it is from)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualbench.exports import ExportError, atomic_path
from qualbench.exports.excerpts import NOT_PSEUDONYMISED, Cite, DocxWriter, citation_note
from qualbench.progress import CancelCheck, Progress, Ticker, never, no_progress
from qualbench.reports.excerpts import Excerpt

if TYPE_CHECKING:
    from qualbench.pseudonyms import Pseudonymiser
    from qualbench.quotes import BasketItem

FORMATS = (".docx", ".md", ".csv", ".xlsx")
CONTENT_NOTE = (
    "Contains quotations of transcript text (the quote basket). Handle as confidential "
    "research data."
)
NO_SECTION = "Other quotes"


@dataclasses.dataclass(frozen=True)
class PrintedQuote:
    """A basket quote as an export prints it: display text, original and context pseudonymised
    when asked, and its citation."""

    item: BasketItem
    text: str
    original: str
    citation: str
    context: Excerpt

    @property
    def section(self) -> str:
        return self.item.section or NO_SECTION


def printed_quotes(
    items: Sequence[BasketItem],
    *,
    citation: Cite | None = None,
    pseudonymiser: Pseudonymiser | None = None,
) -> list[PrintedQuote]:
    """What each quote looks like in an export (also for a preview in the app)."""
    out = []
    for item in items:
        ctx, text = item.context, item.display
        if pseudonymiser is not None:
            ctx = pseudonymiser.excerpt(ctx)
            text = pseudonymiser(text, document_id=item.document_id)
        out.append(PrintedQuote(item, text, ctx.text, citation(ctx) if citation else "", ctx))
    return out


def write_basket(
    items: Sequence[BasketItem],
    path: str | Path,
    *,
    project: str,
    citation: Cite | None = None,
    pseudonymiser: Pseudonymiser | None = None,
    title: str = "Quotes",
    notes: bool = False,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> Path:
    """Write basket quotes (:func:`qualbench.quotes.basket`) in the format named by the file's
    extension. DOCX and Markdown group them by section, each quote followed by its citation
    (``notes`` adds the writer's notes); CSV and XLSX hold one row per quote with the original
    text, the fidelity check and the location. Cancelling (or any error) leaves no file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(
            f"{path}: unknown quote basket format {suffix!r}; use {', '.join(FORMATS)}"
        )
    quotes = printed_quotes(items, citation=citation, pseudonymiser=pseudonymiser)
    edited = sum(not q.item.fidelity.faithful for q in quotes)
    about = [
        ("Contents", CONTENT_NOTE),
        ("Names", pseudonymiser.describe() if pseudonymiser is not None else NOT_PSEUDONYMISED),
        ("Project", project),
        ("Quotes", str(len(quotes))),
        ("Sections", ", ".join(dict.fromkeys(q.section for q in quotes))),
        ("Citations", citation_note(citation)),
        (
            "Check",
            f"{edited} quote(s) differ from their original beyond elisions and brackets"
            if edited
            else "Every quote is a faithful edit of its original.",
        ),
        ("Exported", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
    ]
    tick = Ticker(len(quotes), progress, cancel, every=100, status="quotes")
    with atomic_path(path) as tmp:
        if suffix == ".docx":
            _write_docx(quotes, tmp, title=title, about=about, notes=notes, tick=tick)
        elif suffix == ".md":
            _write_markdown(quotes, tmp, title=title, about=about, notes=notes, tick=tick)
        else:
            header, rows = table_rows(quotes)
            if suffix == ".csv":
                with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                    w = csv.writer(f)
                    w.writerow(header)
                    for row in rows:
                        w.writerow(row)
                        tick()
            else:
                from qualbench.exports.xlsx import write_sheets

                write_sheets(tmp, [("Quotes", header, rows)], about=about, tick=tick)
        tick.finish()
    return path


def table_rows(quotes: Sequence[PrintedQuote]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the flat formats: one row per quote."""
    header = [
        "number", "section", "quote", "citation", "original", "faithful", "check", "document",
        "start", "end", "paragraph", "timestamp", "speaker", "participant", "code path",
        "coding id", "note", "quote id",
    ]  # fmt: skip
    rows = [
        [
            q.item.number,
            q.item.section,
            q.text,
            q.citation,
            q.original,
            "yes" if q.item.fidelity.faithful else "no",
            q.item.fidelity.message,
            q.context.document,
            q.item.start,
            q.item.end,
            q.context.paragraph,
            q.context.timestamp,
            q.context.speaker,
            q.context.who,
            q.context.code_path,
            q.item.coding_uuid or "",
            q.item.note,
            q.item.uuid,
        ]
        for q in quotes
    ]
    return header, rows


def _sections(quotes: Sequence[PrintedQuote]) -> dict[str, list[PrintedQuote]]:
    groups: dict[str, list[PrintedQuote]] = {}
    for q in quotes:
        groups.setdefault(q.section, []).append(q)
    return groups


def _write_docx(
    quotes: Sequence[PrintedQuote],
    path: Path,
    *,
    title: str,
    about: list[tuple[str, str]],
    notes: bool,
    tick: Ticker,
) -> None:
    w = DocxWriter(title)
    w.paragraph(title, "Title")
    w.about(about)
    for section, group in _sections(quotes).items():
        w.paragraph(section, "Heading 1")
        for q in group:
            p = w.paragraph(q.text, "Block Quote")
            if q.citation:
                p.add_run(" " + q.citation)
            if notes and q.item.note:
                w.paragraph("Note: " + q.item.note, "Excerpt Memo")
            tick()
    w.document.save(str(path))


def _write_markdown(
    quotes: Sequence[PrintedQuote],
    path: Path,
    *,
    title: str,
    about: list[tuple[str, str]],
    notes: bool,
    tick: Ticker,
) -> None:
    lines = [f"# {title}", ""]
    lines += [f"- **{k}:** {v}" for k, v in about if v]
    for section, group in _sections(quotes).items():
        lines += ["", f"## {section}", ""]
        for q in group:
            quoted = "\n> ".join(q.text.split("\n"))
            lines.append(f"> {quoted}" + (f" {q.citation}" if q.citation else ""))
            if notes and q.item.note:
                lines.append(f"\n*Note:* {q.item.note}")
            lines.append("")
            tick()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
