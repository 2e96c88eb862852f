"""Coded excerpts to CSV, XLSX, DOCX or Markdown, each with where it comes from and who said it."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qualbench.exports import ExportError, atomic_path
from qualbench.reports import Excerpt

FORMATS = (".csv", ".xlsx", ".docx", ".md")
CONTENT_NOTE = "Contains verbatim transcript text (coded excerpts). Handle as confidential research data."


def _attribute_names(items: Sequence[Excerpt]) -> tuple[list[str], list[str]]:
    docs: dict[str, None] = {}
    people: dict[str, None] = {}
    for e in items:
        docs.update(dict.fromkeys(e.document_attributes))
        people.update(dict.fromkeys(e.participant_attributes))
    return list(docs), list(people)


def table_rows(items: Sequence[Excerpt]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows for the flat formats: one row per excerpt, code path split in levels."""
    depth = max((len(e.code_levels) for e in items), default=1)
    doc_attrs, person_attrs = _attribute_names(items)
    header = (
        [f"code level {i + 1}" for i in range(depth)]
        + ["code path", "text", "document", "document kind", "speaker", "participant"]
        + [f"participant {a}" for a in person_attrs]
        + [f"document {a}" for a in doc_attrs]
        + ["timestamp", "paragraph", "start", "end", "coder", "origin", "coded at", "memo", "coding id"]
    )
    rows = []
    for e in items:
        levels = e.code_levels + [""] * (depth - len(e.code_levels))
        rows.append(
            levels
            + [e.code_path, e.text, e.document, e.document_kind, e.speaker, e.participant]
            + [e.participant_attributes.get(a, "") for a in person_attrs]
            + [e.document_attributes.get(a, "") for a in doc_attrs]
            + [e.timestamp, e.paragraph, e.start, e.end, e.coder, e.origin, e.created, e.memo, e.coding_uuid]
        )
    return header, rows


def reference(e: Excerpt) -> str:
    """The citation line under a quote: participant (attributes), document, place, coder."""
    who = e.participant or e.speaker or "no speaker"
    attrs = [v for k, v in e.participant_attributes.items() if k != "role" and v]
    place = f"¶{e.paragraph}" + (f", {e.timestamp}" if e.timestamp else "")
    head = f"{who} ({', '.join(attrs)})" if attrs else who
    return f"{head}; {e.document} ({e.document_kind}), {place}; coded by {e.coder}"


def write_excerpts(items: Sequence[Excerpt], path: str | Path, *, project: str, title: str = "Coded excerpts") -> Path:
    """Write excerpts in the format named by the file's extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{path}: unknown excerpt format {suffix!r}; use {', '.join(FORMATS)}")
    about = [
        ("Contents", CONTENT_NOTE),
        ("Project", project),
        ("Excerpts", str(len(items))),
        ("Codes", ", ".join(dict.fromkeys(e.code_path for e in items))),
        ("Coders", ", ".join(sorted({e.coder for e in items}))),
        ("Exported", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
    ]
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            header, rows = table_rows(items)
            with tmp.open("w", encoding="utf-8", newline="") as f:
                w = csv.writer(f)
                w.writerow(header)
                w.writerows(rows)
        elif suffix == ".xlsx":
            from qualbench.exports.xlsx import write_sheets

            header, rows = table_rows(items)
            write_sheets(tmp, [("Excerpts", header, rows)], about=about)
        elif suffix == ".docx":
            _write_docx(items, tmp, title=title, about=about)
        else:
            _write_markdown(items, tmp, title=title, about=about)
    return path


def _grouped(items: Sequence[Excerpt]) -> dict[str, list[Excerpt]]:
    groups: dict[str, list[Excerpt]] = {}
    for e in items:
        groups.setdefault(e.code_path, []).append(e)
    return groups


def _write_markdown(items: Sequence[Excerpt], path: Path, *, title: str, about: list[tuple[str, str]]) -> None:
    lines = [f"# {title}", ""]
    lines += [f"- **{k}:** {v}" for k, v in about if v]
    for code, group in _grouped(items).items():
        lines += ["", f"## {code} ({len(group)})", ""]
        for e in group:
            quote = e.text.strip().replace("\n", "\n> ")
            lines += [f"> {quote}", ">", f"> — {reference(e)}"]
            if e.memo:
                lines.append(f"\n*Memo:* {e.memo}")
            lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_docx(items: Sequence[Excerpt], path: Path, *, title: str, about: list[tuple[str, str]]) -> None:
    import docx
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.comments = CONTENT_NOTE
    document.add_heading(title, level=0)
    for k, v in about:
        if v:
            p = document.add_paragraph()
            p.add_run(f"{k}: ").bold = True
            p.add_run(v)
    for code, group in _grouped(items).items():
        document.add_heading(f"{code} ({len(group)})", level=1)
        for e in group:
            document.add_paragraph(e.text.strip(), style="Quote")
            ref = document.add_paragraph()
            run = ref.add_run("— " + reference(e))
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
            if e.memo:
                memo = document.add_paragraph()
                memo.add_run("Memo: ").italic = True
                memo.add_run(e.memo).font.size = Pt(9)
    document.save(str(path))
