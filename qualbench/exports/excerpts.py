"""Coded excerpts to CSV, XLSX, DOCX or Markdown, each with where it comes from and who said it."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qualbench.exports import ExportError, atomic_path
from qualbench.progress import CancelCheck, Progress, Ticker, never, no_progress
from qualbench.reports import Excerpt

FORMATS = (".csv", ".xlsx", ".docx", ".md")
CONTENT_NOTE = (
    "Contains verbatim transcript text (coded excerpts). Handle as confidential research data."
)


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
        + [
            "timestamp",
            "paragraph",
            "start",
            "end",
            "coder",
            "origin",
            "coded at",
            "memo",
            "coding id",
        ]
    )
    rows = []
    for e in items:
        levels = e.code_levels + [""] * (depth - len(e.code_levels))
        rows.append(
            levels
            + [e.code_path, e.text, e.document, e.document_kind, e.speaker, e.participant]
            + [e.participant_attributes.get(a, "") for a in person_attrs]
            + [e.document_attributes.get(a, "") for a in doc_attrs]
            + [
                e.timestamp,
                e.paragraph,
                e.start,
                e.end,
                e.coder,
                e.origin,
                e.created,
                e.memo,
                e.coding_uuid,
            ]
        )
    return header, rows


def reference(e: Excerpt) -> str:
    """The citation line under a quote: participant (attributes), document, place, coder."""
    who = e.participant or e.speaker or "no speaker"
    if e.participant == f"{e.document}: {e.speaker}":  # a default name: the label says it all
        who = e.speaker
    attrs = [v for k, v in e.participant_attributes.items() if k != "role" and v]
    place = f"¶{e.paragraph}" + (f", {e.timestamp}" if e.timestamp else "")
    head = f"{who} ({', '.join(attrs)})" if attrs else who
    return f"{head}; {e.document} ({e.document_kind}), {place}; coded by {e.coder}"


def write_excerpts(
    items: Sequence[Excerpt],
    path: str | Path,
    *,
    project: str,
    title: str = "Coded excerpts",
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> Path:
    """Write excerpts in the format named by the file's extension. Cancelling (or any error)
    leaves no file behind."""
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
    tick = Ticker(len(items), progress, cancel, status="excerpts")
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            header, rows = table_rows(items)
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel reads UTF-8
                w = csv.writer(f)
                w.writerow(header)
                for row in rows:
                    w.writerow(row)
                    tick()
        elif suffix == ".xlsx":
            from qualbench.exports.xlsx import write_sheets

            header, rows = table_rows(items)
            write_sheets(tmp, [("Excerpts", header, rows)], about=about, tick=tick)
        elif suffix == ".docx":
            _write_docx(items, tmp, title=title, about=about, tick=tick)
        else:
            _write_markdown(items, tmp, title=title, about=about, tick=tick)
        tick.finish()
    return path


def _grouped(items: Sequence[Excerpt]) -> dict[str, list[Excerpt]]:
    groups: dict[str, list[Excerpt]] = {}
    for e in items:
        groups.setdefault(e.code_path, []).append(e)
    return groups


def _write_markdown(
    items: Sequence[Excerpt], path: Path, *, title: str, about: list[tuple[str, str]], tick: Ticker
) -> None:
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
            tick()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class _DocxWriter:
    """Appends paragraphs in O(1) each: python-docx's add_paragraph searches the whole body for
    the section properties on every call, which is quadratic for a 60,000-excerpt report."""

    def __init__(self, title: str) -> None:
        import docx
        from docx.oxml.ns import qn

        self.document = docx.Document()
        self.document.core_properties.title = title
        self.document.core_properties.comments = CONTENT_NOTE
        self._add_styles()
        body = self.document.element.body
        self._end = body.find(qn("w:sectPr"))
        self._body = body
        self._styles: dict[str, Any] = {}

    def _add_styles(self) -> None:
        """Paragraph styles for references and memos, so a writer can restyle them all at once."""
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt, RGBColor

        styles = self.document.styles
        for name, size, italic in (("Excerpt Reference", 9, False), ("Excerpt Memo", 9, True)):
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            style.font.size = Pt(size)
            style.font.italic = italic
            style.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
            style.paragraph_format.space_after = Pt(12)

    def paragraph(self, text: str = "", style: str | None = None) -> Any:
        """Append ``<w:p>`` (with its style and one run) as raw XML: python-docx's setters look
        up the style and scan sibling order on every call, quadratic-ish for a long report."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.text.paragraph import Paragraph
        from lxml import etree

        p = OxmlElement("w:p")
        if self._end is not None:
            self._end.addprevious(p)
        else:
            self._body.append(p)
        if style is not None:
            if style not in self._styles:
                self._styles[style] = self.document.styles[style].style_id
            ppr = etree.SubElement(p, qn("w:pPr"))
            etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), self._styles[style])
        if text:
            r = etree.SubElement(p, qn("w:r"))
            for i, line in enumerate(text.split("\n")):
                if i:
                    etree.SubElement(r, qn("w:br"))
                t = etree.SubElement(r, qn("w:t"))
                t.text = _xml_safe(line)
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return Paragraph(p, self.document._body)


_XML_BAD = dict.fromkeys([*range(9), 11, 12, *range(14, 32)])


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold most control characters; drop them (they are invisible anyway)."""
    return text.translate(_XML_BAD)


def _write_docx(
    items: Sequence[Excerpt], path: Path, *, title: str, about: list[tuple[str, str]], tick: Ticker
) -> None:
    w = _DocxWriter(title)
    w.paragraph(title, "Title")
    for k, v in about:
        if v:
            p = w.paragraph()
            p.add_run(f"{k}: ").bold = True
            p.add_run(v)
    for code, group in _grouped(items).items():
        w.paragraph(f"{code} ({len(group)})", "Heading 1")
        for e in group:
            w.paragraph(e.text.strip(), "Quote")
            w.paragraph("— " + reference(e), "Excerpt Reference")
            if e.memo:
                w.paragraph("Memo: " + e.memo, "Excerpt Memo")
            tick()
    w.document.save(str(path))
